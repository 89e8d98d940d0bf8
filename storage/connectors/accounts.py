"""The durable state of each seller's platform accounts (`source_accounts`).

Every change of an account's state goes through here: connecting (credentials
sealed by the caller, storage.connectors.secrets), the cursor a written page ends
at (in that page's transaction), a successful sync, a failed one (a quota pauses
the account until the platform's period ends) and the one stale report operators
get per failure run. Functions take the caller's session; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import Seller, SourceAccount

STALE_AFTER = dt.timedelta(hours=1)
"""A source failing for longer than this makes the seller's answers say so, and
operators get one message."""
MESSAGE_LIMIT = 500


@dataclass(frozen=True, slots=True)
class AccountRef:
    """An account as a sync needs it, detached from any session."""

    id: int
    seller_id: int
    seller_slug: str
    source: str
    credentials: str | None  # the sealed token, never the clear text


def find(session: Session, seller_id: int, source: str) -> SourceAccount | None:
    return session.scalar(
        select(SourceAccount).where(
            SourceAccount.seller_id == seller_id, SourceAccount.source == source
        )
    )


def ensure(session: Session, seller_id: int, source: str, *, now: dt.datetime) -> SourceAccount:
    """The seller's account on `source`, created (no credentials, never synced) if missing."""
    account = find(session, seller_id, source)
    if account is None:
        account = SourceAccount(seller_id=seller_id, source=source, connected_at=now, enabled=True)
        session.add(account)
        session.flush()
    return account


def connect(
    session: Session, seller_id: int, source: str, sealed: str, *, now: dt.datetime
) -> SourceAccount:
    """Store checked, sealed credentials; a reconnected account keeps its cursor and
    starts with a clean error record."""
    account = ensure(session, seller_id, source, now=now)
    account.credentials = sealed
    account.enabled = True
    account.connected_at = now
    account.failing_since = account.paused_until = account.stale_reported_at = None
    return account


def refs(
    session: Session, *, seller_id: int | None = None, source: str | None = None
) -> list[AccountRef]:
    """The enabled accounts with credentials (optionally of one seller or source), by
    seller and source."""
    query = (
        select(SourceAccount, Seller.slug)
        .join(Seller, Seller.id == SourceAccount.seller_id)
        .where(SourceAccount.enabled.is_(True), SourceAccount.credentials.is_not(None))
        .order_by(SourceAccount.seller_id, SourceAccount.source)
    )
    if seller_id is not None:
        query = query.where(SourceAccount.seller_id == seller_id)
    if source is not None:
        query = query.where(SourceAccount.source == source)
    return [
        AccountRef(account.id, account.seller_id, slug, account.source, account.credentials)
        for account, slug in session.execute(query)
    ]


def save_cursor(account: SourceAccount, cursor: Mapping[str, Any]) -> None:
    account.cursor = dict(cursor)


def save_cursor_of(session: Session, account_id: int, cursor: Mapping[str, Any]) -> None:
    """`save_cursor` by the account's id: one UPDATE, without loading the account
    first (a sync writes one per page)."""
    session.execute(
        update(SourceAccount).where(SourceAccount.id == account_id).values(cursor=dict(cursor))
    )


def succeeded(session: Session, account_id: int, *, now: dt.datetime) -> None:
    """Record a sync that read every page (one UPDATE by the account's id)."""
    session.execute(
        update(SourceAccount)
        .where(SourceAccount.id == account_id)
        .values(
            last_sync_at=now,
            last_success_at=now,
            failing_since=None,
            paused_until=None,
            stale_reported_at=None,
        )
    )


def failed(
    account: SourceAccount,
    key: str,
    message: str,
    *,
    now: dt.datetime,
    retry_at: dt.datetime | None = None,
) -> None:
    """Record a failed sync; a quota (`retry_at`) pauses the account until then."""
    account.last_sync_at = account.last_error_at = now
    account.last_error_key = key[:32]
    account.last_error_message = message[:MESSAGE_LIMIT]
    if account.failing_since is None:
        account.failing_since = now
    account.paused_until = retry_at if key == "quota" and retry_at is not None else None


def paused(account: SourceAccount, *, now: dt.datetime) -> bool:
    return account.paused_until is not None and account.paused_until > now


@dataclass(frozen=True, slots=True)
class StaleSource:
    """A source failing for longer than STALE_AFTER, for the operators' message."""

    seller_slug: str
    source: str
    failing_since: dt.datetime
    last_success_at: dt.datetime | None
    error_key: str | None
    error: str | None


def claim_stale(session: Session, *, now: dt.datetime) -> list[StaleSource]:
    """The sources that became stale and were not reported yet, marked reported: the
    caller tells operators once (the mark is committed before the message is sent, so
    a crash in between loses the message rather than repeating it)."""
    rows = session.execute(
        select(SourceAccount, Seller.slug)
        .join(Seller, Seller.id == SourceAccount.seller_id)
        .where(
            SourceAccount.enabled.is_(True),
            SourceAccount.failing_since.is_not(None),
            SourceAccount.failing_since < now - STALE_AFTER,
            SourceAccount.stale_reported_at.is_(None),
        )
        .order_by(Seller.slug, SourceAccount.source)
        # two workers' syncs claiming at once on PostgreSQL: each row goes to one of them
        .with_for_update(of=SourceAccount, skip_locked=True)
    ).all()
    stale = []
    for account, slug in rows:
        assert account.failing_since is not None
        account.stale_reported_at = now
        stale.append(
            StaleSource(
                slug,
                account.source,
                account.failing_since,
                account.last_success_at,
                account.last_error_key,
                account.last_error_message,
            )
        )
    return stale


@dataclass(frozen=True, slots=True)
class Freshness:
    """How current a seller's connected data is, for the answers."""

    as_of: dt.datetime | None
    """The oldest last success among the seller's sources; None: one never synced."""
    stale_since: dt.datetime | None
    """The earliest failure start among sources failing for longer than STALE_AFTER."""

    @property
    def stale(self) -> bool:
        return self.stale_since is not None


def freshness(session: Session, seller_id: int, *, now: dt.datetime) -> Freshness | None:
    """None when the seller has no connected source (data comes by import only)."""
    rows = session.execute(
        select(SourceAccount.last_success_at, SourceAccount.failing_since).where(
            SourceAccount.seller_id == seller_id, SourceAccount.enabled.is_(True)
        )
    ).all()
    if not rows:
        return None
    successes = [success for success, _ in rows if success is not None]
    as_of = min(successes) if len(successes) == len(rows) else None
    failing = [since for _, since in rows if since is not None and since < now - STALE_AFTER]
    return Freshness(as_of, min(failing) if failing else None)


def status_rows(
    session: Session, *, seller_id: int | None = None
) -> list[tuple[str, SourceAccount]]:
    """Every account (enabled or not) with its seller's slug, for `advisor sync status`."""
    query = (
        select(Seller.slug, SourceAccount)
        .join(Seller, Seller.id == SourceAccount.seller_id)
        .order_by(Seller.slug, SourceAccount.source)
    )
    if seller_id is not None:
        query = query.where(SourceAccount.seller_id == seller_id)
    return [(slug, account) for slug, account in session.execute(query)]
