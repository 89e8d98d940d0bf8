"""`advice` over the vector-index retrieval (tools.retrieval): the playbook passages
(prompts/knowledge/) that best answer the topic, grouped by article (at most
MAX_ARTICLES), each with its article's title so the answer cites it; and the turn's
retrieval (`retrieval_for`), which the `inquiry_draft` tool drafts with too
(tools.inquiries.drafting).

The result types below are what the templates (prompts/answers/advice.*), the compact
model view and the answer guard read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from analytics.common import Result
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
