"""The inquiry loop across a restart, and drafts with facts the data does not support.

Over the Bot API emulator with Telegram Business as the source (see
tests/test_business.py for the store and the helpers).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import inquiry_flow, scheduler
from bot.context import BotApplication
from bot.services import Services
from storage import inquiry_outbox as outbox
from storage.models import (
    AnswerStatus,
    Inquiry,
    InquiryAnswer,
    InquiryStatus,
    Product,
    Seller,
)
from tests.botstore import SEOUL, Clock
from tests.inquiry_fixtures import (  # noqa: F401 - fixtures
    business_bot_fixture,
    clock_fixture,
    db_fixture,
    store_file_fixture,
)
from tests.telegram import EmulatorClient
from tests.test_bot_telegram import ALICE, OPERATOR, link, new_services, running
from tests.test_business import (
    CONNECTION,
    CUSTOMER,
    STOCK_DRAFT,
    answers,
    card_for,
    connected,
    data,
    statuses,
    until,
)
from tools.nudges import IN_FLIGHT_LIMIT


def _approve_then_die(db: sessionmaker[Session], at: dt.datetime) -> int:
    """What ✅ commits before anything is posted; the process dies right after."""
    with db.begin() as session:
        inquiry = session.scalar(select(Inquiry).where(Inquiry.source == "telegram_business"))
        assert inquiry is not None
        decision = outbox.approve(
            session, inquiry.id, text=inquiry.draft or "", edited=False, chat_id=ALICE, at=at
        )
        assert decision.done and decision.answer_id is not None
        return decision.answer_id


async def test_an_answer_approved_before_a_crash_is_posted_once_after_the_restart(
    telegram: EmulatorClient,
    business_bot: tuple[BotApplication, Services],
    db: sessionmaker[Session],
    clock: Clock,
) -> None:
    await connected(telegram, db, clock)
    await card_for(telegram, "딸기잼 재고 있나요?")
    application, _ = business_bot
    await application.stop()  # lets the update in hand finish
    _approve_then_die(db, clock.now)  # the process is gone before it posted

    # a fresh process: new services, nothing in memory
    services = new_services(telegram, db, clock, quiet_start=0, quiet_end=0)
    async with running(telegram, services) as restarted:
        await scheduler.recover(services, restarted.bot)
        first = await inquiry_flow.run_loop(services, restarted.bot)
        again = await inquiry_flow.run_loop(services, restarted.bot)
        told = (await telegram.wait_for_messages(ALICE, 4))[3]

    assert [report.outcome for report in first] == ["posted"]
    assert again == []
    assert await telegram.business_replies(CONNECTION, CUSTOMER) == [STOCK_DRAFT]
    assert told.plain_text == "보냈어요 ✅\n" + STOCK_DRAFT
    assert answers(db) == [(STOCK_DRAFT, AnswerStatus.POSTED, False)]


async def test_an_answer_cut_off_mid_post_is_not_posted_again_and_the_seller_is_told(
    telegram: EmulatorClient,
    business_bot: tuple[BotApplication, Services],
    db: sessionmaker[Session],
    clock: Clock,
) -> None:
    await connected(telegram, db, clock)
    await card_for(telegram, "딸기잼 재고 있나요?")
    application, _ = business_bot
    await application.stop()
    answer_id = _approve_then_die(db, clock.now)
    with db.begin() as session:  # claimed for posting when the process died
        assert outbox.claim_answer(session, answer_id, at=clock.now)

    services = new_services(telegram, db, clock, quiet_start=0, quiet_end=0)
    async with running(telegram, services) as restarted:
        await scheduler.recover(services, restarted.bot)
        after = await inquiry_flow.run_loop(services, restarted.bot)
        told = (await telegram.wait_for_messages(ALICE, 4))[3]

    assert after == []
    assert await telegram.business_replies(CONNECTION, CUSTOMER) == []
    assert told.plain_text == (
        "보내는 중에 연결이 끊겨 고객에게 갔는지 확인할 수 없어요. 두 번 가지 않도록 다시 "
        "보내지 않았으니 고객 채팅에서 확인해 주세요."
    )
    assert answers(db) == [(STOCK_DRAFT, AnswerStatus.UNKNOWN, False)]


async def test_a_queued_loop_takes_back_only_posts_claimed_over_ten_minutes_ago(
    telegram: EmulatorClient,
    business_bot: tuple[BotApplication, Services],
    db: sessionmaker[Session],
    clock: Clock,
) -> None:
    """With JOBS=queue the loop runs in workers while bots post approved answers too: a
    post still `posting` is taken back only once no live post can be that old."""
    await connected(telegram, db, clock)
    await card_for(telegram, "딸기잼 재고 있나요?")
    application, _ = business_bot
    await application.stop()
    answer_id = _approve_then_die(db, clock.now)
    with db.begin() as session:
        assert outbox.claim_answer(session, answer_id, at=clock.now)

    services = new_services(telegram, db, clock, quiet_start=0, quiet_end=0)
    async with running(telegram, services) as worker:
        minutes = [dt.timedelta(minutes=5), dt.timedelta(minutes=11)]
        early, late = [
            await inquiry_flow.recover(
                services, worker.bot, claimed_before=clock.now + later - IN_FLIGHT_LIMIT
            )
            for later in minutes
        ]
        told = (await telegram.wait_for_messages(ALICE, 4))[3]

    assert (early, late) == ([], [answer_id])
    assert told.plain_text.startswith("보내는 중에 연결이 끊겨")
    assert answers(db) == [(STOCK_DRAFT, AnswerStatus.UNKNOWN, False)]


def _past_answer(
    db: sessionmaker[Session], question: str, answer: str, product: str | None = None
) -> None:
    """An answered inquiry of the store's history (about `product`, a product name)."""
    with db.begin() as session:
        seller = session.scalar(select(Seller).where(Seller.slug == "moon"))
        assert seller is not None
        product_id = session.scalar(select(Product.id).where(Product.name == product))
        asked = dt.datetime(2026, 11, 1, 3, 0, tzinfo=dt.UTC)
        session.add(
            Inquiry(
                seller_id=seller.id,
                product_id=product_id,
                asked_at=asked,
                question=question,
                answer=answer,
                answered_at=asked + dt.timedelta(hours=1),
            )
        )


