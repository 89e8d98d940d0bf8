"""Numbers as a person writes them, in Korean and English, with their unit and precision.

Reads digits with separators and decimals, Korean magnitudes (1억 2,345만, 40만 2천,
2백만), Sino-Korean words (이백만 원, 천오백 원), native counters (두 건, 세 배), English
words (three times, two orders, 1.5 million), multipliers (두 배, twice, doubled, 절반,
half) and the unit or counter after a number (원/₩/won, %, %p, 배/times, 건, 개, 명,
회, 일/days, 주/weeks, 개월/months, 위/1st, ml/g...). Each `Mention` carries the step of
its last digit shown (148만: 1만; 1.48M: 10,000) and, when the figure ends in zeros
(150만, 약 40%), the wider step those zeros may stand for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analytics.number_words import (
    EN_ONES,
    EN_TENS,
    NATIVE_ONES,
    NATIVE_TENS,
    SINO_DIGITS,
    alternation,
)
from tools.guard import words

# units a mention can carry
MONEY = "money"
PERCENT = "percent"
POINTS = "points"
TIMES = "times"
ORDERS = "orders"  # 건, orders
ITEMS = "items"  # 개, units, products
PEOPLE = "people"  # 명, customers
VISITS = "visits"  # 회, 번, visits, clicks
DAYS = "days"
WEEKS = "weeks"
MONTHS = "months"
HOURS = "hours"
YEARS = "years"
RANK = "rank"
NAME = "name"  # ml, g, 개입: part of a product's name
FRACTION = "fraction"  # 절반, a quarter, 3분의 1: a share, a change or a multiplier
NONE = ""


@dataclass(frozen=True, slots=True)
class Mention:
    text: str  # the number as written, with its magnitude and % ("250만", "7.5%")
    start: int
    end: int  # after the unit or counter
    value: float  # the magnitude, never negative
    step: float  # the last digit shown, in the figure's units
    widened: float  # what trailing zeros may stand for (>= step)
    sign: int = 0  # an explicit - or + (or ▲/▼)
    unit: str = NONE
    suffix: str = ""  # letters attached right after the number ("ml" in "500ml")
    scaled: bool = False  # written with 만/억/k/M/million: truncation reads as rounding
    word: bool = False  # written in words (두 배, twice)
    bound: str = ""  # "" exact or rounded, "about", "over", "under", "band"
    hints: frozenset[str] = field(default_factory=frozenset)  # measures its counter names


# -- digits ---------------------------------------------------------------------------

_DIGITS = re.compile(
    r"(?<![A-Za-z0-9_.,:/])"
    r"(?P<sign>[-+−▲▼△▽](?=\s?[₩$£€]?\s?\d))?\s?"
    r"(?P<cur>[₩$£€¥]|KRW\s?|USD\s?)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
)
_KO_MAG = {"십": 10, "백": 100, "천": 1_000, "만": 10_000, "억": 100_000_000, "조": 10**12}
_KO_SCALE = re.compile(r"\s?(?P<mag>[십백천만억조])")
_KO_NEXT = re.compile(r"\s?(?P<num>\d{1,3}(?:,\d{3})+|\d+)?\s?(?P<mag>[십백천만억조])")
_KO_GROUPS = {"만", "억", "조"}
_KO_TAIL = re.compile(r"\s?(?P<num>\d{1,3}(?:,\d{3})+|\d{1,4})(?=\s?원)")
_EN_SCALE = re.compile(
    r"\s?(?P<mag>thousand|million|billion|bn\b|mn\b|[kK](?![A-Za-z])|[mM](?![A-Za-z])|[bB](?![A-Za-z]))",
)
_EN_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "bn": 1e9, "mn": 1e6}
_EN_SCALES.update({"k": 1e3, "m": 1e6, "b": 1e9})

# -- units after a number: (pattern, unit, measure hints) -------------------------------
_ADJ = r"(?:(?:paid|cancell?ed|refunded|returned|new|more|fewer|total|additional|sold|" \
    r"returning|repeat|unique|distinct|separate|active|losing)\s+){0,2}"  # fmt: skip
_UNIT_TABLE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        r"%\s?p(?![a-z])|%\s?포인트|퍼센트\s?포인트|percentage points?|pp\b|포인트|points?\b",
        POINTS,
        (),
    ),
    (r"%|퍼센트|프로(?![가-힣])|percent\b|per cent\b|pct\b", PERCENT, ()),
    (r"만\s?원|억\s?원|원|won\b|KRW\b|krw\b", MONEY, ()),
    (r"배|times\b|x(?![A-Za-z])|×|-?fold\b", TIMES, ()),
    (r"건", ORDERS, ()),
    (
        r"개입|입(?![가-힣])|(?:ml|mL|ML|g|kg|L|l|cm|mm|oz)(?![A-Za-z])|매(?![가-힣])|"
        r"장(?![가-힣])|봉(?![가-힣])|팩|병(?![가-힣])|인분|구(?![가-힣])",
        NAME,
        (),
    ),
    (r"개월|달(?![가-힣])|months?\b", MONTHS, ()),
    (r"개|가지|종류|곳|종(?![가-힣])", ITEMS, ()),
    (r"명", PEOPLE, ("customers",)),
    (r"회(?!원)|번(?!째)", VISITS, ()),
    (r"번째|위|등(?![록급])|(?:st|nd|rd|th)\b|place\b", RANK, ("rank",)),
    (r"일|days?\b", DAYS, ("days",)),
    (r"주(?![문말요])|weeks?\b", WEEKS, ("days",)),
    (r"시간|hours?\b|hrs?\b", HOURS, ()),
    (r"년|years?\b", YEARS, ()),
    (_ADJ + r"(?:orders?|purchases?|transactions?)\b", ORDERS, ("orders",)),
    (_ADJ + r"(?:conversions?)\b", ORDERS, ("conversions",)),
    (_ADJ + r"(?:inquir(?:y|ies)|alerts?|cases?)\b", ORDERS, ()),
    (_ADJ + r"(?:units?|items?|pieces?|pcs|products?|SKUs?)\b", ITEMS, ()),
    (_ADJ + r"(?:campaigns?)\b", ITEMS, ("campaigns",)),
    (_ADJ + r"(?:keywords?|search terms?)\b", ITEMS, ("keywords",)),
    (_ADJ + r"(?:customers?|buyers?|people|shoppers?|regulars)\b", PEOPLE, ("customers",)),
    (_ADJ + r"(?:visitors?|visits?|sessions?|views?)\b", VISITS, ("visits",)),
    (_ADJ + r"(?:clicks?)\b", VISITS, ("clicks",)),
    (_ADJ + r"(?:impressions?)\b", VISITS, ("impressions",)),
)
_UNITS = tuple(
    (re.compile(r"\s?(?:" + pattern + ")", re.IGNORECASE), unit, frozenset(hints))
    for pattern, unit, hints in _UNIT_TABLE
)
_NAME_CASE = re.compile(r"개입|입|ml|mL|ML|g|kg|L|l|cm|mm|oz|매|장|봉|팩|병|인분|구")
_SUFFIX = re.compile(r"[A-Za-z\uac00-\ud7a3]+")

# -- words ------------------------------------------------------------------------------

_SINO = re.compile(
    r"(?<![가-힣A-Za-z0-9])(?P<num>[일이삼사오육칠팔구십백천만억]{1,12})"
    r"(?=\s?(?:원|건|개(?!월)|명|배|퍼센트|위|번|회|달|주|일|시간))"
)
_NATIVE_ONE = alternation(NATIVE_ONES)
_NATIVE_TEN = alternation(NATIVE_TENS)
_NATIVE_RE = re.compile(
    rf"(?<![가-힣])(?P<num>(?:{_NATIVE_TEN})(?:{_NATIVE_ONE})?|(?:{_NATIVE_ONE}))"
    r"(?=\s?(?:건(?!강|물)|개(?!월|선)|배(?!송|달|너|경)|명(?!품|령)|곳))(?P<half>\s?배\s?반)?"
)
_EN_WORD = alternation(EN_ONES, EN_TENS)
_EN_NUMBER = re.compile(
    rf"(?<![A-Za-z-])(?P<num>(?:{_EN_WORD})(?:[-\s](?:{_EN_WORD}))?"
    r"(?:\s(?:hundred|thousand|million|billion)(?:\s(?:and\s)?(?:" + _EN_WORD + r"))?)*)"
    r"(?![A-Za-z-])",
    re.IGNORECASE,
)
_MULTIPLIER_WORDS = re.compile(
    r"(?<![A-Za-z])(?P<w>twice|doubled|doubling|doubles|double|tripled|tripling|triples|triple|"
    r"quadrupled|quadruple)(?![A-Za-z])",
    re.IGNORECASE,
)
# a part of a whole or of a change: 절반, a quarter, 6분의 1, halved
_FRACTION_WORDS = re.compile(
    r"(?<![A-Za-z])(?P<en>(?:(?P<count>a|one|two|three)\s+)?(?P<part>half|thirds?|quarters?|fifths?|tenths?))"
    r"(?:\s+(?:of\s+)?an?\s+(?P<scale>thousand|million|billion))?(?![A-Za-z])"
    r"|(?<![A-Za-z])(?P<halved>halved|halving)(?![A-Za-z])"
    r"|(?P<ko>절반|반\s?토막|반(?=으로|이|가|쯤|정도|수준|\s?이상|\s?넘))"
    r"|(?<![\d.])(?P<whole>\d+)\s?분의\s?(?P<of>\d+)",
    re.IGNORECASE,
)
_KO_FRACTION = re.compile(r"(?<![\d.])(?P<whole>\d+)\s?분의\s?(?P<of>\d+)")
_FRACTION_PARTS = {
    "half": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5, "fifths": 5,
    "tenth": 10, "tenths": 10,
}  # fmt: skip
# "one and a half million", "2 and a half thousand"
_AND_A_HALF = re.compile(
    r"(?<![A-Za-z0-9])(?P<whole>one|two|three|four|five|\d+)\s+and\s+a\s+half\s+"
    r"(?P<scale>thousand|million|billion)(?![A-Za-z])",
    re.IGNORECASE,
)
_COUNT_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3}
_MULTIPLIER_VALUE = {
    "twice": 2.0, "double": 2.0, "doubled": 2.0, "doubling": 2.0, "doubles": 2.0,
    "triple": 3.0, "tripled": 3.0, "tripling": 3.0, "triples": 3.0,
    "quadruple": 4.0, "quadrupled": 4.0,
}  # fmt: skip
WORD_TOLERANCE = 0.15  # a multiplier or a fraction in words: within 15 % (20 % with 약)


def _step(number: str) -> tuple[float, float]:
    """(the last digit shown, what trailing zeros of a whole number may stand for)."""
    if "." in number:
        step = 10.0 ** -len(number.split(".", 1)[1])
        return step, step
    digits = number.replace(",", "")
    zeros = len(digits) - len(digits.rstrip("0")) if digits.strip("0") else 0
    return 1.0, 10.0**zeros


def _unit_after(text: str, end: int) -> tuple[str, int, frozenset[str], str]:
    """(unit, end after it, measure hints, attached suffix) of the number ending at `end`."""
    attached = ""
    if end < len(text) and not text[end].isspace():
        letters = _SUFFIX.match(text, end)
        attached = letters.group(0).lower() if letters else ""
    for pattern, unit, hints in _UNITS:
        match = pattern.match(text, end)
        if match is None:
            continue
        token = match.group(0)
        if unit == NAME and (token[:1].isspace() or not _NAME_CASE.fullmatch(token)):
            continue  # a name's unit is attached and exact: "500ml", "300g"
        return unit, match.end(), hints | words.measures_in(token), attached
    return NONE, end, frozenset(), attached


def _bound(text: str, start: int, end: int) -> str:
    before = text[max(0, start - 16) : start]
    after = text[end : end + 10]
    if words.BAND_AFTER.match(after):
        return "band"
    if words.OVER_BEFORE.search(before) or words.OVER_AFTER.match(after):
        return "over"
    if words.UNDER_BEFORE.search(before) or words.UNDER_AFTER.match(after):
        return "under"
    if words.APPROX_BEFORE.search(before) or words.APPROX_AFTER.match(after):
        return "about"
    return ""


def _sign(raw: str | None) -> int:
    if not raw:
        return 0
    return -1 if raw in "-−▼▽" else 1


def _korean_chain(text: str, pos: int, number: str) -> tuple[float, float, float, int, str] | None:
    """A Korean magnitude after the digits ending at `pos`: "148만", "1억 2,345만",
    "40만 2천", "2백만", "1천58만". Returns (value, step, widened, end, text) or None."""
    if _KO_SCALE.match(text, pos) is None:
        return None
    total = group = 0.0
    pending: float | None = float(number.replace(",", ""))
    last_digits = number
    end = pos
    places: list[tuple[float, float]] = []  # (place in its group, group scale) per number
    while (more := _KO_NEXT.match(text, end)) is not None:
        if more["num"] is not None and pending is not None:
            break  # two numbers in a row: the chain has ended
        if more["num"] is not None:
            pending, last_digits = float(more["num"].replace(",", "")), more["num"]
        mag = more["mag"]
        if mag in _KO_GROUPS:
            scale = float(_KO_MAG[mag])
            section = group + (pending or 0.0)
            if not section:
                section = 1.0
            total += section * scale
            if pending is not None:
                places.append((1.0, scale))
            places = [(p, scale if g == 1 else g) for p, g in places]
            group, pending = 0.0, None
        else:
            unit = float(_KO_MAG[mag])
            group += (pending if pending is not None else 1.0) * unit
            places.append((unit, 1.0))
            pending = None
        end = more.end()
    tail = _KO_TAIL.match(text, end)
    if tail is not None and pending is None and not group:  # 12만 3,456원
        pending, last_digits, end = (
            float(tail["num"].replace(",", "")),
            tail["num"],
            tail.end("num"),
        )
    total += group + (pending or 0.0)
    if pending is not None:
        places.append((1.0, 1.0))
    if not places:
        return None
    place = places[-1][0] * places[-1][1]
    small, widened_small = _step(last_digits)
    return total, small * place, widened_small * place, end, text[pos - len(number) : end].strip()


def _sino_value(word: str) -> tuple[float, float, float] | None:
    """이백만 -> (2,000,000, 10,000, 1,000,000): the value, the step of its 만/억 group, and
    the smallest unit written."""
    if not any(char in "십백천만억" for char in word):
        return None
    total = section = 0
    digit: int | None = None
    smallest = None
    group_scale = 1
    for char in word:
        if char in SINO_DIGITS:
            if digit is not None:
                return None
            digit = SINO_DIGITS[char]
        elif char in "십백천":
            unit = _KO_MAG[char]
            section += (digit if digit is not None else 1) * unit
            smallest = unit
            digit = None
        else:  # 만, 억
            unit = _KO_MAG[char]
            part = section + (digit or 0)
            if digit is not None:
                smallest = 1
            total += (part if part else 1) * unit
            smallest = (smallest or 1) * unit
            group_scale = unit
            section, digit = 0, None
    if digit is not None:
        section += digit
        smallest = 1
    total += section
    if total <= 0:
        return None
    return float(total), float(group_scale), float(smallest or 1)


def _native_value(word: str) -> int:
    for ten, tens_value in sorted(NATIVE_TENS.items(), key=lambda kv: -len(kv[0])):
        if word.startswith(ten):
            return tens_value + NATIVE_ONES.get(word[len(ten) :], 0)
    return NATIVE_ONES[word]


def _en_step(phrase: str) -> tuple[float, float]:
    """The step of a number in words: its last scale word ("seven hundred forty thousand"
    is written to the thousand), widened by the zeros of the part before it."""
    tokens = [t for t in re.split(r"[-\s]+", phrase.lower()) if t != "and"]
    scale = 1.0
    while tokens and tokens[-1] in ("thousand", "million", "billion"):
        scale *= _EN_SCALES[tokens.pop()]
    head = _en_value(" ".join(tokens)) if tokens else 1.0
    _, widened = _step(str(int(head or 1)))
    return scale, widened * scale


def _en_value(phrase: str) -> float | None:
    total = current = 0.0
    for token in re.split(r"[-\s]+", phrase.lower()):
        if token in EN_ONES:
            current += EN_ONES[token]
        elif token in EN_TENS:
            current += EN_TENS[token]
        elif token == "hundred":
            current = (current or 1) * 100
        elif token in ("thousand", "million", "billion"):
            total += (current or 1) * _EN_SCALES[token]
            current = 0
        elif token == "and":
            continue
        else:
            return None
    return total + current


def _free(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return all(end <= s or start >= e for s, e in spans)


def read_numbers(text: str, taken: list[tuple[int, int]] | None = None) -> list[Mention]:
    """Every number in `text` outside the `taken` spans (dates, names), in text order."""
    spans = list(taken or [])
    found: list[Mention] = []

    for match in _AND_A_HALF.finditer(text):
        whole = match["whole"].lower()
        count = float(whole) if whole.isdigit() else float(EN_ONES[whole])
        scale = _EN_SCALES[match["scale"].lower()]
        value = (count + 0.5) * scale
        unit, unit_end, hints, _ = _unit_after(text, match.end())
        found.append(
            Mention(match.group(0), match.start(), unit_end, value, 0.5 * scale, 0.5 * scale,
                    unit=unit, scaled=True, word=True,
                    bound=_bound(text, match.start(), unit_end), hints=hints)
        )  # fmt: skip
        spans.append((match.start(), unit_end))

    for match in _KO_FRACTION.finditer(text):  # 6분의 1 before its digits are read alone
        whole = int(match["whole"])
        if whole and _free(spans, *match.span()):
            value = int(match["of"]) / whole
            found.append(
                Mention(match.group(0), *match.span(), value, 1.0, 1.0, unit=FRACTION,
                        word=True, bound=_bound(text, *match.span()))
            )  # fmt: skip
            spans.append(match.span())

    for match in _DIGITS.finditer(text):
        if not _free(spans, match.start("num"), match.end("num")):
            continue
        number = match["num"]
        try:
            value = float(number.replace(",", ""))
        except ValueError:
            continue
        step, widened = _step(number)
        end = match.end()
        shown = number
        scaled = False
        chain = _korean_chain(text, end, number)
        if chain is not None:
            value, step, widened, end, shown = chain
            scaled = True
        else:
            scale_match = _EN_SCALE.match(text, end)
            if scale_match is not None:
                scale = _EN_SCALES[scale_match["mag"].lower()]
                value, step, widened = value * scale, step * scale, widened * scale
                end = scale_match.end()
                shown = text[match.start("num") : end].strip()
                scaled = True
        unit, unit_end, hints, suffix = _unit_after(text, end)
        if match["cur"]:
            unit = MONEY
        if unit in (PERCENT, POINTS):
            shown = shown + text[end:unit_end].strip().replace(" ", "")[:1]
        sign = _sign(match["sign"])
        if sign:
            shown = match["sign"] + shown
        found.append(
            Mention(
                text=shown,
                start=match.start("sign") if match["sign"] else match.start("num"),
                end=unit_end,
                value=value,
                step=step,
                widened=widened,
                sign=sign,
                unit=unit,
                suffix=suffix,
                scaled=scaled,
                bound=_bound(text, match.start(), unit_end),
                hints=hints,
            )
        )
        spans.append((match.start(), unit_end))

    for match in _SINO.finditer(text):
        if not _free(spans, match.start(), match.end()):
            continue
        parsed = _sino_value(match["num"])
        if parsed is None:
            continue
        value, step, smallest = parsed
        unit, unit_end, hints, _ = _unit_after(text, match.end())
        found.append(
            Mention(match["num"], match.start(), unit_end, value, step, max(step, smallest),
                    unit=unit, scaled=True, word=True,
                    bound=_bound(text, match.start(), unit_end), hints=hints)
        )  # fmt: skip
        spans.append((match.start(), unit_end))

    for match in _NATIVE_RE.finditer(text):
        if not _free(spans, match.start(), match.end()):
            continue
        value = float(_native_value(match["num"]))
        if match["half"]:  # 두 배 반: 2.5 times
            value += 0.5
            unit, unit_end, hints = TIMES, match.end("half"), frozenset[str]()
        else:
            unit, unit_end, hints, _ = _unit_after(text, match.end("num"))
        if unit == NONE:
            continue
        found.append(
            Mention(match["num"], match.start(), unit_end, value, 1.0, 1.0, unit=unit,
                    word=True, bound=_bound(text, match.start(), unit_end), hints=hints)
        )  # fmt: skip
        spans.append((match.start(), unit_end))

    for match in _EN_NUMBER.finditer(text):
        if not _free(spans, match.start(), match.end()):
            continue
        value_or_none = _en_value(match["num"])
        if not value_or_none:
            continue
        unit, unit_end, hints, _ = _unit_after(text, match.end())
        has_scale = any(
            w in match["num"].lower() for w in ("hundred", "thousand", "million", "billion")
        )
        if unit in (NONE, NAME, YEARS) and not has_scale:
            continue  # "one of", "the two": only a counted or scaled word is a figure
        step, widened = _en_step(match["num"])
        found.append(
            Mention(match["num"], match.start(), unit_end, value_or_none, step, widened,
                    unit=unit, scaled=has_scale, word=True,
                    bound=_bound(text, match.start(), unit_end), hints=hints)
        )  # fmt: skip
        spans.append((match.start(), unit_end))

    for match in _MULTIPLIER_WORDS.finditer(text):
        if not _free(spans, match.start(), match.end()):
            continue
        value = _MULTIPLIER_VALUE[match["w"].lower()]
        start, end = match.span("w")
        found.append(
            Mention(text[start:end], start, end, value, 1.0, 1.0, unit=TIMES, word=True,
                    bound=_bound(text, start, end))
        )  # fmt: skip
        spans.append((start, end))

    for match in _FRACTION_WORDS.finditer(text):
        if not _free(spans, match.start(), match.end()):
            continue
        unit = FRACTION
        if match["en"]:
            count = _COUNT_WORDS.get((match["count"] or "a").lower(), 1)
            value = count / _FRACTION_PARTS[match["part"].lower()]
            if match["scale"]:
                value *= _EN_SCALES[match["scale"].lower()]
                unit = NONE
        elif match["whole"]:
            whole = int(match["whole"])
            if not whole:
                continue
            value = int(match["of"]) / whole
        else:
            value = 0.5
        start, end = match.span()
        if unit == NONE:
            unit, end, hints, _ = _unit_after(text, end)
        else:
            hints = frozenset()
        found.append(
            Mention(text[start:end].strip(), start, end, value, 0.1 * value, 0.1 * value,
                    unit=unit, word=True, scaled=unit != FRACTION,
                    bound=_bound(text, start, end), hints=hints)
        )  # fmt: skip
        spans.append((start, end))

    found.sort(key=lambda m: m.start)
    return _ranges(text, found)


def _ranges(text: str, found: list[Mention]) -> list[Mention]:
    """ "1~3%", "2-3일": the first number of a range takes the unit of the second."""
    out: list[Mention] = []
    for i, mention in enumerate(found):
        if mention.unit == NONE and i + 1 < len(found):
            nxt = found[i + 1]
            between = text[mention.end : nxt.start]
            if re.fullmatch(r"\s?[~～\-–—]\s?|\s?(?:to|에서)\s", between) and nxt.unit != NONE:
                mention = Mention(
                    mention.text + ("%" if nxt.unit == PERCENT else ""),
                    mention.start, mention.end, mention.value, mention.step, mention.widened,
                    mention.sign, nxt.unit, nxt.suffix, mention.scaled, mention.word,
                    mention.bound, mention.hints,
                )  # fmt: skip
        out.append(mention)
    return out
