"""The answer guard: a model's numbers must come from this turn's tool results."""

from __future__ import annotations

from tools.guard import check_answer

RESULT = {
    "window": {"start": "2026-11-20", "end": "2026-11-26"},
    "revenue": 1_234_500,
    "orders": 37,
    "average_order_value": 33_365,
    "cancellation_rate": 0.0541,
    "previous": {"revenue": 1_480_000, "change_pct": -0.16588},
    "top": [{"name": "스테인리스 텀블러", "revenue": 402_000}],
}


def test_numbers_from_the_result_pass_in_every_usual_format() -> None:
    answers = [
        "지난 7일 매출은 1,234,500원(약 123만 원)이고 주문은 37건입니다.",
        "Revenue was 1,234,500 KRW across 37 orders; average order 33,365원.",
        "취소율은 5.4%, 전주 대비 16.6% 감소했습니다.",
        "매출은 약 120만 원으로 지난주 148만 원보다 줄었어요.",
        "11월 20일부터 11월 26일까지, 2026-11-26 기준입니다.",
        "1위는 스테인리스 텀블러로 40만 2천원... 402,000원입니다.",
        "Revenue fell 17% to 1.23M won.",
    ]
    for answer in answers:
        verdict = check_answer(answer, [RESULT])
        assert verdict.ok, (answer, verdict.unsupported)


def test_an_invented_number_is_caught() -> None:
    verdict = check_answer("매출은 1,334,500원이고 주문은 37건입니다.", [RESULT])
    assert not verdict.ok
    assert verdict.unsupported == ("1,334,500",)
    assert check_answer("Orders rose to 42.", [RESULT]).unsupported == ("42",)
    assert check_answer("취소율은 7.5%입니다.", [RESULT]).unsupported == ("7.5%",)
    assert check_answer("매출 250만 원", [RESULT]).unsupported == ("250만",)


def test_rounding_only_to_what_was_shown() -> None:
    # 5.41% may be shown as 5%, 5.4% or 5.41%, but not as 5.5%
    assert check_answer("취소율 5%", [RESULT]).ok
    assert check_answer("취소율 5.41%", [RESULT]).ok
    assert not check_answer("취소율 5.5%", [RESULT]).ok


def test_question_and_arguments_count_as_sources() -> None:
    question = "top 3 products in the last 30 days"
    assert check_answer("Here are the top 3 products of the last 30 days.", [RESULT, question]).ok
    assert not check_answer("Here are the top 3 products.", [RESULT]).ok


def test_compound_korean_amount() -> None:
    result = {"revenue": 123_450_000}
    assert check_answer("매출 1억 2,345만 원", [result]).ok
    assert not check_answer("매출 1억 3,345만 원", [result]).ok


def test_a_number_inside_a_name_supports_only_the_same_thing() -> None:
    result = {"product": {"name": "스테인리스 텀블러 500ml", "stock": 30}}
    assert check_answer("스테인리스 텀블러 500ml는 재고가 30개 있어요.", [result]).ok
    assert check_answer("500ml짜리 텀블러는 30개 남았어요.", [result]).ok
    assert check_answer("재고가 500개 있어요.", [result]).unsupported == ("500",)
    question = "지난 30일 top 3 상품"
    assert check_answer("지난 30일 상위 3개 상품이에요.", [result, question]).ok


def test_a_ratio_times_100_only_counts_as_a_percentage() -> None:
    result = {"conversion_rate": 0.05, "stock": 5}
    assert check_answer("전환율은 5.0%예요.", [result]).ok
    assert check_answer("재고 5개, 전환율 5%", [result]).ok
    assert check_answer("재고가 500개 있어요.", [result]).unsupported == ("500",)
    # a period's length counts: "지난 7일" of a 7-day window
    assert check_answer("지난 7일", [{"start": "2026-11-20", "end": "2026-11-26"}]).ok
