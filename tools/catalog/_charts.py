"""Helpers for the charts tools draw."""

from __future__ import annotations

import datetime as dt
from typing import Any

from storage.importing.values import minor_unit_exponent

MAX_CHART_ITEMS = 10


def series_labels(result: Any) -> list[str]:
    """The x labels of a result's `series` of time buckets: "14:00" by the hour,
    "11/27" by the day."""
    hourly = result.granularity == "hour"
    return [_bucket_label(bucket.start, hourly) for bucket in result.series]


def _bucket_label(moment: dt.datetime, hourly: bool) -> str:
    return f"{moment:%H}:00" if hourly else f"{moment.month}/{moment.day}"


def fit(values: list[float], length: int) -> list[float]:
    return (values + [0.0] * length)[:length]


def major_units(amount: int | float, currency: str) -> float:
    """An amount in the currency's minor unit as a number of its major unit, for a
    chart's axis (150949633 GBP pence -> 1509496.33 pounds; won stay won); the axis is
    labelled `unit.money` with the currency (prompts/answers/_labels: 원, or the code)."""
    return float(amount) / 10 ** minor_unit_exponent(currency)
