"""Top, rising and falling products, and the one-product report, on small
hand-built stores on SQLite and PostgreSQL.

NOW is Friday 2026-11-27 14:30 in Seoul. Last week is Mon 16 - Sun 22 and the
week before it Mon 9 - Sun 15.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from analytics.common import NoData, Store, Window
from analytics.products import ProductRanking, ProductReport, product_report, top_products
from storage.models import Product, Seller
from tests.factories import SEOUL, local, make_order, make_product, make_seller, make_visit

NOW = local(2026, 11, 27, 14, 30)
D = dt.date
LAST_WEEK = Window(D(2026, 11, 16), D(2026, 11, 22), NOW)


class Shop:
    def __init__(self, session: Session) -> None:
        self.seller: Seller = make_seller(session)
        self.store = Store(id=self.seller.id, timezone=SEOUL)
        self.mug: Product = make_product(session, self.seller, "머그컵", 12_000, stock=30)
        self.tumbler = make_product(session, self.seller, "텀블러", 20_000)
        self.spoon = make_product(session, self.seller, "스푼", 3_000)
        self.plate = make_product(session, self.seller, "접시", 8_000)


@pytest.fixture
def shop(session: Session) -> Shop:
    shop = Shop(session)
    s, mug, tumbler, spoon, plate = shop.seller, shop.mug, shop.tumbler, shop.spoon, shop.plate
    # last week
    make_order(session, s, local(2026, 11, 16, 10), [(mug, 2), (tumbler, 1)])
    make_order(session, s, local(2026, 11, 18, 10), [(tumbler, 3)])
    make_order(session, s, local(2026, 11, 20, 10), [(spoon, 10)])
    make_order(session, s, local(2026, 11, 21, 10), [(mug, 1, 10_000)])  # sold at a discount
    make_order(session, s, local(2026, 11, 22, 23, 30), [(plate, 1)])  # still Sunday locally
    make_order(session, s, local(2026, 11, 17, 10), [(mug, 10)], status="cancelled")
    make_order(session, s, local(2026, 11, 23, 0, 30), [(plate, 5)])  # this week
    # the week before
    make_order(session, s, local(2026, 11, 9, 0, 0), [(spoon, 5)])
    make_order(session, s, local(2026, 11, 10, 10), [(mug, 6)])
    make_order(session, s, local(2026, 11, 12, 10), [(tumbler, 1)])
    make_order(session, s, local(2026, 11, 15, 23, 59), [(mug, 2)])
    # another seller selling a lot in the same week
    other = make_seller(session, "other")
    bowl = make_product(session, other, "대접", 50_000)
    make_order(session, other, local(2026, 11, 18, 10), [(bowl, 40)])
    return shop


def _ranking(session: Session, shop: Shop, **kwargs: object) -> ProductRanking:
    ranking = top_products(session, shop.store, LAST_WEEK, **kwargs)  # type: ignore[arg-type]
    assert isinstance(ranking, ProductRanking)
    return ranking


def test_top_by_revenue(session: Session, shop: Shop) -> None:
    ranking = _ranking(session, shop)
    # tumbler 20,000 + 3×20,000; mug 2×12,000 + 10,000; spoon 10×3,000; plate 8,000
    assert [
        (i.name, i.current.revenue, i.current.units, i.current.orders) for i in ranking.items
    ] == [
        ("텀블러", 80_000, 4, 2),
        ("머그컵", 34_000, 3, 2),
        ("스푼", 30_000, 10, 1),
        ("접시", 8_000, 1, 1),
    ]
    assert (ranking.total.revenue, ranking.total.units, ranking.total.orders) == (152_000, 18, 5)
    assert ranking.items[0].share == pytest.approx(80_000 / 152_000)
    assert (ranking.previous_start, ranking.previous_end) == (D(2026, 11, 9), D(2026, 11, 15))
    mug = ranking.items[1]
    # the week before: 6×12,000 + 2×12,000
    assert (mug.previous.revenue, mug.previous.units) == (96_000, 8)
    assert (mug.revenue_change.absolute, mug.revenue_change.relative) == (
        -62_000,
        pytest.approx(34 / 96 - 1),
    )
    assert ranking.products_sold == 4 and ranking.eligible == 4


def test_top_by_units_with_a_limit(session: Session, shop: Shop) -> None:
    ranking = _ranking(session, shop, metric="units", limit=2)
    assert [(i.name, i.current.units) for i in ranking.items] == [("스푼", 10), ("텀블러", 4)]
    assert ranking.items[0].share == pytest.approx(10 / 18)


def test_rising_and_falling_need_volume(session: Session, shop: Shop) -> None:
    # tumbler went 1 → 4 units (+300 %) on a single earlier sale: not compared.
    # spoon 5 → 10 (+100 %) and mug 8 → 3 (−62.5 %) sold enough (≥ 5 before, ≥ 10 in all)
    rising = _ranking(session, shop, metric="units", direction="rising")
    assert [(i.name, i.units_change.relative) for i in rising.items] == [("스푼", 1.0)]
    assert rising.eligible == 2
    falling = _ranking(session, shop, metric="units", direction="falling")
    assert [(i.name, i.units_change.relative) for i in falling.items] == [("머그컵", -0.625)]
    by_revenue = _ranking(session, shop, direction="falling")
    assert [(i.name, i.revenue_change.absolute) for i in by_revenue.items] == [("머그컵", -62_000)]


def test_rising_with_the_volume_floor_lowered(session: Session, shop: Shop) -> None:
    rising = _ranking(
        session,
        shop,
        metric="units",
        direction="rising",
        min_previous_units=1,
        min_total_units=1,
    )
    # by the absolute change: spoon +5 units (+100 %) before tumbler +3 (+300 %)
    assert [(i.name, i.units_change.absolute, i.units_change.relative) for i in rising.items] == [
        ("스푼", 5, 1.0),
        ("텀블러", 3, 3.0),
    ]


def test_empty_window_unknown_and_no_orders(session: Session, shop: Shop) -> None:
    october = Window(D(2026, 10, 1), D(2026, 10, 31), NOW)
    assert top_products(session, shop.store, october) == NoData(
        reason="empty_period", detail={"start": "2026-10-01", "end": "2026-10-31"}
    )
    newcomer = make_seller(session, "new")
    assert top_products(session, Store(id=newcomer.id, timezone=SEOUL), LAST_WEEK) == NoData(
        reason="no_orders"
    )
    with pytest.raises(ValueError, match="unknown metric"):
        top_products(session, shop.store, LAST_WEEK, metric="profit")  # type: ignore[arg-type]


def test_product_report(session: Session) -> None:
    shop = Shop(session)
    s, mug, tumbler = shop.seller, shop.mug, shop.tumbler
    # the last 7 days (Fri 20 - Thu 26)
    o20 = make_order(session, s, local(2026, 11, 20, 9), [(mug, 2), (tumbler, 1)])
    o22 = make_order(session, s, local(2026, 11, 22, 12), [(mug, 1)])
    make_order(session, s, local(2026, 11, 26, 23, 30), [(mug, 3)])
    cancelled = make_order(session, s, local(2026, 11, 24, 9), [(mug, 5)], status="cancelled")
    # the previous 7 days (Fri 13 - Thu 19)
    make_order(session, s, local(2026, 11, 13, 10), [(mug, 2)])  # before the 14-day rate window
    o15 = make_order(session, s, local(2026, 11, 15, 10), [(mug, 4)])
    make_order(session, s, local(2026, 11, 19, 23, 59), [(mug, 1)])
    # today and long ago
    make_order(session, s, local(2026, 11, 27, 10), [(mug, 1)])
    make_order(session, s, local(2026, 11, 12, 10), [(mug, 10)])
    # landing visits
    make_visit(session, s, local(2026, 11, 20, 8, 55), product=mug, order=o20)
    make_visit(session, s, local(2026, 11, 22, 11, 50), product=mug, order=o22)
    make_visit(session, s, local(2026, 11, 24, 8, 50), product=mug, order=cancelled)
    make_visit(session, s, local(2026, 11, 25, 15), product=mug)
    make_visit(session, s, local(2026, 11, 21, 15), product=tumbler)
    make_visit(session, s, local(2026, 11, 15, 9, 50), product=mug, order=o15)
    make_visit(session, s, local(2026, 11, 16, 9, 50), product=mug)

    report = product_report(
        session, shop.store, mug.id, Window(D(2026, 11, 20), D(2026, 11, 26), NOW)
    )

    assert isinstance(report, ProductReport)
    assert (report.name, report.stock, report.granularity) == ("머그컵", 30, "day")
    current, previous = report.current, report.previous
    # 2×12,000 + 12,000 + 3×12,000; the cancelled order does not count
    assert (current.revenue, current.units, current.orders) == (72_000, 6, 3)
    # 4 landing visits, 2 ended in a paid order (the cancelled one does not convert)
    assert (current.visits, current.converted_visits, current.conversion_rate) == (4, 2, 0.5)
    # 2×12,000 + 4×12,000 + 12,000
    assert (previous.start, previous.end) == (D(2026, 11, 13), D(2026, 11, 19))
    assert (previous.revenue, previous.units, previous.orders) == (84_000, 7, 3)
    assert (previous.visits, previous.converted_visits) == (2, 1)
    assert (report.change.revenue.absolute, report.change.revenue.relative) == (
        -12_000,
        pytest.approx(72 / 84 - 1),
    )
    assert (report.change.visits.absolute, report.change.visits.relative) == (2, 1.0)
    assert report.change.conversion_rate is not None
    assert report.change.conversion_rate.absolute == 0.0
    assert [(b.start.date(), b.revenue, b.units) for b in report.series] == [
        (D(2026, 11, 20), 24_000, 2),
        (D(2026, 11, 21), 0, 0),
        (D(2026, 11, 22), 12_000, 1),
        (D(2026, 11, 23), 0, 0),
        (D(2026, 11, 24), 0, 0),
        (D(2026, 11, 25), 0, 0),
        (D(2026, 11, 26), 36_000, 3),
    ]
    # 14 days before now (Nov 13 14:30 - Nov 27 14:30): 4 + 1 + 2 + 1 + 3 + 1 = 12 units
    assert report.recent_units_per_day == pytest.approx(12 / 14)
    assert report.days_of_stock_left == pytest.approx(35.0)  # 30 / (12 / 14)
    assert report.stockout_date == D(2027, 1, 1)  # Nov 27 + 35 days


def test_product_report_today_stock_and_other_sellers(session: Session) -> None:
    shop = Shop(session)
    make_order(session, shop.seller, local(2026, 11, 27, 9, 10), [(shop.tumbler, 2)])
    today = Window(D(2026, 11, 27), D(2026, 11, 27), NOW)

    report = product_report(session, shop.store, shop.tumbler.id, today)
    assert isinstance(report, ProductReport)
    assert report.granularity == "hour" and len(report.series) == 15
    assert (report.series[9].revenue, report.current.revenue) == (40_000, 40_000)
    assert report.days_of_stock_left == pytest.approx(100 / (2 / 14))

    idle = product_report(session, shop.store, shop.spoon.id, today)
    assert isinstance(idle, ProductReport)
    assert (idle.current.units, idle.current.conversion_rate) == (0, None)
    assert (idle.days_of_stock_left, idle.stockout_date) == (None, None)

    shop.plate.stock = 0
    sold_out = product_report(session, shop.store, shop.plate.id, today)
    assert isinstance(sold_out, ProductReport)
    assert (sold_out.days_of_stock_left, sold_out.stockout_date) == (0.0, D(2026, 11, 27))

    other = make_seller(session, "other")
    theirs = make_product(session, other, "대접", 50_000)
    make_order(session, other, local(2026, 11, 27, 9), [(theirs, 3)])
    assert product_report(session, shop.store, theirs.id, today) == NoData(
        reason="unknown_product", detail={"product_id": theirs.id}
    )
    assert product_report(session, shop.store, 987_654, today) == NoData(
        reason="unknown_product", detail={"product_id": 987_654}
    )


def test_today_so_far_ranks_against_yesterday_at_the_same_time(session: Session) -> None:
    shop = Shop(session)
    s, mug, spoon = shop.seller, shop.mug, shop.spoon
    make_order(session, s, local(2026, 11, 27, 9), [(mug, 6)])
    make_order(session, s, local(2026, 11, 27, 14, 0), [(spoon, 5)])
    make_order(session, s, local(2026, 11, 27, 15, 0), [(spoon, 50)])  # after now
    make_order(session, s, local(2026, 11, 26, 10), [(mug, 5)])
    make_order(session, s, local(2026, 11, 26, 11), [(spoon, 6)])
    make_order(session, s, local(2026, 11, 26, 14, 31), [(mug, 20)])  # after yesterday's cut
    today = Window(D(2026, 11, 27), D(2026, 11, 27), NOW)

    rising = top_products(session, shop.store, today, metric="units", direction="rising")

    assert isinstance(rising, ProductRanking)
    assert (rising.previous_start, rising.previous_end, rising.so_far) == (
        D(2026, 11, 26),
        D(2026, 11, 26),
        True,
    )
    # mug 5 → 6 (+20 %), spoon 6 → 5 (−1/6): only the mug rises
    assert [(i.name, i.previous.units, i.current.units) for i in rising.items] == [("머그컵", 5, 6)]
    assert rising.items[0].units_change.relative == pytest.approx(0.2)
