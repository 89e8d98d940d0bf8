"""The per-customer summary from integer days (what customer_summary feeds it from
the orders table): rows in any order, several orders on one day, days after the end."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analytics.clv.summary import summarize_days

# day 0 = 1970-01-01: day 90 is 1 April 1970
DAY_90 = dt.date(1970, 4, 1)


def _days(offset: int) -> dt.date:
    return DAY_90 + dt.timedelta(days=offset - 90)


def test_summary_from_unsorted_integer_days_by_hand() -> None:
    customer = np.array([7, 3, 7, 7, 3, 9], dtype=np.int64)
    day = np.array([100, 90, 100, 110, 95, 130], dtype=np.int64)
    amount = np.array([1_000, 500, 2_000, 4_000, 700, 900], dtype=np.int64)

    summary = summarize_days(customer, day, amount, end_day=120)

    # customer 3: days 90 (500) and 95 (700); customer 7: day 100 twice (3,000 in all)
    # and day 110 (4,000); customer 9 bought after the end only
    expected = pd.DataFrame(
        {
            "x": [1, 1],
            "t_x": [5.0, 10.0],
            "T": [30.0, 20.0],
            "monetary": [700.0, 4_000.0],
            "first_purchase": [_days(90), _days(100)],
            "last_purchase": [_days(95), _days(110)],
        },
        index=pd.Index([3, 7], name="customer_id"),
    )
    pd.testing.assert_frame_equal(summary, expected)


def test_summary_in_weeks_with_named_customers() -> None:
    customers = pd.Index(["ann", "bob"], name="who")
    summary = summarize_days(
        np.array([1, 0, 0], dtype=np.int64),
        np.array([93, 90, 104], dtype=np.int64),
        np.array([10.0, 20.0, 30.0]),
        end_day=97 + 14,
        unit_days=7.0,
        customers=customers,
    )
    assert summary.index.tolist() == ["ann", "bob"]
    assert summary.index.name == "who"
    assert summary.loc["ann", ["x", "t_x", "T", "monetary"]].tolist() == [1, 2.0, 3.0, 30.0]
    assert summary.loc["bob", ["x", "t_x", "T", "monetary"]].tolist() == [0, 0.0, 18 / 7, 0.0]


def test_no_purchase_days_give_an_empty_summary() -> None:
    none = np.empty(0, dtype=np.int64)
    summary = summarize_days(none, none, none, end_day=100)
    assert summary.empty
    assert list(summary.columns) == [
        "x",
        "t_x",
        "T",
        "monetary",
        "first_purchase",
        "last_purchase",
    ]
