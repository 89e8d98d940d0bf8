"""The sales report's figures on hand-built order sums, without a database.

The window is Friday 2026-11-27 in Seoul, cut at 14:30 (today so far). Today:
two paid orders (09:xx for 12,000 / 1 unit; 13:xx for 13,001 / 2 units), one
cancelled (20,000) and one refunded (36,000). Yesterday at the same time: four
paid orders for 40,000 and 5 units.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from analytics.common import Window
from analytics.queries.sales import BucketSums, OrderSums
from analytics.sales import (
    comparison,
    round_half_up,
    sales_change,
    sales_series,
    sales_totals,
)

SEOUL = ZoneInfo("Asia/Seoul")
NOW = dt.datetime(2026, 11, 27, 14, 30, tzinfo=SEOUL)
TODAY = Window(dt.date(2026, 11, 27), dt.date(2026, 11, 27), NOW)


def _at(day: int, hour: int = 0) -> dt.datetime:
    """The UTC key of a local hour (or, at hour 0, a local day) in November 2026."""
    return dt.datetime(2026, 11, day, hour, tzinfo=SEOUL).astimezone(dt.UTC)


def _today() -> BucketSums:
    return {
        (_at(27, 9), "paid"): OrderSums(orders=1, revenue=12_000, units=1),
        (_at(27, 13), "paid"): OrderSums(orders=1, revenue=13_001, units=2),
        (_at(27, 10), "cancelled"): OrderSums(orders=1, revenue=20_000, units=1),
        (_at(27, 11), "refunded"): OrderSums(orders=1, revenue=36_000, units=3),
    }


def test_round_half_up_rounds_halves_away_from_zero() -> None:
    assert round_half_up(5, 2) == 3
    assert round_half_up(-5, 2) == -3
    assert round_half_up(7, 3) == 2
    assert round_half_up(25_001, 2) == 12_501


def test_totals_count_only_paid_orders_as_sales() -> None:
    totals = sales_totals(_today())

    assert (totals.revenue, totals.orders, totals.units) == (25_001, 2, 3)
    assert totals.average_order_value == 12_501  # 12,500.5 rounded half up
    assert totals.placed_orders == 4
    assert (totals.cancelled_orders, totals.cancelled_amount) == (1, 20_000)
    assert (totals.refunded_orders, totals.refunded_amount) == (1, 36_000)
    assert totals.cancellation_rate == 0.5  # (1 + 1) / 4


def test_refunds_and_cancellations_are_shares_of_the_amount_ordered() -> None:
    totals = sales_totals(_today())

    # ordered: 12,000 + 13,001 paid, 20,000 cancelled, 36,000 refunded
    assert totals.ordered_amount == 81_001
    assert totals.cancelled_share == pytest.approx(20_000 / 81_001)
    assert totals.refunded_share == pytest.approx(36_000 / 81_001)
    nothing = sales_totals({})
    assert (nothing.ordered_amount, nothing.cancelled_share, nothing.refunded_share) == (
        0,
        None,
        None,
    )


def test_a_comparison_the_data_does_not_cover_has_no_relative_change() -> None:
    today = sales_totals(_today())
    yesterday = TODAY.previous()
    sums: BucketSums = {(_at(26, 10), "paid"): OrderSums(4, 40_000, 5)}

    uncovered = comparison(
        sums, yesterday, "same_time_yesterday", today, SEOUL, "hour", cut=True, covered=False
    )

    assert uncovered.covered is False
    assert uncovered.totals.revenue == 40_000  # what the data holds is still shown
    change = uncovered.change
    assert (change.revenue.absolute, change.revenue.relative) == (-14_999, None)
    assert (change.orders.relative, change.units.relative) == (None, None)
    assert change.average_order_value is not None
    assert change.average_order_value.relative is None
    assert change.cancellation_rate is not None and change.cancellation_rate.relative is None


def test_totals_add_the_same_status_across_buckets() -> None:
    sums: BucketSums = {
        (_at(25), "paid"): OrderSums(orders=2, revenue=30_000, units=3),
        (_at(26), "paid"): OrderSums(orders=1, revenue=10_000, units=1),
        (_at(26), "cancelled"): OrderSums(orders=1, revenue=5_000, units=1),
    }
    totals = sales_totals(sums)

    assert (totals.revenue, totals.orders, totals.units) == (40_000, 3, 4)
    assert totals.average_order_value == 13_333  # 13,333.3
    assert totals.cancellation_rate == 0.25


def test_totals_of_nothing_have_no_ratios() -> None:
    totals = sales_totals({})

    assert (totals.revenue, totals.orders, totals.units, totals.placed_orders) == (0, 0, 0, 0)
    assert totals.average_order_value is None
    assert totals.cancellation_rate is None


def test_hourly_series_runs_to_the_cut_hour_with_zeros_and_paid_only() -> None:
    series = sales_series(_today(), TODAY, SEOUL, "hour")

    assert [bucket.start.hour for bucket in series] == list(range(15))  # 00:00 .. 14:00
    assert series[0].start == dt.datetime(2026, 11, 27, 0, tzinfo=SEOUL)
    assert (series[9].revenue, series[9].orders, series[9].units) == (12_000, 1, 1)
    assert (series[13].revenue, series[13].orders, series[13].units) == (13_001, 1, 2)
    assert series[10].revenue == 0 and series[11].revenue == 0  # cancelled, refunded
    assert sum(bucket.revenue for bucket in series) == 25_001


def test_daily_series_covers_each_day_to_today() -> None:
    window = Window(dt.date(2026, 11, 24), dt.date(2026, 11, 30), NOW)
    sums: BucketSums = {
        (_at(24), "paid"): OrderSums(orders=2, revenue=24_000, units=2),
        (_at(27), "paid"): OrderSums(orders=1, revenue=20_000, units=1),
        (_at(27), "refunded"): OrderSums(orders=1, revenue=9_000, units=1),
    }
    series = sales_series(sums, window, SEOUL, "day")

    assert [bucket.start.day for bucket in series] == [24, 25, 26, 27]  # none after today
    assert [bucket.revenue for bucket in series] == [24_000, 0, 0, 20_000]
    assert [bucket.orders for bucket in series] == [2, 0, 0, 1]


def test_change_against_yesterday() -> None:
    today = sales_totals(_today())
    yesterday = sales_totals({(_at(26, 10), "paid"): OrderSums(4, 40_000, 5)})

    change = sales_change(today, yesterday)

    assert change.revenue.absolute == -14_999
    assert change.revenue.relative == pytest.approx(-0.374975)  # 25,001 / 40,000 − 1
    assert (change.orders.absolute, change.orders.relative) == (-2, -0.5)
    assert change.units.absolute == -2
    assert change.units.relative == pytest.approx(-0.4)
    assert change.average_order_value is not None
    assert change.average_order_value.absolute == 2_501  # 12,501 − 10,000
    assert change.average_order_value.relative == pytest.approx(0.2501)
    # 0 % → 50 % cancelled: half a rate point up, no relative change from zero
    assert change.cancellation_rate is not None
    assert (change.cancellation_rate.absolute, change.cancellation_rate.relative) == (0.5, None)


def test_change_without_orders_on_either_side_has_no_average_change() -> None:
    change = sales_change(sales_totals({}), sales_totals({}))

    assert (change.revenue.absolute, change.revenue.relative) == (0, None)
    assert change.average_order_value is None
    assert change.cancellation_rate is None


def test_comparison_is_cut_at_its_own_now_when_so_far() -> None:
    today = sales_totals(_today())
    yesterday = TODAY.previous()
    sums: BucketSums = {(_at(26, 10), "paid"): OrderSums(4, 40_000, 5)}

    cut = comparison(sums, yesterday, "same_time_yesterday", today, SEOUL, "hour", cut=True)
    whole = comparison(sums, yesterday, "previous_period", today, SEOUL, "hour", cut=False)

    assert cut.cut_at == dt.datetime(2026, 11, 26, 14, 30, tzinfo=SEOUL)
    assert whole.cut_at is None
    assert (cut.start, cut.end) == (dt.date(2026, 11, 26), dt.date(2026, 11, 26))
    assert cut.totals.revenue == 40_000 and cut.change.revenue.absolute == -14_999
    assert len(cut.series) == 15 and cut.series[10].orders == 4
