"""Inquiry drafts the seller could send unchanged, and those that must say what needs
checking (tools.inquiries.drafting.draft_for over a small hand-built store).

The shop: 유자차 1kg (Citron Tea 1kg, 12,900원, 30 in stock, options written in Korean),
딸기잼 500g (9,800원, sold out, one paid order ORD-77), and the seller's answered past
inquiries written below.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage import inquiry_outbox as outbox
from storage.db import session_factory
from storage.models import Inquiry, Product, Seller
from storage.settings import Settings
from tests.embeddings_stub import EmbeddingsStub
from tests.factories import inquiry_demo, make_inquiry, make_order, make_product, make_seller
from tools.inquiries.drafting import Drafted, draft_for
from tools.retrieval.service import Retrieval

NOW = dt.datetime(2026, 11, 25, 5, 0, tzinfo=dt.UTC)  # 14:00 in Seoul
PAST = dt.datetime(2026, 10, 1, 3, 0, tzinfo=dt.UTC)

GREETING_KO = "안녕하세요, 고객님. 문의 주셔서 감사합니다."
HOLDING_KO = "문의하신 내용은 확인한 뒤 빠르게 다시 안내해 드리겠습니다."
GREETING_EN = "Hello, and thank you for your message."
HOLDING_EN = "We will check your question and get back to you shortly."
WHEN_KO = "문의하신 날짜·일정 (상품·주문 정보에 없어요)"
WHEN_EN = "the date or time asked for (not in the product or order data)"


@pytest.fixture
def shop(
    sqlite_engine: Engine, tmp_path: Path
) -> Iterator[tuple[sessionmaker[Session], Retrieval]]:
    sessions = session_factory(sqlite_engine)
    with sessions.begin() as session:
        seller = make_seller(session, "tea", timezone="Asia/Seoul", currency="KRW")
        tea = make_product(
            session, seller, "유자차 1kg", 12_900, stock=30, name_en="Citron Tea 1kg"
        )
        tea.options = "용량: 1kg / 500g"
        jam = make_product(session, seller, "딸기잼 500g", 9_800, stock=0)
        make_inquiry(
            session,
            seller,
            "오늘 주문하면 언제 받을 수 있나요?",
            "평일 오후 2시 이전 결제 건은 당일 출고되며 보통 1~2일 안에 받아보실 수 있습니다.",
            PAST,
        )
        make_inquiry(
            session,
            seller,
            "해외 배송 EMS 가능한가요?",
            "네, EMS로 해외 배송해 드립니다. 관세는 받는 분이 내셔야 해요.",
            PAST,
        )
        make_inquiry(
            session,
            seller,
            "유자차 1kg 설탕이 들어가나요?",
            "유자차 1kg은 국산 유자와 설탕으로 만들어요.",
            PAST,
            tea,
        )
        make_inquiry(
            session,
            seller,
            "Does the Citron Tea 1kg contain sugar?",
            "Yes, the Citron Tea 1kg is made with Korean citron and sugar.",
            PAST,
            tea,
        )
        make_order(session, seller, PAST, [(jam, 2)], external_id="ORD-77")
    settings = Settings(_env_file=None, data_dir=tmp_path, embedding="hashing")  # type: ignore[call-arg]
    retrieval = Retrieval.open(settings, sessions=sessions)
    with sessions() as session:
        seller_id = session.query(Seller.id).scalar()
        retrieval.refresh_seller(session, seller_id)
    yield sessions, retrieval


# a multilingual model's stand-in: a text's vector counts the concepts it names in
# either language, so a Korean question and its English translation land on one point
CONCEPTS = (("해외", "abroad"), ("배송", "ship"), ("설탕", "sugar"), ("재입고", "restock"))


def _concepts(text: str) -> list[float]:
    return [0.1] + [float(any(word in text.lower() for word in words)) for words in CONCEPTS]


def _draft(shop: Any, question: str, *, order: str | None = None) -> Drafted:
    sessions, retrieval = shop
    with sessions.begin() as session:
        seller_id = session.query(Seller.id).scalar()
        order_id = None
        if order is not None:
            from storage.models import Order

            order_id = session.query(Order.id).filter(Order.external_id == order).scalar()
        inquiry_id, _ = outbox.record_inquiry(
            session,
            seller_id=seller_id,
            source="test",
            external_id=question,
            question=question,
            asked_at=NOW,
            order_id=order_id,
        )
        inquiry = session.get(Inquiry, inquiry_id)
        assert inquiry is not None
        return draft_for(retrieval, session, inquiry, now=NOW)


# -- a date or time to come --------------------------------------------------------------


def test_a_restock_date_question_states_todays_stock_and_says_the_date_needs_checking(
    shop: Any,
) -> None:
    drafted = _draft(shop, "유자차 1kg 언제 재입고돼요?")
    assert drafted.text == "\n".join(
        [
            GREETING_KO,
            "유자차 1kg은(는) 현재 재고가 있어 바로 구매하실 수 있습니다(재고 30개).",
            HOLDING_KO,
            "감사합니다.",
        ]
    )
    assert drafted.checks == (WHEN_KO,)
    assert drafted.needs_check


def test_a_restock_question_about_a_sold_out_product_needs_checking_even_without_when(
    shop: Any,
) -> None:
    drafted = _draft(shop, "딸기잼 500g 재입고 되나요?")
    assert drafted.text == "\n".join(
        [GREETING_KO, "딸기잼 500g은(는) 현재 품절입니다.", HOLDING_KO, "감사합니다."]
    )
    assert drafted.checks == (WHEN_KO,)


def test_a_restock_question_about_a_product_in_stock_is_answered_by_todays_stock(
    shop: Any,
) -> None:
    drafted = _draft(shop, "유자차 1kg 재입고 됐나요?")
    assert drafted.text == "\n".join(
        [
            GREETING_KO,
            "유자차 1kg은(는) 현재 재고가 있어 바로 구매하실 수 있습니다(재고 30개).",
            "감사합니다.",
        ]
    )
    assert not drafted.needs_check


def test_an_english_restock_date_question_needs_checking_too(shop: Any) -> None:
    drafted = _draft(shop, "When will the Citron Tea 1kg be back in stock?")
    assert drafted.text == "\n".join(
        [
            GREETING_EN,
            "The Citron Tea 1kg is in stock and can be ordered right away (30 left).",
            HOLDING_EN,
            "Thank you.",
        ]
    )
    assert drafted.checks == (WHEN_EN,)


def test_a_delivery_time_question_is_answered_by_the_sellers_own_lead_time(shop: Any) -> None:
    drafted = _draft(shop, "지금 주문하면 언제 받을 수 있나요?")
    assert drafted.text == "\n".join(
        [
            GREETING_KO,
            "평일 오후 2시 이전 결제 건은 당일 출고되며 보통 1~2일 안에 받아보실 수 있습니다.",
            "감사합니다.",
        ]
    )
    assert not drafted.needs_check


def test_anytime_asks_for_no_date(shop: Any) -> None:
    drafted = _draft(shop, "유자차 1kg 언제든 살 수 있나요?")
    assert drafted.text == "\n".join(
        [
            GREETING_KO,
            "유자차 1kg은(는) 현재 재고가 있어 바로 구매하실 수 있습니다(재고 30개).",
            "감사합니다.",
        ]
    )
    assert not drafted.needs_check


def test_an_order_question_states_the_orders_status_and_the_arrival_date_needs_checking(
    shop: Any,
) -> None:
    drafted = _draft(shop, "주문한 딸기잼 언제 도착하나요? 날짜 알려주세요", order="ORD-77")
    lines = drafted.text.splitlines()
    assert "주문(ORD-77, 2026-10-01 주문)은 결제가 완료된 상태입니다." in lines
    assert lines[-2:] == [HOLDING_KO, "감사합니다."]
    assert WHEN_KO in drafted.checks
    assert drafted.needs_check


# -- English drafts ------------------------------------------------------------------------


def test_an_english_draft_writes_won_in_english(shop: Any) -> None:
    drafted = _draft(shop, "How much is the Citron Tea 1kg?")
    assert drafted.text == "\n".join(
        [GREETING_EN, "The Citron Tea 1kg costs ₩12,900.", "Thank you."]
    )
    assert not drafted.needs_check


def test_an_english_question_reuses_the_english_past_answer_not_the_korean_one(
    shop: Any,
) -> None:
    drafted = _draft(shop, "Is there sugar in the Citron Tea 1kg?")
    assert drafted.text == "\n".join(
        [GREETING_EN, "Yes, the Citron Tea 1kg is made with Korean citron and sugar.", "Thank you."]
    )
    assert not drafted.needs_check
    korean = _draft(shop, "유자차 1kg 설탕 들어가요?")
    assert "유자차 1kg은 국산 유자와 설탕으로 만들어요." in korean.text.splitlines()


def test_an_english_question_with_only_a_korean_past_answer_pastes_no_korean(
    shop: Any,
) -> None:
    """A multilingual embedding (a local /v1/embeddings server placing "해외 배송" and
    "ship abroad" together) finds the Korean past answer; it is listed, not pasted."""
    sessions, _ = shop
    server = EmbeddingsStub(_concepts)
    try:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            data_dir=Path(tempfile.mkdtemp()),
            openai_api_key="sk-test",
            openai_base_url=server.base_url,
            embedding="openai",
        )
        multilingual = Retrieval.open(settings, sessions=sessions)
        drafted = _draft((sessions, multilingual), "Can you ship abroad?")
    finally:
        server.close()
    assert drafted.meta["sources"][0]["question"] == "해외 배송 EMS 가능한가요?"
    assert drafted.text == "\n".join([GREETING_EN, HOLDING_EN, "Thank you."])
    assert drafted.checks == ("네, EMS로 해외 배송해 드립니다.", "관세는 받는 분이 내셔야 해요.")
    assert drafted.needs_check


def test_an_english_draft_writes_the_options_in_english_when_every_word_has_a_translation(
    shop: Any,
) -> None:
    """용량 is "capacity" (prompts/inquiry.en.yaml option_labels) and 1kg / 500g need none."""
    drafted = _draft(shop, "What capacity options does the Citron Tea 1kg come in?")
    assert drafted.text == "\n".join(
        [
            GREETING_EN,
            "The Citron Tea 1kg comes in these options: capacity: 1kg / 500g.",
            "Thank you.",
        ]
    )
    assert not drafted.needs_check


def test_an_english_draft_leaves_out_a_fact_written_in_korean_for_the_seller_to_check(
    shop: Any,
) -> None:
    """Flavours 유자 / 생강 have no English word in prompts/product_words.yaml."""
    sessions, _ = shop
    with sessions.begin() as session:
        session.query(Product).filter(Product.name == "유자차 1kg").update(
            {Product.options: "맛: 유자 / 생강"}
        )
    drafted = _draft(shop, "What flavour options does the Citron Tea 1kg come in?")
    assert drafted.text == "\n".join([GREETING_EN, HOLDING_EN, "Thank you."])
    assert drafted.checks == ("The Citron Tea 1kg comes in these options: 맛: 유자 / 생강.",)
    korean = _draft(shop, "유자차 1kg 옵션 뭐 있어요?")
    assert "유자차 1kg의 선택 가능한 옵션은 맛: 유자 / 생강입니다." in korean.text.splitlines()
    assert not korean.needs_check


# -- auto-answers on the demo store ---------------------------------------------------------


@pytest.fixture
def demo(sqlite_engine: Engine, tmp_path: Path) -> tuple[sessionmaker[Session], Retrieval]:
    """The demo generator's store: two weeks, 60 inquiries (59 answered)."""
    sessions = session_factory(sqlite_engine)
    with sessions.begin() as session:
        inquiry_demo(session)
    settings = Settings(_env_file=None, data_dir=tmp_path, embedding="hashing")  # type: ignore[call-arg]
    return sessions, Retrieval.open(settings, sessions=sessions)


