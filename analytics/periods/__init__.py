"""Periods: Korean or English text to a date range in the seller's timezone.

`find_period(text, now=..., tz=...)` reads the period a free-form question
names ("지난주 매출", "top 5 products last week", "11월 3일부터 10일까지")
and returns a `Period` of inclusive local dates, or None when the text names
none. `resolve_period` falls back to a default. Everything is relative to the
`now` given (never the clock), so a question resolves the same way every time.

What each phrase means (today = the local date of `now`):

- today (so far) · yesterday · 그저께 / the day before yesterday
- this week: Monday to today · last week: the previous Monday-Sunday
- this month: the 1st to today · last month: the previous calendar month
- this year: Jan 1 to today (also "ytd", which is year to date, not
  yesterday) · last year: the previous calendar year
- last N days ("최근 7일", "지난 30일", "7일간", "past 7 days"): the N full
  days before today, ending yesterday; N weeks = 7N days ("최근 2주")
- last N months ("최근 3개월", "last 3 months", "past month"): rolling, from
  the same day N months ago to yesterday (Aug 27 - Nov 26 asked on Nov 27),
  so the current month's sales are never left out; N years = 12N months.
  "past week" is the last 7 days, while "last week" is the calendar week.
- a month alone ("10월", "in October"): that whole month, the most recent
  one not in the future, cut at today; "last October" is the most recent
  October before the current month.
- dates ("11월 3일", "2026-11-03", "11/3", "Nov 3", "3rd of November") and
  ranges ("11월 3일부터 10일까지", "11/3-11/10", "between Nov 3 and 10",
  "10월~11월", "11월 3일부터" = Nov 3 to today). A date without a year is
  the most recent such date not in the future (Dec 30 asked in January is
  last year's). A range without years starts at its most recent start; an
  end before the start wraps into the next year only when the wrapped range
  is at most half a year ("12월 20일~1월 5일"), otherwise it is reversed.
- weekdays ("월요일", "last Friday", "지난주 금요일"), weekends, quarters
  ("3분기", "Q3", "지난 분기"), halves ("상반기", "2025년 하반기", "first half",
  "H2 2025", "second half of last year"; "지난 반기" / "last half-year" is the
  half before the current one, "this half" the current one so far), years
  ("2025년").
- a week of a month ("11월 첫째주", "11월 둘째 주", "11월 2주차", "셋째주",
  "마지막 주", "이번달 둘째주", "지난달 첫 주", "first/second/last week of
  November", "the second week of this month"). ONE rule: the weeks of a month are
  the Monday-Sunday weeks whose Monday falls in that month; the first week starts
  on its first Monday and the last week on its last Monday (so the last week may
  end in the next month). November 2026 begins on a Sunday: its first week is
  Nov 2-8 and its fifth and last week Nov 30 - Dec 6; Nov 1 belongs to October's
  last week. Without a month it is this month's. A week the month does not have
  ("6째주", the fifth week of a month with four Mondays) raises
  `PeriodError("unresolved_period", {text, month, weeks})`.
- N units ago: "3일 전" / "3 days ago" is that single day; "2주 전", "2주전",
  "two weeks ago", "지지난주", "the week before last" is that whole Monday-Sunday
  week (this week counts as 0); "한달 전", "2달 전", "a month ago", "지지난달" is
  that calendar month; "1년 전" / "a year ago" that calendar year. With 부터 /
  since ("2주 전부터") it is the range from the same day N units ago to today.
- a named month of another year: "작년 12월", "2025년 12월", "last December"
  (the most recent December before this month), "December last year".
- shopping days and holidays (analytics.periods._holidays), each the most recent
  one that has begun unless a year is named ("작년 블프", "Chuseok 2025"):
  블랙프라이데이 / 블프 / Black Friday (the day after the fourth Thursday of
  November), 사이버먼데이 / Cyber Monday (the Monday after), 11.11 / 광군제 /
  빼빼로데이 / Singles' Day (Nov 11), 설 / 설날 / 설 연휴 / Lunar New Year and
  추석 / 추석 연휴 / Chuseok (the three official days of the lunar holiday). A
  shopping day is one day and compares like a day; a lunar holiday with the three
  days before.

Each period is compared with the calendar's window for its kind (a month with
the previous month, a week with the week before, "so far" with the same span cut
at the same time; only last N days and explicit ranges with the equal-length
window before): `compare_span(period)`, and `period.window(now, tz)` gives the
analysis window carrying it. `of_dates(start, end, today)` names the kind of
period a pair of dates is.

A comparison the question names is kept on the period as `Period.versus`
(a `Versus`: start, end, basis, key) and replaces the calendar's:

- "11월 vs 10월", "11월이랑 10월 비교", "10월 대비 11월", "November vs October",
  "this week vs last week": the first period is asked about, the other is the
  comparison, exactly (basis "explicit"). When it is the calendar's own window
  (last week for this week) the calendar's comparison and basis are kept, so this
  week so far is compared with last week's same days until the same time. A
  period still running is compared with the same part of a period of its own kind
  ("이번달 vs 10월": Dec 1-2 14:10 against Oct 1-2 14:10); of another kind, whole.
- "작년 이맘때", "작년 같은 달", "전년 동기", "same time last year", "compared to
  the same period last year", "YoY", and "last year" as the base of a shorter
  period ("작년 대비 이번달"): the period's own dates a year earlier (basis
  "same_time_last_year"), cut at the same time when the period is still running.
  Named with no other period, the period is this month so far.
- a week as the base of a day ("sales yesterday vs last week") is that week's
  same weekday.
`Period.to_json` / `Period.from_json` keep it (turns stored before it existed
read back without one).

Follow-ups: `names_previous(text)` is true for "그 전주", "전주는?", "그 전달",
"그 전날", "the week before", "the month before", "the day before";
`previous_of(period, now, tz)` is the period just before of the same kind (a week
-> the week before, a month -> the month before, a day -> the day before, last N
days -> the N days before, a week of a month -> the week before): see
analytics.periods._follow.

A period that ends after today is cut at today; one that starts after today
raises `PeriodError("future")` ("다다음주", "2099년"). Impossible dates ("2월
30일", "Feb 30") raise `PeriodError("invalid_date")`, reversed ranges
`PeriodError("range_reversed")`, spans over ten years `PeriodError("too_long")`
("지난 10000일"), and a phrase that names a period which cannot be worked out
`PeriodError("unresolved_period", {"text": ...})` ("11월 6째주", "10000일 전",
"최근 0일"), never a silent default.

The matcher looks only for period phrases, so other words and numbers in the
question are left alone ("top 5" is not a date). When a question names more
than one period, the first one wins, except that a comparison base ("어제
대비", "vs last week") yields to the other period and becomes its `versus`.
"""

from analytics.periods._calendar import MAX_DAYS, Period, PeriodError, Versus, default_period
from analytics.periods._compare import CompareSpan, compare_span, of_dates
from analytics.periods._follow import names_previous, previous_of
from analytics.periods._match import find_period, resolve_period

__all__ = [
    "MAX_DAYS",
    "CompareSpan",
    "Period",
    "PeriodError",
    "Versus",
    "compare_span",
    "default_period",
    "find_period",
    "names_previous",
    "of_dates",
    "previous_of",
    "resolve_period",
]
