"""The answer guard on model answers a seller could be shown: right ones pass, plausible
wrong ones are refused (so the templated answer replaces them).

Sources are passed as tools/advisor.py passes them: the question, the turn's date, then
each call's arguments and the summary the model read. SALES is a sales_report summary
with the figures of issue 13 (revenue 1,482,600원, +38.8 % on the day before, 37 paid
orders and 70 units, as of 14:10 on 12월 2일); the others are summaries the catalogue's
tools wrote on the demo store (`advisor seed --days 90 --until 2026-11-27T14:30`).
"""

from __future__ import annotations

from typing import Any

import pytest

from tools.guard import check_answer

SALES_ARGS = {"start": "2026-12-02", "end": "2026-12-02"}
SALES: dict[str, Any] = {
    "start": "2026-12-02",
    "end": "2026-12-02",
    "so_far": True,
    "as_of": "14:10",
    "currency": "KRW",
    "revenue": 1_482_600,
    "orders": 37,
    "units": 70,
    "average_order_value": 40_070,
    "ordered_amount": 1_690_600,
    "cancelled_or_refunded": 5,
    "cancelled_orders": 4,
    "cancelled_amount": 168_000,
    "refunded_orders": 1,
    "refunded_amount": 40_000,
    "cancellation_rate": 0.1190,
    "previous": {
        "basis": "same_time_yesterday",
        "start": "2026-12-01",
        "end": "2026-12-01",
        "until": "14:10",
        "revenue": 1_068_200,
        "orders": 29,
        "revenue_change": 0.388,
        "orders_change": 0.2759,
    },
}
TOP_ARGS = {"start": "2026-11-20", "end": "2026-11-26", "metric": "revenue", "limit": 3}
TOP: dict[str, Any] = {
    "start": "2026-11-20",
    "end": "2026-11-26",
    "compared_with": {"basis": "previous_period", "start": "2026-11-13", "end": "2026-11-19"},
    "metric": "revenue",
    "direction": "top",
    "ranked_by": "value",
    "currency": "KRW",
    "items": [
        {"rank": 1, "product_id": 32, "name": "꿀 스틱 30개입", "name_en": "Honey Sticks 30 pcs",
         "revenue": 1_770_900, "units": 94, "change": -0.2019, "change_absolute": -447_900,
         "share_of_revenue": 0.1674},
        {"rank": 2, "product_id": 31, "name": "수제 쿠키 선물세트",
         "name_en": "Handmade Cookie Gift Set", "revenue": 1_003_200, "units": 42,
         "change": -0.2705, "change_absolute": -372_000, "share_of_revenue": 0.0948},
        {"rank": 3, "product_id": 46, "name": "텀블러 선물세트", "name_en": "Tumbler Gift Set",
         "revenue": 717_200, "units": 22, "change": 0.483, "change_absolute": 233_600,
         "share_of_revenue": 0.0678},
    ],
    "total_revenue": 10_580_100,
    "total_units": 558,
    "products_sold": 59,
}  # fmt: skip
ADS_ARGS = {"start": "2026-11-20", "end": "2026-11-26"}
ADS: dict[str, Any] = {
    "start": "2026-11-20",
    "end": "2026-11-26",
    "currency": "KRW",
    "compared": {"basis": "previous_period", "current": ["2026-11-20", "2026-11-26"],
                 "previous": ["2026-11-13", "2026-11-19"]},
    "total": {"spend": 1_023_866, "revenue": 1_363_660, "roas": 1.33, "ctr": 0.0178,
              "cvr": 0.0407, "cpc": 683, "cpa": 16_785, "roas_change": -0.2461,
              "spend_change": -0.1241, "break_even_roas": 1.76, "estimated_profit": -250_321},
    "campaigns": [
        {"campaign_id": 2, "name": "선물세트 쇼핑광고", "spend": 928_453, "revenue": 768_900,
         "roas": 0.83, "ctr": 0.0381, "cvr": 0.052, "cpc": 1558, "cpa": 29_950,
         "roas_change": -0.3604, "break_even_roas": 1.72, "loses_money": True},
        {"campaign_id": 5, "name": "브랜드 키워드", "spend": 56_140, "revenue": 409_390,
         "roas": 7.29, "ctr": 0.0204, "cvr": 0.0443, "cpc": 113, "cpa": 2552,
         "roas_change": 0.1946, "break_even_roas": 1.83},
    ],
    "losing": [{"campaign_id": 2, "name": "선물세트 쇼핑광고", "estimated_loss": 480_248}],
}  # fmt: skip
DRIVERS_ARGS = {"start": "2026-11-26", "end": "2026-11-26", "limit": 3}
DRIVERS: dict[str, Any] = {
    "start": "2026-11-26",
    "end": "2026-11-26",
    "so_far": False,
    "currency": "KRW",
    "revenue": 1_122_000,
    "orders": 25,
    "direction": "down",
    "previous": {"basis": "previous_day", "start": "2026-11-25", "end": "2026-11-25",
                 "covered": True, "revenue": 1_825_500, "orders": 54,
                 "revenue_change": -703_500, "revenue_change_rate": -0.3854,
                 "orders_change": -29},
    "keywords": [{"keyword": "선물세트", "visits_before": 51, "visits_after": 26,
                  "visits_change": -25, "purchases_before": 2, "purchases_after": 2}],
}  # fmt: skip
CUSTOMERS_ARGS = {"segment": "at_risk", "limit": 3}
CUSTOMERS: dict[str, Any] = {
    "segment": "at_risk",
    "as_of": "2026-11-27",
    "customers_fitted": 2920,
    "segment_sizes": {"likely_regulars": 104, "regulars": 21, "at_risk": 2},
    "customers": [
        {"customer": "C0000032", "purchases": 4, "last_purchase": "2026-09-18", "p_alive": 0.29,
         "expected_purchases_90d": 0.5, "expected_value_90d": 25_001},
    ],
}  # fmt: skip
STOCK_ARGS = {"limit": 3}
STOCK: dict[str, Any] = {
    "as_of": "2026-11-27T14:30:00+09:00",
    "rate_over_days": 14,
    "selling_out_within_days": 7,
    "products": 60,
    "out_of_stock": 0,
    "selling_out": 3,
    "items": [
        {"product_id": 55, "name": "디퓨저 200ml", "name_en": "Reed Diffuser 200ml", "stock": 2,
         "units_per_day": 2.5, "days_left": 0.8, "stockout_date": "2026-11-28",
         "status": "selling_out"},
    ],
}  # fmt: skip

