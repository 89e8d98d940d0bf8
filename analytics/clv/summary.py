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

import numpy as np
import pandas as pd

from analytics.clv.errors import InvalidTransactionsError

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
    end = np.datetime64(calibration_end, "D").astype(np.int64)
    frame = pd.DataFrame(
        {"customer": transactions[customer_col].to_numpy(), "day": day, "amount": amounts}
    )
    frame = frame[frame["day"] <= end]
    daily = frame.groupby(["customer", "day"], sort=True, as_index=False)["amount"].sum()
    grouped = daily.groupby("customer", sort=True)
    first = grouped["day"].min()
    last = grouped["day"].max()
    occasions = grouped["day"].size()
    total = grouped["amount"].sum()
    first_amount = grouped["amount"].first()  # rows are sorted by day within a customer
    x = (occasions - 1).astype("int64")
    repeat_total = (total - first_amount).where(x > 0, 0.0)
    monetary = (repeat_total / x.where(x > 0, 1)).astype("float64")
    result = pd.DataFrame(
        {
            "x": x,
            "t_x": (last - first).astype("float64") / unit_days,
            "T": (end - first).astype("float64") / unit_days,
            "monetary": monetary,
            "first_purchase": first.to_numpy().astype("datetime64[D]").astype(object),
            "last_purchase": last.to_numpy().astype("datetime64[D]").astype(object),
        },
        index=first.index,
    )
    result.index.name = customer_col
    return result
