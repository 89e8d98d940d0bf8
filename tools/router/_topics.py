"""Topics the store data does not hold (prompts/unsupported.yaml), found in a question.

A topic is recognised by any one of its words on its own, so "배송 지연 몇 건?",
"택배사별로 늦은 주문" and "any late deliveries last week?" all name shipping
without being listed as sentences:

- a Korean word matches at the start of a word of the question, spacing-insensitive
  ("배송이 늦어", "택배사"); a word written with a leading * matches inside a word
  too ("상품리뷰"); a word of three or more syllables also matches one wrong letter
  ("텍배사", compared in jamo);
- an English word or phrase matches whole words, with a plural ending ("reviews",
  "page views"); a misspelt word (one letter off, at least 6 letters) counts only
  through `find_misspelt` (the router asks it about the words no tool uses);
- a topic's `not` words cover matches that mean something the data holds
  ("내일배송" is a delivery promise in a product name, not a shipping question).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from tools.prompts import UnsupportedTopic
from tools.router._text import compact, fold, has_hangul, jamo, strip_particle, words

MIN_LOOSE_LATIN = 6  # letters of a word matched with one wrong letter
MIN_LOOSE_HANGUL = 3  # syllables


@dataclass(frozen=True, slots=True)
class _Korean:
    topic: str
    text: str  # compact
    anywhere: bool


@dataclass(frozen=True, slots=True)
class _Latin:
    topic: str
    pattern: re.Pattern[str]
    word: str | None  # a single word, for misspellings


class TopicIndex:
    """The words of every topic, ready to search many questions."""

    def __init__(self, topics: Iterable[UnsupportedTopic]) -> None:
        self.korean: list[_Korean] = []
        self.latin: list[_Latin] = []
        self.exceptions: list[str] = []
        for topic in topics:
            for raw in topic.words:
                anywhere = raw.startswith("*")
                word = raw.lstrip("*").strip()
                if not word:
                    continue
                if has_hangul(word):
                    text = compact(word)
                    if text:
                        self.korean.append(_Korean(topic.name, text, anywhere))
                    continue
                parts = [re.escape(part) for part in fold(word).split() if part]
                if not parts:
                    continue
                pattern = re.compile(
                    r"(?<![a-z0-9])" + r"[\s-]*".join(parts) + r"(?:s|es)?(?![a-z0-9])"
                )
                single = parts[0] if len(parts) == 1 and len(parts[0]) >= MIN_LOOSE_LATIN else None
                self.latin.append(_Latin(topic.name, pattern, single))
            self.exceptions.extend(w for w in (compact(e) for e in topic.exceptions) if w)

    def find(self, text: str) -> str | None:
        """The name of the first topic `text` names, or None."""
        folded = fold(text)
        return self._korean(folded) or self._latin(folded)

    def find_misspelt(self, text: str) -> str | None:
        """The topic a misspelt word of `text` names ("reveiws", "텍배사"), or None."""
        return self._misspelt(fold(text)) if text else None

    def _korean(self, folded: str) -> str | None:
        squeezed = ""
        starts: set[int] = set()
        for word in words(folded):
            starts.add(len(squeezed))
            squeezed += word.text
        covered = [
            (at, at + len(exception))
            for exception in self.exceptions
            for at in _occurrences(squeezed, exception)
        ]
        for entry in self.korean:
            for at in _occurrences(squeezed, entry.text):
                if not (entry.anywhere or at in starts):
                    continue
                if any(a <= at and at + len(entry.text) <= b for a, b in covered):
                    continue
                return entry.topic
        return None

    def _latin(self, folded: str) -> str | None:
        for entry in self.latin:
            if entry.pattern.search(folded):
                return entry.topic
        return None

    def _misspelt(self, folded: str) -> str | None:
        asked = words(folded)
        for word in asked:
            stem = strip_particle(word.text)
            if has_hangul(stem):
                if len(stem) < MIN_LOOSE_HANGUL:
                    continue
                for entry in self.korean:
                    size = len(entry.text)
                    if size >= MIN_LOOSE_HANGUL and len(stem) >= size:
                        if OSA.distance(jamo(stem[:size]), jamo(entry.text)) <= 1:
                            return entry.topic
                continue
            if len(stem) < MIN_LOOSE_LATIN or not stem.isalpha():
                continue
            for latin in self.latin:
                if latin.word is not None and OSA.distance(stem, latin.word) <= 1:
                    return latin.topic
        return None


def _occurrences(haystack: str, needle: str) -> Iterable[int]:
    start = haystack.find(needle)
    while start >= 0:
        yield start
        start = haystack.find(needle, start + 1)
