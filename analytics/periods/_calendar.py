"""Periods as dates: the Period type and its error, calendar arithmetic in the
seller's local dates, and the named periods a default can ask for."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from analytics.common import Window

MAX_DAYS = 3660  # ten years: longer spans are refused rather than computed


class PeriodError(ValueError):
    """A period named in the text cannot be used; `key` picks the message template.

    keys: invalid_date, range_reversed, future, too_long, unknown_default, and
    unresolved_period (a phrase that names a period which cannot be worked out:
    a sixth week of a month, 0 days, 10000 days ago; params: text, and for a week
    of a month also month and weeks, the number of weeks it has).
    `params` fill the template (e.g. {"text": "2월 30일"}).
    """

    def __init__(self, key: str, params: dict[str, str | int] | None = None) -> None:
        self.key = key
        self.params: dict[str, str | int] = dict(params or {})
        super().__init__(f"{key}: {self.params}" if self.params else key)


VERSUS_BASES = frozenset({"explicit", "same_time_last_year"})


@dataclass(frozen=True, slots=True)
class Versus:
    """The comparison a question named itself ("11월 vs 10월", "작년 이맘때 대비"):
    inclusive local dates and the basis of the comparison.

    basis: explicit (the seller named the other period: these are its dates) or
    same_time_last_year (the period's own dates a year earlier). `key` is the kind
    of period these dates are (a Period key), so a period still running is compared
    with the same part of a period of its own kind (analytics.periods._compare).
    """

    start: dt.date
    end: dt.date
    basis: str
    key: str


@dataclass(frozen=True, slots=True)
class Period:
    """Inclusive local dates [start, end]; `key` names the kind of period.

    keys: today, yesterday, day_before_yesterday, this_week, last_week, week,
    week_of_month (n = which week of its month, 1-5), this_month, last_month,
    month, this_quarter, last_quarter, quarter, half, this_year, last_year, year,
    weekend, last_n_days (n = days), last_n_months (n = months), date, range,
    and the shopping days black_friday, cyber_monday, singles_day (one day each),
    seollal, chuseok (the three official days).
    `versus` is the comparison the question named, if it named one (else the
    calendar's, analytics.periods._compare). `span` is where the phrase is in the
    (NFC) text; it does not take part in equality.
    """

    start: dt.date
    end: dt.date
    key: str
    n: int | None = None
    span: tuple[int, int] | None = field(default=None, compare=False)
    versus: Versus | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def to_json(self) -> dict[str, str | int]:
        """The period as stored with a conversation turn (`from_json` reads it back)."""
        data: dict[str, str | int] = {
            "key": self.key,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }
        if self.n is not None:
            data["n"] = self.n
        if self.versus is not None:
            data["versus_start"] = self.versus.start.isoformat()
            data["versus_end"] = self.versus.end.isoformat()
            data["versus_basis"] = self.versus.basis
            data["versus_key"] = self.versus.key
        return data

    @classmethod
    def from_json(cls, data: object) -> Period | None:
        """A stored period, or None when `data` is not one (a stored comparison
        that cannot be read is left out; turns stored before it existed have none)."""
        if not isinstance(data, dict):
            return None
        try:
            n = data.get("n")
            period = cls(
                dt.date.fromisoformat(str(data["start"])),
                dt.date.fromisoformat(str(data["end"])),
                str(data["key"]),
                int(n) if n is not None else None,
            )
        except (KeyError, TypeError, ValueError):
            return None
        try:
            versus = Versus(
                dt.date.fromisoformat(str(data["versus_start"])),
                dt.date.fromisoformat(str(data["versus_end"])),
                str(data["versus_basis"]),
                str(data["versus_key"]),
            )
        except (KeyError, TypeError, ValueError):
            return period
        if versus.basis not in VERSUS_BASES or versus.end < versus.start:
            return period
        return replace(period, versus=versus)

    def window(self, now: dt.datetime, tz: ZoneInfo) -> Window:
        """The analysis window: these dates, today cut at `now`, with its comparison
        window (the one named in `versus`, else the calendar's: analytics.periods.
        _compare), cut at the same time of day on its last day when this period is
        still running and the comparison is the same part of a period of its kind."""
        from analytics.periods._compare import compare_span

        local = now.astimezone(tz)
        running = self.end >= local.date()
        span = compare_span(self, running=running)
        cut_last_day = running and not span.whole_last_day
        cut = dt.datetime.combine(span.end, local.timetz()) if cut_last_day else now
        compared = Window(span.start, span.end, cut)
        return Window(self.start, self.end, now, comparison=compared, basis=span.basis)


# ---------------------------------------------------------------- date helpers


def local_today(now: dt.datetime, tz: ZoneInfo) -> dt.date:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(tz).date()


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def make_date(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise PeriodError(
            "invalid_date", {"text": text, "year": year, "month": month, "day": day}
        ) from None


def check_month(month: int, text: str) -> None:
    if not 1 <= month <= 12:
        raise PeriodError("invalid_date", {"text": text, "month": month})


def finish(
    start: dt.date, end: dt.date, key: str, today: dt.date, text: str, n: int | None = None
) -> Period:
    """Refuse a period that starts in the future or is too long; cut it at today."""
    if start > today:
        raise PeriodError("future", {"text": text, "start": start.isoformat()})
    end = min(end, today)
    if (end - start).days + 1 > MAX_DAYS:
        raise PeriodError("too_long", {"text": text, "max_days": MAX_DAYS})
    return Period(start, end, key, n)


def last_n_days(n: int, today: dt.date, text: str) -> Period:
    if n > MAX_DAYS:
        raise PeriodError("too_long", {"text": text, "max_days": MAX_DAYS})
    end = today - dt.timedelta(days=1)
    return Period(end - dt.timedelta(days=n - 1), end, "last_n_days", n)


def last_n_months(n: int, today: dt.date, text: str) -> Period:
    if n * 31 > MAX_DAYS:
        raise PeriodError("too_long", {"text": text, "max_days": MAX_DAYS})
    return Period(add_months(today, -n), today - dt.timedelta(days=1), "last_n_months", n)


def week_back(today: dt.date, weeks_back: int, key: str) -> Period:
    monday = monday_of(today) - dt.timedelta(weeks=weeks_back)
    end = min(monday + dt.timedelta(days=6), today)
    return Period(monday, end, key)


def month_back(today: dt.date, months_back: int, key: str) -> Period:
    first = add_months(today.replace(day=1), -months_back)
    return Period(first, min(month_end(first.year, first.month), today), key)


def year_back(today: dt.date, years_back: int, key: str) -> Period:
    year = today.year - years_back
    return Period(dt.date(year, 1, 1), min(dt.date(year, 12, 31), today), key)


def quarter_back(today: dt.date, quarters_back: int, key: str) -> Period:
    first = add_months(
        today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1), -3 * quarters_back
    )
    last = add_months(first, 2)
    return Period(first, min(month_end(last.year, last.month), today), key)


# ---------------------------------------------------------------- defaults


NAMED_DEFAULTS: dict[str, Callable[[dt.date], Period]] = {
    "today": lambda t: Period(t, t, "today"),
    "yesterday": lambda t: Period(t - dt.timedelta(days=1), t - dt.timedelta(days=1), "yesterday"),
    "day_before_yesterday": lambda t: Period(
        t - dt.timedelta(days=2), t - dt.timedelta(days=2), "day_before_yesterday"
    ),
    "this_week": lambda t: week_back(t, 0, "this_week"),
    "last_week": lambda t: week_back(t, 1, "last_week"),
    "this_month": lambda t: month_back(t, 0, "this_month"),
    "last_month": lambda t: month_back(t, 1, "last_month"),
    "this_quarter": lambda t: quarter_back(t, 0, "this_quarter"),
    "last_quarter": lambda t: quarter_back(t, 1, "last_quarter"),
    "this_year": lambda t: year_back(t, 0, "this_year"),
    "last_year": lambda t: year_back(t, 1, "last_year"),
}
_ROLLING_DEFAULT = re.compile(r"last_(\d+)_(days|months)")


def default_period(key: str, *, now: dt.datetime, tz: ZoneInfo) -> Period:
    """A period by key: one of the named keys above, or "last_N_days" / "last_N_months"."""
    today = local_today(now, tz)
    if key in NAMED_DEFAULTS:
        return NAMED_DEFAULTS[key](today)
    match = _ROLLING_DEFAULT.fullmatch(key)
    if match and int(match[1]) > 0:
        n = int(match[1])
        if match[2] == "days":
            return last_n_days(n, today, key)
        return last_n_months(n, today, key)
    raise PeriodError("unknown_default", {"text": key})
