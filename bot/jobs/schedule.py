"""`advisor scheduler`: defers each seller's work to the queue, round after round.

Every `every` seconds (SYNC_EVERY_MINUTES by default) a round defers one sync for
each seller with a connected account (the sync defers the seller's scan, the scan
its delivery: bot.jobs.tasks) and one scan for each other linked seller; every
`deliver_every` seconds it defers a delivery for each seller with nudges waiting
(quiet hours over, a send to retry) and the inquiry loop's job. The queueing locks
make every deferral idempotent while the last one waits, so two schedulers, or a
round that starts before the last one's jobs ran, add nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import procrastinate
from sqlalchemy.orm import Session, sessionmaker

from bot.jobs.queue import enqueue
from storage.connectors import accounts
from storage.outbox import waiting_sellers
from tools.nudges import linked_sellers

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Deferred:
    """What one pass deferred, by kind (jobs already waiting are not counted)."""

    sync: int = 0
    scan: int = 0
    deliver: int = 0
    inquiries: int = 0


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
    synced = [await enqueue(app, "sync", seller_id) for seller_id in connected]
    scanned = [await enqueue(app, "scan", seller_id) for seller_id in others]
    return Deferred(
        sync=sum(job is not None for job in synced), scan=sum(job is not None for job in scanned)
    )


async def defer_deliveries(app: procrastinate.App, sessions: sessionmaker[Session]) -> Deferred:
    """A delivery for each seller with nudges waiting, and the inquiry loop."""

    def waiting() -> list[int]:
        with sessions() as session:
            return sorted(waiting_sellers(session))

    sellers = await asyncio.to_thread(waiting)
    delivered = [await enqueue(app, "deliver", seller_id) for seller_id in sellers]
    inquiries = await enqueue(app, "inquiries")
    return Deferred(
        deliver=sum(job is not None for job in delivered), inquiries=int(inquiries is not None)
    )


async def run(
    app: procrastinate.App,
    sessions: sessionmaker[Session],
    *,
    every: float,
    deliver_every: float,
    once: bool = False,
) -> None:
    """Rounds every `every` seconds and deliveries every `deliver_every`, until stopped
    (`once`: one of each, then return)."""
    next_round = next_delivery = time.monotonic()
    while True:
        now = time.monotonic()
        if now >= next_round:
            log.info("round deferred: %s", await defer_round(app, sessions))
            next_round = now + every
        if now >= next_delivery:
            log.info("deliveries deferred: %s", await defer_deliveries(app, sessions))
            next_delivery = now + deliver_every
        if once:
            return
        await asyncio.sleep(max(0.0, min(next_round, next_delivery) - time.monotonic()))
