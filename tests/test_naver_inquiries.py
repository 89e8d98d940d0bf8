"""Naver product Q&A and customer inquiries against the Commerce API emulator
(tests/emulators/naver_commerce.py): read and stored once, an answered one recorded
as answered with its answer (a past answer), an open one answered in Smart Store
Center closed, an answer posted once, a second post refused with the answer found
there, the answer text as typed and its limit, and the gateway's errors."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.naver_inquiry_source import naver_sources
from storage import inquiry_outbox as outbox
from storage.connectors import SourceError, accounts, secrets
from storage.connectors.naver_commerce import NaverInquiries
from storage.connectors.naver_commerce.client import IP_NOT_ALLOWED, NaverClient
from storage.connectors.naver_commerce.inquiries import (
    INQUIRY,
    MAX_ANSWER_CHARS,
    QNA,
    AnswerRefused,
    PostResult,
    Stored,
    for_seller,
    read_all_new,
    read_new,
)
from storage.models import Inquiry, InquiryStatus
from storage.settings import Settings
from tests.emulators._http import serve
from tests.emulators.naver_commerce import NaverCommerce
from tests.factories import local, make_order, make_product, make_seller
from tests.test_naver_commerce import Clock
from tools.inquiries.loop import post_answers, recover_posting

NOW = dt.datetime(2026, 11, 20, 5, 30, tzinfo=dt.UTC)  # 14:30 in Seoul


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def naver(clock: Clock) -> Iterator[NaverCommerce]:
    api = NaverCommerce(clock=clock)
    with serve(api):
        yield api


@pytest.fixture
def app(naver: NaverCommerce) -> tuple[str, str]:
    return naver.add_app()


def reader(naver: NaverCommerce, app: tuple[str, str], clock: Clock) -> NaverInquiries:
    client = NaverClient(*app, base_url=naver.url, pacer=None, clock=clock, sleep=clock.sleep)
    return NaverInquiries(client)


def shop(sessions: sessionmaker[Session]) -> tuple[int, int, int]:
    """A seller, the product 호박고구마 3kg (channel product 11) and the order A1."""
    with sessions.begin() as session:
        seller = make_seller(session, "goguma")
        product = make_product(session, seller, "호박고구마 3kg", 25_900, sku="11")
        order = make_order(
            session, seller, local(2026, 11, 18, 10), [(product, 2)], external_id="A1"
        )
        return seller.id, product.id, order.id


def questions(naver: NaverCommerce, client_id: str) -> None:
    naver.ask(
        client_id,
        "q-1",
        "언제 배송되나요?",
        at=local(2026, 11, 19, 9),
        product_id="11",
        product_name="호박고구마 3kg",
    )
    naver.ask(
        client_id,
        "q-2",
        "보관은 어떻게 하나요?",
        at=local(2026, 11, 19, 10),
        product_id="11",
        product_name="호박고구마 3kg",
        answer="서늘한 곳에 두세요.",
    )
    naver.inquire(
        client_id,
        "9001",
        "배송 문의",
        "주문한 고구마 언제 오나요?",
        at=local(2026, 11, 19, 11),
        order_id="A1",
        product_no="11",
        product_name="호박고구마 3kg",
    )


def stored(sessions: sessionmaker[Session], seller_id: int) -> list[tuple[object, ...]]:
    with sessions() as session:
        rows = session.scalars(
            select(Inquiry).where(Inquiry.seller_id == seller_id).order_by(Inquiry.asked_at)
        ).all()
        return [
            (
                row.source,
                row.external_id,
                row.question,
                row.status,
                row.answer,
                row.product_id,
                row.order_id,
                row.customer,
            )
            for row in rows
        ]


def test_questions_are_stored_once_and_answered_ones_are_past_answers(
    sessions: sessionmaker[Session], naver: NaverCommerce, app: tuple[str, str], clock: Clock
) -> None:
    seller_id, product_id, order_id = shop(sessions)
    questions(naver, app[0])
    api = reader(naver, app, clock)
    with sessions.begin() as session:
        first = read_new(session, seller_id, api, now=NOW)
    assert first == Stored(new=2, answered=1)
    expected = [
        (QNA, "q-1", "언제 배송되나요?", InquiryStatus.NEW, None, product_id, None, "kim***"),
        (
            QNA,
            "q-2",
            "보관은 어떻게 하나요?",
            InquiryStatus.ELSEWHERE,
            "서늘한 곳에 두세요.",
            product_id,
            None,
            "kim***",
        ),
        (
            INQUIRY,
            "9001",
            "배송 문의\n주문한 고구마 언제 오나요?",
            InquiryStatus.NEW,
            None,
            product_id,
            order_id,
            "buyer1",
        ),
    ]
    assert stored(sessions, seller_id) == expected
    with sessions.begin() as session:
        again = read_new(session, seller_id, api, now=NOW + dt.timedelta(minutes=5))
    assert again == Stored(new=0, answered=0)
    assert stored(sessions, seller_id) == expected


def test_an_open_question_answered_in_smart_store_center_is_closed_with_its_answer(
    sessions: sessionmaker[Session], naver: NaverCommerce, app: tuple[str, str], clock: Clock
) -> None:
    seller_id, _, _ = shop(sessions)
    questions(naver, app[0])
    api = reader(naver, app, clock)
    with sessions.begin() as session:
        read_new(session, seller_id, api, now=NOW)
    naver.answer_elsewhere(app[0], "inquiry", "9001", "내일 도착 예정입니다.")
    with sessions.begin() as session:
        later = read_new(session, seller_id, api, now=NOW + dt.timedelta(minutes=5))
    assert later == Stored(new=0, answered=1)
    rows = {row[1]: row for row in stored(sessions, seller_id)}
    assert rows["9001"][3:5] == (InquiryStatus.ELSEWHERE, "내일 도착 예정입니다.")
    assert rows["q-1"][3] == InquiryStatus.NEW


def test_an_answer_is_posted_once_and_a_second_post_finds_it(
    naver: NaverCommerce, app: tuple[str, str], clock: Clock
) -> None:
    questions(naver, app[0])
    api = reader(naver, app, clock)
    asked = local(2026, 11, 19, 9)
    first = api.post(QNA, "q-1", "내일 출고됩니다.", asked_at=asked, now=NOW)
    assert first == PostResult("posted", ref="q-1")
    second = api.post(QNA, "q-1", "내일 출고됩니다.", asked_at=asked, now=NOW)
    assert second == PostResult("already_answered", answer="내일 출고됩니다.")
    inquiry_at = local(2026, 11, 19, 11)
    posted = api.post(INQUIRY, "9001", "오늘 발송했어요.", asked_at=inquiry_at, now=NOW)
    assert posted == PostResult("posted", ref="c-9001")
    again = api.post(INQUIRY, "9001", "오늘 발송했어요.", asked_at=inquiry_at, now=NOW)
    assert again == PostResult("already_answered", answer="오늘 발송했어요.")
    assert naver.answers == [
        ("qna", "q-1", "내일 출고됩니다."),
        ("inquiry", "9001", "오늘 발송했어요."),
    ]


def test_a_question_answered_elsewhere_is_not_answered_again(
    naver: NaverCommerce, app: tuple[str, str], clock: Clock
) -> None:
    questions(naver, app[0])
    api = reader(naver, app, clock)
    at = local(2026, 11, 19, 10)
    result = api.post(QNA, "q-2", "냉장 보관하세요.", asked_at=at, now=NOW)
    assert result == PostResult("already_answered", answer="서늘한 곳에 두세요.")
    assert naver.answers == []


def test_answer_text_goes_as_typed_within_its_limit(
    naver: NaverCommerce, app: tuple[str, str], clock: Clock
) -> None:
    questions(naver, app[0])
    api = reader(naver, app, clock)
    asked = local(2026, 11, 19, 11)
    text = '안내 <완료> & "확인"\r\n둘째 줄 😀\x07'
    api.post(INQUIRY, "9001", text, asked_at=asked, now=NOW)
    assert naver.answers == [("inquiry", "9001", '안내 <완료> & "확인"\n둘째 줄 😀')]
    with pytest.raises(AnswerRefused) as too_long:
        api.post(QNA, "q-1", "가" * (MAX_ANSWER_CHARS + 1), asked_at=asked, now=NOW)
    assert (too_long.value.reason, too_long.value.detail) == ("too_long", "1001 > 1000 characters")
    with pytest.raises(AnswerRefused) as empty:
        api.post(QNA, "q-1", " \n ", asked_at=asked, now=NOW)
    assert empty.value.reason == "empty"
    with pytest.raises(AnswerRefused) as missing:
        api.post(QNA, "q-404", "네", asked_at=asked, now=NOW)
    assert missing.value.reason == "not_found"
    assert len(naver.answers) == 1


def test_gateway_errors_as_in_a_sync(
    naver: NaverCommerce, app: tuple[str, str], clock: Clock
) -> None:
    questions(naver, app[0])
    api = reader(naver, app, clock)
    asked = local(2026, 11, 19, 9)
    api.client.token()
    naver.expire_tokens()  # 401 GW.AUTHN: a new token, once
    naver.fail(429, "GW.RATE_LIMIT", path="/contents/qnas")  # waited out
    result = api.post(QNA, "q-1", "내일 출고됩니다.", asked_at=asked, now=NOW)
    assert result == PostResult("posted", ref="q-1")
    assert naver.issued == 2
    assert clock.slept == [0.5]
    naver.ip_allowed = False
    with pytest.raises(SourceError) as refused:
        api.questions(None, NOW)
    assert (refused.value.key, str(refused.value)) == ("ip_not_allowed", IP_NOT_ALLOWED)
    naver.ip_allowed = True
    naver.fail(
        429,
        "GW.QUOTA_LIMIT",
        headers={"GNCP-GW-Quota-Period": "DAYS"},
        path="/pay-user/inquiries",
    )
    with pytest.raises(SourceError) as quota:
        api.inquiries(NOW - dt.timedelta(days=1), NOW)
    assert quota.value.key == "quota"
    assert quota.value.retry_at == dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)


def test_a_post_naver_refuses_says_why_and_a_later_one_goes(
    naver: NaverCommerce, app: tuple[str, str], clock: Clock
) -> None:
    questions(naver, app[0])
    api = reader(naver, app, clock)
    asked = local(2026, 11, 19, 11)
    naver.fail(400, "ERR-NC-101005", path="/answer")
    with pytest.raises(AnswerRefused) as refused:
        api.post(INQUIRY, "9001", "오늘 발송했어요.", asked_at=asked, now=NOW)
    assert refused.value.reason == "refused"
    assert "HTTP 400: emulated" in refused.value.detail
    assert naver.answers == []
    posted = api.post(INQUIRY, "9001", "오늘 발송했어요.", asked_at=asked, now=NOW)
    assert posted == PostResult("posted", ref="c-9001")
    assert naver.answers == [("inquiry", "9001", "오늘 발송했어요.")]


def test_a_stored_question_can_be_approved_through_the_outbox(
    sessions: sessionmaker[Session], naver: NaverCommerce, app: tuple[str, str], clock: Clock
) -> None:
    """The loop's outbox takes a Naver inquiry like any other (draft, approval)."""
    seller_id, _, _ = shop(sessions)
    questions(naver, app[0])
    with sessions.begin() as session:
        read_new(session, seller_id, reader(naver, app, clock), now=NOW)
        inquiry_id = session.scalar(select(Inquiry.id).where(Inquiry.external_id == "q-1"))
        assert inquiry_id is not None
        assert outbox.save_draft(
            session,
            inquiry_id,
            text="내일 출고",
            meta={},
            needs_check=False,
            product_id=None,
            at=NOW,
        )
        decision = outbox.approve(
            session, inquiry_id, text="내일 출고", edited=False, chat_id=1, at=NOW
        )
    assert decision.done


