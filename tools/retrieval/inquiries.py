"""Customer-inquiry drafts from product facts and the seller's past answers.

Each seller's answered inquiries are the Chroma collection `inquiries-<id>`
(the question embedded; the answer and product in the metadata), so a draft
for one seller never draws on another's answers.

`draft_inquiry` (no language model):

1. finds the product the question names (`resolve_product`, confident only)
   and reads its price, stock and options from the database;
2. finds which facts the question asks for (`InquiryTexts.asked`: the `topics`
   words of prompts/inquiry.<lang>.yaml, any language, read without the product's
   name) and writes those facts with the sentences of that file. A fact answers
   only the attribute it is: the options answer "which options / colours" when
   they are colours, not "how big" of a product sold in colours; a question that
   also asks what no fact holds (a measurement, a discount, an exchange, shipping:
   `measure`, `option_kinds`, `subjects`) is not answered by the facts alone;
3. finds the most similar answered inquiries (embedding similarity and shared
   words, a bonus for the same product; the words read through the `same_meaning`
   and `subjects` of prompts/inquiry.<lang>.yaml, tools.retrieval.meanings, so
   "마음이 바뀌었는데 반품" shares its words with "단순 변심으로 환불", and the past
   questions naming the same meanings join the embedding's); the closest one that
   asked the same thing (`_same_intent`: close enough, REUSE_MIN; holding COVERS_MIN of its
   words; naming the same `subjects`) is reused verbatim unless it names a
   different product, or the facts already answer the question (a past answer
   may be stale where the database is not). Only an answer in the question's
   language (`language_of`) is reused: the closest one in another language is
   left out (`left_out`), never pasted;
4. with neither a fact nor a past answer for all it asks, the draft says the
   seller will check (`knows` is False), after the facts it could state. Nothing
   else is ever written: every sentence is a fact from the database, a past
   answer of this seller, or a fixed sentence.

`sources` lists the past inquiries considered, the reused one first.
"""

from __future__ import annotations

import math
import re
import threading
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import jinja2
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Inquiry, Product
from storage.vector.index import Hit, VectorIndex
from tools.prompts import DEFAULT_FILTERS, PromptStore, normalize_lang
from tools.retrieval import _offline
from tools.retrieval._text import Lexicon, compact, features
from tools.retrieval.meanings import MEANING, Meanings, parse_meanings
from tools.retrieval.products import ProductRef, SyncCounts, resolve_product, without_product

POOL = 10  # past inquiries taken from the embedding search
SOURCES = 3  # past inquiries shown with a draft
REUSE_MIN = 0.4  # a past answer is reused from this similarity on (bench/inquiries.py)
COVERS_MIN = 0.4  # ... when the new question holds this share of the past one's words
SAME_PRODUCT_BONUS = 0.1
SNIPPET = 80
RARITY_SAMPLE = 5_000  # past questions word rarity is estimated from
TOPICS = ("stock", "price", "options")
_HANGUL = re.compile(r"[가-힣]")


def language_of(text: str) -> str:
    """ "ko" for a text with Hangul in it, else "en"."""
    return "ko" if _HANGUL.search(text) else "en"


def collection_name(seller_id: int) -> str:
    return f"inquiries-{int(seller_id)}"


class InquiryLike(Protocol):
    id: int
    question: str
    answer: str | None
    product_id: int | None


@dataclass(frozen=True, slots=True)
class PastInquiry:
    """An answered inquiry of the seller and how similar it is to the new one."""

    id: int
    question: str
    answer: str
    product_id: int | None
    score: float
    covers: float = 1.0  # rarity-weighted share of the past question's words in the new one

    @property
    def snippet(self) -> str:
        text = " ".join(self.question.split())
        return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"


@dataclass(frozen=True, slots=True)
class InquiryDraft:
    """A reply to copy. `facts` are the product's (price, stock, options; empty
    when no product was named); `used` is the past inquiry whose answer the
    draft reuses; `knows` is False when the draft only promises to check;
    `left_out` is the closest past inquiry close enough to reuse but answered in
    another language than the question's (its text is not in the draft)."""

    text: str
    product: ProductRef | None
    facts: dict[str, int | str | None]
    sources: list[PastInquiry]
    knows: bool
    used: int | None = None
    topics: tuple[str, ...] = field(default_factory=tuple)
    left_out: int | None = None


