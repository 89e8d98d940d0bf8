"""Well-known shopping days and Korean holidays as dates of a given year.

- black_friday: the day after the fourth Thursday of November
- cyber_monday: the Monday after black Friday
- singles_day: November 11 (11.11, 광군제, 빼빼로데이)
- seollal (설날) and chuseok (추석): the three official days (the day before, the
  day, the day after) of the lunar holiday, from the `holidays` package's Korean
  calendar; a substitute holiday (대체공휴일) is not part of the period

`occurrence(key, year)` gives (start, end), or None where the calendar has no date
for that year (the lunar holidays are known from 1948 to 2099).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

SHOPPING_DAYS = ("black_friday", "cyber_monday", "singles_day")
LUNAR_HOLIDAYS = {"seollal": "Korean New Year", "chuseok": "Chuseok"}
DAY = dt.timedelta(days=1)


def _black_friday(year: int) -> dt.date:
    first = dt.date(year, 11, 1)
    first_thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + dt.timedelta(weeks=3) + DAY


@lru_cache(maxsize=64)
def _lunar_day(year: int, name: str) -> dt.date | None:
    """The main day of a Korean lunar holiday in `year` (its English name)."""
    if not 1948 <= year <= 2099:
        return None
    import holidays  # here: the package takes half a second to import

    calendar = holidays.country_holidays("KR", years=year, language="en_US")
    days = [day for day, names in calendar.items() if name in names.split("; ")]
    return days[0] if days else None


def occurrence(key: str, year: int) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the shopping day or holiday `key` in `year`."""
    if key == "black_friday":
        day = _black_friday(year)
    elif key == "cyber_monday":
        day = _black_friday(year) + 3 * DAY
    elif key == "singles_day":
        day = dt.date(year, 11, 11)
    else:
        main = _lunar_day(year, LUNAR_HOLIDAYS[key])
        return None if main is None else (main - DAY, main + DAY)
    return day, day
