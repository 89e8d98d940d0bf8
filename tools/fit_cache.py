"""Fitted customer models kept per store, for the current clock hour and data.

A customer report fits BG/NBD and Gamma-Gamma on every customer of the store,
which costs about 0.15 s at 418k customers (0.75 s when the store's purchases pack,
storage.customer_purchases, must be read again from every order). The models
describe months of buying,
so the advisor fits as of the start of the current clock hour (the calibration
end) and answers every customer question of that hour from the fit, while the
store's orders up to that instant are unchanged.

"Unchanged" is `data_version`: a digest of the store's daily sales rollup before
the calibration end's local day (kept in step by every order write: sync, import,
demo) and of that day's orders up to the calibration end, read raw (a few ms at
400k customers). An order added, deleted, re-dated, re-priced or re-statused
changes it, and the next question or background refresh fits again; an order
placed after the calibration end does not (the fit never reads it). So does the
state of the store's purchases pack (its day, build time and count of writes that
marked changed customers): a re-import that only moves an earlier day's order to
another customer marks both customers, which no rollup sum would show.

`scored` is the one way to a fit in memory: questions (tools.catalog.customer_report)
and the embedded bot's background refresh (tools.customer_fit) share it, so a
refreshed fit is the same object a question would have computed. One fit per store
runs at a time in a process; a question arriving during the refresh waits for it
rather than fitting twice.

On PostgreSQL the fitted parameters are also saved with their calibration end and
data version (storage.customer_fits). With JOBS=queue a worker's refresh
(`advisor:fit`) only makes sure they are saved (`save`: fits when they are not, keeps
nothing in memory), and the bot that answers, finding no fit in its memory, scores
the customers with the saved parameters (the summary and scoring without the
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
from storage.models import CustomerPurchasePack, Order, SalesDaily
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
    pack = session.execute(
        select(
            CustomerPurchasePack.through_day,
            CustomerPurchasePack.built_at,
            CustomerPurchasePack.marks,
        ).where(CustomerPurchasePack.seller_id == store.id)
    ).one_or_none()
    text = repr(
        ([tuple(row) for row in days], [tuple(row) for row in recent], pack and tuple(pack))
    )
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
    (about 50 ms at 418k customers with the purchases pack) without the fit."""
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
    summary = customer_summary(session, store, as_of=as_of, dates=False)
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
        saved for the same hour and data (PostgreSQL), else fitted now (and saved)."""
        from analytics.clv import ScoredStore, score_store

        as_of = calibration_end(now)
        with self._fitting_lock(store.id):  # one fit per store at a time
            version = data_version(session, store, as_of)
            kept = self._kept(store.id, as_of, version)
            if kept is not None:
                return kept
            shared = self._sharing(session)
            saved = customer_fits.load(session, store.id, as_of, version) if shared else None
            if saved is not None:
                fitted = _rescored(session, store, as_of, saved)
            else:
                fitted = score_store(session, store, as_of=as_of)
                if shared and isinstance(fitted, ScoredStore):
                    customer_fits.save(session, store.id, as_of, version, _dumped(fitted))
            self._keep(store.id, _Entry(as_of, version, fitted))
            return fitted

    def save(self, session: Session, store: Store, now: dt.datetime) -> bool:
        """For a worker (`advisor:fit`): make sure the database holds the fit of `now`'s
        hour and data, fitting when it does not; True when it fitted. Nothing is kept
        in memory (a worker answers no question, and a big store's scored customers
        take tens of MB). Without the database's table (SQLite), `scored`."""
        from analytics.clv import ScoredStore, score_store

        if not self._sharing(session):
            self.scored(session, store, now)
            return True
        as_of = calibration_end(now)
        with self._fitting_lock(store.id):
            version = data_version(session, store, as_of)
            if customer_fits.load(session, store.id, as_of, version) is not None:
                return False
            fitted = score_store(session, store, as_of=as_of)
            if isinstance(fitted, ScoredStore):
                customer_fits.save(session, store.id, as_of, version, _dumped(fitted))
            return True

    def _fitting_lock(self, store_id: int) -> threading.Lock:
        with self._lock:
            return self._fitting.setdefault(store_id, threading.Lock())