# -- indexing --------------------------------------------------------------------------


def _digest(item: InquiryLike) -> int:
    text = f"{item.question}\x00{item.answer}\x00{item.product_id}"
    return zlib.crc32(text.encode("utf-8"))


ProductNames = Mapping[int, tuple[str, str | None]]


def _asked(question: str, product_id: int | None, names: ProductNames) -> str:
    """What a past question asks, without the name of the product it concerns."""
    if product_id is None or product_id not in names:
        return question
    name, name_en = names[product_id]
    rest = without_product(question, ProductRef(product_id, "", name, name_en))
    return rest or question


def index_inquiries(
    index: VectorIndex,
    seller_id: int,
    inquiries: Iterable[InquiryLike],
    product_names: ProductNames | None = None,
) -> int:
    """Insert or update the answered ones of these inquiries (unanswered ones are
    removed); returns how many were written. With `product_names` (id -> (name,
    English name)) a question is embedded without the name of its product."""
    name = collection_name(seller_id)
    names = product_names or {}
    ids, documents, metadatas, unanswered = [], [], [], []
    for item in inquiries:
        if not item.answer:
            unanswered.append(str(item.id))
            continue
        ids.append(str(item.id))
        documents.append(_asked(item.question, item.product_id, names))
        metadatas.append(
            {
                "inquiry_id": int(item.id),
                "product_id": int(item.product_id) if item.product_id is not None else None,
                "question": item.question,
                "answer": item.answer,
                "digest": _digest(item),
            }
        )
    written = index.upsert(name, ids, documents, metadatas)
    if unanswered:
        index.delete(name, unanswered)
    return written


def sync_inquiries(index: VectorIndex, session: Session, seller_id: int) -> SyncCounts:
    """Make the seller's inquiry collection match the database's answered inquiries."""
    name = collection_name(seller_id)
    rows = session.execute(
        select(Inquiry.id, Inquiry.question, Inquiry.answer, Inquiry.product_id).where(
            Inquiry.seller_id == seller_id, Inquiry.answer.is_not(None)
        )
    ).all()
    stored = {hit.id: hit.metadata.get("digest") for hit in index.get(name, documents=False)}
    changed = [row for row in rows if stored.get(str(row.id)) != _digest(row)]
    names: dict[int, tuple[str, str | None]] = {}
    wanted = {row.product_id for row in changed if row.product_id is not None}
    if wanted:
        names = {
            pid: (name, name_en)
            for pid, name, name_en in session.execute(
                select(Product.id, Product.name, Product.name_en).where(
                    Product.seller_id == seller_id
                )
            )
            if pid in wanted
        }
    written = index_inquiries(index, seller_id, changed, names)
    gone = set(stored) - {str(row.id) for row in rows}
    removed = index.delete(name, sorted(gone))
    index.set_metadata(name, kind="inquiries", seller_id=int(seller_id), synced=True)
    return SyncCounts(written, removed, len(rows) - len(changed))


# -- similar inquiries -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Table:
    """One seller's past questions as read for comparing: how many there were, the
    meanings they were read with, each word's document frequency, the ids of the
    questions naming each meaning (`Meanings` words), and each one's words."""

    size: int
    meanings: Meanings
    df: Counter[str]
    naming: dict[str, list[str]]
    read: dict[str, tuple[str, Counter[str]]]  # id -> (document, its words)

    def words_of(self, hit: Hit) -> Counter[str]:
        """The words of a past question (read once, when the table was built)."""
        document, words = self.read.get(hit.id, ("", Counter()))
        if document != hit.document:
            words = features(self.meanings.normalized(hit.document))
        return words

    def weights(self, query: Mapping[str, int]) -> dict[str, float]:
        """The query's words weighted by their rarity among the past questions."""
        total = self.df["\x00sample"]
        return {word: math.log(1 + (total + 1) / (self.df[word] + 1)) for word in query}

    def naming_most(self, words: Mapping[str, float]) -> list[str]:
        """The ids of up to POOL past questions naming the most of these meaning words
        (weighted: `words`), most first."""
        shared: dict[str, float] = {}
        for word, weight in words.items():
            for item in self.naming.get(word, ()):
                shared[item] = shared.get(item, 0.0) + weight
        return sorted(shared, key=lambda item: -shared[item])[:POOL]


