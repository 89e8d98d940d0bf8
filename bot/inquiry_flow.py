"""The inquiry loop in Telegram: drafts to the seller as cards, answers out, outcomes back.

`run_loop` (after a Business message, after an approval, and on the delivery job):

1. drafts every new inquiry (tools.inquiries.loop.draft_waiting, in a worker thread);
2. sends cards: for each seller with drafts, unless their inquiry switch is off or it
   is their quiet hours (the drafts wait), at most `OPEN_CARDS` cards wait for a
   button at once; more waiting become one note ("N more"), not a flood, and are
   sent as the seller handles the ones shown;
3. posts the approved answers (tools.inquiries.loop.post_answers) and tells the
   chat that approved each what happened: 보냈어요 with the text, or why not (a post
   to retry later is said once, at its first try, not at every pass).

Each step takes `seller_ids` (the queue runs one job per seller: bot.jobs.tasks; the
embedded bot runs every seller with inquiry work; a button runs its seller's). One
run per seller at a time: in a process (`_LOCKS`) and, on PostgreSQL, across the bot
and the workers (an advisory lock per seller, `LOCK_SPACE`), so a card goes out once,
and one seller's slow Naver never holds up another's cards.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.business_source import SOURCE as BUSINESS
from bot.business_source import BusinessSource
from bot.naver_inquiry_source import naver_sources
from bot.replies import send_chunks
from bot.services import Services
from bot.telegram_text import plain_chunks
from storage import inquiry_outbox as outbox
from storage.models import ChatLink, Inquiry, InquiryAnswer, Order, Product, Seller
from tools.inquiries.loop import (
    PostReport,
    auto_answer,
    draft_waiting,
    post_answers,
    recover_posting,
)
from tools.inquiries.sources import InquirySource
from tools.retrieval.service import Retrieval

log = logging.getLogger(__name__)

OPEN_CARDS = 3  # cards waiting for a button per seller at once
PREFIX = "q1"  # callback_data of the inquiry buttons: q1|<action>|<inquiry id>
_LOCKS: dict[tuple[int, int], asyncio.Lock] = {}  # (id of the Services, seller id)
LOCK_SPACE = 16_004  # pg_try_advisory_lock(LOCK_SPACE, seller id): the seller's loop runs
_TRY_LOCK = text("SELECT pg_try_advisory_lock(:space, :seller)")
_UNLOCK = text("SELECT pg_advisory_unlock(:space, :seller)")


def retrieval_of(services: Services) -> Retrieval:
    """The advisor's retrieval (one index per process)."""
    return services.advisor.retrieval.get()


def sources_for(services: Services, bot: ExtBot[None]) -> dict[str, InquirySource]:
    """Every place answers are posted to: Telegram Business chats, the Naver Commerce
    product Q&A and customer inquiries (bot.naver_inquiry_source)."""
    sources: dict[str, InquirySource] = {BUSINESS: BusinessSource(services, bot)}
    sources.update(naver_sources(services.sessions, services.settings))
    return sources


def keyboard(services: Services, lang: str, inquiry_id: int) -> InlineKeyboardMarkup:
    def button(key: str, action: str) -> InlineKeyboardButton:
        label = services.text(f"inquiry.buttons.{key}", lang)
        return InlineKeyboardButton(label, callback_data=f"{PREFIX}|{action}|{inquiry_id}")

    return InlineKeyboardMarkup([[button("send", "s"), button("edit", "e")], [button("skip", "k")]])


@dataclass(frozen=True, slots=True)
class Card:
    inquiry_id: int
    params: dict[str, Any]


def card_params(session: Session, inquiry: Inquiry) -> dict[str, Any]:
    """What a card shows (plain text; escaped when sent)."""
    product = session.get(Product, inquiry.product_id) if inquiry.product_id else None
    order = session.get(Order, inquiry.order_id) if inquiry.order_id else None
    meta = inquiry.draft_meta or {}
    warning = ""
    if inquiry.source == BUSINESS:
        found = outbox.connection(
            session, str((inquiry.reply_to or {}).get("business_connection_id"))
        )
        if found is None or not found.is_enabled:
            warning = "disconnected"
        elif not found.can_reply:
            warning = "no_rights"
    return {
        "source": inquiry.source,
        "customer": inquiry.customer or "",
        "question": inquiry.question,
        "product": product.name if product else "",
        "order": order.external_id if order else "",
        "order_status": order.status if order else "",
        "draft": inquiry.draft or "",
        "checks": list(meta.get("checks", [])),
        "unknown": not meta.get("knows", True),
        "warning": warning,
    }


def card_text(services: Services, lang: str, params: dict[str, Any]) -> str:
    warning = params.get("warning") or ""
    shown = dict(params)
    shown["source"] = services.text(f"inquiry.sources.{params['source']}", lang)
    shown["warning"] = services.text(f"inquiry.connection.{warning}", lang) if warning else ""
    return services.text("inquiry.card", lang, **shown)


