"""The morning digest: yesterday in three lines (sales, best seller, alerts).

Its figures are assembled at the morning scan and stored as the evidence of a
`digest` row in the outbox (dedupe key ``digest:{seller}:{date}``), so it is
delivered like any nudge: once, after quiet hours, restart-safe. The row also
marks the seller's morning scan as done for that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from analytics.common import NoData, Store, Window
from analytics.detectors.alerts import Alert
from analytics.products import top_products
from analytics.sales import sales_report
from storage.models import AlertStatus
from tools.nudges._evidence import DIGEST, DigestAlert, DigestEvidence
from tools.nudges._outbox_alerts import outbox_alerts


def digest_key(seller_id: int, day: dt.date) -> str:
    return f"{DIGEST}:{seller_id}:{day.isoformat()}"


def assemble_digest(
    session: Session,
    *,
    seller_id: int,
    zone: ZoneInfo,
    currency: str,
    day: dt.date,
    now: dt.datetime,
    found: Sequence[Alert] = (),
) -> DigestEvidence:
    """The seller's local `day` as of `now`: revenue and orders against the same weekday
    a week before, the best seller by revenue, and the alerts for that day (see
    `day_alerts`), so the digest never says "nothing unusual" beside an alert."""
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
    alerts = day_alerts(session, seller_id=seller_id, zone=zone, day=day, found=found)
    figures.update(alerts=len(alerts), day_alerts=alerts)
    return DigestEvidence.model_validate(figures)


def day_alerts(
    session: Session, *, seller_id: int, zone: ZoneInfo, day: dt.date, found: Sequence[Alert] = ()
) -> tuple[DigestAlert, ...]:
    """The alerts for the seller's local `day`: the outbox's (sent, or on their way:
    every status but skipped, detected that day or the next morning) and those
    `found` by the scan assembling the digest (recorded with it, just before it),
    each dedupe key once, in the outbox's order and then the scan's."""
    rows = [
        (alert.dedupe_key, alert.kind, alert.evidence)
        for alert in outbox_alerts(session, seller_id, zone, day, day)
        if alert.status != AlertStatus.SKIPPED
    ]
    rows += [
        (alert.dedupe_key, alert.kind, alert.evidence)
        for alert in found
        if alert.seller_id == seller_id and alert.local_date == day and alert.kind != DIGEST
    ]
    seen: set[str] = set()
    alerts = []
    for key, kind, evidence in rows:
        if key not in seen:
            seen.add(key)
            alerts.append(DigestAlert.of(kind, evidence))
    return tuple(alerts)