class _Rarity:
    """How rare each word is among one seller's past questions (document
    frequencies over up to RARITY_SAMPLE of them, built on first use and again
    when the collection's size or the meanings change), so "가능한가요" counts less
    than "해외" or "유통기한"; and which past questions name a meaning."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tables: dict[tuple[int, str], _Table] = {}

    def table(self, index: VectorIndex, seller_id: int, meanings: Meanings) -> _Table:
        name = collection_name(seller_id)
        size = index.count(name)
        key = (id(index), name)
        with self._lock:
            table = self._tables.get(key)
            if table is None or table.size != size or table.meanings is not meanings:
                df: Counter[str] = Counter()
                naming: dict[str, list[str]] = {}
                read: dict[str, tuple[str, Counter[str]]] = {}
                sample = index.get(name, metadatas=False, limit=RARITY_SAMPLE)
                for hit in sample:
                    words = features(meanings.normalized(hit.document))
                    read[hit.id] = (hit.document, words)
                    df.update(words.keys())
                    for word in words:
                        if word.startswith(MEANING):
                            naming.setdefault(word, []).append(hit.id)
                df["\x00sample"] = len(sample)
                table = self._tables[key] = _Table(size, meanings, df, naming, read)
        return table


RARITY = _Rarity()
NO_MEANINGS = Meanings()


def _overlap(weights: Mapping[str, float], other: Mapping[str, int]) -> float:
    total = sum(weights.values())
    if not total:
        return 0.0
    return sum(weight for feature, weight in weights.items() if feature in other) / total


def _naming_the_same(
    index: VectorIndex, seller_id: int, asked: str, named: list[str], found: set[str]
) -> list[Hit]:
    """The past questions naming the most of the meanings `asked` names (`named`: the
    ids the rarity table gives, `_Table.naming_most`) that the embedding search did
    not find, scored by the offline embedding's cosine: a paraphrase shares few
    letters with the question the seller answered."""
    ids = [item for item in named if item not in found]
    if not ids:
        return []
    offline = _offline.offline_embedding()
    vector = offline.embed_one(asked)
    return [
        Hit(hit.id, hit.document, hit.metadata, float(offline.embed_one(hit.document) @ vector))
        for hit in index.get(collection_name(seller_id), ids=ids)
    ]


def similar_inquiries(
    index: VectorIndex,
    seller_id: int,
    text: str,
    *,
    k: int = SOURCES,
    product: ProductRef | None = None,
    lexicon: Lexicon | None = None,
    meanings: Meanings | None = None,
) -> list[PastInquiry]:
    """The seller's answered inquiries most like `text`, most similar first:
    0.4 x embedding similarity + 0.6 x rarity-weighted share of the question's
    words they contain, + SAME_PRODUCT_BONUS when they concern `product`; `covers` is
    the other way round (the share of the past question's words the new one holds:
    low when the past question asked something else, 방부제 for 글루텐). Questions are
    compared without their products' names (what is asked, not about what), and with
    `meanings`: the phrases of one meaning are one word ("변심" and "마음이 바뀌"), and
    the past questions naming the same meanings join the embedding search's."""
    if not text.strip():
        return []
    meanings = meanings or NO_MEANINGS
    asked = (without_product(text, product, lexicon) if product else "") or text
    mine = features(meanings.normalized(asked))
    table = RARITY.table(index, seller_id, meanings)
    weights = table.weights(mine)
    hits = _offline.query(index, collection_name(seller_id), asked, k=POOL)
    named = table.naming_most({w: weight for w, weight in weights.items() if w in table.naming})
    hits += _naming_the_same(index, seller_id, asked, named, {hit.id for hit in hits})
    theirs = [table.words_of(hit) for hit in hits]
    their_weights = [table.weights(words) for words in theirs]
    found = []
    for hit, words, their_weight in zip(hits, theirs, their_weights, strict=True):
        meta = hit.metadata
        past_product = meta.get("product_id")
        score = 0.4 * max(0.0, hit.score) + 0.6 * _overlap(weights, words)
        covers = _overlap(their_weight, mine)
        if product is not None and past_product == product.id:
            score += SAME_PRODUCT_BONUS
        found.append(
            PastInquiry(
                id=int(meta.get("inquiry_id", hit.id)),
                question=str(meta.get("question", hit.document)),
                answer=str(meta.get("answer", "")),
                product_id=int(past_product) if past_product is not None else None,
                score=round(min(score, 1.0), 4),
                covers=round(covers, 4),
            )
        )
    same = product.id if product is not None else None
    # scores are capped at 1: among equals, the same product's answer first (its bonus)
    found.sort(key=lambda item: (-item.score, same is None or item.product_id != same, -item.id))
    distinct: list[PastInquiry] = []
    answers: set[str] = set()
    for past in found:
        if compact(past.answer) not in answers:
            answers.add(compact(past.answer))
            distinct.append(past)
    return distinct[:k]


