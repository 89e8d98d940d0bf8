"""The alert outbox: an alert is written with its dedupe key before it is sent, and
delivered to each linked chat of its seller with a state of its own.

Every change of an outbox row's status goes through a function here, one small
function per step (the callers own the transaction):

- `record_alert` inserts only a new dedupe key (a detector that finds the same
  incident again writes nothing); the row starts `pending`.
- `hold_pending`: a seller's quiet hours: `pending` → `held` (sent when they end).
- `claim_pending` hands out unsent (`pending` or `held`) rows, oldest first, with
  `FOR UPDATE SKIP LOCKED` on PostgreSQL; `mark_skipped` / `mark_failed` for a
  row that is not to be sent at all.
- `open_alert` moves one row to `sending` by a compare-and-set update (`WHERE
  status IN ('pending', 'held')`, checked by its rowcount, so two workers on
  SQLite or PostgreSQL never both open it) and writes one `AlertDelivery` per
  linked chat, `pending`.
- Per delivery: `claim_delivery` (`pending` → `sending`, compare-and-set,
  committed just before its own send), then `finish_delivery` right after it:
  `sent`, `blocked`, `failed`, `unknown` or back to `pending` (the request never
  left). `settle_alert` gives the alert its final status once every chat is done:
  `sent` when any chat got it, else `unknown`, `blocked` (every chat blocked),
  `skipped` or `failed`.
- `expire_in_flight`: deliveries left `sending` (the process died mid-send)
  become `unknown`; `resend_unknown` hands `unknown` ones back to `pending` (an
  operator's choice: a possible duplicate over a possible loss).

So a crash can touch only the deliveries in flight at that moment. The statuses
are `AlertStatus` and `DeliveryStatus`; the database refuses any other value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, and_, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import (
    Alert,
    AlertDelivery,
    AlertStatus,
    ChatLink,
    DeliveryStatus,
    Seller,
)

__all__ = [
    "UNSENT",
    "AlertStatus",
    "DeliveryStatus",
    "LostTrack",
    "alerts_between",
    "claim_delivery",
    "claim_pending",
    "count_alerts",
    "count_in_flight",
    "deactivate_sellers",
    "existing_keys",
    "expire_in_flight",
    "finish_delivery",
    "hold_pending",
    "mark_failed",
    "mark_skipped",
    "open_alert",
    "pending_deliveries",
    "record_alert",
    "resend_unknown",
    "settle_alert",
    "skip_unlinked",
    "waiting_sellers",
]

UNSENT = (AlertStatus.PENDING, AlertStatus.HELD)
DONE = (
    DeliveryStatus.SENT,
    DeliveryStatus.BLOCKED,
    DeliveryStatus.FAILED,
    DeliveryStatus.UNKNOWN,
    DeliveryStatus.SKIPPED,
)


def _insert(session: Session) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _rowcount(result: Any) -> int:
    assert isinstance(result, CursorResult)
    return result.rowcount


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
    statement = (
        _insert(session)(Alert)
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


def mark_skipped(session: Session, alert_id: int) -> None:
    """Not to be sent: the seller is inactive, switched it off, or has no chat."""
    _set_status(session, alert_id, AlertStatus.SKIPPED)


def mark_failed(session: Session, alert_id: int) -> None:
    """Not to be sent: no message can be made of the row."""
    _set_status(session, alert_id, AlertStatus.FAILED)


def open_alert(session: Session, alert_id: int, chat_ids: Iterable[int]) -> bool:
    """`pending`/`held` → `sending` with one pending delivery per chat; False when
    another worker opened it first (the compare-and-set matched no row)."""
    opened = session.execute(
        update(Alert)
        .where(Alert.id == alert_id, Alert.status.in_(UNSENT))
        .values(status=AlertStatus.SENDING)
    )
    if _rowcount(opened) != 1:
        return False
    rows = [
        {"alert_id": alert_id, "chat_id": chat_id, "status": DeliveryStatus.PENDING, "attempts": 0}
        for chat_id in sorted(set(chat_ids))
    ]
    if rows:
        session.execute(
            _insert(session)(AlertDelivery)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["alert_id", "chat_id"])
        )
    return True


def pending_deliveries(
    session: Session, *, seller_ids: Collection[int], limit: int = 500
) -> list[tuple[AlertDelivery, Alert]]:
    """Deliveries not tried yet of the sellers' open alerts: by alert, then chat."""
    if not seller_ids:
        return []
    rows = session.execute(
        select(AlertDelivery, Alert)
        .join(Alert, Alert.id == AlertDelivery.alert_id)
        .where(
            AlertDelivery.status == DeliveryStatus.PENDING,
            Alert.status == AlertStatus.SENDING,
            Alert.seller_id.in_(list(seller_ids)),
        )
        .order_by(Alert.id, AlertDelivery.chat_id)
        .limit(limit)
    )
    return [(delivery, alert) for delivery, alert in rows]


