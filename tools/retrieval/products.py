"""Product resolution: which of a seller's products a mention names.

Each seller's catalogue is its own Chroma collection `products-<seller_id>`
(name, English name, category, options, SKU), so one seller's products can
never come back for another. `resolve_product` takes the `POOL` products
closest to the mention by embedding (plus any product whose SKU the mention
spells), then re-ranks them lexically:

- every word of the mention scores its best match among a product's words:
  exact 1.0; a number with or without its unit ("350" ~ "350ml") 0.9; the
  start of a word ("텀블" ~ "텀블러") 0.7-1.0; a word with a particle or plural
  ("텀블러는", "mugs") 0.95; a misspelling (Korean compared letter by letter,
  "텀블라" ~ "텀블러") ratio x 0.9; a word glued to the next ("스텐텀블러") is split;
  synonyms from prompts/product_words.yaml ("blue" ~ "블루", "스텐" ~ "스테인리스")
  count x 0.95. Category words count x 0.7, option words x 0.85.
- words no candidate matches at all ("요즘", "어때") are left out;
- recall (how much of the mention a product explains), precision (how much of
  the product's name the mention covers) and the embedding similarity make the
  score: 0.75 R + 0.15 P + 0.10 cos.

The best product is `confident` when it scores at least `MIN_CONFIDENT` and
leads the next one by `MARGIN` (or the mention spells its SKU); otherwise the
close candidates are a "did you mean" list.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from rapidfuzz.distance import Indel
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Product
from storage.vector.index import Hit, VectorIndex
from tools.retrieval import _offline
from tools.retrieval._text import (
    Lexicon,
    codes,
    compact,
    has_digit,
    is_hangul,
    jamo,
    split_number,
    tokens,
)

POOL = 30  # products taken from the embedding search for re-ranking
NOISE = 0.6  # a mention word no candidate matches this well is ignored
MIN_SCORE = 0.45  # below this nothing is named
MIN_CONFIDENT = 0.6
# a number, size, volume, weight or count: shared by many products, never a name
_MEASURE = re.compile(
    r"^\d+(?:[.,]\d+)?(?:ml|l|cc|g|kg|mg|oz|lb|cm|mm|m|inch|gb|tb|mah|w|p|pc|pcs|ea|"
    r"매|장|개|개입|입|팩|포|구|롤|병|봉|캔|박스|인치|호|키로|킬로|리터|미리)?$",
    re.IGNORECASE,
)
MARGIN = 0.05
CANDIDATE_SPREAD = 0.15  # candidates listed: within this of the best
MAX_CANDIDATES = 5
FUZZY_MIN = 0.8
_COUNT_UNITS = frozenset({"p", "pcs", "ea", "입", "개", "개입", "팩", "매", "장", "구", "봉"})
# name words that say how many, not what ("Set of 2", "10 pcs", "25 packs")
_FILLERS = frozenset({"of", "and", "pcs", "pc", "packs", "bags", "pieces"})
# what may follow a product word in a question ("텀블러는", "텀블러랑", "보냉백이요")
_PARTICLES = tuple(
    sorted(
        (
            "은 는 이 가 을 를 의 도 만 로 에 와 과 랑 요 야 나 "
            "이랑 으로 에서 에게 한테 까지 부터 처럼 보다 이요 은요 는요 도요 만요 이나 이야 "
            "인데 는데 이랑은 으로는 에는 이에요 예요"
        ).split(),
        key=len,
        reverse=True,
    )
)
_PARTICLE_SET = frozenset(_PARTICLES)
_WEIGHTS = {"name": 1.0, "sku": 1.0, "options": 0.85, "category": 0.7}


def collection_name(seller_id: int) -> str:
    return f"products-{int(seller_id)}"


class ProductLike(Protocol):
    id: int
    sku: str
    name: str
    name_en: str | None
    category: str | None
    options: str | None


@dataclass(frozen=True, slots=True)
class ProductRef:
    """A product as the index knows it (price and stock live in the database)."""

    id: int
    sku: str
    name: str
    name_en: str | None = None
    category: str | None = None
    options: str | None = None

    def label(self, lang: str = "ko") -> str:
        """The name to show: the English name in English when there is one."""
        return self.name_en if lang == "en" and self.name_en else self.name


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a mention names. `candidates` (best first, with `scores`) are the
    products close enough to offer as "did you mean"."""

    mention: str
    best: ProductRef | None
    candidates: list[ProductRef] = field(default_factory=list)
    confident: bool = False
    scores: list[float] = field(default_factory=list)

    @property
    def ambiguous(self) -> bool:
        return not self.confident and len(self.candidates) > 1


