"""The morning digest: yesterday in three lines (sales, best seller, alerts).

Its figures are assembled at the morning scan and stored as the evidence of a
`digest` row in the outbox (dedupe key ``digest:{seller}:{date}``), so it is
delivered like any nudge: once, after quiet hours, restart-safe. The row also
marks the seller's morning scan as done for that day.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from analytics.common import NoData, Store, Window
from analytics.products import top_products
from analytics.sales import sales_report
from storage.outbox import count_alerts
from tools.nudges._evidence import DIGEST, DigestEvidence


def digest_key(seller_id: int, day: dt.date) -> str:
    return f"{DIGEST}:{seller_id}:{day.isoformat()}"


def assemble_digest(
    session: Session,
    *,
    seller_id: int,
    timezone: str,
    currency: str,
    day: dt.date,
    now: dt.datetime,
) -> DigestEvidence:
    """The seller's local `day` as of `now`: revenue and orders against the same weekday
    a week before, the best seller by revenue, and the alerts detected that day."""
    zone = ZoneInfo(timezone)
    store = Store(seller_id, zone, currency)
    window = Window(day, day, now)
    figures: dict[str, object] = {}
    report = sales_report(session, store, window)
    if not isinstance(report, NoData):
        figures.update(revenue=report.totals.revenue, orders=report.totals.orders)
        if report.last_week is not None:
            figures["change"] = report.last_week.change.revenue.relative
    ranking = top_products(session, store, window, limit=1)
    if not isinstance(ranking, NoData) and ranking.items:
        best = ranking.items[0]
        figures.update(
            top_product=best.name, top_revenue=best.current.revenue, top_units=best.current.units
        )
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)
    figures["alerts"] = count_alerts(
        session, seller_id, start, start + dt.timedelta(days=1), except_kind=DIGEST
    )
    return DigestEvidence.model_validate(figures)
