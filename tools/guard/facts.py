"""What a turn's sources hold: the figures of its tool results, each with the field it
came from, and the numbers of the question and the tool arguments.

A figure keeps its measure (revenue, orders, units, ...; from its field name and the
fields around it), its kind (money, a count, a ratio, days), whether it is a signed
change, and the named item it belongs to (a product, campaign or keyword of a list).
A few figures a person derives are added: the difference and the ratio of a figure and
its comparison (742,200 against yesterday's 293,500: 448,700 more, 2.5 times), and
1 + a relative change as a multiplier. Dates and times are kept apart from figures.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from tools.guard import numerals
from tools.guard.dates import find_dates, parse_iso
from tools.guard.numerals import Mention

MONEY = "money"
COUNT = "count"
RATIO = "ratio"
DAYS = "days"
MULT = "mult"  # a multiplier: 1 + a relative change, or a figure over its comparison
POINTS = "points"  # the difference of two ratios
ANY = "any"  # a field the guard does not know


@dataclass(frozen=True, slots=True)
class Fact:
    value: float  # signed
    kind: str
    tags: frozenset[str]
    change: bool = False  # a signed change: a direction word must agree with its sign
    owner: int = -1  # the named item it belongs to; -1: the result as a whole
    pct: bool = False  # already in percent (a *_pct field may be either)

    @property
    def sign(self) -> int:
        if self.kind == MULT:
            return (self.value > 1) - (self.value < 1)
        return (self.value > 0) - (self.value < 0)


@dataclass
class Evidence:
    question: str = ""
    today: dt.date | None = None
    facts: list[Fact] = field(default_factory=list)
    params: list[Mention] = field(default_factory=list)  # numbers of the question and args
    texts: list[Mention] = field(default_factory=list)  # numbers inside tool-result text
    names: dict[str, set[int]] = field(default_factory=dict)  # strings to read as names
    entities: set[str] = field(default_factory=set)  # names of items in the results
    dates: set[dt.date] = field(default_factory=set)
    spans: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    times: set[tuple[int, int]] = field(default_factory=set)
    question_dates: list[tuple[int | None, int | None, int | None]] = field(default_factory=list)
    calls: int = 0
    failed: int = 0
    no_data: int = 0
    data_calls: int = 0  # successful calls with figures
    text_calls: int = 0  # advice and inquiry drafts: answers in words


_ENTITY_KEYS = ("name", "name_en", "keyword", "campaign", "title", "customer", "question")
_LIST_TAGS = {
    "items": "products", "products": "products", "products_other_way": "products",
    "matching_products": "products", "campaigns": "campaigns", "campaigns_other_way": "campaigns",
    "losing": "campaigns", "keywords": "keywords", "top": "keywords",
    "low_converting": "keywords", "customers": "customers", "sent": "alerts",
    "found_not_sent": "alerts",
}  # fmt: skip
_TAG_RULES: tuple[tuple[str, str], ...] = (
    ("cancelled_or_refunded", "cancel refund orders"),
    ("refunded_and_cancelled", "cancel refund"),
    ("cancel", "cancel"),
    ("refund", "refund"),
    ("ordered_amount", "ordered"),
    ("average_order_value", "aov"),
    ("aov", "aov"),
    ("conversion_rate", "conv_rate"),
    ("cvr", "conv_rate"),
    ("conversion", "conversions"),
    ("purchases", "conversions"),
    ("revenue", "revenue"),
    ("orders", "orders"),
    ("units", "units"),
    ("spend", "spend"),
    ("roas", "roas"),
    ("ctr", "ctr"),
    ("cpc", "cpc"),
    ("cpa", "cpa"),
    ("profit", "profit"),
    ("loss", "profit"),
    ("visits", "visits"),
    ("clicks", "clicks"),
    ("impressions", "impressions"),
    ("price", "price"),
    ("expected_value", "revenue"),
    ("customers", "customers"),
    ("segment_sizes", "customers"),
    ("at_risk", "at_risk"),
    ("likely_regulars", "likely"),
    ("regulars", "regulars"),
    ("p_alive", "p_alive"),
    ("similarity", "similarity"),
    ("rank", "rank"),
)
_PRODUCT_COUNTS = {
    "products", "products_sold", "in_stock", "out_of_stock", "selling_out", "no_recent_sales",
    "unknown_stock", "unknown_stock_selling",
}  # fmt: skip
_MONEY_TAGS = {"revenue", "ordered", "aov", "spend", "cpc", "cpa", "profit", "price"}
_MONEY_WORDS = ("revenue", "amount", "spend", "price", "value", "profit", "loss", "cpc", "cpa",
                "average_order", "cost")  # fmt: skip


@lru_cache(maxsize=4096)
def _tags(key: str, parents: tuple[str, ...], metric: str | None) -> frozenset[str]:
    if key in _PRODUCT_COUNTS:
        return frozenset({"products"})
    if key in ("stock", "stock_known"):
        return frozenset({"stock"})
    if "days" in key:
        return frozenset({"days", "stock"} if "stock" in key or key == "days_left" else {"days"})
    if key in ("units_per_day",):
        return frozenset({"units"})
    names = [key]
    if key in ("change", "change_absolute") and metric:
        names.append(metric)
    for parent in parents[-1:]:
        if parent == "segment_sizes":
            names.append(parent)
    found: set[str] = set()
    for name in names:
        for token, tags in _TAG_RULES:
            if token in name:
                found.update(tags.split())
                if token in (
                    "cancelled_or_refunded",
                    "refunded_and_cancelled",
                    "conversion_rate",
                    "cvr",
                ):
                    break
    if "conv_rate" in found:
        found.discard("conversions")
    if "likely" in found:
        found.discard("regulars")
    return frozenset(found)


def _kind(key: str, value: int | float, tags: frozenset[str]) -> tuple[str, bool, bool]:
    """(kind, is a signed change, already in percent) of a numeric field."""
    return _kind_of(key, isinstance(value, float), tags)


@lru_cache(maxsize=4096)
def _kind_of(key: str, is_float: bool, tags: frozenset[str]) -> tuple[str, bool, bool]:
    if "days" in key or key == "rate_over_days":
        return DAYS, False, False
    relative_change = key.endswith("_change_rate") or (
        ("change" in key) and is_float and "absolute" not in key
    )
    if relative_change:
        return RATIO, True, False
    if "change" in key:  # an absolute change in the field's own unit
        money = bool(tags & _MONEY_TAGS) and not tags & {"orders", "units", "visits"}
        return (MONEY if money else COUNT), True, False
    if "pct" in key or "percent" in key:
        return RATIO, False, True
    if any(
        word in key
        for word in ("rate", "share", "ctr", "cvr", "roas", "ratio", "p_alive", "similarity")
    ):
        return RATIO, False, False
    if key == "units_per_day":
        return COUNT, False, False
    if any(word in key for word in _MONEY_WORDS):
        return MONEY, "profit" in key or "loss" in key, False
    if not tags:
        return ANY, False, False
    return COUNT, False, False


class _Walker:
    def __init__(self, evidence: Evidence) -> None:
        self.ev = evidence
        self.next_owner = 0
        self.totals: dict[str, float] = {}

    def result(self, summary: dict[str, Any]) -> None:
        self.totals = {}
        for source in (summary, summary.get("total")):
            if isinstance(source, dict):
                for key, value in source.items():
                    if _number(value) and float(value) > 0:
                        self.totals.setdefault(key.removeprefix("total_"), float(value))
        self._dict(
            summary,
            (),
            -1,
            summary.get("metric") if isinstance(summary.get("metric"), str) else None,
        )

    def _owner_of(self, item: dict[str, Any]) -> int:
        if any(isinstance(item.get(key), str) for key in _ENTITY_KEYS):
            self.next_owner += 1
            return self.next_owner
        return -1

    def _dict(
        self, data: dict[str, Any], path: tuple[str, ...], owner: int, metric: str | None
    ) -> None:
        start, end = data.get("start"), data.get("end")
        if isinstance(start, str) and isinstance(end, str):
            self._span(start, end)
        for key, value in data.items():
            key_text = str(key)
            self._value(key_text, value, (*path, key_text), owner, metric)
        self._derive(data, owner)

    def _span(self, start: str, end: str) -> None:
        first, _ = parse_iso(start)
        last, _ = parse_iso(end)
        if first is None or last is None or last < first:
            return
        self.ev.spans.append((first, last))
        days = (last - first).days + 1
        self.ev.facts.append(Fact(float(days), DAYS, frozenset({"days"})))

    def _value(
        self, key: str, value: Any, path: tuple[str, ...], owner: int, metric: str | None
    ) -> None:
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, int | float | Decimal):
            number = float(value)
            if not math.isfinite(number) or key == "id" or key.endswith("_id"):
                return
            if isinstance(value, Decimal):
                value = number
            tags = _tags(key, path[:-1], metric)
            kind, change, pct = _kind(key, value, tags)
            horizon = re.search(r"_(\d+)d$", key)
            if horizon:  # expected_value_90d: "향후 90일"
                self.ev.facts.append(Fact(float(horizon[1]), DAYS, frozenset({"days"})))
            if "loss" in key and number > 0:
                number = -number  # a loss is money down
            self.ev.facts.append(Fact(number, kind, tags, change, owner, pct))
            if kind == RATIO and change:
                self.ev.facts.append(Fact(1 + number, MULT, tags, True, owner))
        elif isinstance(value, dict):
            self._dict(value, path, owner, metric)
        elif isinstance(value, list | tuple):
            self._list(key, list(value), path, owner, metric)
        elif isinstance(value, str):
            self._string(key, value, owner)
        elif isinstance(value, dt.datetime | dt.date):
            self._string(key, value.isoformat(), owner)

    def _list(
        self, key: str, values: list[Any], path: tuple[str, ...], owner: int, metric: str | None
    ) -> None:
        tag = _LIST_TAGS.get(key)
        tags = frozenset({"list", tag} if tag else {"list"})
        self.ev.facts.append(Fact(float(len(values)), COUNT, tags, owner=owner))
        if len(values) == 2 and all(isinstance(v, str) for v in values):
            self._span(values[0], values[1])
        dicts = [v for v in values if isinstance(v, dict)]
        for rank in range(1, len(dicts) + 1):
            self.ev.facts.append(Fact(float(rank), COUNT, frozenset({"rank"})))
        for item in values:
            if isinstance(item, dict):
                item_owner = self._owner_of(item)
                self._dict(item, path, item_owner, metric)
                self._shares(item, item_owner)
            else:
                self._value(key, item, path, owner, metric)

    def _shares(self, item: dict[str, Any], owner: int) -> None:
        """An item's part of the result's total: a campaign's revenue of all ad revenue."""
        for key, value in item.items():
            if not _number(value) or key.endswith("_id") or "change" in key:
                continue
            total = self.totals.get(key)
            if total:
                tags = _tags(key, (), None) | {"share"}
                self.ev.facts.append(Fact(float(value) / total, RATIO, tags, owner=owner))

    def _string(self, key: str, value: str, owner: int) -> None:
        day, clock = parse_iso(value)
        if day is not None or clock is not None:
            if day is not None:
                self.ev.dates.add(day)
                if self.ev.today is not None:
                    ahead = (day - self.ev.today).days
                    self.ev.facts.append(Fact(float(abs(ahead)), DAYS, frozenset({"days"})))
            if clock is not None:
                self.ev.times.add(clock)
            return
        if key in _ENTITY_KEYS and value.strip():
            self.ev.entities.add(value)
            self.ev.names.setdefault(value, set()).add(owner)
        elif key in ("matching_products", "category", "keyword") and value.strip():
            self.ev.names.setdefault(value, set())
        if any(char.isdigit() for char in value):
            self.ev.names.setdefault(value, set())
            if owner >= 0:
                self.ev.names[value].add(owner)
            found = numerals.read_numbers(value, _date_spans(value))
            if key in _ENTITY_KEYS or key in ("matching_products", "category"):
                # a number of a name names it: "30개입", "30 pcs" support "30개입짜리",
                # never "30개 팔렸어요"
                found = [_as_name(value, m) for m in found]
            self.ev.texts.extend(found)

    def _sums(self, data: dict[str, Any], owner: int) -> None:
        """Two figures of one kind added up: cancelled and refunded, 511,900 + 69,800."""
        for a, b, total in _sum_pairs(data):
            tags_a, tags_b = _tags(a, (), None), _tags(b, (), None)
            kind_a, kind_b = (
                _kind(a, float(data[a]), tags_a)[0],
                _kind(b, float(data[b]), tags_b)[0],
            )
            if (
                kind_a == kind_b
                and kind_a in (MONEY, COUNT)
                and (tags_a & tags_b or not tags_a ^ tags_b)
            ):
                self.ev.facts.append(Fact(total, kind_a, tags_a | tags_b, owner=owner))
            elif kind_a == kind_b == MONEY and {"cancel", "refund"} <= tags_a | tags_b:
                self.ev.facts.append(Fact(total, MONEY, tags_a | tags_b, owner=owner))

    def _derive(self, data: dict[str, Any], owner: int) -> None:
        """Differences and ratios a person reads off a figure and its comparison."""
        pairs: list[tuple[str, Any, Any]] = []
        for child in data.values():
            if not isinstance(child, dict):
                continue
            for key, then in child.items():
                now = data.get(key)
                if _number(now) and _number(then) and key not in ("start", "end", "rank"):
                    pairs.append((key, now, then))
        for key in data:
            if key.endswith("_after"):
                base = key[: -len("_after")]
                now, then = data.get(key), data.get(base + "_before")
                if _number(now) and _number(then):
                    pairs.append((base, now, then))
        self._sums(data, owner)
        for key, now, then in pairs:
            if "change" in key or key.endswith("_id"):
                continue
            tags = _tags(key, (), None)
            kind, _, _ = _kind(key, float(now), tags)
            now_f, then_f = float(now), float(then)
            if kind == RATIO:
                self.ev.facts.append(Fact((now_f - then_f) * 100, POINTS, tags, True, owner))
                continue
            if kind == DAYS:
                continue
            self.ev.facts.append(
                Fact(now_f - then_f, kind if kind != ANY else COUNT, tags, True, owner)
            )
            if then_f:
                self.ev.facts.append(Fact(now_f / then_f, MULT, tags, True, owner))


