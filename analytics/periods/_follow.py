"""Follow-ups about the period before: "그 전주는?", "the week before".

`names_previous(text)` tells whether a question asks for the period just before
the one last talked about; `previous_of(period, now, tz)` is that period, of the
same kind, whole:

| period                                        | the one before                      |
| --------------------------------------------- | ----------------------------------- |
| a day (today, yesterday, a date, a shopping   | the day before                      |
| day)                                          |                                     |
| a week (this week so far, last week, a week   | the Mon-Sun week before             |
| of a month)                                   |                                     |
| a weekend                                     | the weekend before                  |
| a month, quarter, half or year (so far too)   | the whole one before                |
| last N days, last N months, a range, a lunar  | the same number of days just before |
| holiday                                       |                                     |

The period before has no `versus`: it is compared by the calendar again.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from analytics.periods._calendar import Period, add_months, local_today, monday_of, month_end
from analytics.periods._compare import family, of_dates

_PREVIOUS = re.compile(
    r"그\s*(?:이\s*)?전\s*(?:주|달|월|날|일|분기|반기|해|년)(?!문|말|체|부|국|략|환|송|화|자|기|세|산)"
    r"|^\s*(?:그\s*)?전\s*(?:주|달|날)\s*(?:은|는|도|요|엔|꺼|거)?\s*(?:어때|어땠어)?\s*[?？.!]*\s*$"
    r"|\b(?:the\s+)?(?:week|month|day|quarter|year)\s+before"
    r"(?=\s*(?:$|[?.!,]|that\b|then\b|it\b|please\b|pls\b|too\b|as\s+well\b))"
    r"|\b(?:the\s+)?(?:previous|prior)\s+one\b|\bthe\s+one\s+before\b",
    re.IGNORECASE,
)


def names_previous(text: str) -> bool:
    """Whether `text` asks for the period just before the last one talked about
    ("그 전주", "전주는?", "그 전달", "그 전날", "the week before", "the month before",
    "the day before"); "the week before last" and "the day before yesterday" name
    periods of their own and are not follow-ups."""
    return bool(_PREVIOUS.search(text))


def previous_of(period: Period, now: dt.datetime, tz: ZoneInfo) -> Period:
    """The period just before `period`, of the same kind (the module docstring)."""
    today = local_today(now, tz)
    kind = family(period.key)
    if kind == "day":
        day = period.start - dt.timedelta(days=1)
        return of_dates(day, day, today)
    if kind == "week":
        monday = monday_of(period.start) - dt.timedelta(weeks=1)
        return of_dates(monday, monday + dt.timedelta(days=6), today)
    if kind == "weekend":
        saturday = period.start - dt.timedelta(weeks=1)
        return Period(saturday, saturday + dt.timedelta(days=1), "weekend")
    months = {"month": 1, "quarter": 3, "half": 6, "year": 12}.get(kind)
    if months is not None:
        start = add_months(period.start, -months)
        last = add_months(start, months - 1)
        return of_dates(start, month_end(last.year, last.month), today)
    days = dt.timedelta(days=period.days)
    return Period(period.start - days, period.end - days, "range")