def test_the_demo_sellers_faq_answers_qualify_for_auto_answers_and_policies_do_not(
    demo: Any,
) -> None:
    from tools.inquiries.auto import may_answer

    photos = _draft(demo, "원목 도마 실물도 사진이랑 같나요?")
    assert photos.text == "\n".join(
        [
            GREETING_KO,
            "최대한 실물과 가깝게 촬영했지만 모니터 설정에 따라 조금 다르게 보일 수 있어요.",
            "감사합니다.",
        ]
    )
    assert may_answer(photos)
    care = _draft(demo, "How do I take care of the Wooden Cutting Board?")
    assert care.text == "\n".join(
        [
            GREETING_EN,
            "Wash it gently with mild detergent after use and let it dry well.",
            "Please avoid abrasive scrubbers.",
            "Thank you.",
        ]
    )
    assert may_answer(care)
    # the seller's policies hold a figure or a promise: never sent alone
    assert not may_answer(_draft(demo, "스태킹 컵 4P 옵션을 잘못 주문했어요. 교환되나요?"))
    assert not may_answer(_draft(demo, "제주도도 배송되나요? 추가 배송비가 있나요?"))


# -- a fact answers only its own attribute; a past answer only its own question ------------


def test_a_discount_question_is_not_answered_by_the_price(shop: Any) -> None:
    drafted = _draft(shop, "유자차 1kg 할인 쿠폰 있나요?")
    assert drafted.text == "\n".join([GREETING_KO, HOLDING_KO, "감사합니다."])
    assert drafted.needs_check and not drafted.known
    english = _draft(shop, "Is there a discount on the Citron Tea 1kg?")
    assert english.text == "\n".join([GREETING_EN, HOLDING_EN, "Thank you."])
    assert english.needs_check


