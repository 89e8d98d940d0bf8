"""Ad figures, margins and break-even ROAS on hand-built sums, without a database.

Three campaigns over the current period (and the previous one):

- 1 "머그컵": product price 10,000, cost 6,000 (margin 40 %, break-even ROAS 2.5);
  10,000 impressions, 200 clicks, spend 50,000, 10 conversions, revenue 100,000
  (previous: 8,000 / 100 / 40,000 / 10 / 120,000);
- 2 "브랜드": no product, so the seller's average margin 15,000 / 30,000 = 50 %;
  5,000 / 30 / 10,000 / 3 / 60,000, nothing in the previous period;
- 3 "원가판매": product sold at cost (margin 0, no break-even); 1,000 / 10 / 3,001 / 0 / 0.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from analytics.ads import (
    ad_change,
    ad_figures,
    ad_total,
    campaign_margin,
    campaign_table,
    fallback_margin,
    losing_campaigns,
    round_money,
    seller_margin,
)
from analytics.queries.ads import AdSums, CampaignRow, CostBasis, PeriodSums

MUG = CampaignRow(1, "머그컵", "naver", 11, price=10_000, cost=6_000)
BRAND = CampaignRow(2, "브랜드", "naver", None, price=None, cost=None)
AT_COST = CampaignRow(3, "원가판매", "kakao", 13, price=5_000, cost=5_000)

SUMS: PeriodSums = {
    (1, True): AdSums(10_000, 200, 50_000, 10, 100_000),
    (1, False): AdSums(8_000, 100, 40_000, 10, 120_000),
    (2, True): AdSums(5_000, 30, 10_000, 3, 60_000),
    (3, True): AdSums(1_000, 10, 3_001, 0, 0),
}
AVERAGE = seller_margin(CostBasis(margin=15_000, price=30_000))


def test_round_money_rounds_halves_away_from_zero() -> None:
    assert [round_money(Fraction(n, 2)) for n in (5, -5, 1, -1, 3)] == [3, -3, 1, -1, 2]
    assert round_money(Fraction(10_000, 30)) == 333
    assert round_money(Fraction(3_001, 10)) == 300


def test_figures_and_ratios() -> None:
    figures = ad_figures(SUMS[(1, True)])

    assert (figures.ctr, figures.cvr, figures.roas) == (0.02, 0.05, 2.0)
    assert (figures.cpc, figures.cpa) == (250, 5_000)
    brand = ad_figures(SUMS[(2, True)])
    assert (brand.cpc, brand.cpa, brand.roas) == (333, 3_333, 6.0)  # 333.3, 3,333.3


def test_figures_without_denominators_are_none() -> None:
    figures = ad_figures(AdSums())

    assert (figures.ctr, figures.cpc, figures.cvr, figures.roas, figures.cpa) == (None,) * 5
    assert ad_figures(AdSums(spend=3_001, clicks=10, impressions=1_000)).roas == 0.0


def test_change_is_relative_to_the_previous_period() -> None:
    change = ad_change(ad_figures(SUMS[(1, True)]), ad_figures(SUMS[(1, False)]))

    assert change.spend == 0.25  # 50,000 / 40,000 − 1
    assert change.ctr == pytest.approx(0.6)  # 2 % / 1.25 % − 1
    assert change.cpc == -0.375  # 250 / 400 − 1
    assert change.cvr == pytest.approx(-0.5)  # 5 % / 10 % − 1
    assert change.roas == pytest.approx(-1 / 3)  # 2.0 / 3.0 − 1
    assert change.cpa == 0.25  # 5,000 / 4,000 − 1
    assert change.conversions == 0.0
    assert ad_change(ad_figures(SUMS[(2, True)]), ad_figures(AdSums())).spend is None


def test_margins_product_then_seller_average_then_default() -> None:
    assert AVERAGE == Fraction(1, 2)
    assert seller_margin(CostBasis(margin=0, price=0)) is None
    fallback = fallback_margin(AVERAGE, 0.30)
    assert fallback == (Fraction(1, 2), "seller_average")
    assert campaign_margin(MUG, fallback) == (Fraction(2, 5), "product_cost")
    assert campaign_margin(BRAND, fallback) == (Fraction(1, 2), "seller_average")
    assert campaign_margin(AT_COST, fallback) == (Fraction(0), "product_cost")
    margin, source = fallback_margin(None, 0.30)
    assert (float(margin), source) == (0.30, "default")


def test_campaign_table_profit_break_even_and_total() -> None:
    table, total = campaign_table([BRAND, AT_COST, MUG], SUMS, fallback_margin(AVERAGE, 0.30))

    assert [row.campaign_id for row in table] == [1, 2, 3]  # most spend first
    mug, brand, at_cost = table
    assert (mug.margin, mug.break_even_roas) == (0.4, 2.5)
    assert (mug.estimated_profit, mug.loses_money) == (-10_000, True)  # 40,000 − 50,000
    assert (brand.margin, brand.margin_source, brand.break_even_roas) == (
        0.5,
        "seller_average",
        2.0,
    )
    assert (brand.estimated_profit, brand.loses_money) == (20_000, False)  # 30,000 − 10,000
    assert brand.previous.spend == 0 and brand.change.spend is None
    assert (at_cost.break_even_roas, at_cost.estimated_profit) == (None, -3_001)
    assert at_cost.loses_money

    assert (total.current.spend, total.current.revenue, total.current.clicks) == (
        63_001,
        160_000,
        240,
    )
    assert total.previous.spend == 40_000
    # gross 40,000 + 30,000 + 0 = 70,000: margin 70,000 / 160,000 = 7/16
    assert total.estimated_profit == 6_999  # 70,000 − 63,001
    assert total.break_even_roas == pytest.approx(16 / 7)
    assert not total.loses_money


def test_losing_campaigns_biggest_loss_first() -> None:
    table, _ = campaign_table([MUG, BRAND, AT_COST], SUMS, fallback_margin(AVERAGE, 0.30))

    losing = losing_campaigns(table)

    assert [(lost.campaign_id, lost.estimated_loss) for lost in losing] == [(1, 10_000), (3, 3_001)]
    assert (losing[0].spend, losing[0].revenue, losing[0].roas) == (50_000, 100_000, 2.0)


def test_total_without_revenue_uses_the_fallback_margin() -> None:
    total = ad_total(AdSums(spend=1_000), AdSums(), Fraction(0), Fraction(1, 2))

    assert (total.break_even_roas, total.estimated_profit, total.loses_money) == (2.0, -1_000, True)
    # no spend is never a loss, however small the margin
    free = ad_total(AdSums(revenue=10_000), AdSums(), Fraction(10_000, 3), Fraction(1, 3))
    assert (free.estimated_profit, free.loses_money) == (3_333, False)


def test_todays_row_counts_in_the_figures_but_not_in_the_change() -> None:
    # today so far the mug campaign spent 5,000 more for 30,000 revenue: its figures
    # (and profit) include it, its change compares the complete days only
    today = {1: AdSums(1_000, 20, 5_000, 2, 30_000)}
    table, total = campaign_table([MUG], SUMS, fallback_margin(AVERAGE, 0.30), today=today)

    (mug,) = table
    assert (mug.current.spend, mug.current.revenue) == (55_000, 130_000)
    assert (mug.compared.spend, mug.compared.revenue) == (50_000, 100_000)
    assert mug.change.spend == pytest.approx(0.25)  # 50,000 against 40,000, not 55,000
    assert mug.change.roas == pytest.approx(2.0 / 3.0 - 1)  # 2.0 against 3.0
    assert mug.estimated_profit == -3_000  # 130,000 × 0.4 − 55,000
    # the total: all of SUMS' campaigns' complete days plus today's row
    assert (total.current.spend, total.compared.spend) == (68_001, 63_001)


def test_an_uncomparable_table_has_no_change_at_all() -> None:
    table, total = campaign_table([MUG], SUMS, fallback_margin(AVERAGE, 0.30), comparable=False)

    assert set(table[0].change.model_dump().values()) == {None}
    assert set(total.change.model_dump().values()) == {None}
    assert table[0].previous.spend == 40_000  # the figures are still what the data holds
