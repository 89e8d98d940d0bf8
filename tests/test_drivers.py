"""Why sales moved (sales_drivers) on a hand-built store: the figures, the exact
answer a seller reads in Korean and English, the honest answers when there is
nothing to compare with or nothing moved, and the question reaching the tool.

Asked at NOW = Friday 2026-11-27 14:30 Asia/Seoul. Seller "shop" (id 1):

    products  가습기 (Humidifier) 50,000원 · 그라인더 (Grinder) 30,000원 · 원두 10,000원
    Nov 19    12:00 원두 ×5 (50,000)                      first order of the store
    Nov 25    10:00 가습기 ×3 (150,000) · 11:00 그라인더 ×1 (30,000) · 15:00 원두 ×2 (20,000)
              -> 200,000원, 3 orders
    Nov 26    09:00 가습기 ×1 (50,000) · 11:00 가습기 ×2 cancelled · 13:00 그라인더 ×2
              (60,000) · 20:00 원두 ×2 (20,000) -> 130,000원, 3 orders
              vs Nov 25: -70,000 (-35.0%); vs Nov 19: +80,000 (+160.0%)
              products: 가습기 150,000 -> 50,000 (-100,000), 그라인더 30,000 -> 60,000
              (+30,000), 원두 20,000 -> 20,000 (did not move)
    Nov 27    10:00 가습기 ×1 (50,000) · 15:00 그라인더 ×1 (after now)
              so far 50,000원, 1 order; yesterday until 14:30: 110,000원, 2 orders
              (-60,000, -54.5%); Nov 20 until 14:30: nothing
    visits    (all at 12:00) Nov 25: '가습기' ×4 (one bought: order of 10:00), '원두' ×1
              Nov 26: '가습기' ×2 (one bought: 09:00), '가 습기' ×1, '원두' ×3 (one
              bought: 20:00), '그라인더' ×2, one without a keyword
              -> 가습기 4 -> 3 visits (purchases 1 -> 1), 원두 1 -> 3, 그라인더 0 -> 2
    ads       가습기 광고: Nov 25 spend 20,000, 3 conversions, 150,000; Nov 26 spend
              20,000, 1 conversion, 50,000 (-100,000)
              원두 광고: Nov 25 spend 5,000, 0, 0; Nov 26 spend 8,000, 1, 10,000 (+10,000)
    outbox    Nov 26 whole-day sales drop (3 orders, usually 5.0, -40 %) and 가습기 광고
              CVR drop (2.5 %, usually 7.5 %), both detected Nov 27 07:00; an intraday
              sales drop of Nov 25; the digest of Nov 26 (not an alert)

Seller "calm" (id 2): one 원두 a day on Nov 25 and Nov 26, nothing before.
Seller "empty" (id 3): no orders at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from analytics.common import Store, Window
from analytics.detectors.alerts import AdDropEvidence, Alert, SalesDropEvidence
from analytics.drivers import SalesDrivers, sales_drivers
from analytics.periods import default_period
from storage.db import session_factory
from storage.outbox import record_alert
from storage.settings import Settings
from tests.factories import (
    SEOUL,
    local,
    make_ad_day,
    make_campaign,
    make_order,
    make_product,
    make_seller,
    make_visit,
)
from tools.advisor import Advisor
from tools.catalog import CATALOG
from tools.prompts import DEFAULT_DIR, PromptStore

NOW = dt.datetime(2026, 11, 27, 14, 30, tzinfo=SEOUL)
SHOP, CALM, EMPTY = 1, 2, 3
YESTERDAY = {"start": "2026-11-26", "end": "2026-11-26"}


def _alert(session: Session, alert: Alert) -> None:
    record_alert(
        session,
        seller_id=alert.seller_id,
        kind=alert.kind,
        dedupe_key=alert.dedupe_key,
        evidence=alert.outbox_evidence(),
        detected_at=alert.detected_at,
    )


def _sales_drop(kind: str, day: dt.date, hours: tuple[int, int], actual: int) -> Alert:
    evidence = SalesDropEvidence(
        from_hour=hours[0],
        to_hour=hours[1],
        expected=5.0,
        actual=actual,
        change=actual / 5.0 - 1,
        p_value=0.01,
        baseline=(5, 5, 5),
        baseline_dates=(day - dt.timedelta(days=7), day - dt.timedelta(days=14)),
        dispersion=0.0,
        expected_revenue=200_000,
        actual_revenue=130_000,
    )
    detected = local(day.year, day.month, day.day, hours[1] % 24 or 7) + dt.timedelta(
        days=1 if hours[1] == 24 else 0
    )
    return Alert(
        kind=kind,  # type: ignore[arg-type]
        seller_id=SHOP,
        local_date=day,
        detected_at=detected,
        evidence=evidence,
    )


def build_store(session: Session) -> None:
    shop = make_seller(session, "shop", name="가습기 가게")
    humidifier = make_product(session, shop, "가습기", 50_000, sku="HUM", name_en="Humidifier")
    grinder = make_product(session, shop, "그라인더", 30_000, sku="GRD", name_en="Grinder")
    beans = make_product(session, shop, "원두", 10_000, sku="BEAN")
    make_order(session, shop, local(2026, 11, 19, 12), [(beans, 5)])
    first = make_order(session, shop, local(2026, 11, 25, 10), [(humidifier, 3)])
    make_order(session, shop, local(2026, 11, 25, 11), [(grinder, 1)])
    make_order(session, shop, local(2026, 11, 25, 15), [(beans, 2)])
    morning = make_order(session, shop, local(2026, 11, 26, 9), [(humidifier, 1)])
    make_order(session, shop, local(2026, 11, 26, 11), [(humidifier, 2)], status="cancelled")
    make_order(session, shop, local(2026, 11, 26, 13), [(grinder, 2)])
    evening = make_order(session, shop, local(2026, 11, 26, 20), [(beans, 2)])
    make_order(session, shop, local(2026, 11, 27, 10), [(humidifier, 1)])
    make_order(session, shop, local(2026, 11, 27, 15), [(grinder, 1)])

    noon25, noon26 = local(2026, 11, 25, 12), local(2026, 11, 26, 12)
    make_visit(session, shop, noon25, keyword="가습기", order=first)
    for _ in range(3):
        make_visit(session, shop, noon25, keyword="가습기")
    make_visit(session, shop, noon25, keyword="원두")
    make_visit(session, shop, noon26, keyword="가습기", order=morning)
    make_visit(session, shop, noon26, keyword="가습기")
    make_visit(session, shop, noon26, keyword="가 습기")
    make_visit(session, shop, noon26, keyword="원두", order=evening)
    for _ in range(2):
        make_visit(session, shop, noon26, keyword="원두")
        make_visit(session, shop, noon26, keyword="그라인더")
    make_visit(session, shop, noon26)

    ads = make_campaign(session, shop, "가습기 광고", product=humidifier)
    bean_ads = make_campaign(session, shop, "원두 광고", product=beans)
    for campaign, day, figures in (
        (ads, 25, (1_000, 40, 20_000, 3, 150_000)),
        (ads, 26, (900, 40, 20_000, 1, 50_000)),
        (bean_ads, 25, (300, 10, 5_000, 0, 0)),
        (bean_ads, 26, (400, 12, 8_000, 1, 10_000)),
    ):
        impressions, clicks, spend, conversions, revenue = figures
        make_ad_day(
            session, campaign, dt.date(2026, 11, day), impressions=impressions,
            clicks=clicks, spend=spend, conversions=conversions, conversion_revenue=revenue,
        )  # fmt: skip

    day26 = dt.date(2026, 11, 26)
    _alert(session, _sales_drop("sales_drop_day", day26, (0, 24), 3))
    _alert(session, _sales_drop("sales_drop_intraday", dt.date(2026, 11, 25), (9, 15), 1))
    cvr = AdDropEvidence(
        campaign_id=ads.id,
        campaign_name="가습기 광고",
        metric="cvr",
        expected=0.075,
        actual=0.025,
        change=0.025 / 0.075 - 1,
        p_value=0.02,
        count_expected=3.0,
        count_actual=1,
        exposure=40,
        baseline_count=30,
        baseline_exposure=400,
        baseline_days=12,
        baseline_start=dt.date(2026, 11, 12),
        baseline_end=dt.date(2026, 11, 25),
        dispersion=0.0,
    )
    _alert(
        session,
        Alert(
            kind="ad_cvr_drop",
            seller_id=SHOP,
            local_date=day26,
            detected_at=local(2026, 11, 27, 7),
            evidence=cvr,
        ),
    )
    record_alert(
        session,
        seller_id=SHOP,
        kind="digest",
        dedupe_key="digest:1:2026-11-26",
        evidence={"revenue": 130_000, "orders": 3, "kind": "digest", "local_date": "2026-11-26"},
        detected_at=local(2026, 11, 27, 8),
    )

    calm = make_seller(session, "calm", name="조용한 가게")
    cup = make_product(session, calm, "원두", 10_000, sku="BEAN")
    make_order(session, calm, local(2026, 11, 25, 12), [(cup, 1)])
    make_order(session, calm, local(2026, 11, 26, 12), [(cup, 1)])
    make_seller(session, "empty", name="빈 가게")
    session.commit()


YESTERDAY_KO = """\
어제(11월 26일) 매출: 130,000원 · 주문 3건
전날(11월 25일)보다 70,000원 줄었어요 (-35.0%, 200,000원 · 주문 3건)
지난주 같은 요일(11월 19일)보다 80,000원 늘었어요 (+160.0%, 50,000원 · 주문 1건)
알림 2건이 있었어요:
• 11월 26일 매출 감소: 하루 주문 3건 (평소 5.0건, -40.0%)
• 11월 26일 가습기 광고 전환율 하락: 2.5% (평소 7.5%, -66.7%)

