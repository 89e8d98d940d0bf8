"""Outbox delivery over Telegram: unsent nudges to their sellers' chats, once.

What goes out and what becomes of it is decided by the nudge service
(tools.nudges: `claim` and `record_outcomes`, every status change through
storage.outbox); this module renders and sends. A delivery run:

1. claims a batch (quiet hours hold, switches and missing chats skip, the rest
   are marked `sending`) and renders each nudge for each chat, in one
   transaction committed before anything goes out;
2. sends, one task per seller (its nudges in order, about one a second per chat
   as Telegram asks) and many sellers at once, paced overall by the
   Application's AIORateLimiter, so one slow seller holds up no one;
3. records each outcome: sent, blocked (Forbidden: the seller is marked
   inactive and skipped from then on), failed (Telegram refused the message) or
   back to pending (network trouble: next run).

A restart between recording and sending leaves the row pending: sent once on
the next run. A crash while a row is `sending` leaves it there (never sent
twice; `advisor bot` logs how many it finds at start).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import Session
from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ExtBot

from bot.nudges import details_button, render_nudge
from bot.replies import details_keyboard, send_chunks
from bot.services import Services
from bot.telegram_text import html_chunks
from tools.nudges import DeliveryReport, Due, Outcome, claim, record_outcomes

log = logging.getLogger(__name__)

PER_CHAT_GAP = 1.0  # seconds between two messages to one chat


@dataclass(frozen=True, slots=True)
class Message:
    chat_id: int
    html: str
    keyboard: InlineKeyboardMarkup | None


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
        messages.append(Message(recipient.chat_id, text, keyboard))
    return Outgoing(due, tuple(messages))


async def _send_seller(bot: ExtBot[None], items: list[Outgoing]) -> dict[int, Outcome]:
    """One seller's nudges in order; the outcome per alert id."""
    outcomes: dict[int, Outcome] = {}
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
                results.append(Outcome.SENT)
            except Forbidden as error:
                log.warning("chat %s blocked the bot: %s", message.chat_id, error)
                results.append(Outcome.BLOCKED)
            except BadRequest as error:
                log.error("alert %s to chat %s refused: %s", item.alert_id, message.chat_id, error)
                results.append(Outcome.FAILED)
            except TelegramError as error:
                log.warning(
                    "alert %s to chat %s: %s; retrying later", item.alert_id, message.chat_id, error
                )
                results.append(Outcome.RETRY)
            last_sent[message.chat_id] = loop.time()
        if Outcome.SENT in results:
            outcomes[item.alert_id] = Outcome.SENT
        elif Outcome.RETRY in results:
            outcomes[item.alert_id] = Outcome.RETRY
        elif results and all(result is Outcome.BLOCKED for result in results):
            outcomes[item.alert_id] = Outcome.BLOCKED
        else:
            outcomes[item.alert_id] = Outcome.FAILED
        if outcomes[item.alert_id] is Outcome.BLOCKED:  # the rest of this seller's nudges too
            for rest in items[items.index(item) + 1 :]:
                outcomes[rest.alert_id] = Outcome.BLOCKED
            break
    return outcomes


async def deliver(
    services: Services, bot: ExtBot[None], *, now: dt.datetime | None = None
) -> DeliveryReport:
    """Send every unsent nudge that may go out now (see the module docstring)."""
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
        due = claim(session, now=now, hours=services.options, report=report)
        return [_render(services, item) for item in due]

    outgoing = await services.db(claim_batch)
    if not outgoing:
        return None
    by_seller: dict[int, list[Outgoing]] = defaultdict(list)
    for item in outgoing:
        by_seller[item.due.nudge.seller_id].append(item)
    limit = asyncio.Semaphore(services.options.send_concurrency)

    async def one(items: list[Outgoing]) -> dict[int, Outcome]:
        async with limit:
            return await _send_seller(bot, items)

    outcomes: dict[int, Outcome] = {}
    for result in await asyncio.gather(*(one(items) for items in by_seller.values())):
        outcomes.update(result)
    sent_at = services.now()
    due = [item.due for item in outgoing]
    return await services.db(lambda s: record_outcomes(s, due, outcomes, at=sent_at))
