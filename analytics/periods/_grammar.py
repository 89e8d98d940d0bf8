"""More period phrases: weeks of a month, N weeks/months/years ago, English
halves, shopping days and lunar holidays, and the "same time last year" marker.
Each is a (pattern, builder) pair that analytics.periods._rules registers in its
order (see there)."""

from __future__ import annotations

import datetime as dt
import re

from analytics.periods._calendar import (
    MAX_DAYS,
    Period,
    PeriodError,
    add_months,
    check_month,
    finish,
    month_back,
    month_end,
    week_back,
    year_back,
)
from analytics.periods._holidays import occurrence
from analytics.periods._words import (
    EN_NUM,
    EN_NUMBERS,
    KO_NUM,
    KO_NUMBERS,
    KO_YEAR_WORDS,
    MON,
    MONTHS,
    inferred_year,
    year_of_word,
)

# the internal key of the "same time last year" marker: never a period of its own
SAME_TIME_LAST_YEAR = "same_time_last_year"
_MAX_MONTHS_AGO = MAX_DAYS // 31


def unresolved(text: str, **params: str | int) -> PeriodError:
    return PeriodError("unresolved_period", {"text": text, **params})


# ---------------------------------------------------------------- week of a month

_KO_ORDINALS = {
    "첫째": 1, "첫번째": 1, "첫": 1, "둘째": 2, "두번째": 2, "셋째": 3, "세번째": 3,
    "넷째": 4, "네번째": 4, "다섯째": 5, "다섯번째": 5, "여섯째": 6, "여섯번째": 6,
    "마지막": -1, "막": -1,
}  # fmt: skip
_EN_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "last": -1, "final": -1,
}  # fmt: skip
_KO_MONTH = (
    rf"(?:(?:(?P<ky>\d{{4}})\s*년\s*|(?P<kw>{KO_YEAR_WORDS})\s*)?(?<!\d)(?P<km>\d{{1,2}})\s*월"
    r"|(?P<kthis>이번\s*달|이달|금월|당월)|(?P<klast>지난\s*달|저번\s*달|전월|전달)"
    r"|(?P<kprev>지지난\s*달|저저번\s*달|전전\s*달))\s*(?:의\s*)?"
)
_KO_WEEK = r"\s*주(?!문|말|식|년|간|일|차|전|기|력|소|요|인|가)"
_KO_ORDINAL = (
    r"(?P<ko>첫째|첫\s*번째|둘째|두\s*번째|셋째|세\s*번째|넷째|네\s*번째|다섯째|다섯\s*번째"
    r"|여섯째|여섯\s*번째|마지막)" + _KO_WEEK + r"|(?P<kn>[1-9])\s*(?:번째\s*주|째\s*주|주\s*차)"
)
WEEK_OF_MONTH = (
    rf"(?:{_KO_MONTH}|(?<![가-힣\d]))(?:{_KO_ORDINAL}|(?P<ks>첫|막){_KO_WEEK})"
    r"|\b(?:the\s+)?(?P<eo>first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|sixth|6th|last"
    r"|final)\s+week\s+(?:of|in)\s+"
    rf"(?:(?P<ethis>this|the\s+current|the)\s+month|(?P<elast>last|the\s+last|the\s+previous"
    rf"|previous)\s+month|(?P<em>{MON})\b\.?(?:,?\s*(?P<ey>\d{{4}})\b)?"
    r"(?:\s+(?P<ely>last\s+year))?)"
)


def _named_month(m: re.Match[str], today: dt.date) -> tuple[int, int]:
    """(year, month) of the month a week-of-month phrase names (this month when none)."""
    if m["km"] or m["em"]:
        month = int(m["km"]) if m["km"] else MONTHS[m["em"][:3]]
        check_month(month, m.group())
        if m["ky"] or m["ey"]:
            return int(m["ky"] or m["ey"]), month
        if m["kw"]:
            return year_of_word(m["kw"], today), month
        if m["ely"]:
            return today.year - 1, month
        return inferred_year(month, 1, today), month
    back = 1 if (m["klast"] or m["elast"]) else 2 if m["kprev"] else 0
    first = add_months(today.replace(day=1), -back)
    return first.year, first.month


