"""The operators' view: every seller's sync status (per connected source) and alert
status (the last alert sent, alerts waiting), read from storage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Alert, Seller, SourceAccount


@dataclass(frozen=True, slots=True)
class SourceStatus:
    source: str
    last_success_at: dt.datetime | None
    failing_since: dt.datetime | None
    last_error_key: str | None
    paused_until: dt.datetime | None


@dataclass(frozen=True, slots=True)
class SellerStatus:
    slug: str
    name: str
    sources: tuple[SourceStatus, ...]
    alerts_sent: int
    alerts_waiting: int
    last_alert_at: dt.datetime | None


def status(sessions: sessionmaker[Session]) -> list[SellerStatus]:
    with sessions() as session:
        sellers = session.scalars(select(Seller).order_by(Seller.slug)).all()
        accounts = session.scalars(select(SourceAccount).order_by(SourceAccount.source)).all()
        sent = dict(
            session.execute(
                select(Alert.seller_id, func.count())
                .where(Alert.sent_at.is_not(None))
                .group_by(Alert.seller_id)
            ).all()
        )
        waiting = dict(
            session.execute(
                select(Alert.seller_id, func.count())
                .where(Alert.status.in_(("pending", "held", "sending")))
                .group_by(Alert.seller_id)
            ).all()
        )
        last = dict(
            session.execute(
                select(Alert.seller_id, func.max(Alert.sent_at)).group_by(Alert.seller_id)
            ).all()
        )
        return [
            SellerStatus(
                slug=seller.slug,
                name=seller.name,
                sources=tuple(
                    SourceStatus(
                        a.source,
                        a.last_success_at,
                        a.failing_since,
                        a.last_error_key,
                        a.paused_until,
                    )
                    for a in accounts
                    if a.seller_id == seller.id
                ),
                alerts_sent=int(sent.get(seller.id, 0)),
                alerts_waiting=int(waiting.get(seller.id, 0)),
                last_alert_at=last.get(seller.id),
            )
            for seller in sellers
        ]