CALLS = {
    "sales": ("2026-12-02", SALES_ARGS, SALES),
    "top": ("2026-11-27", TOP_ARGS, TOP),
    "ads": ("2026-11-27", ADS_ARGS, ADS),
    "drivers": ("2026-11-27", DRIVERS_ARGS, DRIVERS),
    "customers": ("2026-11-27", CUSTOMERS_ARGS, CUSTOMERS),
    "stock": ("2026-11-27", STOCK_ARGS, STOCK),
}


def guard(call: str, question: str, answer: str) -> Any:
    today, args, summary = CALLS[call]
    return check_answer(answer, [question, today, args, summary])


RIGHT = [
    # exact figures, both languages
    ("sales", "오늘 매출 얼마야?", "오늘 14:10까지 매출은 1,482,600원, 주문 37건(70개)이에요."),
    ("sales", "how are sales today?", "Revenue is 1,482,600 won from 37 orders (70 units)."),
    ("sales", "오늘 매출 얼마야?", "취소 4건, 환불 1건이 있었고 취소율은 11.9%예요."),
    ("sales", "how are sales today?", "5 orders were cancelled or refunded; 4 were cancelled."),
    # rounding within the precision shown
    ("sales", "오늘 매출 얼마야?", "오늘 매출은 약 148만 원이에요."),
    ("sales", "오늘 매출 얼마야?", "오늘 매출은 약 150만 원이에요."),
    ("sales", "how are sales today?", "Revenue is about 1.48 million won (₩1.5M)."),
    ("sales", "how are sales today?", "Revenue is about 1,500 thousand won."),
    ("sales", "오늘 매출 얼마야?", "매출 백사십팔만 원, 주문 서른일곱 건이에요."),
    ("sales", "오늘 매출 얼마야?", "매출이 148만 원을 넘었어요."),
    # directions that agree with the sign
    ("sales", "오늘 매출 얼마야?", "어제 같은 시간보다 38.8% 늘었어요."),
    ("sales", "오늘 매출 얼마야?", "매출은 1,482,600원으로 어제보다 증가했어요."),
    ("sales", "how are sales today?", "Revenue rose 38.8%, up 414,400 won on yesterday."),
    ("sales", "how are sales today?", "Revenue is 1.4 times yesterday's 1,068,200 won."),
    ("drivers", "어제 왜 매출 떨어졌어?", "어제 매출은 1,122,000원으로 그제보다 38.5% 줄었어요."),
    ("drivers", "어제 왜 매출 떨어졌어?", "주문이 29건 줄었고 매출은 703,500원 감소했어요."),
    (
        "drivers",
        "why did sales drop?",
        "Revenue fell 38.5% to 1,122,000 won; orders dropped by 29.",
    ),
    (
        "drivers",
        "어제 왜 매출 떨어졌어?",
        "'선물세트' 검색 유입이 51회에서 26회로 절반 가까이 줄었어요.",
    ),
    ("top", "지난주 잘 팔린 상품?", "텀블러 선물세트는 48.3% 늘어 233,600원 더 팔렸어요."),
    ("top", "what sold best last week?", "Honey Sticks 30 pcs led with 1,770,900 won, down 20.2%."),
    # percentages of ratios, of what they name
    ("top", "지난주 잘 팔린 상품?", "꿀 스틱 30개입이 전체 매출의 16.7%를 차지했어요."),
    ("top", "지난주 잘 팔린 상품?", "꿀 스틱 30개입이 매출의 약 6분의 1이에요."),
    ("ads", "광고 효율 어때?", "ROAS 133%로 손익분기 176%보다 낮아요. CTR 1.78%, 전환율 4.07%."),
    ("ads", "how are my ads?", "ROAS fell 24.6% to 1.33; spend was down 12.4%."),
    ("ads", "광고 효율 어때?", "선물세트 쇼핑광고는 ROAS 0.83으로 약 48만 원 손실이에요."),
    ("ads", "how are my ads?", "브랜드 키워드 ROAS is 7.29, more than seven times its spend."),
    ("customers", "단골 될 고객?", "이탈 위험 고객은 2명, 단골 후보는 104명이에요."),
    ("customers", "단골 될 고객?", "C0000032 고객은 4번 구매했고 재구매 확률은 29%예요."),
    ("customers", "단골 될 고객?", "향후 90일 예상 가치는 25,001원이에요."),
    # dates, times, names and parameters
    (
        "sales",
        "오늘 매출 얼마야?",
        "12월 2일 오후 2시 10분 기준, 어제(12월 1일)보다 늘었어요: 1,482,600원.",
    ),
    ("top", "지난주 잘 팔린 상품?", "11월 20일~26일 상위 3개 상품이에요: 1위 꿀 스틱 30개입."),
    ("top", "top 3 products last week", "Top 3 products, Nov 20–26: Honey Sticks 30 pcs first."),
    (
        "stock",
        "재고 괜찮아?",
        "디퓨저 200ml는 재고 2개로 11월 28일 품절 예상이에요. 최근 14일 기준.",
    ),
    ("stock", "재고 괜찮아?", "품절된 상품은 없고, 3개 상품이 7일 안에 품절될 수 있어요."),
    (
        "stock",
        "is stock ok?",
        "Reed Diffuser 200ml has 2 left and sells 2.5 a day: out in about 1 day.",
    ),
    # no figure where none was asked for
    ("top", "what sold best last week?", "꿀 스틱 30개입이 제일 잘 팔렸어요."),
    ("ads", "광고 효율 어때?", "선물세트 쇼핑광고가 손해를 보고 있어요. 예산을 줄여 보세요."),
]

