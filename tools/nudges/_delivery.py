"""Delivery bookkeeping: which unsent nudges go out now, and what became of them.

The bot's delivery run (bot.alerts) sends; this module decides and records,
every status change through storage.outbox:

1. `claim`: sellers inside their quiet hours have their pending nudges held;
   the others' pending and held ones are claimed (oldest first, SKIP LOCKED on
   PostgreSQL); each is skipped (seller inactive, alerts or digest off, no chat)
   or marked `sending`, in the caller's transaction, committed before the send.
2. `record_outcomes`: each nudge's outcome written back: sent, blocked (the
   seller is deactivated), failed, or released to pending (network trouble).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Alert as OutboxRow
from storage.models import ChatLink, Seller
from storage.outbox import (
    claim_pending,
    count_sending,
    deactivate_sellers,
    hold_pending,
    mark_blocked,
    mark_failed,
    mark_sending,
    mark_sent,
    mark_skipped,
    release,
    waiting_sellers,
)
from tools.nudges._evidence import DIGEST, DigestOff, Nudge, UnknownNudge
from tools.nudges._hours import Hours, in_quiet_hours
from tools.prompts import normalize_lang

log = logging.getLogger(__name__)

BATCH = 500


class Outcome(StrEnum):
    """What sending one nudge to all its chats came to."""

    SENT = "sent"  # at least one chat got it
    RETRY = "retry"  # network trouble: the next run tries again
    BLOCKED = "blocked"  # every chat blocked the bot
    FAILED = "failed"  # Telegram refused it


@dataclass(frozen=True, slots=True)
class Recipient:
    chat_id: int
    lang: str  # "ko" or "en"


@dataclass(frozen=True, slots=True)
class Due:
    """A claimed nudge (marked `sending`) and the chats it goes to, in chat order."""

    nudge: Nudge
    seller_name: str
    recipients: tuple[Recipient, ...]


@dataclass
class DeliveryReport:
    sent: int = 0
    held: int = 0
    skipped: int = 0
    blocked: int = 0
    failed: int = 0
    retry: int = 0
    blocked_sellers: list[int] = field(default_factory=list)

    def add(self, other: DeliveryReport) -> None:
        for name in ("sent", "held", "skipped", "blocked", "failed", "retry"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.blocked_sellers += other.blocked_sellers


def skip_reason(nudge: Nudge, seller: Seller | None, chats: Sequence[ChatLink]) -> str | None:
    """Why a nudge is not to be sent at all, or None."""
    if seller is None or not seller.active:
        return "inactive"
    if not chats:
        return "no chat"
    if nudge.kind == DIGEST:
        off = not seller.digest_enabled or isinstance(nudge.evidence, DigestOff)
        return "digest off" if off else None
    return None if seller.alerts_enabled else "alerts off"


def claim(
    session: Session,
    *,
    now: dt.datetime,
    hours: Hours,
    report: DeliveryReport,
    limit: int = BATCH,
) -> list[Due]:
    """Step 1 (see the module docstring) in the caller's transaction; the held and
    skipped counts go to `report`. Empty when nothing is left to send now."""
    waiting = waiting_sellers(session)
    quiet = {sid for sid, zone in waiting.items() if in_quiet_hours(now, zone, hours)}
    report.held += hold_pending(session, sorted(quiet))
    awake = [sid for sid in waiting if sid not in quiet]
    if not awake:
        return []
    due: list[Due] = []
    while not due:  # rows that are all skipped: claim the next ones
        rows = claim_pending(session, limit=limit, seller_ids=awake)
        if not rows:
            break
        due = _prepare(session, _nudges(session, rows, report), report)
    return due


def _nudges(session: Session, rows: list[OutboxRow], report: DeliveryReport) -> list[Nudge]:
    """The rows typed; a row no nudge can be made of fails (it would stop every run)."""
    nudges = []
    for row in rows:
        try:
            nudges.append(Nudge.of_row(row))
        except (UnknownNudge, ValidationError) as error:
            log.error("alert %s (%s) cannot be sent: %s", row.id, row.dedupe_key, error)
            mark_failed(session, row.id)
            report.failed += 1
    return nudges


def _prepare(session: Session, nudges: list[Nudge], report: DeliveryReport) -> list[Due]:
    seller_ids = sorted({nudge.seller_id for nudge in nudges})
    sellers = {s.id: s for s in session.scalars(select(Seller).where(Seller.id.in_(seller_ids)))}
    chats: dict[int, list[ChatLink]] = defaultdict(list)
    for link in session.scalars(
        select(ChatLink).where(ChatLink.seller_id.in_(seller_ids)).order_by(ChatLink.chat_id)
    ):
        chats[link.seller_id].append(link)
    due = []
    for nudge in nudges:
        seller = sellers.get(nudge.seller_id)
        reason = skip_reason(nudge, seller, chats[nudge.seller_id])
        if reason is not None:
            log.info("alert %s (%s) skipped: %s", nudge.alert_id, nudge.dedupe_key, reason)
            mark_skipped(session, nudge.alert_id)
            report.skipped += 1
            continue
        assert seller is not None
        recipients = tuple(
            Recipient(link.chat_id, normalize_lang(link.language or "ko"))
            for link in chats[nudge.seller_id]
        )
        mark_sending(session, nudge.alert_id)
        due.append(Due(nudge, seller.name, recipients))
    return due


def record_outcomes(
    session: Session, due: Sequence[Due], outcomes: dict[int, Outcome], *, at: dt.datetime
) -> DeliveryReport:
    """Step 2: each claimed nudge's outcome by alert id (none: retry later)."""
    report = DeliveryReport()
    blocked: set[int] = set()
    for item in due:
        alert_id = item.nudge.alert_id
        outcome = outcomes.get(alert_id, Outcome.RETRY)
        if outcome is Outcome.SENT:
            mark_sent(session, alert_id, at=at)
            report.sent += 1
        elif outcome is Outcome.BLOCKED:
            mark_blocked(session, alert_id)
            blocked.add(item.nudge.seller_id)
            report.blocked += 1
        elif outcome is Outcome.FAILED:
            mark_failed(session, alert_id)
            report.failed += 1
        else:
            release(session, alert_id)
            report.retry += 1
    if blocked:
        deactivate_sellers(session, blocked)
        report.blocked_sellers = sorted(blocked)
    return report


def stuck_sending(session: Session) -> int:
    """Nudges a crash left `sending`: unknown whether they arrived, so not resent."""
    return count_sending(session)