def _linked(session: Session, seller_id: int) -> list[tuple[int, str | None]]:
    return [
        (int(row.chat_id), row.language)
        for row in session.execute(
            select(ChatLink.chat_id, ChatLink.language)
            .where(ChatLink.seller_id == seller_id)
            .order_by(ChatLink.id)
        )
    ]


def _quiet(services: Services, zone: ZoneInfo, now: dt.datetime) -> bool:
    hour = now.astimezone(zone).hour
    start, end = services.options.quiet_start, services.options.quiet_end
    return start <= hour or hour < end if start > end else start <= hour < end


@dataclass(frozen=True, slots=True)
class SellerCards:
    seller_id: int
    chats: list[tuple[int, str]]
    cards: list[Card]
    waiting: int  # drafted but not shown this run


def _due_cards(
    services: Services, session: Session, now: dt.datetime, seller_ids: Collection[int] | None
) -> list[SellerCards]:
    due = []
    for seller_id in outbox.sellers_with_drafts(session, seller_ids):
        seller = session.get(Seller, seller_id)
        enabled, _ = outbox.inquiry_settings(session, seller_id)
        if seller is None or not enabled or not seller.active:
            continue
        if _quiet(services, seller.zone, now):
            continue
        chats = [(chat, lang or "ko") for chat, lang in _linked(session, seller_id)]
        if not chats:
            continue
        drafts = outbox.drafted(session, seller_id)
        room = max(OPEN_CARDS - outbox.open_cards(session, seller_id), 0)
        shown = drafts[:room]
        cards = [Card(inquiry.id, card_params(session, inquiry)) for inquiry in shown]
        due.append(SellerCards(seller_id, chats, cards, len(drafts) - len(shown)))
    return due


async def send_cards(
    services: Services,
    bot: ExtBot[None],
    *,
    now: dt.datetime,
    seller_ids: Collection[int] | None = None,
) -> int:
    """Cards for the drafts (of `seller_ids`) that may go out now; how many inquiries
    were shown."""
    shown = 0
    for seller in await services.db(lambda s: _due_cards(services, s, now, seller_ids)):
        for card in seller.cards:
            sent: list[tuple[int, int]] = []
            for chat_id, lang in seller.chats:
                text = card_text(services, lang, card.params)
                try:
                    messages = await send_chunks(
                        bot,
                        chat_id,
                        plain_chunks(text),
                        reply_markup=keyboard(services, lang, card.inquiry_id),
                    )
                except TelegramError as error:
                    log.warning("inquiry %s to chat %s: %s", card.inquiry_id, chat_id, error)
                    continue
                sent.append((chat_id, messages[-1].message_id))
            if sent:
                await services.db(_notified(card.inquiry_id, sent, now))
                shown += 1
        if seller.cards and seller.waiting:
            for chat_id, lang in seller.chats:
                note = services.text("inquiry.more_waiting", lang, count=seller.waiting)
                await _say(bot, chat_id, note)
    return shown


def _notified(
    inquiry_id: int, sent: list[tuple[int, int]], now: dt.datetime
) -> Callable[[Session], bool]:
    return lambda session: outbox.mark_notified(session, inquiry_id, sent, at=now)


def _chats_of(seller_id: int) -> Callable[[Session], list[tuple[int, str | None]]]:
    return lambda session: _linked(session, seller_id)


