"""Alert and digest texts in the store's own currency, and a digest that names the
day's alerts: the nudges a GBP store's scan records, rendered as the bot sends them.

The store (tests/test_nudges.py's, selling in GBP): one tea at £120.00 an hour,
10:00-17:00, 8 orders (£960.00) a day; yesterday (Wed 2025-03-19) one order at
10:15 (£120.00, -87.5 % against the Wednesday before, "-88%" at no decimals) and
its campaign "tea search" at CTR 1 % (600 clicks of 60,000 impressions) against 2 %.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.nudges import render_nudge
from storage.models import Alert
from storage.outbox import record_alert
from tests.test_nudges import HOURS, MORNING, _ad, _store
from tools.nudges import Nudge, detect, record
from tools.prompts import PromptStore


def _texts(session: Session, lang: str) -> dict[str, str]:
    prompts = PromptStore()
    rows = session.scalars(select(Alert).order_by(Alert.id))
    return {
        row.kind: render_nudge(prompts, Nudge.of_row(row), seller="Tea & Co", lang=lang)
        for row in rows
        if row.seller_id == 1
    }


def test_a_gbp_stores_alerts_and_digest_show_pounds_and_the_digest_names_the_alerts(
    session: Session,
) -> None:
    _store(session, "GBP")
    record(session, detect(session, now=MORNING, hours=HOURS))

    assert _texts(session, "en") == {
        "sales_drop_day": (
            "<b>⚠️ Fewer orders than usual on Mar 19</b>\n"
            "Orders 1, usually 8.0 on that weekday (-88%)\n"
            "Revenue £120.00 (usually £960.00)\n"
            "👉 Check for stock-outs, price changes or paused ads that day."
        ),
        "ad_ctr_drop": (
            '<b>📉 Ad "tea search": click-through rate fell on Mar 19</b>\n'
            "CTR 1.00%, recent average 2.00% (-50%)\n"
            "600 clicks from 60,000 impressions; usually 1,200.0\n"
            "👉 Check the ad creative, its placement and competitors' bids."
        ),
        "digest": (
            "<b>☀️ Summary for Mar 19</b>\n"
            "Revenue £120.00 · 1 orders (-88% vs the same weekday last week)\n"
            "Best seller: tea (1 sold, £120.00)\n"
            "⚠️ 2 alerts that day:\n"
            "• Orders 1, usually 8.0 (-88%)\n"
            '• Ad "tea search": CTR 1.00%, usually 2.00% (-50%)\n'
            "Details: /alerts"
        ),
    }
    assert _texts(session, "ko") == {
        "sales_drop_day": (
            "<b>⚠️ 3월 19일 주문이 평소보다 적었어요</b>\n"
            "주문 1건, 같은 요일 평소 8.0건 (-88%)\n"
            "매출 £120.00 (평소 £960.00)\n"
            "👉 그날 품절, 가격 변경, 광고 중단이 있었는지 확인해 보세요."
        ),
        "ad_ctr_drop": (
            '<b>📉 광고 "tea search" 클릭률이 떨어졌어요 (3월 19일)</b>\n'
            "클릭률 1.00%, 최근 평균 2.00% (-50%)\n"
            "클릭 600회, 노출 60,000회면 평소 1,200.0회\n"
            "👉 광고 소재와 노출 위치, 경쟁 입찰가를 확인해 보세요."
        ),
        "digest": (
            "<b>☀️ 3월 19일 요약</b>\n"
            "매출 £120.00 · 주문 1건 (지난주 같은 요일 대비 -88%)\n"
            "가장 잘 팔린 상품: tea (1개, £120.00)\n"
            "⚠️ 이날 알림 2건:\n"
            "• 주문 1건, 평소 8.0건 (-88%)\n"
            '• 광고 "tea search" 클릭률 1.00%, 평소 2.00% (-50%)\n'
            "자세한 내용은 /alerts"
        ),
    }


def test_a_roas_alert_prints_the_spend_in_the_sellers_currency(session: Session) -> None:
    _store(session)
    spend = {**_ad("2025-03-19"), "kind": "ad_roas_drop", "metric": "roas", "expected": 3.1,
             "actual": 0.9, "change": -0.71, "count_expected": 12.1, "count_actual": 2,
             "exposure": 125_050}  # fmt: skip
    record_alert(session, seller_id=1, kind="ad_roas_drop", dedupe_key="gbp",
                 evidence={**spend, "currency": "GBP"}, detected_at=MORNING)  # fmt: skip
    assert _texts(session, "en")["ad_roas_drop"].splitlines()[2] == (
        "2 conversions for £1,250.50 spent; usually 12.1"
    )
    # a row recorded before rows carried the currency: the won, as the seller's
    # language writes it (12,000원 in Korean, ₩12,000 in English)
    session.execute(delete(Alert))
    record_alert(session, seller_id=1, kind="ad_roas_drop", dedupe_key="krw", evidence=spend,
                 detected_at=MORNING)  # fmt: skip
    assert _texts(session, "ko")["ad_roas_drop"].splitlines()[2] == (
        "전환 2건, 광고비 125,050원이면 평소 12.1건"
    )
    assert _texts(session, "en")["ad_roas_drop"].splitlines()[2] == (
        "2 conversions for ₩125,050 spent; usually 12.1"
    )


def test_a_won_stores_english_alerts_and_digest_write_won_before_the_amount(
    session: Session,
) -> None:
    _store(session, "KRW")
    record(session, detect(session, now=MORNING, hours=HOURS))

    texts = _texts(session, "en")
    assert texts["sales_drop_day"].splitlines()[2] == "Revenue ₩12,000 (usually ₩96,000)"
    assert texts["digest"].splitlines()[1:3] == [
        "Revenue ₩12,000 · 1 orders (-88% vs the same weekday last week)",
        "Best seller: tea (1 sold, ₩12,000)",
    ]
    assert (
        _texts(session, "ko")["sales_drop_day"].splitlines()[2] == "매출 12,000원 (평소 96,000원)"
    )