def claim_delivery(session: Session, delivery_id: int, *, at: dt.datetime) -> bool:
    """`pending` → `sending` just before the send (commit before sending); False when
    another worker has it."""
    claimed = session.execute(
        update(AlertDelivery)
        .where(AlertDelivery.id == delivery_id, AlertDelivery.status == DeliveryStatus.PENDING)
        .values(
            status=DeliveryStatus.SENDING,
            attempts=AlertDelivery.attempts + 1,
            claimed_at=at,
        )
    )
    return _rowcount(claimed) == 1


def finish_delivery(
    session: Session, delivery_id: int, status: DeliveryStatus, *, at: dt.datetime
) -> bool:
    """What became of a claimed send, right after it; `pending` when the request never
    left. False when the row was no longer `sending` (expired meanwhile)."""
    values: dict[str, Any] = {"status": status}
    if status is DeliveryStatus.SENT:
        values["sent_at"] = at
    finished = session.execute(
        update(AlertDelivery)
        .where(AlertDelivery.id == delivery_id, AlertDelivery.status == DeliveryStatus.SENDING)
        .values(**values)
    )
    return _rowcount(finished) == 1


def _final(statuses: Collection[DeliveryStatus]) -> AlertStatus:
    if DeliveryStatus.SENT in statuses:
        return AlertStatus.SENT
    if DeliveryStatus.UNKNOWN in statuses:
        return AlertStatus.UNKNOWN
    if DeliveryStatus.BLOCKED in statuses and DeliveryStatus.FAILED not in statuses:
        return AlertStatus.BLOCKED
    if statuses and all(status is DeliveryStatus.SKIPPED for status in statuses):
        return AlertStatus.SKIPPED
    return AlertStatus.FAILED


def settle_alert(session: Session, alert_id: int, *, at: dt.datetime) -> AlertStatus | None:
    """The alert's final status once every chat is done (None while one is not, or when
    another worker settled it)."""
    statuses = [
        DeliveryStatus(status)
        for status in session.scalars(
            select(AlertDelivery.status).where(AlertDelivery.alert_id == alert_id)
        )
    ]
    if any(status not in DONE for status in statuses):
        return None
    final = _final(statuses)
    values: dict[str, Any] = {"status": final}
    if final is AlertStatus.SENT:
        values["sent_at"] = at
    settled = session.execute(
        update(Alert)
        .where(Alert.id == alert_id, Alert.status == AlertStatus.SENDING)
        .values(**values)
    )
    return final if _rowcount(settled) == 1 else None


def skip_unlinked(session: Session) -> list[tuple[int, int]]:
    """Pending deliveries to a chat no longer linked to the alert's seller are skipped;
    the (alert id, seller id) of the alerts they belong to."""
    linked = exists().where(
        ChatLink.chat_id == AlertDelivery.chat_id, ChatLink.seller_id == Alert.seller_id
    )
    stale = list(
        session.execute(
            select(AlertDelivery.id, Alert.id, Alert.seller_id)
            .join(Alert, Alert.id == AlertDelivery.alert_id)
            .where(AlertDelivery.status == DeliveryStatus.PENDING, ~linked)
        )
    )
    if stale:
        session.execute(
            update(AlertDelivery)
            .where(
                AlertDelivery.id.in_([delivery_id for delivery_id, _, _ in stale]),
                AlertDelivery.status == DeliveryStatus.PENDING,
            )
            .values(status=DeliveryStatus.SKIPPED)
        )
    return sorted({(alert_id, seller_id) for _, alert_id, seller_id in stale})