가장 많이 줄어든 상품:
• 가습기: 150,000원 → 50,000원 (-100,000원)
반대로 늘어난 상품: 그라인더 +30,000원
광고 매출이 줄어든 캠페인:
• 가습기 광고: 광고 매출 150,000원 → 50,000원 (-100,000원) · 광고비 20,000원 → 20,000원 · 전환 3건 → 1건
광고 매출이 늘어난 캠페인: 원두 광고 +10,000원
방문이 줄어든 검색어:
• '가습기': 방문 4회 → 3회 (-1회) · 구매 1건 → 1건
방문이 늘어난 검색어: '원두' +2회, '그라인더' +2회"""

YESTERDAY_EN = """\
Sales for yesterday (Nov 26): ₩130,000 · 3 orders
Down ₩70,000 (-35.0%) vs the day before (Nov 25): ₩200,000, 3 orders
Up ₩80,000 (+160.0%) vs the same day last week (Nov 19): ₩50,000, 1 order
2 alerts raised:
• Nov 26 sales drop: 3 orders all day (usually 5.0, -40.0%)
• Nov 26 가습기 광고 conversion rate drop: 2.5% (usually 7.5%, -66.7%)

Products whose sales fell most:
• Humidifier: ₩150,000 → ₩50,000 (-₩100,000)
Rose instead: Grinder +₩30,000
Campaigns whose ad revenue fell:
• 가습기 광고: ad revenue ₩150,000 → ₩50,000 (-₩100,000) · spend ₩20,000 → ₩20,000 · conversions 3 → 1
Campaigns whose ad revenue rose: 원두 광고 +₩10,000
Search keywords with fewer visits:
• '가습기': visits 4 → 3 (-1) · purchases 1 → 1
Search keywords with more visits: '원두' +2, '그라인더' +2"""

TODAY_KO = """\
오늘 매출 (14:30 기준): 50,000원 · 주문 1건
어제 같은 시간보다 60,000원 줄었어요 (-54.5%, 110,000원 · 주문 2건)
지난주 같은 요일 같은 시간보다 50,000원 늘었어요 (0원 · 주문 0건)

