"""Visit intent: what visitors searched for on the site, whether those visits
bought, and what the lineup lacks for the searches that did not.

Data contract: `visits` started in the window (UTC bounds of its local dates,
cut at `now`), with their order when it is the seller's and `paid` (cancelled
and refunded orders are no conversion), summed per raw search keyword in SQL:
complete local days from the `keyword_visits_daily` rollup (storage.rollups),
the partial day (today so far) from `visits` LEFT JOIN `orders` by id. The
per-spelling rows are then merged in Python by compact form
(analytics.korean.compact: "소 포장" = "소포장"), which SQL cannot do portably.

A visit *converts* when its order is paid; a keyword's revenue is the revenue
of its converted visits' orders. A keyword is *low-converting* when it has at
least `min_visits` visits and converts at less than half the site's keyword
visit average (all keyword visits' conversions / all keyword visits). The
one-sided binomial p-value P(X ≤ conversions | visits, average) is carried as
evidence of how unlikely the shortfall is by chance; the rule itself is the
plain one, so a seller can check it by hand.

For a low-converting keyword the seller's products are matched against it
(name, English name, category, options; spacing-insensitive, by words, and
through the synonym groups in prompts/keyword_synonyms.yaml). No matching
product suggests `add_product` (the lineup lacks it); matching products that
do not convert suggest `improve_page`. A suggestion is a key and parameters;
its sentence lives in prompts/.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Literal, cast

from scipy.stats import binom
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from analytics._rollups import span
from analytics.common import NoData, Result, Store, Window
from analytics.korean import KeywordMatcher, Synonyms, compact, load_synonyms
from storage.models import KeywordVisitsDaily, Order, Product, Visit

MatchedOn = Literal["name", "name_en", "category", "options", "tokens"]
SuggestionKey = Literal["add_product", "improve_page"]


class KeywordFigures(Result):
    keyword: str
    """The spelling most visitors used."""
    key: str
    """The compact form every spelling of this keyword shares."""
    variants: list[str]
    """Every spelling seen, most visits first."""
    visits: int
    conversions: int
    conversion_rate: float
    revenue: int


class ProductMatch(Result):
    product_id: int
    name: str
    price: int
    matched_on: MatchedOn


class Suggestion(Result):
    """What to do, as a key for a template in prompts/ and its parameters.

    add_product: {keyword}; improve_page: {keyword, product, product_count,
    product_ids} with `product` the first matching product's name.
    """

    key: SuggestionKey
    params: dict[str, str | int | list[int]]


class LowConvertingKeyword(Result):
    figures: KeywordFigures
    expected_conversions: float
    """visits × the site's keyword-visit conversion rate."""
    p_value: float
    matching_products: list[ProductMatch]
    suggestion: Suggestion


class KeywordFocus(Result):
    """One keyword asked about by name."""

    figures: KeywordFigures
    matching_products: list[ProductMatch]
    low_converting: bool
    suggestion: Suggestion | None


class KeywordReport(Result):
    kind: Literal["keyword_report"] = "keyword_report"
    currency: str
    start: dt.date
    end: dt.date
    visits: int
    """All visits in the window, with or without a search keyword."""
    conversions: int
    conversion_rate: float | None
    keyword_visits: int
    keyword_conversions: int
    keyword_conversion_rate: float | None
    """The site's keyword-visit average the low-conversion rule compares with."""
    keyword_revenue: int
    distinct_keywords: int
    min_visits: int
    low_rate_threshold: float
    """Half the keyword-visit average: below it (with min_visits) is low-converting."""
    top: list[KeywordFigures]
    """The `limit` keywords with the most visits."""
    low_converting: list[LowConvertingKeyword]
    """Low-converting keywords, most visits first, at most `limit`."""
    focus: KeywordFocus | None = None


