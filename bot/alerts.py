"""Outbox delivery over Telegram: unsent nudges to every linked chat of their sellers.

What goes out and what becomes of it is decided by the nudge service
(tools.nudges: `claim`, `Recipient.claim` and `record_outcomes`, every status
change through storage.outbox); this module renders and sends. A delivery run:

1. claims a batch (quiet hours hold, switches and missing chats skip, the rest
   get one delivery per linked chat) and renders each nudge for each chat, in one
   transaction;
2. sends, one task per seller (its nudges in order, about one a second per chat
   as Telegram asks) and many sellers at once, paced overall by the
   Application's AIORateLimiter, so one slow seller holds up no one. Each chat's
   delivery is marked `sending` (a compare-and-set, committed) just before its own
   send and its outcome is committed right after it, so a crash touches only the
   sends in flight at that moment: at most the rate limiter's burst
   (`BotOptions.burst`, 5) are between the two at once;
3. the outcome per chat: sent; blocked (Forbidden: the chat's other nudges of the
   run are not tried; a nudge every chat blocked deactivates its seller); failed
   (Telegram refused the message); back to pending when the request never left
   (no connection, a pool timeout, an error answer: the next run tries again); or
   unknown when it was cut off after it left (a read or write timeout, a dropped
   connection): Telegram may have delivered it and has no idempotency key, so it
   is not sent again; operators get the list (`report_lost`).

A second worker never sends a delivery the first claimed: the claim is a
compare-and-set on SQLite and PostgreSQL alike. Deliveries a killed process left
`sending` become unknown at the next start (reported the same way).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx
from sqlalchemy.orm import Session
from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.nudges import details_button, render_nudge
from bot.replies import details_keyboard, send_chunks
from bot.services import Services
from bot.telegram_text import html_chunks, plain_chunks
from storage.outbox import LostTrack
from tools.nudges import (
    DeliveryReport,
    Due,
    Outcome,
    Recipient,
    claim,
    record_outcomes,
    stuck_sending,
)

log = logging.getLogger(__name__)

PER_CHAT_GAP = 1.0  # seconds between two messages to one chat
# Transport errors raised before the request went out: safe to send again.
_NEVER_LEFT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True, slots=True)
class Message:
    recipient: Recipient
    html: str
    keyboard: InlineKeyboardMarkup | None

    @property
    def chat_id(self) -> int:
        return self.recipient.chat_id


@dataclass(frozen=True, slots=True)
class Outgoing:
    due: Due
    messages: tuple[Message, ...]

    @property
    def alert_id(self) -> int:
        return self.due.nudge.alert_id


def _render(services: Services, due: Due) -> Outgoing:
    """The nudge in each recipient's language, with its details button."""
    messages = []
    button = details_button(due.nudge)
    for recipient in due.recipients:
        lang = recipient.lang
        text = render_nudge(services.prompts, due.nudge, seller=due.seller_name, lang=lang)
        keyboard = details_keyboard(services, lang, button) if button is not None else None
        messages.append(Message(recipient, text, keyboard))
    return Outgoing(due, tuple(messages))


def outcome_of(error: TelegramError) -> Outcome:
    """What a failed send came to (see the module docstring)."""
    if isinstance(error, Forbidden):
        return Outcome.BLOCKED
    if isinstance(error, BadRequest):
        return Outcome.FAILED
    if isinstance(error, RetryAfter):  # flood control after the limiter's retries
        return Outcome.RETRY
    cause = error.__cause__
    if isinstance(error, NetworkError) and (
        cause is None or isinstance(cause, _NEVER_LEFT)  # None: Telegram answered an error
    ):
        return Outcome.RETRY
    return Outcome.UNKNOWN


async def _send(bot: ExtBot[None], item: Outgoing, message: Message) -> Outcome:
    try:
        await send_chunks(
            bot, message.chat_id, html_chunks(message.html), reply_markup=message.keyboard
        )
    except TelegramError as error:
        outcome = outcome_of(error)
        log.warning("alert %s to chat %s: %s (%s)", item.alert_id, message.chat_id, outcome, error)
        return outcome
    return Outcome.SENT


