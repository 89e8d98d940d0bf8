"""Finding the product or campaign a question names.

A question names an item when parts of it match the item's name, English name
or SKU, in either direction and without regard to spacing:

- an item word inside the question ("딸기잼" in "딸기잼요즘어때", "bag" in "drip bags"),
- a question word inside the item's name ("고구마" in "꿀고구마 3kg", "humid" in
  "Mini Humidifier"),
- a misspelt word close to an item word ("humidifer", "텀블로", compared letter by
  letter, Korean split into jamo).

Each item scores the number of question characters it covers; the best item
wins, and several items with the best score are ambiguous ("텀블러" covers both
tumblers equally; "보온 텀블러" covers the thermal one more). Words every
question uses (those of the example questions, "상품", "set") never count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from tools.router._text import Folded, compact, fold, has_hangul, jamo, words

# Words too common in product and campaign names to identify one.
GENERIC_WORDS = frozenset(
    "상품 제품 세트 선물 종류 개입 set sets pack packs piece pieces gift product products item "
    "items mini the and for with".split()
)
_COUNT = re.compile(r"^\d+(개|명|위|건|번|가지|등|배|퍼센트|프로|시|분|일|주|달|개월|년|원|만원)?$")
_MIN_FUZZY = {"latin": 86, "hangul": 80}
# A size, volume, weight or count ("200ml", "1.5l", "3kg", "30매", "10개입"): many
# products share one, so it picks among products already named but never names one.
_MEASURE = re.compile(
    r"^\d+(?:[.,]\d+)?(?:ml|l|cc|g|kg|mg|oz|lb|cm|mm|m|inch|gb|tb|mah|w|p|pc|pcs|ea|"
    r"매|장|개|개입|입|팩|포|구|롤|병|봉|캔|박스|인치|호)?$"
)


@dataclass(frozen=True, slots=True)
class Named:
    """An item to find: its id, its names (any language) and an optional code."""

    id: int
    names: tuple[str, ...]
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    """What a question names: the best items (one, or several when ambiguous)."""

    ids: tuple[int, ...]
    covered: int
    span: tuple[int, int]  # in the original question
    text: str  # the question's words for it
    exact: bool  # a full name or code matched
    sized_only: bool = False
    """Only a size, volume or count matched ("200ml"): many products share one."""

    @property
    def ambiguous(self) -> bool:
        return len(self.ids) > 1


@dataclass(frozen=True, slots=True)
class _Alias:
    text: str  # compact
    latin: bool
    whole: bool  # a full name or the code


@dataclass(frozen=True, slots=True)
class _Item:
    id: int
    aliases: tuple[_Alias, ...]
    compact_names: tuple[str, ...]
    tokens: tuple[str, ...]  # folded words of the names, for prefix and fuzzy matching


def _is_latin(text: str) -> bool:
    return bool(text) and not has_hangul(text)


class NameIndex:
    """Items prepared once for matching many questions."""

    def __init__(
        self,
        items: Iterable[Named],
        *,
        common_words: Iterable[str] = (),
        synonyms: Iterable[frozenset[str]] = (),
    ) -> None:
        self.generic = GENERIC_WORDS | frozenset(compact(w) for w in common_words)
        groups = [group for group in synonyms if len(group) > 1]
        self.items: list[_Item] = []
        self.labels: dict[int, str] = {}
        for item in items:
            self.labels[item.id] = item.names[0]
            aliases: list[_Alias] = []
            tokens: list[str] = []
            compact_names: list[str] = []
            for name in item.names:
                whole = compact(name)
                if whole:
                    compact_names.append(whole)
                    aliases.append(_Alias(whole, _is_latin(whole), True))
                for word in words(fold(name)):
                    token = word.text
                    if token not in self.generic:
                        tokens.append(token)
                    if self._usable_token(token):
                        aliases.append(_Alias(token, _is_latin(token), False))
                        for variant in _variants(token, groups):
                            if self._usable_token(variant):
                                aliases.append(_Alias(variant, _is_latin(variant), False))
            if item.code:
                code = compact(item.code)
                if len(code) >= 3:
                    aliases.append(_Alias(code, _is_latin(code), True))
                    compact_names.append(code)
            self.items.append(
                _Item(item.id, tuple(dict.fromkeys(aliases)), tuple(compact_names), tuple(tokens))
            )

    def _usable_token(self, token: str) -> bool:
        if token in self.generic or _COUNT.match(token):
            return False
        if has_hangul(token):
            return len(token) >= 2
        return len(token) >= 3 or (len(token) >= 2 and any(c.isdigit() for c in token))

    def label(self, item_id: int) -> str:
        return self.labels.get(item_id, str(item_id))

    def find(self, question: Folded, *, skip: Sequence[tuple[int, int]] = ()) -> Mention | None:
        """The items `question` names, ignoring original-text spans in `skip`."""
        text = question.text
        keep = [
            i
            for i, char in enumerate(text)
            if char.isalnum() and not any(a <= question.origin[i] < b for a, b in skip)
        ]
        squeezed = "".join(text[i] for i in keep)
        if not squeezed:
            return None
        covered: dict[int, set[int]] = {}
        exact: set[int] = set()
        named: set[int] = set()  # matched by more than a size
        for item in self.items:
            hits: set[int] = set()
            for alias in item.aliases:
                for start in _occurrences(squeezed, alias.text):
                    at = keep[start]
                    if not _aligned(text, at, alias.text):
                        continue
                    hits.update(range(start, start + len(alias.text)))
                    if alias.whole:
                        exact.add(item.id)
                    if alias.whole or not _MEASURE.match(alias.text):
                        named.add(item.id)
            if hits:
                covered[item.id] = hits
        index_of = {folded_index: i for i, folded_index in enumerate(keep)}  # text -> squeezed
        self._forward(text, index_of, skip, question, covered, named)
        self._numbers(text, index_of, skip, question, covered)
        if not covered:
            return None
        sized_only = not named
        if named:  # a size alone never outweighs a name
            covered = {item_id: hits for item_id, hits in covered.items() if item_id in named}
        best = max(len(hits) for hits in covered.values())
        if best < 2:
            return None
        ids = tuple(item.id for item in self.items if len(covered.get(item.id, ())) == best)
        exact_ids = tuple(i for i in ids if i in exact)
        if len(ids) > 1 and len(exact_ids) == 1:
            ids = exact_ids
        if len(ids) > 1:
            ids = self._by_syllable(text, index_of, skip, question, ids, covered)
        positions = sorted(set().union(*(covered[i] for i in ids)))
        start, end = keep[positions[0]], keep[positions[-1]] + 1
        span = question.span(start, end)
        return Mention(
            ids=ids,
            covered=best,
            span=span,
            text=text[start:end],
            exact=bool(set(ids) & exact),
            sized_only=sized_only,
        )

    def _by_syllable(
        self,
        text: str,
        index_of: dict[int, int],
        skip: Sequence[tuple[int, int]],
        question: Folded,
        ids: tuple[int, ...],
        covered: dict[int, set[int]],
    ) -> tuple[int, ...]:
        """Among equally named items, the one with a one-syllable word of the question as
        a word of its name ("도마 소": 원목 도마 소, not 대; "꿀 선물세트": the honey
        one), that word then part of its mention. Too short to name an item alone,
        such a word still tells two apart."""
        syllables = {
            word.stem: index_of[word.start]
            for word in words(text)
            if len(word.stem) == 1
            and has_hangul(word.stem)
            and word.stem not in self.generic
            and word.start in index_of
            and not _COUNTED.search(text[: word.start])  # "몇 대", "3 개": a counter
            and not any(a <= question.origin[word.start] < b for a, b in skip)
        }
        if not syllables:
            return ids
        names = {item.id: set(item.tokens) for item in self.items if item.id in ids}
        counts = {item_id: len(syllables.keys() & names[item_id]) for item_id in ids}
        best = max(counts.values())
        chosen = [item_id for item_id in ids if counts[item_id] == best]
        if best == 0 or len(chosen) > 1:
            return ids
        [item_id] = chosen
        covered[item_id].update(at for word, at in syllables.items() if word in names[item_id])
        return (item_id,)

    def _forward(
        self,
        text: str,
        index_of: dict[int, int],
        skip: Sequence[tuple[int, int]],
        question: Folded,
        covered: dict[int, set[int]],
        named: set[int],
    ) -> None:
        """Question words inside item names, exactly or nearly (a size is not a name)."""
        for word in words(text):
            if any(a <= question.origin[word.start] < b for a, b in skip):
                continue
            stem = word.stem
            if stem in self.generic or word.text in self.generic or _COUNT.match(stem):
                continue
            positions = [
                index_of[i] for i in range(word.start, word.start + len(stem)) if i in index_of
            ]
            if len(positions) != len(stem) or len(stem) < 2:
                continue
            latin = _is_latin(stem)
            if latin and len(stem) < 3:
                continue
            for item in self.items:
                hits = covered.get(item.id, set())
                if set(positions) <= hits:
                    continue
                if latin:
                    found = any(token.startswith(stem) for token in item.tokens if _is_latin(token))
                else:
                    found = any(stem in name for name in item.compact_names)
                if not found and len(stem) >= (5 if latin else 3) and not _has_digit(stem):
                    found = _near(stem, item.tokens, latin)
                if found:
                    covered.setdefault(item.id, set()).update(positions)
                    if not _MEASURE.match(stem):
                        named.add(item.id)

    def _numbers(
        self,
        text: str,
        index_of: dict[int, int],
        skip: Sequence[tuple[int, int]],
        question: Folded,
        covered: dict[int, set[int]],
    ) -> None:
        """A number picks the size of an item already named: "텀블러 500" -> 500ml,
        "수세미 5개" -> the 5-pack."""
        for match in re.finditer(r"(?<![\d.])(\d{1,5})(?![\d.])", text):
            if any(a <= question.origin[match.start()] < b for a, b in skip):
                continue
            digits = match.group(1)
            positions = {index_of[i] for i in range(match.start(), match.end()) if i in index_of}
            for item in self.items:
                hits = covered.get(item.id)
                if hits and any(re.match(rf"{digits}(?!\d)", t) for t in item.tokens):
                    hits.update(positions)

    def suggest(self, text: str, *, limit: int = 3, cutoff: float = 55.0) -> list[int]:
        """Items whose names look like `text` (for "did you mean"), best first."""
        query = compact(text)
        if len(query) < 2:
            return []
        scored: list[tuple[float, int]] = []
        for item in self.items:
            best = 0.0
            for name in item.compact_names:
                a, b = (jamo(query), jamo(name)) if has_hangul(query + name) else (query, name)
                best = max(best, fuzz.WRatio(a, b))
            scored.append((best, item.id))
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        return [item_id for score, item_id in scored[:limit] if score >= cutoff]


_COUNTED = re.compile(r"(?:\d|몇|한|두|세|네)\s*$")


def _variants(token: str, groups: Sequence[frozenset[str]]) -> set[str]:
    """Spellings of `token` with one synonym swapped: "스테인리스" -> "스텐", "stainless"."""
    found: set[str] = set()
    for group in groups:
        for word in group:
            if word and word in token:
                found.update(token.replace(word, other) for other in group if other != word)
    found.discard(token)
    return found


def _occurrences(haystack: str, needle: str) -> Iterable[int]:
    start = haystack.find(needle)
    while start >= 0:
        yield start
        start = haystack.find(needle, start + 1)


def _aligned(text: str, at: int, alias: str) -> bool:
    """A Latin or numeric alias must start a word ("bag" in "drip bags", not "jam" in
    "pajamas"); a number must not continue another number ("5kg" is not in "15kg")."""
    if at == 0:
        return True
    before = text[at - 1]
    if alias[0].isdigit():
        return not before.isdigit()
    if alias[0].isascii() and alias[0].isalpha():
        return not (before.isascii() and before.isalpha())
    return True


def _has_digit(text: str) -> bool:
    return any(char.isdigit() for char in text)


def _near(stem: str, tokens: Sequence[str], latin: bool) -> bool:
    pool = [t for t in tokens if _is_latin(t) == latin and len(t) >= 3 and not _has_digit(t)]
    if not pool:
        return False
    if latin:
        found = process.extractOne(stem, pool, scorer=fuzz.ratio, score_cutoff=_MIN_FUZZY["latin"])
    else:
        found = process.extractOne(
            jamo(stem),
            [jamo(t) for t in pool],
            scorer=fuzz.ratio,
            score_cutoff=_MIN_FUZZY["hangul"],
        )
    return found is not None
