"""The alert outbox: an alert is written with its dedupe key before it is sent.

`record_alert` inserts only a new dedupe key (a detector that finds the same
incident again writes nothing); `claim_pending` hands out unsent alerts, with
`FOR UPDATE SKIP LOCKED` on PostgreSQL so several workers never send one twice;
`mark_sent` closes it. A restart between record and send leaves the row pending,
so it is sent once on the next run, never twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import Alert


def record_alert(
    session: Session,
    *,
    seller_id: int,
    kind: str,
    dedupe_key: str,
    evidence: dict[str, Any],
    detected_at: dt.datetime,
) -> bool:
    """Insert the alert unless its dedupe key exists; True when it is new."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(Alert)
        .values(
            seller_id=seller_id,
            kind=kind,
            dedupe_key=dedupe_key,
            evidence=evidence,
            detected_at=detected_at,
            status="pending",
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Alert.id)
    )
    return session.execute(statement).scalar() is not None


def claim_pending(
    session: Session, *, limit: int = 100, seller_ids: list[int] | None = None
) -> list[Alert]:
    """Unsent alerts, oldest first, locked for this transaction where the database can."""
    query = (
        select(Alert).where(Alert.status.in_(("pending", "held"))).order_by(Alert.id).limit(limit)
    )
    if seller_ids is not None:
        query = query.where(Alert.seller_id.in_(seller_ids))
    return list(session.scalars(query.with_for_update(skip_locked=True)))


def mark_sent(session: Session, alert_id: int, *, at: dt.datetime) -> None:
    session.execute(update(Alert).where(Alert.id == alert_id).values(status="sent", sent_at=at))


def mark_status(session: Session, alert_id: int, status: str) -> None:
    """`held` (quiet hours, sent later), `skipped` (seller inactive or alerts off)."""
    session.execute(update(Alert).where(Alert.id == alert_id).values(status=status))


def alerts_between(
    session: Session, seller_id: int, start: dt.datetime, stop: dt.datetime
) -> list[Alert]:
    return list(
        session.scalars(
            select(Alert)
            .where(
                Alert.seller_id == seller_id, Alert.detected_at >= start, Alert.detected_at < stop
            )
            .order_by(Alert.detected_at)
        )
    )
