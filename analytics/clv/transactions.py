"""One seller's customers as the models take them: purchase days per customer.

The store's paid orders with a customer, placed at or before the as-of time, are
summed per customer and local purchase day (several orders on one day are one
purchase occasion, as in lifetimes) by storage.customer_purchases: from the
seller's kept pack and the orders since it, or from every order when there is
none. The pure `summarize_purchases` turns them into the per-customer summary.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy.orm import Session

from analytics.clv.summary import summarize_purchases
from analytics.common import Store
from storage import customer_purchases
from storage.purchases import EPOCH


def purchase_days(session: Session, store: Store, *, as_of: dt.datetime) -> pd.DataFrame:
    """Columns customer_id (internal id), date (local `datetime.date`), amount (Σ revenue of
    the day's paid orders, int): one row per customer and purchase day, orders up to `as_of`."""
    rows = customer_purchases.purchase_days(session, store.id, store.timezone, until=as_of)
    return pd.DataFrame(
        {
            "customer_id": rows[:, 0],
            "date": rows[:, 1].astype("datetime64[D]").astype(object),
            "amount": rows[:, 2],
        }
    )


def customer_summary(
    session: Session, store: Store, *, as_of: dt.datetime, dates: bool = True
) -> pd.DataFrame:
    """Per customer (internal id): x, t_x and T in days, monetary (KRW, mean of the repeat
    purchase days), first and last purchase dates (`dates`; else `last_day`, the last
    purchase day as days since 1970-01-01); calibration end = the local date of `as_of`."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    bought = customer_purchases.purchases(session, store.id, store.timezone, as_of=as_of)
    end = as_of.astimezone(store.timezone).date()
    return summarize_purchases(bought, end_day=(end - EPOCH).days, dates=dates)
