"""The verdict: each figure of an answer must be one of the turn's tool figures, read as
the answer reads it.

For every number of the answer (see numerals) the guard reads what it counts (its
counter, 건/개/원/%, and the measure words before it, or after it in English), the
direction a word beside it gives it (38.8% 감소, fell 17%, 1,122,000원으로 줄었어요) and
the named item it speaks of (the nearest product, campaign or keyword name). It is
supported when a tool figure has that value within the precision the answer shows, is
of that kind and measure, and agrees with the direction; a number of the question or
the tool arguments supports only a parameter (지난 7일, top 3) or a threshold the
answer compares with. Dates and times are checked as dates. An answer that gives no
tool figure where the question asked for one, or that claims an action, is refused.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from tools.guard import numerals as n
from tools.guard import words
from tools.guard.dates import DateMention, find_dates
from tools.guard.facts import ANY, COUNT, DAYS, MONEY, MULT, POINTS, RATIO, Evidence, Fact
from tools.guard.numerals import Mention

_SENTENCE_END = re.compile(r"(?<!\d)[.!?。](?!\d)|[!?。\n]|(?<=\d)\.(?!\d)")
_CLAUSE_END = re.compile(
    r"[,;:()\[\]·]|(?<!\d)[.!?。\n](?!\d)|(?<=[가-힣])(?:지만|는데|으나|면서|고|며)\s|\s(?:but|while|whereas|and)\s"
)
_PHRASE_END = re.compile(
    r"[,;]|(?<!\d)[.!?。\n](?!\d)|(?<=[가-힣])(?:지만|는데|으나|면서|고|며)\s|\s(?:but|while|whereas|and)\s"
)
_EN_FOLLOWING = re.compile(
    r"\s*(?:of|in|from|for)\s+(?:the\s+|your\s+|total\s+|all\s+|ad\s+|its\s+)?(?P<noun>[A-Za-z][A-Za-z\- ]{1,24})",
)
_KO_FOLLOWING = re.compile(r"\s?의\s?(?P<noun>[가-힣A-Za-z ]{1,8})")
_THRESHOLD = re.compile(
    r"넘|이상|이하|미만|밑|초과|돌파|기준|목표|못\s?미|over|above|below|under|exceed|target|than|short of|at least",
    re.IGNORECASE,
)
_BELOW = re.compile(
    r"못\s?미|안\s?넘|넘지\s?(?:못|않)|미만|이하|밑|아래|under|below|short of|less than|not|n't",
    re.IGNORECASE,
)
_COUNTED = {n.NONE, n.ORDERS, n.ITEMS, n.PEOPLE, n.VISITS, n.MONEY}
NEAR_DAYS = 7  # a date a week around the turn's dates (this Monday, next Friday) is a date
_DURATION = re.compile(r"(?:지난|최근|과거|last|past|previous|over)\s*$", re.IGNORECASE)
_PARAM_UNITS = {n.NONE, n.ITEMS, n.DAYS, n.WEEKS, n.MONTHS, n.RANK, n.YEARS, n.HOURS, n.NAME}
_NOT_FOR_ORDERS = frozenset(
    {"units", "stock", "visits", "customers", "products", "clicks", "impressions", "days", "rank"}
)
_NOT_FOR_ITEMS = frozenset(
    {"orders", "conversions", "cancel", "refund", "visits", "clicks", "customers", "days"}
)
_NOT_FOR_PEOPLE = frozenset({"units", "stock", "products", "days", "rank"})
_FOR_VISITS = frozenset({"visits", "clicks", "impressions", "conversions", "orders"})


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    unsupported: tuple[str, ...] = ()
    """The figures (as written) the sources do not support."""
    reasons: tuple[str, ...] = ()
    """Why, one line each: "38.8%: direction", "70: role", "no figure"..."""


@dataclass(frozen=True, slots=True)
class _Context:
    hints: frozenset[str]
    direction: int  # +1, -1 or 0
    mode: str  # "change" (fell 17%), "level" (fell to 42), "base" (than 50,000) or ""
    scope: frozenset[int] | None  # the named items it speaks of; None: any
    claim: int  # a threshold the result is said to pass (+1) or fall short of (-1); 0: none
    duration: bool = False  # "지난 7일", "7일간": days counted, not a day of the month


# -- reading the answer -----------------------------------------------------------------


@lru_cache(maxsize=2048)
def _name_pattern(name: str) -> re.Pattern[str] | None:
    """A name as an answer may write it: any case, spaces or none between its parts
    ("머그컵 선물세트 (2입)" as "머그컵 선물세트(2입)")."""
    chars = [char for char in name if not char.isspace()]
    if len(chars) < 2:
        return None
    return re.compile(r"\s*".join(re.escape(char) for char in chars), re.IGNORECASE)


def _blank(
    answer: str, names: dict[str, set[int]]
) -> tuple[str, list[tuple[int, int, frozenset[int]]]]:
    """The answer with the result's names (product, campaign, keyword names, text quoted
    from the results) blanked out, and where each stood with the items it names."""
    text = answer
    found: list[tuple[int, int, frozenset[int]]] = []
    for name in sorted(names, key=len, reverse=True):
        pattern = _name_pattern(name)
        if pattern is None or len(name) > len(answer) + 40:
            continue
        for match in pattern.finditer(text):
            start, end = match.span()
            if all(end <= s or start >= e for s, e, _ in found):
                found.append((start, end, frozenset(names[name])))
                text = text[:start] + " " * (end - start) + text[end:]
    found.sort()
    return text, found


def _bounds(pattern: re.Pattern[str], text: str, pos: int) -> tuple[int, int]:
    start, end = 0, len(text)
    for match in pattern.finditer(text):
        if match.end() <= pos:
            start = match.end()
        elif match.start() >= pos:
            end = match.start()
            break
    return start, end


def _direction_after(window: str) -> tuple[int, str]:
    """The direction a Korean or English word after a number gives it: "% 감소", "원으로
    줄었", "% higher"."""
    for pattern, sign in ((words.KO_UP, 1), (words.KO_DOWN, -1)):
        match = pattern.search(window)
        if match is None:
            continue
        between = window[: match.start()]
        if len(between) > 12 or re.search(r"[,.;!?]|고\s|며\s|지만|는데", between):
            continue
        other = words.KO_DOWN if sign == 1 else words.KO_UP
        earlier = other.search(window[: match.start()])
        if earlier is not None:
            continue
        if re.match(r"\s?(?:으로|로|까지|에서)", between) and not re.search(
            r"보다|대비|비해", between
        ):
            mode = "level" if not between.lstrip().startswith("에서") else "base"
        elif re.search(r"보다|대비|비해|에서", between):
            mode = "base"
        else:
            mode = "change"
        if _weak(match.group(0)) and mode == "change" and not re.search(r"보다|대비|비해", between):
            mode = "change_weak"
        return sign, mode
    match = re.match(
        r"\s*(?:[A-Za-z]+\s+)?(?P<w>higher|lower|more|less|fewer|up|down|increase|decrease|"
        r"rise|drop|decline|fall|dip|jump|gain|growth|surge|plunge|boost)\b",
        window,
        re.IGNORECASE,
    )
    if match:
        return words.direction_of(match["w"].lower()), "change"
    return 0, ""