# -- the texts -------------------------------------------------------------------------


class InquiryTexts:
    """prompts/inquiry.<lang>.yaml as the `PromptStore` reads it (fresh on every
    access, reloaded with the rest of prompts/); a folder gets a store of its own."""

    def __init__(self, prompts: PromptStore | Path) -> None:
        self.prompts = prompts if isinstance(prompts, PromptStore) else PromptStore(prompts)
        self._env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
        self._env.filters.update(DEFAULT_FILTERS)  # `money(currency)` among them
        self._compiled: dict[str, jinja2.Template] = {}  # by source: the files' few sentences
        self._meanings: tuple[tuple[Any, ...], Meanings] = ((), NO_MEANINGS)

    @property
    def root(self) -> Path:
        return self.prompts.root

    def data(self, lang: str) -> dict[str, Any]:
        """The language's file (English when it has none), parsed."""
        return self.prompts.inquiry_texts(lang)

    def say(self, lang: str, key: str, **params: Any) -> str:
        value: Any = self.data(lang)
        for part in key.split("."):
            value = value[part]
        source = str(value)
        template = self._compiled.get(source)
        if template is None:
            template = self._compiled[source] = self._env.from_string(source)
        return template.render(**params).strip()

    def meanings(self) -> Meanings:
        """The `same_meaning` groups of every language's file, compiled again only when
        a file changed (the store hands out the same parsed data until then)."""
        files: list[dict[str, Any] | None] = []
        for lang in ("ko", "en"):
            try:
                files.append(self.data(lang))
            except FileNotFoundError:
                files.append(None)
        seen, compiled = self._meanings
        if len(seen) != len(files) or any(a is not b for a, b in zip(seen, files, strict=True)):
            compiled = parse_meanings(*files)
            self._meanings = (tuple(files), compiled)
        return compiled

    def opens_or_closes(self, lang: str, text: str, key: str, *, start: bool) -> bool:
        """Whether `text` starts (or ends) with one of the words listed under `key`."""
        squeezed = compact(text)
        if not squeezed:
            return False
        for word in self.data(lang).get(key, []):
            word = compact(str(word))
            if word and (squeezed.startswith(word) if start else squeezed.endswith(word)):
                return True
        return False

    def words(self, *keys: str) -> list[str]:
        """The words of the list under `keys` (a path: "topics", "price") in every
        language's file, compacted."""
        found: list[str] = []
        for lang in ("ko", "en"):
            try:
                value: Any = self.data(lang)
            except FileNotFoundError:
                continue
            for key in keys:
                value = value.get(key, {}) if isinstance(value, dict) else {}
            found.extend(compact(str(word)) for word in value or [] if compact(str(word)))
        return found

    def topics(self, text: str) -> tuple[str, ...]:
        """The topics (stock, price, options) whose words appear in `text` (an
        option kind's word counts as options), in any language's file."""
        squeezed = compact(text)
        asked = []
        for topic in TOPICS:
            words = self.words("topics", topic)
            if topic == "options":
                words += [w for kind in self._kinds() for w in self.words("option_kinds", kind)]
            if any(word in squeezed for word in words):
                asked.append(topic)
        return tuple(asked)

    def _kinds(self) -> list[str]:
        """The option kinds (color, size ...) named in any language's file."""
        kinds: dict[str, None] = {}
        for lang in ("ko", "en"):
            try:
                kinds.update(dict.fromkeys(self.data(lang).get("option_kinds", {})))
            except FileNotFoundError:
                continue
        return list(kinds)

    def asked(self, text: str, options: str | None) -> tuple[tuple[str, ...], bool]:
        """Which facts (stock, price, options) answer `text`, and whether it also
        asks something no fact holds (`beyond`): an option kind its options are not
        of (a size of a product sold in colours), a measurement, or a subject
        (discount, exchange, shipping ...; the words of prompts/inquiry.<lang>.yaml).
        The options answer a question naming options in general or their own kind
        (their label, "색상" of "색상: 블랙 / 화이트")."""
        squeezed = compact(text)
        label = compact(options.split(":", 1)[0]) if options and ":" in options else ""
        topics = [
            topic
            for topic in ("stock", "price")
            if any(word in squeezed for word in self.words("topics", topic))
        ]
        general = any(word in squeezed for word in self.words("topics", "options"))
        measured = any(word in squeezed for word in self.words("measure"))
        beyond = measured
        covered: list[str] = []  # words of the kinds the options answer
        for kind in self._kinds():
            words = self.words("option_kinds", kind)
            if not any(word in squeezed for word in words):
                continue
            if label in words and not measured:
                covered.extend(words)
                general = True
            else:
                beyond = True
        if general:
            topics.append("options")
        rest = squeezed
        for word in covered:
            rest = rest.replace(word, "")
        if self.subjects(rest):
            beyond = True
        return tuple(topics), beyond

    def options_in(self, lang: str, options: str, lexicon: Lexicon | None) -> str | None:
        """A product's options ("색상: 블랙 / 화이트") in `lang`: the label named by
        `option_labels` for its kind, every value by its Latin-letter word of the
        lexicon (prompts/product_words.yaml: 블랙 -> black) or as written when it has
        no Korean ("M", "500ml"). None when a word has no translation: the Korean
        text is then not pasted (tools.inquiries.drafting lists it for checking)."""
        label, _, values = options.rpartition(":")
        words = [value.strip() for value in values.split("/")]
        translated = [_latin(word, lexicon) for word in words]
        if not all(translated):
            return None
        text = " / ".join(word for word in translated if word)
        if not label.strip():
            return text
        kind = next(
            (k for k in self._kinds() if compact(label) in self.words("option_kinds", k)), None
        )
        name = self.data(lang).get("option_labels", {}).get(kind) if kind else None
        return f"{name}: {text}" if name else None

    def subjects(self, text: str) -> frozenset[str]:
        """The subjects no fact holds (the keys under `subjects`: discount, refund,
        shipping ...) that `text` names, in any language's file."""
        squeezed = compact(text)
        found = set()
        for lang in ("ko", "en"):
            try:
                groups = self.data(lang).get("subjects", {})
            except FileNotFoundError:
                continue
            for key, words in groups.items():
                if any(compact(str(word)) and compact(str(word)) in squeezed for word in words):
                    found.add(str(key))
        return frozenset(found)


