"""`advisor scheduler`: defers each seller's work to the queue, round after round.

Every `every` seconds (SYNC_EVERY_MINUTES by default) a round defers one sync for
each seller with a connected account (the sync defers the seller's scan, the scan
its delivery: bot.jobs.tasks) and one scan for each other linked seller; every
`deliver_every` seconds it defers a delivery for each seller with nudges waiting
(quiet hours over, a send to retry) and an inquiry loop for each seller with
inquiry work; every `fit_every` (5 minutes, as the embedded bot) a customer-fit
refresh for each seller who asked about customers lately. The queueing locks
make every deferral idempotent while the last one waits, so two schedulers, or a
round that starts before the last one's jobs ran, add nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import procrastinate
from sqlalchemy.orm import Session, sessionmaker

from bot.customer_fit import REFRESH_EVERY
from bot.jobs.queue import enqueue_all
from storage.connectors import accounts
from storage.inquiry_outbox import sellers_with_work
from storage.outbox import waiting_sellers
from tools.customer_fit import asked_sellers
from tools.nudges import IN_FLIGHT_LIMIT, linked_sellers

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Deferred:
    """What one pass deferred, by kind (jobs already waiting are not counted)."""

    sync: int = 0
    scan: int = 0
    deliver: int = 0
    inquiries: int = 0
    fit: int = 0


def _round_sellers(sessions: sessionmaker[Session]) -> tuple[list[int], list[int]]:
    """Sellers with a connected account, and linked sellers without one."""
    with sessions() as session:
        connected = sorted({ref.seller_id for ref in accounts.refs(session)})
        linked = [seller.id for seller in linked_sellers(session)]
    others = sorted(set(linked) - set(connected))
    return connected, others


async def defer_round(app: procrastinate.App, sessions: sessionmaker[Session]) -> Deferred:
    """Sync (then scan, then deliver) every seller."""
    connected, others = await asyncio.to_thread(_round_sellers, sessions)
    return Deferred(
        sync=await enqueue_all(app, "sync", connected),
        scan=await enqueue_all(app, "scan", others),
    )


async def defer_deliveries(
    app: procrastinate.App, sessions: sessionmaker[Session], *, now: dt.datetime
) -> Deferred:
    """A delivery for each seller with nudges waiting, and an inquiry loop for each
    seller with inquiry work (new questions, cards, answers to post, a dead worker's
    posts to recover)."""

    def waiting() -> tuple[list[int], list[int]]:
        with sessions() as session:
            nudges = sorted(waiting_sellers(session))
            inquiries = sellers_with_work(session, stuck_before=now - IN_FLIGHT_LIMIT)
            return nudges, inquiries

    nudges, inquiries = await asyncio.to_thread(waiting)
    return Deferred(
        deliver=await enqueue_all(app, "deliver", nudges),
        inquiries=await enqueue_all(app, "inquiries", inquiries),
    )


async def defer_fits(
    app: procrastinate.App, sessions: sessionmaker[Session], *, now: dt.datetime
) -> Deferred:
    """A customer-fit refresh for each seller who asked about customers lately (the
    embedded bot's REFRESH_EVERY job, bot.customer_fit)."""

    def asked() -> list[int]:
        with sessions() as session:
            return asked_sellers(session, now)

    return Deferred(fit=await enqueue_all(app, "fit", await asyncio.to_thread(asked)))


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def run(
    app: procrastinate.App,
    sessions: sessionmaker[Session],
    *,
    every: float,
    deliver_every: float,
    fit_every: float = REFRESH_EVERY.total_seconds(),
    once: bool = False,
    clock: Callable[[], dt.datetime] = _utcnow,
) -> None:
    """Rounds every `every` seconds, deliveries and inquiry loops every `deliver_every`,
    customer fits every `fit_every`, until stopped (`once`: one of each, then return)."""
    due = dict.fromkeys(("round", "deliveries", "fits"), time.monotonic())
    period = {"round": every, "deliveries": deliver_every, "fits": fit_every}
    while True:
        now = time.monotonic()
        if now >= due["round"]:
            log.info("round deferred: %s", await defer_round(app, sessions))
        if now >= due["deliveries"]:
            deferred = await defer_deliveries(app, sessions, now=clock())
            log.info("deliveries deferred: %s", deferred)
        if now >= due["fits"]:
            log.info("fits deferred: %s", await defer_fits(app, sessions, now=clock()))
        for name, at in due.items():
            if now >= at:
                due[name] = now + period[name]
        if once:
            return
        await asyncio.sleep(max(0.0, min(due.values()) - time.monotonic()))
