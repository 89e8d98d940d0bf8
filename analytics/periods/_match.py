"""Finding the period a question names: every rule's matches, a comparison base
("어제 대비", "vs last week") yielding to the period asked about, the first
remaining one winning."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from analytics.periods._calendar import Period, PeriodError, default_period, local_today
from analytics.periods._rules import RULES
from analytics.periods._text import normalise

_BASE_AFTER = re.compile(r"\s*(?:대비|보다|에\s*비해|에\s*비하면|랑\s*비교|와\s*비교|과\s*비교)")
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
    """The period a question names, or None when it names none.

    Raises PeriodError for an impossible date, a reversed range or a period
    that has not started yet.
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
    best = min(found, key=lambda c: (c.rank, c.start))
    if isinstance(best.outcome, PeriodError):
        raise best.outcome
    span = (origin[best.start], origin[best.end - 1] + 1)
    period = best.outcome
    return Period(period.start, period.end, period.key, period.n, span)


def resolve_period(
    text: str, *, now: dt.datetime, tz: ZoneInfo, default: str = "last_7_days"
) -> Period:
    """The period the text names, or the default period (a `default_period` key)."""
    found = find_period(text, now=now, tz=tz)
    return found if found is not None else default_period(default, now=now, tz=tz)
