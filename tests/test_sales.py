"""The sales report on small hand-built stores, on SQLite and PostgreSQL.

NOW is Friday 2026-11-27 14:30 in Seoul; mugs sell at 12,000 and tumblers at 20,000.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from analytics.common import NoData, Store, Window
from analytics.sales import Change, SalesReport, sales_report
from storage.models import Product, Seller
from tests.factories import SEOUL, local, make_order, make_product, make_seller

NOW = local(2026, 11, 27, 14, 30)
D = dt.date


def _shop(session: Session, slug: str = "shop") -> tuple[Seller, Store, Product, Product]:
    seller = make_seller(session, slug)
    mug = make_product(session, seller, "머그컵", 12_000)
    tumbler = make_product(session, seller, "텀블러", 20_000)
    return seller, Store(id=seller.id, timezone=SEOUL), mug, tumbler


def _pair(change: Change | None) -> tuple[int | float, float | None] | None:
    return None if change is None else (change.absolute, change.relative)


def _report(session: Session, store: Store, start: dt.date, end: dt.date) -> SalesReport:
    report = sales_report(session, store, Window(start, end, NOW))
    assert isinstance(report, SalesReport)
    return report


def test_today_so_far_against_same_time_yesterday_and_last_week(session: Session) -> None:
    seller, store, mug, tumbler = _shop(session)
    # today, Friday 27th
    make_order(session, seller, local(2026, 11, 27, 0, 30), [(tumbler, 1)])
    make_order(session, seller, local(2026, 11, 27, 9, 10), [(mug, 2), (tumbler, 1)])
    make_order(session, seller, local(2026, 11, 27, 13, 59), [(mug, 1)])
    make_order(session, seller, local(2026, 11, 27, 14, 20), [(tumbler, 1)], status="cancelled")
    make_order(session, seller, local(2026, 11, 27, 14, 40), [(mug, 5)])  # after now
    # yesterday, Thursday 26th
    make_order(session, seller, local(2026, 11, 26, 10, 0), [(tumbler, 2)])
    make_order(session, seller, local(2026, 11, 26, 11, 0), [(mug, 3)], status="refunded")
    make_order(session, seller, local(2026, 11, 26, 14, 29), [(mug, 1)])
    make_order(session, seller, local(2026, 11, 26, 14, 31), [(mug, 1)])  # after the cut
    make_order(session, seller, local(2026, 11, 26, 23, 30), [(mug, 1)])  # after the cut
    # last Friday, 20th
    make_order(session, seller, local(2026, 11, 20, 12, 0), [(mug, 1)])
    make_order(session, seller, local(2026, 11, 20, 16, 0), [(tumbler, 1)])  # after the cut

    report = _report(session, store, D(2026, 11, 27), D(2026, 11, 27))

    assert report.so_far and report.granularity == "hour" and not report.empty
    assert report.as_of == NOW
    totals = report.totals
    # 20,000 (00:30) + 2×12,000 + 20,000 (09:10) + 12,000 (13:59); the cancelled order
    # and the one after 14:30 do not count
    assert (totals.revenue, totals.orders, totals.units) == (76_000, 3, 5)
    assert totals.average_order_value == 25_333  # 76,000 / 3 = 25,333.3
    assert (totals.placed_orders, totals.cancelled_orders, totals.cancelled_amount) == (
        4,
        1,
        20_000,
    )
    assert totals.cancellation_rate == 0.25

    yesterday = report.previous
    assert yesterday.basis == "same_time_yesterday"
    assert (yesterday.start, yesterday.end) == (D(2026, 11, 26), D(2026, 11, 26))
    assert yesterday.cut_at == local(2026, 11, 26, 14, 30)
    # 2×20,000 (10:00) + 12,000 (14:29); the refund is reported apart
    assert (yesterday.totals.revenue, yesterday.totals.orders, yesterday.totals.units) == (
        52_000,
        2,
        3,
    )
    assert (yesterday.totals.refunded_orders, yesterday.totals.refunded_amount) == (1, 36_000)
    assert yesterday.totals.cancellation_rate == pytest.approx(1 / 3)
    assert _pair(yesterday.change.revenue) == (24_000, pytest.approx(76 / 52 - 1))
    assert _pair(yesterday.change.orders) == (1, 0.5)
    assert _pair(yesterday.change.average_order_value) == (
        25_333 - 26_000,
        pytest.approx(25_333 / 26_000 - 1),
    )

    last_week = report.last_week
    assert last_week is not None and last_week.basis == "same_time_last_week"
    assert (last_week.start, last_week.cut_at) == (D(2026, 11, 20), local(2026, 11, 20, 14, 30))
    assert (last_week.totals.revenue, last_week.totals.orders) == (12_000, 1)
    assert _pair(last_week.change.revenue) == (64_000, pytest.approx(76 / 12 - 1))

    # hours 0..14 of today, zero-filled; the series counts paid orders only
    assert [bucket.start for bucket in report.series] == [
        local(2026, 11, 27, hour) for hour in range(15)
    ]
    by_hour = {
        bucket.start.hour: (bucket.revenue, bucket.orders, bucket.units) for bucket in report.series
    }
    assert by_hour[0] == (20_000, 1, 1)
    assert by_hour[9] == (44_000, 1, 3)
    assert by_hour[13] == (12_000, 1, 1)
    assert by_hour[14] == (0, 0, 0)
    assert sum(bucket.revenue for bucket in report.series) == 76_000
    assert len(yesterday.series) == 15 and yesterday.series[10].revenue == 40_000


def test_a_past_day_is_whole_and_compared_with_the_day_before_and_last_week(
    session: Session,
) -> None:
    seller, store, mug, tumbler = _shop(session)
    make_order(session, seller, local(2026, 11, 26, 0, 30), [(mug, 1)])
    make_order(session, seller, local(2026, 11, 26, 23, 30), [(tumbler, 1)])
    make_order(session, seller, local(2026, 11, 25, 23, 59), [(mug, 2)])  # the day before
    make_order(session, seller, local(2026, 11, 27, 0, 0), [(mug, 9)])  # today
    make_order(session, seller, local(2026, 11, 19, 18, 0), [(tumbler, 3)])  # last Thursday

    report = _report(session, store, D(2026, 11, 26), D(2026, 11, 26))

    assert not report.so_far
    # 00:30 and 23:30 local both belong to the 26th (15:30 UTC on the 25th, 14:30 on the 26th)
    assert (report.totals.revenue, report.totals.orders) == (32_000, 2)
    assert len(report.series) == 24
    assert (report.series[0].revenue, report.series[23].revenue) == (12_000, 20_000)
    assert report.previous.basis == "previous_period"
    assert (report.previous.start, report.previous.cut_at) == (D(2026, 11, 25), None)
    assert report.previous.totals.revenue == 24_000
    assert _pair(report.previous.change.revenue) == (8_000, pytest.approx(1 / 3))
    assert report.last_week is not None
    assert report.last_week.basis == "same_weekday_last_week"
    assert report.last_week.totals.revenue == 60_000
    assert _pair(report.last_week.change.revenue) == (-28_000, pytest.approx(32 / 60 - 1))


def test_multi_day_window_daily_series_and_previous_period(session: Session) -> None:
    seller, store, mug, tumbler = _shop(session)
    # last 7 days = Fri 20 - Thu 26; the previous 7 days = Fri 13 - Thu 19
    make_order(session, seller, local(2026, 11, 20, 0, 30), [(mug, 1)])
    make_order(session, seller, local(2026, 11, 22, 12, 0), [(tumbler, 2)])
    make_order(session, seller, local(2026, 11, 26, 23, 30), [(mug, 1), (tumbler, 1)])
    make_order(session, seller, local(2026, 11, 23, 9, 0), [(tumbler, 1)], status="cancelled")
    make_order(session, seller, local(2026, 11, 19, 23, 59), [(mug, 4)])  # previous period
    make_order(session, seller, local(2026, 11, 13, 0, 0), [(tumbler, 1)])  # previous period
    make_order(session, seller, local(2026, 11, 12, 23, 59), [(tumbler, 5)])  # before both

    report = _report(session, store, D(2026, 11, 20), D(2026, 11, 26))

    assert report.granularity == "day" and report.days == 7 and not report.so_far
    # 12,000 + 2×20,000 + (12,000 + 20,000)
    assert (report.totals.revenue, report.totals.orders, report.totals.units) == (84_000, 3, 5)
    assert report.totals.average_order_value == 28_000
    assert report.totals.cancellation_rate == 0.25
    assert [(b.start.date(), b.revenue) for b in report.series] == [
        (D(2026, 11, 20), 12_000),
        (D(2026, 11, 21), 0),
        (D(2026, 11, 22), 40_000),
        (D(2026, 11, 23), 0),
        (D(2026, 11, 24), 0),
        (D(2026, 11, 25), 0),
        (D(2026, 11, 26), 32_000),
    ]
    assert report.series[0].start == local(2026, 11, 20, 0, 0)
    previous = report.previous
    assert (previous.start, previous.end) == (D(2026, 11, 13), D(2026, 11, 19))
    # 4×12,000 + 20,000
    assert (previous.totals.revenue, previous.totals.orders) == (68_000, 2)
    assert _pair(previous.change.revenue) == (16_000, pytest.approx(84 / 68 - 1))
    assert _pair(previous.change.cancellation_rate) == (0.25, None)
    assert report.last_week is None


def test_this_week_so_far_compares_with_the_same_cut(session: Session) -> None:
    seller, store, mug, _ = _shop(session)
    # this week = Mon 23 - Fri 27 14:30; previous = Wed 18 - Sun 22, cut at Sun 14:30
    make_order(session, seller, local(2026, 11, 23, 10, 0), [(mug, 1)])
    make_order(session, seller, local(2026, 11, 22, 14, 0), [(mug, 2)])
    make_order(session, seller, local(2026, 11, 22, 15, 0), [(mug, 3)])  # after the cut
    make_order(session, seller, local(2026, 11, 18, 0, 0), [(mug, 1)])

    report = _report(session, store, D(2026, 11, 23), D(2026, 11, 27))

    assert report.so_far and len(report.series) == 5
    assert report.previous.cut_at == local(2026, 11, 22, 14, 30)
    assert (report.previous.start, report.previous.end) == (D(2026, 11, 18), D(2026, 11, 22))
    assert report.previous.totals.revenue == 36_000  # 2×12,000 + 12,000
    assert report.totals.revenue == 12_000


def test_an_empty_period_is_a_report_of_zeros(session: Session) -> None:
    seller, store, mug, _ = _shop(session)
    make_order(session, seller, local(2026, 10, 1), [(mug, 1)])

    report = _report(session, store, D(2026, 11, 20), D(2026, 11, 26))

    assert report.empty
    totals = report.totals
    assert (totals.revenue, totals.orders, totals.placed_orders) == (0, 0, 0)
    assert totals.average_order_value is None and totals.cancellation_rate is None
    assert _pair(report.previous.change.revenue) == (0, None)
    assert report.previous.change.average_order_value is None
    assert [b.revenue for b in report.series] == [0] * 7


def test_only_this_sellers_orders_count(session: Session) -> None:
    seller, store, mug, _ = _shop(session)
    other, _, other_mug, _ = _shop(session, "other")
    make_order(session, seller, local(2026, 11, 27, 9), [(mug, 1)])
    make_order(session, other, local(2026, 11, 27, 9), [(other_mug, 7)])

    report = _report(session, store, D(2026, 11, 27), D(2026, 11, 27))

    assert (report.totals.revenue, report.totals.units) == (12_000, 1)


def test_no_orders_at_all_and_future_window_are_no_data(session: Session) -> None:
    _, store, _, _ = _shop(session)
    assert sales_report(session, store, Window(D(2026, 11, 27), D(2026, 11, 27), NOW)) == NoData(
        reason="no_orders"
    )
    assert sales_report(session, store, Window(D(2026, 11, 28), D(2026, 11, 30), NOW)) == NoData(
        reason="future_period", detail={"start": "2026-11-28"}
    )


def test_half_hour_timezone_buckets_by_local_hour(session: Session) -> None:
    kolkata = ZoneInfo("Asia/Kolkata")  # UTC+5:30
    seller, _, mug, _ = _shop(session)
    store = Store(id=seller.id, timezone=kolkata)
    # 10:15 and 10:45 local are 04:45 and 05:15 UTC: two UTC hours, one local hour
    make_order(session, seller, local(2026, 11, 27, 10, 15, tz=kolkata), [(mug, 1)])
    make_order(session, seller, local(2026, 11, 27, 10, 45, tz=kolkata), [(mug, 2)])
    make_order(session, seller, local(2026, 11, 27, 11, 10, tz=kolkata), [(mug, 3)])
    make_order(session, seller, local(2026, 11, 27, 0, 10, tz=kolkata), [(mug, 4)])
    make_order(session, seller, local(2026, 11, 26, 23, 50, tz=kolkata), [(mug, 5)])  # yesterday
    now = local(2026, 11, 27, 12, 0, tz=kolkata)

    report = sales_report(session, store, Window(D(2026, 11, 27), D(2026, 11, 27), now))

    assert isinstance(report, SalesReport)
    by_hour = {bucket.start.hour: bucket.units for bucket in report.series}
    assert len(report.series) == 12  # 00:00 .. 11:00
    assert (by_hour[0], by_hour[10], by_hour[11]) == (4, 3, 3)
    assert report.series[10].start == local(2026, 11, 27, 10, 0, tz=kolkata)
    assert report.totals.units == 10  # 4 + 1 + 2 + 3; 23:50 yesterday is not today
    assert report.previous.totals.units == 0  # and it is after yesterday's 12:00 cut


def test_daylight_saving_day_has_25_hours(session: Session) -> None:
    new_york = ZoneInfo("America/New_York")  # clocks go back at 02:00 EDT on Sun 2026-11-01
    seller, _, mug, _ = _shop(session)
    store = Store(id=seller.id, timezone=new_york)
    first = dt.datetime(2026, 11, 1, 1, 30, tzinfo=new_york)  # EDT, 05:30 UTC
    second = dt.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=new_york)  # EST, 06:30 UTC
    make_order(session, seller, first, [(mug, 1)])
    make_order(session, seller, second, [(mug, 2)])
    now = dt.datetime(2026, 11, 2, 9, 0, tzinfo=new_york)

    report = sales_report(session, store, Window(D(2026, 11, 1), D(2026, 11, 1), now))

    assert isinstance(report, SalesReport)
    assert len(report.series) == 25
    assert [(b.start.hour, b.units) for b in report.series[:4]] == [(0, 0), (1, 1), (1, 2), (2, 0)]
    assert report.totals.units == 3
