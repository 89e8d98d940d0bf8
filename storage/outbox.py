"""The alert outbox: an alert is written with its dedupe key before it is sent.

Every change of an outbox row's status goes through a function here, one small
function per step (the callers own the transaction):

- `record_alert` inserts only a new dedupe key (a detector that finds the same
  incident again writes nothing); the row starts `pending`.
- `hold_pending`: a seller's quiet hours: `pending` → `held` (sent when they end).
- `claim_pending` hands out unsent (`pending` or `held`) rows, oldest first, with
  `FOR UPDATE SKIP LOCKED` on PostgreSQL so several workers never take one row.
- `mark_sending` (committed before the send), then one outcome: `mark_sent`,
  `mark_blocked`, `mark_failed`, or `release` (back to `pending`: the next run
  tries again); `mark_skipped` for a row that is not to be sent at all.
- `count_sending` counts rows a crash left `sending`; `release_stuck` would hand
  them back to `pending` (the bot does not call it: it never resends those).

A restart between record and send leaves the row pending, so it is sent once on
the next run, never twice. The statuses are `AlertStatus`; the database refuses
any other value (CHECK `ck_alerts_status`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import Alert, AlertStatus, Seller

__all__ = [
    "UNSENT",
    "AlertStatus",
    "alerts_between",
    "claim_pending",
    "count_alerts",
    "count_sending",
    "deactivate_sellers",
    "existing_keys",
    "hold_pending",
    "mark_blocked",
    "mark_failed",
    "mark_sending",
    "mark_sent",
    "mark_skipped",
    "record_alert",
    "release",
    "release_stuck",
    "waiting_sellers",
]

UNSENT = (AlertStatus.PENDING, AlertStatus.HELD)


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
            status=AlertStatus.PENDING,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Alert.id)
    )
    return session.execute(statement).scalar() is not None


def claim_pending(
    session: Session, *, limit: int = 100, seller_ids: Collection[int] | None = None
) -> list[Alert]:
    """Unsent alerts, oldest first, locked for this transaction where the database can."""
    query = select(Alert).where(Alert.status.in_(UNSENT)).order_by(Alert.id).limit(limit)
    if seller_ids is not None:
        query = query.where(Alert.seller_id.in_(list(seller_ids)))
    return list(session.scalars(query.with_for_update(skip_locked=True)))


def _set_status(session: Session, alert_id: int, status: AlertStatus, **values: Any) -> None:
    session.execute(update(Alert).where(Alert.id == alert_id).values(status=status, **values))


def mark_sending(session: Session, alert_id: int) -> None:
    """Claimed for a send: committed before anything goes out."""
    _set_status(session, alert_id, AlertStatus.SENDING)


def mark_sent(session: Session, alert_id: int, *, at: dt.datetime) -> None:
    _set_status(session, alert_id, AlertStatus.SENT, sent_at=at)


def mark_skipped(session: Session, alert_id: int) -> None:
    """Not to be sent: the seller is inactive, switched it off, or has no chat."""
    _set_status(session, alert_id, AlertStatus.SKIPPED)


def mark_blocked(session: Session, alert_id: int) -> None:
    """Every chat of the seller blocked the bot."""
    _set_status(session, alert_id, AlertStatus.BLOCKED)


def mark_failed(session: Session, alert_id: int) -> None:
    """Telegram refused the message; it is not tried again."""
    _set_status(session, alert_id, AlertStatus.FAILED)


def release(session: Session, alert_id: int) -> None:
    """Back to `pending` (network trouble): the next delivery run tries again."""
    _set_status(session, alert_id, AlertStatus.PENDING)


def hold_pending(session: Session, seller_ids: Collection[int]) -> int:
    """The sellers' pending alerts wait for the end of their quiet hours; how many."""
    if not seller_ids:
        return 0
    result = session.execute(
        update(Alert)
        .where(Alert.seller_id.in_(list(seller_ids)), Alert.status == AlertStatus.PENDING)
        .values(status=AlertStatus.HELD)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount


def count_sending(session: Session) -> int:
    """Alerts left `sending` (by a crash, when no delivery runs): unknown whether they arrived."""
    query = select(func.count()).select_from(Alert).where(Alert.status == AlertStatus.SENDING)
    return session.scalar(query) or 0


def release_stuck(session: Session) -> int:
    """Alerts left `sending` back to `pending`, to be sent again; how many. Only for a
    caller that accepts a duplicate over a loss (the bot today does not call it)."""
    result = session.execute(
        update(Alert).where(Alert.status == AlertStatus.SENDING).values(status=AlertStatus.PENDING)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount


def deactivate_sellers(session: Session, seller_ids: Collection[int]) -> None:
    """Sellers whose chats blocked the bot: no scans and no nudges until they write again."""
    if seller_ids:
        session.execute(update(Seller).where(Seller.id.in_(list(seller_ids))).values(active=False))


def waiting_sellers(session: Session) -> dict[int, str]:
    """Sellers with unsent alerts, and their timezones."""
    rows = session.execute(
        select(Seller.id, Seller.timezone)
        .join(Alert, Alert.seller_id == Seller.id)
        .where(Alert.status.in_(UNSENT))
        .distinct()
    )
    return {seller_id: zone for seller_id, zone in rows}


def existing_keys(session: Session, keys: Collection[str]) -> set[str]:
    """Those of `keys` the outbox holds already."""
    if not keys:
        return set()
    return set(session.scalars(select(Alert.dedupe_key).where(Alert.dedupe_key.in_(list(keys)))))


def count_alerts(
    session: Session,
    seller_id: int,
    start: dt.datetime,
    stop: dt.datetime,
    *,
    except_kind: str | None = None,
) -> int:
    """The seller's alerts detected in [start, stop), leaving out one kind if asked."""
    query = (
        select(func.count())
        .select_from(Alert)
        .where(Alert.seller_id == seller_id, Alert.detected_at >= start, Alert.detected_at < stop)
    )
    if except_kind is not None:
        query = query.where(Alert.kind != except_kind)
    return session.scalar(query) or 0


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