def test_a_size_question_is_not_answered_by_options_of_another_kind(shop: Any) -> None:
    """유자차 1kg's options are capacities (용량: 1kg / 500g): they answer "용량 뭐 있어요?"
    but not its size in centimetres, nor a colour."""
    capacity = _draft(shop, "유자차 1kg 용량 뭐 있어요?")
    assert capacity.text == "\n".join(
        [GREETING_KO, "유자차 1kg의 선택 가능한 옵션은 용량: 1kg / 500g입니다.", "감사합니다."]
    )
    assert not capacity.needs_check
    for question in ("유자차 1kg 병 크기가 가로 세로 몇 cm예요?", "유자차 1kg 색상 뭐 있어요?"):
        drafted = _draft(shop, question)
        assert drafted.text == "\n".join([GREETING_KO, HOLDING_KO, "감사합니다."]), question
        assert drafted.needs_check


def test_an_exchange_question_states_the_options_and_says_the_exchange_needs_checking(
    shop: Any,
) -> None:
    drafted = _draft(shop, "유자차 1kg 옵션을 잘못 주문했어요. 교환되나요?")
    assert drafted.text == "\n".join(
        [
            GREETING_KO,
            "유자차 1kg의 선택 가능한 옵션은 용량: 1kg / 500g입니다.",
            HOLDING_KO,
            "감사합니다.",
        ]
    )
    assert drafted.needs_check


