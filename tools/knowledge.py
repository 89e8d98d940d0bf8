"""`advice` and `inquiry_draft` over the vector-index retrieval (tools.retrieval).

- Advice: the playbook passages (prompts/knowledge/) that best answer the topic,
  grouped by article (at most MAX_ARTICLES), each with its article's title so
  the answer cites it.
- Inquiry drafts: the product the inquiry names (price, stock, options from the
  database) and the seller's most similar answered inquiries; the draft is
  written from those alone (tools.retrieval.inquiries), or is None when nothing
  is known, and the template then writes a neutral "we will check" reply.

The result types below are what the templates (prompts/answers/advice.*,
inquiry_draft.*), the compact model view and the answer guard read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from sqlalchemy.orm import Session

from analytics.common import Result
from tools.retrieval.inquiries import REUSE_MIN
from tools.retrieval.service import Retrieval, RetrievalHandle

if TYPE_CHECKING:
    from tools.context import TurnContext

MAX_ARTICLES = 2
PASSAGES = 4  # passages searched; an article's best one or two become its excerpt
EXCERPT_CHARS = 900  # a second passage joins the excerpt only within this length


class ArticleExcerpt(Result):
    slug: str
    title: str
    excerpt: str
    score: float


class AdviceResult(Result):
    kind: Literal["advice"] = "advice"
    topic: str
    articles: list[ArticleExcerpt]


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


class InquiryDraft(Result):
    kind: Literal["inquiry_draft"] = "inquiry_draft"
    inquiry: str
    currency: str
    draft: str | None
    """The reply written from product facts and past answers; None when nothing
    is known (the template writes a neutral one)."""
    based_on: int | None
    """The past inquiry whose answer the draft reuses."""
    similar: list[SimilarInquiry]
    """Past inquiries close enough to draw on, the reused one first."""
    product: ProductFacts | None


def retrieval_for(ctx: TurnContext) -> Retrieval:
    """The turn's retrieval: the advisor's (opened once), else one from settings."""
    handle = ctx.retrieval or RetrievalHandle(ctx.settings, ctx.sessions, prompts=ctx.prompts)
    return handle.get()


def advice(retrieval: Retrieval, topic: str, lang: str) -> AdviceResult:
    passages = retrieval.search_playbook(topic, lang, k=PASSAGES)
    articles: dict[str, ArticleExcerpt] = {}
    for passage in passages:
        found = articles.get(passage.slug)
        if found is None:
            if len(articles) == MAX_ARTICLES:
                continue
            articles[passage.slug] = ArticleExcerpt(
                slug=passage.slug, title=passage.title, excerpt=passage.text, score=passage.score
            )
        elif len(found.excerpt) + len(passage.text) + 2 <= EXCERPT_CHARS:
            articles[passage.slug] = found.model_copy(
                update={"excerpt": f"{found.excerpt}\n\n{passage.text}"}
            )
    return AdviceResult(topic=topic, articles=list(articles.values()))


def draft_inquiry(
    retrieval: Retrieval,
    session: Session,
    seller_id: int,
    currency: str,
    inquiry: str,
    lang: str,
) -> InquiryDraft:
    drafted = retrieval.draft_inquiry(session, seller_id, inquiry, lang, currency=currency)
    facts = drafted.facts
    product = None
    if drafted.product is not None and facts:
        product = ProductFacts(
            product_id=drafted.product.id,
            name=str(facts["name"]),
            price=int(facts["price"] or 0),
            stock=None if facts["stock"] is None else int(facts["stock"]),
            options=facts["options"] if isinstance(facts["options"], str) else None,
        )
    similar = [
        SimilarInquiry(inquiry_id=s.id, question=s.question, answer=s.answer, score=s.score)
        for s in drafted.sources
        if s.id == drafted.used or s.score >= REUSE_MIN
    ]
    return InquiryDraft(
        inquiry=inquiry,
        currency=currency,
        draft=drafted.text if drafted.knows else None,
        based_on=drafted.used,
        similar=similar,
        product=product,
    )
