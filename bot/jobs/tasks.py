"""The queue's tasks: each runs the bot's one implementation of its job for one seller.

| task | runs | then |
| --- | --- | --- |
| `advisor:sync` | bot.sync.sync_sources for the seller's accounts | defers the seller's scan, and its inquiry loop when new questions came in |
| `advisor:scan` | bot.scheduler.scan for the seller | defers its delivery when a nudge waits |
| `advisor:deliver` | bot.alerts.deliver for the seller | |
| `advisor:inquiries` | bot.inquiry_flow.recover and run_loop for the seller (draft, cards, posts) | |
| `advisor:fit` | bot.customer_fit.refresh_fits for the seller (saved for the bot: tools.fit_cache) | |

The embedded default (SQLite, `advisor bot` alone) runs the same functions for
every seller at once from the bot's JobQueue (bot.scheduler). Here each job holds
the queue's lock `<kind>:<seller id>` (bot.jobs.queue) and, while it runs, a
PostgreSQL advisory lock of the same (`alone`): a worker that only looked dead (no
heartbeat for a while on a starved machine) may see its job put back in the queue
and started elsewhere, and that second run finds the first one's advisory lock and
skips. This is what lets a delivery treat its seller's sends left `sending` as a
dead worker's (bot.alerts.deliver). The inquiry loop takes the same kind of lock
itself (bot.inquiry_flow: the bot's buttons run a seller's loop too). Scans and fits
take none: a finding is recorded once however many scans find it, and a second fit
only costs CPU. One seller's inquiry loop never waits for another's (a Naver that
fails or hangs holds up its own seller's job only).

A job that raises is retried with exponential backoff (2, 4, 8, 16, 32 s), then
failed (kept for `advisor jobs status`). Scans, deliveries and the inquiry loop run
under a time limit (`Runtime.limits`), so a stuck one frees its slot; a sync is not
cut off (its pages are written in a worker thread, which cannot be cancelled: a
cut-off sync would let the next one run beside it) and is bounded by its HTTP
timeouts and retries instead. Every line a job logs carries its id, kind and seller
(bot.jobs.logs).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import procrastinate
import psycopg
from procrastinate import JobContext
from sqlalchemy.orm import Session
from telegram.ext import ExtBot

from bot import inquiry_flow
from bot.alerts import deliver
from bot.customer_fit import refresh_fits
from bot.jobs.logs import job_fields
from bot.jobs.queue import Kind, enqueue
from bot.scheduler import scan
from bot.services import Services
from bot.sync import sync_sources
from storage.inquiry_outbox import sellers_with_work
from storage.outbox import waiting_sellers
from tools.nudges import IN_FLIGHT_LIMIT

log = logging.getLogger(__name__)

T = TypeVar("T")

blueprint = procrastinate.Blueprint()
RETRY = procrastinate.RetryStrategy(max_attempts=5, exponential_wait=2)
# advisory lock spaces; the inquiry loop's is bot.inquiry_flow.LOCK_SPACE (16_004)
_LOCK_SPACE: dict[Kind, int] = {"sync": 16_001, "deliver": 16_003}


@dataclass(frozen=True, slots=True)
class Runtime:
    """What a worker's tasks work with: the bot's services, a Bot to send with, and the
    database for the jobs' advisory locks."""

    services: Services
    bot: ExtBot[None]
    conninfo: str
    limits: dict[str, float] = field(
        default_factory=lambda: {"scan": 300.0, "deliver": 600.0, "inquiries": 600.0}
    )


@asynccontextmanager
async def alone(runtime: Runtime, kind: Kind, seller_id: int) -> AsyncIterator[bool]:
    """Whether this run holds the advisory lock of `kind` for the seller: False when
    another live run does (a job put back in the queue because its worker looked dead
    while it was only slow). The lock lives with its own connection, so a worker that
    dies releases it: the queue's locks keep two jobs from starting at once, this keeps
    a job put back from running beside its first run."""
    async with await psycopg.AsyncConnection.connect(runtime.conninfo, autocommit=True) as db:
        cursor = await db.execute(
            "SELECT pg_try_advisory_lock(%s, %s)", (_LOCK_SPACE[kind], seller_id)
        )
        row = await cursor.fetchone()
        mine = bool(row and row[0])
        if not mine:
            log.warning("%s already running elsewhere: this run skipped", kind)
        yield mine