@dataclass(frozen=True, slots=True)
class LostTrack:
    """A delivery whose fate is unknown: what operators are told."""

    alert_id: int
    seller_id: int
    kind: str
    chat_id: int
    claimed_at: dt.datetime | None


def expire_in_flight(
    session: Session,
    *,
    at: dt.datetime,
    claimed_before: dt.datetime | None = None,
    seller_ids: Collection[int] | None = None,
) -> list[LostTrack]:
    """Deliveries left `sending` (every one, or those claimed before `claimed_before`;
    of `seller_ids` only when given) become `unknown`, their alerts settled; what was
    expired."""
    query = (
        select(AlertDelivery, Alert)
        .join(Alert, Alert.id == AlertDelivery.alert_id)
        .where(AlertDelivery.status == DeliveryStatus.SENDING)
        .order_by(AlertDelivery.alert_id, AlertDelivery.chat_id)
    )
    if claimed_before is not None:
        query = query.where(
            or_(AlertDelivery.claimed_at.is_(None), AlertDelivery.claimed_at < claimed_before)
        )
    if seller_ids is not None:
        query = query.where(Alert.seller_id.in_(list(seller_ids)))
    lost = []
    for delivery, alert in session.execute(query):
        expired = session.execute(
            update(AlertDelivery)
            .where(AlertDelivery.id == delivery.id, AlertDelivery.status == DeliveryStatus.SENDING)
            .values(status=DeliveryStatus.UNKNOWN)
        )
        if _rowcount(expired) == 1:
            lost.append(
                LostTrack(
                    alert.id, alert.seller_id, alert.kind, delivery.chat_id, delivery.claimed_at
                )
            )
    for alert_id in sorted({track.alert_id for track in lost}):
        settle_alert(session, alert_id, at=at)
    return lost


def resend_unknown(session: Session) -> int:
    """`unknown` deliveries back to `pending` and their alerts open again: sent once more
    on the next run (a duplicate where the first send did arrive); how many."""
    alert_ids = select(AlertDelivery.alert_id).where(AlertDelivery.status == DeliveryStatus.UNKNOWN)
    session.execute(update(Alert).where(Alert.id.in_(alert_ids)).values(status=AlertStatus.SENDING))
    result = session.execute(
        update(AlertDelivery)
        .where(AlertDelivery.status == DeliveryStatus.UNKNOWN)
        .values(status=DeliveryStatus.PENDING)
    )
    return _rowcount(result)


def count_in_flight(session: Session) -> int:
    """Deliveries `sending` now: in flight, or left so by a process that died."""
    query = select(func.count()).select_from(AlertDelivery)
    return session.scalar(query.where(AlertDelivery.status == DeliveryStatus.SENDING)) or 0


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


def deactivate_sellers(session: Session, seller_ids: Collection[int]) -> None:
    """Sellers whose chats blocked the bot: no scans and no nudges until they write again."""
    if seller_ids:
        session.execute(update(Seller).where(Seller.id.in_(list(seller_ids))).values(active=False))


def waiting_sellers(
    session: Session, seller_ids: Collection[int] | None = None
) -> dict[int, ZoneInfo]:
    """Sellers (of `seller_ids` when given) with unsent alerts or deliveries not tried
    yet, and their timezones."""
    open_chat = exists().where(
        AlertDelivery.alert_id == Alert.id, AlertDelivery.status == DeliveryStatus.PENDING
    )
    query = (
        select(Seller.id, Seller.timezone)
        .join(Alert, Alert.seller_id == Seller.id)
        .where(
            or_(
                Alert.status.in_(UNSENT),
                and_(Alert.status == AlertStatus.SENDING, open_chat),
            )
        )
        .distinct()
    )
    if seller_ids is not None:
        query = query.where(Seller.id.in_(list(seller_ids)))
    rows = session.execute(query)
    return {seller_id: ZoneInfo(name) for seller_id, name in rows}


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