# -- through the answer loop (tools.inquiries.loop) with bot.naver_inquiry_source ----------


@pytest.fixture
def live_naver(monkeypatch: pytest.MonkeyPatch) -> Iterator[NaverCommerce]:
    """The emulator on the real clock (the built source signs with the real time)."""
    api = NaverCommerce()
    with serve(api):
        monkeypatch.setenv("NAVER_COMMERCE_URL", api.url)
        yield api


def connected(sessions: sessionmaker[Session], naver: NaverCommerce) -> tuple[int, str, Settings]:
    client_id, secret = naver.add_app()
    key = Fernet.generate_key().decode()
    settings = Settings(_env_file=None, advisor_secret_key=key)  # type: ignore[call-arg]
    with sessions.begin() as session:
        seller_id = make_seller(session, "goguma").id
        sealed = secrets.encrypt(key, {"client_id": client_id, "client_secret": secret})
        accounts.connect(session, seller_id, "naver", sealed, now=dt.datetime.now(dt.UTC))
    return seller_id, client_id, settings


def approved(sessions: sessionmaker[Session], seller_id: int, external_id: str, text: str) -> int:
    now = dt.datetime.now(dt.UTC)
    with sessions.begin() as session:
        inquiry_id = session.scalar(
            select(Inquiry.id).where(
                Inquiry.seller_id == seller_id, Inquiry.external_id == external_id
            )
        )
        assert inquiry_id is not None
        outbox.save_draft(
            session, inquiry_id, text=text, meta={}, needs_check=False, product_id=None, at=now
        )
        decision = outbox.approve(session, inquiry_id, text=text, edited=False, chat_id=7, at=now)
        assert decision.answer_id is not None
        return decision.answer_id


