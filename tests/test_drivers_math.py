"""The sales drivers' pure maths (analytics.drivers) on hand-built rows: which
products, campaigns and keywords moved most, in which direction, the alerts kept
for a window and the ad days compared."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.common import Window
from analytics.coverage import daily_spans
from analytics.drivers import (
    Ranking,
    ad_days,
    campaign_movers,
    campaign_windows,
    direction_of,
    keyword_movers,
    product_movers,
    raised_alerts,
    rank_campaigns,
    rank_movers,
    rank_products,
)
from analytics.keywords import group_keywords
from analytics.queries.ads import AdSums, CampaignRow
from analytics.queries.drivers import OutboxAlert
from analytics.queries.keywords import KeywordRow
from analytics.queries.products import ProductName, ProductWindows
from analytics.queries.sales import OrderSums
from tests.factories import SEOUL

NOW = dt.datetime(2026, 11, 27, 14, 30, tzinfo=SEOUL)


def windows(before: tuple[int, int], after: tuple[int, int]) -> ProductWindows:
    """(revenue, units) before and after."""
    return ProductWindows(
        current=OrderSums(orders=1, revenue=after[0], units=after[1]),
        previous=OrderSums(orders=1, revenue=before[0], units=before[1]),
    )


def test_direction_is_the_sign_of_the_change() -> None:
    assert [direction_of(-1), direction_of(0), direction_of(3)] == ["down", "flat", "up"]


def test_drivers_move_with_the_total_and_offsets_against_it_largest_first() -> None:
    changes = {1: (-100,), 2: (30,), 3: (0,), 4: (-250,), 5: (-100,), 6: (45,)}
    # down: -250, then the two -100 by key; up movers are offsets; 3 did not move
    assert rank_movers(changes, "down", 3) == Ranking((4, 1, 5), (6, 2))
    assert rank_movers(changes, "down", 2) == Ranking((4, 1), (6, 2))
    assert rank_movers(changes, "up", 1) == Ranking((6,), (4,))
    # flat: every mover is a driver, by absolute size
    assert rank_movers(changes, "flat", 4) == Ranking((4, 1, 5, 6))


def test_ties_on_the_first_change_go_to_the_larger_next_change() -> None:
    changes = {"a": (-5, 0), "b": (-5, -2), "c": (-5, 3)}
    assert rank_movers(changes, "down", 3).drivers == ("c", "b", "a")


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        rank_movers({1: (1,)}, "up", 0)


def test_products_rank_by_absolute_revenue_change_not_percentage() -> None:
    # the grinder falls 3,748,500 (-50 %); the mug 110,000 -> 37,400 (-66 %) is smaller
    sums = {
        7: windows((7_497_000, 50), (3_748_500, 25)),
        8: windows((110_000, 10), (37_400, 4)),
        9: windows((200_000, 8), (260_000, 10)),
    }
    ranked = rank_products(sums, "down", 3)
    assert ranked == Ranking((7, 8), (9,))
    names = {7: ProductName(7, "그라인더", "G"), 8: ProductName(8, "머그", "M")}
    movers = product_movers(ranked, sums, names)
    # product 9 has no name (not the seller's): left out
    assert [
        (m.name, m.revenue.before, m.revenue.after, m.revenue.change) for m in movers.drivers
    ] == [
        ("그라인더", 7_497_000, 3_748_500, -3_748_500),
        ("머그", 110_000, 37_400, -72_600),
    ]
    assert movers.drivers[0].units.change == -25
    assert movers.offsets == []


def test_campaigns_rank_by_ad_revenue_then_spend() -> None:
    sums = {
        (1, False): AdSums(1_000, 40, 20_000, 3, 150_000),
        (1, True): AdSums(900, 30, 20_000, 1, 50_000),
        (2, True): AdSums(500, 20, 8_000, 1, 10_000),  # new this window
        (3, False): AdSums(100, 5, 4_000, 0, 0),  # paused, never converted
    }
    paired = campaign_windows(sums)
    assert paired[2] == (AdSums(500, 20, 8_000, 1, 10_000), AdSums())
    ranked = rank_campaigns(paired, "down", 3)
    # campaign 3 moved only in spend: its ad revenue did not change, so it is no mover
    assert ranked == Ranking((1,), (2,))
    rows = [CampaignRow(1, "가습기 광고", "search", None, None, None)]
    movers = campaign_movers(ranked, paired, rows)
    first = movers.drivers[0]
    assert (first.name, first.revenue.change, first.spend.change, first.conversions.before) == (
        "가습기 광고",
        -100_000,
        0,
        3,
    )
    # a campaign without a row is named by its id
    assert movers.offsets[0].name == "2"


def test_keywords_merge_spellings_and_rank_by_visits_then_purchases() -> None:
    now = group_keywords(
        [
            KeywordRow("가습기", 2, 1, 50_000),
            KeywordRow("가 습기", 1, 0, 0),
            KeywordRow("원두", 3, 1, 10_000),
            KeywordRow("그라인더", 2, 0, 0),
            KeywordRow(None, 9, 2, 70_000),  # no keyword: not a keyword mover
        ]
    )
    before = group_keywords([KeywordRow("가습기", 4, 1, 150_000), KeywordRow("원두", 1, 0, 0)])
    movers = keyword_movers(now, before, "down", 3)
    assert [
        (m.keyword, m.visits.before, m.visits.after, m.purchases.change) for m in movers.drivers
    ] == [("가습기", 4, 3, 0)]
    # 원두 and 그라인더 both +2 visits: 원두 also gained a purchase, so it comes first
    assert [(m.keyword, m.visits.change, m.purchases.change) for m in movers.offsets] == [
        ("원두", 2, 1),
        ("그라인더", 2, 0),
    ]


def test_a_keyword_gone_this_window_keeps_its_earlier_spelling() -> None:
    now = group_keywords([])
    before = group_keywords([KeywordRow("Tumbler", 3, 0, 0)])
    movers = keyword_movers(now, before, "down", 3)
    assert [(m.keyword, m.visits.after) for m in movers.drivers] == [("Tumbler", 0)]


def _sales_evidence(day: str) -> dict[str, object]:
    return {
        "family": "sales",
        "from_hour": 0,
        "to_hour": 24,
        "expected": 5.0,
        "actual": 3,
        "change": -0.4,
        "p_value": 0.01,
        "baseline": [5, 5],
        "baseline_dates": ["2026-11-19", "2026-11-12"],
        "dispersion": 0.0,
        "expected_revenue": 200_000,
        "actual_revenue": 130_000,
        "kind": "sales_drop_day",
        "local_date": day,
    }


def test_alerts_are_the_outbox_rows_naming_a_day_of_the_window() -> None:
    at = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
    rows = [
        OutboxAlert("sales_drop_day", _sales_evidence("2026-11-26"), at),
        OutboxAlert("sales_drop_day", _sales_evidence("2026-11-25"), at),  # another day
        OutboxAlert("digest", {"revenue": 1, "local_date": "2026-11-26"}, at),  # no alert
        OutboxAlert("sales_drop_day", {"local_date": "2026-11-26"}, at),  # broken evidence
    ]
    kept = raised_alerts(rows, dt.date(2026, 11, 26), dt.date(2026, 11, 26))
    assert [(a.kind, a.local_date, a.evidence.actual) for a in kept] == [
        ("sales_drop_day", dt.date(2026, 11, 26), 3)
    ]


def test_sales_alerts_come_first_then_each_kind_by_day() -> None:
    at = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
    ad = {
        "family": "ads",
        "campaign_id": 4,
        "metric": "ctr",
        "expected": 0.02,
        "actual": 0.01,
        "change": -0.5,
        "p_value": 0.001,
        "count_expected": 20.0,
        "count_actual": 10,
        "exposure": 1000,
        "baseline_count": 200,
        "baseline_exposure": 10000,
        "baseline_days": 12,
        "baseline_start": "2026-11-10",
        "baseline_end": "2026-11-25",
        "dispersion": 0.0,
        "local_date": "2026-11-26",
    }
    rows = [
        OutboxAlert("ad_ctr_drop", ad, at),
        OutboxAlert("sales_drop_day", _sales_evidence("2026-11-27"), at),
        OutboxAlert("sales_drop_day", _sales_evidence("2026-11-26"), at),
    ]
    kept = raised_alerts(rows, dt.date(2026, 11, 26), dt.date(2026, 11, 27))
    assert [(a.kind, a.local_date.day) for a in kept] == [
        ("sales_drop_day", 26),
        ("sales_drop_day", 27),
        ("ad_ctr_drop", 26),
    ]


def test_ad_days_leave_a_running_day_out_on_both_sides() -> None:
    # yesterday against the day before: both whole
    before = Window(dt.date(2026, 11, 25), dt.date(2026, 11, 25), NOW)
    day = Window(dt.date(2026, 11, 26), dt.date(2026, 11, 26), NOW, comparison=before)
    found = ad_days(daily_spans(day, SEOUL))
    assert found is not None
    assert (found.start, found.end, found.previous_start, found.previous_end) == (
        dt.date(2026, 11, 26),
        dt.date(2026, 11, 26),
        dt.date(2026, 11, 25),
        dt.date(2026, 11, 25),
    )
    # this week so far (Mon 23 - Fri 27 14:30) against last week cut at Fri 20 14:30:
    # Mon-Thu against Mon-Thu
    cut = dt.datetime(2026, 11, 20, 14, 30, tzinfo=SEOUL)
    last = Window(dt.date(2026, 11, 16), dt.date(2026, 11, 20), cut)
    week = Window(dt.date(2026, 11, 23), dt.date(2026, 11, 27), NOW, comparison=last)
    found = ad_days(daily_spans(week, SEOUL))
    assert found is not None
    assert (found.end, found.previous_end) == (dt.date(2026, 11, 26), dt.date(2026, 11, 19))
    # today alone: no whole day to compare
    yesterday_cut = Window(dt.date(2026, 11, 26), dt.date(2026, 11, 26), cut + dt.timedelta(days=6))
    today = Window(dt.date(2026, 11, 27), dt.date(2026, 11, 27), NOW, comparison=yesterday_cut)
    assert ad_days(daily_spans(today, SEOUL)) is None
