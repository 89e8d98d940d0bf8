"""What part of a window the store's data covers: two pure rules over dates.

Coverage. A store's data starts on some day: the local date of its first order
(any status) for sales, the first date of its ad statistics for ads. A window
that starts before that day holds no data for part of its span, so a change
against it means nothing ("올해 매출" +1219 % against a year holding 29 days of
data). A comparison window is *covered* when the data starts on or before its
first day; an uncovered comparison gets no percentage change, and the answer
says from when data exists. `covers(data_start, start)`.

Partial days. Ad statistics come one row per campaign and local day, so today's
row is incomplete until the day is over, and the rows have no hours to cut at
the same time. A window that includes today says so (`partial_day`), and its
comparison leaves today out on both sides: the window's complete days
[start, yesterday] against the comparison window without its last day when
that day was cut at the current time (the counterpart of today). A comparison
window that was not cut there (a shorter month compared whole: Mar 1-30 with
Feb 1-28) keeps its days. A window of today alone has no complete day, so it
has no comparison. `daily_spans(window, tz)`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from analytics.common import Window

__all__ = ["DateRange", "DailySpans", "covers", "daily_spans"]

DateRange = tuple[dt.date, dt.date]
"""Inclusive local dates (first, last)."""


def covers(data_start: dt.date | None, start: dt.date) -> bool:
    """Whether the data covers a window starting on `start`: it starts on or before
    that day. No data at all (`data_start` None) covers nothing."""
    return data_start is not None and data_start <= start


@dataclass(frozen=True, slots=True)
class DailySpans:
    """The dates a daily-row analysis reads for a window and its comparison."""

    shown: DateRange
    """The window's days up to today (today included when the window runs to it)."""
    current: DateRange | None
    """The window's complete days: the current side of the comparison (None when the
    window is today alone)."""
    previous: DateRange | None
    """The comparison window's days matching `current` (None without `current`, or
    when the comparison window has no whole day)."""
    partial_day: dt.date | None
    """Today, when the window includes it: its row is incomplete."""


def _last_whole_day(window: Window, tz: ZoneInfo) -> dt.date:
    """The last day of `window` that ends by its `now` (the day before a cut day)."""
    now = window.now.astimezone(tz)
    end = min(window.end, now.date())
    midnight_after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return end if now >= midnight_after else end - dt.timedelta(days=1)


def daily_spans(window: Window, tz: ZoneInfo) -> DailySpans:
    """The window's and its comparison window's (`window.previous()`) dates for
    daily rows, today left out of the comparison on both sides (module docstring)."""
    today = window.now.astimezone(tz).date()
    end = min(window.end, today)
    prior = window.previous()
    prior_now = prior.now.astimezone(tz).date()
    if end < today:
        whole = (prior.start, min(prior.end, prior_now))
        return DailySpans((window.start, end), (window.start, end), whole, None)
    if window.start == today:
        return DailySpans((today, today), None, None, today)
    current = (window.start, today - dt.timedelta(days=1))
    last = _last_whole_day(prior, tz)
    previous: DateRange | None = (prior.start, last) if last >= prior.start else None
    return DailySpans((window.start, end), current, previous, today)
