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
  ("3분기", "Q3", "지난 분기"), halves ("상반기"), years ("2025년").

Each period is compared with the calendar's window for its kind (a month with
the previous month, a week with the week before, "so far" with the same span cut
at the same time; only last N days and explicit ranges with the equal-length
window before): `compare_span(period)`, and `period.window(now, tz)` gives the
analysis window carrying it. `of_dates(start, end, today)` names the kind of
period a pair of dates is.

A period that ends after today is cut at today; one that starts after today
raises `PeriodError("future")`. Impossible dates ("2월 30일", "Feb 30") raise
`PeriodError("invalid_date")`, reversed ranges `PeriodError("range_reversed")`.

The matcher looks only for period phrases, so other words and numbers in the
question are left alone ("top 5" is not a date). When a question names more
than one period, the first one wins, except that a comparison base ("어제
대비", "vs last week") yields to the other period.
"""

from analytics.periods._calendar import MAX_DAYS, Period, PeriodError, default_period
from analytics.periods._compare import CompareSpan, compare_span, of_dates
from analytics.periods._match import find_period, resolve_period

__all__ = [
    "MAX_DAYS",
    "CompareSpan",
    "Period",
    "PeriodError",
    "compare_span",
    "default_period",
    "find_period",
    "of_dates",
    "resolve_period",
]