def _weak(word: str) -> bool:
    return words.KO_STRONG.search(word) is None and words.EN_STRONG.search(word) is None


def _direction_before(window: str) -> tuple[int, str]:
    """The direction an English word before a number gives it: "fell 17%", "up by 5%",
    "rose to 42" (a level), "down from 50,000" (a base)."""
    match = None
    for candidate in re.finditer(r"[A-Za-z][A-Za-z ]*[A-Za-z]|[A-Za-z]", window):
        match = candidate
    if match is None:
        return 0, ""
    phrase = match.group(0)
    tail = window[match.end() :]
    if re.search(r"[,;.]", tail) or re.search(r"\d", tail):
        return 0, ""
    tokens = phrase.split()
    for i in range(len(tokens) - 1, max(-1, len(tokens) - 5), -1):
        sign = words.direction_of(tokens[i].lower())
        if (
            i > 0
            and tokens[i - 1].lower() in ("went", "go", "goes", "gone")
            and tokens[i].lower() in ("up", "down")
        ):
            sign = 1 if tokens[i].lower() == "up" else -1
        if sign == 0:
            continue
        rest = [t.lower() for t in tokens[i + 1 :]]
        if any(t in ("to", "at") for t in rest):
            return sign, "level"
        if any(t in ("from", "than") for t in rest):
            return sign, "base"
        filler = {"by", "about", "around", "roughly", "nearly", "almost", "some", "over", "just",
                  "approximately", "a", "an", "the", "another", "more", "than", "only", "sharply",
                  "slightly"}  # fmt: skip
        if all(t in filler for t in rest):
            mode = (
                "change"
                if not _weak(tokens[i]) or tokens[i].lower() in ("up", "down")
                else "change_weak"
            )
            return sign, mode
        return 0, ""
    return 0, ""


