"""Fitted customer models kept per store, for the current clock hour and data.

A customer report fits BG/NBD and Gamma-Gamma on every customer of the store,
which costs 1-2 s of CPU at 400k customers. The models describe months of buying,
so the advisor fits as of the start of the current clock hour (the calibration
end) and answers every customer question of that hour from the fit, while the
store's orders up to that instant are unchanged.

"Unchanged" is `data_version`: a digest of the store's daily sales rollup before
the calibration end's local day (kept in step by every order write: sync, import,
demo) and of that day's orders up to the calibration end, read raw (a few ms at
400k customers). An order added, deleted, re-dated, re-priced or re-statused
changes it, and the next question or background refresh fits again; an order
placed after the calibration end does not (the fit never reads it). Not seen: a
re-import that only moves an existing order of an earlier day to another customer
(no rollup holds customers; counting the store's customers cost 50 ms of the
question's CPU at 400k); the next hour's fit reads it.

`scored` is the one way to a fit: questions (tools.catalog.customer_report) and
the background refresh (bot.jobs.customer_fit) share it, so a refreshed fit is
the same object a question would have computed. One fit per store runs at a time;
a question arriving during the refresh waits for it rather than fitting twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Order, SalesDaily
from storage.rollups import day_bounds, local_date

if TYPE_CHECKING:  # analytics.clv loads scipy and pandas; a sales question needs neither
    from analytics.clv import ScoredStore
    from analytics.common import NoData, Store

Fitted: TypeAlias = "ScoredStore | NoData"


def calibration_end(now: dt.datetime) -> dt.datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def data_version(session: Session, store: Store, as_of: dt.datetime) -> str:
    """A digest of what a fit as of `as_of` reads (see the module docstring)."""
    today = local_date(as_of, store.timezone)
    start, _ = day_bounds(today, store.timezone)
    days = session.execute(
        select(SalesDaily.date, SalesDaily.status, SalesDaily.orders, SalesDaily.revenue)
        .where(SalesDaily.seller_id == store.id, SalesDaily.date < today)
        .order_by(SalesDaily.date, SalesDaily.status)
    ).all()
    recent = session.execute(
        select(
            Order.status,
            func.count(),
            func.sum(Order.revenue),
            func.sum(Order.customer_id),
            func.min(Order.ordered_at),
            func.max(Order.ordered_at),
        )
        .where(Order.seller_id == store.id, Order.ordered_at >= start, Order.ordered_at <= as_of)
        .group_by(Order.status)
        .order_by(Order.status)
    ).all()
    text = repr(([tuple(row) for row in days], [tuple(row) for row in recent]))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class _Entry:
    as_of: dt.datetime
    version: str
    fitted: Fitted


class FitCache:
    """The latest fit of each of up to `max_entries` stores (least recently used out)."""

    def __init__(self, max_entries: int = 64) -> None:
        self._entries: OrderedDict[int, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._fitting: dict[int, threading.Lock] = {}
        self._max = max_entries

    calibration_end = staticmethod(calibration_end)

    def stores(self) -> list[int]:
        """Stores with a fit kept: those whose sellers asked about customers."""
        with self._lock:
            return list(self._entries)

    def scored(self, session: Session, store: Store, now: dt.datetime) -> Fitted:
        """The fit of `store` as of the start of `now`'s hour on the data as it is now:
        the kept one when its data version still matches, else fitted now."""
        from analytics.clv import score_store

        as_of = calibration_end(now)
        with self._lock:
            fitting = self._fitting.setdefault(store.id, threading.Lock())
        with fitting:  # one fit per store at a time: a second caller finds it done
            version = data_version(session, store, as_of)
            with self._lock:
                entry = self._entries.get(store.id)
                if entry is not None and (entry.as_of, entry.version) == (as_of, version):
                    self._entries.move_to_end(store.id)
                    return entry.fitted
            fitted = score_store(session, store, as_of=as_of)
            with self._lock:
                self._entries[store.id] = _Entry(as_of, version, fitted)
                self._entries.move_to_end(store.id)
                while len(self._entries) > self._max:
                    evicted, _ = self._entries.popitem(last=False)
                    self._fitting.pop(evicted, None)
            return fitted
