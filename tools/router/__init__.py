"""The offline router: a question (Korean or English, casual or formal, typos) to
a tool and its contract arguments, without a language model.

    route(question, now=..., tz=..., catalogue=[ProductRef, ...], campaigns=[CampaignRef, ...],
          previous=last_result_or_None, prompts=PromptStore()) -> RouteResult

- intent: nearest example questions of prompts/tools.yaml (character n-gram
  TF-IDF, spacing-insensitive, English typos respelt) plus each tool's cue
  words; a disabled tool is never returned (error "tool_disabled");
- period: analytics.periods.find_period, else the tool's default (sales_report:
  today so far; every other dated tool: the last 7 full days); a PeriodError
  becomes the error key ("invalid_date", "range_reversed", "future", "too_long");
- product and campaign: matched against names, English names and SKUs in
  either direction, spacing-insensitive, with misspellings and the synonyms of
  prompts/product_words.yaml; several equally good products give
  "ambiguous_product" with `candidates`, a name not in the catalogue
  "unknown_product" (with close names), no name at all "product_needed";
- options: limit ("top 3", "상위 10개", "20명까지"), metric ("수량", "units"),
  direction ("뜨는", "rising", "떨어지는"), segment ("단골", "이탈 위험",
  "재구매할"), keyword ('"소포장" 검색한'), inquiry text ("고객 문의: ..."),
  advice topic;
- follow-ups: an elliptical question ("그럼 지난달은?", "top 10 instead",
  "그 상품 재고는?", "2번") keeps the previous turn's tool and arguments and
  changes what it names; "광고는?" switches tool and keeps the period;
- bad input: empty -> "empty", over MAX_CHARS -> "text_too_long", no letters
  or code/SQL -> tool None (the caller shows the help list).
"""

from tools.router._route import MAX_CHARS, route
from tools.router._types import CampaignRef, Candidate, ProductRef, RouteError, RouteResult

__all__ = [
    "MAX_CHARS",
    "CampaignRef",
    "Candidate",
    "ProductRef",
    "RouteError",
    "RouteResult",
    "route",
]
