"""inquiry_draft: a draft answer to a customer's question the seller forwards or pastes
in chat, written and checked by the inquiry loop's drafting
(tools.inquiries.drafting.draft_question: the product's facts, the seller's past
answers in the question's language, the answer guard, the checks for dates to come
and restocks), so a draft in chat says what a draft card says. The draft is in the
question's language; the template (prompts/answers/inquiry_draft.<lang>.j2) presents
it in the seller's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from analytics.common import Result, Window
from tools.catalog._args import ButtonCode, ToolArgs
from tools.catalog._base import Tool
from tools.catalog._summary import drop_empty

if TYPE_CHECKING:
    from tools.context import TurnContext
    from tools.inquiries.drafting import Drafted


class SimilarInquiry(Result):
    inquiry_id: int
    question: str
    answer: str
    score: float


class ProductFacts(Result):
    product_id: int
    name: str
    price: int
    stock: int | None
    """None: the store's data does not say."""
    options: str | None


class InquiryDraftResult(Result):
    kind: Literal["inquiry_draft"] = "inquiry_draft"
    inquiry: str
    currency: str
    lang: str
    """The draft's language: the question's."""
    draft: str
    """The checked draft, as ✅ on a draft card would send it."""
    checks: list[str]
    """What was left out of the draft until the seller checks it."""
    known: bool
    """False: neither a fact nor a past answer speaks to the question."""
    based_on: int | None
    """The past inquiry whose answer the draft reuses."""
    similar: list[SimilarInquiry]
    """Past inquiries in the draft's language close enough to draw on, the reused one first."""
    product: ProductFacts | None


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
    retrieval = True

    def run(self, ctx: TurnContext, args: InquiryDraftArgs, window: Window | None) -> Result:
        from tools.inquiries.drafting import draft_question
        from tools.knowledge import retrieval_for

        with ctx.session() as session:
            drafted = draft_question(
                retrieval_for(ctx), session, ctx.seller_id, args.inquiry, now=ctx.now
            )
        return result_of(args.inquiry, drafted, ctx.store.currency)

    def summary(self, result: Any) -> dict[str, Any]:
        return drop_empty(
            {
                "inquiry": result.inquiry,
                # the checked draft (a key tools.store_text marks as store text: it
                # holds the seller's past answer)
                "closest_past_answer": result.draft,
                "needs_checking": bool(result.checks) or not result.known,
                "similar": [
                    {"question": s.question, "answer": s.answer, "similarity": s.score}
                    for s in result.similar[:2]
                ],
                "product": result.product.model_dump() if result.product else None,
                "currency": result.currency,
            }
        )


def result_of(inquiry: str, drafted: Drafted, currency: str) -> InquiryDraftResult:
    from tools.retrieval.inquiries import (
        REUSE_MIN,
        language_of,
    )  # tools.retrieval imports the catalogue

    meta = drafted.meta
    facts = meta["facts"]
    product = None
    if drafted.product_id is not None and facts:
        product = ProductFacts(
            product_id=drafted.product_id,
            name=str(facts["name"]),
            price=int(facts["price"] or 0),
            stock=None if facts["stock"] is None else int(facts["stock"]),
            options=facts["options"] if isinstance(facts["options"], str) else None,
        )
    similar = [
        SimilarInquiry(
            inquiry_id=s["id"], question=s["question"], answer=s["answer"], score=s["score"]
        )
        for s in meta["sources"]
        if s["id"] == meta["used"]
        or (s["score"] >= REUSE_MIN and language_of(s["answer"]) == meta["lang"])
    ]
    return InquiryDraftResult(
        inquiry=inquiry,
        currency=currency,
        lang=meta["lang"],
        draft=drafted.text,
        checks=list(drafted.checks),
        known=drafted.known,
        based_on=meta["used"],
        similar=similar,
        product=product,
    )
