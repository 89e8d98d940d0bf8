"""The answer guard: every number a model writes must come from this turn's tool results.

A model answer is accepted only if each number in it can be read off the tool
results (or the question and the tool arguments) under the formatting a person
would use: thousands separators, 만/억 and k/M units, percentages of ratios,
and rounding to the digits shown. Anything else is an invented number, and the
caller sends the templated answer instead.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

# a number, optionally signed, with separators and decimals, then an optional unit
_NUMBER = re.compile(
    r"(?<![\w.])[-+−]?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s?"
    r"(?P<unit>억|만|천|%|퍼센트|[kK](?![a-zA-Z])|[mM](?![a-zA-Z])|[bB](?![a-zA-Z]))?"
)
_UNITS = {
    "억": 100_000_000,
    "만": 10_000,
    "천": 1_000,
    "k": 1_000,
    "m": 1_000_000,
    "b": 1_000_000_000,
}
# 1억 2,345만 원: a compound Korean amount is one number
_COMPOUND = re.compile(r"(?P<eok>\d+(?:\.\d+)?)\s?억\s?(?P<man>\d{1,3}(?:,\d{3})*|\d+)\s?만")


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    unsupported: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Shown:
    text: str
    value: Decimal
    decimals: int
    scale: int
    suffix: str = ""
    percent: bool = False
    """Letters written right after the number: "개" in "30개", "ml" in "500ml"."""


_SUFFIX = re.compile(r"[A-Za-z\uac00-\ud7a3]+")


def _suffix(text: str, end: int) -> str:
    if end == 0 or text[end - 1].isspace():  # "top 3 상품": nothing attached to the 3
        return ""
    attached = _SUFFIX.match(text, end)
    return attached.group(0).lower() if attached else ""


def _precision(number: str, scale: int) -> int:
    """Decimal places shown; with a unit, trailing zeros of a whole number mean rounding
    ("약 120만" is 10만-precision), without one they are taken as exact."""
    if "." in number:
        return len(number.split(".", 1)[1])
    if scale > 1:
        return -(len(number) - len(number.rstrip("0")))
    return 0


def numbers_in(text: str) -> list[_Shown]:
    """Numbers as a person reads them in `text`, with the digits shown and the unit."""
    found: list[_Shown] = []
    consumed: list[tuple[int, int]] = []
    for match in _COMPOUND.finditer(text):
        eok = Decimal(match["eok"])
        man = Decimal(match["man"].replace(",", ""))
        found.append(
            _Shown(
                match.group(0),
                eok * 100_000_000 + man * 10_000,
                0,
                10_000,
                _suffix(text, match.end()),
            )
        )
        consumed.append(match.span())
    for match in _NUMBER.finditer(text):
        if any(start <= match.start() < end for start, end in consumed):
            continue
        raw = match["num"].replace(",", "")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            continue
        unit = (match["unit"] or "").lower()
        scale = _UNITS.get(unit, 1)
        found.append(
            _Shown(
                match.group(0).strip(),
                value * scale,
                _precision(raw, scale),
                scale,
                _suffix(text, match.end()),
                unit in ("%", "퍼센트"),
            )
        )
    return found


@dataclass
class _Allowed:
    """Numbers the sources hold: figures (fields, counts, dates), and numbers written
    inside text (product names, the question) with the letters attached to them."""

    figures: set[float] = field(default_factory=set)
    percents: set[float] = field(default_factory=set)
    in_text: list[tuple[float, str]] = field(default_factory=list)


def _walk(value: Any, allowed: _Allowed) -> None:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float | Decimal):
        if not (isinstance(value, float) and not math.isfinite(value)):
            allowed.figures.add(float(value))
    elif isinstance(value, dict):
        days = _span_days(value.get("start"), value.get("end"))
        if days is not None:  # "지난 7일" of a 7-day window
            allowed.figures.add(float(days))
        for item in value.values():
            _walk(item, allowed)
    elif isinstance(value, list | tuple):
        allowed.figures.add(float(len(value)))
        for item in value:
            _walk(item, allowed)
    elif isinstance(value, dt.datetime | dt.date):
        allowed.figures.update((float(value.year), float(value.month), float(value.day)))
        if isinstance(value, dt.datetime):
            allowed.figures.update((float(value.hour), float(value.minute)))
    elif isinstance(value, str):
        _walk_string(value, allowed)


def _span_days(start: Any, end: Any) -> int | None:
    try:
        first, last = dt.date.fromisoformat(str(start)[:10]), dt.date.fromisoformat(str(end)[:10])
    except ValueError:
        return None
    return (last - first).days + 1


def _walk_string(value: str, allowed: _Allowed) -> None:
    try:
        parsed = dt.date.fromisoformat(value[:10])
    except ValueError:
        parsed = None
    if parsed is not None:
        _walk(parsed if len(value) <= 10 else dt.datetime.fromisoformat(value), allowed)
        return
    for shown in numbers_in(value):
        allowed.in_text.append((float(shown.value), shown.suffix))


def allowed_values(sources: Iterable[Any]) -> _Allowed:
    """Every number the sources hold, signs dropped (−12.5% said as "12.5% 감소"); a
    percentage may also show a ratio times 100 (0.125 as 12.5%)."""
    allowed = _Allowed()
    for source in sources:
        _walk(source, allowed)
    allowed.figures = {abs(number) for number in allowed.figures}
    allowed.percents = allowed.figures | {number * 100 for number in allowed.figures}
    return allowed


def _close(shown: _Shown, value: float) -> bool:
    target = float(abs(shown.value))
    # the digits shown, in the unit shown: 1.2만 shows 0.1만 = 1,000 precision
    step = float(Decimal(1).scaleb(-shown.decimals) * shown.scale)
    if abs(abs(value) - target) <= step / 2 + 1e-9:
        return True
    # "약 120만 원" for 1,234,500: rounding to the shown unit, either way
    return shown.scale > 1 and abs(abs(value) - target) < step


def _same_thing(shown: str, written: str) -> bool:
    """A number from inside a text supports an answer number only when they name the
    same thing: "500ml" supports "500ml짜리" and a bare 500, not "재고 500개"."""
    return not shown or not written or shown.startswith(written) or written.startswith(shown)


def _matches(shown: _Shown, allowed: _Allowed) -> bool:
    figures = allowed.percents if shown.percent else allowed.figures
    if any(_close(shown, value) for value in figures):
        return True
    return any(
        _close(shown, value) and _same_thing(shown.suffix, suffix)
        for value, suffix in allowed.in_text
    )


def check_answer(answer: str, sources: Iterable[Any]) -> Verdict:
    """Accept `answer` when each of its numbers is found in `sources` (tool results,
    tool arguments, the question); otherwise list the unsupported numbers."""
    allowed = allowed_values(sources)
    unsupported = tuple(shown.text for shown in numbers_in(answer) if not _matches(shown, allowed))
    return Verdict(ok=not unsupported, unsupported=unsupported)