def keyword_report(
    session: Session,
    store: Store,
    window: Window,
    *,
    keyword: str | None = None,
    min_visits: int = 30,
    limit: int = 10,
    synonyms: Synonyms | None = None,
) -> KeywordReport | NoData:
    """Visits by on-site search keyword in `window`, their conversion and revenue,
    the low-converting ones with matching products and a suggestion; with `keyword`,
    that keyword's figures and matching products as `focus`.

    NoData reasons: future_period; no_visits (no visit with a search keyword in
    the window; detail has the window's visit count, and the keyword when one
    was asked about and nobody searched it).
    """
    today = window.now.astimezone(store.timezone).date()
    if window.start > today:
        return NoData(reason="future_period", detail={"start": window.start.isoformat()})
    rows = _keyword_rows(session, store, window)

    visits = conversions = 0
    sums: dict[str, list[int]] = {}  # key -> [visits, conversions, revenue]
    spellings: dict[str, dict[str, int]] = defaultdict(dict)  # key -> {spelling: visits}
    for raw, count, converted, revenue in rows:
        visits += count
        conversions += converted
        spelling = " ".join(raw.split()) if raw else ""
        if key := compact(spelling):
            total = sums.setdefault(key, [0, 0, 0])
            total[0] += count
            total[1] += converted
            total[2] += int(revenue)
            spellings[key][spelling] = spellings[key].get(spelling, 0) + count
    keyword_visits = sum(total[0] for total in sums.values())
    if not keyword_visits:
        return NoData(
            reason="no_visits",
            detail={"visits": visits, **({"keyword": keyword} if keyword else {})},
        )
    keyword_conversions = sum(total[1] for total in sums.values())
    average = keyword_conversions / keyword_visits
    threshold = average / 2
    ranked = sorted(sums, key=lambda key: (-sums[key][0], key))

    def figures(key: str) -> KeywordFigures:
        count, converted, revenue = sums[key]
        variants = sorted(
            spellings[key], key=lambda spelling: (-spellings[key][spelling], spelling)
        )
        return KeywordFigures(
            keyword=variants[0],
            key=key,
            variants=variants,
            visits=count,
            conversions=converted,
            conversion_rate=converted / count,
            revenue=revenue,
        )

    def is_low(key: str) -> bool:
        count, converted, _ = sums[key]
        # converted / count < (keyword_conversions / keyword_visits) / 2, in integers
        return count >= min_visits and 2 * converted * keyword_visits < keyword_conversions * count

    focus_group: KeywordFigures | None = None
    if keyword is not None:
        focus_key = compact(keyword)
        if focus_key not in sums:
            return NoData(reason="no_visits", detail={"visits": visits, "keyword": keyword})
        focus_group = figures(focus_key)

    low_groups = [figures(key) for key in ranked if is_low(key)][:limit]
    catalogue = _catalogue(session, store.id) if low_groups or focus_group else []
    table = synonyms if synonyms is not None else load_synonyms()

    def matches(group: KeywordFigures, *asked: str) -> list[ProductMatch]:
        return _matching_products([*asked, *group.variants], catalogue, table)

    low = [_low_converting(group, average, matches(group)) for group in low_groups]
    focus = None
    if focus_group is not None:
        found = matches(focus_group, *([keyword] if keyword else []))
        flagged = is_low(focus_group.key)
        focus = KeywordFocus(
            figures=focus_group,
            matching_products=found,
            low_converting=flagged,
            suggestion=_suggest(focus_group, found) if flagged else None,
        )

    return KeywordReport(
        currency=store.currency,
        start=window.start,
        end=min(window.end, today),
        visits=visits,
        conversions=conversions,
        conversion_rate=conversions / visits,
        keyword_visits=keyword_visits,
        keyword_conversions=keyword_conversions,
        keyword_conversion_rate=average,
        keyword_revenue=sum(total[2] for total in sums.values()),
        distinct_keywords=len(sums),
        min_visits=min_visits,
        low_rate_threshold=threshold,
        top=[figures(key) for key in ranked[:limit]],
        low_converting=low,
        focus=focus,
    )


