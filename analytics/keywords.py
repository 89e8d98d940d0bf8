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

The reads are in analytics.queries.keywords; the grouping by compact form, the
low-conversion rule, the product matching and the suggestions are pure
functions of the rows read (`group_keywords`, `KeywordGroups`, `catalogue`,
`matching_products`, `suggest`, `low_converting`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, cast

from scipy.stats import binom
from sqlalchemy.orm import Session

from analytics.common import NoData, Result, Store, Window
from analytics.korean import KeywordMatcher, Synonyms, compact
from analytics.queries.keywords import KeywordRow, ProductText, keyword_rows, product_texts

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


# ---------------------------------------------------------------- figures
# Pure: keyword rows and product texts (analytics.queries.keywords) in, figures out.


@dataclass(frozen=True, slots=True)
class KeywordGroups:
    """A window's visits, with the keyword visits grouped by compact form."""

    visits: int
    """All visits, with or without a keyword."""
    conversions: int
    sums: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    """{compact form: (visits, conversions, revenue)}."""
    spellings: dict[str, dict[str, int]] = field(default_factory=dict)
    """{compact form: {spelling (spaces collapsed): visits}}."""

    @property
    def keyword_visits(self) -> int:
        return sum(total[0] for total in self.sums.values())

    @property
    def keyword_conversions(self) -> int:
        return sum(total[1] for total in self.sums.values())

    @property
    def keyword_revenue(self) -> int:
        return sum(total[2] for total in self.sums.values())

    def ranked(self) -> list[str]:
        """Compact forms, most visits first (ties: by form)."""
        return sorted(self.sums, key=lambda key: (-self.sums[key][0], key))

    def figures(self, key: str) -> KeywordFigures:
        count, converted, revenue = self.sums[key]
        seen = self.spellings[key]
        variants = sorted(seen, key=lambda spelling: (-seen[spelling], spelling))
        return KeywordFigures(
            keyword=variants[0],
            key=key,
            variants=variants,
            visits=count,
            conversions=converted,
            conversion_rate=converted / count,
            revenue=revenue,
        )

    def is_low(self, key: str, min_visits: int) -> bool:
        """At least `min_visits` visits converting at less than half the keyword-visit
        average: converted / count < (Σ conversions / Σ visits) / 2, in integers."""
        count, converted, _ = self.sums[key]
        return (
            count >= min_visits
            and 2 * converted * self.keyword_visits < self.keyword_conversions * count
        )


def group_keywords(rows: Iterable[KeywordRow]) -> KeywordGroups:
    """All visits summed, and keyword visits merged by compact form ("소 포장" =
    "소포장"); a keyword that compacts to nothing counts as no keyword."""
    visits = conversions = 0
    sums: dict[str, tuple[int, int, int]] = {}
    spellings: dict[str, dict[str, int]] = {}
    for row in rows:
        visits += row.visits
        conversions += row.conversions
        spelling = " ".join(row.keyword.split()) if row.keyword else ""
        if key := compact(spelling):
            count, converted, revenue = sums.get(key, (0, 0, 0))
            sums[key] = (count + row.visits, converted + row.conversions, revenue + row.revenue)
            seen = spellings.setdefault(key, {})
            seen[spelling] = seen.get(spelling, 0) + row.visits
    return KeywordGroups(visits, conversions, sums, spellings)


_Entry = tuple[int, str, int, dict[str, str]]
"""(product id, name, price, {field: compact text})."""


def catalogue(products: Iterable[ProductText]) -> list[_Entry]:
    """The products' texts in compact form, ready for matching."""
    return [
        (
            product.id,
            product.name,
            product.price,
            {
                name: compact(value)
                for name, value in (
                    ("name", product.name),
                    ("name_en", product.name_en),
                    ("category", product.category),
                    ("options", product.options),
                )
                if value
            },
        )
        for product in products
    ]


_FIELD_ORDER = {"name": 0, "name_en": 1, "category": 2, "options": 3, "tokens": 4}


def matching_products(
    spellings: Sequence[str], entries: Sequence[_Entry], synonyms: Synonyms
) -> list[ProductMatch]:
    """Products matching any spelling of a keyword (spacing changes which words it has),
    whole-keyword matches by field first, then by id."""
    matchers = [KeywordMatcher.build(spelling, synonyms) for spelling in spellings]
    found = []
    for pid, name, price, texts in entries:
        fields = [hit for matcher in matchers if (hit := matcher.match_compact(texts))]
        if fields:
            best = cast(MatchedOn, min(fields, key=_FIELD_ORDER.__getitem__))
            found.append(ProductMatch(product_id=pid, name=name, price=price, matched_on=best))
    return sorted(found, key=lambda match: (_FIELD_ORDER[match.matched_on], match.product_id))


def suggest(group: KeywordFigures, found: Sequence[ProductMatch]) -> Suggestion:
    """add_product when nothing matches the keyword, else improve_page."""
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


def low_converting(
    group: KeywordFigures, average: float, found: list[ProductMatch]
) -> LowConvertingKeyword:
    """A low-converting keyword with its expected conversions at the site's average,
    the binomial p-value of its shortfall, and a suggestion."""
    return LowConvertingKeyword(
        figures=group,
        expected_conversions=group.visits * average,
        p_value=float(binom.cdf(group.conversions, group.visits, average)),
        matching_products=found,
        suggestion=suggest(group, found),
    )


# ---------------------------------------------------------------- the report


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
    that keyword's figures and matching products as `focus`. `synonyms`: the
    interchangeable words products are matched with (the caller reads them from
    prompts/keyword_synonyms.yaml; None: none).

    NoData reasons: future_period; no_visits (no visit with a search keyword in
    the window; detail has the window's visit count, and the keyword when one
    was asked about and nobody searched it).
    """
    today = window.now.astimezone(store.timezone).date()
    if window.start > today:
        return NoData(reason="future_period", detail={"start": window.start.isoformat()})
    groups = group_keywords(keyword_rows(session, store, window))
    visits = groups.visits
    keyword_visits = groups.keyword_visits
    if not keyword_visits:
        return NoData(
            reason="no_visits",
            detail={"visits": visits, **({"keyword": keyword} if keyword else {})},
        )
    keyword_conversions = groups.keyword_conversions
    average = keyword_conversions / keyword_visits
    ranked = groups.ranked()

    focus_group: KeywordFigures | None = None
    if keyword is not None:
        focus_key = compact(keyword)
        if focus_key not in groups.sums:
            return NoData(reason="no_visits", detail={"visits": visits, "keyword": keyword})
        focus_group = groups.figures(focus_key)

    low_groups = [groups.figures(key) for key in ranked if groups.is_low(key, min_visits)][:limit]
    entries = catalogue(product_texts(session, store.id)) if low_groups or focus_group else []
    table = synonyms if synonyms is not None else Synonyms()

    def matches(group: KeywordFigures, *asked: str) -> list[ProductMatch]:
        return matching_products([*asked, *group.variants], entries, table)

    low = [low_converting(group, average, matches(group)) for group in low_groups]
    focus = None
    if focus_group is not None:
        found = matches(focus_group, *([keyword] if keyword else []))
        flagged = groups.is_low(focus_group.key, min_visits)
        focus = KeywordFocus(
            figures=focus_group,
            matching_products=found,
            low_converting=flagged,
            suggestion=suggest(focus_group, found) if flagged else None,
        )

    return KeywordReport(
        currency=store.currency,
        start=window.start,
        end=min(window.end, today),
        visits=visits,
        conversions=groups.conversions,
        conversion_rate=groups.conversions / visits,
        keyword_visits=keyword_visits,
        keyword_conversions=keyword_conversions,
        keyword_conversion_rate=average,
        keyword_revenue=groups.keyword_revenue,
        distinct_keywords=len(groups.sums),
        min_visits=min_visits,
        low_rate_threshold=average / 2,
        top=[groups.figures(key) for key in ranked[:limit]],
        low_converting=low,
        focus=focus,
    )
