"""Delivery bookkeeping: which nudges go out now, to which chats, and what became of each.

The bot's delivery run (bot.alerts) sends; this module decides and records,
every status change through storage.outbox. Each alert has one delivery per
linked chat of its seller, with a state of its own:

1. `claim`: sellers inside their quiet hours have their pending nudges held;
   the others' pending and held ones are skipped (seller inactive, alerts or
   digest off, no chat) or opened: one pending delivery per linked chat. It
   returns the deliveries not tried yet, by nudge (`Due`), in the caller's
   transaction.
2. Per chat, `Recipient.claim` just before its own send (a compare-and-set from
   `pending` to `sending`, committed before the send: False means another worker
   has it), then `record_outcomes` right after it. When every chat of a nudge is
   done the nudge is settled: sent (any chat got it), unknown, blocked (every chat
   blocked the bot: the seller is deactivated), skipped or failed.

The rule for a send whose fate is unknown (the process died while it was in
flight, or it timed out after the request left: Telegram has no idempotency
key) is: it is marked `unknown`, never sent again automatically, and reported to
operators (`stuck_sending` at start and in every `claim`, `Outcome.UNKNOWN` after
a send). So a
restart repeats nothing and loses at most the sends in flight, each one named to
operators; `resend_unknown` (`advisor bot --resend-unknown`) sends them again if
they prefer a possible duplicate. A send that never left (no connection, a pool
timeout, an error answer from Telegram) goes back to `pending` and is retried.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Alert as OutboxRow
from storage.models import AlertStatus, ChatLink, DeliveryStatus, Seller
from storage.outbox import (
    LostTrack,
    claim_delivery,
    claim_pending,
    deactivate_sellers,
    expire_in_flight,
    finish_delivery,
    hold_pending,
    mark_failed,
    mark_skipped,
    open_alert,
    pending_deliveries,
    settle_alert,
    skip_unlinked,
    waiting_sellers,
)
from tools.nudges._evidence import DIGEST, DigestOff, Nudge, UnknownNudge
from tools.nudges._hours import Hours, in_quiet_hours
from tools.prompts import normalize_lang

log = logging.getLogger(__name__)

BATCH = 500
# A delivery `sending` for longer than this belongs to no live send (a send gives up
# long before: the HTTP timeouts and the rate limiter's retries): its process died.
IN_FLIGHT_LIMIT = dt.timedelta(minutes=10)


class Outcome(StrEnum):
    """What one send to one chat came to."""

    SENT = "sent"
    RETRY = "retry"  # the request never left: the next run tries again
    BLOCKED = "blocked"  # the chat blocked the bot
    FAILED = "failed"  # Telegram refused it
    UNKNOWN = "unknown"  # cut off after it left: not resent, reported to operators


_STATUS = {
    Outcome.SENT: DeliveryStatus.SENT,
    Outcome.RETRY: DeliveryStatus.PENDING,
    Outcome.BLOCKED: DeliveryStatus.BLOCKED,
    Outcome.FAILED: DeliveryStatus.FAILED,
    Outcome.UNKNOWN: DeliveryStatus.UNKNOWN,
}


@dataclass(frozen=True, slots=True)
class Recipient:
    """One chat of a due nudge, and its delivery row."""

    chat_id: int
    lang: str  # "ko" or "en"
    delivery_id: int

    def claim(self, session: Session, *, at: dt.datetime) -> bool:
        """Step 2, just before the send (commit it first): False when another worker
        has this delivery (or had it), so it is not sent here."""
        return claim_delivery(session, self.delivery_id, at=at)


@dataclass(frozen=True, slots=True)
class Due:
    """An open nudge and its chats not tried yet, in chat order."""

    nudge: Nudge
    seller_name: str
    recipients: tuple[Recipient, ...]


@dataclass
class DeliveryReport:
    """Nudges by how they ended (sent ... unknown), deliveries retried later, and the
    sends whose fate is unknown (for operators)."""

    sent: int = 0
    held: int = 0
    skipped: int = 0
    blocked: int = 0
    failed: int = 0
    unknown: int = 0
    retry: int = 0
    blocked_sellers: list[int] = field(default_factory=list)
    lost: list[LostTrack] = field(default_factory=list)

    def add(self, other: DeliveryReport) -> None:
        for name in ("sent", "held", "skipped", "blocked", "failed", "unknown", "retry"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.blocked_sellers = sorted({*self.blocked_sellers, *other.blocked_sellers})
        self.lost += other.lost

    def settled(self, status: AlertStatus | None, seller_id: int) -> None:
        """Count a nudge that reached its final status."""
        if status is AlertStatus.SENT:
            self.sent += 1
        elif status is AlertStatus.BLOCKED:
            self.blocked += 1
            self.blocked_sellers = sorted({*self.blocked_sellers, seller_id})
        elif status is AlertStatus.FAILED:
            self.failed += 1
        elif status is AlertStatus.UNKNOWN:
            self.unknown += 1
        elif status is AlertStatus.SKIPPED:
            self.skipped += 1


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
    seller_ids: Collection[int] | None = None,
) -> list[Due]:
    """Step 1 (see the module docstring) in the caller's transaction, for every seller
    or those of `seller_ids`; the held and skipped counts go to `report`, and
    deliveries a dead process left `sending` for over IN_FLIGHT_LIMIT to
    `report.lost`. Empty when nothing is left to send now."""
    report.lost += stuck_sending(session, now=now)
    for alert_id, seller_id in skip_unlinked(session):
        _settled(session, report, alert_id, seller_id, now)
    waiting = waiting_sellers(session, seller_ids)
    quiet = {sid for sid, zone in waiting.items() if in_quiet_hours(now, zone, hours)}
    report.held += hold_pending(session, sorted(quiet))
    awake = sorted(sid for sid in waiting if sid not in quiet)
    if not awake:
        return []
    sellers, chats = _sellers(session, awake), _chats(session, awake)  # read once
    while rows := claim_pending(session, limit=limit, seller_ids=awake):
        _open(session, _nudges(session, rows, report), report, sellers, chats)
        if len(rows) < limit:
            break  # every unsent one was there (a new one goes out with the next run)
    return _due(session, awake, limit, now, report, sellers, chats)


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


def _sellers(session: Session, seller_ids: Sequence[int]) -> dict[int, Seller]:
    return {s.id: s for s in session.scalars(select(Seller).where(Seller.id.in_(seller_ids)))}


def _chats(session: Session, seller_ids: Sequence[int]) -> dict[int, list[ChatLink]]:
    chats: dict[int, list[ChatLink]] = defaultdict(list)
    for link in session.scalars(
        select(ChatLink).where(ChatLink.seller_id.in_(seller_ids)).order_by(ChatLink.chat_id)
    ):
        chats[link.seller_id].append(link)
    return chats


def _open(
    session: Session,
    nudges: list[Nudge],
    report: DeliveryReport,
    sellers: Mapping[int, Seller],
    chats: Mapping[int, list[ChatLink]],
) -> None:
    """Skip the nudges not to be sent; open the others, a delivery per linked chat."""
    for nudge in nudges:
        reason = skip_reason(nudge, sellers.get(nudge.seller_id), chats.get(nudge.seller_id, []))
        if reason is not None:
            log.info("alert %s (%s) skipped: %s", nudge.alert_id, nudge.dedupe_key, reason)
            mark_skipped(session, nudge.alert_id)
            report.skipped += 1
            continue
        open_alert(session, nudge.alert_id, [link.chat_id for link in chats[nudge.seller_id]])


def _due(
    session: Session,
    awake: Sequence[int],
    limit: int,
    now: dt.datetime,
    report: DeliveryReport,
    sellers: Mapping[int, Seller],
    chats: Mapping[int, list[ChatLink]],
) -> list[Due]:
    """The open nudges' deliveries not tried yet (of the `awake` sellers, whose
    `sellers` and `chats` the caller read), grouped by nudge."""
    pending = pending_deliveries(session, seller_ids=awake, limit=limit)
    languages = {
        (link.seller_id, link.chat_id): link.language for links in chats.values() for link in links
    }
    grouped: dict[int, list[Recipient]] = defaultdict(list)
    rows: dict[int, OutboxRow] = {}
    for delivery, row in pending:
        rows[row.id] = row
        lang = normalize_lang(languages.get((row.seller_id, delivery.chat_id)) or "ko")
        grouped[row.id].append(Recipient(delivery.chat_id, lang, delivery.id))
    due = []
    for alert_id, recipients in grouped.items():
        row = rows[alert_id]
        try:
            nudge = Nudge.of_row(row)
        except (UnknownNudge, ValidationError) as error:  # typed when opened: not expected
            log.error("alert %s (%s) cannot be sent: %s", row.id, row.dedupe_key, error)
            for recipient in recipients:
                if claim_delivery(session, recipient.delivery_id, at=now):
                    finish_delivery(session, recipient.delivery_id, DeliveryStatus.FAILED, at=now)
            _settled(session, report, alert_id, row.seller_id, now)
            continue
        due.append(Due(nudge, sellers[row.seller_id].name, tuple(recipients)))
    return due


def record_outcomes(
    session: Session, due: Due, outcomes: Mapping[int, Outcome], *, at: dt.datetime
) -> DeliveryReport:
    """Step 2, right after a send: the outcome of each chat sent to (by chat id), and
    the nudge settled when its last chat is done (a nudge every chat blocked
    deactivates its seller)."""
    report = DeliveryReport()
    nudge = due.nudge
    for recipient in due.recipients:
        outcome = outcomes.get(recipient.chat_id)
        if outcome is None:
            continue
        if not finish_delivery(session, recipient.delivery_id, _STATUS[outcome], at=at):
            continue  # expired meanwhile: already reported as unknown
        if outcome is Outcome.RETRY:
            report.retry += 1
        elif outcome is Outcome.UNKNOWN:
            report.lost.append(
                LostTrack(nudge.alert_id, nudge.seller_id, nudge.kind, recipient.chat_id, at)
            )
    _settled(session, report, nudge.alert_id, nudge.seller_id, at)
    return report


def _settled(
    session: Session, report: DeliveryReport, alert_id: int, seller_id: int, at: dt.datetime
) -> None:
    """Settle the alert if its chats are done; a nudge every chat blocked deactivates
    its seller."""
    status = settle_alert(session, alert_id, at=at)
    report.settled(status, seller_id)
    if status is AlertStatus.BLOCKED:
        deactivate_sellers(session, [seller_id])


def stuck_sending(
    session: Session,
    *,
    now: dt.datetime,
    everything: bool = False,
    seller_ids: Collection[int] | None = None,
) -> list[LostTrack]:
    """Deliveries a dead process left `sending` become `unknown` (see the module
    docstring): all of them (of `seller_ids` when given) when no other process can be
    sending (`everything`: the bot at start on SQLite, which one process holds; a
    queued delivery of the sellers, which holds their lock), else those claimed more
    than IN_FLIGHT_LIMIT ago."""
    before = None if everything else now - IN_FLIGHT_LIMIT
    lost = expire_in_flight(session, at=now, claimed_before=before, seller_ids=seller_ids)
    for track in lost:
        log.warning(
            "alert %s (%s) to chat %s was being sent when its process stopped: unknown",
            track.alert_id,
            track.kind,
            track.chat_id,
        )
    return lost
