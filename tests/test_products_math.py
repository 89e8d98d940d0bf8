"""Product rankings, one product's figures and its stock outlook on hand-built
sums, without a database.

Per product (current window | previous window), as orders / revenue / units:

    1 머그      5 /  72,000 /  6  |  4 /  60,000 /  5    +20 %
    2 텀블러    4 /  80,000 /  4  |  9 / 200,000 / 10    −60 %
    3 원두     10 / 100,000 / 20  |  2 /  10,000 /  2    +900 %, but 2 units before
    4 드립백    —                 | 12 /  60,000 / 12    −100 %
    5 필터      6 /  50,000 / 10  |  5 /  25,000 /  5    +100 %
    6 컵홀더   12 /  60,000 / 12  |  6 /  30,000 /  6    +100 % (bigger absolute)
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from analytics.common import Window
from analytics.products import (
    choose_products,
    product_change,
    product_period,
    ranked_products,
    stock_outlook,
    window_total,
)
from analytics.queries.products import ProductActivity, ProductName, ProductWindows
from analytics.queries.sales import OrderSums

SEOUL = ZoneInfo("Asia/Seoul")
NOW = dt.datetime(2026, 11, 27, 14, 30, tzinfo=SEOUL)

SUMS = {
    1: ProductWindows(OrderSums(5, 72_000, 6), OrderSums(4, 60_000, 5)),
    2: ProductWindows(OrderSums(4, 80_000, 4), OrderSums(9, 200_000, 10)),
    3: ProductWindows(OrderSums(10, 100_000, 20), OrderSums(2, 10_000, 2)),
    4: ProductWindows(OrderSums(), OrderSums(12, 60_000, 12)),
    5: ProductWindows(OrderSums(6, 50_000, 10), OrderSums(5, 25_000, 5)),
    6: ProductWindows(OrderSums(12, 60_000, 12), OrderSums(6, 30_000, 6)),
}


def _day(day: int) -> dt.datetime:
    return dt.datetime(2026, 11, day, tzinfo=SEOUL).astimezone(dt.UTC)


def test_top_by_revenue_and_by_units() -> None:
    by_revenue = choose_products(SUMS, "revenue", "top", 3)
    assert by_revenue.chosen == (3, 2, 1)  # 100,000, 80,000, 72,000
    assert (by_revenue.sold, by_revenue.eligible) == (5, 5)  # 4 sold nothing
    # units: 20, 12, 10, 6, 4
    assert choose_products(SUMS, "units", "top", 10).chosen == (3, 6, 5, 1, 2)


def test_rising_needs_volume_and_ranks_by_absolute_change() -> None:
    rising = choose_products(SUMS, "revenue", "rising", 5)

    # 6 +30,000, 5 +25,000, 1 +12,000; 3 (+90,000) sold only 2 before
    assert rising.chosen == (6, 5, 1)
    assert rising.eligible == 5  # 1, 2, 4, 5, 6
    assert choose_products(SUMS, "units", "rising", 5).chosen == (6, 5, 1)  # +6, +5, +1


def test_falling_biggest_drop_in_money_first() -> None:
    falling = choose_products(SUMS, "revenue", "falling", 5)

    # 2 lost 120,000 (−60 %), 4 lost 60,000 (−100 %): the bigger loss leads
    assert falling.chosen == (2, 4)
    # by units: 4 lost 12 (−100 %), 2 lost 6 (−60 %)
    assert choose_products(SUMS, "units", "falling", 5).chosen == (4, 2)


def test_volume_thresholds_are_parameters() -> None:
    # with 2 units before and 22 in all, 3 is compared: +900 % leads
    loose = choose_products(SUMS, "revenue", "rising", 5, min_previous_units=2)
    assert loose.chosen == (3, 6, 5, 1)
    # at least 15 units in both windows: 5 (15) and 6 (18); not 1 (11), 2 (14), 4 (12)
    strict = choose_products(SUMS, "units", "rising", 5, min_total_units=15)
    assert (strict.chosen, strict.eligible) == ((6, 5), 2)


def test_total_share_and_items() -> None:
    total = window_total(SUMS, paid=30)
    assert (total.revenue, total.units, total.orders) == (362_000, 52, 30)

    names = {3: ProductName(3, "원두", "B-3"), 2: ProductName(2, "텀블러", "T-2")}
    items = ranked_products((3, 2, 1), SUMS, names, total, "revenue")

    assert [item.product_id for item in items] == [3, 2]  # 1 has no name: not the seller's
    beans = items[0]
    assert (beans.name, beans.sku, beans.current.units, beans.previous.revenue) == (
        "원두",
        "B-3",
        20,
        10_000,
    )
    assert (beans.revenue_change.absolute, beans.revenue_change.relative) == (90_000, 9.0)
    assert beans.share == 100_000 / 362_000
    assert items[1].units_change.relative == -0.6
    assert ranked_products((3,), SUMS, names, total, "units")[0].share == 20 / 52


def test_one_product_period_and_daily_series() -> None:
    window = Window(dt.date(2026, 11, 24), dt.date(2026, 11, 27), NOW)
    activity = ProductActivity(
        buckets={_day(24): OrderSums(2, 24_000, 2), _day(27): OrderSums(1, 12_000, 1)},
        visits=40,
        converted=3,
    )

    period, series = product_period(activity, window, SEOUL, "day")

    assert (period.revenue, period.units, period.orders) == (36_000, 3, 3)
    assert (period.visits, period.converted_visits, period.conversion_rate) == (40, 3, 0.075)
    assert [(bucket.start.day, bucket.revenue) for bucket in series] == [
        (24, 24_000),
        (25, 0),
        (26, 0),
        (27, 12_000),
    ]


def test_one_product_change() -> None:
    window = Window(dt.date(2026, 11, 27), dt.date(2026, 11, 27), NOW)
    now, _ = product_period(ProductActivity({}, 40, 3), window, SEOUL, "hour")
    before, _ = product_period(
        ProductActivity({_day(26): OrderSums(2, 24_000, 2)}, 50, 5),
        window.previous(),
        SEOUL,
        "hour",
    )

    change = product_change(now, before)

    assert (change.revenue.absolute, change.revenue.relative) == (-24_000, -1.0)
    assert change.visits.absolute == -10
    assert change.visits.relative == pytest.approx(-0.2)  # 40 / 50 − 1
    assert change.conversion_rate is not None
    assert change.conversion_rate.absolute == pytest.approx(-0.025)  # 7.5 % − 10 %
    assert change.conversion_rate.relative == pytest.approx(-0.25)
    no_visits, _ = product_period(ProductActivity({}, 0, 0), window, SEOUL, "hour")
    assert no_visits.conversion_rate is None
    assert product_change(no_visits, before).conversion_rate is None


def test_stock_outlook() -> None:
    # 21 units in 14 days: 1.5 a day; 30 in stock last 20 days
    outlook = stock_outlook(30, 21, NOW)
    assert (outlook.units_per_day, outlook.days_left) == (1.5, 20.0)
    assert outlook.stockout_date == dt.date(2026, 12, 17)
    # 7 in stock at 1.5 a day: 4⅔ days, into the morning of Dec 2 (14:30 + 16 h)
    assert stock_outlook(7, 21, NOW).stockout_date == dt.date(2026, 12, 2)
    sold_out = stock_outlook(0, 21, NOW)
    assert (sold_out.days_left, sold_out.stockout_date) == (0.0, dt.date(2026, 11, 27))
    idle = stock_outlook(30, 0, NOW)
    assert (idle.units_per_day, idle.days_left, idle.stockout_date) == (0.0, None, None)
    # 100,000 at 1/14 a day: 1,400,000 days, beyond ten years: no date
    far = stock_outlook(100_000, 1, NOW)
    assert far.days_left == pytest.approx(1_400_000) and far.stockout_date is None
