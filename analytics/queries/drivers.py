"""Reads for the sales drivers (analytics.drivers): what moved between a window and
its comparison window.

Most reads are the other reports' own, reused here so the figures agree with
theirs: the seller's orders summed per status (analytics.queries.sales), paid
sales per product and product names (analytics.queries.products), ad stats per
campaign and the campaigns (analytics.queries.ads), visits per raw search
keyword (analytics.queries.keywords), and the local date of the seller's first
order (analytics.queries.sales: how far back the data goes). One is new: the
outbox rows (`alerts`, read only) detected around a span of local dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics._rollups import Span, rollups_usable, span
from analytics.common import Store, Window
from analytics.queries.ads import (
    CampaignRow,
    DateRange,
    PeriodSums,
    campaigns,
    has_ad_data,
    period_sums,
)
from analytics.queries.keywords import KeywordRow, keyword_rows
from analytics.queries.products import ProductName, ProductWindows, product_names, product_sums
from analytics.queries.sales import BucketSums, OrderSums, first_order_date, order_sums
from storage.models import Alert

__all__ = [
    "ALERT_LATENCY_DAYS",
    "OutboxAlert",
    "ad_sums",
    "campaign_rows",
    "first_order_date",
    "has_ads",
    "keyword_visits",
    "names_of_products",
    "outbox_alerts",
    "sales_sums",
    "sales_per_product",
]

ALERT_LATENCY_DAYS = 2
"""An alert for a day may be detected this many days after it ends (the whole-day
check runs the next morning, later when the scheduler was down)."""


@dataclass(frozen=True, slots=True)
class OutboxAlert:
    """One outbox row as stored: its kind and evidence JSON."""

    kind: str
    evidence: dict[str, Any]
    detected_at: dt.datetime


def sales_sums(session: Session, store: Store, window: Window) -> BucketSums:
    """The seller's orders in `window` (cut at its now) per local day and status."""
    return order_sums(session, store, window, "day")


_NO_SPAN = Span(None, None, ())


def _product_window(
    session: Session, store: Store, window: Window, usable: bool
) -> dict[int, OrderSums]:
    parts = span(session, store, *window.utc_bounds(store.timezone), usable=usable)
    return {
        pid: sums.current for pid, sums in product_sums(session, store, parts, _NO_SPAN).items()
    }


def sales_per_product(
    session: Session, store: Store, window: Window, previous: Window
) -> dict[int, ProductWindows]:
    """Paid sales per product that sold in `window` or in `previous`, each window read
    on its own, so the comparison window may lie anywhere (a question may name a
    later one)."""
    usable = rollups_usable(session, store)
    now = _product_window(session, store, window, usable)
    before = _product_window(session, store, previous, usable)
    return {
        pid: ProductWindows(now.get(pid, OrderSums()), before.get(pid, OrderSums()))
        for pid in now.keys() | before.keys()
    }


def names_of_products(session: Session, store: Store, ids: set[int]) -> dict[int, ProductName]:
    return product_names(session, store, ids) if ids else {}


def ad_sums(session: Session, store: Store, current: DateRange, previous: DateRange) -> PeriodSums:
    """Ad stats per campaign over the two ranges of local dates, each range read on its
    own (either may come first): {(campaign id, is the current range): sums}."""
    now = period_sums(session, store.id, None, current, current)
    before = period_sums(session, store.id, None, previous, previous)
    sums = {(cid, True): figures for (cid, _), figures in now.items()}
    sums.update({(cid, False): figures for (cid, _), figures in before.items()})
    return sums


def has_ads(session: Session, store: Store) -> bool:
    """Whether the seller has any ad stats at all."""
    return has_ad_data(session, store.id, None)


def campaign_rows(session: Session, ids: set[int]) -> list[CampaignRow]:
    return campaigns(session, ids) if ids else []


def keyword_visits(session: Session, store: Store, window: Window) -> list[KeywordRow]:
    """Visits per raw search keyword in `window` (cut at its now)."""
    return keyword_rows(session, store, window)


def outbox_alerts(
    session: Session, store: Store, first: dt.date, last: dt.date
) -> list[OutboxAlert]:
    """The seller's outbox rows detected from local midnight of `first` until
    ALERT_LATENCY_DAYS after `last` ends, oldest first (every kind: the caller
    keeps the alerts whose evidence names a date in range)."""
    tz = store.timezone
    start = dt.datetime.combine(first, dt.time(), tzinfo=tz).astimezone(dt.UTC)
    stop_day = last + dt.timedelta(days=1 + ALERT_LATENCY_DAYS)
    stop = dt.datetime.combine(stop_day, dt.time(), tzinfo=tz).astimezone(dt.UTC)
    rows = session.execute(
        select(Alert.kind, Alert.evidence, Alert.detected_at)
        .where(Alert.seller_id == store.id, Alert.detected_at >= start, Alert.detected_at < stop)
        .order_by(Alert.detected_at, Alert.id)
    )
    return [
        OutboxAlert(kind, dict(evidence or {}), detected_at) for kind, evidence, detected_at in rows
    ]