# -- indexing --------------------------------------------------------------------------


def _document(product: ProductLike) -> str:
    parts = (product.name, product.name_en, product.category, product.options, product.sku)
    return " / ".join(part for part in parts if part)


def _fields(product: ProductLike) -> list[tuple[str, str]]:
    """The product's items in the collection: one short text each (the name, the
    English name), so a short mention is close to the name it is made from.
    Category, options and SKU are matched in the re-rank and the SKU lookup."""
    fields = [("n", product.name), ("e", product.name_en or "")]
    return [(suffix, text) for suffix, text in fields if text]


def _metadata(product: ProductLike, document: str) -> dict[str, Any]:
    return {
        "product_id": int(product.id),
        "sku": product.sku,
        "sku_key": compact(product.sku),
        "name": product.name,
        "name_en": product.name_en,
        "category": product.category,
        "options": product.options,
        "digest": zlib.crc32(document.encode("utf-8")),
    }


def _item_ids(product_id: int) -> list[str]:
    return [f"{int(product_id)}:{suffix}" for suffix in "ne"]


def index_products(index: VectorIndex, seller_id: int, products: Iterable[ProductLike]) -> int:
    """Insert or update these products of the seller (e.g. after an edit or an
    import); returns how many products were written."""
    name = collection_name(seller_id)
    ids: list[str] = []
    documents: list[str] = []
    metadatas: list[dict[str, Any]] = []
    stale: list[str] = []
    count = 0
    for product in products:
        count += 1
        metadata = _metadata(product, _document(product))
        present = set()
        for suffix, text in _fields(product):
            item_id = f"{int(product.id)}:{suffix}"
            present.add(item_id)
            ids.append(item_id)
            documents.append(text)
            metadatas.append(metadata)
        stale.extend(item for item in _item_ids(product.id) if item not in present)
    index.upsert(name, ids, documents, metadatas)
    if stale:
        index.delete(name, stale)
    return count


def remove_products(index: VectorIndex, seller_id: int, product_ids: Iterable[int]) -> int:
    wanted = list(product_ids)
    index.delete(collection_name(seller_id), [i for pid in wanted for i in _item_ids(pid)])
    return len(wanted)


@dataclass(frozen=True, slots=True)
class SyncCounts:
    """What a sync changed: items written, items deleted, items already current."""

    written: int
    removed: int
    unchanged: int


def sync_products(index: VectorIndex, session: Session, seller_id: int) -> SyncCounts:
    """Make the seller's product collection match the database: new and changed
    products are embedded, deleted ones removed, unchanged ones left alone."""
    name = collection_name(seller_id)
    rows = session.scalars(select(Product).where(Product.seller_id == seller_id)).all()
    stored: dict[int, object] = {}
    for hit in index.get(name, documents=False):
        stored[int(hit.metadata["product_id"])] = hit.metadata.get("digest")
    changed = []
    for product in rows:
        digest = zlib.crc32(_document(product).encode("utf-8"))
        if stored.get(product.id) != digest:
            changed.append(product)
    written = index_products(index, seller_id, changed)
    gone = set(stored) - {product.id for product in rows}
    removed = remove_products(index, seller_id, sorted(gone))
    index.set_metadata(name, kind="products", seller_id=int(seller_id), synced=True)
    return SyncCounts(written, removed, len(rows) - len(changed))


