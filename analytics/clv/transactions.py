"""One seller's purchase days per customer, read from the orders table.

Paid orders with a customer, placed at or before the as-of time, are read as
(customer, local day, revenue) with the calendar day in the store's timezone
computed by the database as an integer (days since 1970-01-01). The rows,
hundreds of thousands for a big store, go straight from the DB-API cursor into
a numpy array (analytics._arrays); the database neither groups nor sorts them
(nearly every customer-day is one order, so grouping in SQL saved no rows and
cost more than the read). numpy sums each customer's day (several orders on one
day are one purchase occasion, as in lifetimes) and the pure `summarize_days`
makes the per-customer summary.

The local day is ``timezone(zone, ordered_at)::date - DATE '1970-01-01'`` on
PostgreSQL. SQLite has no time-zone database, so the zone's UTC offsets over the
orders' time span are taken from `zoneinfo` and applied with a CASE over the
transition instants (a single constant offset for Asia/Seoul) as a julianday()
modifier.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import Date, Integer, case, cast, func, select
from sqlalchemy.orm import Session

from analytics._arrays import IntArray, int_rows
from analytics.clv.summary import daily_totals, summarize_days
from analytics.common import Store
from storage.models import Order
from storage.rollups import utc_offsets

EPOCH = dt.date(1970, 1, 1)


def _local_day_sqlite(tz: ZoneInfo, start: dt.datetime, end: dt.datetime) -> Any:
    segments = utc_offsets(tz, start, end)
    modifiers = [f"{offset:+d} seconds" for _, offset in segments]
    if len(segments) == 1:
        modifier: Any = modifiers[0]
    else:
        modifier = case(
            *[
                (Order.ordered_at < boundary, modifiers[index])
                for index, (boundary, _) in enumerate(segments[1:])
            ],
            else_=modifiers[-1],
        )
    # Julian day numbers start at noon: local midnight is N + 0.5, 1970-01-01 is 2440587.5
    return cast(func.julianday(Order.ordered_at, modifier) - 2440587.5, Integer)


def purchase_day_rows(session: Session, store: Store, *, as_of: dt.datetime) -> IntArray:
    """(customer_id, local day as days since 1970-01-01, Σ revenue of the day's paid orders)
    per customer and purchase day, orders up to `as_of`, sorted by customer and day."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    scope = (
        Order.seller_id == store.id,
        Order.status == "paid",
        Order.customer_id.is_not(None),
        Order.ordered_at <= as_of,
    )
    first = session.execute(select(func.min(Order.ordered_at)).where(*scope)).scalar_one()
    if first is None:
        return np.empty((0, 3), dtype=np.int64)
    if session.get_bind().dialect.name == "postgresql":
        local_day: Any = cast(func.timezone(store.timezone.key, Order.ordered_at), Date) - EPOCH
    else:
        local_day = _local_day_sqlite(store.timezone, first, as_of)
    query = select(Order.customer_id, local_day, Order.revenue).where(*scope)
    rows = int_rows(session, query, 3)  # one per order: the database neither groups nor sorts
    return np.column_stack(daily_totals(rows[:, 0], rows[:, 1], rows[:, 2]))


def purchase_days(session: Session, store: Store, *, as_of: dt.datetime) -> pd.DataFrame:
    """Columns customer_id (internal id), date (local `datetime.date`), amount (Σ revenue of
    the day's paid orders, int): one row per customer and purchase day, orders up to `as_of`."""
    rows = purchase_day_rows(session, store, as_of=as_of)
    return pd.DataFrame(
        {
            "customer_id": rows[:, 0],
            "date": rows[:, 1].astype("datetime64[D]").astype(object),
            "amount": rows[:, 2],
        }
    )


def customer_summary(session: Session, store: Store, *, as_of: dt.datetime) -> pd.DataFrame:
    """Per customer (internal id): x, t_x and T in days, monetary (KRW, mean of the repeat
    purchase days), first and last purchase dates; calibration end = the local date of `as_of`."""
    rows = purchase_day_rows(session, store, as_of=as_of)
    end = as_of.astimezone(store.timezone).date()
    return summarize_days(rows[:, 0], rows[:, 1], rows[:, 2], end_day=(end - EPOCH).days)
