"""The offline router: a question (Korean or English, casual or formal, typos) to
a tool and its contract arguments, without a language model.

    route(question, now=..., tz=..., catalogue=[ProductRef, ...], campaigns=[CampaignRef, ...],
          previous=last_result_or_None, prompts=PromptStore()) -> RouteResult
    RouteResult.outcome -> answered | clarify | unsupported | not_understood

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
- category: a category of the catalogue (ProductRef.category) named like a
  product ("커피 매출", "차 카테고리 베스트") is the `category` argument of the
  tools that take one (Question.category()); a category word is never a product
  name and a product named more fully wins over it; "커피 카테고리" when no
  category is 커피 gives "unknown_category" with the categories as `candidates`;
- follow-ups: an elliptical question ("그럼 지난달은?", "top 10 instead",
  "그 상품 재고는?", "2번", "3개만") keeps the previous turn's tool and arguments and
  changes what it names; "광고는?" switches tool and keeps the period; an
  ordinal ("그 중에 두번째 상품", "the 3rd") is product_report of that product of
  `previous.listed` for the same period ("not_in_list" when the list lacks it);
  "그 전주" / "the week before" shifts the previous period; "차트도" / "with a
  chart" repeats the previous answer with `chart` set (a chart word never
  changes the rest of a question);
- side by side: two products around "vs", "랑", "and" run product_report for
  each (`also`); "November vs October" is a sales_report whose period carries
  the explicit comparison (analytics.periods.Period.versus), passed on untouched;
- honest outcomes (`RouteResult.outcome`): a topic the store data does not hold
  (prompts/unsupported.yaml: shipping, reviews, competitors, weather, fees...;
  any one topic word, both languages, spacing and one-letter typos) is error
  "unsupported" with its `topic`, unless an operator taught a tool that very
  question or it asks for an inquiry draft or advice; a product named only by a
  colour or material word next to words nothing places is not that product, and
  the store-wide guess becomes error "unplaced" (clarify) instead of the answer;
- bad input: empty -> "empty", over MAX_CHARS -> "text_too_long", no letters
  or code/SQL -> tool None (the caller shows the help list).
"""

from tools.router._route import MAX_CHARS, ranked_tools, route
from tools.router._types import CampaignRef, Candidate, ProductRef, RouteError, RouteResult

__all__ = [
    "MAX_CHARS",
    "CampaignRef",
    "Candidate",
    "ProductRef",
    "RouteError",
    "RouteResult",
    "ranked_tools",
    "route",
]
