"""Small offline retrieval for `advice` and `inquiry_draft` (until the Chroma
retrieval issue replaces it).

- Advice: the Markdown articles under prompts/knowledge/ (`<slug>.<lang>.md`,
  first line `# Title`; HTML comments and headings are not text), scored against the topic by word and Hangul-bigram
  overlap weighted by rarity; the best paragraph of the best articles is the
  excerpt. Articles in the seller's language come first.
- Inquiry drafts: the seller's answered inquiries most similar to the new one
  (the share of the new question's features found in the old one), and the
  facts of the product the inquiry names. With a close enough past answer, that
  answer is the draft; otherwise the template writes a neutral one.

Features are casefolded words plus the character bigrams of Hangul words, so
"재구매율" meets "재구매" and particles ("배송은", "배송") do not hide a match.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.common import Result
from analytics.korean import compact, tokens
from storage.models import Inquiry, Product

KNOWLEDGE_DIR = "knowledge"
MAX_INQUIRIES = 5000  # the most recent answered inquiries searched
DRAFT_MIN_SCORE = 0.5  # a past answer becomes the draft from this similarity on
EXCERPT_CHARS = 600

_WORD = re.compile(r"[\w%]+", re.UNICODE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
# question words that say nothing about the topic (words, and Hangul bigrams)
_QUERY_STOP = frozenset(
    "많이 어떻 떻게 하면 해야 려면 나요 까요 는법 있어 할까 좋을 을까 주세 세요 알려 려줘 해줘 싶어 "
    "합니 니다 해요 있나 없나 돼요 되나 할지 추천 천해 조언 get more much many make help good "
    "best way ways tips tip ideas idea advice any some there which when why who about".split()
)
_STOP = frozenset(
    "the a an to of for and or in on is are do does how can i my we our me what should "
    "요 좀 더 것 수 거 이 그 저 해 줘 주세요 알려줘 어떻게 하면 방법".split()
)


def features(text: str) -> Counter[str]:
    """Words (casefolded, NFKC) and the bigrams of Hangul words."""
    found: Counter[str] = Counter()
    folded = unicodedata.normalize("NFKC", text).casefold()
    for word in _WORD.findall(folded):
        if word in _STOP:
            continue
        if _HANGUL.search(word):
            if len(word) == 1:
                continue
            found.update(word[i : i + 2] for i in range(len(word) - 1))
        elif len(word) > 1:
            found[word] += 1
    return found


# -- articles -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Article:
    slug: str
    lang: str
    title: str
    paragraphs: tuple[str, ...]
    title_features: frozenset[str]
    paragraph_features: tuple[frozenset[str], ...]


class ArticleExcerpt(Result):
    slug: str
    title: str
    excerpt: str
    score: float


class AdviceResult(Result):
    kind: Literal["advice"] = "advice"
    topic: str
    articles: list[ArticleExcerpt]


@lru_cache(maxsize=256)
def _read_article(path: Path, stamp: tuple[int, int]) -> Article | None:
    parts = path.name.split(".")
    if len(parts) != 3:
        return None
    text = _COMMENT.sub("", path.read_text(encoding="utf-8")).strip()
    lines = text.splitlines()
    title = parts[0]
    if lines and lines[0].startswith("#"):
        title = lines[0].lstrip("#").strip()
        lines = lines[1:]
    # headings and blank lines separate paragraphs; a quoted tip is a paragraph
    body = "\n".join("" if line.startswith("#") else line.lstrip("> ") for line in lines)
    paragraphs = tuple(
        " ".join(line.strip() for line in block.splitlines() if line.strip())
        for block in re.split(r"\n\s*\n", body)
        if block.strip()
    )
    return Article(
        parts[0],
        parts[1],
        title,
        paragraphs,
        frozenset(features(title)),
        tuple(frozenset(features(p)) for p in paragraphs),
    )


def load_articles(root: Path) -> list[Article]:
    """Every `<slug>.<lang>.md` under `root`/knowledge, re-read when it changed."""
    folder = root / KNOWLEDGE_DIR
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.md")):
        stat = path.stat()
        article = _read_article(path, (stat.st_mtime_ns, stat.st_size))
        if article is not None:
            found.append(article)
    return found


def _score(query: Counter[str], doc: frozenset[str], idf: dict[str, float]) -> float:
    """The rarity-weighted share of the query's features found in `doc`."""
    total = sum(idf[f] for f in query)
    if not total:
        return 0.0
    return sum(idf[f] for f in query if f in doc) / total


