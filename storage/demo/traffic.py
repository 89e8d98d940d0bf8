"""Visits: the store's traffic, its on-site searches and which visits bought.

Visits cover the last `visit_days` days of the history (web analytics keep a
few months). Every order there comes from one converted visit a few minutes
before it. The other
visits follow the same hourly demand (so a sales drop is also a traffic drop)
scaled to the store's conversion rate. About 30% of visits carry an on-site
search keyword; a keyword visit lands on a product whose name contains the
keyword. An injected keyword gap (e.g. "소포장") takes a share of the searches
from its start on; no product carries it and none of its visits buys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from storage.demo.catalog import Theme
from storage.demo.orders import Catalog, Orders
from storage.demo.spec import KeywordGap
from storage.demo.timeline import Hours

Array = np.ndarray[Any, Any]

SEARCH_SHARE = 0.3  # visits with an on-site search keyword
LANDS_ON_PRODUCT = 0.6  # visits without a keyword that land on a product page
CONVERTED_LANDS_ON_PRODUCT = 0.7


@dataclass(frozen=True, slots=True)
class Visits:
    times: Array  # sorted epoch seconds
    keyword: Array  # object: str or None
    landing: Array  # catalog index, -1 for none
    order: Array  # order index, -1 when the visit did not buy
    gap_visits: int

    @property
    def count(self) -> int:
        return len(self.times)


def keyword_products(keywords: list[str], names: list[str]) -> list[list[int]]:
    """For each keyword, the catalog indexes of products whose name contains it."""
    return [[index for index, name in enumerate(names) if keyword in name] for keyword in keywords]


def _pick(rng: np.random.Generator, choices: list[list[int]], which: Array) -> Array:
    """For each entry of `which`, a random element of choices[which] (-1 if empty)."""
    width = max((len(options) for options in choices), default=0)
    table = np.full((len(choices), max(width, 1)), -1, dtype=np.int64)
    sizes = np.array([len(options) for options in choices], dtype=np.int64)
    for row, options in enumerate(choices):
        table[row, : len(options)] = options
    column = np.floor(rng.random(len(which)) * np.maximum(sizes[which], 1)).astype(np.int64)
    return table[which, column]


def build_visits(
    theme: Theme,
    hours: Hours,
    expected_orders: Array,
    conversion: float,
    catalog: Catalog,
    orders: Orders,
    gap: KeywordGap | None,
    rng: np.random.Generator,
    visit_days: int | None = None,
) -> Visits:
    """Visits of the last `visit_days` local days (all days when None)."""
    first_day = 0 if visit_days is None else max(0, hours.days - visit_days)
    keywords = [keyword for keyword, _ in theme.keywords]
    weights = np.array([weight for _, weight in theme.keywords])
    matches = keyword_products(keywords, catalog.names)
    labels = np.array([*keywords, None, gap.keyword if gap else None], dtype=object)
    no_keyword, gap_index = len(keywords), len(keywords) + 1

    # converted visits: one per order, 1-30 minutes before it
    lines = orders.lines
    buying = np.flatnonzero(orders.day >= first_day)
    first_product = lines.product[np.searchsorted(lines.order, buying)]
    converted_times = orders.times[buying] - rng.integers(60, 1800, size=len(buying))
    converted_times = np.maximum(converted_times, hours.starts[first_day * 24])
    keywords_of_product = [
        [k for k, products in enumerate(matches) if product in products]
        for product in range(catalog.size)
    ]
    converted_keyword = _pick(rng, keywords_of_product, first_product)
    converted_keyword[rng.random(len(buying)) >= SEARCH_SHARE] = -1
    converted_keyword[converted_keyword < 0] = no_keyword
    converted_landing = np.where(
        rng.random(len(buying)) < CONVERTED_LANDS_ON_PRODUCT, first_product, -1
    )

    # the visits that did not buy
    counts = rng.poisson(expected_orders * (1.0 / conversion - 1.0))
    counts[hours.day < first_day] = 0
    browse_times = np.repeat(hours.starts, counts)
    span = np.repeat(np.minimum(3600, hours.until - hours.starts), counts)
    browse_times = browse_times + np.floor(rng.random(len(browse_times)) * span).astype(np.int64)
    browse_day = np.repeat(hours.day, counts)
    browsed = np.empty(len(browse_times), dtype=np.int64)
    bounds = np.searchsorted(browse_day, np.arange(hours.days + 1))
    for day in range(hours.days):
        low, high = bounds[day], bounds[day + 1]
        if high > low:
            browsed[low:high] = rng.choice(catalog.size, size=high - low, p=catalog.weights[day])
    searched = rng.random(len(browse_times)) < SEARCH_SHARE
    browse_keyword = np.where(
        searched, rng.choice(len(keywords), size=len(browse_times), p=weights / weights.sum()), -1
    )
    if gap is not None:
        in_gap = searched & (browse_times >= int(gap.starts_at.timestamp()))
        browse_keyword[in_gap & (rng.random(len(browse_times)) < gap.share)] = gap_index
    browse_landing = np.where(rng.random(len(browse_times)) < LANDS_ON_PRODUCT, browsed, -1)
    with_match = (browse_keyword >= 0) & (browse_keyword < len(keywords))
    browse_landing[with_match] = _pick(rng, matches, browse_keyword[with_match])
    at_gap = browse_keyword == gap_index
    browse_landing[at_gap] = np.where(rng.random(int(at_gap.sum())) < 0.25, browsed[at_gap], -1)
    browse_keyword[browse_keyword < 0] = no_keyword
    launch = np.where(browse_landing >= 0, catalog.launch_day[browse_landing], 0)
    browse_landing[launch > browse_day] = -1  # not on sale yet

    times = np.concatenate([converted_times, browse_times])
    order = np.concatenate([buying, np.full(len(browse_times), -1)])
    keyword = np.concatenate([converted_keyword, browse_keyword])
    landing = np.concatenate([converted_landing, browse_landing])
    by_time = np.argsort(times, kind="stable")
    return Visits(
        times=times[by_time],
        keyword=labels[keyword[by_time]],
        landing=landing[by_time],
        order=order[by_time],
        gap_visits=int(at_gap.sum()),
    )
