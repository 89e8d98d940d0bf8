"""Helpers for the compact summaries a model reads.

Ratios stay ratios (0.123 is 12.3 %), rounded to 4 decimals; money is integer
minor units with the currency named once; at most a handful of ranked items.
"""

from __future__ import annotations

import datetime as dt
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


def alert_item(kind: str, day: dt.date, e: Any) -> dict[str, Any]:
    """An alert for the model: its kind, local date and the figures of its evidence
    (`e`: sales or ad evidence, tools.nudges)."""
    item: dict[str, Any] = {"kind": kind, "date": day.isoformat()}
    if e.family == "sales":
        item.update(
            hours=f"{e.from_hour:02d}-{e.to_hour:02d}",
            expected_orders=rounded(e.expected, 1),
            actual_orders=e.actual,
            change=rounded(e.change),
            expected_revenue=e.expected_revenue,
            actual_revenue=e.actual_revenue,
        )
    else:
        item.update(
            campaign=e.campaign_name or e.campaign_id,
            metric=e.metric,
            expected=rounded(e.expected),
            actual=rounded(e.actual),
            change=rounded(e.change),
        )
    return item


def compared_window(c: Any) -> dict[str, Any]:
    """A comparison's window for the model: its basis, dates and cut time (HH:MM)."""
    return {
        "basis": c.basis,
        "start": c.start.isoformat(),
        "end": c.end.isoformat(),
        "until": c.cut_at.strftime("%H:%M") if c.cut_at else None,
    }
