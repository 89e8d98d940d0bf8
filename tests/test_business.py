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
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.context import BotApplication
from bot.services import Services
from storage.models import AnswerStatus, Inquiry, InquiryAnswer, InquiryStatus
from tests.botstore import Clock
from tests.telegram import BotMessage, EmulatorClient
from tests.test_bot_telegram import (  # noqa: F401 - fixtures
    ALICE,
    clock,
    db,
    link,
    new_services,
    running,
    store_file,
)

CUSTOMER = 7001
CONNECTION = "bc-moon-1"
CARD_BUTTONS = ["✅ 보내기", "✏️ 고쳐서 보내기", "건너뛰기"]
STOCK_DRAFT = (
    "안녕하세요, 고객님. 문의 주셔서 감사합니다.\n"
    "딸기잼 500g은(는) 현재 재고가 있어 바로 구매하실 수 있습니다(재고 80개).\n"
    "감사합니다."
)


@pytest.fixture
async def business_bot(
    telegram: EmulatorClient, db: sessionmaker[Session], clock: Clock
) -> AsyncIterator[tuple[BotApplication, Services]]:
    services = new_services(telegram, db, clock, quiet_start=0, quiet_end=0)
    async with running(telegram, services) as application:
        yield application, services


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


async def until(check: Any, within: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
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
                select(Inquiry.status).where(Inquiry.source == "telegram_business").order_by(
                    Inquiry.id
                )
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
