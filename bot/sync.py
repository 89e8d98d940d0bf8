"""Scheduled store sync in the bot: every connected account (and the new questions of
Naver accounts, for the inquiry loop), then one message to operators per source that
has failed for over an hour.

`sync_sources` runs `storage.connectors.sync_all` in a worker thread (one run at
a time: `Services.syncing`), so a long backfill never blocks the chats. The
JobQueue runs it every SYNC_EVERY_MINUTES and right before each hourly scan, so
the detectors read data at most one sync old (bot.scheduler). Stale sources are
claimed (marked reported) before the message goes out: operators get one
message per failure run, never one per sync.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Sequence

from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.replies import send_chunks
from bot.services import Services
from bot.telegram_text import plain_chunks
from storage.connectors import Source, SyncReport, sync_all
from storage.connectors.accounts import AccountRef, StaleSource, claim_stale
from storage.connectors.naver_commerce.inquiries import read_all_new
from storage.connectors.registry import builder
from storage.connectors.sync import Builder

log = logging.getLogger(__name__)


async def sync_sources(
    services: Services, bot: ExtBot[None], *, now: dt.datetime, seller_id: int | None = None
) -> list[SyncReport]:
    """Sync every connected account (of one seller when given: a queued sync, bot.jobs),
    then report newly stale sources to operators."""
    # one sync of everyone at a time; a queued sync of one seller holds that seller's lock
    build = builder(services.settings)
    if seller_id is not None:  # its sync's source reads its questions too
        build = _built_once(build)
    async with services.syncing if seller_id is None else contextlib.nullcontext():
        reports = await asyncio.to_thread(
            sync_all, services.sessions, build, now=now, seller_id=seller_id
        )
        # new Naver product Q&A and customer inquiries, for the inquiry loop to draft
        await asyncio.to_thread(
            read_all_new,
            services.sessions,
            services.settings,
            now=now,
            seller_id=seller_id,
            build=build,
        )
    stale = await services.db(lambda session: claim_stale(session, now=now))
    await report_stale(services, bot, stale)
    return reports


def _built_once(build: Builder) -> Builder:
    """`build`, each account's source built once: one seller's sync and question read
    share its client (its token, its connection) instead of decrypting the credentials
    and opening a connection twice. Only for one seller's accounts: every seller's
    sources at once would keep thousands of connections open."""
    built: dict[int, Source] = {}

    def once(ref: AccountRef) -> Source:
        if ref.id not in built:
            built[ref.id] = build(ref)
        return built[ref.id]

    return once


async def report_stale(services: Services, bot: ExtBot[None], stale: Sequence[StaleSource]) -> None:
    """One message to each operator chat listing the sources that became stale."""
    if not stale:
        return
    items = [
        {
            "seller": item.seller_slug,
            "source": item.source,
            "since": f"{item.failing_since:%Y-%m-%d %H:%M}",
            "last_success": (
                f"{item.last_success_at:%Y-%m-%d %H:%M}" if item.last_success_at else None
            ),
            "error": f"{item.error_key}: {item.error}" if item.error_key else None,
        }
        for item in stale
    ]
    log.warning("%d store source(s) failing for over an hour: %s", len(items), items)
    text = services.text("sync_stale", "en", items=items)
    for chat_id in services.settings.operator_chat_ids:
        try:
            await send_chunks(bot, chat_id, plain_chunks(text))
        except TelegramError as error:
            log.error("operator chat %s: the stale-sync report failed: %s", chat_id, error)
