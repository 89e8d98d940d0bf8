"""Text helpers for Korean and English questions: folding, compact forms with a map
back to the original text, words with Korean particles stripped, jamo for fuzzy
Korean comparison."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

PLACEHOLDER = "▣"  # stands for a product name in examples and masked questions

_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_WORD = re.compile(r"[\w▣]+")
_LATIN_WORD = re.compile(r"[a-z]+")

# Korean particles and endings that follow a noun ("딸기잼은", "텀블러가", "10kg는").
_PARTICLES = tuple(
    sorted(
        (
            "은 는 이 가 을 를 의 도 만 로 으로 에 에서 와 과 랑 이랑 하고 까지 부터 처럼 "
            "보다 이요 요 이야 야 이는 에게 한테 이나 나 인데 이랑은 으로는 로는 에는 은요 "
            "는요 이랑요 만요 도요 쪽은 쪽 같은 거 건 꺼"
        ).split(),
        key=len,
        reverse=True,
    )
)

# Spoken unit names to the units product names use.
_UNITS = (
    ("킬로그램", "kg"),
    ("킬로", "kg"),
    ("키로", "kg"),
    ("그램", "g"),
    ("밀리리터", "ml"),
    ("미리", "ml"),
    ("밀리", "ml"),
    ("리터", "l"),
)
_UNIT = re.compile(r"(\d)\s*(" + "|".join(word for word, _ in _UNITS) + ")")
_UNIT_MAP = dict(_UNITS)


def has_hangul(text: str) -> bool:
    return _HANGUL.search(text) is not None


def fold(text: str) -> str:
    """NFKC, case-folded; "10키로" -> "10kg"."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _UNIT.sub(lambda m: m.group(1) + _UNIT_MAP[m.group(2)], folded)


def compact(text: str) -> str:
    """Folded, without spaces and punctuation: "보온 텀블러!" -> "보온텀블러"."""
    return "".join(_WORD.findall(fold(text))).replace("_", "")


@dataclass(frozen=True, slots=True)
class Folded:
    """Folded text with, for every character, the index in the original it came from."""

    text: str
    origin: tuple[int, ...]

    @classmethod
    def of(cls, original: str) -> Folded:
        chars: list[str] = []
        origin: list[int] = []
        for index, char in enumerate(original):
            for folded in unicodedata.normalize("NFKC", char).casefold():
                chars.append(folded)
                origin.append(index)
        text = "".join(chars)
        # spoken units, keeping the map: replace while walking matches right to left
        for match in reversed(list(_UNIT.finditer(text))):
            unit = _UNIT_MAP[match.group(2)]
            start, end = match.start(2), match.end()
            anchor = origin[start]
            text = text[:start] + unit + text[end:]
            origin[start:end] = [anchor] * len(unit)
        return cls(text, tuple(origin))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original-text span of folded characters [start, end)."""
        return self.origin[start], self.origin[end - 1] + 1


@dataclass(frozen=True, slots=True)
class Word:
    """A word of the folded text: `text` as written, `stem` without a trailing particle."""

    text: str
    stem: str
    start: int
    end: int


def words(folded: str) -> list[Word]:
    found = []
    for match in _WORD.finditer(folded):
        text = match.group().replace("_", "")
        if not text:
            continue
        found.append(Word(text, strip_particle(text), match.start(), match.end()))
    return found


def strip_particle(word: str) -> str:
    """ "딸기잼은" -> "딸기잼"; a word is never cut below two characters."""
    if not has_hangul(word[-1:]):
        return word
    for particle in _PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 2:
            return word[: -len(particle)]
    return word


_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_JONG = " ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"


def jamo(text: str) -> str:
    """Hangul syllables split into letters, so one wrong vowel is one edit:
    "텀블로" vs "텀블러"."""
    out = []
    for char in text:
        code = ord(char) - 0xAC00
        if 0 <= code < 11172:
            out.append(_CHO[code // 588])
            out.append(_JUNG[(code % 588) // 28])
            if code % 28:
                out.append(_JONG[code % 28])
        else:
            out.append(char)
    return "".join(out)


def latin_words(folded: str) -> list[str]:
    return _LATIN_WORD.findall(folded)
