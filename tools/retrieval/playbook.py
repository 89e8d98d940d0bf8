"""The seller playbook: practical advice articles under prompts/knowledge/.

An article is `<slug>.<lang>.md` (lang "ko" or "en"; other Markdown files such
as README.md are not articles):

    # Title
    <!--
    keywords: 광고비, ROAS, 손익분기      (words sellers use for this topic)
    tip_for: ad_low_roas                  (analysis results this article's tip suits)
    -->

    > The one-line tip shown after such an analysis.

    ## A section
    Paragraphs...

Articles are cut into passages at `##` headings (a long section at paragraph
breaks) and indexed in the shared Chroma collection `playbook` (advice is not
seller data). The files are read by the `PromptStore` (`knowledge()`), which
re-reads one whose size or time changed and everything after `reload()`; the
index is refreshed whenever their fingerprint changes, so an operator's edit is
searched on the next question.

`search` takes the passages of the seller's language (English when there are
none) closest to the topic by embedding, and ranks them by how much of the
topic's words (Hangul in two-letter pieces, so particles do not hide a match)
they contain, weighted by rarity, plus the embedding similarity. Each passage
carries its article's title, for the answer to cite.

`tip_for(kind, lang)` is the one tip for an analysis result kind (TIP_KINDS),
or None: never more than one.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from storage.vector.index import VectorIndex
from tools.prompts import KNOWLEDGE_DIR, PromptStore
from tools.retrieval import _offline
from tools.retrieval._text import features

COLLECTION = "playbook"
LANGS = ("ko", "en")
MAX_CHARS = 900  # a longer section is cut at paragraph breaks
MIN_SCORE = 0.2  # passages below this are not relevant
PER_ARTICLE = 2  # passages of one article in one answer
POOL = 24
UNKNOWN_WEIGHT = 0.5  # a topic word no passage has counts this much of the rarest

# Analysis result kinds an article may offer its tip for (`tip_for:`).
TIP_KINDS = (
    "ad_low_roas",  # a campaign below break-even ROAS
    "ad_low_ctr",  # impressions without clicks
    "ad_drop",  # an ad-efficiency alert
    "sales_drop",  # sales below the previous period or an alert
    "falling_products",  # products selling less than before
    "low_stock",  # a product with few days of stock left
    "low_conversion",  # visits that do not buy
    "keyword_gap",  # searched keywords the lineup lacks
    "likely_regulars",  # new customers likely to come back
    "at_risk_customers",  # regulars drifting away
    "inquiry",  # customer questions
)

_COMMENT = re.compile(r"^<!--(.*?)-->", re.S)


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    text: str


@dataclass(frozen=True, slots=True)
class Article:
    slug: str
    lang: str
    title: str
    tip: str | None
    tip_for: tuple[str, ...]
    keywords: tuple[str, ...]
    sections: tuple[Section, ...]
    source_file: str  # relative to the prompts folder, e.g. knowledge/ad-roas.ko.md


@dataclass(frozen=True, slots=True)
class Passage:
    """A piece of an article: cite `title` when answering with `text`."""

    title: str
    text: str
    source_file: str
    score: float
    heading: str = ""
    slug: str = ""


@dataclass(frozen=True, slots=True)
class Tip:
    """The one tip for an analysis result, and the article it comes from."""

    kind: str
    title: str
    text: str
    source_file: str
    slug: str


@dataclass(frozen=True, slots=True)
class _Chunk:
    id: str
    article: Article
    heading: str
    text: str
    features: Counter[str]

    @property
    def embedded(self) -> str:
        head = f"{self.article.title} - {self.heading}" if self.heading else self.article.title
        return f"{head}\n{' '.join(self.article.keywords)}\n{self.text}"


# -- reading articles ----------------------------------------------------------------


def parse_article(source_file: str, text: str) -> Article | None:
    """Parse the text of `<slug>.<lang>.md` (`source_file` relative to the prompts
    folder, e.g. "knowledge/ad_ctr.ko.md"); None for a file that is not an article."""
    parts = source_file.rsplit("/", 1)[-1].split(".")
    if len(parts) != 3 or parts[1] not in LANGS or parts[2] != "md":
        return None
    text = text.strip()
    title, _, rest = text.partition("\n")
    if not title.startswith("# "):
        raise ValueError(f"{source_file}: the first line must be the title ('# Title')")
    rest = rest.strip()
    meta: dict[str, str] = {}
    found = _COMMENT.match(rest)
    if found:
        for line in found.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep:
                meta[key.strip().lower()] = value.strip()
        rest = rest[found.end() :].strip()
    tip = None
    blocks = re.split(r"\n\s*\n", rest)
    if blocks and blocks[0].startswith(">"):
        tip = " ".join(line.lstrip("> ").strip() for line in blocks[0].splitlines()).strip()
        rest = "\n\n".join(blocks[1:])
    return Article(
        slug=parts[0],
        lang=parts[1],
        title=title[2:].strip(),
        tip=tip or None,
        tip_for=_listed(meta.get("tip_for", "")),
        keywords=_listed(meta.get("keywords", "")),
        sections=_sections(rest),
        source_file=source_file,
    )


def read_article(path: Path, root: Path) -> Article | None:
    """`parse_article` of a file at hand (tests; the playbook reads through the
    `PromptStore`)."""
    parts = path.name.split(".")
    if len(parts) != 3 or parts[1] not in LANGS or parts[2] != "md":
        return None
    return parse_article(path.relative_to(root).as_posix(), path.read_text(encoding="utf-8"))


def _listed(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _sections(body: str) -> tuple[Section, ...]:
    sections: list[Section] = []
    heading = ""
    lines: list[str] = []
    for line in body.splitlines():
        if line.startswith("## "):
            if "\n".join(lines).strip():
                sections.append(Section(heading, "\n".join(lines).strip()))
            heading, lines = line[3:].strip(), []
        else:
            lines.append(line)
    if "\n".join(lines).strip():
        sections.append(Section(heading, "\n".join(lines).strip()))
    return tuple(sections)


def _pieces(text: str) -> list[str]:
    """`text` cut at paragraph breaks into pieces of at most MAX_CHARS (a longer
    paragraph stays whole)."""
    pieces: list[str] = []
    current = ""
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = paragraph.strip()
        if current and len(current) + len(paragraph) + 2 > MAX_CHARS:
            pieces.append(current)
            current = paragraph
        else:
            current = f"{current}\n\n{paragraph}" if current else paragraph
    if current:
        pieces.append(current)
    return pieces


def chunks(article: Article) -> list[_Chunk]:
    """The article's passages: its tip, then each section (or part of one)."""
    out = []
    if article.tip:
        body = f"{article.title} {' '.join(article.keywords)} {article.tip}"
        out.append(_Chunk(f"{article.source_file}#tip", article, "", article.tip, features(body)))
    for number, section in enumerate(article.sections):
        for part, text in enumerate(_pieces(section.text)):
            body = f"{article.title} {section.heading} {' '.join(article.keywords)} {text}"
            out.append(
                _Chunk(
                    id=f"{article.source_file}#{number}.{part}",
                    article=article,
                    heading=section.heading,
                    text=text,
                    features=features(body),
                )
            )
    return out


