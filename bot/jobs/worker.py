"""`advisor worker`: a process that runs the queue's jobs (bot.jobs.tasks).

    asyncio.run(serve(settings, concurrency=4))

It makes the bot's services (the database migrated, prompts, the advisor) and a Bot
whose sends share one rate across all workers (bot.jobs.limits), then runs
procrastinate's worker until SIGINT/SIGTERM: jobs running then get
`shutdown_graceful_timeout` seconds to finish. A worker killed outright (kill -9, a
lost machine) stops sending heartbeats; after `3 × heartbeat` seconds any other
worker finds its jobs stalled and puts them back in the queue (`retry_stalled`),
where their locks keep them from running beside anything (a job of a worker that
was only slow skips when it finds its first run's advisory lock: bot.jobs.tasks); a
retried delivery marks the dead job's sends in flight unknown (bot.alerts.deliver).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

import procrastinate
from procrastinate.exceptions import ConnectorException
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.jobs.limits import SharedRateLimiter
from bot.jobs.queue import conninfo, install_schema, make_app
from bot.jobs.tasks import Runtime
from bot.services import BotOptions, Services
from storage.settings import Settings

log = logging.getLogger(__name__)

HEARTBEAT = 10.0  # seconds between a worker's heartbeats
GRACE = 30.0  # seconds jobs may take to finish at a stop


def make_bot(settings: Settings, services: Services) -> ExtBot[None]:
    """A Bot for the jobs: the bot's timeouts, the shared send rate."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set: the workers send the alerts")
    options = services.options
    extra: dict[str, Any] = {}
    if settings.telegram_base_url:
        extra["base_url"] = settings.telegram_base_url
    if settings.telegram_base_file_url:
        extra["base_file_url"] = settings.telegram_base_file_url
    bot = ExtBot(
        settings.telegram_bot_token.get_secret_value(),
        request=HTTPXRequest(
            connection_pool_size=options.connection_pool,
            read_timeout=settings.telegram_read_timeout,
            pool_timeout=30.0,
        ),
        rate_limiter=SharedRateLimiter.of(settings, options),
        **extra,
    )
    return cast(ExtBot[None], bot)


async def retry_stalled(app: procrastinate.App, *, every: float, stalled_after: float) -> None:
    """Forever: jobs of workers silent for `stalled_after` seconds go back to the queue."""
    while True:
        await asyncio.sleep(every)
        try:
            for job in await app.job_manager.get_stalled_jobs(
                seconds_since_heartbeat=stalled_after
            ):
                try:
                    await app.job_manager.retry_job(job)
                except ConnectorException:  # another worker retried it first
                    continue
                log.warning(
                    "job %s (%s %s) of a dead worker back in the queue",
                    job.id,
                    job.task_name,
                    job.task_kwargs,
                )
        except ConnectorException as error:
            log.error("looking for stalled jobs failed: %s", error)


async def serve(
    settings: Settings,
    *,
    concurrency: int = 4,
    heartbeat: float = HEARTBEAT,
    grace: float = GRACE,
    options: BotOptions | None = None,
) -> None:
    """Run jobs until SIGINT/SIGTERM (see the module docstring)."""
    from bot.app import make_services

    # a thread per job at most (syncs write their pages in one), beside the database's own
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(concurrency + 4))
    url = settings.resolved_database_url
    await asyncio.to_thread(install_schema, url)
    services = await asyncio.to_thread(make_services, settings, options or BotOptions())
    bot = make_bot(settings, services)
    await bot.initialize()
    app = make_app(settings, min_size=1, max_size=concurrency + 3)
    name = f"{socket.gethostname()}:{os.getpid()}"
    try:
        async with app.open_async():
            stalled = asyncio.create_task(
                retry_stalled(app, every=heartbeat, stalled_after=3 * heartbeat)
            )
            try:
                await app.run_worker_async(
                    name=name,
                    concurrency=concurrency,
                    additional_context={"runtime": Runtime(services, bot, conninfo(url))},
                    shutdown_graceful_timeout=grace,
                    update_heartbeat_interval=heartbeat,
                    stalled_worker_timeout=3 * heartbeat,
                    fetch_job_polling_interval=min(5.0, heartbeat),
                    delete_jobs="successful",
                )
            finally:
                stalled.cancel()
    finally:
        await bot.shutdown()
        if services.engine is not None:
            services.engine.dispose()