async def test_a_past_answers_stale_price_and_date_are_left_out_and_said_to_need_checking(
    telegram: EmulatorClient,
    business_bot: tuple[BotApplication, Services],
    db: sessionmaker[Session],
    clock: Clock,
) -> None:
    # 유자차 세트 costs 18,000원 today; this answer was written when it cost 15,000원
    _past_answer(
        db,
        "유자차 세트 선물 포장 가능한가요?",
        "네, 선물 포장은 무료로 해 드려요. 유자차 세트 가격은 지금 15,000원이에요. "
        "12월 3일까지 주문하시면 크리스마스 전에 받으실 수 있어요.",
    )
    await connected(telegram, db, clock)
    card = await card_for(telegram, "유자차 세트 선물 포장 가능한가요?")
    await telegram.press_button(ALICE, card.message_id, data(card, "✅ 보내기"))
    await telegram.wait_for_messages(ALICE, 4)

    draft = (
        "안녕하세요, 고객님. 문의 주셔서 감사합니다.\n"
        "네, 선물 포장은 무료로 해 드려요.\n"
        "문의하신 내용은 확인한 뒤 빠르게 다시 안내해 드리겠습니다.\n"
        "감사합니다."
    )
    assert card.plain_text == (
        "📩 새 고객 문의 · 텔레그램 비즈니스 · 민수\n"
        "상품: 유자차 세트\n"
        '"유자차 세트 선물 포장 가능한가요?"\n\n'
        "✍️ 답변 초안:\n" + draft + "\n\n"
        "⚠️ 확인이 필요해서 초안에서 뺐어요:\n"
        "• 유자차 세트 가격은 지금 15,000원이에요.\n"
        "• 12월 3일까지 주문하시면 크리스마스 전에 받으실 수 있어요."
    )
    assert await telegram.business_replies(CONNECTION, CUSTOMER) == [draft]
    with db() as session:
        needs = session.scalar(select(Inquiry.needs_check).where(Inquiry.source != "import"))
    assert needs is True


