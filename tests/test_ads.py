"""Ad efficiency on a hand-built store, figures computed by hand, on both backends.

The store (Asia/Seoul), week Mon 2026-11-09 .. Sun 11-15, asked on Mon 11-16 09:00:

  product   price   cost   margin          campaign     current week                         previous week
  사과     20,000  14,000  0.3 (BE 10/3)   A 사과 검색  11-09 1000 imp 50 clk 30,000 3 conv 60,000   11-05 1000/40/40,000/4/100,000
                                                        11-15 1000 imp 30 clk 20,000 1 conv 20,000
  배       10,000   5,000  0.5 (BE 2)      B 배 쇼핑    11-10 3000/100/20,000/10/150,000          -
  귤       10,000    -     seller 11/30    D 귤         11-13 100/3/1,000/0/0                     -
  -                        seller 11/30    C 브랜드     11-12 500/0/0/0/0                         -

Seller margin from products with a known cost: (6,000 + 5,000) / (20,000 + 10,000) = 11/30.
Rows on 11-01 and 11-16 are outside both weeks; another seller's campaign has rows in the week.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from analytics.ads import AdReport, ad_report
from analytics.common import NoData, Store, Window
from storage.models import AdCampaign, Seller
from tests.factories import local, make_ad_day, make_campaign, make_product, make_seller

SEOUL = ZoneInfo("Asia/Seoul")
WEEK = Window(dt.date(2026, 11, 9), dt.date(2026, 11, 15), local(2026, 11, 16, 9))


def approx(value: float) -> object:
    return pytest.approx(value, rel=1e-12)


def day(d: int) -> dt.date:
    return dt.date(2026, 11, d)


def build_store(session: Session) -> tuple[Seller, dict[str, AdCampaign]]:
    seller = make_seller(session, "shop")
    apple = make_product(session, seller, "사과 1kg", 20_000, cost=14_000)
    pear = make_product(session, seller, "배", 10_000, cost=5_000)
    tangerine = make_product(session, seller, "귤", 10_000)
    a = make_campaign(session, seller, "사과 검색", product=apple)
    b = make_campaign(session, seller, "배 쇼핑", product=pear)
    c = make_campaign(session, seller, "브랜드")
    d = make_campaign(session, seller, "귤", product=tangerine)
    stats = [
        (a, 1, 9_999, 999, 99_999, 99, 999_999),  # before the previous week
        (a, 5, 1_000, 40, 40_000, 4, 100_000),
        (a, 9, 1_000, 50, 30_000, 3, 60_000),
        (a, 15, 1_000, 30, 20_000, 1, 20_000),
        (a, 16, 9_999, 999, 99_999, 99, 999_999),  # today, after the window
        (b, 10, 3_000, 100, 20_000, 10, 150_000),
        (c, 12, 500, 0, 0, 0, 0),
        (d, 13, 100, 3, 1_000, 0, 0),
    ]
    for campaign, d_, impressions, clicks, spend, conversions, revenue in stats:
        make_ad_day(
            session,
            campaign,
            day(d_),
            impressions=impressions,
            clicks=clicks,
            spend=spend,
            conversions=conversions,
            conversion_revenue=revenue,
        )
    other = make_seller(session, "other")
    theirs = make_campaign(session, other, "남의 캠페인")
    make_ad_day(
        session,
        theirs,
        day(10),
        impressions=7_777,
        clicks=777,
        spend=77_777,
        conversions=77,
        conversion_revenue=7_777_777,
    )
    session.commit()
    return seller, {"A": a, "B": b, "C": c, "D": d, "other": theirs}


def store_of(seller: Seller) -> Store:
    return Store(id=seller.id, timezone=SEOUL)


def test_totals_per_campaign_ratios_and_previous_week(session: Session) -> None:
    seller, campaigns = build_store(session)
    report = ad_report(session, store_of(seller), WEEK)
    assert isinstance(report, AdReport)
    assert (report.start, report.end) == (day(9), day(15))
    assert (report.previous_start, report.previous_end) == (day(2), day(8))

    # most spend first; the other seller's campaign is not there
    assert [row.name for row in report.campaigns] == ["사과 검색", "배 쇼핑", "귤", "브랜드"]
    a, b, d, c = report.campaigns

    assert a.current.model_dump() == {
        "spend": 50_000,
        "impressions": 2_000,
        "clicks": 80,
        "conversions": 4,
        "revenue": 80_000,
        "ctr": approx(0.04),
        "cpc": 625,
        "cvr": approx(0.05),
        "roas": approx(1.6),
        "cpa": 12_500,
    }
    assert a.previous.model_dump() == {
        "spend": 40_000,
        "impressions": 1_000,
        "clicks": 40,
        "conversions": 4,
        "revenue": 100_000,
        "ctr": approx(0.04),
        "cpc": 1_000,
        "cvr": approx(0.1),
        "roas": approx(2.5),
        "cpa": 10_000,
    }
    assert a.change.model_dump() == {
        "spend": approx(0.25),
        "impressions": approx(1.0),
        "clicks": approx(1.0),
        "conversions": approx(0.0),
        "revenue": approx(-0.2),
        "ctr": approx(0.0),
        "cpc": approx(-0.375),
        "cvr": approx(-0.5),
        "roas": approx(-0.36),
        "cpa": approx(0.25),
    }

    assert (b.current.ctr, b.current.cpc, b.current.cvr) == (approx(1 / 30), 200, approx(0.1))
    assert (b.current.roas, b.current.cpa) == (approx(7.5), 2_000)
    # no previous spend: the previous figures are zero and every change is unknown
    assert b.previous.spend == 0 and b.previous.roas is None
    assert set(b.change.model_dump().values()) == {None}

    # 500 impressions and no click: CTR 0, nothing else divides by zero
    assert c.current.model_dump() == {
        "spend": 0,
        "impressions": 500,
        "clicks": 0,
        "conversions": 0,
        "revenue": 0,
        "ctr": 0.0,
        "cpc": None,
        "cvr": None,
        "roas": None,
        "cpa": None,
    }
    # 1,000 spent on 3 clicks: CPC 333.33 rounds to 333; no conversion, CPA unknown
    assert (d.current.cpc, d.current.cvr, d.current.roas, d.current.cpa) == (333, 0.0, 0.0, None)

    total = report.total
    assert total.current.model_dump() == {
        "spend": 71_000,
        "impressions": 5_600,
        "clicks": 183,
        "conversions": 14,
        "revenue": 230_000,
        "ctr": approx(183 / 5_600),
        "cpc": 388,  # 387.98
        "cvr": approx(14 / 183),
        "roas": approx(230 / 71),
        "cpa": 5_071,  # 5,071.43
    }
    assert (total.previous.spend, total.previous.revenue) == (40_000, 100_000)
    assert total.change.spend == approx(0.775)
    assert total.change.roas == approx((230 / 71) / 2.5 - 1)


def test_break_even_from_product_cost_else_seller_average_and_losers(session: Session) -> None:
    seller, _ = build_store(session)
    report = ad_report(session, store_of(seller), WEEK)
    assert isinstance(report, AdReport)
    a, b, d, c = report.campaigns
    assert report.seller_margin == approx(11 / 30)

    assert (a.margin, a.margin_source, a.break_even_roas) == (
        approx(0.3),
        "product_cost",
        approx(10 / 3),
    )
    assert (b.margin, b.margin_source, b.break_even_roas) == (
        approx(0.5),
        "product_cost",
        approx(2.0),
    )
    # 귤 has no cost, 브랜드 no product: the seller's average margin
    for row in (c, d):
        assert (row.margin, row.margin_source) == (approx(11 / 30), "seller_average")
        assert row.break_even_roas == approx(30 / 11)

    # A: ROAS 1.6 < 3.33, 80,000 × 0.3 − 50,000 = −26,000; B: 150,000 × 0.5 − 20,000 = 55,000
    assert (a.loses_money, a.estimated_profit) == (True, -26_000)
    assert (b.loses_money, b.estimated_profit) == (False, 55_000)
    assert (c.loses_money, c.estimated_profit) == (False, 0)  # spent nothing
    assert (d.loses_money, d.estimated_profit) == (True, -1_000)
    assert [lost.model_dump() for lost in report.losing] == [
        {
            "campaign_id": a.campaign_id,
            "name": "사과 검색",
            "spend": 50_000,
            "revenue": 80_000,
            "roas": approx(1.6),
            "break_even_roas": approx(10 / 3),
            "estimated_loss": 26_000,
        },
        {
            "campaign_id": d.campaign_id,
            "name": "귤",
            "spend": 1_000,
            "revenue": 0,
            "roas": 0.0,
            "break_even_roas": approx(30 / 11),
            "estimated_loss": 1_000,
        },
    ]
    # total: gross margin 24,000 + 75,000 = 99,000 on 230,000 revenue and 71,000 spend
    assert report.total.estimated_profit == 28_000
    assert report.total.loses_money is False
    assert report.total.break_even_roas == approx(230_000 / 99_000)


def test_default_margin_when_no_cost_is_known(session: Session) -> None:
    seller = make_seller(session, "nocost")
    product = make_product(session, seller, "양말", 5_000)
    campaign = make_campaign(session, seller, "양말 광고", product=product)
    make_ad_day(
        session,
        campaign,
        day(11),
        impressions=1_000,
        clicks=20,
        spend=10_000,
        conversions=2,
        conversion_revenue=35_000,
    )
    session.commit()

    report = ad_report(session, store_of(seller), WEEK)
    assert isinstance(report, AdReport)
    (row,) = report.campaigns
    assert report.seller_margin is None
    # ROAS 3.5 beats the default break-even 1 / 0.3 = 3.33: 35,000 × 0.3 − 10,000 = 500
    assert (row.margin_source, row.break_even_roas) == ("default", approx(10 / 3))
    assert (row.current.roas, row.estimated_profit, row.loses_money) == (approx(3.5), 500, False)
    assert report.losing == []

    # at a 25 % margin the same ROAS 3.5 is below break-even 4: 35,000 × 0.25 − 10,000 = −1,250
    thinner = ad_report(session, store_of(seller), WEEK, default_margin=0.25)
    assert isinstance(thinner, AdReport)
    (row,) = thinner.campaigns
    assert (row.break_even_roas, row.estimated_profit, row.loses_money) == (4.0, -1_250, True)
    assert [lost.estimated_loss for lost in thinner.losing] == [1_250]
    assert thinner.default_margin == 0.25


def test_one_campaign_and_another_sellers_campaign(session: Session) -> None:
    seller, campaigns = build_store(session)
    store = store_of(seller)
    report = ad_report(session, store, WEEK, campaign_id=campaigns["A"].id)
    assert isinstance(report, AdReport)
    assert [row.name for row in report.campaigns] == ["사과 검색"]
    assert (report.total.current.spend, report.total.current.revenue) == (50_000, 80_000)
    assert report.total.break_even_roas == approx(10 / 3)
    assert report.total.estimated_profit == -26_000

    for unknown in (campaigns["other"].id, 999_999):
        assert ad_report(session, store, WEEK, campaign_id=unknown) == NoData(
            reason="unknown_campaign", detail={"campaign_id": unknown}
        )


def test_a_window_of_today_alone_shows_its_row_so_far_without_a_comparison(
    session: Session,
) -> None:
    # Mon 11-16 .. Sun 11-22 asked on Mon 11-16 at 09:00: today's row is incomplete, and
    # there is no complete day to compare (it used to meet all of Mon 11-09: 99,999 spent
    # so far against 30,000 for a whole day)
    seller, _ = build_store(session)
    window = Window(day(16), day(22), local(2026, 11, 16, 9))
    report = ad_report(session, store_of(seller), window)
    assert isinstance(report, AdReport)
    assert (report.start, report.end, report.partial_day, report.compared_end) == (
        day(16),
        day(16),
        day(16),
        None,
    )
    assert [row.name for row in report.campaigns] == ["사과 검색"]
    (a,) = report.campaigns
    assert (a.current.spend, a.current.clicks, a.previous.spend, a.compared.spend) == (
        99_999,
        999,
        0,
        0,
    )
    assert set(a.change.model_dump().values()) == {None}
    assert set(report.total.change.model_dump().values()) == {None}
    assert report.drops == []


def test_nothing_to_report(session: Session) -> None:
    seller, campaigns = build_store(session)
    store = store_of(seller)
    long_ago = Window(dt.date(2025, 1, 1), dt.date(2025, 1, 7), local(2026, 11, 16, 9))
    assert ad_report(session, store, long_ago) == NoData(
        reason="empty_period", detail={"start": "2025-01-01", "end": "2025-01-07"}
    )
    future = Window(day(20), day(21), local(2026, 11, 16, 9))
    assert ad_report(session, store, future) == NoData(
        reason="future_period", detail={"start": "2026-11-20"}
    )

    quiet = make_seller(session, "quiet")
    idle = make_campaign(session, quiet, "멈춘 광고")
    session.commit()
    assert ad_report(session, store_of(quiet), WEEK) == NoData(reason="no_ads")
    assert ad_report(session, store_of(quiet), WEEK, campaign_id=idle.id) == NoData(
        reason="no_ads", detail={"campaign_id": idle.id}
    )
    assert ad_report(session, store_of(make_seller(session, "empty")), WEEK) == NoData(
        reason="no_ads"
    )
