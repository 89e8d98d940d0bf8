"""Words of the same meaning in customer questions, so a question the seller answered
before matches when it is asked in other words ("배송 기간 얼마나 걸려요?" and "오늘
주문하면 언제 받을 수 있나요?"; "마음이 바뀌었는데 반품" and "단순 변심으로 환불").

The groups are data: `same_meaning` of prompts/inquiry.<lang>.yaml (a key, the
phrases meaning it), then its `subjects` (파손 / 깨진 / 찌그러: damage); `filler`:
phrases that ask without saying what (알려주세요, 궁금해요). `Meanings.normalized` writes each phrase found in a question (without
regard to spacing, with the rest of its word: "반품할" is 반품) as one word for its
group, and leaves the filler out, so two questions about the same subject share
that word when their words differ (tools.retrieval.inquiries also looks up the past
questions naming the same meanings, which an embedding of the letters misses).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tools.router._text import fold

MEANING = "meaning"  # how a group's word starts ("meaningrefund")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_KEY = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class Meanings:
    """The `same_meaning` groups compiled: one pattern with a named group per phrase
    (longest first, so "배송비" is not read as "배송") and each phrase's group word
    ("" for filler)."""

    pattern: re.Pattern[str] | None = None
    words: dict[str, str] = field(default_factory=dict)  # regex group name -> group word

    def normalized(self, text: str) -> str:
        """`text` folded, each phrase of a group (and the rest of its word) replaced by
        the group's word ("마음이 바뀌었는데 반품할 수" -> " meaningchangeofmind  meaningrefund  수")."""
        folded = fold(text)
        if self.pattern is None:
            return folded
        return self.pattern.sub(lambda found: f" {self.words[found.lastgroup or '']} ", folded)


def parse_meanings(*files: Any) -> Meanings:
    """The `same_meaning` mappings, `filler` lists and `subjects` (a subject's words
    mean it too, unless a phrase is already in a `same_meaning` group) of these parsed
    files (None: no file) as one `Meanings`; a key in several files is one group."""
    groups: dict[str, dict[str, None]] = {}
    seen: set[str] = set()
    for section in ("same_meaning", "filler", "subjects"):
        for data in files:
            found = (data or {}).get(section) or {}
            if section == "filler":
                found = {"": found}
            if not isinstance(found, dict):
                raise ValueError(f"{section}: expected a mapping of a key to its phrases")
            for key, phrases in found.items():
                word = MEANING + _KEY.sub("", str(key)).lower() if key else ""
                for phrase in phrases or []:
                    text = " ".join(fold(str(phrase)).split())
                    if text and text not in seen:
                        seen.add(text)
                        groups.setdefault(word, {})[text] = None
    if not groups:
        return Meanings()
    ordered = sorted(
        ((phrase, word) for word, phrases in groups.items() for phrase in phrases),
        key=lambda item: (-len(item[0].replace(" ", "")), item[0]),
    )
    parts, words = [], {}
    for number, (phrase, word) in enumerate(ordered):
        letters = phrase.replace(" ", "")
        body = r"\s*".join(re.escape(letter) for letter in letters)
        rest = r"[\uac00-\ud7a3]*" if _HANGUL.match(letters[-1]) else r"[a-z]*"
        start = r"(?<![\uac00-\ud7a3])" if _HANGUL.match(letters[0]) else r"\b"
        parts.append(f"(?P<p{number}>{start}{body}{rest})")
        words[f"p{number}"] = word
    return Meanings(re.compile("|".join(parts)), words)