def _context(
    text: str,
    mention: Mention,
    prev_end: int,
    next_start: int,
    names: list[tuple[int, int, frozenset[int]]],
) -> tuple[_Context, int]:
    """What the number at `mention` counts, its direction and the item it speaks of;
    and where its own words end (an English "of revenue" after it belongs to it)."""
    s_start, s_end = _bounds(_SENTENCE_END, text, mention.start)
    c_start, c_end = _bounds(_CLAUSE_END, text, mention.start)
    p_start, _ = _bounds(_PHRASE_END, text, mention.start)
    seg_start = max(prev_end, s_start, p_start)
    seg_end = min(next_start, s_end)
    before = text[seg_start : mention.start]
    after = text[mention.end : seg_end]
    own_end = mention.end
    hints = set(mention.hints)
    following = _EN_FOLLOWING.match(after) or _KO_FOLLOWING.match(after)
    if following is not None:
        tags = words.measures_in(following["noun"])
        if tags:
            hints |= tags
            own_end = mention.end + following.end()
    english = bool(re.search(r"[A-Za-z]{3,}", before + after)) and not re.search(
        r"[가-힣]", before[-12:] + after[:6]
    )
    hints |= words.measures_in(before)
    near = re.match(r"[가-힣A-Za-z%]*\s?(?:의\s?)?([가-힣]+)", after)
    if near is not None and not english and mention.unit in _COUNTED:
        hints |= words.measures_in(near.group(1))  # "4번 구매", "742,200원 매출"
    rest = re.match(r"[^,.;!?()\d]*", after)
    if rest is not None and words.QUALIFYING_PREDICATE.search(rest.group(0)):
        hints |= words.measures_in(rest.group(0)) & words.QUALIFIERS  # "16건이 취소됐어요"
    sign, mode = 0, ""
    if mention.sign:
        sign, mode = mention.sign, "change"
    else:
        sign, mode = _direction_after(after)
        if not sign:
            sign, mode = _direction_before(before)
    if mode == "change_weak":
        sentence = text[s_start:s_end]
        mode = "change" if words.COMPARED.search(sentence) else ""
        if not mode:
            sign = 0
    scope = _scope(names, mention.start, (c_start, c_end), (s_start, s_end))
    around = text[max(seg_start, mention.start - 14) : mention.start] + " " + after[:14]
    claim = 0
    if _THRESHOLD.search(around) or mention.bound in ("over", "under"):
        claim = -1 if _BELOW.search(around) or mention.bound == "under" else 1
    duration = bool(_DURATION.search(before)) or bool(
        re.match(
            r"(?:간|동안|째|치|분|\s?동안|\s?days?)", text[mention.end - 1 : mention.end + 3][1:]
        )
        or re.match(r"\s?(?:간|동안|째|치|분)", after)
    )
    return _Context(frozenset(hints), sign, mode, scope, claim, duration), own_end


def _scope(
    names: list[tuple[int, int, frozenset[int]]],
    pos: int,
    clause: tuple[int, int],
    sentence: tuple[int, int],
) -> frozenset[int] | None:
    named = [(s, e, owners) for s, e, owners in names if owners and -1 not in owners]
    before = [owners for s, e, owners in named if clause[0] <= s and e <= pos]
    if before:
        return before[-1]
    after = [owners for s, e, owners in named if pos <= s and e <= clause[1]]
    if after:
        return after[0]
    earlier = [owners for s, e, owners in named if sentence[0] <= s and e <= pos]
    return earlier[-1] if earlier else None