def _as_name(text: str, mention: Mention) -> Mention:
    letters = re.match(r"\s?([A-Za-z\uac00-\ud7a3]+)", text[mention.start + len(mention.text) :])
    suffix = letters.group(1).lower() if letters else ""
    return Mention(mention.text, mention.start, mention.end, mention.value, mention.step,
                   mention.widened, unit=numerals.NAME, suffix=suffix)  # fmt: skip


def _sum_pairs(data: dict[str, Any]) -> list[tuple[str, str, float]]:
    keys = [
        k for k, v in data.items()
        if _number(v) and not k.endswith("_id") and "change" not in k and k != "rank"
    ]  # fmt: skip
    return [
        (a, b, float(data[a]) + float(data[b])) for i, a in enumerate(keys) for b in keys[i + 1 :]
    ]


def _number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _date_spans(text: str) -> list[tuple[int, int]]:
    return [(d.start, d.end) for d in find_dates(text)]


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _is_day(value: Any) -> bool:
    return (
        isinstance(value, str)
        and _ISO_DAY.fullmatch(value.strip()) is not None
        and parse_iso(value)[0] is not None
    )


def _args(ev: Evidence, args: dict[str, Any]) -> None:
    """A call's arguments: parameters the model chose (dates, limits), never results."""
    start, end = args.get("start"), args.get("end")
    if isinstance(start, str) and isinstance(end, str):
        first, last = parse_iso(start)[0], parse_iso(end)[0]
        if first is not None and last is not None and first <= last:
            ev.spans.append((first, last))
            ev.params.append(_param(float((last - first).days + 1), numerals.DAYS))
    for key, value in args.items():
        if isinstance(value, bool) or value is None or str(key).endswith("_id"):
            continue
        if _number(value) and math.isfinite(float(value)):
            ev.params.append(_param(float(value), numerals.NONE))
        elif isinstance(value, str):
            day, _ = parse_iso(value)
            if day is not None:
                ev.dates.add(day)
            else:
                _question_text(ev, value)