# -- drafting --------------------------------------------------------------------------


def _latin(word: str, lexicon: Lexicon | None) -> str | None:
    """`word` without Korean: itself when it has none, else its lexicon variant
    written in Latin letters (the alphabetically first of several), else None."""
    if not _HANGUL.search(word):
        return word
    latin = sorted(v for v in (lexicon or Lexicon()).variants(compact(word)) if v.isascii())
    return latin[0] if latin else None


def _facts(product: Product) -> dict[str, int | str | None]:
    return {
        "name": product.name,
        "price": int(product.price),
        "stock": None if product.stock is None else int(product.stock),
        "options": product.options,
    }


def _fact_lines(
    texts: InquiryTexts,
    lang: str,
    topics: tuple[str, ...],
    product: Product,
    currency: str,
    lexicon: Lexicon | None = None,
) -> list[str]:
    label = product.name_en if lang == "en" and product.name_en else product.name
    lines = []
    for topic in topics:
        if topic == "price":
            lines.append(
                texts.say(
                    lang, "facts.price", product=label, price=product.price, currency=currency
                )
            )
        elif topic == "stock" and product.stock is not None:  # unknown: no claim
            key = "facts.in_stock" if product.stock > 0 else "facts.out_of_stock"
            lines.append(texts.say(lang, key, product=label, stock=product.stock))
        elif topic == "options":
            if product.options:
                options = product.options
                if lang != "ko":
                    options = texts.options_in(lang, options, lexicon) or options
                lines.append(texts.say(lang, "facts.options", product=label, options=options))
            else:
                lines.append(texts.say(lang, "facts.no_options", product=label))
    return lines