def week_of_month(m: re.Match[str], today: dt.date) -> Period | None:
    """The k-th Mon-Sun week whose Monday falls in the month ("11월 첫째주")."""
    text = m.group().strip()
    named = any(m[group] for group in ("km", "kthis", "klast", "kprev"))
    if m["ks"] and not named:
        return None  # "첫 주" alone: the first week of what (a launch, a campaign)?
    year, month = _named_month(m, today)
    if m["kn"]:
        ordinal = int(m["kn"])
    elif m["ko"] or m["ks"]:
        ordinal = _KO_ORDINALS[re.sub(r"\s", "", m["ko"] or m["ks"])]
    else:
        ordinal = _EN_ORDINALS[m["eo"]]
    first = dt.date(year, month, 1)
    first_monday = first + dt.timedelta(days=-first.weekday() % 7)
    weeks = (month_end(year, month).day - first_monday.day) // 7 + 1
    if ordinal == -1:
        ordinal = weeks
    if ordinal > weeks:
        raise unresolved(text, month=month, weeks=weeks)
    monday = first_monday + dt.timedelta(weeks=ordinal - 1)
    return finish(monday, monday + dt.timedelta(days=6), "week_of_month", today, text, ordinal)


# ---------------------------------------------------------------- N weeks/months/years ago

UNITS_AGO = (
    rf"(?<![\d가-힣])(?P<n>{KO_NUM})\s*(?P<u>주일|주|개월|달|년|해)\s*"
    r"전(?!체|부(?!터)|국|략|환|문|송|화|달|시|자|기|세|산|월|주|년|후|반|날)(?P<since>\s*부터)?"
    rf"|(?P<esince>\bsince\s+)?\b(?P<en>{EN_NUM})\s+(?P<eu>weeks?|months?|years?)\s+ago\b"
)


def units_ago(m: re.Match[str], today: dt.date) -> Period | None:
    """N weeks ago: that Mon-Sun week; N months ago: that calendar month; N years
    ago: that calendar year ("2주 전", "a month ago"). With 부터 / since: from the
    same day N units ago to today."""
    text = m.group().strip()
    raw = m["n"] or m["en"]
    n = int(raw) if raw.isdigit() else KO_NUMBERS.get(raw) or EN_NUMBERS[raw]
    unit = (m["u"] or m["eu"])[0]
    unit = {"주": "w", "개": "m", "달": "m", "년": "y", "해": "y"}.get(unit, unit)
    months = n * (12 if unit == "y" else 1)
    if n == 0 or (unit == "w" and 7 * n > MAX_DAYS) or (unit != "w" and months > _MAX_MONTHS_AGO):
        raise unresolved(text)
    if m["since"] or m["esince"]:
        if unit == "w":
            return Period(today - dt.timedelta(weeks=n), today, "range")
        return Period(add_months(today, -months), today, "range")
    if unit == "w":
        return week_back(today, n, "last_week" if n == 1 else "week")
    if unit == "m":
        return month_back(today, n, "last_month" if n == 1 else "month")
    return year_back(today, n, "last_year" if n == 1 else "year")


# ---------------------------------------------------------------- halves

HALVES = (
    r"\b(?:the\s+)?(?P<h>first|1st|second|2nd)\s+half(?![-\s]+(?:of\s+)?(?:the\s+)?"
    rf"(?:month|this\s+month|last\s+month|{MON})\b)"
    r"(?:\s+of)?(?:\s+(?:the\s+)?(?P<y>\d{4})\b|\s+(?P<yw>this|last|previous)\s+year\b"
    r"|\s+the\s+year\b)?"
    r"|\bh(?P<hn>[12])\b(?:\s*(?P<hy>\d{4})\b)?|\b(?P<hy2>\d{4})\s*-?\s*h(?P<hn2>[12])\b"
    r"|(?P<prev>(?:지난|저번|직전)\s*반기|\b(?:last|previous|prev)\s+half(?:[-\s]year)?\b)"
    r"|(?P<this>(?:이번|금)\s*반기|\b(?:this|current)\s+half(?:[-\s]year)?\b)"
)


def half(m: re.Match[str], today: dt.date) -> Period | None:
    """A half-year: "first half" (Jan-Jun), "H2 2025"; "last half-year" is the half
    before the current one, "this half" the current one so far."""
    text = m.group()
    current = dt.date(today.year, 1 if today.month <= 6 else 7, 1)
    if m["prev"] or m["this"]:
        start = add_months(current, -6) if m["prev"] else current
        return finish(start, month_end(start.year, start.month + 5), "half", today, text)
    first_month = 1 if (m["h"] in ("first", "1st") or "1" in (m["hn"], m["hn2"])) else 7
    year_text = m["y"] or m["hy"] or m["hy2"]
    if year_text:
        year = int(year_text)
    elif m["yw"] == "this":
        year = today.year
    elif m["yw"]:
        year = today.year - 1
    else:
        year = today.year if first_month <= today.month else today.year - 1
    start = dt.date(year, first_month, 1)
    return finish(start, month_end(year, first_month + 5), "half", today, text)


