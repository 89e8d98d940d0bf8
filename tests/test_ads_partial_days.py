"""The ad report's partial-day and coverage rules on hand-built stores, figures
computed by hand, on both backends.

Campaign "머그컵 검색" (Asia/Seoul), asked on Wed 2026-11-18 at 09:00:

    date     impressions  clicks  spend   conversions  revenue
    11-09    1,000        100     10,000  5            50,000     last week Mon
    11-10    1,000        100     10,000  5            50,000     last week Tue
    11-11    1,000        100     10,000  5            50,000     last week Wed (today's counterpart)
    11-16    1,200        120     12,000  6            48,000     this week Mon
    11-17    1,200        120     12,000  6            48,000     this week Tue
    11-18      300         30      3,000  1            10,000     today so far

This week so far shows 27,000 spent (today's row included) but compares Mon-Tue
with last Mon-Tue: 24,000 against 20,000 is +20 %, ROAS 96,000 / 24,000 = 4.0
against 100,000 / 20,000 = 5.0 is −20 %. Comparing the partial today with a whole
Wednesday would have said 27,000 against 30,000, −10 %.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from analytics.ads import AdReport, ad_report
from analytics.common import Store, Window
from storage.models import AdCampaign, Seller
from tests.factories import SEOUL, local, make_ad_day, make_campaign, make_seller

NOW = local(2026, 11, 18, 9)


def day(d: int) -> dt.date:
    return dt.date(2026, 11, d)


def build(session: Session) -> tuple[Seller, AdCampaign]:
    seller = make_seller(session, "mugs")
    campaign = make_campaign(session, seller, "머그컵 검색")
    rows = [
        (9, 1_000, 100, 10_000, 5, 50_000),
        (10, 1_000, 100, 10_000, 5, 50_000),
        (11, 1_000, 100, 10_000, 5, 50_000),
        (16, 1_200, 120, 12_000, 6, 48_000),
        (17, 1_200, 120, 12_000, 6, 48_000),
        (18, 300, 30, 3_000, 1, 10_000),
    ]
    for d, impressions, clicks, spend, conversions, revenue in rows:
        make_ad_day(
            session,
            campaign,
            day(d),
            impressions=impressions,
            clicks=clicks,
            spend=spend,
            conversions=conversions,
            conversion_revenue=revenue,
        )
    session.commit()
    return seller, campaign


def report_for(session: Session, seller: Seller, window: Window) -> AdReport:
    report = ad_report(session, Store(id=seller.id, timezone=SEOUL), window)
    assert isinstance(report, AdReport)
    return report


def test_this_week_so_far_leaves_today_out_of_the_comparison_on_both_sides(
    session: Session,
) -> None:
    seller, _ = build(session)
    # this week so far, against last week's Mon-Wed cut at 09:00 (analytics.periods)
    last_week = Window(day(9), day(11), local(2026, 11, 11, 9))
    window = Window(day(16), day(18), NOW, comparison=last_week, basis="previous_week")

    report = report_for(session, seller, window)

    assert (report.start, report.end, report.partial_day) == (day(16), day(18), day(18))
    assert (report.compared_end, report.previous_start, report.previous_end) == (
        day(17),
        day(9),
        day(10),
    )
    assert report.previous_basis == "previous_week"
    assert (report.data_start, report.covered) == (day(9), True)
    total = report.total
    # shown: Mon + Tue + today so far
    assert (total.current.spend, total.current.clicks, total.current.revenue) == (
        27_000,
        270,
        106_000,
    )
    # compared: Mon-Tue on both sides
    assert (total.compared.spend, total.compared.revenue) == (24_000, 96_000)
    assert (total.previous.spend, total.previous.revenue) == (20_000, 100_000)
    assert total.change.spend == pytest.approx(0.2)
    assert total.change.roas == pytest.approx(-0.2)  # 4.0 against 5.0
    assert total.change.cvr == pytest.approx(0.0)  # 12 / 240 against 10 / 200
    (mug,) = report.campaigns
    assert mug.change == total.change
    assert (mug.current.spend, mug.compared.spend, mug.previous.spend) == (27_000, 24_000, 20_000)


def test_a_comparison_window_before_the_ad_data_starts_gets_no_change(session: Session) -> None:
    seller, _ = build(session)
    # Nov 16-17 against Nov 14-15: covered (the data starts on Nov 9), only empty;
    # Nov 9-10 against Nov 7-8: not covered, so no change at all
    covered = report_for(session, seller, Window(day(16), day(17), NOW))
    assert (covered.previous_start, covered.covered) == (day(14), True)
    assert covered.total.change.spend is None  # nothing spent on Nov 14-15: no ratio

    early = report_for(session, seller, Window(day(9), day(10), NOW))
    assert (early.previous_start, early.previous_end) == (day(7), day(8))
    assert (early.data_start, early.covered) == (day(9), False)
    assert early.total.current.spend == 20_000
    assert set(early.total.change.model_dump().values()) == {None}
    assert early.partial_day is None and early.compared_end == day(10)