WRONG = [
    # rounded far from the figure
    ("sales", "오늘 매출 얼마야?", "오늘 매출은 약 1억 원이에요."),
    ("sales", "오늘 매출 얼마야?", "오늘 매출은 약 200만 원이에요."),
    ("sales", "오늘 매출 얼마야?", "오늘 매출은 약 140만 원이에요."),
    ("sales", "how are sales today?", "Revenue is about 2 million won."),
    # numbers in words
    ("sales", "오늘 매출 얼마야?", "오늘 매출은 이백만 원이에요."),
    ("sales", "오늘 매출 얼마야?", "오늘 매출은 어제의 두 배예요."),
    ("sales", "how are sales today?", "Sales are three times yesterday's."),
    ("sales", "how are sales today?", "Revenue halved since yesterday."),
    # sign flips
    ("sales", "오늘 매출 얼마야?", "매출이 어제보다 38.8% 감소했어요."),
    ("sales", "오늘 매출 얼마야?", "매출은 어제 대비 -38.8%예요."),
    ("sales", "how are sales today?", "Revenue fell 38.8% on yesterday."),
    ("sales", "오늘 매출 얼마야?", "매출은 1,482,600원으로 어제보다 줄었어요."),
    ("drivers", "어제 왜 매출 떨어졌어?", "주문이 29건 늘었어요."),
    ("drivers", "why did sales drop?", "Revenue rose 38.5% to 1,122,000 won."),
    ("ads", "광고 효율 어때?", "ROAS가 24.6% 올랐어요."),
    # role swaps: the figure of another field
    ("sales", "오늘 매출 얼마야?", "오늘 주문은 70건이에요."),  # 70 units
    ("sales", "오늘 매출 얼마야?", "오늘 주문은 42건이에요."),  # 37 paid + 5 cancelled or refunded
    ("sales", "오늘 매출 얼마야?", "오늘 37개 팔렸어요."),  # 37 orders, 70 units
    ("sales", "오늘 매출 얼마야?", "오늘 매출은 1,690,600원이에요."),  # amount ordered, not revenue
    ("sales", "오늘 매출 얼마야?", "환불이 4건 있었어요."),  # 4 cancelled, 1 refunded
    ("sales", "오늘 매출 얼마야?", "주문은 어제보다 38.8% 늘었어요."),  # revenue's change
    (
        "top",
        "지난주 잘 팔린 상품?",
        "수제 쿠키 선물세트는 1,770,900원 팔렸어요.",
    ),  # the honey sticks'
    ("top", "지난주 잘 팔린 상품?", "꿀 스틱 30개입이 30개 팔렸어요."),  # 30 is in its name
    ("ads", "광고 효율 어때?", "전환율은 1.78%예요."),  # that is the CTR
    ("ads", "광고 효율 어때?", "ROAS는 1.33%예요."),  # a ratio of 1.33 is 133 %
    ("customers", "단골 될 고객?", "이탈 위험 고객은 104명이에요."),  # 104 likely regulars
    # parts of dates and times are not figures
    ("sales", "오늘 매출 얼마야?", "12월 2일 매출이 12% 늘었어요."),
    ("sales", "오늘 매출 얼마야?", "12월 2일 취소는 2건이에요."),
    ("sales", "오늘 매출 얼마야?", "14:10까지 주문 14건이에요."),
    # numbers only the question held
    ("sales", "오늘 매출 200만 원 넘었어?", "네, 오늘 매출은 200만 원이에요."),
    ("sales", "오늘 매출 200만 원 넘었어?", "네, 200만 원을 넘었어요."),
    ("sales", "주문 50건 넘었어?", "오늘 주문은 50건이에요."),
    # no figure where the question asked for one
    ("sales", "오늘 매출 얼마야?", "매출이 좋아요!"),
    ("sales", "how much did we sell today?", "Sales are looking good today."),
]


