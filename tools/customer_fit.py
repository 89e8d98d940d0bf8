"""Customer fits refreshed in the background, so a seller's customer question finds one.

Which stores: those whose sellers asked about customers, i.e. the stores the
advisor keeps a fit for (tools.fit_cache), plus, when the bot starts, the sellers
whose chats ran `customer_report` in the last ASKED_WITHIN. Not every large store:
at 418k customers a fit costs 0.15 s and a pack built from every order 0.7 s more, on
a 2-core machine that also answers chats, and a seller who never asks about customers
would pay for it every hour.

`refresh` first brings the store's packed customer purchases up to today
(storage.customer_purchases.keep: a few ms when current; the day's orders folded in
once a day; every order read again after a sync or import changed an earlier day's),
so the question reads one row and today's orders. Then it asks the cache for each
store's fit as of the current hour: a few
milliseconds when the kept fit (a worker: the saved one) is current (same hour, same
data version), a fit when the hour turned or a sync or import changed the store's
orders. The embedded bot runs it from its JobQueue (bot.customer_fit);
with JOBS=queue a worker runs it for one seller (`advisor:fit`, bot.jobs.tasks) and
the fit reaches the bot through the database (tools.fit_cache).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session, sessionmaker

from storage import customer_purchases
from storage.models import ConversationTurn
from tools.context import UnknownSellerError, load_store
from tools.fit_cache import FitCache

log = logging.getLogger(__name__)

ASKED_WITHIN = dt.timedelta(days=14)


def asked_sellers(session: Session, now: dt.datetime) -> list[int]:
    """Sellers whose chats ran `customer_report` since `now - ASKED_WITHIN`."""
    query = (
        select(ConversationTurn.seller_id)
        .where(
            ConversationTurn.created_at >= now - ASKED_WITHIN,
            cast(ConversationTurn.tool_calls, Text).like('%"customer_report"%'),
        )
        .distinct()
    )
    return sorted(session.scalars(query))


def refresh(
    sessions: sessionmaker[Session],
    fits: FitCache,
    *,
    now: dt.datetime,
    seller_ids: Iterable[int] = (),
    kept: bool = True,
) -> list[int]:
    """Bring the fit of `seller_ids` and (with `kept`: the embedded bot, whose cache is
    the one that answers) of every kept store up to `now`'s hour and data; the stores
    refreshed, in order. A queued job (bot.jobs.tasks) refreshes its one seller."""
    done: list[int] = []
    for seller_id in sorted({*(fits.stores() if kept else ()), *seller_ids}):
        started = time.perf_counter()
        with sessions() as session:
            try:
                store, _ = load_store(session, seller_id)
            except UnknownSellerError:  # deleted since it asked
                continue
            # the store's customers packed up to today first, committed at once
            customer_purchases.keep(session, seller_id, store.timezone, now=now)
            session.commit()
            if kept:  # this cache answers: the fit in its memory
                fits.scored(session, store, now)
            else:  # a worker's: the fit in the database, for the bot
                fits.save(session, store, now)
        done.append(seller_id)
        log.debug(
            "customer fit of store %s: %.0f ms", seller_id, 1e3 * (time.perf_counter() - started)
        )
    return done
