"""Outbox delivery: unsent alerts to their sellers' chats, once.

A delivery run, for the sellers with unsent alerts:

1. sellers inside their quiet hours (default 22:00-08:00 local): their pending
   alerts become `held` and wait;
2. the others' pending and held alerts are claimed (`claim_pending`: FOR UPDATE
   SKIP LOCKED on PostgreSQL, so two workers never take the same row); each is
   `skipped` (seller inactive, alerts or digest switched off, no chat) or marked
   `sending` and committed before anything goes out;
3. the messages go out, one task per seller (its alerts in order, about one a
   second per chat as Telegram asks) and many sellers at once, paced overall by
   the Application's AIORateLimiter, so one slow seller holds up no one;
4. each result is written back: `sent` (with sent_at), `blocked` (Forbidden: the
   seller is marked inactive and skipped from then on), `failed` (Telegram
   refused the message) or back to `pending` (network trouble: next run).

A restart between recording and sending leaves the row pending: sent once on
the next run. A crash while a row is `sending` leaves it there (never sent
twice; `advisor bot` logs how many it finds at start).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ExtBot

from bot.nudges import details_button, render_nudge
from bot.render import html_chunks
from bot.replies import details_keyboard, send_chunks
from bot.services import BotOptions, Services
from storage.models import Alert, ChatLink, Seller
from storage.outbox import claim_pending, mark_sent, mark_status
from tools.prompts import normalize_lang

log = logging.getLogger(__name__)

PER_CHAT_GAP = 1.0  # seconds between two messages to one chat
BATCH = 500


def in_quiet_hours(now: dt.datetime, timezone: str, options: BotOptions) -> bool:
    hour = now.astimezone(ZoneInfo(timezone)).hour
    start, end = options.quiet_start, options.quiet_end
    if start == end:
        return False
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end


@dataclass(frozen=True, slots=True)
class Message:
    chat_id: int
    html: str
    keyboard: InlineKeyboardMarkup | None


@dataclass(frozen=True, slots=True)
class Outgoing:
    alert_id: int
    seller_id: int
    messages: tuple[Message, ...]


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


def _waiting_sellers(session: Session) -> dict[int, str]:
    rows = session.execute(
        select(Seller.id, Seller.timezone)
        .join(Alert, Alert.seller_id == Seller.id)
        .where(Alert.status.in_(("pending", "held")))
        .distinct()
    )
    return {seller_id: zone for seller_id, zone in rows}


def _skip_reason(alert: Alert, seller: Seller | None, chats: list[ChatLink]) -> str | None:
    if seller is None or not seller.active:
        return "inactive"
    if not chats:
        return "no chat"
    if alert.kind == "digest":
        return None if seller.digest_enabled else "digest off"
    return None if seller.alerts_enabled else "alerts off"


def claim(
    session: Session, services: Services, *, now: dt.datetime, report: DeliveryReport
) -> list[Outgoing]:
    """Steps 1 and 2 in one transaction: hold, skip, and mark the rest `sending`."""
    waiting = _waiting_sellers(session)
    quiet = [sid for sid, zone in waiting.items() if in_quiet_hours(now, zone, services.options)]
    awake = [sid for sid in waiting if sid not in set(quiet)]
    if quiet:
        held = session.execute(
            update(Alert)
            .where(Alert.seller_id.in_(quiet), Alert.status == "pending")
            .values(status="held")
        )
        report.held += held.rowcount  # type: ignore[attr-defined]
    if not awake:
        return []
    outgoing: list[Outgoing] = []
    while not outgoing:  # rows that are all skipped: claim the next ones
        alerts = claim_pending(session, limit=BATCH, seller_ids=awake)
        if not alerts:
            break
        outgoing = _prepare(session, services, alerts, report)
    return outgoing


def _prepare(
    session: Session, services: Services, alerts: list[Alert], report: DeliveryReport
) -> list[Outgoing]:
    seller_ids = sorted({alert.seller_id for alert in alerts})
    sellers = {s.id: s for s in session.scalars(select(Seller).where(Seller.id.in_(seller_ids)))}
    chats: dict[int, list[ChatLink]] = defaultdict(list)
    for link in session.scalars(
        select(ChatLink).where(ChatLink.seller_id.in_(seller_ids)).order_by(ChatLink.chat_id)
    ):
        chats[link.seller_id].append(link)
    outgoing = []
    for alert in alerts:
        seller = sellers.get(alert.seller_id)
        reason = _skip_reason(alert, seller, chats[alert.seller_id])
        if reason is not None:
            log.info("alert %s (%s) skipped: %s", alert.id, alert.dedupe_key, reason)
            mark_status(session, alert.id, "skipped")
            report.skipped += 1
            continue
        assert seller is not None
        messages = []
        for link in chats[alert.seller_id]:
            lang = normalize_lang(link.language or "ko")
            text = render_nudge(
                services.prompts, alert.kind, dict(alert.evidence), seller=seller.name, lang=lang
            )
            button = details_button(alert.kind, dict(alert.evidence))
            keyboard = details_keyboard(services, lang, button) if button is not None else None
            messages.append(Message(link.chat_id, text, keyboard))
        mark_status(session, alert.id, "sending")
        outgoing.append(Outgoing(alert.id, alert.seller_id, tuple(messages)))
    return outgoing


async def _send_seller(bot: ExtBot[None], items: list[Outgoing]) -> dict[int, str]:
    """One seller's alerts in order; the outcome per alert id."""
    outcomes: dict[int, str] = {}
    last_sent: dict[int, float] = {}
    loop = asyncio.get_running_loop()
    for item in items:
        results = []
        for message in item.messages:
            wait = last_sent.get(message.chat_id, -PER_CHAT_GAP) + PER_CHAT_GAP - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                await send_chunks(
                    bot, message.chat_id, html_chunks(message.html), reply_markup=message.keyboard
                )
                results.append("sent")
            except Forbidden as error:
                log.warning("chat %s blocked the bot: %s", message.chat_id, error)
                results.append("blocked")
            except BadRequest as error:
                log.error("alert %s to chat %s refused: %s", item.alert_id, message.chat_id, error)
                results.append("failed")
            except TelegramError as error:
                log.warning(
                    "alert %s to chat %s: %s; retrying later", item.alert_id, message.chat_id, error
                )
                results.append("retry")
            last_sent[message.chat_id] = loop.time()
        if "sent" in results:
            outcomes[item.alert_id] = "sent"
        elif "retry" in results:
            outcomes[item.alert_id] = "retry"
        elif results and all(result == "blocked" for result in results):
            outcomes[item.alert_id] = "blocked"
        else:
            outcomes[item.alert_id] = "failed"
        if outcomes[item.alert_id] == "blocked":  # the rest of this seller's alerts too
            for rest in items[items.index(item) + 1 :]:
                outcomes[rest.alert_id] = "blocked"
            break
    return outcomes


