"""Helpers for the compact summaries a model reads.

Ratios stay ratios (0.123 is 12.3 %), rounded to 4 decimals; money is integer
minor units with the currency named once; at most a handful of ranked items.
"""

from __future__ import annotations

from typing import Any

MAX_ITEMS = 5


def rounded(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def relative(change: Any) -> float | None:
    """The relative part of an analytics Change (or a plain float)."""
    if change is None:
        return None
    if isinstance(change, int | float):
        return rounded(change)
    return rounded(getattr(change, "relative", None))


def drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None and v != [] and v != {}}


def dig(value: Any, *path: str) -> Any:
    """`value.a.b.c` for path ("a", "b", "c"), None where a step is missing."""
    for name in path:
        if value is None:
            return None
        value = getattr(value, name, None)
    return value


def at_most(value: Any, limit: float) -> bool:
    return isinstance(value, int | float) and value <= limit