async def test_operators_see_the_loops_counts_and_what_a_draft_used(
    telegram: EmulatorClient,
    business_bot: tuple[BotApplication, Services],
    db: sessionmaker[Session],
    clock: Clock,
) -> None:
    await connected(telegram, db, clock)
    first = await card_for(telegram, "딸기잼 재고 있나요?", 3)
    second = await card_for(telegram, "딸기잼 가격 얼마예요?", 4)
    third = await card_for(telegram, "유자차 세트 재고 있어요?", 5)
    await telegram.press_button(ALICE, first.message_id, data(first, "✅ 보내기"))
    await telegram.wait_for_messages(ALICE, 6)
    await telegram.press_button(ALICE, second.message_id, data(second, "건너뛰기"))
    await telegram.wait_for_messages(ALICE, 7)
    await telegram.press_button(ALICE, third.message_id, data(third, "✏️ 고쳐서 보내기"))
    await telegram.wait_for_messages(ALICE, 8)
    await telegram.send_user_message(ALICE, "네, 있어요!")
    await telegram.wait_for_messages(ALICE, 9)
    clock.now = dt.datetime.now(dt.UTC)
    await telegram.send_user_message(OPERATOR, "/stats", language_code="en")
    stats = (await telegram.wait_for_messages(OPERATOR, 1))[0]
    await telegram.send_user_message(OPERATOR, "/trace inquiry 1", language_code="en")
    trace = (await telegram.wait_for_messages(OPERATOR, 2))[1]

    assert (stats.plain_text or "").splitlines()[-1] == (
        "inquiries today: drafted 3, approved 2 (edited 1), skipped 1, auto-answered 0"
    )
    with db() as session:
        first_id = session.scalar(
            select(Inquiry.id).where(Inquiry.source == "telegram_business").order_by(Inquiry.id)
        )
    assert first_id == 1
    lines = (trace.plain_text or "").splitlines()
    assert lines[:4] == [
        "inquiry 1 · seller 1 · telegram_business · answered",
        "Q: 딸기잼 재고 있나요?",
        "draft: " + " ".join(STOCK_DRAFT.split()),
        'facts: {"name": "딸기잼 500g", "options": null, "price": 12000, "stock": 80}',
    ]
    assert lines[4] == "past answers: none"


async def test_inquiries_in_quiet_hours_wait_and_then_come_three_at_a_time(
    telegram: EmulatorClient, db: sessionmaker[Session], clock: Clock
) -> None:
    wall = dt.datetime.now(dt.UTC)  # the emulator dates business messages by the wall clock
    hour = wall.astimezone(SEOUL).hour
    # quiet from this hour for one hour (Seoul time)
    services = new_services(telegram, db, clock, quiet_start=hour, quiet_end=(hour + 1) % 24)
    async with running(telegram, services) as application:
        await link(telegram, db, ALICE, "ko")
        clock.now = wall
        await telegram.connect_business(CONNECTION, ALICE)
        await telegram.wait_for_messages(ALICE, 2)
        for number in range(5):
            await telegram.send_business_message(
                CONNECTION, CUSTOMER + number, f"딸기잼 재고 있나요? ({number + 1})"
            )
            await until(lambda n=number: len(statuses(db)) == n + 1)  # one after another
        await until(lambda: statuses(db) == [InquiryStatus.DRAFTED] * 5)
        held = await telegram.messages(ALICE)

        clock.now += dt.timedelta(hours=1)  # quiet hours are over
        await inquiry_flow.run_loop(services, application.bot)
        shown = (await telegram.wait_for_messages(ALICE, 6))[2:]
        await telegram.press_button(ALICE, shown[0].message_id, data(shown[0], "건너뛰기"))
        after = (await telegram.wait_for_messages(ALICE, 9))[6:]

    assert len(held) == 2  # the link and the connection: no card in quiet hours
    assert all((m.plain_text or "").endswith(STOCK_DRAFT) for m in shown[:3])
    assert [
        '"딸기잼 재고 있나요? (1)"',
        '"딸기잼 재고 있나요? (2)"',
        '"딸기잼 재고 있나요? (3)"',
    ] == [(m.plain_text or "").splitlines()[2] for m in shown[:3]]
    assert shown[3].plain_text == (
        "답변을 기다리는 문의가 2건 더 있어요. 위 문의를 처리하시면 이어서 보내 드릴게요."
    )
    assert [m.plain_text for m in after][0] == (
        "이 문의는 건너뛰었어요. 고객에게는 아무것도 보내지 않았어요."
    )
    assert (after[1].plain_text or "").splitlines()[2] == '"딸기잼 재고 있나요? (4)"'
    assert after[2].plain_text == (
        "답변을 기다리는 문의가 1건 더 있어요. 위 문의를 처리하시면 이어서 보내 드릴게요."
    )