def _keyword_rows(
    session: Session, store: Store, window: Window
) -> list[tuple[str | None, int, int, int]]:
    """(raw keyword, visits, conversions, revenue) rows of the window; a keyword may
    come twice (rollup days and the partial day) and '' or None stands for none."""
    parts = span(session, store, *window.utc_bounds(store.timezone))
    rows: list[tuple[str | None, int, int, int]] = []
    if parts.first_day is not None:
        daily = (
            select(
                KeywordVisitsDaily.keyword,
                func.sum(KeywordVisitsDaily.visits),
                func.sum(KeywordVisitsDaily.conversions),
                func.sum(KeywordVisitsDaily.revenue),
            )
            .where(
                KeywordVisitsDaily.seller_id == store.id,
                KeywordVisitsDaily.date >= parts.first_day,
                KeywordVisitsDaily.date <= parts.last_day,
            )
            .group_by(KeywordVisitsDaily.keyword)
        )
        rows.extend(
            (raw, int(count), int(converted), int(revenue))
            for raw, count, converted, revenue in session.execute(daily)
        )
    # the order is looked up by id (the seller is checked on the row found), so a
    # planner short of statistics never probes the seller's orders once per visit
    own = Order.seller_id == store.id
    for start, stop in parts.edges:
        edge = (
            select(
                Visit.search_keyword,
                func.count(),
                func.count(case((own, Order.id))),
                func.coalesce(func.sum(case((own, Order.revenue))), 0),
            )
            .select_from(Visit)
            .outerjoin(Order, and_(Order.id == Visit.order_id, Order.status == "paid"))
            .where(Visit.seller_id == store.id, Visit.started_at >= start, Visit.started_at < stop)
            .group_by(Visit.search_keyword)
        )
        rows.extend(
            (raw, int(count), int(converted), int(revenue))
            for raw, count, converted, revenue in session.execute(edge)
        )
    return rows


_Entry = tuple[int, str, int, dict[str, str]]
"""(product id, name, price, {field: compact text})."""


def _catalogue(session: Session, seller_id: int) -> list[_Entry]:
    rows = session.execute(
        select(
            Product.id,
            Product.name,
            Product.price,
            Product.name_en,
            Product.category,
            Product.options,
        )
        .where(Product.seller_id == seller_id)
        .order_by(Product.id)
    )
    return [
        (
            pid,
            name,
            price,
            {
                field: compact(value)
                for field, value in (
                    ("name", name),
                    ("name_en", name_en),
                    ("category", category),
                    ("options", options),
                )
                if value
            },
        )
        for pid, name, price, name_en, category, options in rows
    ]


_FIELD_ORDER = {"name": 0, "name_en": 1, "category": 2, "options": 3, "tokens": 4}


def _matching_products(
    spellings: list[str], catalogue: list[_Entry], synonyms: Synonyms
) -> list[ProductMatch]:
    """Products matching any spelling of a keyword (spacing changes which words it has),
    whole-keyword matches by field first, then by id."""
    matchers = [KeywordMatcher.build(spelling, synonyms) for spelling in spellings]
    found = []
    for pid, name, price, texts in catalogue:
        fields = [field for matcher in matchers if (field := matcher.match_compact(texts))]
        if fields:
            best = cast(MatchedOn, min(fields, key=_FIELD_ORDER.__getitem__))
            found.append(ProductMatch(product_id=pid, name=name, price=price, matched_on=best))
    return sorted(found, key=lambda match: (_FIELD_ORDER[match.matched_on], match.product_id))


def _suggest(group: KeywordFigures, found: list[ProductMatch]) -> Suggestion:
    if not found:
        return Suggestion(key="add_product", params={"keyword": group.keyword})
    return Suggestion(
        key="improve_page",
        params={
            "keyword": group.keyword,
            "product": found[0].name,
            "product_count": len(found),
            "product_ids": [match.product_id for match in found],
        },
    )


def _low_converting(
    group: KeywordFigures, average: float, found: list[ProductMatch]
) -> LowConvertingKeyword:
    return LowConvertingKeyword(
        figures=group,
        expected_conversions=group.visits * average,
        p_value=float(binom.cdf(group.conversions, group.visits, average)),
        matching_products=found,
        suggestion=_suggest(group, found),
    )