# -- matching --------------------------------------------------------------------------


def option_values(options: str | None) -> str:
    """The values of an options text without their labels: "색상: 블랙 / 화이트,
    사이즈: M" -> "블랙 / 화이트 M" (a question asking about 색상 names no product)."""
    if not options:
        return ""
    values = []
    for part in re.split(r"[,;\n]", options):
        values.append(part.split(":", 1)[1] if ":" in part else part)
    return " ".join(values)


def name_words(ref: ProductRef) -> frozenset[str]:
    """The words of the product's names (Korean and English)."""
    return frozenset(word for name in _prepare(ref).names for word in name)


def without_product(text: str, ref: ProductRef, lexicon: Lexicon | None = None) -> str:
    """`text` without the words that name `ref` ("유자차 언제 와요" -> "언제 와요"),
    so what is asked is compared, not which product it is asked about."""
    names = name_words(ref)
    lexicon = lexicon or Lexicon()
    kept = []
    for word in tokens(text):
        matched = max((similarity(word, other) for other in names), default=0.0)
        variants = _variants(word, lexicon)
        matched = max(matched, *(0.95 * similarity(v, o) for v in variants for o in names), 0.0)
        if matched < 0.8:
            kept.append(word)
    return " ".join(kept)


def _ref(hit: Hit) -> ProductRef:
    meta = hit.metadata
    return ProductRef(
        id=int(meta["product_id"]),
        sku=str(meta.get("sku", "")),
        name=str(meta.get("name", "")),
        name_en=meta.get("name_en"),
        category=meta.get("category"),
        options=meta.get("options"),
    )


@dataclass(frozen=True, slots=True)
class _Prepared:
    ref: ProductRef
    vocab: tuple[tuple[str, float], ...]  # (word, field weight), best weight per word
    weights: dict[str, float]
    names: tuple[frozenset[str], ...]  # words of the name and of the English name
    sku_key: str
    compact_names: frozenset[str]


@lru_cache(maxsize=20_000)
def _prepare(ref: ProductRef) -> _Prepared:
    weights: dict[str, float] = {}

    def add(text: str | None, weight: float) -> list[str]:
        words = tokens(text or "")
        for word in words:
            weights[word] = max(weights.get(word, 0.0), weight)
        return words

    names = [frozenset(add(ref.name, _WEIGHTS["name"]))]
    if ref.name_en:
        names.append(frozenset(add(ref.name_en, _WEIGHTS["name"])))
    for part in (ref.category or "").replace("·", " ").split():
        add(part, _WEIGHTS["category"])
    add(option_values(ref.options), _WEIGHTS["options"])
    sku_key = compact(ref.sku)
    if sku_key:
        weights[sku_key] = 1.0
    compact_names = frozenset(compact(n) for n in (ref.name, ref.name_en) if n)
    return _Prepared(ref, tuple(weights.items()), weights, tuple(names), sku_key, compact_names)


@lru_cache(maxsize=200_000)
def similarity(word: str, other: str) -> float:
    """How well mention word `word` matches product word `other` (0..1)."""
    if word == other:
        return 1.0
    if has_digit(word) or has_digit(other):
        return _number_similarity(word, other)
    hangul = is_hangul(word)
    if hangul != is_hangul(other):
        return 0.0
    shortest = 2 if hangul else 3
    if len(word) >= shortest and other.startswith(word):
        return 0.7 + 0.3 * len(word) / len(other)
    if len(other) >= shortest and word.startswith(other):
        rest = word[len(other) :]
        if (rest in _PARTICLE_SET) if hangul else len(rest) <= 3:  # 텀블러는, mugs
            return 0.95
    if len(word) >= shortest and len(other) >= shortest:
        a, b = (jamo(word), jamo(other)) if hangul else (word, other)
        ratio = Indel.normalized_similarity(a, b)
        if ratio >= FUZZY_MIN:
            return 0.9 * ratio
    return 0.0


