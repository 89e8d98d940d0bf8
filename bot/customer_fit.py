"""The JobQueue job that keeps customer fits current (tools.customer_fit).

Every REFRESH_EVERY from a few seconds past the hour: the first run after the hour
turns fits each asking store as of the new hour, later runs refit a store only
when a sync or `advisor import` changed its orders. The first run after start also
takes the sellers who asked about customers in the last two weeks. Runs in a
worker thread; two runs at once fit a store once (tools.fit_cache's per-store lock).
With JOBS=queue the bot schedules nothing (bot.app): `advisor scheduler` defers an
`advisor:fit` job for each recent asker (bot.jobs.schedule) and a worker runs
`refresh_fits` for that seller; the fitted parameters reach the bot's advisor through
the database (tools.fit_cache).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any

from telegram.ext import Application

from bot.context import BotContext
from bot.services import Services
from tools.customer_fit import asked_sellers, refresh

REFRESH_EVERY = dt.timedelta(minutes=5)
PAST_THE_HOUR = dt.timedelta(seconds=15)


async def refresh_fits(
    services: Services,
    *,
    now: dt.datetime,
    seed: bool = False,
    seller_ids: Sequence[int] | None = None,
) -> list[int]:
    """Refresh the advisor's kept fits (and, with `seed`, those of recent askers); or,
    given `seller_ids` (a queued `advisor:fit` job, bot.jobs.tasks), theirs alone."""
    fits = services.advisor.fits

    def run() -> list[int]:
        if seller_ids is not None:
            return refresh(services.sessions, fits, now=now, seller_ids=seller_ids, kept=False)
        asked: list[int] = []
        if seed:
            with services.sessions() as session:
                asked = asked_sellers(session, now)
        return refresh(services.sessions, fits, now=now, seller_ids=asked)

    return await asyncio.to_thread(run)


async def customer_fit_job(context: BotContext) -> None:
    seed = bool(context.job is not None and context.job.data)
    await refresh_fits(context.services, now=context.services.now(), seed=seed)


def schedule(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    queue = application.job_queue
    assert queue is not None  # bot.scheduler.start checked
    now = dt.datetime.now(dt.UTC)  # the JobQueue's clock
    first = now.replace(minute=0, second=0, microsecond=0) + PAST_THE_HOUR
    while first <= now:
        first += REFRESH_EVERY
    queue.run_once(customer_fit_job, when=dt.timedelta(seconds=30), data=True, name="fit-seed")
    queue.run_repeating(customer_fit_job, interval=REFRESH_EVERY, first=first, name="fit-refresh")
