"""From transactions to the per-customer (x, t_x, T, monetary) the models take.

Like lifetimes' ``summary_data_from_transaction_data``: all of a customer's
transactions on one calendar day are one purchase occasion (their amounts add
up), transactions after the calibration end are ignored, and

- ``x`` = purchase days after the first one (repeat purchases);
- ``t_x`` = last purchase day − first purchase day;
- ``T`` = calibration end day − first purchase day;
- ``monetary`` = mean amount of the repeat purchase days (0 when x = 0);

with t_x and T counted in days and divided by ``unit_days`` (1 for days, 7 for weeks).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from analytics.clv.errors import InvalidTransactionsError

IntArray = npt.NDArray[np.int64]
SUMMARY_COLUMNS = ("x", "t_x", "T", "monetary", "first_purchase", "last_purchase")


def summarize_transactions(
    transactions: pd.DataFrame,
    *,
    calibration_end: dt.date,
    unit_days: float = 1.0,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
) -> pd.DataFrame:
    """One row per customer with a purchase on or before `calibration_end`.

    In: `transactions` with columns customer id, date (calendar dates in the
    store's timezone: `datetime.date`, ISO strings or datetimes, whose time of
    day is dropped) and amount (a number >= 0).
    Out: a frame indexed by customer id (sorted) with columns x (int),
    t_x and T (float, in units of `unit_days` days), monetary (float),
    first_purchase and last_purchase (`datetime.date`).
    """
    if isinstance(calibration_end, dt.datetime) or not isinstance(calibration_end, dt.date):
        raise InvalidTransactionsError(
            f"calibration_end must be a datetime.date, got {type(calibration_end).__name__}"
        )
    if not (np.isfinite(unit_days) and unit_days > 0):
        raise InvalidTransactionsError(f"unit_days must be > 0, got {unit_days!r}")
    missing = [c for c in (customer_col, date_col, amount_col) if c not in transactions.columns]
    if missing:
        raise InvalidTransactionsError(f"transactions lack the column(s) {', '.join(missing)}")
    if transactions[customer_col].isna().any():
        raise InvalidTransactionsError("transactions have rows without a customer id")
    try:
        dates = pd.to_datetime(transactions[date_col])
    except (ValueError, TypeError) as exc:
        raise InvalidTransactionsError(f"unreadable dates in {date_col!r}: {exc}") from exc
    if dates.isna().any():
        raise InvalidTransactionsError("transactions have rows without a date")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    try:
        amounts = pd.to_numeric(transactions[amount_col]).astype("float64")
    except (ValueError, TypeError) as exc:
        raise InvalidTransactionsError(f"non-numeric amounts in {amount_col!r}: {exc}") from exc
    if not np.all(np.isfinite(amounts.to_numpy())) or (amounts < 0).any():
        raise InvalidTransactionsError("amounts must be finite and >= 0")

    day = dates.to_numpy().astype("datetime64[D]").astype(np.int64)
    codes, customers = pd.factorize(transactions[customer_col], sort=True)
    return summarize_days(
        codes,
        day,
        amounts.to_numpy(),
        end_day=int(np.datetime64(calibration_end, "D").astype(np.int64)),
        unit_days=unit_days,
        customers=pd.Index(customers, name=customer_col),
    )


def daily_totals(
    customer: IntArray, day: IntArray, amount: npt.NDArray[Any]
) -> tuple[IntArray, IntArray, npt.NDArray[Any]]:
    """Rows of (customer key, day, amount) in any order → one row per customer and day
    (a purchase occasion: the day's amounts add up), sorted by customer and day."""
    if len(customer) > 1:
        step = np.diff(customer)
        if np.any(step < 0) or np.any((step == 0) & (np.diff(day) < 0)):
            order = np.lexsort((day, customer))
            customer, day, amount = customer[order], day[order], amount[order]
    new_day = np.ones(len(customer), dtype=bool)
    new_day[1:] = (customer[1:] != customer[:-1]) | (day[1:] != day[:-1])
    starts = np.flatnonzero(new_day)
    if len(starts) == len(customer):
        return customer, day, amount
    return customer[starts], day[starts], np.add.reduceat(amount, starts)


def summarize_days(
    customer: IntArray,
    day: IntArray,
    amount: npt.NDArray[Any],
    *,
    end_day: int,
    unit_days: float = 1.0,
    customers: pd.Index | None = None,
) -> pd.DataFrame:
    """The summary of `summarize_transactions` from parallel arrays: customer keys (int),
    local days (days since 1970-01-01) and amounts (int or float); days after `end_day`
    are ignored.

    Rows may come in any order and repeat a (customer, day). The result is indexed by
    the customer key, or by `customers[key]` when `customers` is given (keys then index
    into it)."""
    keep = day <= end_day
    if not keep.all():
        customer, day, amount = customer[keep], day[keep], amount[keep]
    keys, days, daily = daily_totals(customer, day, amount)
    new_customer = np.ones(len(keys), dtype=bool)
    new_customer[1:] = keys[1:] != keys[:-1]
    heads = np.flatnonzero(new_customer)
    ends = np.append(heads[1:], len(keys)) - 1 if len(heads) else heads  # each one's last day
    first, last = days[heads], days[ends]
    total = np.add.reduceat(daily, heads) if len(heads) else daily[:0]
    x = (ends - heads).astype(np.int64)
    repeat_total = np.where(x > 0, total - daily[heads], 0).astype(np.float64)
    index = pd.Index(keys[heads]) if customers is None else customers[keys[heads]]
    result = pd.DataFrame(
        {
            "x": x,
            "t_x": (last - first).astype("float64") / unit_days,
            "T": (end_day - first).astype("float64") / unit_days,
            "monetary": repeat_total / np.where(x > 0, x, 1),
            "first_purchase": first.astype("datetime64[D]").astype(object),
            "last_purchase": last.astype("datetime64[D]").astype(object),
        },
        index=index,
    )
    result.index.name = "customer_id" if customers is None else customers.name
    return result
