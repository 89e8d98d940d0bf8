"""Types every analysis shares: the store an analysis runs for, the window it
covers, and the typed "nothing to report" result.

An analysis never calls `now()`: the as-of time is a parameter (`Window.now`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True, slots=True)
class Store:
    """The seller an analysis is bound to (from the chat link, never from user text)."""

    id: int
    timezone: ZoneInfo
    currency: str = "KRW"


@dataclass(frozen=True, slots=True)
class Window:
    """Inclusive local dates [start, end] in the store's timezone, cut at `now`.

    A window that includes today covers today only up to `now` (today so far).
    `comparison` is the window it is compared with and `basis` names why (see
    analytics.periods: a calendar month with the previous month...); without one,
    the equal-length window just before (basis "previous_period").
    """

    start: dt.date
    end: dt.date
    now: dt.datetime
    comparison: Window | None = None
    basis: str = "previous_period"

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("Window.now must be timezone-aware")
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def utc_bounds(self, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """[start, stop) in UTC: local midnight of start to local midnight after end, or now."""
        start = dt.datetime.combine(self.start, dt.time(), tzinfo=tz).astimezone(dt.UTC)
        stop = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        return start, min(stop.astimezone(dt.UTC), self.now.astimezone(dt.UTC))

    def previous(self) -> Window:
        """The comparison window: `comparison` when set, else the window of equal
        length just before this one (same cut-off time of day when this window ends
        today, so today so far compares with the same hours)."""
        if self.comparison is not None:
            return self.comparison
        shift = dt.timedelta(days=self.days)
        return Window(self.start - shift, self.end - shift, self.now - shift)


class Result(BaseModel):
    """Base of every analysis result: immutable, JSON-serialisable with model_dump(mode='json')."""

    model_config = ConfigDict(frozen=True)


NoDataReason = Literal[
    "no_orders",
    "no_ads",
    "no_visits",
    "no_customers",
    "too_few_customers",
    "unknown_product",
    "unknown_campaign",
    "unknown_category",
    "empty_period",
    "future_period",
]


class NoData(Result):
    """Nothing to report, and why; rendered as a polite sentence, never an exception."""

    kind: Literal["no_data"] = "no_data"
    reason: NoDataReason
    detail: dict[str, str | int | float] = {}