def _number_similarity(word: str, other: str) -> float:
    number, unit = split_number(word)
    other_number, other_unit = split_number(other)
    if not number or not other_number or number != other_number:
        return 0.0
    if not unit or not other_unit:
        return 0.9
    if unit in _COUNT_UNITS and other_unit in _COUNT_UNITS:
        return 0.95
    return 0.0


def _strip_particle(word: str) -> str:
    for particle in _PARTICLES:
        if len(word) > len(particle) + 1 and word.endswith(particle):
            return word[: -len(particle)]
    return word


@dataclass(slots=True)
class _WordMatch:
    score: float
    matched: set[str]


def _best(word: str, product: _Prepared, lexicon: Lexicon) -> _WordMatch:
    if product.weights.get(word) == 1.0:
        return _WordMatch(1.0, {word})
    best = _WordMatch(0.0, set())
    for other, weight in product.vocab:
        score = similarity(word, other) * weight
        if score > best.score:
            best = _WordMatch(score, {other})
    if best.score < 0.95:
        for variant in _variants(word, lexicon):
            for other, weight in product.vocab:
                score = 0.95 * similarity(variant, other) * weight
                if score > best.score:
                    best = _WordMatch(score, {other})
    return best


@lru_cache(maxsize=4096)
def _variants(word: str, lexicon: Lexicon) -> tuple[str, ...]:
    return tuple(sorted(lexicon.variants(word) | lexicon.variants(_strip_particle(word))))


def _match(word: str, product: _Prepared, lexicon: Lexicon, depth: int = 2) -> _WordMatch:
    """The best match of `word`, splitting a long Korean word glued from several."""
    best = _best(word, product, lexicon)
    if depth and best.score < 0.9 and is_hangul(word) and len(word) >= 3:
        for cut in range(1, len(word)):
            head = _best(word[:cut], product, lexicon)
            if head.score < NOISE:
                continue
            tail = _match(word[cut:], product, lexicon, depth - 1)
            score = (cut * head.score + (len(word) - cut) * tail.score) / len(word)
            if score > best.score:
                best = _WordMatch(score, head.matched | tail.matched)
    return best


def _mention_words(mention: str, lexicon: Lexicon) -> list[str]:
    return [word for word in tokens(mention) if word not in lexicon.ignore]


def _precision(name: frozenset[str], matched: set[str]) -> float:
    """The share of the name's words the mention matched; a number the mention
    did not give ("2 pcs" of "Mug Gift Set (2 pcs)") does not count against it."""
    counted = [
        word
        for word in name
        if word in matched or not (has_digit(word) or word in _COUNT_UNITS or word in _FILLERS)
    ]
    if not counted:
        return 0.0
    return sum(1 for word in counted if word in matched) / len(counted)


def _join_split_words(
    words: list[str], products: Sequence[_Prepared], lexicon: Lexicon
) -> list[str]:
    """Join two adjacent Korean words that one product word matches better than
    each alone ("유자 차" -> "유자차", "보냉 백" -> "보냉백")."""

    def best(word: str) -> float:
        return max((_best(word, product, lexicon).score for product in products), default=0.0)

    out: list[str] = []
    for word in words:
        if out and is_hangul(out[-1]) and is_hangul(word):
            joined = out[-1] + word
            if best(joined) >= max(0.9, best(out[-1]), best(word)):
                out[-1] = joined
                continue
        out.append(word)
    return out