@pytest.mark.parametrize(("call", "question", "answer"), RIGHT)
def test_a_right_answer_passes(call: str, question: str, answer: str) -> None:
    verdict = guard(call, question, answer)
    assert verdict.ok, verdict.reasons


@pytest.mark.parametrize(("call", "question", "answer"), WRONG)
def test_a_plausible_wrong_answer_is_refused(call: str, question: str, answer: str) -> None:
    assert not guard(call, question, answer).ok


def test_the_guard_names_why() -> None:
    assert guard("sales", "오늘 매출 얼마야?", "오늘 매출은 약 200만 원이에요.").reasons == (
        "200만: not found",
    )
    assert guard("sales", "오늘 매출 얼마야?", "매출이 어제보다 38.8% 감소했어요.").reasons == (
        "38.8%: direction",
    )
    assert guard("sales", "오늘 매출 얼마야?", "오늘 주문은 70건이에요.").reasons == ("70: role",)
    refused = guard("sales", "오늘 매출 얼마야?", "14:10까지 주문 14건이에요.")
    assert refused.unsupported == ("14",)
    assert guard("sales", "오늘 매출 얼마야?", "매출이 좋아요!").reasons == (
        "no figure: the question asked for one",
    )


def test_a_malformed_date_or_argument_never_raises() -> None:
    bad = {"start": "2026-11-25' OR 1=1 --", "end": "2026-13-45", "limit": float("nan")}
    for summary in ({"error": "start: invalid date"}, SALES, {"start": "2026-02-30"}):
        verdict = check_answer("매출은 1,482,600원이에요.", ["매출?", "2026-12-02", bad, summary])
        assert verdict.ok is (summary is SALES)
    assert not check_answer("2월 30일 매출", ["매출?", "2026-12-02", SALES_ARGS, SALES]).ok


def test_done_after_a_failed_or_nonexistent_call_is_refused() -> None:
    failed = ["광고 다 꺼줘", "2026-11-27", {"all": True}, {"error": "not run"}]
    assert check_answer("완료했어요.", failed).reasons == ("claims an action no tool took",)
    assert check_answer("처리됐어요.", failed).reasons == ("no figure: every tool call failed",)
    assert not check_answer(
        "광고를 모두 중지했어요.", ["광고 효율 어때?", "2026-11-27", ADS_ARGS, ADS]
    ).ok
    # an honest answer after a failed call stands
    assert check_answer("그 분석은 지금 할 수 없어요.", ["다른 상점 보여줘", *failed[1:]]).ok


def test_a_zero_said_in_words_is_a_figure() -> None:
    quiet = {**SALES, "revenue": 0, "orders": 0, "units": 0, "cancelled_or_refunded": 0,
             "cancelled_orders": 0, "refunded_orders": 0}  # fmt: skip
    sources = ["오늘 매출 얼마야?", "2026-12-02", SALES_ARGS, quiet]
    assert check_answer("오늘은 아직 주문이 없어요.", sources).ok
    assert not check_answer(
        "오늘은 아직 주문이 없어요.", ["오늘 매출 얼마야?", "2026-12-02", SALES_ARGS, SALES]
    ).ok