# -- the playbook --------------------------------------------------------------------


class Library:
    """The articles under prompts/knowledge, as the `PromptStore` reads them,
    parsed again whenever a file changed (no index: tips need only the files).
    A folder gets a store of its own."""

    def __init__(self, prompts: PromptStore | Path) -> None:
        self.prompts = prompts if isinstance(prompts, PromptStore) else PromptStore(prompts)
        self.root = self.prompts.root
        self.folder = self.root / KNOWLEDGE_DIR
        self._lock = threading.Lock()
        self._stamp: str | None = None
        self._articles: list[Article] = []
        self._chunks: dict[str, _Chunk] = {}

    def load(self) -> tuple[str, list[Article], dict[str, _Chunk]]:
        """(fingerprint, articles, passages by id), current with the files."""
        knowledge = self.prompts.knowledge()
        with self._lock:
            if knowledge.fingerprint != self._stamp:
                articles = [
                    article
                    for article in (
                        parse_article(rel, text) for rel, text in knowledge.files.items()
                    )
                    if article is not None
                ]
                pieces = {chunk.id: chunk for article in articles for chunk in chunks(article)}
                self._articles, self._chunks = articles, pieces
                self._stamp = knowledge.fingerprint
            return self._stamp, self._articles, self._chunks

    def articles(self, lang: str | None = None) -> list[Article]:
        _, articles, _ = self.load()
        return [a for a in articles if lang is None or a.lang == lang]

    def lang(self, lang: str) -> str:
        """`lang` when articles exist in it, else English."""
        have = {article.lang for article in self.load()[1]}
        if lang in have:
            return lang
        return "en" if "en" in have else lang

    def tip_for(self, kind: str, lang: str) -> Tip | None:
        """The tip of the first article (by file name) that offers one for `kind`."""
        lang = self.lang(lang)
        for article in self.articles(lang):
            if kind in article.tip_for and article.tip:
                return Tip(kind, article.title, article.tip, article.source_file, article.slug)
        return None


