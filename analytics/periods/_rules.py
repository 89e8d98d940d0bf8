"""The period phrases, one rule each: a regular expression over normalised text
and a builder that turns a match into a Period (or None to pass, or raises
PeriodError). Rules run in the order they are registered here; an earlier rule
claims its text first ("11월 3일부터 10일까지" is one range, not two dates)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from analytics.periods._calendar import (
    MAX_DAYS,
    NAMED_DEFAULTS,
    Period,
    PeriodError,
    check_month,
    finish,
    last_n_days,
    last_n_months,
    make_date,
    monday_of,
    month_back,
    month_end,
    week_back,
    year_back,
)

_WRAP_MAX_DAYS = 183  # an undated range may wrap into the next year by at most this

# ---------------------------------------------------------------- patterns

_MON = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
)}  # fmt: skip
_KO_YEAR_WORDS = r"재작년|작년|지난\s*해|올해|금년|전년도?|이번\s*해"
_KO_YEAR_OFFSET = {"재작년": -2, "작년": -1, "지난해": -1, "전년": -1, "전년도": -1}
_EN_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30, "sixty": 60, "ninety": 90,
}  # fmt: skip
_EN_NUM = r"\d{1,6}|" + "|".join(sorted(_EN_NUMBERS, key=len, reverse=True))
_KO_NUMBERS = {
    "한": 1, "두": 2, "세": 3, "석": 3, "네": 4, "넉": 4, "다섯": 5, "여섯": 6, "일곱": 7,
    "여덟": 8, "아홉": 9, "열두": 12, "열": 10, "일": 1, "이": 2, "삼": 3, "사": 4, "오": 5,
    "육": 6, "칠": 7, "팔": 8, "구": 9, "십이": 12, "십": 10,
}  # fmt: skip
_KO_NUM = r"\d{1,6}|" + "|".join(sorted(_KO_NUMBERS, key=len, reverse=True))
_KO_DAY_WORDS = {
    "하루": 1, "이틀": 2, "사흘": 3, "나흘": 4, "닷새": 5, "엿새": 6, "이레": 7, "열흘": 10,
    "보름": 15,
}  # fmt: skip
_WEEKDAYS = {
    "월요일": 0, "화요일": 1, "수요일": 2, "목요일": 3, "금요일": 4, "토요일": 5, "일요일": 6,
    "월욜": 0, "화욜": 1, "수욜": 2, "목욜": 3, "금욜": 4, "토욜": 5, "일욜": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}  # fmt: skip
_WEEKDAY = "|".join(_WEEKDAYS)


def _mention(p: str) -> str:
    """A date or a month, with optional year; group names carry the prefix `p`."""
    return (
        "(?:"
        rf"(?<![\w-])(?P<{p}iy>\d{{4}})\s*[-./]\s*(?P<{p}im>\d{{1,2}})"
        rf"(?:\s*[-./]\s*(?P<{p}id>\d{{1,2}}))?(?![\d/])\.?"
        rf"|(?:(?P<{p}ky>\d{{4}})\s*년\s*|(?P<{p}kw>{_KO_YEAR_WORDS})\s*)?"
        rf"(?<!\d)(?P<{p}km>\d{{1,2}})\s*월(?!\s*요일)(?:\s*(?P<{p}kd>\d{{1,2}})\s*일)?"
        rf"|(?<![\d/.])(?P<{p}sm>\d{{1,2}})/(?P<{p}sd>\d{{1,2}})(?![\d/])"
        rf"|\b(?P<{p}em>{_MON})\b\.?(?:\s*(?P<{p}ed>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:]))?"
        rf"(?:,?\s*(?P<{p}ey>\d{{4}})\b)?"
        rf"|\b(?:the\s+)?(?P<{p}fd>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:of\s+)?(?P<{p}fm>{_MON})\b\.?"
        rf"(?:,?\s*(?P<{p}fy>\d{{4}})\b)?"
        ")"
    )


@dataclass(frozen=True, slots=True)
class _Mention:
    month: int
    day: int | None  # None: the whole month
    year: int | None  # None: to be inferred


_MAY_BEFORE = r"\b(?:in|during|for|since|from|of|last|this|until|till|to|and)\s+$"
_MAY_AFTER = r"\s+(?:be|have|has|not|need|want|sell|run|go|get|also|i|we|you|it|they|still|soon)\b"


def _read_mention(m: re.Match[str], p: str, today: dt.date) -> _Mention | None:
    g = m.groupdict()
    if g[f"{p}im"] is not None:
        day = g[f"{p}id"]
        return _Mention(int(g[f"{p}im"]), int(day) if day else None, int(g[f"{p}iy"]))
    if g[f"{p}km"] is not None:
        year: int | None = None
        if g[f"{p}ky"]:
            year = int(g[f"{p}ky"])
        elif g[f"{p}kw"]:
            year = today.year + _KO_YEAR_OFFSET.get(re.sub(r"\s", "", g[f"{p}kw"]), 0)
        day = g[f"{p}kd"]
        return _Mention(int(g[f"{p}km"]), int(day) if day else None, year)
    if g[f"{p}sm"] is not None:
        month, day_number = int(g[f"{p}sm"]), int(g[f"{p}sd"])
        if not (1 <= month <= 12 and 1 <= day_number <= 31):
            return None  # "24/7" is not a date
        return _Mention(month, day_number, None)
    if g[f"{p}em"] is not None:
        name, day, year_text = g[f"{p}em"], g[f"{p}ed"], g[f"{p}ey"]
    else:
        name, day, year_text = g[f"{p}fm"], g[f"{p}fd"], g[f"{p}fy"]
    if name == "may" and year_text is None:
        if day is None:
            before = m.string[: m.start(f"{p}em")]
            if not re.search(_MAY_BEFORE, before):
                return None  # "may" the verb
        elif g[f"{p}fm"] is not None and re.match(_MAY_AFTER, m.string[m.end(f"{p}fm") :]):
            return None  # "product 3 may be out of stock"
    return _Mention(
        _MONTHS[name[:3]], int(day) if day else None, int(year_text) if year_text else None
    )


def _inferred_year(month: int, day: int, today: dt.date) -> int:
    """The year of the most recent (month, day) not after today."""
    return today.year if (month, day) <= (today.month, today.day) else today.year - 1


def _bounds(mention: _Mention, year: int, text: str) -> tuple[dt.date, dt.date]:
    check_month(mention.month, text)
    if mention.day is None:
        return dt.date(year, mention.month, 1), month_end(year, mention.month)
    day = make_date(year, mention.month, mention.day, text)
    return day, day


# ---------------------------------------------------------------- rules


@dataclass(frozen=True, slots=True)
class Rule:
    pattern: re.Pattern[str]
    build: Callable[[re.Match[str], dt.date], Period | None]
    weak: bool = False  # used only when nothing else names a period


_Builder = Callable[[re.Match[str], dt.date], Period | None]
RULES: list[Rule] = []


def _rule(pattern: str, *, weak: bool = False) -> Callable[[_Builder], _Builder]:
    def register(build: _Builder) -> _Builder:
        RULES.append(Rule(re.compile(pattern), build, weak))
        return build

    return register


@_rule(
    r"내일\s*모레|모레|내일(?!\s*(?:배송|도착|출고))|다음\s*주(?!문|식)|담주|다음\s*달(?!러|력)|담달|내년|다음\s*분기"
    r"|\btomorrow\b|\bnext\s+(?:week|month|year|quarter)\b"
)
def _future(m: re.Match[str], today: dt.date) -> Period | None:
    raise PeriodError("future", {"text": m.group()})


_RANGE_SEP = r"\s*(?:부터|에서|~|-|to|through|thru|until|till)\s*"
_RANGE_END = (
    rf"(?:{_mention('b')}"
    r"|(?P<bdd>\d{1,2})(?:\s*일|st|nd|rd|th)?(?![\d/])(?!\s*(?:월|개월|days?|weeks?|months?))"
    r"|(?P<brel>오늘|지금|현재|어제|today|now|yesterday))"
)


def _range(m: re.Match[str], today: dt.date) -> Period | None:
    text = m.group()
    first = _read_mention(m, "a", today)
    if first is None:
        return None
    if m["brel"] is not None:
        start_year = first.year or _inferred_year(first.month, first.day or 1, today)
        start = _bounds(first, start_year, text)[0]
        end = today - dt.timedelta(days=1) if m["brel"] in ("어제", "yesterday") else today
        if start > end:
            raise PeriodError("range_reversed", {"text": text, "start": start.isoformat()})
        return finish(start, end, "range", today, text)
    if m["bdd"] is not None:
        if first.day is None:
            return None
        second: _Mention | None = _Mention(first.month, int(m["bdd"]), first.year)
        same_year = True
    else:
        second = _read_mention(m, "b", today)
        same_year = False
    if second is None:
        return None
    inferred = _inferred_year(first.month, first.day or 1, today)
    start_year = first.year or second.year or inferred
    end_year = second.year or start_year
    start = _bounds(first, start_year, text)[0]
    end = _bounds(second, end_year, text)[1]
    if end < start and not same_year and (first.year is None or second.year is None):
        # an undated side may sit in the neighbouring year ("12월 20일~1월 5일")
        if second.year is None:
            wrapped = (start, _bounds(second, end_year + 1, text)[1])
        else:
            wrapped = (_bounds(first, start_year - 1, text)[0], end)
        if (wrapped[1] - wrapped[0]).days + 1 <= _WRAP_MAX_DAYS:
            start, end = wrapped
    if end < start:
        raise PeriodError(
            "range_reversed", {"text": text, "start": start.isoformat(), "end": end.isoformat()}
        )
    return finish(start, end, "range", today, text)


@_rule(
    rf"(?:(?P<ky>\d{{4}})\s*년\s*|(?P<kw>{_KO_YEAR_WORDS})\s*)?(?<!\d)(?P<km>\d{{1,2}})\s*월\s*"
    r"(?P<kd1>\d{1,2})\s*일?\s*(?:~|-|부터|에서)\s*(?P<kd2>\d{1,2})\s*일"
    r"|(?<![\d/])(?P<ed1>\d{1,2})(?:st|nd|rd|th)?\s*(?:-|~|to)\s*(?P<ed2>\d{1,2})(?:st|nd|rd|th)?"
    rf"\s*(?:of\s+)?\b(?P<em>{_MON})\b\.?(?:,?\s*(?P<ey>\d{{4}})\b)?"
)
def _day_span(m: re.Match[str], today: dt.date) -> Period | None:
    """Two days of one month: "11월 3~10일", "3-10 Nov"."""
    text = m.group()
    if m["km"] is not None:
        month, first, last = int(m["km"]), int(m["kd1"]), int(m["kd2"])
        year_text, year_word = m["ky"], m["kw"]
    else:
        month, first, last = _MONTHS[m["em"][:3]], int(m["ed1"]), int(m["ed2"])
        year_text, year_word = m["ey"], None
    check_month(month, text)
    if year_text:
        year = int(year_text)
    elif year_word:
        year = today.year + _KO_YEAR_OFFSET.get(re.sub(r"\s", "", year_word), 0)
    else:
        year = _inferred_year(month, first, today)
    start, end = make_date(year, month, first, text), make_date(year, month, last, text)
    if end < start:
        raise PeriodError(
            "range_reversed", {"text": text, "start": start.isoformat(), "end": end.isoformat()}
        )
    return finish(start, end, "range", today, text)


_rule(rf"\bbetween\s+{_mention('a')}\s*(?:and|&|~|-)\s*{_RANGE_END}")(_range)
_rule(rf"(?:\bfrom\s+)?{_mention('a')}{_RANGE_SEP}{_RANGE_END}\s*(?:까지)?")(_range)


def _since(m: re.Match[str], today: dt.date) -> Period | None:
    first = _read_mention(m, "a", today)
    if first is None:
        return None
    year = first.year or _inferred_year(first.month, first.day or 1, today)
    start = _bounds(first, year, m.group())[0]
    return finish(start, today, "range", today, m.group())


_rule(r"\b(?:since|from|after)\s+" + _mention("a"))(_since)
_rule(_mention("a") + r"\s*(?:부터|이후(?:로)?)")(_since)


def _days_ago(m: re.Match[str], today: dt.date) -> Period | None:
    raw = m["n"]
    n = int(raw) if raw.isdigit() else _EN_NUMBERS.get(raw) or _KO_DAY_WORDS.get(raw, 0)
    if n == 0 or n > MAX_DAYS:
        return None
    day = today - dt.timedelta(days=n)
    if m["since"]:
        return Period(day, today, "range")
    key = {1: "yesterday", 2: "day_before_yesterday"}.get(n, "date")
    return Period(day, day, key)


_rule(
    r"(?<!\d)(?P<n>\d{1,4}|하루|이틀|사흘|나흘|닷새|엿새|이레|열흘|보름)\s*(?:일)?\s*"
    r"전(?!체|부(?!터)|국|략|환|문|송|화|달|시|자|기|세|산|월|주|년)"
    r"(?P<since>\s*부터)?"
)(_days_ago)
_rule(rf"(?P<since>\bsince\s+)?\b(?P<n>{_EN_NUM})\s+days?\s+ago\b")(_days_ago)


@_rule(
    r"(?:(?P<lw>(?:지난|저번)\s*주|(?<![가-힣])전주|\blast\s+week(?:'s)?)\s*"
    r"|(?P<tw>이번\s*주|금주|\bthis\s+week(?:'s)?)\s*"
    r"|(?P<l>지난|저번|직전|\blast|\bprevious|\bpast)\s*"
    r"|(?P<t>이번|\bthis)\s*|\bon\s+)?"
    rf"(?P<wd>{_WEEKDAY})(?:\s+(?P<lw2>(?:of\s+)?last\s+week)|\s+(?P<tw2>this\s+week))?"
)
def _weekday(m: re.Match[str], today: dt.date) -> Period | None:
    weekday = _WEEKDAYS[m["wd"]]
    if m["lw"] or m["lw2"]:
        day = monday_of(today) - dt.timedelta(days=7 - weekday)
    elif m["tw"] or m["tw2"] or m["t"]:
        day = monday_of(today) + dt.timedelta(days=weekday)
    else:
        back = (today.weekday() - weekday) % 7
        if m["l"] and back == 0:
            back = 7
        day = today - dt.timedelta(days=back)
    return finish(day, day, "date", today, m.group())


@_rule(
    r"(?:(?P<last>지난|저번|\blast|\bprevious)\s*|(?P<this>이번|\bthis)\s*|\b(?:in|for|during)\s+)?"
    + _mention("a")
)
def _single(m: re.Match[str], today: dt.date) -> Period | None:
    mention = _read_mention(m, "a", today)
    if mention is None:
        return None
    text = m.group()
    check_month(mention.month, text)
    if mention.year is not None:
        year = mention.year
    elif m["this"]:
        year = today.year
    elif m["last"] and mention.day is None:
        year = today.year if mention.month < today.month else today.year - 1
    else:
        year = _inferred_year(mention.month, mention.day or 1, today)
    start, end = _bounds(mention, year, text)
    return finish(start, end, "date" if mention.day is not None else "month", today, text)


@_rule(
    rf"(?:(?P<y>\d{{4}})\s*년\s*|(?P<yw>{_KO_YEAR_WORDS})\s*)?(?P<q>[1-4])\s*분기"
    r"|\bq(?P<q2>[1-4])\b(?:\s*(?P<y2>\d{4})\b)?|\b(?P<y3>\d{4})\s*-?\s*q(?P<q3>[1-4])\b"
)
def _named_quarter(m: re.Match[str], today: dt.date) -> Period | None:
    quarter = int(m["q"] or m["q2"] or m["q3"])
    year_text = m["y"] or m["y2"] or m["y3"]
    if year_text:
        year = int(year_text)
    elif m["yw"]:
        year = today.year + _KO_YEAR_OFFSET.get(re.sub(r"\s", "", m["yw"]), 0)
    else:
        year = today.year if 3 * quarter - 2 <= today.month else today.year - 1
    start = dt.date(year, 3 * quarter - 2, 1)
    return finish(start, month_end(year, 3 * quarter), "quarter", today, m.group())


@_rule(rf"(?:(?P<y>\d{{4}})\s*년\s*|(?P<yw>{_KO_YEAR_WORDS})\s*)?(?P<h>상반기|하반기)")
def _half(m: re.Match[str], today: dt.date) -> Period | None:
    first_month = 1 if m["h"] == "상반기" else 7
    if m["y"]:
        year = int(m["y"])
    elif m["yw"]:
        year = today.year + _KO_YEAR_OFFSET.get(re.sub(r"\s", "", m["yw"]), 0)
    else:
        year = today.year if first_month <= today.month else today.year - 1
    start = dt.date(year, first_month, 1)
    return finish(start, month_end(year, first_month + 5), "half", today, m.group())


@_rule(
    r"(?<!\d)(?P<y>\d{4})\s*년(?:\s*도)?|\b(?:in|for|during|of)\s+(?P<y2>(?:19|20)\d\d)\b(?![-./])"
)
def _named_year(m: re.Match[str], today: dt.date) -> Period | None:
    year = int(m["y"] or m["y2"])
    if year < 1900:
        return None
    key = {today.year: "this_year", today.year - 1: "last_year"}.get(year, "year")
    return finish(dt.date(year, 1, 1), dt.date(year, 12, 31), key, today, m.group())


@_rule(
    r"(?:(?P<last>지난|저번|\blast|\bthis\s+past|\bpast|\bprevious)\s*|(?P<this>이번|\bthis)\s*)?"
    r"(?:주말|\bweekend\b)"
)
def _weekend(m: re.Match[str], today: dt.date) -> Period | None:
    saturday = monday_of(today) + dt.timedelta(days=5)
    if m["last"] or (not m["this"] and today.weekday() < 5):
        saturday -= dt.timedelta(days=7)
    return finish(saturday, saturday + dt.timedelta(days=1), "weekend", today, m.group())


def _fixed(build: Callable[[dt.date], Period], pattern: str, weak: bool = False) -> None:
    _rule(pattern, weak=weak)(lambda m, today: build(today))


_fixed(
    lambda t: week_back(t, 2, "week"),
    r"지지난\s*주(?!말|문)|저저번\s*주(?!말|문)|전전\s*주(?!말|문)|\b(?:the\s+)?week\s+before\s+last\b",
)
_fixed(
    lambda t: month_back(t, 2, "month"),
    r"지지난\s*달|저저번\s*달|전전\s*달|전전월|\b(?:the\s+)?month\s+before\s+last\b",
)
_fixed(lambda t: year_back(t, 2, "year"), r"재작년|지지난\s*해|\b(?:the\s+)?year\s+before\s+last\b")
_fixed(
    NAMED_DEFAULTS["day_before_yesterday"],
    r"엊그저께|엊그제|그저께|(?<![가-힣])그제|\b(?:the\s+)?day\s+before\s+yesterday\b",
)
_fixed(
    NAMED_DEFAULTS["yesterday"],
    r"어제|어저께|(?<![가-힣])전일|\byesterday'?s?\b|\by'?day\b|\byest\b|\bystd\b",
)
_fixed(NAMED_DEFAULTS["today"], r"오늘|금일|\btoday'?s?\b|\btdy\b|\b2day\b")


@_rule(
    r"(?:(?P<q>최근|지난|저번|직전|요즘)\s*|(?<![\d가-힣]))"
    rf"(?P<n>{_KO_NUM})\s*(?P<u>주일|주(?!문|말|식|차|년|전)|개월|달(?!러|력|성|라)|년(?!도)|일)"
    r"(?:\s*(?P<s>간|동안|치))?"
)
def _korean_last_n(m: re.Match[str], today: dt.date) -> Period | None:
    raw = m["n"]
    n = int(raw) if raw.isdigit() else _KO_NUMBERS[raw]
    unit = m["u"]
    bare = re.sub(r"\s", "", m.group())
    if not (m["q"] or m["s"] or bare in ("일주일", "한달")):
        return None
    if not raw.isdigit() and unit == "일":
        return None  # "이일", "삼일" are not how days are counted
    if n == 0:
        return None
    if unit == "일":
        return last_n_days(n, today, m.group())
    if unit.startswith("주"):
        return last_n_days(7 * n, today, m.group())
    if unit == "년":
        return last_n_months(12 * n, today, m.group())
    return last_n_months(n, today, m.group())


@_rule(
    r"(?P<q>최근|지난|요즘)?\s*(?P<w>하루|이틀|사흘|나흘|닷새|엿새|이레|열흘|보름|반년)(?:\s*(?P<s>간|동안|치))?"
)
def _korean_day_words(m: re.Match[str], today: dt.date) -> Period | None:
    if m["w"] == "반년":
        return last_n_months(6, today, m.group())
    if m["w"] == "하루" and not (m["q"] or m["s"]):
        return None  # "하루 평균" is a daily average, not a period
    return last_n_days(_KO_DAY_WORDS[m["w"]], today, m.group())


@_rule(
    r"\b(?:last|past|previous|prev|recent|trailing|rolling)\s+(?P<n>" + _EN_NUM + r")\s*-?\s*"
    r"(?P<u>days?|d|weeks?|wks?|w|months?|mos?|mths?|m|years?|yrs?|y)\b"
    r"|\b(?P<n2>\d{1,4})\s*-\s*(?P<u2>day|week|month)\b"
    r"|\bl(?P<n3>\d{1,3})(?P<u3>d|w|m)\b"
)
def _english_last_n(m: re.Match[str], today: dt.date) -> Period | None:
    raw = m["n"] or m["n2"] or m["n3"]
    unit = (m["u"] or m["u2"] or m["u3"])[0]
    n = int(raw) if raw.isdigit() else _EN_NUMBERS[raw]
    if n == 0:
        return None
    if unit == "d":
        return last_n_days(n, today, m.group())
    if unit == "w":
        return last_n_days(7 * n, today, m.group())
    return last_n_months(n * (12 if unit == "y" else 1), today, m.group())


@_rule(r"\b(?:this\s+)?past\s+(?P<u>week|month|year)\b")
def _english_past_unit(m: re.Match[str], today: dt.date) -> Period | None:
    if m["u"] == "week":
        return last_n_days(7, today, m.group())
    return last_n_months(1 if m["u"] == "month" else 12, today, m.group())


_fixed(
    NAMED_DEFAULTS["this_week"],
    r"이번\s*주(?!말|문|식|차)|(?<![가-힣])금주(?!말)|\bthis\s+w(?:ee)?k\b|\bcurrent\s+week\b"
    r"|\bwtd\b|\bweek\s+to\s+date\b",
)
_fixed(
    NAMED_DEFAULTS["last_week"],
    r"(?:지난|저번|직전)\s*주(?!말|문|식|차|년|기|전)|(?<![가-힣])전주(?!문|식|시|말)"
    r"|\b(?:last|previous|prev)\s+w(?:ee)?k\b",
)
_fixed(
    NAMED_DEFAULTS["this_month"],
    r"이번\s*달(?!러|력)|(?<![가-힣])이달(?!러|력)|금월|당월|\bthis\s+(?:month|mth|mo)\b"
    r"|\bcurrent\s+month\b|\bmtd\b|\bmonth\s+to\s+date\b",
)
_fixed(
    NAMED_DEFAULTS["last_month"],
    r"(?:지난|저번|직전)\s*달(?!러|력|성|라)|(?<![가-힣])전월"
    r"|(?<![가-힣])전달(?!하|되|사|받|해|했|할|된|드|을|를)"
    r"|\b(?:last|previous|prev)\s+(?:month|mth|mo)\b",
)
_fixed(
    NAMED_DEFAULTS["this_quarter"],
    r"이번\s*분기|금\s*분기|\b(?:this|current)\s+quarter\b|\bqtd\b",
)
_fixed(
    NAMED_DEFAULTS["last_quarter"],
    r"(?:지난|저번|직전|전)\s*분기|\b(?:last|previous|prev)\s+quarter\b",
)
_fixed(
    NAMED_DEFAULTS["this_year"],
    r"올해|금년|이번\s*해|\bthis\s+y(?:ea)?r\b|\bcurrent\s+year\b|\bytd\b|\byear\s+to\s+date\b",
)
_fixed(
    NAMED_DEFAULTS["last_year"],
    r"작년|지난\s*해(?!외|결|석|야|변)|(?<![가-힣])전년|\b(?:last|previous|prev)\s+y(?:ea)?r\b",
)
_fixed(
    NAMED_DEFAULTS["today"],
    r"현재|지금|실시간|\bso\s+far\b|\bright\s+now\b|\bnow\b|\breal[\s-]?time\b",
    weak=True,
)
