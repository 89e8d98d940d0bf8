"""Text helpers for matching Korean and English product mentions.

- `fold`: NFKC, case-folded, spoken units written as product names write them
  ("350미리" -> "350ml", "1키로" -> "1kg").
- `tokens`: words split at script changes, a number keeping its unit
  ("스텐텀블러350ml" -> 스텐텀블러, 350ml; "머그컵(2입)" -> 머그컵, 2입).
- `jamo`: Hangul split into letters, so a one-letter typo ("텀블라") stays close.
- `features`: words and Korean two-letter pieces without endings, for
  comparing questions and passages.
- `Lexicon`: interchangeable words (colours, 스텐 = 스테인리스, tumbler = 텀블러)
  from prompts/product_words.yaml, as the `PromptStore` read it (`lexicon_of`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tools.prompts import PromptStore
from tools.router._text import fold  # one folding of text (NFKC, case, spoken units)

_HANGUL_UNITS = "개입|인용|종|입|봉|매|개|캔|호|도|구|장|팩|병|박스"
_TOKEN = re.compile(
    r"\d+(?:[.,]\d+)*(?:[a-z]+|" + _HANGUL_UNITS + r")?"  # a number and its unit
    r"|[a-z]+"  # latin word
    r"|[\uac00-\ud7a3]+"  # Hangul syllables
    r"|[^\W\d_a-z\uac00-\ud7a3]+"  # any other letters
)
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_NUMBER = re.compile(r"^(\d+(?:[.,]\d+)*)(.*)$")
_CODE = re.compile(r"[a-z]+[-_]?\d+[a-z0-9-]*|\d+[-_][a-z0-9-]+")
_SEPARATORS = re.compile(r"[\W_]+")


def compact(text: str) -> str:
    """Folded without spaces and punctuation: "LIF-0001" -> "lif0001"."""
    return _SEPARATORS.sub("", fold(text))


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


def codes(text: str) -> list[str]:
    """Compact forms of the code-like words of `text` (SKUs: "LIF-0001", "ab12")."""
    return [compact(found) for found in _CODE.findall(fold(text))]


def is_hangul(token: str) -> bool:
    return _HANGUL.match(token) is not None


_DIGIT = re.compile(r"\d")


def has_digit(token: str) -> bool:
    return _DIGIT.search(token) is not None


def split_number(token: str) -> tuple[str, str]:
    """("350ml" -> "350", "ml"); a token without a leading number -> ("", token)."""
    found = _NUMBER.match(token)
    if not found:
        return "", token
    return found.group(1).replace(",", ""), found.group(2)


def jamo(text: str) -> str:
    """Hangul syllables decomposed into their letters (NFD)."""
    return unicodedata.normalize("NFD", text)


@dataclass(frozen=True, slots=True, eq=False)
class Lexicon:
    """Interchangeable words and the mention words that never name a product
    (hashed by identity, so lookups derived from one can be cached)."""

    groups: dict[str, frozenset[str]] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()

    def variants(self, token: str) -> frozenset[str]:
        return self.groups.get(token, frozenset())

    @classmethod
    def build(cls, groups: Iterable[Iterable[str]], ignore: Iterable[str] = ()) -> Lexicon:
        table: dict[str, set[str]] = {}
        for group in groups:
            words = {compact(str(word)) for word in group} - {""}
            for word in words:
                table.setdefault(word, set()).update(words - {word})
        return cls(
            {word: frozenset(others) for word, others in table.items()},
            frozenset(compact(str(word)) for word in ignore),
        )


LEXICON_FILE = "product_words.yaml"


def parse_lexicon(data: Any, source: str = LEXICON_FILE) -> Lexicon:
    """Parsed prompts/product_words.yaml: `same: [[스텐, 스테인리스, stainless], ...]`
    and `ignore: [그, the, ...]`. None (no file, or an empty one) is an empty
    lexicon; a malformed file is a ValueError naming `source`."""
    data = data or {}
    if not isinstance(data, dict):
        raise ValueError(f"{source}: expected a mapping with 'same' and 'ignore'")
    same = data.get("same") or []
    ignore = data.get("ignore") or []
    if not isinstance(same, list) or not all(isinstance(group, list) for group in same):
        raise ValueError(f"{source}: 'same' must be a list of lists of words")
    if not isinstance(ignore, list):
        raise ValueError(f"{source}: 'ignore' must be a list of words")
    return Lexicon.build(same, ignore)


def lexicon_of(prompts: PromptStore) -> Lexicon:
    """The store's product_words.yaml as a `Lexicon`, built once per version of
    the file (`PromptStore.cached`)."""
    return prompts.cached(LEXICON_FILE, parse_lexicon)


def load_lexicon(path: Path) -> Lexicon:
    """A lexicon file read directly (tests and benchmarks; the advisor reads it
    through `PromptStore`, see `lexicon_of`). A missing file means an empty lexicon."""
    if not path.is_file():
        return Lexicon()
    return parse_lexicon(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))


# -- bags of words for questions and passages --------------------------------------

_RUN = re.compile(r"[\uac00-\ud7a3]+|[^\W_\uac00-\ud7a3]+")  # Hangul and other runs apart
_STOP = frozenset(
    "the a an to of for and or in on is are do does how can i my we our me what should "
    "it this that with be get more 요 좀 더 것 수 거 이 그 저 해 줘 주세요 알려줘 어떻게 "
    "하면 방법 뭐 왜 해야 할까 하나요 있나요 너무 많이 정말 진짜 요즘 자꾸 계속 그냥 같아".split()
)
# Endings and particles cut off a Korean word before it is split into pieces
# ("광고비가" -> 광고비, "나가는데" -> 나가), longest first; the stem keeps 2+ letters.
_ENDINGS = tuple(
    sorted(
        (
            "습니다 입니다 합니다 해야 해요 하는 하면 하나요 할까 에서 으로 에게 한테 부터 까지 "
            "는데 은데 인데 아요 어요 나요 가요 까요 세요 었어 았어 했어 이야 예요 이에요 에요 "
            "은 는 이 가 을 를 의 에 로 도 만 요"
        ).split(),
        key=len,
        reverse=True,
    )
)


def stem(word: str) -> str:
    """A Korean word without its particle or ending ("배송은" -> 배송)."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            return word[: -len(ending)]
    return word


def features(text: str) -> Counter[str]:
    """Words (folded) and the two-letter pieces of Korean words without their
    endings, so "광고비가" and "광고비" share every piece and spacing does not matter."""
    found: Counter[str] = Counter()
    for word in _RUN.findall(fold(text)):
        if word in _STOP:
            continue
        if _HANGUL.match(word):
            word = stem(word)
            if len(word) == 1:
                continue
            found.update(word[i : i + 2] for i in range(len(word) - 1))
        elif len(word) > 1:
            found[word] += 1
    return found