async def test_with_the_switch_off_drafts_wait_until_it_is_on_again(
    telegram: EmulatorClient,
    business_bot: tuple[BotApplication, Services],
    db: sessionmaker[Session],
    clock: Clock,
) -> None:
    await connected(telegram, db, clock)
    await telegram.send_user_message(ALICE, "/inquiries off")
    off = (await telegram.wait_for_messages(ALICE, 3))[2]
    await telegram.send_business_message(CONNECTION, CUSTOMER, "딸기잼 재고 있나요?")
    await until(lambda: statuses(db) == [InquiryStatus.DRAFTED])
    await telegram.send_user_message(ALICE, "/inquiries on")
    log = await telegram.wait_for(ALICE, messages=5)

    assert off.plain_text == (
        "고객 문의 초안을 보내지 않아요. 문의는 그대로 쌓이고, /inquiries on 으로 켜면 "
        "이어서 보내 드려요."
    )
    assert log.messages[3].plain_text == (
        "고객 문의 초안을 이 채팅으로 보내 드려요. 끄려면 /inquiries off"
    )
    assert (log.messages[4].plain_text or "").endswith(STOCK_DRAFT)
    await until(lambda: statuses(db) == [InquiryStatus.NOTIFIED])


async def test_with_auto_answers_on_only_a_near_duplicate_without_promises_goes_out_alone(
    telegram: EmulatorClient,
    business_bot: tuple[BotApplication, Services],
    db: sessionmaker[Session],
    clock: Clock,
) -> None:
    _past_answer(
        db, "딸기잼 어떤 딸기로 만들어요?", "딸기잼 500g은 국산 딸기로 만들어요.", "딸기잼 500g"
    )
    _past_answer(
        db, "유자차 세트 포장 되나요?", "유자차 세트는 무료로 선물 포장해 드려요.", "유자차 세트"
    )
    await connected(telegram, db, clock)
    await telegram.send_user_message(ALICE, "/inquiries auto on")
    await telegram.wait_for_messages(ALICE, 3)
    await telegram.send_business_message(CONNECTION, CUSTOMER, "딸기잼 어떤 딸기로 만들어요?")
    told = (await telegram.wait_for_messages(ALICE, 4))[3]
    await telegram.send_business_message(CONNECTION, CUSTOMER, "유자차 세트 포장 되나요?")
    card = (await telegram.wait_for_messages(ALICE, 5))[4]

    answer = "안녕하세요, 고객님. 문의 주셔서 감사합니다.\n딸기잼 500g은 국산 딸기로 만들어요.\n감사합니다."
    assert told.plain_text == (
        '🤖 자주 묻는 질문이라 자동으로 답했어요.\n"딸기잼 어떤 딸기로 만들어요?"\n→ ' + answer
    )
    assert await telegram.business_replies(CONNECTION, CUSTOMER) == [answer]
    # a promise (무료) is never sent without the seller: a card as usual
    assert card.button_texts == ["✅ 보내기", "✏️ 고쳐서 보내기", "건너뛰기"]
    with db() as session:
        rows = session.execute(select(InquiryAnswer.auto, InquiryAnswer.status)).all()
    assert rows == [(True, AnswerStatus.POSTED)]
