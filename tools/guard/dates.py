"""Dates and times written in an answer: a date's parts are a date, never figures.

"12월 2일", "2026-11-26", "Nov 20–26", "11/26", "14:10", "오후 2시 30분", "2pm" are
read as whole dates and times, so the 12 of a month or the 14 of an hour cannot pass
for "12 %" or "14건"; each is then checked against the dates and times of the turn.
Parsing never raises: a malformed date is read as no date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_NAME = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_RANGE_DAY = r"(?:\s?(?:[~～\-–—]|to|through|until|부터|에서)\s?(?P<day2>\d{1,2})(?:st|nd|rd|th|일)?(?!\d|:\d))?"
_PATTERNS = (
    re.compile(
        r"(?<![\d.])(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})"
        r"(?:[T ](?P<h>\d{1,2}):(?P<mi>\d{2})(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:?\d{2}|Z)?)?(?![\d])"
    ),
    re.compile(
        r"(?:(?P<y>\d{4})\s?년\s?)?(?P<m>\d{1,2})\s?월(?:\s?(?P<d>\d{1,2})\s?일)?"
        r"(?:\s?(?:부터|[~～\-–—]|에서)\s?(?:(?P<m2>\d{1,2})\s?월\s?)?(?P<day2>\d{1,2})\s?일)?"
    ),
    re.compile(r"(?<!\d)(?P<y>\d{4})\s?년(?!\s?\d{1,2}\s?월)"),
    # 20 to 26 November, the 20th-26th of November
    re.compile(
        r"(?<![\d.,])(?P<d>\d{1,2})(?:st|nd|rd|th)?\s?(?:[~\-–—]|to|through|and|until)\s?(?:the\s)?"
        r"(?P<day2>\d{1,2})(?:st|nd|rd|th)?\s(?:of\s)?" + _MONTH_NAME + r"(?:,?\s(?P<y>\d{4}))?",
        re.IGNORECASE,
    ),
    re.compile(
        _MONTH_NAME
        + r"\s(?P<d>\d{1,2})(?:st|nd|rd|th)?(?!\d|:\d)"
        + _RANGE_DAY
        + r"(?:,?\s(?P<y>\d{4}))?",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?<![\d.,])(?P<d>\d{1,2})(?:st|nd|rd|th)?\s(?:of\s)?"
        + _MONTH_NAME
        + r"(?:,?\s(?P<y>\d{4}))?",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?<![\d/.,])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?![\d/])"
        r"(?:\s?[~～\-–—]\s?(?:(?P<m2>\d{1,2})/)?(?P<day2>\d{1,2})(?![\d/%]))?"
    ),
    # 11.20~11.26, 11.20(금): a month and day with dots, beside a range or a weekday
    re.compile(
        r"(?<![\d.,])(?P<m>\d{1,2})\.(?P<d>\d{1,2})\.?(?:\s?\([월화수목금토일]\))?"
        r"\s?[~～\-–—]\s?(?:(?P<m2>\d{1,2})\.)?(?P<day2>\d{1,2})\.?(?:\s?\([월화수목금토일]\))?(?![\d%])"
    ),
    re.compile(r"(?<![\d.,])(?P<m>\d{1,2})\.(?P<d>\d{1,2})\.?\s?\([월화수목금토일]\)"),
    # "the 20th": a day of the month
    re.compile(
        r"(?<=\bthe\s)(?P<d>\d{1,2})(?:st|nd|rd|th)\b"
        r"(?!\s(?:best|largest|biggest|most|highest|lowest|place|rank|top|spot|product|item))",
        re.IGNORECASE,
    ),
    re.compile(_MONTH_NAME + r"\s(?P<y>\d{4})", re.IGNORECASE),
)
_TIMES = (
    re.compile(
        r"(?:(?P<ampm>오전|오후)\s?)?(?<![\d.,])(?P<h>\d{1,2}):(?P<mi>\d{2})(?::\d{2})?"
        r"(?:\s?(?P<en>[ap]\.?m\.?))?(?![\d])",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?:(?P<ampm>오전|오후|밤|저녁|아침|낮)\s?)?(?<![\d.,])(?P<h>\d{1,2})\s?시(?!간)"
        r"(?:\s?(?P<mi>\d{1,2})\s?분|\s?(?P<half>반))?"
    ),
    re.compile(
        r"(?<![\d.,:])(?P<h>\d{1,2})(?::(?P<mi>\d{2}))?\s?(?P<en>[ap]\.?m\.?)(?![a-z])",
        re.IGNORECASE,
    ),
)


@dataclass(frozen=True, slots=True)
class DateMention:
    text: str
    start: int
    end: int
    year: int | None = None
    month: int | None = None
    day: int | None = None
    day2: int | None = None  # the end of "20~26일", "Nov 20-26"
    month2: int | None = None
    hours: tuple[int, ...] = ()  # the hours it may mean (2시: 2 or 14)
    minute: int | None = None
    valid: bool = True


def _int(value: str | None) -> int | None:
    return int(value) if value else None


def _month(name: str | None) -> int | None:
    if not name:
        return None
    return _MONTHS.get(name.lower()[:4].rstrip(".")) or _MONTHS.get(name.lower()[:3])


def _valid(year: int | None, month: int | None, day: int | None) -> bool:
    if month is not None and not 1 <= month <= 12:
        return False
    if day is None:
        return True
    try:
        dt.date(year or 2024, month or 1, day)  # 2024: a leap year lets 2월 29일 through
    except ValueError:
        return False
    return True


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < e and end > s for s, e in spans)


def find_dates(text: str) -> list[DateMention]:
    """Every date and time written in `text`, in text order."""
    found: list[DateMention] = []
    spans: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if _overlaps(spans, *match.span()):
                continue
            groups = match.groupdict()
            year = _int(groups.get("y"))
            month = _int(groups.get("m")) or _month(groups.get("mon"))
            day = _int(groups.get("d"))
            day2 = _int(groups.get("day2"))
            month2 = _int(groups.get("m2"))
            if groups.get("m") and "/" in match.group(0) and not _valid(None, month, day):
                continue  # "3/4" that is no date is a fraction
            hour = _int(groups.get("h"))
            valid = _valid(year, month, day) and (
                day2 is None or _valid(year, month2 or month, day2)
            )
            found.append(
                DateMention(
                    match.group(0), *match.span(), year=year, month=month, day=day,
                    day2=day2, month2=month2, hours=(hour,) if hour is not None else (),
                    minute=_int(groups.get("mi")), valid=valid,
                )
            )  # fmt: skip
            spans.append(match.span())
    for pattern in _TIMES:
        for match in pattern.finditer(text):
            if _overlaps(spans, *match.span()):
                continue
            groups = match.groupdict()
            hour = int(groups["h"])
            minute = _int(groups.get("mi"))
            if groups.get("half"):
                minute = 30
            ampm = (groups.get("ampm") or "") + (groups.get("en") or "").lower()
            if ampm.startswith(("오후", "p", "밤", "저녁")) and hour < 12:
                hours: tuple[int, ...] = (hour + 12,)
            elif ampm.startswith(("오전", "a", "아침")):
                hours = (hour % 12,)
            elif "시" in match.group(0) and hour < 12:
                hours = (hour, hour + 12)  # "2시": 2 or 14
            else:
                hours = (hour,)
            valid = hour <= 24 and (minute is None or minute < 60)
            found.append(
                DateMention(match.group(0), *match.span(), hours=hours, minute=minute, valid=valid)
            )
            spans.append(match.span())
    found.sort(key=lambda d: d.start)
    return found


def parse_iso(value: str) -> tuple[dt.date | None, tuple[int, int] | None]:
    """The date and the time of day an ISO string holds ("2026-11-27", "2026-11-27T14:30",
    "14:30"), (None, None) for anything else, however malformed."""
    text = value.strip()
    day: dt.date | None = None
    clock: tuple[int, int] | None = None
    match = re.fullmatch(
        r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:?\d{2}|Z)?)?",
        text,
    )
    if match:
        try:
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None, None
        if match[4] is not None and int(match[4]) < 24 and int(match[5]) < 60:
            clock = (int(match[4]), int(match[5]))
        return day, clock
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::\d{2})?", text)
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return None, (int(match[1]), int(match[2]))
    return None, None
