"""Finding the period a question names: every rule's matches, a comparison base
("어제 대비", "vs last week") yielding to the period asked about, the first
remaining one winning; the comparison the question names becomes its `versus`:

- a comparison base that is a period ("10월 대비 11월", "11월 vs 10월"), or, when
  the question asks for a comparison (비교, 대비, vs, compare...), the second
  period it names ("11월이랑 10월 비교"): exactly that period (basis explicit);
  "last year" as the base of a shorter period ("작년 대비 이번달") means its same
  dates a year earlier, and a week as the base of a day ("오늘 vs 지난주") that
  week's same weekday;
- "작년 이맘때", "작년 같은 달", "전년 동기", "same time last year", "YoY": the
  period's own dates a year earlier (basis same_time_last_year); named alone, the
  period is this month so far.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from analytics.periods._calendar import (
    NAMED_DEFAULTS,
    Period,
    PeriodError,
    Versus,
    add_months,
    default_period,
    local_today,
)
from analytics.periods._compare import family
from analytics.periods._grammar import SAME_TIME_LAST_YEAR
from analytics.periods._rules import RULES
from analytics.periods._text import normalise

_BASE_AFTER = re.compile(
    r"\s*(?:대비|보다|에\s*비해|에\s*비하면|(?:이)?랑\s*비교|와\s*비교|과\s*비교|하고\s*비교)"
)
_ASKS_COMPARISON = re.compile(
    r"비교|대비|견주|\bvs\.?(?!\w)|\bversus\b|\bcompar|\bagainst\b|\brelative\s+to\b"
)
_BASE_BEFORE = re.compile(
    r"(?:\bvs\.?|\bversus|\bcompared\s+(?:to|with)|\bthan|\bagainst|\brelative\s+to)\s*$"
)


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    outcome: Period | PeriodError
    rank: int  # 0 main, 1 comparison base, 2 weak


def _candidates(text: str, today: dt.date) -> list[_Candidate]:
    masked = text
    found: list[_Candidate] = []
    for rule in RULES:
        claimed: list[tuple[int, int]] = []
        for match in rule.pattern.finditer(masked):
            if match.end() == match.start():
                continue
            outcome: Period | PeriodError | None
            try:
                outcome = rule.build(match, today)
            except PeriodError as error:
                outcome = error
            if outcome is None:
                continue
            start, end = match.start(), match.end()
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            base = bool(_BASE_AFTER.match(text, end) or _BASE_BEFORE.search(text[:start]))
            rank = 2 if rule.weak else (1 if base else 0)
            found.append(_Candidate(start, end, outcome, rank))
            claimed.append((match.start(), match.end()))
        for start, end in claimed:
            masked = masked[:start] + "\0" * (end - start) + masked[end:]
    return found


def find_period(text: str, *, now: dt.datetime, tz: ZoneInfo) -> Period | None:
    """The period a question names, or None when it names none, with the comparison
    it names (`Period.versus`, see the module docstring).

    Raises PeriodError for an impossible date, a reversed range, a period that has
    not started yet, or one that cannot be worked out (unresolved_period).
    """
    today = local_today(now, tz)
    source = unicodedata.normalize("NFC", text)
    normalised, origin = normalise(source)
    found = _candidates(normalised, today)
    if not found:
        return None
    for candidate in found:
        if isinstance(candidate.outcome, PeriodError) and candidate.outcome.key == "invalid_date":
            raise candidate.outcome
    marker = next((c for c in found if _is_marker(c)), None)
    periods = [c for c in found if not _is_marker(c)]
    if periods:
        best = min(periods, key=lambda c: (c.rank, c.start))
        main = _period(best)
    else:
        assert marker is not None
        best = marker
        main = NAMED_DEFAULTS["this_month"](today)
    span = (origin[best.start], origin[best.end - 1] + 1)
    versus = _versus(main, best, periods, marker, normalised)
    return replace(main, span=span, versus=versus)


def _is_marker(candidate: _Candidate) -> bool:
    outcome = candidate.outcome
    return isinstance(outcome, Period) and outcome.key == SAME_TIME_LAST_YEAR


def _period(candidate: _Candidate) -> Period:
    if isinstance(candidate.outcome, PeriodError):
        raise candidate.outcome
    return candidate.outcome


def _versus(
    main: Period,
    best: _Candidate,
    periods: list[_Candidate],
    marker: _Candidate | None,
    text: str,
) -> Versus | None:
    """The comparison the question names for `main` (the module docstring)."""
    others = sorted((c for c in periods if c is not best), key=lambda c: c.start)
    other = None
    if best.rank == 0:
        other = next((c for c in others if c.rank == 1), None)
        if other is None and marker is None and _ASKS_COMPARISON.search(text):
            other = next((c for c in others if c.rank == 0), None)
    if other is not None:
        return _explicit(main, _period(other))
    if marker is not None:
        return _a_year_earlier(main)
    return None


def _a_year_earlier(period: Period) -> Versus:
    start, end = add_months(period.start, -12), add_months(period.end, -12)
    return Versus(start, end, "same_time_last_year", period.key)


def _explicit(main: Period, other: Period) -> Versus:
    main_kind, other_kind = family(main.key), family(other.key)
    if other.key == "last_year" and main_kind != "year":
        return _a_year_earlier(main)
    if main_kind == "day" and other_kind == "week":
        day = other.start + dt.timedelta(days=main.start.weekday())
        if day <= other.end:
            return Versus(day, day, "explicit", "date")
    return Versus(other.start, other.end, "explicit", other.key)


def resolve_period(
    text: str, *, now: dt.datetime, tz: ZoneInfo, default: str = "last_7_days"
) -> Period:
    """The period the text names, or the default period (a `default_period` key)."""
    found = find_period(text, now=now, tz=tz)
    return found if found is not None else default_period(default, now=now, tz=tz)