def test_a_past_answer_about_another_ingredient_is_not_reused(shop: Any) -> None:
    """The seller answered whether 유자차 1kg has sugar; preservatives are another question
    about the same product, and the sugar answer is not pasted for it."""
    drafted = _draft(shop, "유자차 1kg 방부제 들어가나요?")
    assert drafted.text == "\n".join([GREETING_KO, HOLDING_KO, "감사합니다."])
    assert drafted.needs_check
    same = _draft(shop, "유자차 1kg 설탕 들어 있나요?")
    assert same.text == "\n".join(
        [GREETING_KO, "유자차 1kg은 국산 유자와 설탕으로 만들어요.", "감사합니다."]
    )
    assert not same.needs_check


def test_a_gift_wrap_question_in_english_is_not_answered_by_the_stock(shop: Any) -> None:
    drafted = _draft(shop, "Is gift wrapping available for the Citron Tea 1kg?")
    assert drafted.text == "\n".join(
        [
            GREETING_EN,
            "The Citron Tea 1kg is in stock and can be ordered right away (30 left).",
            HOLDING_EN,
            "Thank you.",
        ]
    )
    assert drafted.needs_check


# -- the same question in other words ------------------------------------------------------


def test_a_question_in_other_words_reuses_the_sellers_answer_to_it(shop: Any) -> None:
    """No word of "배송 기간 얼마나 걸려요?" is in "오늘 주문하면 언제 받을 수 있나요?", nor
    of "마음이 바뀌었는데 반품" in "단순 변심으로 환불": read through same_meaning of
    prompts/inquiry.ko.yaml they ask the same, and the seller's answer is reused."""
    sessions, retrieval = shop
    with sessions.begin() as session:
        seller = session.query(Seller).one()
        make_inquiry(
            session,
            seller,
            "단순 변심으로 환불 가능한가요?",
            "수령 후 7일 이내 미개봉 상품은 환불 가능합니다.",
            PAST,
        )
        retrieval.refresh_seller(session, seller.id)

    drafted = _draft(shop, "배송 기간 얼마나 걸려요?")
    assert drafted.text == "\n".join(
        [
            GREETING_KO,
            "평일 오후 2시 이전 결제 건은 당일 출고되며 보통 1~2일 안에 받아보실 수 있습니다.",
            "감사합니다.",
        ]
    )
    assert not drafted.needs_check
    drafted = _draft(shop, "마음이 바뀌었는데 반품할 수 있나요?")
    assert drafted.text == "\n".join(
        [GREETING_KO, "수령 후 7일 이내 미개봉 상품은 환불 가능합니다.", "감사합니다."]
    )
    assert not drafted.needs_check