def record_outcomes(
    session: Session, outgoing: list[Outgoing], outcomes: dict[int, str], *, at: dt.datetime
) -> DeliveryReport:
    report = DeliveryReport()
    blocked: set[int] = set()
    for item in outgoing:
        outcome = outcomes.get(item.alert_id, "retry")
        if outcome == "sent":
            mark_sent(session, item.alert_id, at=at)
            report.sent += 1
        elif outcome == "blocked":
            mark_status(session, item.alert_id, "blocked")
            blocked.add(item.seller_id)
            report.blocked += 1
        elif outcome == "failed":
            mark_status(session, item.alert_id, "failed")
            report.failed += 1
        else:
            mark_status(session, item.alert_id, "pending")
            report.retry += 1
    if blocked:
        session.execute(update(Seller).where(Seller.id.in_(blocked)).values(active=False))
        report.blocked_sellers = sorted(blocked)
    return report


async def deliver(
    services: Services, bot: ExtBot[None], *, now: dt.datetime | None = None
) -> DeliveryReport:
    """Send every unsent alert that may go out now (see the module docstring)."""
    now = now or services.now()
    report = DeliveryReport()
    async with services.delivery:  # the hourly job and the delivery job never overlap
        while True:
            done = await _deliver_batch(services, bot, now, report)
            if done is None:
                return report
            report.add(done)
            if done.retry:
                return report  # network trouble: the next run tries again


async def _deliver_batch(
    services: Services, bot: ExtBot[None], now: dt.datetime, report: DeliveryReport
) -> DeliveryReport | None:
    """Claim, send and record one batch; None when nothing was left to send."""

    def claim_batch(session: Session) -> list[Outgoing]:
        return claim(session, services, now=now, report=report)

    outgoing = await services.db(claim_batch)
    if not outgoing:
        return None
    by_seller: dict[int, list[Outgoing]] = defaultdict(list)
    for item in outgoing:
        by_seller[item.seller_id].append(item)
    limit = asyncio.Semaphore(services.options.send_concurrency)

    async def one(items: list[Outgoing]) -> dict[int, str]:
        async with limit:
            return await _send_seller(bot, items)

    outcomes: dict[int, str] = {}
    for result in await asyncio.gather(*(one(items) for items in by_seller.values())):
        outcomes.update(result)
    sent_at = services.now()
    return await services.db(lambda s: record_outcomes(s, outgoing, outcomes, at=sent_at))


def stuck_sending(session: Session) -> int:
    """Alerts left `sending` by a crash (unknown whether they arrived; not resent)."""
    return (
        session.scalar(select(func.count()).select_from(Alert).where(Alert.status == "sending"))
        or 0
    )
