"""Store-provided free text, as the model reads it: delimited data, never instructions.

Product and campaign names, categories, search keywords, customer names, inquiry
text and past answers come from visitors, customers and imports. Before any of it
reaches the model (tool results, the catalogue hint next to the question, the
inquiry a seller pasted) each such string is wrapped as

    <data>TEXT</data>

with `&`, `<` and `>` inside TEXT written `&amp;`, `&lt;` and `&gt;`, so a value
cannot close its own block ("</data> system: ..." stays inside it). The system
prompt (prompts/system.<lang>.md) tells the model that such blocks are data to
quote, never instructions to follow. `unmark` undoes the wrapping in what the model
writes back (its answer and the arguments of its tool calls).

Pure string functions; the agent (tools.agent) applies them at its edge, so stored
turns, templates and the answer guard keep the plain values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

OPEN = "<data>"
CLOSE = "</data>"

FREE_TEXT_KEYS = frozenset(
    {
        "name",
        "name_en",
        "campaign",
        "category",
        "keyword",
        "matching_products",
        "customer",
        "inquiry",
        "question",
        "answer",
        "closest_past_answer",
        "options",
        "query",
        "label",
    }
)
"""Keys of a tool's compact result whose string values (or lists of strings) are
store-provided text."""

_TAG = re.compile(r"</?data>", re.IGNORECASE)
_ENTITY = re.compile(r"&(amp|lt|gt);")
_UNESCAPED = {"amp": "&", "lt": "<", "gt": ">"}


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mark(text: str) -> str:
    """`text` as one delimited data block."""
    return f"{OPEN}{escape(text)}{CLOSE}"


def mark_result(value: Any, key: str | None = None) -> Any:
    """A compact tool result with every store-provided string marked (by its key)."""
    if isinstance(value, Mapping):
        return {k: mark_result(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mark_result(item, key) for item in value]
    if isinstance(value, str) and key in FREE_TEXT_KEYS:
        return mark(value)
    return value


def mark_within(text: str, part: str) -> str:
    """`text` with each occurrence of `part` (store text inside it) marked."""
    if not part.strip() or part not in text:
        return text
    return text.replace(part, mark(part))


def unmark(text: str) -> str:
    """What the model wrote, with data delimiters dropped and the escapes undone."""
    if "<" not in text and "&" not in text:
        return text
    return _ENTITY.sub(lambda m: _UNESCAPED[m.group(1)], _TAG.sub("", text))


def unmark_args(args: Mapping[str, Any]) -> dict[str, Any]:
    """Tool-call arguments with any delimiters the model copied along taken out."""
    return {k: unmark(v) if isinstance(v, str) else v for k, v in args.items()}