# -- matching ----------------------------------------------------------------------------


def _close(mention: Mention, target: float) -> bool:
    """Whether `target` may be written as `mention`: rounded to the digits shown (trailing
    zeros may stand for rounding up to a tenth of the figure), or cut off there for a
    figure written with 만/억/k/M, or on the stated side of a bound."""
    value, target = mention.value, abs(target)
    eps = 1e-9 * max(1.0, value)
    if mention.word and mention.unit in (n.TIMES, n.FRACTION):  # 두 배, 절반, a quarter
        if mention.bound == "over":
            return value - eps <= target <= 1.5 * value
        if mention.bound == "under":
            return 0.75 * value <= target <= value + eps
        tolerance = n.WORD_TOLERANCE + (0.05 if mention.bound == "about" else 0.0)
        return abs(target - value) <= tolerance * value + eps
    wide = min(mention.widened, max(mention.step, 0.1 * value))
    if abs(target - value) <= wide / 2 + eps:
        return True
    if mention.bound == "band":
        return value - eps <= target < value + mention.widened
    if mention.bound == "over":
        return value - eps <= target <= value + max(wide, mention.step) + eps
    if mention.bound == "under":
        return value - max(wide, mention.step) - eps <= target <= value + eps
    if mention.scaled or mention.bound == "about":
        return value - eps <= target < value + mention.step  # 148만 for 1,486,000
    return False


def _targets(mention: Mention, fact: Fact) -> list[tuple[float, bool]]:
    """The values `fact` may be written as in the mention's unit, each with whether it
    is read as a change (a direction applies to it)."""
    unit, kind, value = mention.unit, fact.kind, fact.value
    if unit == n.PERCENT:
        if kind == RATIO:
            out = [(value * 100, fact.change)]
            if fact.pct:
                out.append((value, fact.change))
            return out
        if kind == MULT:
            return [(value * 100, False)]
        if kind == ANY:
            return [(value, False), (value * 100, False)]
        return []
    if unit == n.POINTS:
        if kind == POINTS:
            return [(value, True)]
        if kind in (RATIO, ANY):
            return [(value * 100, fact.change)]
        return []
    if unit == n.FRACTION:
        if kind in (RATIO, MULT, ANY):
            return [(value, fact.change)]
        return []
    if unit == n.TIMES:
        if kind == MULT:
            return [(value, True)]
        if kind in (RATIO, ANY) and not fact.change:
            return [(value, False)]
        return []
    if unit == n.MONEY:
        return [(value, fact.change)] if kind in (MONEY, ANY) else []
    if unit in (n.DAYS, n.WEEKS, n.MONTHS):
        if kind not in (DAYS, ANY):
            return []
        if unit == n.WEEKS:
            return [(value / 7, False)] if value % 7 == 0 else []
        if unit == n.MONTHS:
            return [(round(value / 30.4), False)] if value >= 28 else []
        return [(value, False)]
    if unit in (n.ORDERS, n.ITEMS, n.PEOPLE, n.VISITS, n.RANK, n.HOURS):
        return [(value, fact.change)] if kind in (COUNT, ANY) else []
    if unit in (n.NAME, n.YEARS):
        return []
    if kind == POINTS:
        return []
    return [(value, fact.change)]


def _unit_fits(mention: Mention, fact: Fact) -> bool:
    tags = fact.tags
    if fact.kind == ANY or not tags:
        return True
    unit = mention.unit
    if unit == n.ORDERS:
        return not (tags & _NOT_FOR_ORDERS) or bool(tags & {"orders", "conversions"})
    if unit == n.ITEMS:
        return not (tags & _NOT_FOR_ITEMS)
    if unit == n.PEOPLE:
        return not (tags & _NOT_FOR_PEOPLE)
    if unit == n.VISITS:
        return bool(tags & _FOR_VISITS)
    if unit == n.RANK:
        return bool(tags & {"rank", "list"})
    return True


