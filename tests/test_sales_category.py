"""The sales report's coverage rule, refunds and categories on hand-built stores,
on SQLite and PostgreSQL.

NOW is Friday 2026-11-27 14:30 in Seoul. Products: 머그컵 12,000 and 텀블러 20,000
in the category "컵", 딸기잼 8,000 in "식품".

    Nov  1 10:00  paid       잼 ×1                       (the store's first order)
    Nov 15 12:00  paid       텀블러 ×2, 잼 ×2            cups 40,000
    Nov 20 10:00  paid       머그컵 ×2, 잼 ×1            cups 24,000 (2 units)
    Nov 22 12:00  paid       텀블러 ×1, 머그컵 ×1        cups 32,000 (2 units), one order
    Nov 23 09:00  paid       잼 ×3                       no cup
    Nov 24 15:00  cancelled  텀블러 ×1                   cups 20,000
    Nov 25 11:00  refunded   머그컵 ×1, 잼 ×1            cups 12,000 (the jam's 8,000 is not a cup)
    Nov 27 09:20  paid       머그컵 ×1                   today, cups 12,000
    Nov 27 15:00  paid       텀블러 ×1                   after now

Last 7 days (Nov 20-26), cups only: revenue 24,000 + 32,000 = 56,000 from 2 orders
and 4 units; ordered 56,000 + 20,000 + 12,000 = 88,000, of which 20,000 cancelled
(22.7 %) and 12,000 refunded (13.6 %). The 7 days before (Nov 13-19): 40,000 in one
order, so +40 %. The whole store over the same days: paid 32,000 + 32,000 + 24,000
= 88,000 from 3 orders; ordered 88,000 + 20,000 + 20,000 = 128,000.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from analytics.common import NoData, Store, Window
from analytics.periods._calendar import Period
from analytics.sales import SalesReport, sales_report
from storage.models import Seller
from tests.factories import SEOUL, local, make_order, make_product, make_seller

NOW = local(2026, 11, 27, 14, 30)
D = dt.date
LAST_7_DAYS = Window(D(2026, 11, 20), D(2026, 11, 26), NOW)


def build(session: Session) -> tuple[Seller, Store]:
    seller = make_seller(session, "cups")
    mug = make_product(session, seller, "머그컵", 12_000, category="컵")
    tumbler = make_product(session, seller, "텀블러", 20_000, category="컵")
    jam = make_product(session, seller, "딸기잼", 8_000, category="식품")
    make_order(session, seller, local(2026, 11, 1, 10), [(jam, 1)])
    make_order(session, seller, local(2026, 11, 15, 12), [(tumbler, 2), (jam, 2)])
    make_order(session, seller, local(2026, 11, 20, 10), [(mug, 2), (jam, 1)])
    make_order(session, seller, local(2026, 11, 22, 12), [(tumbler, 1), (mug, 1)])
    make_order(session, seller, local(2026, 11, 23, 9), [(jam, 3)])
    make_order(session, seller, local(2026, 11, 24, 15), [(tumbler, 1)], status="cancelled")
    make_order(session, seller, local(2026, 11, 25, 11), [(mug, 1), (jam, 1)], status="refunded")
    make_order(session, seller, local(2026, 11, 27, 9, 20), [(mug, 1)])
    make_order(session, seller, local(2026, 11, 27, 15), [(tumbler, 1)])
    session.commit()
    return seller, Store(id=seller.id, timezone=SEOUL)


def report(
    session: Session, store: Store, window: Window, category: str | None = None
) -> SalesReport:
    found = sales_report(session, store, window, category=category)
    assert isinstance(found, SalesReport)
    return found


def test_a_category_counts_only_its_products_lines(session: Session) -> None:
    _, store = build(session)

    cups = report(session, store, LAST_7_DAYS, "컵")

    assert cups.category == "컵"
    t = cups.totals
    assert (t.revenue, t.orders, t.units, t.average_order_value) == (56_000, 2, 4, 28_000)
    assert (t.cancelled_orders, t.cancelled_amount, t.refunded_orders, t.refunded_amount) == (
        1,
        20_000,
        1,
        12_000,
    )
    assert t.ordered_amount == 88_000
    assert t.cancelled_share == pytest.approx(20_000 / 88_000)
    assert t.refunded_share == pytest.approx(12_000 / 88_000)
    assert [(b.start.day, b.revenue, b.orders) for b in cups.series] == [
        (20, 24_000, 1),
        (21, 0, 0),
        (22, 32_000, 1),
        (23, 0, 0),
        (24, 0, 0),
        (25, 0, 0),
        (26, 0, 0),
    ]
    previous = cups.previous
    assert (previous.start, previous.covered) == (D(2026, 11, 13), True)
    assert (previous.totals.revenue, previous.totals.orders) == (40_000, 1)
    assert previous.change.revenue.relative == pytest.approx(0.4)

    whole = report(session, store, LAST_7_DAYS)
    assert whole.category is None
    assert (whole.totals.revenue, whole.totals.orders, whole.totals.ordered_amount) == (
        88_000,
        3,
        128_000,
    )


def test_a_category_today_so_far_is_hourly_and_cut_at_now(session: Session) -> None:
    _, store = build(session)
    today = Window(D(2026, 11, 27), D(2026, 11, 27), NOW)

    cups = report(session, store, today, "컵")

    assert (cups.totals.revenue, cups.totals.orders) == (12_000, 1)  # 15:00 is after now
    assert len(cups.series) == 15 and cups.series[9].revenue == 12_000
    assert cups.previous.totals.revenue == 0  # Nov 26 until 14:30: no order


def test_a_category_is_matched_as_stored_and_an_unknown_one_is_no_data(
    session: Session,
) -> None:
    seller, store = build(session)
    espresso = make_product(session, seller, "Espresso cup", 9_000, category="Cups")
    tea = make_product(session, seller, "Tea cup", 7_000, category="cups ")  # one category
    make_order(session, seller, local(2026, 11, 21, 10), [(espresso, 1), (tea, 2)])
    session.commit()

    cups = report(session, store, LAST_7_DAYS, " CUPS ")
    assert cups.category == "Cups"  # the oldest product's spelling
    assert (cups.totals.revenue, cups.totals.orders, cups.totals.units) == (23_000, 1, 3)
    assert sales_report(session, store, LAST_7_DAYS, category="커피") == NoData(
        reason="unknown_category", detail={"category": "커피", "known": "Cups, 식품, 컵"}
    )


def test_a_comparison_before_the_first_order_gets_no_percentage(session: Session) -> None:
    _, store = build(session)
    # this year so far against the same days of 2025: the data starts on Nov 1 2026
    year = Period(D(2026, 1, 1), D(2026, 11, 27), "this_year").window(NOW, SEOUL)

    ytd = report(session, store, year)

    assert ytd.data_start == D(2026, 11, 1)
    # paid: 8,000 + 56,000 + 32,000 + 32,000 + 24,000 + 12,000 (today until 14:30)
    assert ytd.totals.revenue == 164_000
    previous = ytd.previous
    assert (previous.basis, previous.start, previous.covered) == (
        "previous_year",
        D(2025, 1, 1),
        False,
    )
    assert (previous.change.revenue.absolute, previous.change.revenue.relative) == (164_000, None)

    # November so far against October 1-27: October is before the data too
    november = report(
        session, store, Period(D(2026, 11, 1), D(2026, 11, 27), "this_month").window(NOW, SEOUL)
    )
    assert (november.previous.start, november.previous.covered) == (D(2026, 10, 1), False)
    # Nov 2-8 against Oct 26 - Nov 1 is not covered; Nov 8-14 against Nov 1-7 is
    assert not report(session, store, Window(D(2026, 11, 2), D(2026, 11, 8), NOW)).previous.covered
    assert report(session, store, Window(D(2026, 11, 8), D(2026, 11, 14), NOW)).previous.covered
