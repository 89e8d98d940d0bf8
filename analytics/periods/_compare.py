"""Which window a period is compared with: the calendar's, by the kind of period.

| period (key)                                   | compared with (basis)                   |
| ---------------------------------------------- | --------------------------------------- |
| a day: today so far, yesterday, a date         | the day before (previous_day)           |
| a Mon-Sun week, this week so far               | the same days a week earlier            |
|                                                | (previous_week)                         |
| a weekend                                      | the weekend before (previous_weekend)   |
| a calendar month, this month so far            | the previous calendar month, or its     |
|                                                | same days when the month is still       |
|                                                | running; a shorter month stops at its   |
|                                                | end (previous_month)                    |
| a quarter / this quarter so far                | the previous quarter / its same days    |
|                                                | (previous_quarter)                      |
| a half                                         | the previous half (previous_half)       |
| a year / this year so far                      | the same span a year earlier            |
|                                                | (previous_year)                         |
| last N days, last N months, an explicit range  | the equal-length window just before     |
|                                                | (previous_period)                       |

A period still running (it ends today) is compared cut at the same time of day
on the comparison window's last day: `Period.window(now, tz)` does that.
`of_dates` names the kind of period a pair of dates is (a model's arguments, an
old button), so dates alone compare the same way as the words that gave them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from analytics.periods._calendar import NAMED_DEFAULTS, Period, add_months, monday_of, month_end

DAY_KEYS = frozenset({"today", "yesterday", "day_before_yesterday", "date"})
WEEK_KEYS = frozenset({"this_week", "last_week", "week"})
MONTH_KEYS = frozenset({"this_month", "last_month", "month"})
QUARTER_KEYS = frozenset({"this_quarter", "last_quarter", "quarter"})
YEAR_KEYS = frozenset({"this_year", "last_year", "year"})


@dataclass(frozen=True, slots=True)
class CompareSpan:
    """The comparison window's inclusive local dates and why they were chosen."""

    start: dt.date
    end: dt.date
    basis: str
    whole_last_day: bool = False  # a shorter month stopped at its end: no cut time


def _months_back(period: Period, months: int, basis: str, running: bool) -> CompareSpan:
    """The block of `months` before: whole when the period is a whole block, else
    (still running) its same days, stopping at the end of a shorter month."""
    start = add_months(period.start, -months)
    last_month = add_months(start, months - 1)
    block_end = month_end(last_month.year, last_month.month)
    own_last = add_months(period.start, months - 1)
    if not running and period.end == month_end(own_last.year, own_last.month):
        return CompareSpan(start, block_end, basis)
    same_day = add_months(period.end, -months)
    shorter = same_day.day < period.end.day
    return CompareSpan(start, min(same_day, block_end), basis, whole_last_day=shorter)


def _shift(period: Period, days: int, basis: str) -> CompareSpan:
    step = dt.timedelta(days=days)
    return CompareSpan(period.start - step, period.end - step, basis)


def compare_span(period: Period, *, running: bool = False) -> CompareSpan:
    """The calendar comparison window of `period` (see the module docstring);
    `running`: the period ends today, so far."""
    key = period.key
    if key in DAY_KEYS:
        return _shift(period, 1, "previous_day")
    if key in WEEK_KEYS:
        return _shift(period, 7, "previous_week")
    if key == "weekend":
        return _shift(period, 7, "previous_weekend")
    if key in MONTH_KEYS:
        return _months_back(period, 1, "previous_month", running)
    if key in QUARTER_KEYS:
        return _months_back(period, 3, "previous_quarter", running)
    if key == "half":
        return _months_back(period, 6, "previous_half", running)
    if key in YEAR_KEYS:
        return _months_back(period, 12, "previous_year", running)
    return _shift(period, period.days, "previous_period")


def of_dates(start: dt.date, end: dt.date, today: dt.date) -> Period:
    """The period `start`..`end` names, by its shape: a named period when it is one
    (yesterday, last month...), else a day, a Mon-Sun week, a calendar month, a
    quarter, a half, a year or a weekend (whole, or so far when it ends today), else
    the last N days (ending yesterday) or a plain range."""
    for make in NAMED_DEFAULTS.values():
        named = make(today)
        if (named.start, named.end) == (start, end):
            return named
    days = (end - start).days + 1
    so_far = end == today
    if days == 1:
        return Period(start, end, "date")
    if start.weekday() == 5 and days == 2:
        return Period(start, end, "weekend")
    if start == monday_of(start) and (days == 7 or (so_far and days < 7)):
        return Period(start, end, "week")
    if start.day == 1:
        for months, key in ((1, "month"), (3, "quarter"), (6, "half"), (12, "year")):
            if (start.month - 1) % months:
                continue
            last = add_months(start, months - 1)
            block_end = month_end(last.year, last.month)
            if end == block_end or (so_far and end < block_end):
                return Period(start, end, key)
    if end == today - dt.timedelta(days=1):
        return Period(start, end, "last_n_days", days)
    return Period(start, end, "range")