def _param(value: float, unit: str) -> Mention:
    return Mention(str(value), 0, 0, value, 1.0, 1.0, unit=unit)


def _question_text(ev: Evidence, text: str) -> None:
    found = find_dates(text)
    for d in found:
        ev.question_dates.append((d.year, d.month, d.day))
        if d.day2 is not None:
            ev.question_dates.append((d.year, d.month2 or d.month, d.day2))
    ev.params.extend(numerals.read_numbers(text, [(d.start, d.end) for d in found]))


def gather(sources: Iterable[Any]) -> Evidence:
    """Read the sources as tools/advisor.py passes them: the question, the turn's date
    (ISO), then each call's arguments and the result the model read ({"error": ...} for a
    failed call). Any other list is read leniently: strings as the question, dicts as
    results."""
    items = list(sources)
    ev = Evidence()
    shaped = len(items) >= 2 and isinstance(items[0], str) and _is_day(items[1])
    if shaped:
        ev.question = items[0]
        ev.today = parse_iso(items[1])[0]
        rest = items[2:]
        calls = [
            (rest[i], rest[i + 1] if i + 1 < len(rest) else None) for i in range(0, len(rest), 2)
        ]
    else:
        calls = []
        for item in items:
            if isinstance(item, str):
                day, _ = parse_iso(item)
                if day is not None and _is_day(item):
                    ev.today = ev.today or day
                else:
                    ev.question = f"{ev.question}\n{item}" if ev.question else item
            else:
                calls.append(({}, item))
    if ev.today is not None:
        ev.dates.add(ev.today)
    walker = _Walker(ev)
    for args, summary in calls:
        if isinstance(args, dict):
            _args(ev, args)
        if summary is None:
            continue
        ev.calls += 1 if shaped else 0
        if not isinstance(summary, dict):
            walker._value("result", summary, (), -1, None)
            continue
        if set(summary) == {"error"}:
            ev.failed += 1
            continue
        if "no_data" in summary:
            ev.no_data += 1
        if {"inquiry", "closest_past_answer"} & set(summary) or {"articles", "topic"} & set(
            summary
        ):
            ev.text_calls += 1
        before = len(ev.facts)
        walker.result(summary)
        if len(ev.facts) > before and "no_data" not in summary:
            ev.data_calls += 1
    if ev.question:
        _question_text(ev, ev.question)
    return ev
