"""Findings: what a scan found for the outbox, typed until it is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from analytics.detectors.alerts import Alert
from analytics.detectors.scan import scan_ads, scan_sales
from storage.outbox import record_alert
from tools.nudges._digest import assemble_digest, digest_key
from tools.nudges._evidence import DIGEST, DigestOff, Evidence, outbox_json
from tools.nudges._hours import Hours, yesterday
from tools.nudges._plan import ScanPlan, plan_scan


@dataclass(frozen=True, slots=True)
class Finding:
    """One outbox row to record."""

    seller_id: int
    kind: str
    dedupe_key: str
    local_date: dt.date
    detected_at: dt.datetime
    evidence: Evidence
    currency: str = "KRW"  # the seller's

    @classmethod
    def of_alert(cls, alert: Alert, currency: str = "KRW") -> Finding:
        return cls(
            alert.seller_id,
            alert.kind,
            alert.dedupe_key,
            alert.local_date,
            alert.detected_at,
            alert.evidence,
            currency,
        )

    def outbox_evidence(self) -> dict[str, Any]:
        """The JSON stored in alerts.evidence: the evidence plus the kind, date and
        the seller's currency."""
        return outbox_json(self.kind, self.local_date, self.evidence, self.currency)


@dataclass(frozen=True, slots=True)
class Findings:
    sellers: int
    morning: int
    alerts: list[Finding]
    digests: list[Finding]


@dataclass(frozen=True, slots=True)
class ScanReport:
    sellers: int
    morning: int
    found: int
    recorded: int
    digests: int


def _among(zones: dict[int, str], seller_ids: list[int]) -> dict[int, str]:
    return {seller_id: zones[seller_id] for seller_id in seller_ids}


def find(session: Session, plan: ScanPlan) -> Findings:
    """Run the planned checks and assemble the digests (reads only)."""
    now = plan.now
    watched = plan.watched
    zones = {seller.id: seller.zone.key for seller in plan.sellers}  # read by the plan
    found = (
        scan_sales(session, now=now, seller_ids=watched, zones=_among(zones, watched))
        if watched
        else []
    )
    # yesterday's whole-day check belongs to the morning scan
    found = [a for a in found if a.kind != "sales_drop_day" or a.seller_id in plan.morning]
    if plan.ads:
        found += scan_ads(session, now=now, seller_ids=plan.ads, zones=_among(zones, plan.ads))
    digests = []
    for seller in plan.digests:
        day = yesterday(now, seller.zone)
        evidence: Evidence = (
            assemble_digest(
                session,
                seller_id=seller.id,
                zone=seller.zone,
                currency=seller.currency,
                day=day,
                now=now,
                found=found,
            )
            if seller.digest_enabled
            else DigestOff()
        )
        key = digest_key(seller.id, day)
        digests.append(Finding(seller.id, DIGEST, key, day, now, evidence, seller.currency))
    currency = {seller.id: seller.currency for seller in plan.sellers}
    alerts = [Finding.of_alert(alert, currency.get(alert.seller_id, "KRW")) for alert in found]
    return Findings(len(plan.sellers), len(plan.morning), alerts, digests)


def detect(
    session: Session,
    *,
    now: dt.datetime,
    hours: Hours,
    seller_ids: Collection[int] | None = None,
) -> Findings:
    """Plan the scan at `now` (of every seller, or those of `seller_ids`) and run it
    (reads only)."""
    return find(session, plan_scan(session, now=now, hours=hours, seller_ids=seller_ids))


def record(session: Session, findings: Findings) -> ScanReport:
    """Write the findings to the outbox (a key seen before writes nothing)."""
    new = {"alerts": 0, "digests": 0}
    for name, rows in (("alerts", findings.alerts), ("digests", findings.digests)):
        for row in rows:
            new[name] += record_alert(
                session,
                seller_id=row.seller_id,
                kind=row.kind,
                dedupe_key=row.dedupe_key,
                evidence=row.outbox_evidence(),
                detected_at=row.detected_at,
            )
    return ScanReport(
        findings.sellers, findings.morning, len(findings.alerts), new["alerts"], new["digests"]
    )
