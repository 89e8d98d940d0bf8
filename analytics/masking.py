"""Customer names as an answer may show them: masked, as Korean shops display them.

`mask_name` keeps a name that is masked already (it holds a "*", e.g. 김*준 or
김민* from a shop's export or the demo) and masks any other:

- one word (a Korean name, "한지율"): its first and last character with one "*"
  between, whatever the length ("한지율" -> "한*율", "남궁민수" -> "남*수"); a
  two-character word keeps its first ("김준" -> "김*");
- several words (a Latin name, "John Smith"): each word's first character and a
  "*" ("J* S*"), so no whole word is shown.

One "*" whatever the number of characters hidden, so the mask does not tell the
length either. A blank name is no name (None).
"""

from __future__ import annotations

MASK = "*"


def _word(word: str) -> str:
    if len(word) <= 2:
        return word[0] + MASK
    return word[0] + MASK + word[-1]


def mask_name(name: str | None) -> str | None:
    """The name to show for a customer (see the module docstring)."""
    if name is None or not name.strip():
        return None
    name = " ".join(name.split())
    if MASK in name:
        return name
    words = name.split(" ")
    if len(words) == 1:
        return _word(name)
    return " ".join(word[0] + MASK for word in words)