가장 많이 줄어든 상품:
• 그라인더: 60,000원 → 0원 (-60,000원)
방문이 줄어든 검색어:
• '가습기': 방문 3회 → 0회 (-3회) · 구매 1건 → 0건
• '원두': 방문 3회 → 0회 (-3회) · 구매 1건 → 0건
• '그라인더': 방문 2회 → 0회 (-2회) · 구매 0건 → 0건
광고 통계는 하루 단위라 오늘 것은 아직 비교하지 않았어요."""


@pytest.fixture
def shop_sessions(sqlite_engine: Engine) -> sessionmaker[Session]:
    factory = session_factory(sqlite_engine)
    with factory() as session:
        build_store(session)
    return factory


@pytest.fixture
def advisor(shop_sessions: sessionmaker[Session]) -> Iterator[Advisor]:
    advisor = Advisor(shop_sessions, Settings(openai_api_key=None), PromptStore())
    yield advisor
    advisor.close()


def _yesterday(session: Session, seller: int = SHOP, limit: int = 3) -> SalesDrivers:
    window = default_period("yesterday", now=NOW, tz=SEOUL).window(NOW, SEOUL)
    result = sales_drivers(session, Store(seller, SEOUL), window, limit)
    assert isinstance(result, SalesDrivers)
    return result


def test_yesterday_against_the_day_before_with_the_largest_movers(session: Session) -> None:
    build_store(session)
    result = _yesterday(session)
    assert (result.sales.revenue, result.sales.orders, result.direction) == (130_000, 3, "down")
    before = result.previous
    assert (before.basis, before.start, before.covered) == (
        "previous_day",
        dt.date(2026, 11, 25),
        True,
    )
    assert (before.sales.revenue, before.revenue.absolute, before.orders.absolute) == (
        200_000,
        -70_000,
        0,
    )
    assert before.revenue.relative == pytest.approx(-0.35)
    assert result.last_week is not None
    assert (result.last_week.basis, result.last_week.revenue.absolute) == (
        "same_weekday_last_week",
        80_000,
    )
    assert [(a.kind, a.local_date) for a in result.alerts] == [
        ("sales_drop_day", dt.date(2026, 11, 26)),
        ("ad_cvr_drop", dt.date(2026, 11, 26)),
    ]
    assert [(m.name, m.revenue.change) for m in result.products.drivers] == [("가습기", -100_000)]
    assert [(m.name, m.revenue.change) for m in result.products.offsets] == [("그라인더", 30_000)]
    assert [(m.name, m.revenue.change) for m in result.campaigns.drivers] == [
        ("가습기 광고", -100_000)
    ]
    assert [(m.keyword, m.visits.change) for m in result.keywords.offsets] == [
        ("원두", 2),
        ("그라인더", 2),
    ]
    # a limit of one keeps the largest of each
    one = _yesterday(session, limit=1)
    assert [m.keyword for m in one.keywords.offsets] == ["원두"]


def test_a_named_comparison_window_after_the_window_is_read_as_such(session: Session) -> None:
    # "11월 25일이랑 26일 비교": the window is Nov 25, the comparison the later Nov 26
    build_store(session)
    compared = Window(dt.date(2026, 11, 26), dt.date(2026, 11, 26), NOW)
    window = Window(dt.date(2026, 11, 25), dt.date(2026, 11, 25), NOW, compared, "explicit")
    result = sales_drivers(session, Store(SHOP, SEOUL), window)
    assert isinstance(result, SalesDrivers)
    assert (result.previous.basis, result.previous.revenue.absolute, result.direction) == (
        "explicit",
        70_000,
        "up",
    )
    assert [(m.name, m.revenue.before, m.revenue.after) for m in result.products.drivers] == [
        ("가습기", 50_000, 150_000)
    ]
    assert [(m.name, m.revenue.change) for m in result.products.offsets] == [("그라인더", -30_000)]
    assert [(m.name, m.revenue.change) for m in result.campaigns.drivers] == [
        ("가습기 광고", 100_000)
    ]
    assert [(m.name, m.revenue.change) for m in result.campaigns.offsets] == [
        ("원두 광고", -10_000)
    ]


def test_this_week_on_a_monday_is_compared_with_last_monday_once(session: Session) -> None:
    build_store(session)
    monday = dt.datetime(2026, 11, 23, 14, 30, tzinfo=SEOUL)
    window = default_period("this_week", now=monday, tz=SEOUL).window(monday, SEOUL)
    result = sales_drivers(session, Store(SHOP, SEOUL), window)
    assert isinstance(result, SalesDrivers)
    assert (result.previous.basis, result.previous.start) == (
        "previous_week",
        dt.date(2026, 11, 16),
    )
    assert result.last_week is None  # the same day as `previous`: not said twice


def test_the_answer_in_korean_and_english(advisor: Advisor) -> None:
    ko = advisor.run("sales_drivers", YESTERDAY, seller_id=SHOP, lang="ko", now=NOW)
    assert ko.text == YESTERDAY_KO
    en = advisor.run("sales_drivers", YESTERDAY, seller_id=SHOP, lang="en", now=NOW)
    assert en.text == YESTERDAY_EN


def test_today_so_far_is_cut_at_the_same_time_and_leaves_ads_out(advisor: Advisor) -> None:
    today = {"start": "2026-11-27", "end": "2026-11-27"}
    answer = advisor.run("sales_drivers", today, seller_id=SHOP, lang="ko", now=NOW)
    assert answer.text == TODAY_KO


def test_a_comparison_before_the_first_order_gets_no_change_and_no_cause(
    advisor: Advisor,
) -> None:
    day = {"start": "2026-11-19", "end": "2026-11-19"}
    answer = advisor.run("sales_drivers", day, seller_id=SHOP, lang="ko", now=NOW)
    assert answer.text == (
        "11월 19일 매출: 50,000원 · 주문 1건\n"
        "전날(11월 18일)에는 주문 데이터가 없어 비교하지 않았어요.\n"
        "지난주 같은 요일(11월 12일)에는 주문 데이터가 없어 비교하지 않았어요.\n"
        "주문 데이터는 11월 19일부터 있어요."
    )
    assert answer.chart is None
    # the last 5 days (Nov 22-26) against Nov 17-21, which holds Nov 19's 50,000 but
    # starts before the first order: the figures stay, no relative change, no movers
    days = {"start": "2026-11-22", "end": "2026-11-26"}
    result = advisor.run("sales_drivers", days, seller_id=SHOP, lang="ko", now=NOW).calls[0].result
    assert (result["previous"]["covered"], result["previous"]["sales"]["revenue"]) == (
        False,
        50_000,
    )
    assert result["previous"]["revenue"] == {"absolute": 280_000, "relative": None}
    assert result["products"] == {"drivers": [], "offsets": []}


def test_nothing_moved_is_said_plainly(advisor: Advisor) -> None:
    ko = advisor.run("sales_drivers", YESTERDAY, seller_id=CALM, lang="ko", now=NOW)
    assert ko.text == (
        "어제(11월 26일) 매출: 10,000원 · 주문 1건\n"
        "전날(11월 25일) 매출과 같아요 (10,000원 · 주문 1건)\n"
        "지난주 같은 요일(11월 19일)에는 주문 데이터가 없어 비교하지 않았어요.\n"
        "주문 데이터는 11월 25일부터 있어요.\n"
        "\n"
        "상품·광고·검색어 가운데 달라진 것이 없어요."
    )
    en = advisor.run("sales_drivers", YESTERDAY, seller_id=CALM, lang="en", now=NOW)
    assert en.text == (
        "Sales for yesterday (Nov 26): ₩10,000 · 1 order\n"
        "The same as the day before (Nov 25): ₩10,000, 1 order\n"
        "Not compared with the same day last week (Nov 19): there is no order data for it.\n"
        "Order data starts on Nov 25.\n"
        "\n"
        "Nothing changed among products, ads or search keywords."
    )


def test_a_store_without_orders_gets_the_no_data_answer(advisor: Advisor) -> None:
    answer = advisor.run("sales_drivers", YESTERDAY, seller_id=EMPTY, lang="ko", now=NOW)
    assert answer.text == "아직 주문 데이터가 없어요. 주문 내역을 가져오면 바로 분석해 드릴게요."


def test_chart_next_step_tip_and_summary(
    advisor: Advisor, shop_sessions: sessionmaker[Session]
) -> None:
    answer = advisor.run("sales_drivers", YESTERDAY, seller_id=SHOP, lang="ko", now=NOW)
    assert answer.chart is not None
    assert (answer.chart.kind, answer.chart.title, answer.chart.labels) == (
        "barh",
        "상품별 매출 변화",
        ["가습기", "그라인더"],
    )
    assert answer.chart.series == {"매출 변화": [-100_000.0, 30_000.0]}
    details = answer.buttons[-1]
    assert (details.label, details.tool, details.args) == (
        "가습기 자세히",
        "product_report",
        {"product_id": 1, **YESTERDAY},
    )
    en = advisor.run("sales_drivers", YESTERDAY, seller_id=SHOP, lang="en", now=NOW)
    assert en.chart is not None
    assert (en.chart.labels, en.chart.y_label) == (["Humidifier", "Grinder"], "KRW")
    assert en.buttons[-1].label == "Humidifier details"
    tool = CATALOG["sales_drivers"]
    with shop_sessions() as session:
        result = _yesterday(session)
        calm = _yesterday(session, CALM)
    assert tool.tip(result) == "sales_drop"
    assert tool.tip(calm) is None
    summary = tool.summary(result)
    assert summary["previous"] == {
        "basis": "previous_day",
        "start": "2026-11-25",
        "end": "2026-11-25",
        "covered": True,
        "revenue": 200_000,
        "orders": 3,
        "revenue_change": -70_000,
        "revenue_change_rate": -0.35,
        "orders_change": 0,
    }
    assert summary["products"] == [
        {
            "product_id": 1,
            "name": "가습기",
            "revenue_before": 150_000,
            "revenue_after": 50_000,
            "revenue_change": -100_000,
        }
    ]
    # what moved the other way: its change only (the model explains the drivers)
    assert summary["products_other_way"] == [{"name": "그라인더", "revenue_change": 30_000}]
    assert summary["campaigns_other_way"] == [
        {"campaign": "원두 광고", "ad_revenue_change": 10_000}
    ]
    assert [a["kind"] for a in summary["alerts"]] == ["sales_drop_day", "ad_cvr_drop"]


@pytest.mark.parametrize(
    "question",
    ["어제 왜 매출 떨어졌어?", "Why did sales drop yesterday?", "어제 매출 왜 이렇게 줄었어?"],
)
def test_why_questions_reach_the_tool_for_yesterday(advisor: Advisor, question: str) -> None:
    answer = advisor.ask(question, seller_id=SHOP, now=NOW)
    assert [(c.tool, c.args) for c in answer.calls] == [
        ("sales_drivers", {**YESTERDAY, "limit": 3})
    ]


def test_at_most_five_alerts_are_listed() -> None:
    samples = Path(DEFAULT_DIR) / "samples" / "answers" / "sales_drivers.yaml"
    context = yaml.safe_load(samples.read_text(encoding="utf-8"))[0]
    alert = context["result"]["alerts"][0]
    context["result"]["alerts"] = [
        {**alert, "local_date": f"2026-11-{day}"} for day in range(20, 27)
    ]
    text = PromptStore().render("answers/sales_drivers", "ko", **context)
    listed = [line for line in text.splitlines() if line.startswith("• 11월")]
    assert [line[:9] for line in listed] == [f"• 11월 {day}일" for day in range(20, 25)]
    assert "• 그 밖에 2건" in text.splitlines()
    assert "알림 7건이 있었어요:" in text.splitlines()
