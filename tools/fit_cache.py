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

`scored` (questions: tools.catalog.customer_report) and `refresh` (the background
refresh: tools.customer_fit) share one path, so a refreshed fit is the same object a
question would have computed. One fit per store runs at a time in a process; a
question arriving during the refresh waits for it rather than fitting twice.

On PostgreSQL the fitted parameters are also saved with their calibration end and
data version (storage.customer_fits): with JOBS=queue a worker refreshes the fits
(`advisor:fit`), and the bot that answers, finding none kept in its memory, scores
the customers with the saved parameters (the summary and scoring, without the
optimiser: the same figures) instead of fitting in the question.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import astuple, dataclass
from typing import TYPE_CHECKING, TypeAlias

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import customer_fits
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


def _dumped(fitted: ScoredStore) -> str:
    """The fitted parameters (floats as repr: read back bit for bit)."""
    bg, gg = fitted.bg_fit, fitted.gg_fit
    return json.dumps(
        {
            "bgnbd": [*astuple(bg.params), bg.log_likelihood, bg.customers, bg.iterations],
            "gamma_gamma": [*astuple(gg.params), gg.log_likelihood, gg.customers, gg.iterations],
        }
    )


def _rescored(session: Session, store: Store, as_of: dt.datetime, saved: str) -> Fitted:
    """`score_store`'s result from saved parameters: the customers summarised and scored
    (a few hundred ms at 400k customers) without the fit (the seconds)."""
    from analytics.clv import bgnbd, gamma_gamma
    from analytics.clv.report import ScoredStore, SegmentRules, score_customers
    from analytics.clv.transactions import customer_summary

    data = json.loads(saved)
    r, alpha, a, b, bg_ll, bg_customers, bg_iterations = data["bgnbd"]
    p, q, gamma, gg_ll, gg_customers, gg_iterations = data["gamma_gamma"]
    bg_fit = bgnbd.BGNBDFit(bgnbd.BGNBDParams(r, alpha, a, b), bg_ll, bg_customers, bg_iterations)
    gg_fit = gamma_gamma.GammaGammaFit(
        gamma_gamma.GammaGammaParams(p, q, gamma), gg_ll, gg_customers, gg_iterations
    )
    rules = SegmentRules()
    summary = customer_summary(session, store, as_of=as_of)
    scored = score_customers(summary, bg_fit.params, gg_fit.params, rules)
    repeat_buyers = int((summary["x"] > 0).sum())
    return ScoredStore(store.id, as_of, rules, scored, bg_fit, gg_fit, repeat_buyers)


@dataclass(frozen=True, slots=True)
class _Entry:
    as_of: dt.datetime
    version: str
    fitted: Fitted


class FitCache:
    """The latest fit of each of up to `max_entries` stores (least recently used out);
    on PostgreSQL also every process's latest fit per store (storage.customer_fits)."""

    def __init__(self, max_entries: int = 64) -> None:
        self._entries: OrderedDict[int, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._fitting: dict[int, threading.Lock] = {}
        self._max = max_entries
        self._shared: bool | None = None  # the database keeps fits (known at first use)

    calibration_end = staticmethod(calibration_end)

    def stores(self) -> list[int]:
        """Stores with a fit kept: those whose sellers asked about customers."""
        with self._lock:
            return list(self._entries)

    def _kept(self, store_id: int, as_of: dt.datetime, version: str) -> Fitted | None:
        with self._lock:
            entry = self._entries.get(store_id)
            if entry is not None and (entry.as_of, entry.version) == (as_of, version):
                self._entries.move_to_end(store_id)
                return entry.fitted
        return None

    def _keep(self, store_id: int, entry: _Entry) -> None:
        with self._lock:
            self._entries[store_id] = entry
            self._entries.move_to_end(store_id)
            while len(self._entries) > self._max:
                evicted, _ = self._entries.popitem(last=False)
                self._fitting.pop(evicted, None)

    def _sharing(self, session: Session) -> bool:
        if self._shared is None:
            self._shared = customer_fits.present(session)
        return self._shared

    def scored(self, session: Session, store: Store, now: dt.datetime) -> Fitted:
        """The fit of `store` as of the start of `now`'s hour on the data as it is now:
        the kept one when its data version still matches, else one another process
        fitted on the same data (PostgreSQL), else fitted now."""
        fitted = self._current(session, store, now, score=True)[1]
        assert fitted is not None  # scored: kept, rescored or fitted
        return fitted

    def refresh(self, session: Session, store: Store, now: dt.datetime) -> bool:
        """Make sure a fit of `store` for `now`'s hour and data is kept (here, and in the
        database on PostgreSQL, where a worker's fit reaches the bot that answers);
        True when it fitted. A fit another process saved is not scored here."""
        return self._current(session, store, now, score=False)[0]

    def _current(
        self, session: Session, store: Store, now: dt.datetime, *, score: bool
    ) -> tuple[bool, Fitted | None]:
        from analytics.clv import ScoredStore, score_store

        as_of = calibration_end(now)
        with self._lock:
            fitting = self._fitting.setdefault(store.id, threading.Lock())
        with fitting:  # one fit per store at a time: a second caller finds it done
            version = data_version(session, store, as_of)
            kept = self._kept(store.id, as_of, version)
            if kept is not None:
                return False, kept
            shared = self._sharing(session)
            saved = customer_fits.load(session, store.id, as_of, version) if shared else None
            if saved is not None and not score:
                return False, None
            if saved is not None:
                fitted = _rescored(session, store, as_of, saved)
            else:
                fitted = score_store(session, store, as_of=as_of)
                if shared and isinstance(fitted, ScoredStore):
                    customer_fits.save(session, store.id, as_of, version, _dumped(fitted))
            self._keep(store.id, _Entry(as_of, version, fitted))
            return saved is None, fitted
