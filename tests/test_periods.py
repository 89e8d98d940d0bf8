"""Period resolution from Korean and English text, against a fixed now.

NOW is Friday 2026-11-27 14:30 in Seoul. Every expectation below is written
out by hand from a calendar: November 2026 starts on a Sunday, so this week is
Mon 23 - Fri 27 (so far) and last week Mon 16 - Sun 22.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from analytics.common import Window
from analytics.periods import (
    Period,
    PeriodError,
    Versus,
    default_period,
    find_period,
    resolve_period,
)

SEOUL = ZoneInfo("Asia/Seoul")
NOW = dt.datetime(2026, 11, 27, 14, 30, tzinfo=SEOUL)
D = dt.date

CASES: list[tuple[str, dt.date, dt.date, str, int | None]] = [
    # today, yesterday, the day before
    ("오늘 매출 어때?", D(2026, 11, 27), D(2026, 11, 27), "today", None),
    ("금일 주문", D(2026, 11, 27), D(2026, 11, 27), "today", None),
    ("how are sales today so far", D(2026, 11, 27), D(2026, 11, 27), "today", None),
    ("today's revenue", D(2026, 11, 27), D(2026, 11, 27), "today", None),
    ("현재까지 매출", D(2026, 11, 27), D(2026, 11, 27), "today", None),
    ("실시간 매출", D(2026, 11, 27), D(2026, 11, 27), "today", None),
    ("어제 매출", D(2026, 11, 26), D(2026, 11, 26), "yesterday", None),
    ("어제자 주문 몇 건?", D(2026, 11, 26), D(2026, 11, 26), "yesterday", None),
    ("yesterday", D(2026, 11, 26), D(2026, 11, 26), "yesterday", None),
    ("yday sales", D(2026, 11, 26), D(2026, 11, 26), "yesterday", None),
    ("yesturday sales pls", D(2026, 11, 26), D(2026, 11, 26), "yesterday", None),
    ("그저께 매출", D(2026, 11, 25), D(2026, 11, 25), "day_before_yesterday", None),
    ("엊그제 주문", D(2026, 11, 25), D(2026, 11, 25), "day_before_yesterday", None),
    ("the day before yesterday", D(2026, 11, 25), D(2026, 11, 25), "day_before_yesterday", None),
    ("2 days ago", D(2026, 11, 25), D(2026, 11, 25), "day_before_yesterday", None),
    ("3일 전 매출", D(2026, 11, 24), D(2026, 11, 24), "date", None),
    ("이틀 전 주문", D(2026, 11, 25), D(2026, 11, 25), "day_before_yesterday", None),
    # weeks
    ("이번 주 매출", D(2026, 11, 23), D(2026, 11, 27), "this_week", None),
    ("이번주", D(2026, 11, 23), D(2026, 11, 27), "this_week", None),
    ("금주 실적", D(2026, 11, 23), D(2026, 11, 27), "this_week", None),
    ("this wk", D(2026, 11, 23), D(2026, 11, 27), "this_week", None),
    ("지난주 매출", D(2026, 11, 16), D(2026, 11, 22), "last_week", None),
    ("지난 주 베스트", D(2026, 11, 16), D(2026, 11, 22), "last_week", None),
    ("저번주", D(2026, 11, 16), D(2026, 11, 22), "last_week", None),
    ("전주 실적", D(2026, 11, 16), D(2026, 11, 22), "last_week", None),
    ("top 5 products last week", D(2026, 11, 16), D(2026, 11, 22), "last_week", None),
    ("지지난주", D(2026, 11, 9), D(2026, 11, 15), "week", None),
    ("the week before last", D(2026, 11, 9), D(2026, 11, 15), "week", None),
    ("지난 주말", D(2026, 11, 21), D(2026, 11, 22), "weekend", None),
    ("weekend sales", D(2026, 11, 21), D(2026, 11, 22), "weekend", None),
    # months, quarters, years
    ("이번 달 매출", D(2026, 11, 1), D(2026, 11, 27), "this_month", None),
    ("이달 베스트", D(2026, 11, 1), D(2026, 11, 27), "this_month", None),
    ("this month so far", D(2026, 11, 1), D(2026, 11, 27), "this_month", None),
    ("mtd revenue", D(2026, 11, 1), D(2026, 11, 27), "this_month", None),
    ("지난달 매출", D(2026, 10, 1), D(2026, 10, 31), "last_month", None),
    ("저번달", D(2026, 10, 1), D(2026, 10, 31), "last_month", None),
    ("전월 실적", D(2026, 10, 1), D(2026, 10, 31), "last_month", None),
    ("last month", D(2026, 10, 1), D(2026, 10, 31), "last_month", None),
    ("전전달", D(2026, 9, 1), D(2026, 9, 30), "month", None),
    ("10월 매출", D(2026, 10, 1), D(2026, 10, 31), "month", None),
    ("12월 매출", D(2025, 12, 1), D(2025, 12, 31), "month", None),
    ("sales in October", D(2026, 10, 1), D(2026, 10, 31), "month", None),
    ("November", D(2026, 11, 1), D(2026, 11, 27), "month", None),
    ("2025년 11월", D(2025, 11, 1), D(2025, 11, 30), "month", None),
    ("작년 11월", D(2025, 11, 1), D(2025, 11, 30), "month", None),
    ("sales in may", D(2026, 5, 1), D(2026, 5, 31), "month", None),
    ("1월~3월", D(2026, 1, 1), D(2026, 3, 31), "range", None),
    ("올해 1월부터 3월까지", D(2026, 1, 1), D(2026, 3, 31), "range", None),
    ("3분기", D(2026, 7, 1), D(2026, 9, 30), "quarter", None),
    ("Q3 2025", D(2025, 7, 1), D(2025, 9, 30), "quarter", None),
    ("지난 분기", D(2026, 7, 1), D(2026, 9, 30), "last_quarter", None),
    ("이번 분기", D(2026, 10, 1), D(2026, 11, 27), "this_quarter", None),
    ("상반기", D(2026, 1, 1), D(2026, 6, 30), "half", None),
    ("올해 매출", D(2026, 1, 1), D(2026, 11, 27), "this_year", None),
    ("ytd revenue", D(2026, 1, 1), D(2026, 11, 27), "this_year", None),
    ("작년", D(2025, 1, 1), D(2025, 12, 31), "last_year", None),
    ("last year", D(2025, 1, 1), D(2025, 12, 31), "last_year", None),
    ("2024년", D(2024, 1, 1), D(2024, 12, 31), "year", None),
    ("재작년", D(2024, 1, 1), D(2024, 12, 31), "year", None),
    # last N days / weeks / months: full days ending yesterday
    ("지난 30일 매출", D(2026, 10, 28), D(2026, 11, 26), "last_n_days", 30),
    ("최근 7일", D(2026, 11, 20), D(2026, 11, 26), "last_n_days", 7),
    ("지난 3일 전체 매출", D(2026, 11, 24), D(2026, 11, 26), "last_n_days", 3),
    ("최근7일 상위 3개", D(2026, 11, 20), D(2026, 11, 26), "last_n_days", 7),
    ("14일간 판매량", D(2026, 11, 13), D(2026, 11, 26), "last_n_days", 14),
    ("10일 동안", D(2026, 11, 17), D(2026, 11, 26), "last_n_days", 10),
    ("past 7 days", D(2026, 11, 20), D(2026, 11, 26), "last_n_days", 7),
    ("last seven days", D(2026, 11, 20), D(2026, 11, 26), "last_n_days", 7),
    ("30-day revenue", D(2026, 10, 28), D(2026, 11, 26), "last_n_days", 30),
    ("최근 2주", D(2026, 11, 13), D(2026, 11, 26), "last_n_days", 14),
    ("last 2 weeks", D(2026, 11, 13), D(2026, 11, 26), "last_n_days", 14),
    ("최근 일주일", D(2026, 11, 20), D(2026, 11, 26), "last_n_days", 7),
    ("past week", D(2026, 11, 20), D(2026, 11, 26), "last_n_days", 7),
    ("사흘간", D(2026, 11, 24), D(2026, 11, 26), "last_n_days", 3),
    ("최근 3개월", D(2026, 8, 27), D(2026, 11, 26), "last_n_months", 3),
    ("last 3 months", D(2026, 8, 27), D(2026, 11, 26), "last_n_months", 3),
    ("한 달 동안", D(2026, 10, 27), D(2026, 11, 26), "last_n_months", 1),
    ("최근 1년", D(2025, 11, 27), D(2026, 11, 26), "last_n_months", 12),
    # explicit dates: the most recent one not in the future
    ("11월 3일 매출", D(2026, 11, 3), D(2026, 11, 3), "date", None),
    ("2026-11-03", D(2026, 11, 3), D(2026, 11, 3), "date", None),
    ("2026.11.03 주문", D(2026, 11, 3), D(2026, 11, 3), "date", None),
    ("11/3 sales", D(2026, 11, 3), D(2026, 11, 3), "date", None),
    ("Nov 3", D(2026, 11, 3), D(2026, 11, 3), "date", None),
    ("November 3rd", D(2026, 11, 3), D(2026, 11, 3), "date", None),
    ("3 Nov", D(2026, 11, 3), D(2026, 11, 3), "date", None),
    ("the 3rd of November", D(2026, 11, 3), D(2026, 11, 3), "date", None),
    ("Nov 3, 2025", D(2025, 11, 3), D(2025, 11, 3), "date", None),
    ("12월 30일", D(2025, 12, 30), D(2025, 12, 30), "date", None),
    ("작년 11월 3일", D(2025, 11, 3), D(2025, 11, 3), "date", None),
    ("2024-02-29", D(2024, 2, 29), D(2024, 2, 29), "date", None),
    ("지난 월요일", D(2026, 11, 23), D(2026, 11, 23), "date", None),
    ("지난주 금요일", D(2026, 11, 20), D(2026, 11, 20), "date", None),
    ("last friday", D(2026, 11, 20), D(2026, 11, 20), "date", None),
    ("on tuesday", D(2026, 11, 24), D(2026, 11, 24), "date", None),
    # from a weekday to today, and from one weekday to another (today: Friday 11-27)
    ("sales since monday", D(2026, 11, 23), D(2026, 11, 27), "range", None),
    ("월요일부터 지금까지 매출", D(2026, 11, 23), D(2026, 11, 27), "range", None),
    ("수요일 이후로 광고비", D(2026, 11, 25), D(2026, 11, 27), "range", None),
    ("화요일부터 목요일까지", D(2026, 11, 24), D(2026, 11, 26), "range", None),
    ("from tuesday to thursday", D(2026, 11, 24), D(2026, 11, 26), "range", None),
    ("saturday to monday", D(2026, 11, 21), D(2026, 11, 23), "range", None),
    # ranges
    ("11월 3일부터 10일까지", D(2026, 11, 3), D(2026, 11, 10), "range", None),
    ("11월 3일~11월 10일", D(2026, 11, 3), D(2026, 11, 10), "range", None),
    ("11월 3~10일 매출", D(2026, 11, 3), D(2026, 11, 10), "range", None),
    ("11/3-11/10", D(2026, 11, 3), D(2026, 11, 10), "range", None),
    ("Nov 3 to Nov 10", D(2026, 11, 3), D(2026, 11, 10), "range", None),
    ("from Nov 3 to 10", D(2026, 11, 3), D(2026, 11, 10), "range", None),
    ("between Nov 3 and Nov 10", D(2026, 11, 3), D(2026, 11, 10), "range", None),
    ("3-10 Nov", D(2026, 11, 3), D(2026, 11, 10), "range", None),
    ("2026-11-03 ~ 2026-11-10", D(2026, 11, 3), D(2026, 11, 10), "range", None),
    ("12월 20일~1월 5일", D(2025, 12, 20), D(2026, 1, 5), "range", None),
    ("Dec 28 - Jan 3", D(2025, 12, 28), D(2026, 1, 3), "range", None),
    ("11월 3일부터", D(2026, 11, 3), D(2026, 11, 27), "range", None),
    ("since Nov 20", D(2026, 11, 20), D(2026, 11, 27), "range", None),
    ("11월 3일부터 어제까지", D(2026, 11, 3), D(2026, 11, 26), "range", None),
    ("11월 20일부터 12월 5일까지", D(2026, 11, 20), D(2026, 11, 27), "range", None),
]


@pytest.mark.parametrize(("text", "start", "end", "key", "n"), CASES, ids=[c[0] for c in CASES])
def test_find_period(text: str, start: dt.date, end: dt.date, key: str, n: int | None) -> None:
    assert find_period(text, now=NOW, tz=SEOUL) == Period(start, end, key, n)


# a comparison base gives way to the period asked about and becomes its comparison
# (a week as the base of a day: that week's same weekday)
BASES: list[tuple[str, Period]] = [
    (
        "어제 대비 오늘 매출",
        Period(
            D(2026, 11, 27),
            D(2026, 11, 27),
            "today",
            versus=Versus(D(2026, 11, 26), D(2026, 11, 26), "explicit", "yesterday"),
        ),
    ),
    (
        "sales yesterday vs last week",
        Period(
            D(2026, 11, 26),
            D(2026, 11, 26),
            "yesterday",
            versus=Versus(D(2026, 11, 19), D(2026, 11, 19), "explicit", "date"),
        ),
    ),
    (
        "이번주 매출 지난주보다 어때",
        Period(
            D(2026, 11, 23),
            D(2026, 11, 27),
            "this_week",
            versus=Versus(D(2026, 11, 16), D(2026, 11, 22), "explicit", "last_week"),
        ),
    ),
    (
        "지난 금요일 대비 오늘",
        Period(
            D(2026, 11, 27),
            D(2026, 11, 27),
            "today",
            versus=Versus(D(2026, 11, 20), D(2026, 11, 20), "explicit", "date"),
        ),
    ),
]


@pytest.mark.parametrize(("text", "period"), BASES, ids=[b[0] for b in BASES])
def test_a_comparison_base_becomes_the_versus(text: str, period: Period) -> None:
    assert find_period(text, now=NOW, tz=SEOUL) == period


ERRORS = [
    ("2월 30일 매출", "invalid_date"),
    ("Feb 30", "invalid_date"),
    ("4/31", "invalid_date"),
    ("13월", "invalid_date"),
    ("11월 10일부터 3일까지", "range_reversed"),
    ("2026-11-10 ~ 2026-11-03", "range_reversed"),
    ("11월 10~3일", "range_reversed"),
    ("내일 매출", "future"),
    ("next week", "future"),
    ("2026-12-25", "future"),
    ("이번 주 토요일", "future"),
    ("지난 100000일", "too_long"),
]


@pytest.mark.parametrize(("text", "key"), ERRORS, ids=[e[0] for e in ERRORS])
def test_unusable_periods_raise_with_a_key(text: str, key: str) -> None:
    with pytest.raises(PeriodError) as caught:
        find_period(text, now=NOW, tz=SEOUL)
    assert caught.value.key == key


def test_invalid_date_error_carries_the_text() -> None:
    with pytest.raises(PeriodError) as caught:
        find_period("2월 30일 매출 알려줘", now=NOW, tz=SEOUL)
    assert caught.value.params == {"text": "2월 30일", "year": 2026, "month": 2, "day": 30}
    assert isinstance(caught.value, ValueError)


NO_PERIOD = [
    "top 5 products",
    "매출 1,200,000원 넘었어?",
    "may I see the best sellers",
    "24/7 support question",
    "지난 주문 내역",
    "최근 세일 상품",
    "하루 평균 매출",
    "products that match 소포장",
    "재고 10개 남은 상품",
    "SKU-2024-11 재고",
    "주문번호 2026-001234",
    "product 3 may be out of stock",
    "2시간 전 주문",
    "",
]


@pytest.mark.parametrize("text", NO_PERIOD)
def test_text_without_a_period(text: str) -> None:
    assert find_period(text, now=NOW, tz=SEOUL) is None


def test_span_points_at_the_phrase_in_the_original_text() -> None:
    text = "Top 5 products LAST WEEK please"
    period = find_period(text, now=NOW, tz=SEOUL)
    assert period is not None and period.span is not None
    assert text[period.span[0] : period.span[1]] == "LAST WEEK"


def test_today_is_the_sellers_local_date() -> None:
    # 20:00 UTC on the 27th is 05:00 on the 28th in Seoul, still the 27th in New York
    now = dt.datetime(2026, 11, 27, 20, 0, tzinfo=dt.UTC)
    assert find_period("today", now=now, tz=SEOUL) == Period(
        D(2026, 11, 28), D(2026, 11, 28), "today"
    )
    assert find_period("today", now=now, tz=ZoneInfo("America/New_York")) == Period(
        D(2026, 11, 27), D(2026, 11, 27), "today"
    )


def test_year_is_inferred_from_now() -> None:
    january = dt.datetime(2027, 1, 2, 9, 0, tzinfo=SEOUL)
    assert find_period("12월 30일", now=january, tz=SEOUL) == Period(
        D(2026, 12, 30), D(2026, 12, 30), "date"
    )
    assert find_period("지난달", now=january, tz=SEOUL) == Period(
        D(2026, 12, 1), D(2026, 12, 31), "last_month"
    )
    assert find_period("last 3 months", now=january, tz=SEOUL) == Period(
        D(2026, 10, 2), D(2027, 1, 1), "last_n_months", 3
    )


def test_weeks_and_months_on_their_first_day() -> None:
    monday = dt.datetime(2026, 11, 23, 8, 0, tzinfo=SEOUL)
    assert find_period("이번 주", now=monday, tz=SEOUL) == Period(
        D(2026, 11, 23), D(2026, 11, 23), "this_week"
    )
    assert find_period("지난주", now=monday, tz=SEOUL) == Period(
        D(2026, 11, 16), D(2026, 11, 22), "last_week"
    )
    first = dt.datetime(2026, 3, 1, 8, 0, tzinfo=SEOUL)
    assert find_period("지난달", now=first, tz=SEOUL) == Period(
        D(2026, 2, 1), D(2026, 2, 28), "last_month"
    )
    # May 31 minus 3 months is clamped to the end of February
    may = dt.datetime(2026, 5, 31, 8, 0, tzinfo=SEOUL)
    assert find_period("최근 3개월", now=may, tz=SEOUL) == Period(
        D(2026, 2, 28), D(2026, 5, 30), "last_n_months", 3
    )


def test_resolve_period_defaults() -> None:
    assert resolve_period("매출 어때?", now=NOW, tz=SEOUL) == Period(
        D(2026, 11, 20), D(2026, 11, 26), "last_n_days", 7
    )
    assert resolve_period("매출 어때?", now=NOW, tz=SEOUL, default="today") == Period(
        D(2026, 11, 27), D(2026, 11, 27), "today"
    )
    assert resolve_period("지난주 매출", now=NOW, tz=SEOUL, default="today").key == "last_week"
    assert default_period("last_30_days", now=NOW, tz=SEOUL) == Period(
        D(2026, 10, 28), D(2026, 11, 26), "last_n_days", 30
    )
    with pytest.raises(PeriodError) as caught:
        default_period("forever", now=NOW, tz=SEOUL)
    assert caught.value.key == "unknown_default"


def test_window_cuts_today_at_now() -> None:
    window = find_period("오늘", now=NOW, tz=SEOUL).window(NOW, SEOUL)  # type: ignore[union-attr]
    assert (window.start, window.end, window.now) == (D(2026, 11, 27), D(2026, 11, 27), NOW)
    # compared with yesterday cut at the same time
    yesterday = dt.datetime(2026, 11, 26, 14, 30, tzinfo=SEOUL)
    assert window.previous() == Window(D(2026, 11, 26), D(2026, 11, 26), yesterday)
    assert window.basis == "previous_day"
    start, stop = window.utc_bounds(SEOUL)
    assert (start, stop) == (
        dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 27, 5, 30, tzinfo=dt.UTC),
    )


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        find_period("오늘", now=dt.datetime(2026, 11, 27, 14, 30), tz=SEOUL)