class Playbook:
    """The library's passages in the shared Chroma collection `playbook`."""

    def __init__(
        self, index: VectorIndex, prompts: PromptStore | Path, library: Library | None = None
    ) -> None:
        self.index = index
        self.library = library or Library(prompts)
        self._lock = threading.Lock()
        self._indexed: str | None = None

    def refresh(self) -> bool:
        """Update the index when an article changed; True when it was written."""
        stamp, _, pieces = self.library.load()
        with self._lock:
            if stamp == self._indexed:
                return False
            written = False
            if self.index.metadata(COLLECTION).get("fingerprint") != stamp:
                stored = {hit.id for hit in self.index.get(COLLECTION, documents=False)}
                ids = sorted(pieces)
                self.index.upsert(
                    COLLECTION,
                    ids,
                    [pieces[i].embedded for i in ids],
                    [_chunk_metadata(pieces[i]) for i in ids],
                )
                self.index.delete(COLLECTION, sorted(stored - set(ids)))
                self.index.set_metadata(COLLECTION, kind="playbook", fingerprint=stamp)
                written = True
            self._indexed = stamp
            return written

    def articles(self, lang: str | None = None) -> list[Article]:
        return self.library.articles(lang)

    def search(self, topic: str, lang: str, k: int = 3) -> list[Passage]:
        """The passages that best answer `topic`, best first (at most `k`, at most
        PER_ARTICLE from one article, none below MIN_SCORE)."""
        self.refresh()
        lang = self.library.lang(lang)
        query = features(topic)
        _, _, pieces = self.library.load()
        if not topic.strip() or not pieces:
            return []
        pool = [chunk for chunk in pieces.values() if chunk.article.lang == lang]
        if not pool:
            return []
        cosine = {
            hit.id: hit.score
            for hit in _offline.query(
                self.index,
                COLLECTION,
                topic,
                k=POOL,
                where={"lang": lang},
                documents=False,
                metadatas=False,
            )
        }
        idf = _idf(query, pool)
        topics = {slug: features(f"{a.title} {' '.join(a.keywords)}") for slug, a in _by_slug(pool)}
        scored = []
        for chunk in pool:
            lexical = _coverage(query, chunk.features, idf)
            topical = _coverage(query, topics[chunk.article.slug], idf)
            cos = max(0.0, cosine.get(chunk.id, 0.0))
            score = 0.35 * lexical + 0.45 * topical + 0.2 * cos
            if score >= MIN_SCORE:
                scored.append((score, chunk))
        scored.sort(key=lambda item: (-item[0], item[1].id))
        out: list[Passage] = []
        per_article: Counter[str] = Counter()
        for score, chunk in scored:
            if per_article[chunk.article.slug] >= PER_ARTICLE:
                continue
            per_article[chunk.article.slug] += 1
            out.append(
                Passage(
                    title=chunk.article.title,
                    text=chunk.text,
                    source_file=chunk.article.source_file,
                    score=round(score, 4),
                    heading=chunk.heading,
                    slug=chunk.article.slug,
                )
            )
            if len(out) == k:
                break
        return out

    def tip_for(self, kind: str, lang: str) -> Tip | None:
        return self.library.tip_for(kind, lang)


def _by_slug(pool: Sequence[_Chunk]) -> list[tuple[str, Article]]:
    return list({chunk.article.slug: chunk.article for chunk in pool}.items())


def _chunk_metadata(chunk: _Chunk) -> dict[str, str]:
    return {
        "lang": chunk.article.lang,
        "slug": chunk.article.slug,
        "title": chunk.article.title,
        "heading": chunk.heading,
        "source_file": chunk.article.source_file,
    }


def _idf(query: Counter[str], pool: Sequence[_Chunk]) -> dict[str, float]:
    """Rarity of each query feature among the passages. A feature no passage has
    (a typo, or a subject the playbook lacks: "라이브 커머스") counts half the
    rarest, so a topic the articles do not cover finds nothing."""
    n = len(pool)
    found = {}
    for feature in query:
        df = sum(1 for chunk in pool if feature in chunk.features)
        found[feature] = math.log(1 + n / df) if df else UNKNOWN_WEIGHT * math.log(1 + n)
    return found


def _coverage(query: Counter[str], doc: Counter[str], idf: dict[str, float]) -> float:
    """The rarity-weighted share of the query's features found in the passage."""
    total = sum(idf.values())
    if not total:
        return 0.0
    return sum(weight for feature, weight in idf.items() if feature in doc) / total


def search_playbook(
    index: VectorIndex, prompts: PromptStore | Path, topic: str, lang: str, k: int = 3
) -> list[Passage]:
    """One-off search (a long-lived caller keeps a `Playbook`)."""
    return Playbook(index, prompts).search(topic, lang, k)
