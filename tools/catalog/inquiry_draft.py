"""inquiry_draft: a draft answer to a customer's inquiry from the product's facts and
the seller's similar past answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from analytics.common import Result, Window
from tools.catalog._args import ButtonCode, ToolArgs
from tools.catalog._base import Tool
from tools.catalog._summary import drop_empty

if TYPE_CHECKING:
    from tools.context import TurnContext


class InquiryDraftArgs(ToolArgs):
    inquiry: Annotated[str, ButtonCode("q")] = Field(
        min_length=1, max_length=2000, description="The customer's question, verbatim."
    )


class InquiryDraft(Tool[InquiryDraftArgs]):
    name = "inquiry_draft"
    code = "iq"
    schema = InquiryDraftArgs
    example = {"inquiry": "배송 언제 와요?"}
    free_text = True

    def run(self, ctx: TurnContext, args: InquiryDraftArgs, window: Window | None) -> Result:
        from tools.knowledge import draft_inquiry, retrieval_for

        with ctx.session() as session:
            return draft_inquiry(
                retrieval_for(ctx),
                session,
                ctx.seller_id,
                ctx.store.currency,
                args.inquiry,
                ctx.lang,
            )

    def summary(self, result: Any) -> dict[str, Any]:
        return drop_empty(
            {
                "inquiry": result.inquiry,
                "closest_past_answer": result.draft,
                "similar": [
                    {"question": s.question, "answer": s.answer, "similarity": s.score}
                    for s in result.similar[:2]
                ],
                "product": result.product.model_dump() if result.product else None,
                "currency": result.currency,
            }
        )