def _role_fits(hints: frozenset[str], fact: Fact, unit: str = n.NONE) -> bool:
    """Whether a figure said to be of `hints` may be this field."""
    tags = fact.tags - {"list", "share", "days"} if fact.kind != DAYS else fact.tags
    if not hints or not tags:
        return True
    qualified = tags & words.QUALIFIERS
    asked = hints & words.QUALIFIERS
    if qualified and not asked and hints - words.ENTITY_NOUNS:
        return False  # "주문 12건" is not 12 cancelled orders
    if asked and not qualified and not tags & {"customers"} - hints:
        if tags - {"customers"} or not asked & {"at_risk", "likely", "regulars"}:
            return False  # "취소 283건" is not 283 paid orders
    if asked and qualified and not asked & qualified:
        return False  # "환불 12건" is not 12 cancelled orders
    measures = hints - words.QUALIFIERS
    if measures - words.ENTITY_NOUNS:
        measures -= words.ENTITY_NOUNS  # "고객은 4번 구매": purchases, not customers
    elif unit not in (n.PEOPLE, n.ITEMS, n.NONE, n.RANK):
        return True  # "고객은 4번": the customer does, the figure counts something else
    if not measures:
        return True
    allowed: set[str] = set()
    for hint in measures:
        allowed |= words.EXPAND.get(hint, frozenset({hint}))
    fact_measures = tags - words.QUALIFIERS
    if not fact_measures:
        return True
    return bool(allowed & fact_measures)


def _level_direction_fits(direction: int, fact: Fact, hints: frozenset[str], ev: Evidence) -> bool:
    """A level said to have gone up or down (1,122,000원으로 줄었어요): the result's change
    of that measure must have gone that way, when the result has one."""
    tags = (fact.tags | hints) - {"list", "share", "rank", "days"}
    if not tags:
        return True
    changes = [
        f for f in ev.facts
        if f.change and f.kind in (RATIO, MONEY, COUNT) and f.tags & tags and f.owner == fact.owner
    ]  # fmt: skip
    return not changes or any(f.sign == direction for f in changes)


def _check_mention(mention: Mention, ctx: _Context, ev: Evidence) -> tuple[bool, str, bool]:
    """(supported, why not, supported by a tool figure)."""
    stage = "not found"
    rank = {"not found": 0, "role": 1, "direction": 2}
    for fact in ev.facts:
        if ctx.scope is not None and fact.owner >= 0 and fact.owner not in ctx.scope:
            continue
        for target, is_change in _targets(mention, fact):
            if not _close(mention, target):
                continue
            if not (_unit_fits(mention, fact) and _role_fits(ctx.hints, fact, mention.unit)):
                stage = max(stage, "role", key=rank.__getitem__)
                continue
            if ctx.direction:
                if ctx.mode == "change":
                    ok = is_change and fact.sign == ctx.direction
                elif is_change:
                    ok = fact.sign == ctx.direction
                else:
                    ok = _level_direction_fits(ctx.direction, fact, ctx.hints, ev)
                if not ok:
                    stage = "direction"
                    continue
            elif mention.sign and is_change and fact.sign != mention.sign:
                stage = "direction"
                continue
            return True, "", True
    if _from_params(mention, ctx, ev):
        return True, "", False
    if _from_texts(mention, ev):
        return True, "", False
    if mention.unit == n.NONE and 1990 <= mention.value <= 2100 and mention.step == 1:
        if any(d.year == mention.value for d in ev.dates):
            return True, "", False
    if mention.unit == n.DAYS and mention.value == int(mention.value) and not ctx.duration:
        day = int(mention.value)  # "26일": a day of the month near the turn's dates
        if 1 <= day <= 31 and not ctx.hints - {"days"}:
            if any(_day_supported(None, d.month, day, ev) for d in ev.dates):
                return True, "", False
    return False, stage, False


def _from_params(mention: Mention, ctx: _Context, ev: Evidence) -> bool:
    """A number of the question or the tool arguments: a parameter echoed back (지난 7일,
    top 3, 2번째), or a threshold the answer compares the result with (100만 원 넘었어요)."""
    matching = [
        p for p in ev.params
        if _close(mention, p.value) and (p.unit == mention.unit or n.NONE in (p.unit, mention.unit))
        and _same_suffix(mention.suffix, p.suffix)
    ]  # fmt: skip
    if not matching:
        return False
    result_words = ctx.hints & words.RESULT_MEASURES
    if mention.unit == n.NAME:
        return any(p.unit == n.NAME for p in matching)
    if mention.unit in _PARAM_UNITS and not result_words:
        return True
    if not ctx.claim:
        return False  # a result figure the question only named
    # a threshold: a result of that kind must lie on the side the answer says
    levels = [
        target
        for fact in ev.facts
        if not fact.change
        and _unit_fits(mention, fact)
        and _role_fits(ctx.hints, fact, mention.unit)
        for target, _ in _targets(mention, fact)
    ]
    if not levels:
        return True
    if ctx.claim > 0:
        return any(abs(level) >= mention.value for level in levels)
    return any(abs(level) < mention.value for level in levels)


