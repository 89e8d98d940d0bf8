"""`advisor seed`: the demo seller plus N-1 others, deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.demo.generate import StoreReport, generate_store
from storage.demo.spec import StoreSpec, demo_spec, other_spec
from storage.models import Seller
from storage.sellers import SellerError

# other sellers are log-uniform between these multiples of --orders-per-day
OTHER_SCALE = (0.05, 0.5)


def seed_specs(
    *,
    until: dt.datetime,
    sellers: int = 1,
    days: int = 365,
    seed: int = 42,
    orders_per_day: float = 200.0,
) -> list[StoreSpec]:
    """The stores `advisor seed` builds: `demo` first, then seller-0002, seller-0003, ..."""
    if sellers < 1:
        raise ValueError(f"--sellers must be at least 1, got {sellers}")
    specs = [demo_spec(until, days=days, orders_per_day=orders_per_day)]
    low, high = (math.log(scale) for scale in OTHER_SCALE)
    for index in range(2, sellers + 1):
        scale = math.exp(np.random.default_rng([seed, index, 1]).uniform(low, high))
        specs.append(
            other_spec(index, until, days=days, orders_per_day=orders_per_day, scale=scale)
        )
    return specs


def seed_stores(
    session: Session,
    specs: list[StoreSpec],
    *,
    seed: int = 42,
    on_store: Callable[[StoreReport], None] | None = None,
) -> list[StoreReport]:
    """Generate every store in one transaction (the caller's). Store number i (from 1)
    draws from numpy's default_rng([seed, i]). If any slug exists already nothing is
    written and SellerError names them."""
    slugs = [spec.slug for spec in specs]
    existing = sorted(session.scalars(select(Seller.slug).where(Seller.slug.in_(slugs))))
    if existing:
        raise SellerError(
            f"already in this database: {', '.join(existing)}; nothing was generated "
            "(seed into a fresh database, e.g. delete the SQLite file)"
        )
    reports = []
    for index, spec in enumerate(specs, start=1):
        report = generate_store(session, spec, np.random.default_rng([seed, index]))
        reports.append(report)
        if on_store is not None:
            on_store(report)
    return reports
