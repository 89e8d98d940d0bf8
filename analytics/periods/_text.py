"""Question text made easy to match: width-folded, lower-cased, dashes unified,
and misspelt English period words corrected, with a map back to the original
characters so a match can be located in the question."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

_DASHES = {"–": "-", "—": "-", "‐": "-", "−": "-", "〜": "~", "∼": "~", "’": "'", "‘": "'"}

# English words the rules rely on, corrected when misspelt by one edit
# (two for long words); short and ambiguous words (march, may, last, this) are
# never targets, so "match" does not become March.
_VOCABULARY = (
    "today",
    "yesterday",
    "tomorrow",
    "weeks",
    "month",
    "months",
    "years",
    "weekend",
    "previous",
    "quarter",
    "since",
    "until",
    "through",
    "between",
    "january",
    "february",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_KNOWN_WORDS = frozenset(_VOCABULARY) | {
    "mouth",
    "match",
    "yearly",
    "weekly",
    "monthly",
    "weekday",
    "weekdays",
    "quarters",
    "weekends",
    "sundays",
    "mondays",
    "fridays",
    "total",
    "totals",
    "tears",
    "wears",
}


def _correct(word: str) -> str:
    if len(word) < 5 or word in _KNOWN_WORDS:
        return word
    limit = 1 if len(word) < 8 else 2
    best = process.extractOne(
        word, _VOCABULARY, scorer=DamerauLevenshtein.distance, score_cutoff=limit
    )
    return best[0] if best is not None else word


def normalise(text: str) -> tuple[str, list[int]]:
    """Lower-cased, width-folded text with misspelt period words corrected, and
    for every character the index of the character of `text` it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for folded in unicodedata.normalize("NFKC", _DASHES.get(char, char)).lower():
            chars.append(folded)
            origin.append(index)
    folded_text = "".join(chars)
    out: list[str] = []
    out_origin: list[int] = []
    position = 0
    for match in re.finditer(r"[a-z]+", folded_text):
        out.extend(chars[position : match.start()])
        out_origin.extend(origin[position : match.start()])
        word = _correct(match.group())
        span_origin = origin[match.start() : match.end()]
        out.extend(word)
        out_origin.extend(span_origin[min(i, len(span_origin) - 1)] for i in range(len(word)))
        position = match.end()
    out.extend(chars[position:])
    out_origin.extend(origin[position:])
    return "".join(out), out_origin
