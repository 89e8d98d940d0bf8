"""The queue's tasks: each runs the bot's one implementation of its job for one seller.

| task | runs | then |
| --- | --- | --- |
| `advisor:sync` | bot.sync.sync_sources for the seller's accounts | defers the seller's scan |
| `advisor:scan` | bot.scheduler.scan for the seller | defers its delivery when a nudge waits |
| `advisor:deliver` | bot.alerts.deliver for the seller | |
| `advisor:inquiries` | bot.inquiry_flow.run_loop (every seller: draft, cards, posts) | |

The embedded default (SQLite, `advisor bot` alone) runs the same functions for
every seller at once from the bot's JobQueue (bot.scheduler). Here each job holds
the lock `<kind>:<seller id>` (bot.jobs.queue), which is what lets a delivery treat
its seller's sends left `sending` as a dead worker's (bot.alerts.deliver).

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
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import procrastinate
from procrastinate import JobContext
from telegram.ext import ExtBot

from bot import inquiry_flow
from bot.alerts import deliver
from bot.jobs.logs import job_fields
from bot.jobs.queue import Kind, enqueue
from bot.scheduler import scan
from bot.services import Services
from bot.sync import sync_sources
from storage.outbox import waiting_sellers

log = logging.getLogger(__name__)

T = TypeVar("T")

blueprint = procrastinate.Blueprint()
RETRY = procrastinate.RetryStrategy(max_attempts=5, exponential_wait=2)


@dataclass(frozen=True, slots=True)
class Runtime:
    """What a worker's tasks work with: the bot's services and a Bot to send with."""

    services: Services
    bot: ExtBot[None]
    limits: dict[str, float] = field(
        default_factory=lambda: {"scan": 300.0, "deliver": 600.0, "inquiries": 600.0}
    )


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
        services = runtime.services
        log.info("sync started")
        reports = await sync_sources(services, runtime.bot, now=services.now(), seller_id=seller_id)
        for report in reports:
            log.info("synced %s: %s", report.source, report.summary())
        log.info("sync ended")
        await enqueue(context.app, "scan", seller_id)


@blueprint.task(name="scan", pass_context=True, retry=RETRY)
async def scan_task(context: JobContext, seller_id: int) -> None:
    runtime = _runtime(context)
    with _fields(context, "scan", seller_id):
        services = runtime.services
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
        sent = await _limited(
            runtime, "deliver", deliver(runtime.services, runtime.bot, seller_ids=[seller_id])
        )
        log.info("delivered: sent %d, held %d, unknown %d", sent.sent, sent.held, sent.unknown)


@blueprint.task(name="inquiries", pass_context=True, retry=RETRY)
async def inquiries_task(context: JobContext) -> None:
    runtime = _runtime(context)
    with _fields(context, "inquiries", None):
        posted = await _limited(
            runtime, "inquiries", inquiry_flow.run_loop(runtime.services, runtime.bot)
        )
        if posted:
            log.info("inquiry answers: %s", [report.outcome for report in posted])