def _same_suffix(shown: str, written: str) -> bool:
    return not shown or not written or shown.startswith(written) or written.startswith(shown)


def _from_texts(mention: Mention, ev: Evidence) -> bool:
    """A number inside the results' text (a product name, a quoted passage): the same
    number with the same unit and letters ("500ml" for "500ml", not "500개")."""
    for shown in ev.texts:
        if not _close(mention, shown.value):
            continue
        if mention.unit == n.NAME or shown.unit == n.NAME:
            if mention.unit == shown.unit and _same_suffix(mention.suffix, shown.suffix):
                return True
            continue
        if mention.unit == shown.unit or (mention.unit == n.NONE and not mention.suffix):
            return True
    return False


# -- dates -------------------------------------------------------------------------------


def _date_supported(d: DateMention, ev: Evidence) -> bool:
    """A date must be a real one near the turn's dates (its windows, the comparison
    windows, today); a time must be a real time of a turn that speaks of times."""
    if not d.valid:
        return False
    if d.hours:
        return bool(ev.times)
    wanted = [(d.year, d.month, d.day)]
    if d.day2 is not None:
        wanted.append((d.year, d.month2 or d.month, d.day2))
    return all(_day_supported(y, m, day, ev) for y, m, day in wanted)


def _day_supported(year: int | None, month: int | None, day: int | None, ev: Evidence) -> bool:
    for q_year, q_month, q_day in ev.question_dates:
        if (year in (None, q_year)) and month == q_month and day == q_day:
            return True
    for one in ev.dates:
        if (year in (None, one.year)) and (month in (None, one.month)) and (day in (None, one.day)):
            return True
    for first, last in ev.spans:
        if day is None:
            if month is None:
                if year is not None and first.year <= year <= last.year:
                    return True
                continue
            years = [year] if year else list({first.year, last.year})
            if any(
                (y, month) >= (first.year, first.month) and (y, month) <= (last.year, last.month)
                for y in years
            ):
                return True
            continue
        for y in [year] if year else list({first.year, last.year}):
            try:
                when = dt.date(y, month or first.month, day)
            except ValueError:
                continue
            if first <= when <= last:
                return True
    known = sorted({*ev.dates, *(d for span in ev.spans for d in span)})
    if not known or month is None:
        return False
    near = dt.timedelta(days=NEAR_DAYS)
    first, last = known[0] - near, known[-1] + near
    for y in [year] if year else sorted({first.year, last.year}):
        try:
            when = dt.date(y, month, day or 1)
        except ValueError:
            continue
        if day is None and first.replace(day=1) <= when <= last:
            return True
        if first <= when <= last:
            return True
    return False


# -- the whole answer --------------------------------------------------------------------


def _clause_directions(
    text: str, numbers: list[Mention], ev: Evidence, names: list[tuple[int, int, frozenset[int]]]
) -> list[str]:
    """A direction said without a figure ("매출이 줄었어요") must agree with the result's
    change of that measure, when it has one."""
    problems: list[str] = []
    pieces = [m.start() for m in _CLAUSE_END.finditer(text)]
    bounds = list(zip([0, *[p + 1 for p in pieces]], [*pieces, len(text)], strict=False))
    for start, end in bounds:
        if any(start <= m.start < end for m in numbers):
            continue
        clause = text[start:end]
        for pattern in (words.KO_STRONG, words.EN_STRONG):
            match = pattern.search(clause)
            if match is None:
                continue
            hints = words.measures_in(clause[: match.start()]) - {
                "products",
                "campaigns",
                "keywords",
                "customers",
            }
            if not hints:
                continue
            sign = 1 if match.group("up") else -1
            scope = _scope(names, start + match.start(), (start, end), (start, end))
            changes = [
                f for f in ev.facts
                if f.change and f.kind in (RATIO, MONEY, COUNT) and _role_fits(hints, f)
                and f.tags - {"list", "rank"} and (scope is None or f.owner in scope)
            ]  # fmt: skip
            if changes and not any(f.sign == sign for f in changes):
                problems.append(f"{match.group(0)}: direction")
            break
    return problems


