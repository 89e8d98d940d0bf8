"""Proactive nudges: the JobQueue's jobs, callable directly with an injected `now`.

Every hour (at HH:01) `scan` asks the nudge service (tools.nudges) what a scan
at `now` finds for every linked, active seller, and records it in the outbox:

- today's sales so far (the intraday check), for sellers with alerts on;
- once a day, at the first scan at or after 09:00 seller time (and before quiet
  hours start): yesterday's whole-day sales check, yesterday's ads, and the
  morning digest for that seller.

Before each hourly scan, and every SYNC_EVERY_MINUTES (default 10; 0 leaves it
to `advisor sync --watch`), `sync_sources` (bot.sync) brings every connected
store account up to date, so the detectors read live data.

Findings are recorded with their dedupe keys (a finding seen again records
nothing); `deliver` (bot.alerts) then sends what may go out. The digest row
doubles as the marker that a seller's morning scan ran, so a restart at 10:30
still runs it once, and never twice. Jobs are not persisted across restarts: the
outbox is the memory, and a delivery job every minute sends what is pending.

At start (`recover`), deliveries a killed process left `sending` become unknown
and are reported to operators (bot.alerts): on SQLite all of them (`advisor bot`
holds the database's lock file, so no other process is sending), on PostgreSQL
those claimed over `IN_FLIGHT_LIMIT` ago (other workers may be sending now).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session
from telegram.ext import Application, ExtBot

from bot import customer_fit, inquiry_flow
from bot.alerts import deliver, report_lost
from bot.context import BotContext
from bot.services import Services
from bot.sync import sync_sources
from storage.outbox import LostTrack
from tools.nudges import DeliveryReport, Findings, ScanReport, detect, record, stuck_sending

log = logging.getLogger(__name__)

__all__ = [
    "ScanReport",
    "delivery_job",
    "hourly_job",
    "recover",
    "scan",
    "scan_and_deliver",
    "start",
    "sync_job",
]


async def scan(
    services: Services, *, now: dt.datetime, seller_ids: Sequence[int] | None = None
) -> ScanReport:
    """The detectors off the event loop, reading; then one short write transaction, so
    a scan of many sellers never holds the database's write lock for long. Findings
    are recorded before anything is sent. Every linked seller, or those of
    `seller_ids` (a queued scan: bot.jobs)."""
    options = services.options

    def read() -> Findings:
        with services.sessions() as session:
            return detect(session, now=now, hours=options, seller_ids=seller_ids)

    findings = await asyncio.to_thread(read)
    return await services.db(lambda session: record(session, findings))


async def scan_and_deliver(
    services: Services, bot: ExtBot[None], *, now: dt.datetime
) -> tuple[ScanReport, DeliveryReport]:
    """What the hourly job does; tests call it with their own `now`."""
    found = await scan(services, now=now)
    sent = await deliver(services, bot, now=now)
    log.info("scan at %s: %s; delivery: %s", now.isoformat(), found, sent)
    return found, sent


async def hourly_job(context: BotContext) -> None:
    services = context.services
    if services.settings.sync_every_minutes > 0:  # the detectors read freshly synced data
        await sync_sources(services, context.bot, now=services.now())
    await scan_and_deliver(services, context.bot, now=services.now())


async def sync_job(context: BotContext) -> None:
    """Every SYNC_EVERY_MINUTES; skipped while a sync (a long backfill) is still running."""
    services = context.services
    if not services.syncing.locked():
        await sync_sources(services, context.bot, now=services.now())


async def delivery_job(context: BotContext) -> None:
    services = context.services
    await deliver(services, context.bot, now=services.now())
    await inquiry_flow.run_loop(services, context.bot)  # held drafts, answers to post


def _next_run(now: dt.datetime, minute: int) -> dt.datetime:
    at = now.replace(minute=minute, second=0, microsecond=0)
    return at if at > now else at + dt.timedelta(hours=1)


def start(application: Application[Any, Any, Any, Any, Any, Any], services: Services) -> None:
    """Schedule the jobs: hourly scans at HH:MM, a catch-up scan shortly after start,
    and delivery every `deliver_every` seconds."""
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("install python-telegram-bot[job-queue] for the alert scheduler")
    options = services.options
    queue.run_repeating(
        hourly_job,
        interval=dt.timedelta(hours=1),
        first=_next_run(dt.datetime.now(dt.UTC), options.scan_minute),  # the JobQueue's clock
        name="hourly-scan",
    )
    queue.run_once(hourly_job, when=dt.timedelta(seconds=20), name="startup-scan")
    every = services.settings.sync_every_minutes
    if every > 0:  # 0: `advisor sync --watch` syncs in its own process
        queue.run_repeating(
            sync_job,
            interval=dt.timedelta(minutes=every),
            first=dt.timedelta(minutes=every),  # the startup scan syncs first
            name="sync-sources",
        )
    customer_fit.schedule(application)  # customer fits current before sellers ask
    queue.run_repeating(
        delivery_job,
        interval=dt.timedelta(seconds=options.deliver_every),
        first=dt.timedelta(seconds=1),
        name="deliver-alerts",
    )


async def recover(services: Services, bot: ExtBot[None]) -> list[LostTrack]:
    """Deliveries a killed process left `sending` become unknown, reported to
    operators (see the module docstring); what was found."""

    def expire(session: Session) -> list[LostTrack]:
        alone = session.get_bind().dialect.name == "sqlite"
        return stuck_sending(session, now=services.now(), everything=alone)

    await inquiry_flow.recover(services, bot)  # answers cut off mid-post
    lost = await services.db(expire)
    if lost:
        log.warning("%d alert message(s) were being sent when the bot stopped", len(lost))
        await report_lost(services, bot, lost)
    return lost
