"""The coverage and partial-day rules (analytics.coverage) on hand-written dates,
without a database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from analytics.common import Window
from analytics.coverage import DailySpans, covers, daily_spans
from analytics.periods._calendar import Period

SEOUL = ZoneInfo("Asia/Seoul")
D = dt.date


def at(month: int, day: int, hour: int = 14, minute: int = 10, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SEOUL)


def test_a_window_is_covered_when_the_data_starts_on_or_before_its_first_day() -> None:
    assert covers(D(2026, 11, 3), D(2026, 11, 3))
    assert covers(D(2026, 11, 3), D(2026, 11, 4))
    # "올해 매출" on a store whose first order was Nov 3: last year's span has no data
    assert not covers(D(2026, 11, 3), D(2025, 1, 1))
    assert not covers(D(2026, 11, 3), D(2026, 11, 2))
    assert not covers(None, D(2026, 11, 3))  # no data at all


def test_a_past_window_compares_all_its_days() -> None:
    # last month (November) asked on Dec 7: whole October, nothing partial
    window = Period(D(2026, 11, 1), D(2026, 11, 30), "last_month").window(at(12, 7), SEOUL)
    assert daily_spans(window, SEOUL) == DailySpans(
        shown=(D(2026, 11, 1), D(2026, 11, 30)),
        current=(D(2026, 11, 1), D(2026, 11, 30)),
        previous=(D(2026, 10, 1), D(2026, 10, 31)),
        partial_day=None,
    )


def test_this_month_so_far_leaves_today_out_on_both_sides() -> None:
    # Dec 1-7 14:10 against Nov 1-7 14:10: Dec 1-6 against Nov 1-6, Dec 7 is partial
    window = Period(D(2026, 12, 1), D(2026, 12, 7), "this_month").window(at(12, 7), SEOUL)
    assert daily_spans(window, SEOUL) == DailySpans(
        shown=(D(2026, 12, 1), D(2026, 12, 7)),
        current=(D(2026, 12, 1), D(2026, 12, 6)),
        previous=(D(2026, 11, 1), D(2026, 11, 6)),
        partial_day=D(2026, 12, 7),
    )


def test_this_week_so_far_and_the_equal_length_window_before() -> None:
    # Wed Dec 9: Mon-Tue against last week's Mon-Tue
    week = Period(D(2026, 12, 7), D(2026, 12, 9), "this_week").window(at(12, 9), SEOUL)
    spans = daily_spans(week, SEOUL)
    assert (spans.current, spans.previous) == (
        (D(2026, 12, 7), D(2026, 12, 8)),
        (D(2026, 11, 30), D(2026, 12, 1)),
    )
    # a window without a calendar comparison: the 3 days before, cut at 14:10 on Dec 6
    plain = Window(D(2026, 12, 7), D(2026, 12, 9), at(12, 9))
    spans = daily_spans(plain, SEOUL)
    assert (spans.current, spans.previous, spans.partial_day) == (
        (D(2026, 12, 7), D(2026, 12, 8)),
        (D(2026, 12, 4), D(2026, 12, 5)),
        D(2026, 12, 9),
    )


def test_a_shorter_month_compared_whole_keeps_its_last_day() -> None:
    # Mar 31 2027: March so far against all of February (28 days, not cut at 14:10):
    # Mar 1-30 against Feb 1-28
    window = Period(D(2027, 3, 1), D(2027, 3, 31), "this_month").window(at(3, 31, year=2027), SEOUL)
    spans = daily_spans(window, SEOUL)
    assert (spans.current, spans.previous, spans.partial_day) == (
        (D(2027, 3, 1), D(2027, 3, 30)),
        (D(2027, 2, 1), D(2027, 2, 28)),
        D(2027, 3, 31),
    )


def test_today_alone_has_nothing_to_compare() -> None:
    window = Period(D(2026, 12, 7), D(2026, 12, 7), "today").window(at(12, 7), SEOUL)
    assert daily_spans(window, SEOUL) == DailySpans(
        shown=(D(2026, 12, 7), D(2026, 12, 7)),
        current=None,
        previous=None,
        partial_day=D(2026, 12, 7),
    )


def test_this_year_so_far_against_the_same_days_last_year() -> None:
    # this year asked on Dec 7: Jan 1 - Dec 6 against Jan 1 - Dec 6 last year
    window = Period(D(2026, 1, 1), D(2026, 12, 7), "this_year").window(at(12, 7), SEOUL)
    spans = daily_spans(window, SEOUL)
    assert spans.shown == (D(2026, 1, 1), D(2026, 12, 7))
    assert (spans.current, spans.previous) == (
        (D(2026, 1, 1), D(2026, 12, 6)),
        (D(2025, 1, 1), D(2025, 12, 6)),
    )