def _names_other_product(
    past: PastInquiry, product_id: int | None, names: Mapping[int, tuple[str, ...]]
) -> bool:
    """Whether the past answer names its own product, which is not this one."""
    if past.product_id is None or past.product_id == product_id:
        return False
    answer = compact(past.answer)
    return any(compact(name) in answer for name in names.get(past.product_id, ()) if name)


def _same_intent(
    past: PastInquiry, question: str, subjects: frozenset[str], texts: InquiryTexts
) -> bool:
    """Whether `past` asked what `question` asks: in one language, the new question
    holds COVERS_MIN of the past one's words (weighted by rarity), and when both name
    subjects no fact holds (discount, refund, shipping, preservatives ...) they name
    the same ones: "제주 배송 가능한가요?" is not "선물 포장 가능한가요?", nor
    "글루텐 들어가나요?" "방부제 들어가나요?"."""
    if language_of(past.question) == language_of(question) and past.covers < COVERS_MIN:
        return False
    theirs = texts.subjects(past.question)
    return not subjects or not theirs or theirs == subjects


def draft_inquiry(
    index: VectorIndex,
    session: Session,
    seller_id: int,
    inquiry_text: str,
    lang: str,
    *,
    texts: InquiryTexts,
    lexicon: Lexicon | None = None,
    currency: str = "KRW",
) -> InquiryDraft:
    """A draft reply to `inquiry_text` for the seller (see the module docstring)."""
    lang = normalize_lang(lang)
    resolution = resolve_product(index, seller_id, inquiry_text, lexicon)
    ref = resolution.best if resolution.confident else None
    product = session.get(Product, ref.id) if ref is not None else None
    if product is not None and product.seller_id != seller_id:
        product, ref = None, None
    asked_text = (without_product(inquiry_text, ref, lexicon) if ref else "") or inquiry_text
    topics, beyond = texts.asked(asked_text, product.options if product else None)
    facts = _facts(product) if product is not None else {}
    fact_lines = _fact_lines(texts, lang, topics, product, currency, lexicon) if product else []

    sources = similar_inquiries(
        index,
        seller_id,
        inquiry_text,
        k=SOURCES,
        product=ref,
        lexicon=lexicon,
        meanings=texts.meanings(),
    )
    product_ids = {past.product_id for past in sources if past.product_id is not None}
    names: dict[int, tuple[str, ...]] = {}
    if product_ids:
        for pid, name, name_en in session.execute(
            select(Product.id, Product.name, Product.name_en).where(
                Product.id.in_(product_ids), Product.seller_id == seller_id
            )
        ):
            names[pid] = (name, name_en or "")
    answered_by_facts = bool(topics) and product is not None and not beyond
    wanted = texts.subjects(asked_text)
    reused = left_out = None
    if not answered_by_facts:
        for past in sources:
            if past.score < REUSE_MIN:
                break
            if not _same_intent(past, inquiry_text, wanted, texts):
                continue
            if _names_other_product(past, product.id if product else None, names):
                continue
            if language_of(past.answer) == lang:
                reused = past
                break
            left_out = left_out or past
    if reused is not None:
        sources = [reused, *(past for past in sources if past.id != reused.id)]

    knows = (bool(fact_lines) and not beyond) or reused is not None
    answer = reused.answer.strip() if reused is not None else ""
    parts = []
    if not texts.opens_or_closes(lang, answer, "greeting_words", start=True):
        parts.append(texts.say(lang, "greeting"))
    parts.extend(fact_lines)
    parts.append(answer)
    if not knows:
        parts.append(texts.say(lang, "unknown"))
    if not texts.opens_or_closes(lang, answer, "closing_words", start=False):
        parts.append(texts.say(lang, "closing"))
    return InquiryDraft(
        text="\n".join(part for part in parts if part),
        product=ref,
        facts=facts,
        sources=sources,
        knows=knows,
        used=reused.id if reused else None,
        topics=topics,
        left_out=left_out.id if left_out is not None and reused is None else None,
    )
