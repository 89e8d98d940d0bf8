"""advice: the seller's question answered from the playbook articles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from analytics.common import Result, Window
from tools.catalog._args import ButtonCode, ToolArgs
from tools.catalog._base import Tool

if TYPE_CHECKING:
    from tools.context import TurnContext


class AdviceArgs(ToolArgs):
    topic: Annotated[str, ButtonCode("t")] = Field(
        min_length=1, max_length=500, description="What the seller wants advice on."
    )


class Advice(Tool[AdviceArgs]):
    name = "advice"
    code = "ad"
    schema = AdviceArgs
    example = {"topic": "광고 효율 올리는 법"}
    free_text = True
    retrieval = True

    def run(self, ctx: TurnContext, args: AdviceArgs, window: Window | None) -> Result:
        from tools.knowledge import advice, retrieval_for

        return advice(retrieval_for(ctx), args.topic, ctx.lang)

    def summary(self, result: Any) -> dict[str, Any]:
        return {
            "topic": result.topic,
            "articles": [{"title": a.title, "excerpt": a.excerpt} for a in result.articles],
        }
