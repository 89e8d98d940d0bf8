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
from analytics.periods._grammar import (
    HALVES,
    SAME_TIME,
    SHOPPING_DAY,
    UNITS_AGO,
    WEEK_OF_MONTH,
    half,
    same_time_last_year,
    shopping_day,
    units_ago,
    unresolved,
    week_of_month,
)
from analytics.periods._words import (
    EN_NUM,
    EN_NUMBERS,
    KO_DAY_WORDS,
    KO_NUM,
    KO_NUMBERS,
    KO_YEAR_OFFSET,
    KO_YEAR_WORDS,
    MON,
    MONTHS,
    WEEKDAY,
    WEEKDAYS,
    Mention,
    bounds,
    inferred_year,
    mention,
    read_mention,
)

_WRAP_MAX_DAYS = 183  # an undated range may wrap into the next year by at most this

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
    r"내일\s*모레|모레|내일(?!\s*(?:배송|도착|출고))|(?:다)?다음\s*주(?!문|식)|(?:다)?담주"
    r"|(?:다)?다음\s*달(?!러|력)|(?:다)?담달|내후년|내년|다음\s*해|다음\s*분기"
    r"|\btomorrow\b|\bnext\s+(?:week|month|year|quarter)\b"
)
def _future(m: re.Match[str], today: dt.date) -> Period | None:
    raise PeriodError("future", {"text": m.group()})


# the grammar of analytics.periods._grammar, before the rules that would take a
# part of its phrases ("11월" of "11월 첫째주", "작년" of "작년 이맘때", "friday")
_rule(SAME_TIME)(same_time_last_year)
_rule(SHOPPING_DAY)(shopping_day)
_rule(WEEK_OF_MONTH)(week_of_month)
_rule(UNITS_AGO)(units_ago)
_rule(HALVES)(half)

_RANGE_SEP = r"\s*(?:부터|에서|~|-|to|through|thru|until|till)\s*"
_RANGE_END = (
    rf"(?:{mention('b')}"
    r"|(?P<bdd>\d{1,2})(?:\s*일|st|nd|rd|th)?(?![\d/])(?!\s*(?:월|개월|days?|weeks?|months?))"
    r"|(?P<brel>오늘|지금|현재|어제|today|now|yesterday))"
)


def _range(m: re.Match[str], today: dt.date) -> Period | None:
    text = m.group()
    first = read_mention(m, "a", today)
    if first is None:
        return None
    if m["brel"] is not None:
        start_year = first.year or inferred_year(first.month, first.day or 1, today)
        start = bounds(first, start_year, text)[0]
        end = today - dt.timedelta(days=1) if m["brel"] in ("어제", "yesterday") else today
        if start > end:
            raise PeriodError("range_reversed", {"text": text, "start": start.isoformat()})
        return finish(start, end, "range", today, text)
    if m["bdd"] is not None:
        if first.day is None:
            return None
        second: Mention | None = Mention(first.month, int(m["bdd"]), first.year)
        same_year = True
    else:
        second = read_mention(m, "b", today)
        same_year = False
    if second is None:
        return None
    inferred = inferred_year(first.month, first.day or 1, today)
    start_year = first.year or second.year or inferred
    end_year = second.year or start_year
    start = bounds(first, start_year, text)[0]
    end = bounds(second, end_year, text)[1]
    if end < start and not same_year and (first.year is None or second.year is None):
        # an undated side may sit in the neighbouring year ("12월 20일~1월 5일")
        if second.year is None:
            wrapped = (start, bounds(second, end_year + 1, text)[1])
        else:
            wrapped = (bounds(first, start_year - 1, text)[0], end)
        if (wrapped[1] - wrapped[0]).days + 1 <= _WRAP_MAX_DAYS:
            start, end = wrapped
    if end < start:
        raise PeriodError(
            "range_reversed", {"text": text, "start": start.isoformat(), "end": end.isoformat()}
        )
    return finish(start, end, "range", today, text)