def search_articles(
    root: Path, topic: str, lang: str, *, limit: int = 2, min_score: float = 0.25
) -> list[ArticleExcerpt]:
    """The best articles for `topic` in the seller's language (any language when it
    has none), scored by their best paragraph plus half the title's match."""
    articles = load_articles(root)
    pool = [a for a in articles if a.lang == lang] or articles
    query = Counter({f: n for f, n in features(topic).items() if f not in _QUERY_STOP})
    if not pool or not query:
        return []
    passages = [p for a in pool for p in (a.title_features, *a.paragraph_features)]
    n = len(passages)
    df = {f: sum(1 for p in passages if f in p) for f in query}
    # a word no passage uses weighs little: it cannot tell articles apart
    idf = {f: math.log(1 + n / df[f]) if df[f] else 0.5 for f in query}
    scored = []
    for article in pool:
        best = max((_score(query, p, idf) for p in article.paragraph_features), default=0.0)
        score = best + 0.5 * _score(query, article.title_features, idf)
        if score >= min_score:
            scored.append((-score, article.slug, article))
    scored.sort(key=lambda item: item[:2])
    return [
        ArticleExcerpt(
            slug=slug,
            title=article.title,
            excerpt=_excerpt(article, query, idf),
            score=round(-negative, 3),
        )
        for negative, slug, article in scored[:limit]
    ]


def _excerpt(article: Article, query: Counter[str], idf: dict[str, float]) -> str:
    """The two paragraphs that match the query best, in article order, cut to
    EXCERPT_CHARS."""
    ranked = sorted(
        range(len(article.paragraphs)),
        key=lambda i: (-_score(query, article.paragraph_features[i], idf), i),
    )
    text = "\n".join(article.paragraphs[i] for i in sorted(ranked[:2]))
    if len(text) > EXCERPT_CHARS:
        cut = text[:EXCERPT_CHARS]
        text = (cut[: cut.rfind(" ")] if " " in cut else cut) + " …"
    return text


def advice(root: Path, topic: str, lang: str) -> AdviceResult:
    return AdviceResult(topic=topic, articles=search_articles(root, topic, lang))


# -- inquiries ----------------------------------------------------------------------


class SimilarInquiry(Result):
    inquiry_id: int
    question: str
    answer: str
    score: float


class ProductFacts(Result):
    product_id: int
    name: str
    price: int
    stock: int
    options: str | None


class InquiryDraft(Result):
    kind: Literal["inquiry_draft"] = "inquiry_draft"
    inquiry: str
    currency: str
    draft: str | None
    """The closest past answer when similar enough; None: the template writes one."""
    based_on: int | None
    """The inquiry id the draft came from."""
    similar: list[SimilarInquiry]
    product: ProductFacts | None


def _coverage(query: Counter[str], doc: Counter[str]) -> float:
    total = sum(query.values())
    if not total:
        return 0.0
    return sum(min(count, doc.get(f, 0)) for f, count in query.items()) / total


def similar_inquiries(
    session: Session, seller_id: int, inquiry: str, *, limit: int = 3
) -> list[SimilarInquiry]:
    rows = session.execute(
        select(Inquiry.id, Inquiry.question, Inquiry.answer)
        .where(Inquiry.seller_id == seller_id, Inquiry.answer.is_not(None))
        .order_by(Inquiry.asked_at.desc(), Inquiry.id.desc())
        .limit(MAX_INQUIRIES)
    ).all()
    query = features(inquiry)
    scored = []
    for order, (inquiry_id, question, answer) in enumerate(rows):
        score = _coverage(query, features(question))
        if score > 0:
            scored.append((-score, order, inquiry_id, question, answer or ""))
    scored.sort()
    found: list[SimilarInquiry] = []
    seen: set[tuple[str, str]] = set()
    for negative, _, inquiry_id, question, answer in scored:
        if (question, answer) in seen:
            continue  # the same question answered the same way: show it once
        seen.add((question, answer))
        found.append(
            SimilarInquiry(
                inquiry_id=inquiry_id, question=question, answer=answer, score=round(-negative, 3)
            )
        )
        if len(found) == limit:
            break
    return found


def named_product(products: Sequence[Product], text: str) -> Product | None:
    """The product whose name words cover most of itself inside `text`; None when
    nothing distinctive matches or two products tie."""
    haystack = compact(text)
    best: list[tuple[int, Product]] = []
    for product in products:
        matched = 0
        for name in (product.name, product.name_en or ""):
            words = [w for w in tokens(name) if len(w) >= (2 if _HANGUL.search(w) else 4)]
            matched = max(matched, sum(len(w) for w in words if w in haystack))
        if matched:
            best.append((matched, product))
    if not best:
        return None
    best.sort(key=lambda item: -item[0])
    if len(best) > 1 and best[0][0] == best[1][0]:
        return None
    return best[0][1]


def draft_inquiry(session: Session, seller_id: int, currency: str, inquiry: str) -> InquiryDraft:
    similar = similar_inquiries(session, seller_id, inquiry)
    products = list(session.scalars(select(Product).where(Product.seller_id == seller_id)))
    product = named_product(products, inquiry)
    close = similar[0] if similar and similar[0].score >= DRAFT_MIN_SCORE else None
    return InquiryDraft(
        inquiry=inquiry,
        currency=currency,
        draft=close.answer if close else None,
        based_on=close.inquiry_id if close else None,
        similar=similar,
        product=_facts(product) if product else None,
    )


def _facts(product: Product) -> ProductFacts:
    return ProductFacts(
        product_id=product.id,
        name=product.name,
        price=product.price,
        stock=product.stock,
        options=product.options,
    )
