"""Comparisons follow the calendar (issue: calendar comparisons): every kind of
period against its comparison window, in both languages, against hand-written
dates. NOW is Wednesday 2026-12-02 14:10 in Seoul:

    today 12-02 · yesterday 12-01 · this week 11-30..12-02 · last week 11-23..29
    this month 12-01..02 · last month (Nov) 11-01..30 · Oct 10-01..31
    this quarter 10-01..12-02 · last quarter 07-01..09-30 · this year 01-01..12-02
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from analytics.common import Window
from analytics.periods import Period, compare_span, find_period, of_dates

SEOUL = ZoneInfo("Asia/Seoul")
NOW = dt.datetime(2026, 12, 2, 14, 10, tzinfo=SEOUL)
D = dt.date
CUT = "14:10"  # a running period is compared cut at the same time

# (Korean phrase, English phrase, compared start, compared end, basis, cut on the last day)
TABLE = [
    ("오늘 매출", "sales today", D(2026, 12, 1), D(2026, 12, 1), "previous_day", True),
    ("어제 매출", "sales yesterday", D(2026, 11, 30), D(2026, 11, 30), "previous_day", False),
    ("11월 3일 매출", "sales on Nov 3", D(2026, 11, 2), D(2026, 11, 2), "previous_day", False),
    ("지난주 매출", "sales last week", D(2026, 11, 16), D(2026, 11, 22), "previous_week", False),
    ("이번주 매출", "sales this week", D(2026, 11, 23), D(2026, 11, 25), "previous_week", True),
    ("지난달 매출", "sales last month", D(2026, 10, 1), D(2026, 10, 31), "previous_month", False),
    ("11월 매출", "sales in November", D(2026, 10, 1), D(2026, 10, 31), "previous_month", False),
    ("10월 매출", "sales in October", D(2026, 9, 1), D(2026, 9, 30), "previous_month", False),
    ("이번달 매출", "sales this month", D(2026, 11, 1), D(2026, 11, 2), "previous_month", True),
    ("지난 분기", "last quarter", D(2026, 4, 1), D(2026, 6, 30), "previous_quarter", False),
    ("이번 분기", "this quarter", D(2026, 7, 1), D(2026, 9, 2), "previous_quarter", True),
    ("올해 매출", "sales this year", D(2025, 1, 1), D(2025, 12, 2), "previous_year", True),
    ("작년 매출", "sales last year", D(2024, 1, 1), D(2024, 12, 31), "previous_year", False),
    ("상반기 매출", "first half sales", D(2025, 7, 1), D(2025, 12, 31), "previous_half", False),
    ("하반기 매출", "H2 sales", D(2026, 1, 1), D(2026, 6, 2), "previous_half", True),
    (
        "11월 첫째주 매출",
        "sales in the first week of November",
        D(2026, 10, 26),
        D(2026, 11, 1),
        "previous_week",
        False,
    ),
    ("블프 매출", "Black Friday sales", D(2026, 11, 26), D(2026, 11, 26), "previous_day", False),
    (
        "11월이랑 10월 비교",
        "November vs October",
        D(2026, 10, 1),
        D(2026, 10, 31),
        "previous_month",
        False,
    ),
    (
        "작년 이맘때 대비",
        "same time last year",
        D(2025, 12, 1),
        D(2025, 12, 2),
        "same_time_last_year",
        True,
    ),
    (
        "지난 주말 매출",
        "sales last weekend",
        D(2026, 11, 21),
        D(2026, 11, 22),
        "previous_weekend",
        False,
    ),
    (
        "최근 7일 매출",
        "sales in the last 7 days",
        D(2026, 11, 18),
        D(2026, 11, 24),
        "previous_period",
        False,
    ),
    (
        "11월 3일부터 10일까지",
        "Nov 3 to Nov 10",
        D(2026, 10, 26),
        D(2026, 11, 2),
        "previous_period",
        False,
    ),
]


@pytest.mark.parametrize(
    ("ko", "en", "start", "end", "basis", "cut"), TABLE, ids=[row[1] or row[0] for row in TABLE]
)
def test_each_kind_of_period_is_compared_with_its_calendar_window(
    ko: str, en: str | None, start: dt.date, end: dt.date, basis: str, cut: bool
) -> None:
    for text in (ko, en) if en else (ko,):
        period = find_period(text, now=NOW, tz=SEOUL)
        assert period is not None, text
        window = period.window(NOW, SEOUL)
        compared = window.previous()
        assert (compared.start, compared.end, window.basis) == (start, end, basis), text
        # a running period stops at the same time of day on the comparison's last day
        stop = compared.utc_bounds(SEOUL)[1].astimezone(SEOUL)
        if cut:
            assert (stop.date(), f"{stop:%H:%M}") == (end, CUT), text
        else:
            assert stop == dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), SEOUL), text


def test_november_against_october_is_not_the_equal_length_window() -> None:
    november = find_period("11월", now=NOW, tz=SEOUL)
    assert november is not None
    equal_length = Window(november.start, november.end, NOW, basis="previous_period").previous()
    assert (equal_length.start, equal_length.end) == (D(2026, 10, 2), D(2026, 10, 31))
    calendar = november.window(NOW, SEOUL).previous()
    assert (calendar.start, calendar.end) == (D(2026, 10, 1), D(2026, 10, 31))


def test_a_month_so_far_longer_than_the_month_before_stops_at_its_end() -> None:
    march_31 = dt.datetime(2026, 3, 31, 9, 0, tzinfo=SEOUL)
    period = find_period("이번달", now=march_31, tz=SEOUL)
    assert period is not None
    compared = period.window(march_31, SEOUL).previous()
    assert (compared.start, compared.end) == (D(2026, 2, 1), D(2026, 2, 28))
    # February's last day is whole: the month stopped before the day number
    assert compared.utc_bounds(SEOUL)[1] == dt.datetime(2026, 3, 1, tzinfo=SEOUL)
    span = compare_span(Period(D(2026, 3, 1), D(2026, 3, 30), "this_month"), running=True)
    assert (span.start, span.end, span.whole_last_day) == (D(2026, 2, 1), D(2026, 2, 28), True)
    # November so far on its last day: October's same days, cut at the same time
    span = compare_span(Period(D(2026, 11, 1), D(2026, 11, 30), "this_month"), running=True)
    assert (span.start, span.end, span.whole_last_day) == (D(2026, 10, 1), D(2026, 10, 30), False)


@pytest.mark.parametrize(
    ("start", "end", "key"),
    [
        (D(2026, 11, 1), D(2026, 11, 30), "last_month"),
        (D(2026, 10, 1), D(2026, 10, 31), "month"),
        (D(2026, 11, 23), D(2026, 11, 29), "last_week"),
        (D(2026, 11, 9), D(2026, 11, 15), "week"),
        (D(2026, 11, 28), D(2026, 11, 29), "weekend"),
        (D(2026, 7, 1), D(2026, 9, 30), "last_quarter"),
        (D(2026, 1, 1), D(2026, 6, 30), "half"),
        (D(2025, 1, 1), D(2025, 12, 31), "last_year"),
        (D(2026, 12, 2), D(2026, 12, 2), "today"),
        (D(2026, 11, 3), D(2026, 11, 3), "date"),
        (D(2026, 11, 25), D(2026, 12, 1), "last_n_days"),
        (D(2026, 11, 3), D(2026, 11, 10), "range"),
    ],
)
def test_dates_alone_name_their_kind_of_period(start: dt.date, end: dt.date, key: str) -> None:
    assert of_dates(start, end, D(2026, 12, 2)).key == key


def test_a_period_round_trips_through_a_stored_turn() -> None:
    period = Period(D(2026, 11, 25), D(2026, 12, 1), "last_n_days", 7)
    assert Period.from_json(period.to_json()) == period
    assert Period.from_json({"key": "month", "start": "bad"}) is None
    assert Period.from_json(None) is None
