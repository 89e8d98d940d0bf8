"""Scan planning: which seller is checked for what at a given `now`.

Every linked, active seller is scanned. A seller with alerts on gets today's
intraday sales check at every scan. The first scan at or after the morning hour
(and before quiet hours start) is the seller's morning scan: yesterday's
whole-day sales check, yesterday's ads (alerts on) and the digest row (always:
it marks the morning scan as done, so a restart at 10:30 runs it once, never
twice).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import ChatLink, Seller
from storage.outbox import existing_keys
from tools.nudges._digest import digest_key
from tools.nudges._hours import Hours, in_morning, yesterday


@dataclass(frozen=True, slots=True)
class PlannedSeller:
    id: int
    zone: ZoneInfo
    currency: str
    alerts_enabled: bool
    digest_enabled: bool


@dataclass(frozen=True, slots=True)
class ScanPlan:
    now: dt.datetime
    sellers: tuple[PlannedSeller, ...]  # linked and active, by id
    morning: frozenset[int]  # due for their morning scan

    @property
    def watched(self) -> list[int]:
        """Sellers with alerts on: today's sales so far."""
        return [s.id for s in self.sellers if s.alerts_enabled]

    @property
    def ads(self) -> list[int]:
        """Sellers whose yesterday's ads are checked (alerts on, morning scan)."""
        return [sid for sid in self.watched if sid in self.morning]

    @property
    def digests(self) -> list[PlannedSeller]:
        """Sellers whose digest row is written (the morning scan)."""
        return [s for s in self.sellers if s.id in self.morning]


def linked_sellers(
    session: Session, seller_ids: Collection[int] | None = None
) -> list[PlannedSeller]:
    """Active sellers (of `seller_ids` when given) with at least one linked chat, by id."""
    query = (
        select(Seller)
        .where(Seller.active.is_(True), Seller.id.in_(select(ChatLink.seller_id)))
        .order_by(Seller.id)
    )
    if seller_ids is not None:
        query = query.where(Seller.id.in_(list(seller_ids)))
    rows = session.scalars(query)
    return [
        PlannedSeller(s.id, s.zone, s.currency, s.alerts_enabled, s.digest_enabled) for s in rows
    ]


def plan_scan(
    session: Session,
    *,
    now: dt.datetime,
    hours: Hours,
    seller_ids: Collection[int] | None = None,
) -> ScanPlan:
    """Who (every seller, or those of `seller_ids`) is checked for what by a scan at
    `now` (reads only)."""
    sellers = linked_sellers(session, seller_ids)
    due = {
        s.id: digest_key(s.id, yesterday(now, s.zone))
        for s in sellers
        if in_morning(now, s.zone, hours)
    }
    done = existing_keys(session, due.values())
    morning = frozenset(sid for sid, key in due.items() if key not in done)
    return ScanPlan(now=now, sellers=tuple(sellers), morning=morning)
