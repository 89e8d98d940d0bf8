"""Helpers for the charts tools draw."""

from __future__ import annotations

import datetime as dt

MAX_CHART_ITEMS = 10


def bucket_label(start: str, hourly: bool) -> str:
    moment = dt.datetime.fromisoformat(start)
    return f"{moment:%H}:00" if hourly else f"{moment.month}/{moment.day}"


def fit(values: list[float], length: int) -> list[float]:
    return (values + [0.0] * length)[:length]
