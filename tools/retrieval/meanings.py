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
_KEY = re.compile(r"[\W_]+")


def _hangul(letter: str) -> bool:
    return "\uac00" <= letter <= "\ud7a3"


def _latin(letter: str) -> bool:
    return letter.isascii() and letter.isalnum()


@dataclass(frozen=True, slots=True)
class Meanings:
    """The `same_meaning` groups read for matching: by a phrase's first letter, its
    letters without spaces and its group's word ("" for filler), longest first (so
    "배송비" is not read as "배송")."""

    starts: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def normalized(self, text: str) -> str:
        """`text` folded, each phrase of a group (and the rest of its word) replaced by
        the group's word ("마음이 바뀌었는데 반품할 수" -> " meaningchangeofmind  meaningrefund  수").
        A phrase starts a word: "불가능" is not the filler "가능"."""
        folded = fold(text)
        out: list[str] = []
        at = 0
        while at < len(folded):
            letter = folded[at]
            before = folded[at - 1] if at else " "
            end = None
            if letter in self.starts and not (_hangul(letter) and _hangul(before)):
                if not (_latin(letter) and _latin(before)):
                    end, word = self._match(folded, at)
            if end is None:
                out.append(letter)
                at += 1
            else:
                out.append(f" {word} ")
                at = end
        return "".join(out)

    def _match(self, text: str, at: int) -> tuple[int | None, str]:
        """Where the longest phrase starting at `at` ends (spaces between its letters
        allowed, the rest of its word taken along), and its group's word."""
        for letters, word in self.starts[text[at]]:
            end = at
            for letter in letters:
                while end < len(text) and text[end].isspace():
                    end += 1
                if end >= len(text) or text[end] != letter:
                    break
                end += 1
            else:
                same = _hangul if _hangul(letters[-1]) else _latin
                while end < len(text) and same(text[end]):
                    end += 1
                return end, word
        return None, ""


def parse_meanings(*files: Any) -> Meanings:
    """The `same_meaning` mappings, `filler` lists and `subjects` (a subject's words
    mean it too, unless a phrase is already in a `same_meaning` group) of these parsed
    files (None: no file) as one `Meanings`; a key in several files is one group."""
    starts: dict[str, list[tuple[str, str]]] = {}
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
                    letters = "".join(fold(str(phrase)).split())
                    if letters and letters not in seen:
                        seen.add(letters)
                        starts.setdefault(letters[0], []).append((letters, word))
    return Meanings(
        {
            first: tuple(sorted(found, key=lambda item: (-len(item[0]), item[0])))
            for first, found in starts.items()
        }
    )
