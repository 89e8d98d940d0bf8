"""The alerts the outbox holds for some local days, typed: what the morning digest
mentions and what `alerts_report` lists as sent, with the figures each message gave.

An alert for a day is detected that day (intraday) or the next morning (the
whole-day and ad checks), so the rows read are those detected from the first
day's local midnight to the midnight two days after the last; the day is the
evidence's `local_date`. Digests are not alerts and are left out; a row whose
evidence no longer fits its kind is left out and logged.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.orm import Session

from analytics.common import Result
from analytics.detectors.alerts import AdDropEvidence, SalesDropEvidence
from storage.models import AlertStatus
from storage.outbox import alerts_between
from tools.nudges._evidence import DIGEST, UnknownNudge, evidence_of

log = logging.getLogger(__name__)


class OutboxAlert(Result):
    """One alert row of the outbox: its day, where it is on its way (`status`, an
    AlertStatus value) and the evidence its message was rendered from."""

    kind: str
    local_date: dt.date
    dedupe_key: str
    status: str
    detected_at: dt.datetime
    sent_at: dt.datetime | None = None
    evidence: SalesDropEvidence | AdDropEvidence

    @property
    def sent(self) -> bool:
        return self.status == AlertStatus.SENT


def outbox_alerts(
    session: Session, seller_id: int, zone: ZoneInfo, start: dt.date, end: dt.date
) -> list[OutboxAlert]:
    """The seller's alert rows for the local dates [start, end], every status, by
    date and then detection time."""
    lo = dt.datetime.combine(start, dt.time(), tzinfo=zone).astimezone(dt.UTC)
    hi = dt.datetime.combine(end + dt.timedelta(days=2), dt.time(), tzinfo=zone)
    found = []
    for row in alerts_between(session, seller_id, lo, hi.astimezone(dt.UTC)):
        if row.kind == DIGEST:
            continue
        data = dict(row.evidence or {})
        try:
            day = dt.date.fromisoformat(str(data.get("local_date")))
            evidence = evidence_of(row.kind, data)
        except (UnknownNudge, ValidationError, ValueError) as error:
            log.warning("alert %s (%s) has no usable evidence: %s", row.id, row.dedupe_key, error)
            continue
        if not isinstance(evidence, SalesDropEvidence | AdDropEvidence) or not start <= day <= end:
            continue
        found.append(
            OutboxAlert(
                kind=row.kind,
                local_date=day,
                dedupe_key=row.dedupe_key,
                status=str(AlertStatus(row.status).value),
                detected_at=row.detected_at,
                sent_at=row.sent_at,
                evidence=evidence,
            )
        )
    found.sort(key=lambda alert: (alert.local_date, alert.detected_at))
    return found
