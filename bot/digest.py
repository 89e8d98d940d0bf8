"""The morning digest: yesterday in three lines (sales, best seller, alerts).

Its figures are computed at the morning scan and stored as the evidence of a
`digest` row in the alert outbox (dedupe key ``digest:{seller}:{date}``), so it
is delivered like any nudge: once, after quiet hours, restart-safe. The row also
marks the seller's morning scan as done for that day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics.common import NoData, Store, Window
from analytics.products import top_products
from analytics.sales import sales_report
from storage.models import Alert, Seller

KIND = "digest"


def dedupe_key(seller_id: int, day: dt.date) -> str:
    return f"{KIND}:{seller_id}:{day.isoformat()}"


def yesterday(now: dt.datetime, timezone: str) -> dt.date:
    return now.astimezone(ZoneInfo(timezone)).date() - dt.timedelta(days=1)


def morning_done(
    session: Session, seller_ids: list[int], now: dt.datetime, zones: dict[int, str]
) -> set[int]:
    """Sellers whose digest row for their local yesterday exists already."""
    keys = {dedupe_key(sid, yesterday(now, zones[sid])): sid for sid in seller_ids}
    if not keys:
        return set()
    found = session.scalars(select(Alert.dedupe_key).where(Alert.dedupe_key.in_(list(keys))))
    return {keys[key] for key in found}


def digest_evidence(session: Session, seller: Seller, *, now: dt.datetime) -> dict[str, Any]:
    """Yesterday's revenue and orders against the same weekday a week before, the best
    seller by revenue, and the number of alerts found for yesterday."""
    zone = ZoneInfo(seller.timezone)
    day = yesterday(now, seller.timezone)
    store = Store(seller.id, zone, seller.currency)
    window = Window(day, day, now)
    evidence: dict[str, Any] = {
        "kind": KIND,
        "local_date": day.isoformat(),
        "revenue": 0,
        "orders": 0,
        "change": None,
        "top_product": None,
        "top_revenue": 0,
        "top_units": 0,
        "alerts": 0,
    }
    report = sales_report(session, store, window)
    if not isinstance(report, NoData):
        evidence["revenue"] = report.totals.revenue
        evidence["orders"] = report.totals.orders
        if report.last_week is not None:
            evidence["change"] = report.last_week.change.revenue.relative
    ranking = top_products(session, store, window, limit=1)
    if not isinstance(ranking, NoData) and ranking.items:
        best = ranking.items[0]
        evidence.update(
            top_product=best.name, top_revenue=best.current.revenue, top_units=best.current.units
        )
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)
    stop = start + dt.timedelta(days=1)
    evidence["alerts"] = (
        session.scalar(
            select(func.count())
            .select_from(Alert)
            .where(
                Alert.seller_id == seller.id,
                Alert.kind != KIND,
                Alert.detected_at >= start,
                Alert.detected_at < stop,
            )
        )
        or 0
    )
    return evidence
