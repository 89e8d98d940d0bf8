"""One seller's purchase days per customer, read from the orders table.

The database does the grouping: paid orders with a customer, placed at or
before the as-of time, are summed per customer and per calendar day in the
store's timezone (several orders on one day are one purchase occasion, as in
lifetimes). The per-customer summary is then computed by the pure
`summarize_transactions` on those already-aggregated rows.

The local day is ``timezone(zone, ordered_at)::date`` on PostgreSQL. SQLite has
no time-zone database, so the zone's UTC offsets over the orders' time span
are taken from `zoneinfo` and applied with a CASE over the transition instants
(a single constant offset for Asia/Seoul).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, Date, case, cast, func, select
from sqlalchemy.orm import Session

from analytics.clv.summary import summarize_transactions
from analytics.common import Store
from storage.models import Order
from storage.rollups import utc_offsets


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
    return func.date(Order.ordered_at, modifier)  # an ISO date string


def purchase_days(session: Session, store: Store, *, as_of: dt.datetime) -> pd.DataFrame:
    """Columns customer_id (internal id), date (local `datetime.date`), amount (Σ revenue of
    the day's paid orders, int): one row per customer and purchase day, orders up to `as_of`."""
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
        return pd.DataFrame(
            {
                "customer_id": pd.Series(dtype="int64"),
                "date": pd.Series(dtype="object"),
                "amount": pd.Series(dtype="int64"),
            }
        )
    if session.get_bind().dialect.name == "postgresql":
        local_day: Any = cast(func.timezone(store.timezone.key, Order.ordered_at), Date)
    else:
        local_day = _local_day_sqlite(store.timezone, first, as_of)
    rows = (
        select(
            Order.customer_id.label("customer_id"),
            local_day.label("day"),
            Order.revenue.label("revenue"),
        )
        .where(*scope)
        .subquery()
    )
    query = (
        select(rows.c.customer_id, rows.c.day, cast(func.sum(rows.c.revenue), BigInteger))
        .group_by(rows.c.customer_id, rows.c.day)
        .order_by(rows.c.customer_id, rows.c.day)
    )
    # Core rows on the session's connection (no ORM row processing), split into columns
    rows_out = session.connection().execute(query).all()
    customer_ids, days, amounts = zip(*rows_out, strict=True) if rows_out else ((), (), ())
    return pd.DataFrame(
        {
            "customer_id": np.asarray(customer_ids, dtype=np.int64),
            "date": pd.to_datetime(pd.Series(days, dtype="object"), format="ISO8601")
            .dt.date.astype("object")
            .to_numpy(),
            "amount": np.asarray(amounts, dtype=np.int64),
        }
    )


def customer_summary(session: Session, store: Store, *, as_of: dt.datetime) -> pd.DataFrame:
    """Per customer (internal id): x, t_x and T in days, monetary (KRW, mean of the repeat
    purchase days), first and last purchase dates; calibration end = the local date of `as_of`."""
    days = purchase_days(session, store, as_of=as_of)
    return summarize_transactions(
        days, calibration_end=as_of.astimezone(store.timezone).date(), unit_days=1.0
    )
