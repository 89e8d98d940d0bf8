"""Template helpers over a tool's summary (never new figures: only order and choice),
and the operators' times."""

from __future__ import annotations

import datetime as dt
from typing import Any


def flagged_first(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """ad_report's campaigns, those losing money (ROAS under break-even) or with an
    efficiency drop first, each keeping the summary's order otherwise; each gets
    `flagged` (True/False)."""
    dropped = {d.get("campaign_id") for d in summary.get("efficiency_drops", [])}
    rows = [
        {**c, "flagged": bool(c.get("loses_money")) or c.get("campaign_id") in dropped}
        for c in summary.get("campaigns", [])
    ]
    return sorted(rows, key=lambda c: not c["flagged"])


def utc(value: dt.datetime | None) -> str:
    """A stored time (aware: storage's UTC columns) for operators, in UTC
    ("2026-11-26 05:40 UTC"), or "-"."""
    return "-" if value is None else f"{value.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