def _zero_claims(text: str, numbers: list[Mention], ev: Evidence) -> tuple[list[str], bool]:
    """ "주문이 없어요", "no orders": a zero of a measure, checked like the figure 0."""
    problems: list[str] = []
    supported = False
    for match in words.ZERO_CLAIM.finditer(text):
        if any(match.start() <= m.start < match.end() for m in numbers):
            continue
        subject = match["ko"].split()[-1] if match["ko"] else (match["en"] or "")
        hints = words.measures_in(subject)
        if not hints - words.ENTITY_NOUNS - {"products"} and not hints & {"products"}:
            continue
        zero = Mention(match.group(0), match.start(), match.end(), 0.0, 1.0, 1.0)
        zeros = [f for f in ev.facts if f.value == 0 and f.kind in (COUNT, MONEY, ANY)]
        if any(_role_fits(hints, f) for f in zeros):
            supported = True
            continue
        measured = [
            f for f in ev.facts if f.kind in (COUNT, MONEY) and _role_fits(hints, f) and f.tags
        ]
        if measured and not any(f.change for f in measured if f.value == 0):
            problems.append(f"{zero.text.strip()}: a zero the result does not hold")
    return problems, supported


def verdict(answer: str, ev: Evidence) -> Verdict:
    text, names = _blank(answer, ev.names)
    dates = find_dates(text)
    numbers = n.read_numbers(text, [(d.start, d.end) for d in dates])
    marks = sorted([(d.start, d.end) for d in dates] + [(m.start, m.end) for m in numbers])
    unsupported: list[str] = []
    reasons: list[str] = []
    from_tools = False
    own_ends: dict[int, int] = {}
    for mention in numbers:
        prev_end = max([own_ends.get(s, e) for s, e in marks if e <= mention.start], default=0)
        next_start = min([s for s, _ in marks if s >= mention.end], default=len(text))
        ctx, own_end = _context(text, mention, prev_end, next_start, names)
        own_ends[mention.start] = own_end
        ok, why, tool = _check_mention(mention, ctx, ev)
        from_tools = from_tools or tool
        if not ok:
            unsupported.append(mention.text)
            reasons.append(f"{mention.text}: {why}")
    for d in dates:
        if not _date_supported(d, ev):
            unsupported.append(d.text)
            reasons.append(f"{d.text}: date")
    reasons.extend(_clause_directions(text, numbers, ev, names))
    zeros, zero_from_tools = _zero_claims(text, numbers, ev)
    reasons.extend(zeros)
    from_tools = from_tools or zero_from_tools
    if words.ACTION_CLAIM.search(answer):
        reasons.append("claims an action no tool took")
    if not from_tools and not reasons:
        missing = _missing_figure(answer, names, ev)
        if missing:
            reasons.append(missing)
    return Verdict(ok=not reasons, unsupported=tuple(unsupported), reasons=tuple(reasons))


def _missing_figure(answer: str, names: list[tuple[int, int, frozenset[int]]], ev: Evidence) -> str:
    """Why an answer with no tool figure cannot stand, or "" when it can."""
    if ev.calls and ev.failed == ev.calls:
        if words.ASKS_FIGURE.search(ev.question) or words.CLAIMS_SUCCESS.search(answer):
            return "no figure: every tool call failed"
        return ""  # an honest "I could not" stands
    if not ev.data_calls or ev.no_data or ev.text_calls or not ev.question:
        return ""
    if not words.ASKS_ABOUT_FIGURES.search(ev.question):
        return ""
    names_item = any(owners - {-1} for _, _, owners in names) or any(
        entity.lower() in answer.lower() for entity in ev.entities if len(entity) >= 2
    )
    if names_item and not words.ASKS_AMOUNT.search(ev.question):
        return ""
    return "no figure: the question asked for one"