def _inquiry_work(session: Session, seller_id: int) -> bool:
    return seller_id in sellers_with_work(session, seller_ids=[seller_id])


def _runtime(context: JobContext) -> Runtime:
    runtime = context.additional_context["runtime"]
    assert isinstance(runtime, Runtime)
    return runtime


async def _limited(runtime: Runtime, kind: Kind, work: Awaitable[T]) -> T:
    return await asyncio.wait_for(work, timeout=runtime.limits[kind])


def _fields(context: JobContext, kind: Kind, seller_id: int | None) -> Any:
    return job_fields(job_id=context.job.id, kind=kind, seller_id=seller_id)


@blueprint.task(name="sync", pass_context=True, retry=RETRY)
async def sync_task(context: JobContext, seller_id: int) -> None:
    runtime = _runtime(context)
    with _fields(context, "sync", seller_id):
        async with alone(runtime, "sync", seller_id) as mine:
            if not mine:
                return
            services = runtime.services
            log.info("sync started")
            reports = await sync_sources(
                services, runtime.bot, now=services.now(), seller_id=seller_id
            )
            for report in reports:
                log.info("synced %s: %s", report.source, report.summary())
            log.info("sync ended")
        await enqueue(context.app, "scan", seller_id)
        if await runtime.services.db(lambda session: _inquiry_work(session, seller_id)):
            await enqueue(context.app, "inquiries", seller_id)  # new questions to draft


@blueprint.task(name="scan", pass_context=True, retry=RETRY)
async def scan_task(context: JobContext, seller_id: int) -> None:
    runtime = _runtime(context)
    with _fields(context, "scan", seller_id):
        services = runtime.services  # a scan twice at once records each finding once
        found = await _limited(
            runtime, "scan", scan(services, now=services.now(), seller_ids=[seller_id])
        )
        log.info("scanned: %s", found)
        if await services.db(lambda session: bool(waiting_sellers(session, [seller_id]))):
            await enqueue(context.app, "deliver", seller_id)  # also what a killed scan recorded


@blueprint.task(name="deliver", pass_context=True, retry=RETRY)
async def deliver_task(context: JobContext, seller_id: int) -> None:
    runtime = _runtime(context)
    with _fields(context, "deliver", seller_id):
        async with alone(runtime, "deliver", seller_id) as mine:
            if not mine:  # its sends `sending` are the live run's, not a dead one's
                return
            sent = await _limited(
                runtime, "deliver", deliver(runtime.services, runtime.bot, seller_ids=[seller_id])
            )
        log.info("delivered: sent %d, held %d, unknown %d", sent.sent, sent.held, sent.unknown)


@blueprint.task(name="inquiries", pass_context=True, retry=RETRY)
async def inquiries_task(context: JobContext, seller_id: int | None = None) -> None:
    runtime = _runtime(context)
    with _fields(context, "inquiries", seller_id):
        if seller_id is None:  # the global loop's job, queued before an upgrade
            log.info("the old all-sellers inquiry job: the scheduler defers one per seller now")
            return
        services, bot = runtime.services, runtime.bot
        # run_loop holds the seller's advisory lock itself (the bot's buttons run it
        # too), so posts left `posting` before IN_FLIGHT_LIMIT are a dead run's
        posted = await _limited(
            runtime,
            "inquiries",
            inquiry_flow.run_loop(
                services,
                bot,
                seller_ids=[seller_id],
                recover_before=services.now() - IN_FLIGHT_LIMIT,
            ),
        )
        if posted:
            log.info("inquiry answers: %s", [report.outcome for report in posted])


@blueprint.task(name="fit", pass_context=True, retry=RETRY)
async def fit_task(context: JobContext, seller_id: int) -> None:
    runtime = _runtime(context)
    with _fields(context, "fit", seller_id):  # the queue's lock: one fit of a store at once
        services = runtime.services
        fitted = await refresh_fits(services, now=services.now(), seller_ids=[seller_id])
        log.info("customer fit current: %s", bool(fitted))
