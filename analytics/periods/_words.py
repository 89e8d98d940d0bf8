"""The words periods are made of, shared by the rules: month and weekday names,
number words, year words, and a date-or-month mention with its reading."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from analytics.number_words import EN_ONES, EN_TENS
from analytics.periods._calendar import check_month, make_date, month_end

MON = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
)}  # fmt: skip
KO_YEAR_WORDS = r"재작년|작년|지난\s*해|올해|금년|전년도?|이번\s*해"
KO_YEAR_OFFSET = {"재작년": -2, "작년": -1, "지난해": -1, "전년": -1, "전년도": -1}
EN_NUMBERS = {"a": 1, "an": 1, **EN_ONES, **EN_TENS}
EN_NUM = r"\d{1,6}|" + "|".join(sorted(EN_NUMBERS, key=len, reverse=True))
KO_NUMBERS = {
    "한": 1, "두": 2, "세": 3, "석": 3, "네": 4, "넉": 4, "다섯": 5, "여섯": 6, "일곱": 7,
    "여덟": 8, "아홉": 9, "열두": 12, "열": 10, "일": 1, "이": 2, "삼": 3, "사": 4, "오": 5,
    "육": 6, "칠": 7, "팔": 8, "구": 9, "십이": 12, "십": 10,
}  # fmt: skip
KO_NUM = r"\d{1,6}|" + "|".join(sorted(KO_NUMBERS, key=len, reverse=True))
KO_DAY_WORDS = {
    "하루": 1, "이틀": 2, "사흘": 3, "나흘": 4, "닷새": 5, "엿새": 6, "이레": 7, "열흘": 10,
    "보름": 15,
}  # fmt: skip
WEEKDAYS = {
    "월요일": 0, "화요일": 1, "수요일": 2, "목요일": 3, "금요일": 4, "토요일": 5, "일요일": 6,
    "월욜": 0, "화욜": 1, "수욜": 2, "목욜": 3, "금욜": 4, "토욜": 5, "일욜": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}  # fmt: skip
WEEKDAY = "|".join(WEEKDAYS)


def mention(p: str) -> str:
    """A date or a month, with optional year; group names carry the prefix `p`."""
    return (
        "(?:"
        rf"(?<![\w-])(?P<{p}iy>\d{{4}})\s*[-./]\s*(?P<{p}im>\d{{1,2}})"
        rf"(?:\s*[-./]\s*(?P<{p}id>\d{{1,2}}))?(?![\d/])\.?"
        rf"|(?:(?P<{p}ky>\d{{4}})\s*년\s*|(?P<{p}kw>{KO_YEAR_WORDS})\s*)?"
        rf"(?<!\d)(?P<{p}km>\d{{1,2}})\s*월(?!\s*요일)(?:\s*(?P<{p}kd>\d{{1,2}})\s*일)?"
        rf"|(?<![\d/.])(?P<{p}sm>\d{{1,2}})/(?P<{p}sd>\d{{1,2}})(?![\d/])"
        rf"|\b(?P<{p}em>{MON})\b\.?(?:\s*(?P<{p}ed>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:]))?"
        rf"(?:,?\s*(?P<{p}ey>\d{{4}})\b)?"
        rf"|\b(?:the\s+)?(?P<{p}fd>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:of\s+)?(?P<{p}fm>{MON})\b\.?"
        rf"(?:,?\s*(?P<{p}fy>\d{{4}})\b)?"
        ")"
    )


@dataclass(frozen=True, slots=True)
class Mention:
    month: int
    day: int | None  # None: the whole month
    year: int | None  # None: to be inferred


MAY_BEFORE = r"\b(?:in|during|for|since|from|of|last|this|until|till|to|and)\s+$"
MAY_AFTER = r"\s+(?:be|have|has|not|need|want|sell|run|go|get|also|i|we|you|it|they|still|soon)\b"


def read_mention(m: re.Match[str], p: str, today: dt.date) -> Mention | None:
    g = m.groupdict()
    if g[f"{p}im"] is not None:
        day = g[f"{p}id"]
        return Mention(int(g[f"{p}im"]), int(day) if day else None, int(g[f"{p}iy"]))
    if g[f"{p}km"] is not None:
        year: int | None = None
        if g[f"{p}ky"]:
            year = int(g[f"{p}ky"])
        elif g[f"{p}kw"]:
            year = today.year + KO_YEAR_OFFSET.get(re.sub(r"\s", "", g[f"{p}kw"]), 0)
        day = g[f"{p}kd"]
        return Mention(int(g[f"{p}km"]), int(day) if day else None, year)
    if g[f"{p}sm"] is not None:
        month, day_number = int(g[f"{p}sm"]), int(g[f"{p}sd"])
        if not (1 <= month <= 12 and 1 <= day_number <= 31):
            return None  # "24/7" is not a date
        return Mention(month, day_number, None)
    if g[f"{p}em"] is not None:
        name, day, year_text = g[f"{p}em"], g[f"{p}ed"], g[f"{p}ey"]
    else:
        name, day, year_text = g[f"{p}fm"], g[f"{p}fd"], g[f"{p}fy"]
    if name == "may" and year_text is None:
        if day is None:
            before = m.string[: m.start(f"{p}em")]
            if not re.search(MAY_BEFORE, before):
                return None  # "may" the verb
        elif g[f"{p}fm"] is not None and re.match(MAY_AFTER, m.string[m.end(f"{p}fm") :]):
            return None  # "product 3 may be out of stock"
    return Mention(
        MONTHS[name[:3]], int(day) if day else None, int(year_text) if year_text else None
    )


def inferred_year(month: int, day: int, today: dt.date) -> int:
    """The year of the most recent (month, day) not after today."""
    return today.year if (month, day) <= (today.month, today.day) else today.year - 1


def bounds(mention: Mention, year: int, text: str) -> tuple[dt.date, dt.date]:
    check_month(mention.month, text)
    if mention.day is None:
        return dt.date(year, mention.month, 1), month_end(year, mention.month)
    day = make_date(year, mention.month, mention.day, text)
    return day, day


def year_of_word(word: str, today: dt.date) -> int:
    """The year a Korean year word names ("작년" -> last year, "올해" -> this year)."""
    return today.year + KO_YEAR_OFFSET.get(re.sub(r"\s", "", word), 0)