def rank(
    mention: str,
    products: Sequence[ProductRef],
    lexicon: Lexicon,
    cosine: dict[int, float] | None = None,
) -> list[tuple[float, ProductRef]]:
    """Score `products` for `mention` (best first)."""
    prepared = [_prepare(product) for product in products]
    words = _join_split_words(_mention_words(mention, lexicon), prepared, lexicon)
    if not words or not prepared:
        return []
    table = [[_match(word, product, lexicon) for word in words] for product in prepared]
    informative = [
        column for column in range(len(words)) if max(row[column].score for row in table) >= NOISE
    ]
    if not any(not _MEASURE.match(words[column]) for column in informative):
        return []  # a bare number or size ("1", "350", "200ml") names nothing by itself
    whole = compact(mention)
    scored = []
    for product, row in zip(prepared, table, strict=True):
        recall = sum(row[column].score for column in informative) / len(informative)
        matched = set().union(*(row[column].matched for column in informative))
        precision = max((_precision(name, matched) for name in product.names), default=0.0)
        cos = max(0.0, min(1.0, (cosine or {}).get(product.ref.id, 0.0)))
        score = 0.75 * recall + 0.15 * precision + 0.10 * cos
        if whole in product.compact_names:
            score += 0.05
        scored.append((round(score, 4), product.ref))
    scored.sort(key=lambda item: (-item[0], item[1].id))
    return scored


def _expanded(mention: str, lexicon: Lexicon) -> str:
    """The mention and the synonyms of its words, for the embedding search."""
    extra = [
        variant for word in _mention_words(mention, lexicon) for variant in _variants(word, lexicon)
    ]
    return " ".join([mention, *extra])


def resolve_product(
    index: VectorIndex, seller_id: int, mention: str, lexicon: Lexicon | None = None
) -> Resolution:
    """Which of the seller's products `mention` names ("그 텀블러", "the blue
    hoodie", "LIF-0003", "스텐텀블러 350")."""
    lexicon = lexicon or Lexicon()
    name = collection_name(seller_id)
    if not mention.strip():
        return Resolution(mention, None)
    pool: dict[int, ProductRef] = {}
    cosine: dict[int, float] = {}
    spelled = [code for code in codes(mention) if code]
    hits = index.get(name, where={"sku_key": {"$in": spelled}}, documents=False) if spelled else []
    for hit in hits:
        ref = _ref(hit)
        pool[ref.id] = ref
    sku_ids = set(pool)
    if len(pool) == 1 and compact(mention) in spelled:
        ref = next(iter(pool.values()))
        return Resolution(mention, ref, [ref], True, [1.0])
    hits = _offline.query(
        index, name, _expanded(mention, lexicon), k=2 * POOL, documents=False, metadatas=False
    )
    for hit in hits:
        product_id = int(hit.id.partition(":")[0])
        if product_id not in cosine and len(cosine) < POOL:
            cosine[product_id] = hit.score
    wanted = [f"{product_id}:n" for product_id in cosine if product_id not in pool]
    for hit in index.get(name, ids=wanted, documents=False):
        ref = _ref(hit)
        pool[ref.id] = ref
    ranked = rank(mention, list(pool.values()), lexicon, cosine)
    if len(sku_ids) == 1:
        # a spelled SKU outranks any name
        ref = pool[next(iter(sku_ids))]
        ranked = [(1.0, ref), *(item for item in ranked if item[1].id != ref.id)]
    return _decide(mention, ranked, sku=len(sku_ids) == 1)


def _decide(mention: str, ranked: list[tuple[float, ProductRef]], *, sku: bool) -> Resolution:
    if not ranked:
        return Resolution(mention, None)
    top_score, top = ranked[0]
    floor = max(MIN_SCORE - CANDIDATE_SPREAD, top_score - CANDIDATE_SPREAD)
    close = [(score, ref) for score, ref in ranked if score >= floor][:MAX_CANDIDATES]
    scores = [score for score, _ in close]
    refs = [ref for _, ref in close]
    if sku:
        return Resolution(mention, top, refs, True, scores)
    if top_score < MIN_SCORE:
        return Resolution(mention, None, refs, False, scores)
    runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
    confident = top_score >= MIN_CONFIDENT and top_score - runner_up >= MARGIN
    return Resolution(mention, top, refs, confident, scores)