@_rule(
    rf"(?:(?P<ky>\d{{4}})\s*년\s*|(?P<kw>{KO_YEAR_WORDS})\s*)?(?<!\d)(?P<km>\d{{1,2}})\s*월\s*"
    r"(?P<kd1>\d{1,2})\s*일?\s*(?:~|-|부터|에서)\s*(?P<kd2>\d{1,2})\s*일"
    r"|(?<![\d/])(?P<ed1>\d{1,2})(?:st|nd|rd|th)?\s*(?:-|~|to)\s*(?P<ed2>\d{1,2})(?:st|nd|rd|th)?"
    rf"\s*(?:of\s+)?\b(?P<em>{MON})\b\.?(?:,?\s*(?P<ey>\d{{4}})\b)?"
)
def _day_span(m: re.Match[str], today: dt.date) -> Period | None:
    """Two days of one month: "11월 3~10일", "3-10 Nov"."""
    text = m.group()
    if m["km"] is not None:
        month, first, last = int(m["km"]), int(m["kd1"]), int(m["kd2"])
        year_text, year_word = m["ky"], m["kw"]
    else:
        month, first, last = MONTHS[m["em"][:3]], int(m["ed1"]), int(m["ed2"])
        year_text, year_word = m["ey"], None
    check_month(month, text)
    if year_text:
        year = int(year_text)
    elif year_word:
        year = today.year + KO_YEAR_OFFSET.get(re.sub(r"\s", "", year_word), 0)
    else:
        year = inferred_year(month, first, today)
    start, end = make_date(year, month, first, text), make_date(year, month, last, text)
    if end < start:
        raise PeriodError(
            "range_reversed", {"text": text, "start": start.isoformat(), "end": end.isoformat()}
        )
    return finish(start, end, "range", today, text)


_rule(rf"\bbetween\s+{mention('a')}\s*(?:and|&|~|-)\s*{_RANGE_END}")(_range)
_rule(rf"(?:\bfrom\s+)?{mention('a')}{_RANGE_SEP}{_RANGE_END}\s*(?:까지)?")(_range)


def _since(m: re.Match[str], today: dt.date) -> Period | None:
    first = read_mention(m, "a", today)
    if first is None:
        return None
    year = first.year or inferred_year(first.month, first.day or 1, today)
    start = bounds(first, year, m.group())[0]
    return finish(start, today, "range", today, m.group())


_rule(r"\b(?:since|from|after)\s+" + mention("a"))(_since)
_rule(mention("a") + r"\s*(?:부터|이후(?:로)?)")(_since)


def _days_ago(m: re.Match[str], today: dt.date) -> Period | None:
    raw = m["n"]
    n = int(raw) if raw.isdigit() else EN_NUMBERS.get(raw) or KO_DAY_WORDS.get(raw, 0)
    if n == 0:
        return None
    if n > MAX_DAYS:
        raise unresolved(m.group().strip())
    day = today - dt.timedelta(days=n)
    if m["since"]:
        return Period(day, today, "range")
    key = {1: "yesterday", 2: "day_before_yesterday"}.get(n, "date")
    return Period(day, day, key)


_rule(
    r"(?<!\d)(?P<n>\d{1,6}|하루|이틀|사흘|나흘|닷새|엿새|이레|열흘|보름)\s*(?:일)?\s*"
    r"전(?!체|부(?!터)|국|략|환|문|송|화|달|시|자|기|세|산|월|주|년)"
    r"(?P<since>\s*부터)?"
)(_days_ago)
_rule(rf"(?P<since>\bsince\s+)?\b(?P<n>{EN_NUM})\s+days?\s+ago\b")(_days_ago)


@_rule(
    rf"(?:\bfrom\s+)?(?<!black\s)(?<!cyber\s)(?P<a>{WEEKDAY})"
    rf"(?:\s*(?:부터|에서|~|-)\s*|\s+(?:to|through|thru|until|till)\s+)(?P<b>{WEEKDAY})\s*(?:까지)?"
)
def _weekdays(m: re.Match[str], today: dt.date) -> Period | None:
    """From one weekday to another: the latest run of them that has begun."""
    first, last = WEEKDAYS[m["a"]], WEEKDAYS[m["b"]]
    start = today - dt.timedelta(days=(today.weekday() - first) % 7)
    end = start + dt.timedelta(days=(last - first) % 7)
    return finish(start, end, "range", today, m.group())


@_rule(
    r"(?P<es>\b(?:since|from)\s+)?"
    r"(?:(?P<lw>(?:지난|저번)\s*주|(?<![가-힣])전주|\blast\s+week(?:'s)?)\s*"
    r"|(?P<tw>이번\s*주|금주|\bthis\s+week(?:'s)?)\s*"
    r"|(?P<l>지난|저번|직전|\blast|\bprevious|\bpast)\s*"
    r"|(?P<t>이번|\bthis)\s*|\bon\s+)?"
    rf"(?<!black\s)(?<!cyber\s)(?P<wd>{WEEKDAY})(?:\s+(?P<lw2>(?:of\s+)?last\s+week)|\s+(?P<tw2>this\s+week))?"
    r"(?P<ks>\s*(?:부터|이후(?:로)?))?"
)
def _weekday(m: re.Match[str], today: dt.date) -> Period | None:
    """A weekday; with since / from / 부터 / 이후, from that day to today."""
    weekday = WEEKDAYS[m["wd"]]
    if m["lw"] or m["lw2"]:
        day = monday_of(today) - dt.timedelta(days=7 - weekday)
    elif m["tw"] or m["tw2"] or m["t"]:
        day = monday_of(today) + dt.timedelta(days=weekday)
    else:
        back = (today.weekday() - weekday) % 7
        if m["l"] and back == 0:
            back = 7
        day = today - dt.timedelta(days=back)
    if m["es"] or m["ks"]:
        return finish(day, today, "range", today, m.group())
    return finish(day, day, "date", today, m.group())