def test_the_loop_posts_a_naver_answer_once_and_not_one_answered_in_smart_store_center(
    sessions: sessionmaker[Session], live_naver: NaverCommerce
) -> None:
    seller_id, client_id, settings = connected(sessions, live_naver)
    asked = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    live_naver.ask(
        client_id, "q-1", "언제 배송되나요?", at=asked, product_id="11", product_name="고구마"
    )
    live_naver.inquire(
        client_id, "9001", "배송", "언제 오나요?", at=asked + dt.timedelta(minutes=1), order_id="A1"
    )
    sources = naver_sources(sessions, settings)
    fetched = asyncio.run(sources[QNA].fetch_new(seller_id, None))
    assert [(row.external_id, row.question, row.answer) for row in fetched] == [
        ("q-1", "언제 배송되나요?", None)
    ]
    with sessions.begin() as session:
        naver = for_seller(session, seller_id, settings)
        assert naver is not None
        assert read_new(session, seller_id, naver, now=dt.datetime.now(dt.UTC)) == Stored(2, 0)
    first = approved(sessions, seller_id, "q-1", "내일 출고됩니다.")
    second = approved(sessions, seller_id, "9001", "오늘 발송했어요.")
    live_naver.answer_elsewhere(client_id, "inquiry", "9001", "센터에서 답함")
    now = dt.datetime.now(dt.UTC)
    reports = asyncio.run(post_answers(sessions, sources, now=now))
    assert [(r.answer_id, r.outcome) for r in reports] == [(first, "posted"), (second, "answered")]
    assert live_naver.answers == [("qna", "q-1", "내일 출고됩니다.")]
    assert asyncio.run(post_answers(sessions, sources, now=now)) == []
    assert [row[1:4] for row in stored(sessions, seller_id)] == [
        ("q-1", "언제 배송되나요?", InquiryStatus.ANSWERED),
        ("9001", "배송\n언제 오나요?", InquiryStatus.ELSEWHERE),
    ]