def test_same_day_delivery_is_not_answered_by_the_usual_lead_time(shop: Any) -> None:
    """퀵 / 오늘 안에 is a subject of its own (same_day): the seller's answer about the
    usual lead time is not reused for it."""
    for question in ("퀵으로 오늘 받을 수 있나요?", "오늘 안에 받아볼 수 있을까요?"):
        drafted = _draft(shop, question)
        assert drafted.text == "\n".join([GREETING_KO, HOLDING_KO, "감사합니다."])
        assert drafted.needs_check


def test_tomorrow_in_the_condition_of_a_request_is_kept(shop: Any) -> None:
    """ "내일" in a past answer usually dates it (내일 발송), but "내일 오전에도 조회되지 않으면
    다시 문의해 주세요" asks the customer something from whenever it is read: reused."""
    sessions, retrieval = shop
    with sessions.begin() as session:
        seller = session.query(Seller).one()
        make_inquiry(
            session,
            seller,
            "배송 조회가 안 돼요. 확인 부탁드립니다.",
            "택배사 전산 반영에 반나절 정도 걸릴 수 있습니다. "
            "내일 오전에도 조회되지 않으면 다시 문의해 주세요.",
            PAST,
        )
        retrieval.refresh_seller(session, seller.id)

    drafted = _draft(shop, "송장번호 조회가 안 되는데 확인해 주세요")
    assert drafted.text == "\n".join(
        [
            GREETING_KO,
            "택배사 전산 반영에 반나절 정도 걸릴 수 있습니다.",
            "내일 오전에도 조회되지 않으면 다시 문의해 주세요.",
            "감사합니다.",
        ]
    )
    assert not drafted.needs_check