@_rule(
    r"(?:(?P<last>지난|저번|\blast|\bprevious)\s*|(?P<this>이번|\bthis)\s*|\b(?:in|for|during)\s+"
    r"|\b(?P<lys>last|this)\s+year'?s\s+)?"
    + mention("a")
    + r"(?:,?\s+(?:of\s+)?(?P<ly>last|this)\s+year\b)?"
)
def _single(m: re.Match[str], today: dt.date) -> Period | None:
    named = read_mention(m, "a", today)
    if named is None:
        return None
    text = m.group()
    check_month(named.month, text)
    if named.year is not None:
        year = named.year
    elif m["ly"] or m["lys"]:
        year = today.year - ((m["ly"] or m["lys"]) == "last")
    elif m["this"]:
        year = today.year
    elif m["last"] and named.day is None:
        year = today.year if named.month < today.month else today.year - 1
    else:
        year = inferred_year(named.month, named.day or 1, today)
    start, end = bounds(named, year, text)
    return finish(start, end, "date" if named.day is not None else "month", today, text)


@_rule(
    rf"(?:(?P<y>\d{{4}})\s*년\s*|(?P<yw>{KO_YEAR_WORDS})\s*)?(?P<q>[1-4])\s*분기"
    r"|\bq(?P<q2>[1-4])\b(?:\s*(?P<y2>\d{4})\b)?|\b(?P<y3>\d{4})\s*-?\s*q(?P<q3>[1-4])\b"
)
def _named_quarter(m: re.Match[str], today: dt.date) -> Period | None:
    quarter = int(m["q"] or m["q2"] or m["q3"])
    year_text = m["y"] or m["y2"] or m["y3"]
    if year_text:
        year = int(year_text)
    elif m["yw"]:
        year = today.year + KO_YEAR_OFFSET.get(re.sub(r"\s", "", m["yw"]), 0)
    else:
        year = today.year if 3 * quarter - 2 <= today.month else today.year - 1
    start = dt.date(year, 3 * quarter - 2, 1)
    return finish(start, month_end(year, 3 * quarter), "quarter", today, m.group())


@_rule(rf"(?:(?P<y>\d{{4}})\s*년\s*|(?P<yw>{KO_YEAR_WORDS})\s*)?(?P<h>상반기|하반기)")
def _half(m: re.Match[str], today: dt.date) -> Period | None:
    first_month = 1 if m["h"] == "상반기" else 7
    if m["y"]:
        year = int(m["y"])
    elif m["yw"]:
        year = today.year + KO_YEAR_OFFSET.get(re.sub(r"\s", "", m["yw"]), 0)
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
    rf"(?P<n>{KO_NUM})\s*(?P<u>주일|주(?!문|말|식|차|년|전)|개월|달(?!러|력|성|라)|년(?!도)|일)"
    r"(?:\s*(?P<s>간|동안|치))?"
)
def _korean_last_n(m: re.Match[str], today: dt.date) -> Period | None:
    raw = m["n"]
    n = int(raw) if raw.isdigit() else KO_NUMBERS[raw]
    unit = m["u"]
    bare = re.sub(r"\s", "", m.group())
    if not (m["q"] or m["s"] or bare in ("일주일", "한달")):
        return None
    if not raw.isdigit() and unit == "일":
        return None  # "이일", "삼일" are not how days are counted
    if n == 0:
        raise unresolved(m.group().strip())
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
    return last_n_days(KO_DAY_WORDS[m["w"]], today, m.group())


@_rule(
    r"\b(?:last|past|previous|prev|recent|trailing|rolling)\s+(?P<n>" + EN_NUM + r")\s*-?\s*"
    r"(?P<u>days?|d|weeks?|wks?|w|months?|mos?|mths?|m|years?|yrs?|y)\b"
    r"|\b(?P<n2>\d{1,4})\s*-\s*(?P<u2>day|week|month)\b"
    r"|\bl(?P<n3>\d{1,3})(?P<u3>d|w|m)\b"
)
def _english_last_n(m: re.Match[str], today: dt.date) -> Period | None:
    raw = m["n"] or m["n2"] or m["n3"]
    unit = (m["u"] or m["u2"] or m["u3"])[0]
    n = int(raw) if raw.isdigit() else EN_NUMBERS[raw]
    if n == 0:
        raise unresolved(m.group().strip())
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
