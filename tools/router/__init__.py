"""The offline router: a question (Korean or English, casual or formal, typos) to
a tool and its contract arguments, without a language model.

    route(question, now=..., tz=..., catalogue=[ProductRef...], campaigns=[CampaignRef...],
          previous=last_result_or_None, prompts=PromptStore()) -> RouteResult

Intent comes from the example questions in prompts/tools.yaml (a disabled tool is
never returned), periods from analytics.periods, products and campaigns are
matched fuzzily against the catalogue, and a follow-up ("그럼 지난달은?", "top 10
instead") reuses the previous turn's tool and arguments.
"""

from tools.router._route import DATED_TOOLS, DEFAULT_ARGS, MAX_CHARS, route
from tools.router._types import CampaignRef, Candidate, ProductRef, RouteError, RouteResult

__all__ = [
    "DATED_TOOLS",
    "DEFAULT_ARGS",
    "MAX_CHARS",
    "CampaignRef",
    "Candidate",
    "ProductRef",
    "RouteError",
    "RouteResult",
    "route",
]
