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
| last N days, last N months, an explicit range, | the equal-length window just before     |
| a lunar holiday (설, 추석: three days)          | (previous_period)                       |
| a shopping day (black Friday, 11.11)           | the day before (previous_day)           |
| a week of a month ("11월 첫째주")               | the week before (previous_week)         |

A comparison the question names itself (`Period.versus`: "11월 vs 10월", "작년
이맘때 대비") replaces the calendar's:

- it is exactly those dates (basis explicit), or the period's own dates a year
  earlier (same_time_last_year);
- when those dates are the calendar's own comparison block ("this week vs last
  week", "11월이랑 10월"), the calendar's comparison is used, with its basis;
- a period still running is compared with the same part of the other period when
  that is a period of its kind (this month so far vs October: Oct 1 to the same
  day number, cut at the same time; today vs last Friday: Friday until the same
  time); a period of another kind is compared whole.

A period still running (it ends today) is compared cut at the same time of day
on the comparison window's last day: `Period.window(now, tz)` does that.
`of_dates` names the kind of period a pair of dates is (a model's arguments, an
old button), so dates alone compare the same way as the words that gave them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from analytics.periods._calendar import (
    NAMED_DEFAULTS,
    Period,
    Versus,
    add_months,
    monday_of,
    month_end,
)

SHOPPING_DAY_KEYS = frozenset({"black_friday", "cyber_monday", "singles_day"})
HOLIDAY_KEYS = frozenset({"seollal", "chuseok"})
DAY_KEYS = frozenset({"today", "yesterday", "day_before_yesterday", "date"}) | SHOPPING_DAY_KEYS
WEEK_KEYS = frozenset({"this_week", "last_week", "week", "week_of_month"})
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


def family(key: str) -> str:
    """The kind of period a key is, for comparing like with like: day, week,
    weekend, month, quarter, half, year, holiday, or span (last N days or months,
    a range)."""
    for name, keys in (
        ("day", DAY_KEYS),
        ("week", WEEK_KEYS),
        ("month", MONTH_KEYS),
        ("quarter", QUARTER_KEYS),
        ("year", YEAR_KEYS),
        ("holiday", HOLIDAY_KEYS),
    ):
        if key in keys:
            return name
    return key if key in ("weekend", "half") else "span"


def _same_part(period: Period, versus: Versus) -> CompareSpan:
    """The part of `versus` matching the part of `period` that has passed: from its
    start, as many months (both start on a 1st) or days on, stopping at its end."""
    if period.start.day == 1 and versus.start.day == 1 and family(period.key) != "day":
        months = (period.start.year - versus.start.year) * 12
        months += period.start.month - versus.start.month
        same_day = add_months(period.end, -months)
        shorter = same_day.day < period.end.day
    else:
        same_day = versus.start + (period.end - period.start)
        shorter = False
    if same_day > versus.end:
        return CompareSpan(versus.start, versus.end, versus.basis, whole_last_day=True)
    return CompareSpan(versus.start, same_day, versus.basis, whole_last_day=shorter)


def compare_span(period: Period, *, running: bool = False) -> CompareSpan:
    """The comparison window of `period`: its `versus` when the question named one,
    else the calendar's (see the module docstring); `running`: the period ends
    today, so far."""
    calendar = _calendar_span(period, running)
    versus = period.versus
    if versus is None:
        return calendar
    same_kind = family(period.key) == family(versus.key)
    if same_kind and calendar.start == versus.start:
        return calendar
    if not running:
        return CompareSpan(versus.start, versus.end, versus.basis)
    if same_kind:
        return _same_part(period, versus)
    return CompareSpan(versus.start, versus.end, versus.basis, whole_last_day=True)


def _calendar_span(period: Period, running: bool) -> CompareSpan:
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
