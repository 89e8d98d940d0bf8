"""Korean-aware text matching for on-site search keywords.

Korean shoppers space words freely ("소 포장", "소포장"), so two spellings are the
same keyword when their *compact* forms are equal: NFKC-folded (full-width
letters and digits become ASCII), case-folded, with every space and punctuation
mark removed. A keyword matches a text when

1. its compact form (or a synonym variant of it) is a substring of the text's
   compact form ("소포장" in "사과 소포장 1kg"), or
2. every one of its tokens (split on spaces and punctuation), or a synonym
   variant of each, is a substring of the compact text ("사과 소포장" matches
   "소포장 사과 1kg").

Synonyms are data: groups of interchangeable words in
prompts/keyword_synonyms.yaml, e.g. 소포장 ~ 소용량 ~ small pack. This module does
not read that file: `tools.prompts.PromptStore.keyword_synonyms()` reads it (cached,
reloaded with the rest of prompts/) and callers pass the `Synonyms` in;
`parse_synonyms` turns the parsed YAML into them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_SEPARATORS = re.compile(r"[\W_]+")


def compact(text: str) -> str:
    """The spacing- and case-insensitive form: "소 포장" and "소포장" are both "소포장"."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text).casefold())


def tokens(text: str) -> tuple[str, ...]:
    """The words of `text`, each in compact form, in order, without empties."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return tuple(word for word in _SEPARATORS.split(folded) if word)


@dataclass(frozen=True, slots=True)
class Synonyms:
    """Groups of interchangeable words, each word in compact form."""

    groups: tuple[frozenset[str], ...] = ()

    @classmethod
    def from_groups(cls, groups: Iterable[Iterable[str]]) -> Synonyms:
        built = []
        for group in groups:
            words = frozenset(word for word in (compact(str(item)) for item in group) if word)
            if len(words) > 1:
                built.append(words)
        return cls(tuple(built))

    def variants(self, word: str) -> frozenset[str]:
        """`word` (compact) and every spelling made by swapping one synonym inside it."""
        found = {word}
        for group in self.groups:
            for term in group:
                if term in word:
                    found.update(word.replace(term, other) for other in group)
        return frozenset(found)


def parse_synonyms(data: Any, source: str = "keyword_synonyms.yaml") -> Synonyms:
    """The synonym groups of parsed YAML (`groups: [[소포장, 소용량, ...], ...]`).

    None (a missing or empty file) or anything but a mapping means no synonyms, so
    matching still works on spelling alone; `groups` that is not a list is an error
    (`source` names the file in its message).
    """
    data = data or {}
    groups = data.get("groups", []) if isinstance(data, dict) else []
    if not isinstance(groups, list):
        raise ValueError(f"{source}: 'groups' must be a list of lists of words")
    return Synonyms.from_groups(group for group in groups if isinstance(group, list))


@dataclass(frozen=True, slots=True)
class KeywordMatcher:
    """A keyword prepared once for matching against many product texts.

    `words` holds, for each token of the keyword, the sets of spellings that
    satisfy it: the synonym group of any synonym the token is part of ("small"
    and "pack" are both satisfied by "소용량" when the keyword says "small pack";
    "소" of "소 포장" only by a whole small-pack word, never by "소고기"), else
    its own synonym variants.
    """

    key: str
    whole: frozenset[str]
    words: tuple[tuple[frozenset[str], ...], ...]

    @classmethod
    def build(cls, keyword: str, synonyms: Synonyms | None = None) -> KeywordMatcher:
        table = synonyms or Synonyms()
        key = compact(keyword)
        spans = [
            (found.start(), found.start() + len(term), group)
            for group in table.groups
            for term in group
            for found in re.finditer(re.escape(term), key)
        ]
        words = []
        offset = 0
        for word in tokens(keyword):
            start, stop = offset, offset + len(word)
            offset = stop
            covering = [group for (a, b, group) in spans if a <= start and stop <= b]
            words.append(tuple(covering) if covering else (table.variants(word),))
        return cls(
            key=key,
            whole=table.variants(key) if key else frozenset(),
            words=tuple(words),
        )

    def match(self, fields: Mapping[str, str | None]) -> str | None:
        """The name of the first field the whole keyword is found in; "tokens" when only
        every word is found (across fields); None when the keyword does not match."""
        return self.match_compact({name: compact(value) for name, value in fields.items() if value})

    def match_compact(self, texts: Mapping[str, str]) -> str | None:
        """`match` on texts already in compact form (compact a product list once)."""
        if not self.key:
            return None
        for name, text in texts.items():
            if any(variant in text for variant in self.whole):
                return name
        if len(self.words) > 1 and all(
            any(
                spelling in text
                for spellings in alternatives
                for spelling in spellings
                for text in texts.values()
            )
            for alternatives in self.words
        ):
            return "tokens"
        return None
