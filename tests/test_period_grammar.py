"""The period grammar sellers use (issue 10, section 2), Korean and English, against
hand-written dates. NOW is Wednesday 2026-12-02 14:10 in Seoul:

    Mondays: Oct 5 12 19 26 · Nov 2 9 16 23 30 · Dec 7 14 21 28 (Nov 1 is a Sunday)
    this week 11-30..12-02 · last week 11-23..29 · the week before 11-16..22
    black Friday 2026 = 11-27 (Thanksgiving 11-26), 2025 = 11-28, 2024 = 11-29
    설 2026 = 02-16..18, 2024 = 02-09..11 · 추석 2026 = 09-24..26, 2025 = 10-05..07

Other nows: January (2027-01-06, Wed; Jan 1 2027 is a Friday), a month whose 1st
is a Monday (June 2026, February 2027), a leap year (February 2028 starts on a
Tuesday: Mondays 7 14 21 28).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from analytics.periods import Period, PeriodError, Versus, find_period, names_previous, previous_of

SEOUL = ZoneInfo("Asia/Seoul")
NOW = dt.datetime(2026, 12, 2, 14, 10, tzinfo=SEOUL)
JANUARY = dt.datetime(2027, 1, 6, 10, 0, tzinfo=SEOUL)
D = dt.date


def at(year: int, month: int, day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=SEOUL)


# (text, now, start, end, key, n)
Row = tuple[str, dt.datetime, dt.date, dt.date, str, int | None]

WEEKS_OF_A_MONTH: list[Row] = [
    ("11월 첫째주 매출", NOW, D(2026, 11, 2), D(2026, 11, 8), "week_of_month", 1),
    ("11월 첫 주", NOW, D(2026, 11, 2), D(2026, 11, 8), "week_of_month", 1),
    ("first week of November", NOW, D(2026, 11, 2), D(2026, 11, 8), "week_of_month", 1),
    ("11월 둘째 주", NOW, D(2026, 11, 9), D(2026, 11, 15), "week_of_month", 2),
    ("11월 2주차", NOW, D(2026, 11, 9), D(2026, 11, 15), "week_of_month", 2),
    ("11월 두 번째 주", NOW, D(2026, 11, 9), D(2026, 11, 15), "week_of_month", 2),
    ("the second week of November", NOW, D(2026, 11, 9), D(2026, 11, 15), "week_of_month", 2),
    ("11월 셋째주", NOW, D(2026, 11, 16), D(2026, 11, 22), "week_of_month", 3),
    ("3rd week of Nov", NOW, D(2026, 11, 16), D(2026, 11, 22), "week_of_month", 3),
    ("지난달 넷째 주", NOW, D(2026, 11, 23), D(2026, 11, 29), "week_of_month", 4),
    # November's last Monday is the 30th: its last week runs into December, cut at today
    ("11월 마지막 주", NOW, D(2026, 11, 30), D(2026, 12, 2), "week_of_month", 5),
    ("last week of November", NOW, D(2026, 11, 30), D(2026, 12, 2), "week_of_month", 5),
    ("10월 마지막 주", NOW, D(2026, 10, 26), D(2026, 11, 1), "week_of_month", 4),
    ("the third week of last month", NOW, D(2026, 11, 16), D(2026, 11, 22), "week_of_month", 3),
    ("작년 11월 첫째주", NOW, D(2025, 11, 3), D(2025, 11, 9), "week_of_month", 1),
    # no month: this month (Dec 2026: Mondays 7, 14, 21, 28)
    ("이번달 둘째주", at(2026, 12, 17), D(2026, 12, 14), D(2026, 12, 17), "week_of_month", 2),
    ("둘째 주 매출", at(2026, 12, 17), D(2026, 12, 14), D(2026, 12, 17), "week_of_month", 2),
    ("셋째주", at(2026, 12, 24), D(2026, 12, 21), D(2026, 12, 24), "week_of_month", 3),
    ("마지막 주", at(2026, 12, 31), D(2026, 12, 28), D(2026, 12, 31), "week_of_month", 4),
    (
        "second week of this month",
        at(2026, 12, 17),
        D(2026, 12, 14),
        D(2026, 12, 17),
        "week_of_month",
        2,
    ),  # fmt: skip
    # January: last month is last year's December
    ("이번달 첫째주", JANUARY, D(2027, 1, 4), D(2027, 1, 6), "week_of_month", 1),
    ("12월 마지막 주", JANUARY, D(2026, 12, 28), D(2027, 1, 3), "week_of_month", 4),
    ("지난달 둘째 주", JANUARY, D(2026, 12, 14), D(2026, 12, 20), "week_of_month", 2),
    # a month whose 1st is a Monday: its first week starts on the 1st
    ("6월 첫째주", NOW, D(2026, 6, 1), D(2026, 6, 7), "week_of_month", 1),
    ("first week of June", NOW, D(2026, 6, 1), D(2026, 6, 7), "week_of_month", 1),
    ("6월 마지막 주", NOW, D(2026, 6, 29), D(2026, 7, 5), "week_of_month", 5),
    ("2월 마지막 주", at(2027, 3, 3), D(2027, 2, 22), D(2027, 2, 28), "week_of_month", 4),
    # a leap year: Feb 2028 has four Mondays, its last week ends in March
    ("2028년 2월 넷째 주", at(2028, 3, 10), D(2028, 2, 28), D(2028, 3, 5), "week_of_month", 4),
    ("last week of February", at(2028, 3, 10), D(2028, 2, 28), D(2028, 3, 5), "week_of_month", 4),
]

UNITS_AGO: list[Row] = [
    # N days ago: that single day
    ("3일 전 매출", NOW, D(2026, 11, 29), D(2026, 11, 29), "date", None),
    ("3 days ago", NOW, D(2026, 11, 29), D(2026, 11, 29), "date", None),
    # N weeks ago: that whole Mon-Sun week (this week is 0)
    ("2주전 매출", NOW, D(2026, 11, 16), D(2026, 11, 22), "week", None),
    ("2주 전", NOW, D(2026, 11, 16), D(2026, 11, 22), "week", None),
    ("two weeks ago", NOW, D(2026, 11, 16), D(2026, 11, 22), "week", None),
    ("지지난주", NOW, D(2026, 11, 16), D(2026, 11, 22), "week", None),
    ("the week before last", NOW, D(2026, 11, 16), D(2026, 11, 22), "week", None),
    ("일주일 전", NOW, D(2026, 11, 23), D(2026, 11, 29), "last_week", None),
    ("a week ago", NOW, D(2026, 11, 23), D(2026, 11, 29), "last_week", None),
    # N months ago: that calendar month
    ("한달 전", NOW, D(2026, 11, 1), D(2026, 11, 30), "last_month", None),
    ("한 달 전 매출", NOW, D(2026, 11, 1), D(2026, 11, 30), "last_month", None),
    ("a month ago", NOW, D(2026, 11, 1), D(2026, 11, 30), "last_month", None),
    ("2달 전", NOW, D(2026, 10, 1), D(2026, 10, 31), "month", None),
    ("3개월 전", NOW, D(2026, 9, 1), D(2026, 9, 30), "month", None),
    ("two months ago", NOW, D(2026, 10, 1), D(2026, 10, 31), "month", None),
    ("지지난달", NOW, D(2026, 10, 1), D(2026, 10, 31), "month", None),
    # N years ago: that calendar year
    ("1년 전", NOW, D(2025, 1, 1), D(2025, 12, 31), "last_year", None),
    ("two years ago", NOW, D(2024, 1, 1), D(2024, 12, 31), "year", None),
    # since: from the same day N units ago to today
    ("2주 전부터", NOW, D(2026, 11, 18), D(2026, 12, 2), "range", None),
    ("since two weeks ago", NOW, D(2026, 11, 18), D(2026, 12, 2), "range", None),
    # January and a leap year
    ("한달 전", JANUARY, D(2026, 12, 1), D(2026, 12, 31), "last_month", None),
    ("2달 전", JANUARY, D(2026, 11, 1), D(2026, 11, 30), "month", None),
    ("2주 전", JANUARY, D(2026, 12, 21), D(2026, 12, 27), "week", None),
    ("지지난달", JANUARY, D(2026, 11, 1), D(2026, 11, 30), "month", None),
    ("3일 전", at(2028, 3, 1), D(2028, 2, 27), D(2028, 2, 27), "date", None),
    ("a month ago", at(2028, 3, 1), D(2028, 2, 1), D(2028, 2, 29), "last_month", None),
]

HALVES: list[Row] = [
    ("first half", NOW, D(2026, 1, 1), D(2026, 6, 30), "half", None),
    ("H1 sales", NOW, D(2026, 1, 1), D(2026, 6, 30), "half", None),
    ("the first half of the year", NOW, D(2026, 1, 1), D(2026, 6, 30), "half", None),
    ("상반기", NOW, D(2026, 1, 1), D(2026, 6, 30), "half", None),
    ("second half", NOW, D(2026, 7, 1), D(2026, 12, 2), "half", None),
    ("H2", NOW, D(2026, 7, 1), D(2026, 12, 2), "half", None),
    ("second half of 2025", NOW, D(2025, 7, 1), D(2025, 12, 31), "half", None),
    ("H2 2025", NOW, D(2025, 7, 1), D(2025, 12, 31), "half", None),
    ("2025 H2", NOW, D(2025, 7, 1), D(2025, 12, 31), "half", None),
    ("2025년 하반기", NOW, D(2025, 7, 1), D(2025, 12, 31), "half", None),
    ("first half of last year", NOW, D(2025, 1, 1), D(2025, 6, 30), "half", None),
    ("last half-year", NOW, D(2026, 1, 1), D(2026, 6, 30), "half", None),
    ("지난 반기", NOW, D(2026, 1, 1), D(2026, 6, 30), "half", None),
    ("this half", NOW, D(2026, 7, 1), D(2026, 12, 2), "half", None),
    ("이번 반기", NOW, D(2026, 7, 1), D(2026, 12, 2), "half", None),
    # in March the second half is last year's, and so is the last half-year
    ("second half", at(2026, 3, 15), D(2025, 7, 1), D(2025, 12, 31), "half", None),
    ("last half-year", at(2026, 3, 15), D(2025, 7, 1), D(2025, 12, 31), "half", None),
]

MONTHS_OF_LAST_YEAR: list[Row] = [
    ("작년 12월", NOW, D(2025, 12, 1), D(2025, 12, 31), "month", None),
    ("작년 11월 매출", NOW, D(2025, 11, 1), D(2025, 11, 30), "month", None),
    ("2025년 12월", NOW, D(2025, 12, 1), D(2025, 12, 31), "month", None),
    ("last December", NOW, D(2025, 12, 1), D(2025, 12, 31), "month", None),
    ("December last year", NOW, D(2025, 12, 1), D(2025, 12, 31), "month", None),
    ("sales in December of last year", NOW, D(2025, 12, 1), D(2025, 12, 31), "month", None),
    ("last year's December", NOW, D(2025, 12, 1), D(2025, 12, 31), "month", None),
    ("Dec 2025", NOW, D(2025, 12, 1), D(2025, 12, 31), "month", None),
    ("December this year", NOW, D(2026, 12, 1), D(2026, 12, 2), "month", None),
    # in January, last year is the year that just ended
    ("작년 12월", JANUARY, D(2026, 12, 1), D(2026, 12, 31), "month", None),
    ("last December", JANUARY, D(2026, 12, 1), D(2026, 12, 31), "month", None),
    ("December last year", JANUARY, D(2026, 12, 1), D(2026, 12, 31), "month", None),
]

SHOPPING_DAYS: list[Row] = [
    ("블프 매출", NOW, D(2026, 11, 27), D(2026, 11, 27), "black_friday", None),
    ("블랙프라이데이 주문", NOW, D(2026, 11, 27), D(2026, 11, 27), "black_friday", None),
    ("sales on Black Friday", NOW, D(2026, 11, 27), D(2026, 11, 27), "black_friday", None),
    ("작년 블프", NOW, D(2025, 11, 28), D(2025, 11, 28), "black_friday", None),
    ("last year's black friday", NOW, D(2025, 11, 28), D(2025, 11, 28), "black_friday", None),
    ("black friday 2025", NOW, D(2025, 11, 28), D(2025, 11, 28), "black_friday", None),
    ("2024년 블랙프라이데이", NOW, D(2024, 11, 29), D(2024, 11, 29), "black_friday", None),
    # before this year's: the most recent one
    ("블프", at(2026, 11, 20), D(2025, 11, 28), D(2025, 11, 28), "black_friday", None),
    ("cyber monday", NOW, D(2026, 11, 30), D(2026, 11, 30), "cyber_monday", None),
    ("사이버먼데이", NOW, D(2026, 11, 30), D(2026, 11, 30), "cyber_monday", None),
    ("11.11 매출", NOW, D(2026, 11, 11), D(2026, 11, 11), "singles_day", None),
    ("광군제", NOW, D(2026, 11, 11), D(2026, 11, 11), "singles_day", None),
    ("빼빼로데이", NOW, D(2026, 11, 11), D(2026, 11, 11), "singles_day", None),
    ("Singles' Day sales", NOW, D(2026, 11, 11), D(2026, 11, 11), "singles_day", None),
    ("작년 광군제", NOW, D(2025, 11, 11), D(2025, 11, 11), "singles_day", None),
    ("설날 매출", NOW, D(2026, 2, 16), D(2026, 2, 18), "seollal", None),
    ("설 연휴", NOW, D(2026, 2, 16), D(2026, 2, 18), "seollal", None),
    ("설 매출", NOW, D(2026, 2, 16), D(2026, 2, 18), "seollal", None),
    ("lunar new year", NOW, D(2026, 2, 16), D(2026, 2, 18), "seollal", None),
    ("2024년 설", NOW, D(2024, 2, 9), D(2024, 2, 11), "seollal", None),
    ("추석 매출", NOW, D(2026, 9, 24), D(2026, 9, 26), "chuseok", None),
    ("추석 연휴", NOW, D(2026, 9, 24), D(2026, 9, 26), "chuseok", None),
    ("Chuseok", NOW, D(2026, 9, 24), D(2026, 9, 26), "chuseok", None),
    ("작년 추석", NOW, D(2025, 10, 5), D(2025, 10, 7), "chuseok", None),
    # in January, this year's holidays have not come: last year's
    ("설", JANUARY, D(2026, 2, 16), D(2026, 2, 18), "seollal", None),
    ("작년 블프", JANUARY, D(2026, 11, 27), D(2026, 11, 27), "black_friday", None),
    # a holiday still running is cut at today
    ("추석", at(2026, 9, 25), D(2026, 9, 24), D(2026, 9, 25), "chuseok", None),
]

TABLE = WEEKS_OF_A_MONTH + UNITS_AGO + HALVES + MONTHS_OF_LAST_YEAR + SHOPPING_DAYS


@pytest.mark.parametrize(
    ("text", "now", "start", "end", "key", "n"),
    TABLE,
    ids=[f"{row[0]}@{row[1]:%Y-%m-%d}" for row in TABLE],
)
def test_the_period_a_seller_names(
    text: str, now: dt.datetime, start: dt.date, end: dt.date, key: str, n: int | None
) -> None:
    assert find_period(text, now=now, tz=SEOUL) == Period(start, end, key, n)


NOT_A_PERIOD = [
    "블프 기획전 광고 효율",  # a campaign named after the day
    "추석 선물세트 재고",  # a product
    "black friday gift set",
    "설명 좀 해줘",
    "설정 바꾸는 법",
    "첫 주문 고객",
    "마지막 주문이 언제야?",
    "두번째 주문",
    "전환율 11.11%",
    "딸기잼 설탕 들어가요?",
    "구정물",
]


@pytest.mark.parametrize("text", NOT_A_PERIOD)
def test_words_that_only_look_like_a_period(text: str) -> None:
    assert find_period(text, now=NOW, tz=SEOUL) is None


# (text, now, key, params)
UNRESOLVED: list[tuple[str, dt.datetime, str, dict[str, str | int]]] = [
    ("11월 6째주", NOW, "unresolved_period", {"text": "11월 6째주", "month": 11, "weeks": 5}),
    (
        "sixth week of November",
        NOW,
        "unresolved_period",
        {"text": "sixth week of november", "month": 11, "weeks": 5},
    ),
    (
        "2월 다섯째 주",
        at(2027, 3, 3),
        "unresolved_period",
        {"text": "2월 다섯째 주", "month": 2, "weeks": 4},
    ),
    ("10000일 전", NOW, "unresolved_period", {"text": "10000일 전"}),
    # the text is the phrase as matched: lower-cased like every period error's
    ("Last 0 Days", NOW, "unresolved_period", {"text": "last 0 days"}),
    ("최근 0일", NOW, "unresolved_period", {"text": "최근 0일"}),
    ("1900년 추석", NOW, "unresolved_period", {"text": "1900년 추석"}),
    ("다다음주 매출", NOW, "future", {"text": "다다음주"}),
    ("2099년", NOW, "future", {"text": "2099년", "start": "2099-01-01"}),
    ("지난 10000일", NOW, "too_long", {"text": "지난 10000일", "max_days": 3660}),
    # December's first week starts on the 7th: not yet on the 2nd
    ("첫째주", NOW, "future", {"text": "첫째주", "start": "2026-12-07"}),
    ("올해 블프", at(2026, 11, 20), "future", {"text": "올해 블프", "start": "2026-11-27"}),
]


@pytest.mark.parametrize(
    ("text", "now", "key", "params"), UNRESOLVED, ids=[u[0] for u in UNRESOLVED]
)
def test_a_period_that_cannot_be_resolved_is_an_error_not_a_default(
    text: str, now: dt.datetime, key: str, params: dict[str, str | int]
) -> None:
    with pytest.raises(PeriodError) as caught:
        find_period(text, now=now, tz=SEOUL)
    assert (caught.value.key, caught.value.params) == (key, params)


# ---------------------------------------------------------------- comparisons


def _compared(text: str, now: dt.datetime = NOW) -> tuple[dt.date, dt.date, str, str | None]:
    period = find_period(text, now=now, tz=SEOUL)
    assert period is not None, text
    window = period.window(now, SEOUL)
    compared = window.previous()
    stop = compared.utc_bounds(SEOUL)[1].astimezone(SEOUL)
    whole = stop == dt.datetime.combine(compared.end + dt.timedelta(days=1), dt.time(), SEOUL)
    return compared.start, compared.end, window.basis, None if whole else f"{stop:%m-%d %H:%M}"


# (text, compared start, compared end, basis, cut: local time the comparison stops, None: whole)
COMPARISONS = [
    # a week of a month: the week before
    ("11월 첫째주", D(2026, 10, 26), D(2026, 11, 1), "previous_week", None),
    ("first week of November", D(2026, 10, 26), D(2026, 11, 1), "previous_week", None),
    ("11월 마지막 주", D(2026, 11, 23), D(2026, 11, 25), "previous_week", "11-25 14:10"),
    # shopping days like a day, lunar holidays with the days before
    ("블프 매출", D(2026, 11, 26), D(2026, 11, 26), "previous_day", None),
    ("sales on black friday", D(2026, 11, 26), D(2026, 11, 26), "previous_day", None),
    ("추석 매출", D(2026, 9, 21), D(2026, 9, 23), "previous_period", None),
    # English halves like 상반기
    ("first half", D(2025, 7, 1), D(2025, 12, 31), "previous_half", None),
    ("H2", D(2026, 1, 1), D(2026, 6, 2), "previous_half", "06-02 14:10"),
    # X vs Y: the calendar's own window keeps its basis
    ("11월이랑 10월 비교", D(2026, 10, 1), D(2026, 10, 31), "previous_month", None),
    ("11월 vs 10월", D(2026, 10, 1), D(2026, 10, 31), "previous_month", None),
    ("10월 대비 11월 매출", D(2026, 10, 1), D(2026, 10, 31), "previous_month", None),
    ("November vs October", D(2026, 10, 1), D(2026, 10, 31), "previous_month", None),
    ("compare November with October", D(2026, 10, 1), D(2026, 10, 31), "previous_month", None),
    ("this week vs last week", D(2026, 11, 23), D(2026, 11, 25), "previous_week", "11-25 14:10"),
    ("이번주 vs 지난주", D(2026, 11, 23), D(2026, 11, 25), "previous_week", "11-25 14:10"),
    ("올해 vs 작년", D(2025, 1, 1), D(2025, 12, 2), "previous_year", "12-02 14:10"),
    # X vs Y otherwise: exactly Y (the same part of it while X is running)
    ("10월 vs 11월", D(2026, 11, 1), D(2026, 11, 30), "explicit", None),
    ("2026년 11월 vs 2025년 11월", D(2025, 11, 1), D(2025, 11, 30), "explicit", None),
    ("이번달 vs 10월", D(2026, 10, 1), D(2026, 10, 2), "explicit", "10-02 14:10"),
    ("오늘 vs 지난 금요일", D(2026, 11, 27), D(2026, 11, 27), "explicit", "11-27 14:10"),
    ("블프 vs 작년 블프", D(2025, 11, 28), D(2025, 11, 28), "explicit", None),
    ("sales yesterday vs last week", D(2026, 11, 24), D(2026, 11, 24), "explicit", None),
    ("지난주 vs 11월", D(2026, 11, 1), D(2026, 11, 30), "explicit", None),
    # the same time last year: the same dates a year earlier, cut when running
    (
        "이번달 vs 작년 같은 달",
        D(2025, 12, 1),
        D(2025, 12, 2),
        "same_time_last_year",
        "12-02 14:10",
    ),  # fmt: skip
    ("작년 이맘때 대비", D(2025, 12, 1), D(2025, 12, 2), "same_time_last_year", "12-02 14:10"),
    ("same time last year", D(2025, 12, 1), D(2025, 12, 2), "same_time_last_year", "12-02 14:10"),
    (
        "이번달 매출 전년 동기 대비",
        D(2025, 12, 1),
        D(2025, 12, 2),
        "same_time_last_year",
        "12-02 14:10",
    ),  # fmt: skip
    ("작년 대비 이번달", D(2025, 12, 1), D(2025, 12, 2), "same_time_last_year", "12-02 14:10"),
    (
        "11월 매출 작년 같은 기간 대비",
        D(2025, 11, 1),
        D(2025, 11, 30),
        "same_time_last_year",
        None,
    ),  # fmt: skip
    (
        "November compared to the same period last year",
        D(2025, 11, 1),
        D(2025, 11, 30),
        "same_time_last_year",
        None,
    ),
    ("this week YoY", D(2025, 11, 30), D(2025, 12, 2), "same_time_last_year", "12-02 14:10"),
    ("오늘 작년 이맘때랑", D(2025, 12, 2), D(2025, 12, 2), "same_time_last_year", "12-02 14:10"),
]


@pytest.mark.parametrize(
    ("text", "start", "end", "basis", "cut"), COMPARISONS, ids=[c[0] for c in COMPARISONS]
)
def test_the_comparison_window_of_what_was_asked(
    text: str, start: dt.date, end: dt.date, basis: str, cut: str | None
) -> None:
    assert _compared(text) == (start, end, basis, cut)


def test_x_vs_y_keeps_x_and_names_y() -> None:
    assert find_period("11월이랑 10월 비교해줘", now=NOW, tz=SEOUL) == Period(
        D(2026, 11, 1),
        D(2026, 11, 30),
        "month",
        versus=Versus(D(2026, 10, 1), D(2026, 10, 31), "explicit", "month"),
    )
    alone = find_period("작년 이맘때랑 비교하면?", now=NOW, tz=SEOUL)
    assert alone == Period(
        D(2026, 12, 1),
        D(2026, 12, 2),
        "this_month",
        versus=Versus(D(2025, 12, 1), D(2025, 12, 2), "same_time_last_year", "this_month"),
    )
    assert alone is not None and alone.span == (0, 6)  # "작년 이맘때"
    # two periods without a comparison asked: the first one, compared by the calendar
    plain = find_period("11월 10월 매출", now=NOW, tz=SEOUL)
    assert plain is not None and plain.versus is None


def test_the_same_time_last_year_of_a_leap_day_is_february_28() -> None:
    leap_day = at(2028, 2, 29, 18)
    assert _compared("오늘 작년 이맘때 대비", leap_day) == (
        D(2027, 2, 28),
        D(2027, 2, 28),
        "same_time_last_year",
        "02-28 18:00",
    )


def test_a_period_with_its_comparison_round_trips_through_a_stored_turn() -> None:
    period = find_period("이번달 vs 10월", now=NOW, tz=SEOUL)
    assert period is not None and period.versus is not None
    stored = period.to_json()
    assert stored == {
        "key": "this_month",
        "start": "2026-12-01",
        "end": "2026-12-02",
        "versus_start": "2026-10-01",
        "versus_end": "2026-10-31",
        "versus_basis": "explicit",
        "versus_key": "month",
    }
    again = Period.from_json(stored)
    assert again == period
    assert again is not None and again.window(NOW, SEOUL) == period.window(NOW, SEOUL)
    week = Period(D(2026, 11, 2), D(2026, 11, 8), "week_of_month", 1)
    assert Period.from_json(week.to_json()) == week
    # a turn stored before comparisons existed, and a broken comparison, read without one
    old = {"key": "month", "start": "2026-11-01", "end": "2026-11-30"}
    assert Period.from_json(old) == Period(D(2026, 11, 1), D(2026, 11, 30), "month")
    broken = {**stored, "versus_basis": "whatever"}
    assert Period.from_json(broken) == Period(D(2026, 12, 1), D(2026, 12, 2), "this_month")


# ---------------------------------------------------------------- follow-ups

FOLLOW_UPS = [
    ("그 전주", True),
    ("그 전 주", True),
    ("그전주는?", True),
    ("전주는?", True),
    ("그 전달", True),
    ("그 전 달은?", True),
    ("그 전날", True),
    ("the week before", True),
    ("and the week before?", True),
    ("the month before", True),
    ("the day before", True),
    ("what about the month before that", True),
    ("전주 실적 알려줘", False),  # last week, asked outright
    ("the day before yesterday", False),
    ("the week before last", False),
    ("the week before Christmas", False),
    ("그 전체 매출", False),
    ("그 전에 주문한 고객", False),
    ("지난주 매출", False),
]


@pytest.mark.parametrize(("text", "expected"), FOLLOW_UPS, ids=[f[0] for f in FOLLOW_UPS])
def test_names_previous(text: str, expected: bool) -> None:
    assert names_previous(text) is expected


PREVIOUS = [
    (
        Period(D(2026, 12, 2), D(2026, 12, 2), "today"),
        Period(D(2026, 12, 1), D(2026, 12, 1), "yesterday"),
    ),  # fmt: skip
    (
        Period(D(2026, 12, 1), D(2026, 12, 1), "yesterday"),
        Period(D(2026, 11, 30), D(2026, 11, 30), "day_before_yesterday"),
    ),
    (
        Period(D(2026, 11, 3), D(2026, 11, 3), "date"),
        Period(D(2026, 11, 2), D(2026, 11, 2), "date"),
    ),
    (
        Period(D(2026, 11, 27), D(2026, 11, 27), "black_friday"),
        Period(D(2026, 11, 26), D(2026, 11, 26), "date"),
    ),
    # this week so far -> the whole week before
    (
        Period(D(2026, 11, 30), D(2026, 12, 2), "this_week"),
        Period(D(2026, 11, 23), D(2026, 11, 29), "last_week"),
    ),
    (
        Period(D(2026, 11, 23), D(2026, 11, 29), "last_week"),
        Period(D(2026, 11, 16), D(2026, 11, 22), "week"),
    ),
    (
        Period(D(2026, 11, 2), D(2026, 11, 8), "week_of_month", 1),
        Period(D(2026, 10, 26), D(2026, 11, 1), "week"),
    ),
    (
        Period(D(2026, 11, 28), D(2026, 11, 29), "weekend"),
        Period(D(2026, 11, 21), D(2026, 11, 22), "weekend"),
    ),
    # this month so far -> the whole month before
    (
        Period(D(2026, 12, 1), D(2026, 12, 2), "this_month"),
        Period(D(2026, 11, 1), D(2026, 11, 30), "last_month"),
    ),
    (
        Period(D(2026, 11, 1), D(2026, 11, 30), "last_month"),
        Period(D(2026, 10, 1), D(2026, 10, 31), "month"),
    ),
    (
        Period(D(2026, 7, 1), D(2026, 9, 30), "last_quarter"),
        Period(D(2026, 4, 1), D(2026, 6, 30), "quarter"),
    ),
    (Period(D(2026, 1, 1), D(2026, 6, 30), "half"), Period(D(2025, 7, 1), D(2025, 12, 31), "half")),
    (
        Period(D(2026, 1, 1), D(2026, 12, 2), "this_year"),
        Period(D(2025, 1, 1), D(2025, 12, 31), "last_year"),
    ),
    # last N days -> the N days before; last 3 months (91 days) -> the 91 days before
    (
        Period(D(2026, 11, 25), D(2026, 12, 1), "last_n_days", 7),
        Period(D(2026, 11, 18), D(2026, 11, 24), "range"),
    ),
    (
        Period(D(2026, 9, 2), D(2026, 12, 1), "last_n_months", 3),
        Period(D(2026, 6, 3), D(2026, 9, 1), "range"),
    ),
    (
        Period(D(2026, 9, 24), D(2026, 9, 26), "chuseok"),
        Period(D(2026, 9, 21), D(2026, 9, 23), "range"),
    ),
    # the period before is compared by the calendar again
    (
        Period(
            D(2026, 11, 1),
            D(2026, 11, 30),
            "month",
            versus=Versus(D(2025, 11, 1), D(2025, 11, 30), "same_time_last_year", "month"),
        ),
        Period(D(2026, 10, 1), D(2026, 10, 31), "month"),
    ),
]


@pytest.mark.parametrize(("period", "expected"), PREVIOUS, ids=[p[0].key for p in PREVIOUS])
def test_previous_of(period: Period, expected: Period) -> None:
    assert previous_of(period, NOW, SEOUL) == expected


def test_the_week_before_as_a_follow_up_of_a_week_of_a_month() -> None:
    asked = find_period("11월 둘째 주 매출", now=NOW, tz=SEOUL)
    assert asked is not None and names_previous("그 전주는?")
    before = previous_of(asked, NOW, SEOUL)
    assert before == Period(D(2026, 11, 2), D(2026, 11, 8), "week")
    compared = before.window(NOW, SEOUL).previous()
    assert (compared.start, compared.end) == (D(2026, 10, 26), D(2026, 11, 1))