async def _send_seller(
    services: Services,
    bot: ExtBot[None],
    items: Sequence[Outgoing],
    in_flight: asyncio.Semaphore,
) -> DeliveryReport:
    """One seller's nudges in order, each chat claimed just before its own send and
    its outcome recorded right after it; at most `in_flight` sends (of all sellers)
    between the two at once."""
    report = DeliveryReport()
    last_sent: dict[int, float] = {}
    blocked: set[int] = set()
    loop = asyncio.get_running_loop()
    for item in items:
        for message in item.messages:
            chat_id = message.chat_id
            if chat_id not in blocked:
                wait = last_sent.get(chat_id, -PER_CHAT_GAP) + PER_CHAT_GAP - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
            async with in_flight:
                if not await services.db(_claimer(services, message.recipient)):
                    continue  # another worker has it
                if chat_id in blocked:  # blocked earlier in this run: not tried again
                    outcome = Outcome.BLOCKED
                else:
                    outcome = await _send(bot, item, message)
                    last_sent[chat_id] = loop.time()
                if outcome is Outcome.BLOCKED:
                    blocked.add(chat_id)
                done = await services.db(_recorder(services, item.due, {chat_id: outcome}))
            report.add(done)
    return report


def _claimer(services: Services, recipient: Recipient) -> Callable[[Session], bool]:
    return lambda session: recipient.claim(session, at=services.now())


def _recorder(
    services: Services, due: Due, outcomes: dict[int, Outcome]
) -> Callable[[Session], DeliveryReport]:
    return lambda session: record_outcomes(session, due, outcomes, at=services.now())


async def deliver(
    services: Services,
    bot: ExtBot[None],
    *,
    now: dt.datetime | None = None,
    seller_ids: Sequence[int] | None = None,
) -> DeliveryReport:
    """Send every unsent nudge that may go out now (see the module docstring); sends
    whose fate is unknown are reported to operators.

    `seller_ids`: only theirs, by a caller that holds their delivery lock (a queued
    delivery, bot.jobs: no other process sends their nudges now), so their
    deliveries left `sending` are a dead worker's and become unknown at once."""
    now = now or services.now()
    report = DeliveryReport()
    if seller_ids is not None:
        report.lost += await services.db(
            lambda session: stuck_sending(session, now=now, everything=True, seller_ids=seller_ids)
        )
    # the hourly job and the delivery job never overlap; queued deliveries of different
    # sellers run side by side (each holds its seller's lock)
    async with services.delivery if seller_ids is None else contextlib.nullcontext():
        while True:
            done = await _deliver_batch(services, bot, now, report, seller_ids)
            if done is None:
                break
            report.add(done)
            if done.retry:
                break  # network trouble: the next run tries again
    await report_lost(services, bot, report.lost)
    return report


async def _deliver_batch(
    services: Services,
    bot: ExtBot[None],
    now: dt.datetime,
    report: DeliveryReport,
    seller_ids: Sequence[int] | None,
) -> DeliveryReport | None:
    """Claim, send and record one batch; None when nothing was left to send."""

    def claim_batch(session: Session) -> list[Outgoing]:
        due = claim(session, now=now, hours=services.options, report=report, seller_ids=seller_ids)
        return [_render(services, item) for item in due]

    outgoing = await services.db(claim_batch)
    if not outgoing:
        return None
    by_seller: dict[int, list[Outgoing]] = defaultdict(list)
    for item in outgoing:
        by_seller[item.due.nudge.seller_id].append(item)
    limit = asyncio.Semaphore(services.options.send_concurrency)
    in_flight = asyncio.Semaphore(services.options.burst)  # what a crash can touch

    async def one(items: list[Outgoing]) -> DeliveryReport:
        async with limit:
            return await _send_seller(services, bot, items, in_flight)

    done = DeliveryReport()
    for result in await asyncio.gather(*(one(items) for items in by_seller.values())):
        done.add(result)
    return done


async def report_lost(services: Services, bot: ExtBot[None], lost: Sequence[LostTrack]) -> None:
    """Tell operators which nudges may not have arrived (OPERATOR_CHAT_IDS; the log
    has them either way)."""
    if not lost:
        return
    items = [
        {"alert_id": track.alert_id, "kind": track.kind, "chat_id": track.chat_id} for track in lost
    ]
    for chat_id in services.settings.operator_chat_ids:
        text = services.text("delivery_unknown", "en", count=len(items), items=items)
        try:
            await send_chunks(bot, chat_id, plain_chunks(text))
        except TelegramError as error:
            log.error("operator chat %s: the unknown-delivery report failed: %s", chat_id, error)
