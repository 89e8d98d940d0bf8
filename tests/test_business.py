"""Customer inquiries through Telegram Business, end to end: the real Application over
the Bot API emulator (business connections and business chats), the real advisor's
retrieval and the small store of tests/botstore.py (딸기잼 500g: 12,000원, 80 in stock).

A customer writes to the seller's business account -> one card in the seller's linked
chat with the question, the draft and ✅ / ✏️ / 건너뛰기 -> the seller's choice -> the
reply goes out through the business connection once (or nothing goes out).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.context import BotApplication
from bot.services import Services
from storage.models import AnswerStatus, Inquiry, InquiryAnswer, InquiryStatus
from tests.botstore import Clock
from tests.inquiry_fixtures import (  # noqa: F401 - fixtures
    business_bot_fixture,
    clock_fixture,
    db_fixture,
    store_file_fixture,
)
from tests.telegram import BotMessage, EmulatorClient
from tests.test_bot_telegram import ALICE, link

CUSTOMER = 7001
CONNECTION = "bc-moon-1"
CARD_BUTTONS = ["✅ 보내기", "✏️ 고쳐서 보내기", "건너뛰기"]
STOCK_DRAFT = (
    "안녕하세요, 고객님. 문의 주셔서 감사합니다.\n"
    "딸기잼 500g은(는) 현재 재고가 있어 바로 구매하실 수 있습니다(재고 80개).\n"
    "감사합니다."
)


async def connected(
    telegram: EmulatorClient, db: sessionmaker[Session], clock: Clock, *, can_reply: bool = True
) -> str:
    """Alice links her store, then connects her business account; what the bot told her."""
    await link(telegram, db, ALICE, "ko")
    clock.now = dt.datetime.now(dt.UTC)  # the emulator dates business messages by the wall clock
    await telegram.connect_business(CONNECTION, ALICE, can_reply=can_reply)
    return (await telegram.wait_for_messages(ALICE, 2))[1].plain_text or ""


async def card_for(telegram: EmulatorClient, text: str, count: int = 3) -> BotMessage:
    await telegram.send_business_message(CONNECTION, CUSTOMER, text, first_name="민수")
    return (await telegram.wait_for_messages(ALICE, count))[count - 1]


def data(card: BotMessage, label: str) -> str:
    (found,) = [b["callback_data"] for row in card.keyboard for b in row if b["text"] == label]
    return str(found)


async def until(check: Callable[[], bool], within: float = 5.0) -> None:
    """Wait until `check()` holds (the bot works on an update in its own time)."""
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


def answers(db: sessionmaker[Session]) -> list[tuple[str, AnswerStatus, bool]]:
    with db() as session:
        return [
            (row.text, row.status, row.edited)
            for row in session.scalars(select(InquiryAnswer).order_by(InquiryAnswer.id))
        ]


def statuses(db: sessionmaker[Session]) -> list[InquiryStatus]:
    with db() as session:
        return list(
            session.scalars(
                select(Inquiry.status)
                .where(Inquiry.source == "telegram_business")
                .order_by(Inquiry.id)
            )
        )


async def test_a_business_message_becomes_a_card_and_its_approved_reply_goes_out_once(
    telegram: EmulatorClient,
    business_bot: tuple[BotApplication, Services],
    db: sessionmaker[Session],
    clock: Clock,
) -> None:
    told = await connected(telegram, db, clock)
    card = await card_for(telegram, "딸기잼 재고 있나요? <급해요>")

    assert told == (
        "텔레그램 비즈니스 계정이 연결됐어요. 고객 메시지가 오면 답변 초안을 여기로 보내 "
        "드릴게요. 보내기를 누르기 전에는 고객에게 아무것도 보내지 않아요."
    )
    assert card.plain_text == (
        "📩 새 고객 문의 · 텔레그램 비즈니스 · 민수\n"
        "상품: 딸기잼 500g\n"
        '"딸기잼 재고 있나요? <급해요>"\n\n'
        "✍️ 답변 초안:\n" + STOCK_DRAFT
    )
    assert "&lt;급해요&gt;" in (card.text or "")  # the customer's words escaped
    assert card.button_texts == CARD_BUTTONS
    assert await telegram.business_replies(CONNECTION, CUSTOMER) == []  # never on its own

    send = data(card, "✅ 보내기")
    await telegram.press_button(ALICE, card.message_id, send)
    sent = (await telegram.wait_for_messages(ALICE, 4))[3]
    await telegram.press_button(ALICE, card.message_id, send)  # pressed again
    log = await telegram.wait_for(ALICE, answers=2)

    assert sent.plain_text == "보냈어요 ✅\n" + STOCK_DRAFT
    assert await telegram.business_replies(CONNECTION, CUSTOMER) == [STOCK_DRAFT]
    assert log.presses[1].answer_text == "이미 답변을 보낸 문의예요."
    assert len(log.messages) == 4  # the second press sent nothing
    assert answers(db) == [(STOCK_DRAFT, AnswerStatus.POSTED, False)]
    assert statuses(db) == [InquiryStatus.ANSWERED]


async def test_an_edited_answer_goes_out_as_written_and_a_cancel_keeps_the_draft(
    telegram: EmulatorClient,
    business_bot: tuple[BotApplication, Services],
    db: sessionmaker[Session],
    clock: Clock,
) -> None:
    await connected(telegram, db, clock)
    card = await card_for(telegram, "딸기잼 재고 있나요?")

    await telegram.press_button(ALICE, card.message_id, data(card, "✏️ 고쳐서 보내기"))
    prompt = (await telegram.wait_for_messages(ALICE, 4))[3]
    await telegram.press_button(ALICE, prompt.message_id, prompt.callback_data[0])  # 취소
    cancelled = (await telegram.wait_for_messages(ALICE, 5))[4]
    await telegram.press_button(ALICE, card.message_id, data(card, "✏️ 고쳐서 보내기"))
    await telegram.wait_for_messages(ALICE, 6)
    await telegram.send_user_message(ALICE, "네, 80개 있어요. 오늘 보내 드릴게요!")
    sent = (await telegram.wait_for_messages(ALICE, 7))[6]

    assert prompt.plain_text == (
        "고객에게 보낼 답변을 다음 메시지로 보내 주세요. 보내신 글이 그대로 고객에게 가요."
    )
    assert prompt.button_texts == ["취소"]
    assert cancelled.plain_text == "고치기를 취소했어요. 초안은 그대로 있어요."
    assert sent.plain_text == "보냈어요 ✅\n네, 80개 있어요. 오늘 보내 드릴게요!"
    assert await telegram.business_replies(CONNECTION, CUSTOMER) == [
        "네, 80개 있어요. 오늘 보내 드릴게요!"
    ]
    assert answers(db) == [("네, 80개 있어요. 오늘 보내 드릴게요!", AnswerStatus.POSTED, True)]


async def test_a_skipped_inquiry_sends_nothing_and_a_later_press_says_so(
    telegram: EmulatorClient,
    business_bot: tuple[BotApplication, Services],
    db: sessionmaker[Session],
    clock: Clock,
) -> None:
    await connected(telegram, db, clock)
    card = await card_for(telegram, "딸기잼 재고 있나요?")

    await telegram.press_button(ALICE, card.message_id, data(card, "건너뛰기"))
    skipped = (await telegram.wait_for_messages(ALICE, 4))[3]
    await telegram.press_button(ALICE, card.message_id, data(card, "✅ 보내기"))
    log = await telegram.wait_for(ALICE, answers=2)

    assert skipped.plain_text == "이 문의는 건너뛰었어요. 고객에게는 아무것도 보내지 않았어요."
    assert log.presses[1].answer_text == "건너뛴 문의예요."
    assert await telegram.business_replies(CONNECTION, CUSTOMER) == []
    assert answers(db) == []
    assert statuses(db) == [InquiryStatus.SKIPPED]


async def test_a_connection_without_the_right_to_reply_is_shown_and_nothing_is_sent(
    telegram: EmulatorClient,
    business_bot: tuple[BotApplication, Services],
    db: sessionmaker[Session],
    clock: Clock,
) -> None:
    told = await connected(telegram, db, clock, can_reply=False)
    card = await card_for(telegram, "딸기잼 재고 있나요?")
    await telegram.press_button(ALICE, card.message_id, data(card, "✅ 보내기"))
    failed = (await telegram.wait_for_messages(ALICE, 4))[3]

    rights = "텔레그램 설정 > 텔레그램 비즈니스 > 챗봇에서 권한을 켜 주세요."
    assert told == (
        "텔레그램 비즈니스 계정이 연결됐지만 '메시지 답장' 권한이 없어요. 초안은 보내 드리지만 "
        "봇이 답장을 보낼 수는 없어요. " + rights
    )
    assert (card.plain_text or "").endswith(
        "\n\n⚠️ 텔레그램 비즈니스 계정이 연결됐지만 '메시지 답장' 권한이 없어요. 초안은 보내 "
        "드리지만 봇이 답장을 보낼 수는 없어요. " + rights
    )
    assert failed.plain_text == (
        "보내지 못했어요. 텔레그램 비즈니스 연결에 '메시지 답장' 권한이 없어요. "
        + rights
        + " 초안은 그대로 있으니 아래 버튼으로 다시 보낼 수 있어요."
    )
    assert failed.button_texts == CARD_BUTTONS  # the draft is kept: press again later
    assert await telegram.business_replies(CONNECTION, CUSTOMER) == []
    assert (await telegram.stats())["calls"].get("sendMessage", 0) == 4  # none to the customer
    assert answers(db) == [(STOCK_DRAFT, AnswerStatus.FAILED, False)]
    assert statuses(db) == [InquiryStatus.NOTIFIED]


async def test_a_disconnection_is_told_and_the_owners_own_reply_closes_the_inquiry(
    telegram: EmulatorClient,
    business_bot: tuple[BotApplication, Services],
    db: sessionmaker[Session],
    clock: Clock,
) -> None:
    await connected(telegram, db, clock)
    card = await card_for(telegram, "딸기잼 재고 있나요?")
    # Alice answers in the chat herself before pressing anything
    await telegram.send_business_message(
        CONNECTION, CUSTOMER, "네 있어요! 바로 보내 드릴게요.", from_owner=True
    )
    await until(lambda: statuses(db) == [InquiryStatus.ELSEWHERE])
    await telegram.press_button(ALICE, card.message_id, data(card, "✅ 보내기"))
    log = await telegram.wait_for(ALICE, answers=1)
    await telegram.connect_business(CONNECTION, ALICE, is_enabled=False)
    gone = (await telegram.wait_for_messages(ALICE, 4))[3]

    assert log.presses[0].answer_text == "이미 다른 곳에서 답변된 문의예요. 보내지 않았어요."
    assert await telegram.business_replies(CONNECTION, CUSTOMER) == []
    with db() as session:
        answer = session.scalar(select(Inquiry.answer).where(Inquiry.source == "telegram_business"))
    assert answer == "네 있어요! 바로 보내 드릴게요."  # a past answer for later drafts
    assert gone.plain_text == (
        "텔레그램 비즈니스 계정과 봇의 연결이 끊겼어요. 이제 고객 메시지가 오지 않고, "
        "답장도 보낼 수 없어요."
    )


async def test_a_customer_silent_for_over_24_hours_cannot_be_answered_by_the_bot(
    telegram: EmulatorClient,
    business_bot: tuple[BotApplication, Services],
    db: sessionmaker[Session],
    clock: Clock,
) -> None:
    await connected(telegram, db, clock)
    card = await card_for(telegram, "딸기잼 재고 있나요?")
    clock.now += dt.timedelta(hours=24, minutes=1)  # the seller answers a day later
    await telegram.press_button(ALICE, card.message_id, data(card, "✅ 보내기"))
    failed = (await telegram.wait_for_messages(ALICE, 4))[3]

    assert failed.plain_text == (
        "보내지 못했어요. 고객의 마지막 메시지가 24시간 전이라 텔레그램이 봇의 답장을 막아요. "
        "고객 채팅에서 직접 답해 주세요. 초안은 그대로 있으니 아래 버튼으로 다시 보낼 수 있어요."
    )
    assert await telegram.business_replies(CONNECTION, CUSTOMER) == []
