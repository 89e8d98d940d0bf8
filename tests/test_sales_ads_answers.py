"""What the seller reads for the issue-10 sales and ad questions, on a hand-built
store, offline: coverage, refunds, a category, today's partial ad row and a
campaign whose conversion rate collapsed.

Asked on Monday 2026-12-07 14:10 (Asia/Seoul). Seller "cafe" (the store's first
order is on Nov 3, so nothing before it is covered):

    products  원두 200g 15,000원 (category 커피) · 머그컵 12,000원 (category 컵)
    orders    Nov  3 10:00 paid      원두 ×1          15,000
              Nov 10 10:00 paid      원두 ×1          15,000
              Nov 20 10:00 paid      머그컵 ×1        12,000
              Dec  1 11:00 paid      원두 ×2          30,000
              Dec  3 12:00 paid      머그컵 ×1, 원두 ×1 27,000 (coffee 15,000)
              Dec  5 13:00 refunded  원두 ×1          15,000
              Dec  6 15:00 cancelled 머그컵 ×2        24,000
              Dec  7 09:00 paid      머그컵 ×1        12,000

    this year so far: paid 15,000 + 15,000 + 12,000 + 30,000 + 27,000 + 12,000 =
    111,000 in 6 orders, 8 units, 18,500 an order; ordered 111,000 + 15,000 +
    24,000 = 150,000: 16.0 % cancelled, 10.0 % refunded
    this month so far: paid 30,000 + 27,000 + 12,000 = 69,000 in 3 orders, 5 units,
    23,000 an order; ordered 108,000: 22.2 % cancelled, 13.9 % refunded
    coffee this month: 30,000 + 15,000 = 45,000 in 2 orders, 3 units, 22,500 an
    order; ordered 60,000: 0.0 % cancelled, 25.0 % refunded

    ads       campaign "원두 검색" (no product, no cost known: default margin 30 %,
              break-even ROAS 333 %), every day from Oct 20: 10,000 impressions,
              1,000 clicks, 100,000 spent, 50 conversions, 500,000 revenue; from
              Dec 3 only 10 conversions and 100,000 revenue; today so far 3,000 /
              300 / 30,000 / 3 / 30,000

    this month's ads: Dec 1-6 and today's row: spend 630,000, revenue 1,000,000 +
    400,000 + 30,000 = 1,430,000 (ROAS 227.0 %), clicks 6,300 of 63,000 impressions
    (CTR 10.0 %), CPC 100, 143 conversions (CVR 2.3 %), CPA 4,406 (4,405.6);
    estimated profit 1,430,000 × 0.3 − 630,000 = −201,000. Compared without today
    on both sides: Dec 1-6 (600,000 spent, 1,400,000 revenue, ROAS 2.333) against
    Nov 1-6 (600,000, 3,000,000, ROAS 5.0): ROAS −53.3 %, spend +0.0 %.
    The alert's test first fires on Dec 3 (baseline Nov 19 - Dec 2: CVR 5 %, ROAS
    500 %); since then 40 / 4,000 = 1.0 % and 400,000 / 400,000 = 100.0 %.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage.db import session_factory
from storage.settings import Settings
from tests.factories import (
    SEOUL,
    local,
    make_ad_day,
    make_campaign,
    make_order,
    make_product,
    make_seller,
)
from tools.advisor import Advisor
from tools.prompts import PromptStore

NOW = dt.datetime(2026, 12, 7, 14, 10, tzinfo=SEOUL)


def build(session: Session) -> int:
    cafe = make_seller(session, "cafe", name="카페")
    beans = make_product(session, cafe, "원두 200g", 15_000, category="커피")
    mug = make_product(session, cafe, "머그컵", 12_000, category="컵")
    make_order(session, cafe, local(2026, 11, 3, 10), [(beans, 1)])
    make_order(session, cafe, local(2026, 11, 10, 10), [(beans, 1)])
    make_order(session, cafe, local(2026, 11, 20, 10), [(mug, 1)])
    make_order(session, cafe, local(2026, 12, 1, 11), [(beans, 2)])
    make_order(session, cafe, local(2026, 12, 3, 12), [(mug, 1), (beans, 1)])
    make_order(session, cafe, local(2026, 12, 5, 13), [(beans, 1)], status="refunded")
    make_order(session, cafe, local(2026, 12, 6, 15), [(mug, 2)], status="cancelled")
    make_order(session, cafe, local(2026, 12, 7, 9), [(mug, 1)])
    campaign = make_campaign(session, cafe, "원두 검색")
    day = dt.date(2026, 10, 20)
    while day <= dt.date(2026, 12, 7):
        if day == dt.date(2026, 12, 7):
            figures = (3_000, 300, 30_000, 3, 30_000)
        elif day >= dt.date(2026, 12, 3):
            figures = (10_000, 1_000, 100_000, 10, 100_000)
        else:
            figures = (10_000, 1_000, 100_000, 50, 500_000)
        impressions, clicks, spend, conversions, revenue = figures
        make_ad_day(
            session,
            campaign,
            day,
            impressions=impressions,
            clicks=clicks,
            spend=spend,
            conversions=conversions,
            conversion_revenue=revenue,
        )
        day += dt.timedelta(days=1)
    session.commit()
    return cafe.id


@pytest.fixture
def advisor(sqlite_engine: Engine) -> Iterator[tuple[Advisor, int]]:
    sessions: sessionmaker[Session] = session_factory(sqlite_engine)
    with sessions() as session:
        seller = build(session)
    advisor = Advisor(sessions, Settings(openai_api_key=None), PromptStore())
    yield advisor, seller
    advisor.close()


def test_this_year_against_a_year_without_data_prints_no_percentage(
    advisor: tuple[Advisor, int],
) -> None:
    bot, seller = advisor
    answer = bot.run("sales_report", {"period": "this_year"}, seller_id=seller, lang="ko", now=NOW)
    assert answer.text == (
        "올해(1월 1일~12월 7일) 매출 (14:10 기준): 111,000원 (약 11만 원)\n"
        "주문 6건 · 8개 판매 · 객단가 18,500원\n"
        "작년 같은 기간(2025년 1월 1일~2025년 12월 7일 14:10까지) 대비 증감은 보여드리지 "
        "않아요: 데이터는 11월 3일부터 있어요.\n"
        "취소 1건 24,000원 · 환불 1건 15,000원은 매출에서 뺐어요 "
        "(주문 금액 150,000원 중 취소 16.0% · 환불 10.0%)."
    )
    english = bot.run("sales_report", {"period": "this_year"}, seller_id=seller, lang="en", now=NOW)
    assert english.text.splitlines()[2:] == [
        "No change vs the same days a year earlier (Jan 1, 2025 - Dec 7, 2025 until 14:10): "
        "the data starts on Nov 3.",
        "Cancelled 1 (₩24,000) · refunded 1 (₩15,000): not counted as sales "
        "(of the ₩150,000 ordered, 16.0% cancelled and 10.0% refunded).",
    ]


def test_refund_rate_in_the_sales_reports_words(advisor: tuple[Advisor, int]) -> None:
    bot, seller = advisor
    answer = bot.ask("이번 달 반품률 어때?", seller_id=seller, now=NOW)
    assert [(c.tool, c.args) for c in answer.calls] == [
        ("sales_report", {"start": "2026-12-01", "end": "2026-12-07"})
    ]
    assert answer.text.splitlines()[-1] == (
        "취소 1건 24,000원 · 환불 1건 15,000원은 매출에서 뺐어요 "
        "(주문 금액 108,000원 중 취소 22.2% · 환불 13.9%)."
    )


def test_one_category_of_sales(advisor: tuple[Advisor, int]) -> None:
    bot, seller = advisor
    answer = bot.run(
        "sales_report",
        {"start": "2026-12-01", "end": "2026-12-07", "category": "커피"},
        seller_id=seller,
        lang="ko",
        now=NOW,
    )
    assert answer.text == (
        "이번 달(12월 1일~7일) 커피 카테고리 매출 (14:10 기준): 45,000원\n"
        "주문 2건(이 카테고리 상품이 든 주문) · 3개 판매 · 객단가 22,500원\n"
        "전월(11월 1일~7일 14:10까지) 대비 증감은 보여드리지 않아요: 데이터는 11월 3일부터 있어요.\n"
        "취소 0건 0원 · 환불 1건 15,000원은 매출에서 뺐어요 "
        "(주문 금액 60,000원 중 취소 0.0% · 환불 25.0%)."
    )
    # the by-product button keeps the category
    [details] = [b for b in answer.buttons if b.tool == "top_products"]
    assert details.args["category"] == "커피"


def test_this_months_ads_leave_today_out_of_the_comparison_and_flag_the_collapse(
    advisor: tuple[Advisor, int],
) -> None:
    bot, seller = advisor
    answer = bot.run("ad_report", {"period": "this_month"}, seller_id=seller, lang="ko", now=NOW)
    assert answer.text == (
        "이번 달(12월 1일~7일) 광고 성과\n"
        "광고비 630,000원 → 광고 매출 1,430,000원 · ROAS 227.0% (손익분기 333%)\n"
        "CTR 10.0% · CPC 100원 · 전환율 2.3% · CPA 4,406원\n"
        "오늘(12월 7일) 광고 데이터는 아직 집계 중이라 비교에서는 양쪽 모두 뺐어요.\n"
        "12월 1일~6일, 전월(11월 1일~6일) 대비 ROAS -53.3%, 광고비 +0.0%\n"
        "광고로 번 마진보다 광고비가 많아요: 예상 손실 201,000원\n"
        "평소보다 효율이 크게 떨어진 캠페인 (광고 알림과 같은 기준):\n"
        "• 원두 검색: 전환율 5.0% → 1.0%, ROAS 500.0% → 100.0% "
        "(12월 3일부터, 11월 19일~12월 2일 대비)\n"
        "돈이 새는 캠페인: 원두 검색 (예상 손실 201,000원). "
        "키워드와 입찰가를 점검하거나 예산을 줄여 보세요."
    )


def test_asking_which_campaign_lost_efficiency_names_it(advisor: tuple[Advisor, int]) -> None:
    bot, seller = advisor
    answer = bot.ask("광고 효율 떨어진 캠페인 있어?", seller_id=seller, now=NOW)
    assert [c.tool for c in answer.calls] == ["ad_report"]
    assert (
        "• 원두 검색: 전환율 5.0% → 1.0%, ROAS 500.0% → 100.0% "
        "(12월 3일부터, 11월 19일~12월 2일 대비)"
    ) in answer.text.splitlines()