async def _say(
    bot: ExtBot[None], chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    try:
        await send_chunks(bot, chat_id, plain_chunks(text), reply_markup=markup)
    except TelegramError as error:
        log.warning("chat %s: %s", chat_id, error)


async def tell(services: Services, bot: ExtBot[None], reports: Sequence[PostReport]) -> None:
    """Each outcome to the chat that approved it (else every chat of the seller)."""
    for report in reports:
        if report.outcome == "busy":
            continue
        if report.outcome == "retry" and report.attempts > 1:
            continue  # told at the first try; the next word is the outcome
        chats = await services.db(_chats_of(report.seller_id))
        targets = [(c, lang or "ko") for c, lang in chats if c == report.approved_by] or [
            (c, lang or "ko") for c, lang in chats
        ]
        if report.auto and report.outcome != "posted":
            continue  # not answered after all: its card comes instead
        for chat_id, lang in targets:
            markup = None
            if report.auto:
                text = services.text(
                    "inquiry.outcome.auto", lang, question=report.question, text=report.text
                )
            elif report.outcome == "failed":
                reason = services.text(f"inquiry.failed.{report.reason or 'refused'}", lang)
                text = services.text("inquiry.outcome.failed", lang, reason=reason)
                markup = keyboard(services, lang, report.inquiry_id)
            else:
                text = services.text(f"inquiry.outcome.{report.outcome}", lang, text=report.text)
            await _say(bot, chat_id, text, markup)


@asynccontextmanager
async def _advisory(services: Services, seller_ids: list[int]) -> AsyncIterator[list[int]]:
    """On PostgreSQL, the sellers of `seller_ids` whose advisory lock this run took
    (not waiting: a seller another process runs the loop for now is left to it), held
    on a connection of their own until the block ends (or its process dies); on SQLite
    (one process) all of them."""
    bind = services.sessions.kw.get("bind")
    if not isinstance(bind, Engine) or bind.dialect.name != "postgresql":
        yield seller_ids
        return
    connection = await asyncio.to_thread(bind.connect)
    try:

        def take() -> list[int]:
            held = [
                seller_id
                for seller_id in seller_ids
                if connection.scalar(_TRY_LOCK, {"space": LOCK_SPACE, "seller": seller_id})
            ]
            connection.commit()
            return held

        held = await asyncio.to_thread(take)
        try:
            yield held
        finally:

            def release() -> None:
                for seller_id in held:
                    connection.execute(_UNLOCK, {"space": LOCK_SPACE, "seller": seller_id})
                connection.commit()

            await asyncio.to_thread(release)
    finally:
        await asyncio.to_thread(connection.close)


@asynccontextmanager
async def _holding(services: Services, seller_ids: Collection[int]) -> AsyncIterator[list[int]]:
    """The sellers this run may work for: each seller's lock in this process, taken in
    id order (two runs never wait on each other in a circle), then across processes
    (`_advisory`). One run per seller at a time, so a card goes out once and a post
    left `posting` is a dead run's, while other sellers' runs (the queue's jobs in
    one worker, the bot's buttons) go on beside it."""
    sellers = sorted(set(seller_ids))
    async with AsyncExitStack() as stack:
        for seller_id in sellers:
            lock = _LOCKS.setdefault((id(services), seller_id), asyncio.Lock())
            await stack.enter_async_context(lock)
        yield await stack.enter_async_context(_advisory(services, sellers))


async def run_loop(
    services: Services,
    bot: ExtBot[None],
    *,
    now: dt.datetime | None = None,
    seller_ids: Collection[int] | None = None,
    recover_before: dt.datetime | None = None,
) -> list[PostReport]:
    """Draft, show, post (see the module docstring) for `seller_ids` (one seller: the
    queue's job, bot.jobs.tasks, which also recovers its posts claimed before
    `recover_before`; None: every seller with inquiry work, the embedded bot); the
    posting outcomes. A seller whose loop another process runs now is skipped."""
    now = now or services.now()
    wanted = (
        sorted(seller_ids)
        if seller_ids is not None
        else await services.db(lambda s: outbox.sellers_with_work(s))
    )
    if not wanted:
        return []
    async with _holding(services, wanted) as sellers:
        if not sellers:
            log.info("inquiry loop of sellers %s running elsewhere: skipped", wanted)
            return []
        if recover_before is not None:
            await recover(services, bot, claimed_before=recover_before, seller_ids=sellers)
        waiting = await services.db(
            lambda s: bool(outbox.waiting_for_draft(s, limit=1, seller_ids=sellers))
        )
        if waiting:
            retrieval = await asyncio.to_thread(retrieval_of, services)
            drafted = await asyncio.to_thread(
                draft_waiting, services.sessions, retrieval, now=now, seller_ids=sellers
            )
            await asyncio.to_thread(auto_answer, services.sessions, drafted, now=now)
        await send_cards(services, bot, now=now, seller_ids=sellers)
        reports = await post_answers(
            services.sessions, sources_for(services, bot), now=now, seller_ids=sellers
        )
    await tell(services, bot, reports)
    return reports


async def recover(
    services: Services,
    bot: ExtBot[None],
    *,
    claimed_before: dt.datetime | None = None,
    seller_ids: Collection[int] | None = None,
) -> list[int]:
    """At start (or in each queued loop, for posts claimed before `claimed_before`, of
    its seller): answers a killed process left mid-post (see tools.inquiries.loop); the
    seller hears of those that may or may not have arrived."""
    sources = sources_for(services, bot)
    unknown = await asyncio.to_thread(
        recover_posting,
        services.sessions,
        sources,
        claimed_before=claimed_before,
        seller_ids=seller_ids,
    )

    def reports(session: Session) -> list[PostReport]:
        found = []
        for answer_id in unknown:
            answer = session.get(InquiryAnswer, answer_id)
            if answer is not None:
                found.append(
                    PostReport(
                        answer_id=answer_id,
                        inquiry_id=answer.inquiry_id,
                        seller_id=answer.seller_id,
                        outcome="unknown",
                        text=answer.text,
                        approved_by=answer.approved_by,
                    )
                )
        return found

    await tell(services, bot, await services.db(reports))
    return unknown