# ---------------------------------------------------------------- shopping days and holidays

_DAY_NAMES = (
    r"(?P<black_friday>블랙\s*프라이데이|블프|\bblack\s*friday\b)"
    r"|(?P<cyber_monday>사이버\s*먼데이|\bcyber\s*monday\b)"
    r"|(?P<singles_day>광군제|빼빼로\s*데이|(?<![\d./-])11\.11(?![\d./%-])(?!\s*(?:%|퍼센트|원|배|percent))|\bsingles'?\s*day\b"
    r"|\bdouble\s+(?:eleven|11)\b)"
    r"|(?P<seollal>설\s*날|설\s*연휴|설\s*명절|구정(?!물)|(?<![가-힣])설(?=[^\w]|$|에|엔|때|의|은|는|이|기간|당일)"
    r"|\bseollal\b|\b(?:korean\s+|lunar\s+)new\s+year\b)"
    r"|(?P<chuseok>추석|한가위|\bchuseok\b|\bkorean\s+thanksgiving\b)"
)
# a shopping day followed by these names a promotion or a product ("블프 기획전",
# "추석 선물세트"), not the day
_PROMOTION = (
    r"기획|캠페인|프로모션|이벤트|쿠폰|선물|세트|패키지|에디션|한정|특가전|campaign|promo|event"
    r"|coupon|gift|set\b|bundle|edition|package|hamper"
)
SHOPPING_DAY = (
    rf"(?:(?P<y>\d{{4}})\s*년?\s*|(?P<yw>{KO_YEAR_WORDS})\s*(?:의\s*)?"
    r"|\b(?P<ey>last|this)\s+year'?s\s+|\b(?:last|this\s+year'?s|the)\s+)?"
    rf"(?:{_DAY_NAMES})(?:\s*(?:연휴|명절|당일))?"
    r"(?:,?\s*(?P<y2>\d{4})\b|\s+(?P<ey2>last|this)\s+year\b)?"
    rf"(?!\s*(?:{_PROMOTION}))"
)
_DAY_KEYS = ("black_friday", "cyber_monday", "singles_day", "seollal", "chuseok")


def shopping_day(m: re.Match[str], today: dt.date) -> Period | None:
    """A shopping day or lunar holiday: the most recent one that has begun, or the
    year's one when a year is named ("작년 블프", "Chuseok 2025")."""
    text = m.group().strip()
    key = next(name for name in _DAY_KEYS if m[name])
    year_text = m["y"] or m["y2"]
    year_word = m["ey"] or m["ey2"]
    if year_text:
        year: int | None = int(year_text)
    elif m["yw"]:
        year = year_of_word(m["yw"], today)
    elif year_word:
        year = today.year - (year_word == "last")
    else:
        year = None
    if year is None:
        dates = occurrence(key, today.year)
        if dates is None or dates[0] > today:
            dates = occurrence(key, today.year - 1)
    else:
        dates = occurrence(key, year)
    if dates is None:
        raise unresolved(text)
    return finish(dates[0], dates[1], key, today, text)


# ---------------------------------------------------------------- same time last year

SAME_TIME = (
    r"(?:작년|지난\s*해|전년도?)\s*(?:의\s*)?(?:이맘때|이\s*맘때|요맘때|이\s*때|이\s*시기"
    r"|같은\s*(?:기간|때|시기|날|달|월|주|요일|시간|분기)|동기간?|동월|동일|동주|동분기)"
    r"|전년\s*동기|전년비|\byoy\b|\by/y\b|\byear[\s-]+(?:over|on)[\s-]+year\b"
    r"|\b(?:the\s+)?same\s+(?:time|period|days?|dates?|week|month|quarter)\s+"
    r"(?:a\s+year\s+(?:ago|earlier|before)|last\s+year|(?:of\s+)?(?:the\s+)?(?:previous|prior)"
    r"\s+year|the\s+year\s+before)\b"
    r"|\bthis\s+time\s+last\s+year\b|\blast\s+year'?s\s+same\s+(?:time|period)\b"
)


def same_time_last_year(m: re.Match[str], today: dt.date) -> Period | None:
    """A marker, not a period: the period asked about is compared with its own dates
    a year earlier (analytics.periods._match)."""
    return Period(today, today, SAME_TIME_LAST_YEAR)