def test_an_answer_cut_off_by_a_restart_is_posted_once_after_it(
    sessions: sessionmaker[Session], live_naver: NaverCommerce
) -> None:
    seller_id, client_id, settings = connected(sessions, live_naver)
    asked = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    live_naver.ask(client_id, "q-1", "사이즈 문의", at=asked, product_id="11", product_name="티")
    sources = naver_sources(sessions, settings)
    with sessions.begin() as session:
        naver = for_seller(session, seller_id, settings)
        assert naver is not None
        read_new(session, seller_id, naver, now=dt.datetime.now(dt.UTC))
    answer_id = approved(sessions, seller_id, "q-1", "M을 추천해요.")
    with sessions.begin() as session:  # claimed, then the process was killed
        assert outbox.claim_answer(session, answer_id, at=dt.datetime.now(dt.UTC))
    assert recover_posting(sessions, sources) == []  # Naver is re-read: back to pending
    reports = asyncio.run(post_answers(sessions, sources, now=dt.datetime.now(dt.UTC)))
    assert [(r.answer_id, r.outcome) for r in reports] == [(answer_id, "posted")]
    assert live_naver.answers == [("qna", "q-1", "M을 추천해요.")]


def test_a_seller_without_a_naver_account_is_refused_with_the_reason(
    sessions: sessionmaker[Session], live_naver: NaverCommerce
) -> None:
    with sessions.begin() as session:
        seller_id = make_seller(session, "nobody").id
        outbox.record_inquiry(
            session,
            seller_id=seller_id,
            source=INQUIRY,
            external_id="1",
            question="?",
            asked_at=dt.datetime.now(dt.UTC),
        )
    answer_id = approved(sessions, seller_id, "1", "네")
    sources = naver_sources(sessions, Settings(_env_file=None))  # type: ignore[call-arg]
    reports = asyncio.run(post_answers(sessions, sources, now=dt.datetime.now(dt.UTC)))
    assert [(r.answer_id, r.outcome, r.reason) for r in reports] == [
        (answer_id, "retry", "naver_account")
    ]


def test_the_bots_sync_reads_every_naver_sellers_new_questions_once(
    sessions: sessionmaker[Session], live_naver: NaverCommerce
) -> None:
    seller_id, client_id, settings = connected(sessions, live_naver)
    with sessions.begin() as session:  # a seller without a Naver account is skipped
        make_seller(session, "plain")
    asked = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    live_naver.ask(
        client_id, "q-1", "언제 배송되나요?", at=asked, product_id="11", product_name="고구마"
    )
    now = dt.datetime.now(dt.UTC)
    assert read_all_new(sessions, settings, now=now) == Stored(new=1, answered=0)
    assert read_all_new(sessions, settings, now=now) == Stored(new=0, answered=0)
    assert [row[1:4] for row in stored(sessions, seller_id)] == [
        ("q-1", "언제 배송되나요?", InquiryStatus.NEW)
    ]
