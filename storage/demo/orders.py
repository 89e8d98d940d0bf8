"""Products and what the orders contain.

Popularity is Zipf-like (weight 1/rank) with a log-linear trend per product:
most drift a little, a few rise or fall strongly over the history, and a couple
of products launch in the last months. Orders have 1-4 distinct lines; ~4% are
cancelled and ~1.5% refunded (never within three days of `until`). Cached order
totals are summed from the lines, so they equal Σ quantity × unit_price exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from storage.demo.catalog import Theme
from storage.demo.timeline import Hours

Array = np.ndarray[Any, Any]

LINES_PER_ORDER = (0.62, 0.24, 0.10, 0.04)  # 1, 2, 3, 4 lines: mean 1.56
QUANTITY = (0.82, 0.12, 0.04, 0.02)  # 1, 2, 3, 4 units per line
CANCELLED = 0.04
REFUNDED = 0.015
DISCOUNTED_LINES = 0.08  # lines sold 10% off


@dataclass(frozen=True, slots=True)
class Catalog:
    names: list[str]
    names_en: list[str | None]
    categories: list[str]
    options: list[str | None]
    prices: Array
    costs: Array  # -1 where the seller never entered a cost
    skus: list[str]
    launch_day: Array  # day of the history the product goes on sale
    trend: Array  # log change of popularity over the whole history
    weights: Array  # days × products, each row sums to 1

    @property
    def size(self) -> int:
        return len(self.names)


def build_catalog(theme: Theme, hours: Hours, rng: np.random.Generator, prefix: str) -> Catalog:
    count = len(theme.products)
    days = hours.days
    prices = np.array([product.price for product in theme.products], dtype=np.int64)
    known = rng.random(count) < 0.6
    cost_share = rng.uniform(0.35, 0.6, size=count)
    costs = np.where(known, (prices * cost_share // 10 * 10).astype(np.int64), -1)

    rank = rng.permutation(count)
    base = 1.0 / (rank + 1.0)
    trend = rng.normal(0.0, 0.3, size=count)
    movers = rng.permutation(count)
    n_movers = min(4, count // 8)
    trend[movers[:n_movers]] = rng.uniform(1.4, 2.0, size=n_movers)  # rising
    trend[movers[n_movers : 2 * n_movers]] = -rng.uniform(1.4, 2.0, size=n_movers)  # falling
    launch_day = np.zeros(count, dtype=np.int64)
    if days > 90:
        launched = movers[2 * n_movers : 2 * n_movers + 2]
        launch_day[launched] = days - rng.integers(30, 75, size=len(launched))
        base[launched] = np.maximum(base[launched], 0.15)
        trend[launched] = 0.0

    position = np.arange(days)[:, None] / max(days - 1, 1) - 0.5
    weights = base[None, :] * np.exp(trend[None, :] * position)
    weights[np.arange(days)[:, None] < launch_day[None, :]] = 0.0
    weights /= weights.sum(axis=1, keepdims=True)
    return Catalog(
        names=[product.name for product in theme.products],
        names_en=[product.name_en for product in theme.products],
        categories=[product.category for product in theme.products],
        options=[product.options for product in theme.products],
        prices=prices,
        costs=costs,
        skus=[f"{prefix}-{number:04d}" for number in range(1, count + 1)],
        launch_day=launch_day,
        trend=trend,
        weights=weights,
    )


@dataclass(frozen=True, slots=True)
class Lines:
    """Order lines, grouped by order (orders in time order), numbered from 1."""

    order: Array  # index into the orders
    line_no: Array
    product: Array  # index into the catalog
    quantity: Array
    unit_price: Array


@dataclass(frozen=True, slots=True)
class Orders:
    times: Array  # sorted epoch seconds
    day: Array  # day of the history
    status: Array  # str: paid / cancelled / refunded
    revenue: Array
    units: Array
    lines: Lines

    @property
    def count(self) -> int:
        return len(self.times)


def build_orders(times: Array, hours: Hours, catalog: Catalog, rng: np.random.Generator) -> Orders:
    count = len(times)
    # the local day of each order, found through the hour starts (DST-safe)
    hour_index = np.searchsorted(hours.starts, times, side="right") - 1
    day = hours.day[np.clip(hour_index, 0, len(hours.starts) - 1)]

    per_order = rng.choice(4, size=count, p=LINES_PER_ORDER) + 1
    order_of_line = np.repeat(np.arange(count, dtype=np.int64), per_order)
    line_day = day[order_of_line]
    product = np.empty(len(order_of_line), dtype=np.int64)
    bounds = np.searchsorted(line_day, np.arange(hours.days + 1))
    for index in range(hours.days):
        low, high = bounds[index], bounds[index + 1]
        if high > low:
            product[low:high] = rng.choice(catalog.size, size=high - low, p=catalog.weights[index])

    # one line per product in an order: keep the first occurrence, in drawn order
    keys = order_of_line * catalog.size + product
    _, first = np.unique(keys, return_index=True)
    keep = np.sort(first)
    order_of_line, product = order_of_line[keep], product[keep]
    first_line = np.searchsorted(order_of_line, np.arange(count))
    line_no = np.arange(len(order_of_line)) - first_line[order_of_line] + 1

    quantity = rng.choice(4, size=len(product), p=QUANTITY).astype(np.int64) + 1
    unit_price = catalog.prices[product].copy()
    discounted = rng.random(len(product)) < DISCOUNTED_LINES
    unit_price[discounted] = unit_price[discounted] * 9 // 10 // 100 * 100

    revenue = np.add.reduceat(quantity * unit_price, first_line)
    units = np.add.reduceat(quantity, first_line)

    draw = rng.random(count)
    status = np.full(count, "paid", dtype=object)
    status[draw < CANCELLED] = "cancelled"
    refundable = times < hours.until - 3 * 86_400
    status[(draw >= CANCELLED) & (draw < CANCELLED + REFUNDED) & refundable] = "refunded"
    return Orders(
        times=times,
        day=day,
        status=status,
        revenue=revenue,
        units=units,
        lines=Lines(order_of_line, line_no, product, quantity, unit_price),
    )


def stock_levels(
    orders: Orders, catalog: Catalog, hours: Hours, rng: np.random.Generator, low: int
) -> tuple[Array, list[tuple[int, float]]]:
    """Stock on hand at `until`: weeks to months of cover, except `low` popular
    products left with one to three days of sales. Returns (stock, [(product, daily units)])."""
    lines = orders.lines
    recent = (orders.times[lines.order] >= hours.until - 14 * 86_400) & (
        orders.status[lines.order] == "paid"
    )
    sold = np.bincount(
        lines.product[recent], weights=lines.quantity[recent], minlength=catalog.size
    )
    daily = sold / 14.0
    cover_days = rng.uniform(20, 90, size=catalog.size)
    stock = (np.ceil(daily * cover_days) + rng.integers(5, 40, size=catalog.size)).astype(np.int64)
    running_out: list[tuple[int, float]] = []
    candidates = [int(p) for p in np.argsort(-daily, kind="stable")[:15] if daily[p] >= 1.0]
    if low and candidates:
        chosen = rng.choice(candidates, size=min(low, len(candidates)), replace=False)
        for product in sorted(int(p) for p in chosen):
            stock[product] = max(1, int(daily[product] * rng.uniform(1.0, 3.0)))
            running_out.append((product, float(daily[product])))
    return stock, running_out
