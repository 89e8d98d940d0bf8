"""The Telegram bot end to end: the real Application (bot.app) over HTTP against the local
Bot API emulator, the real advisor, a small SQLite store (tests/botstore.py).

Figures of the store, by hand: every full day has 48 paid orders. Order n sells
product n mod 3 (0: 딸기잼 12,000원, 1: 텀블러 25,000원, 2: 유자차 18,000원) in
quantity 1 + n mod 2, so six consecutive orders bring (12,000 + 25,000 +
18,000) × 3 = 165,000원 and a full day 8 × 165,000 = 1,320,000원. A day starts
at an order number ≡ 1 (mod 6), so its hours 9-13 (20 orders) bring 3 ×
165,000 + 50,000 + 18,000 = 563,000원, and today's (Wed Nov 25) four orders at
09:05-09:50 bring 50,000 + 18,000 + 24,000 + 25,000 = 117,000원.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.alerts import deliver
from bot.app import build_application, webhook_options
from bot.context import BotApplication
from bot.replies import send_chunks
from bot.scheduler import scan, scan_and_deliver
from bot.services import Services
from bot.telegram_text import html_chunks, plain_chunks
from storage.db import make_engine, session_factory
from storage.links import create_link_code
from storage.models import Alert, ChatLink, Product, Seller
from storage.outbox import record_alert
from tests.botstore import NOW, SEOUL, Clock, bot_services, bot_settings, store_template
from tests.telegram import EmulatorClient, free_port, polling
from tools.advisor import Advisor

ALICE = 5001  # the store owner, Korean
BOB = 5002  # her English-speaking partner, same store
CAROL = 5003  # another seller
MALLORY = 5004  # never linked
OPERATOR = 9001


@pytest.fixture(scope="session")
def store_file(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return store_template(sqlite_template, tmp_path_factory.mktemp("botstore"))


@pytest.fixture
def db(store_file: Path, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    path = tmp_path / "store.db"
    shutil.copyfile(store_file, path)
    engine = make_engine(f"sqlite:///{path}")
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def new_services(
    telegram: EmulatorClient, db: sessionmaker[Session], clock: Clock, **options: Any
) -> Services:
    settings = bot_settings(telegram, operators=(OPERATOR,))
    return bot_services(settings, db, Advisor, clock, **options)


@asynccontextmanager
async def running(telegram: EmulatorClient, services: Services) -> AsyncIterator[BotApplication]:
    application = build_application(services.settings, services, schedule=False)
    async with polling(application):
        yield application


@pytest.fixture
async def bot(
    telegram: EmulatorClient, db: sessionmaker[Session], clock: Clock
) -> AsyncIterator[tuple[BotApplication, Services]]:
    services = new_services(telegram, db, clock)
    async with running(telegram, services) as application:
        yield application, services


def link_code(db: sessionmaker[Session], slug: str = "moon", *, at: dt.datetime = NOW) -> str:
    with db.begin() as session:
        seller = session.scalar(select(Seller).where(Seller.slug == slug))
        assert seller is not None
        return create_link_code(session, seller, now=at)


async def link(
    telegram: EmulatorClient, db: sessionmaker[Session], chat_id: int, lang: str = "ko"
) -> None:
    before = len(await telegram.messages(chat_id)) if chat_id in await _chats(telegram) else 0
    await telegram.send_user_message(chat_id, f"/link {link_code(db)}", language_code=lang)
    await telegram.wait_for_messages(chat_id, before + 1)


async def _chats(telegram: EmulatorClient) -> set[int]:
    return {m.chat_id for m in await telegram.all_messages()}


def texts(messages: list[Any]) -> list[str]:
    return [m.plain_text for m in messages]


UNLINKED_KO = (
    "안녕하세요! 스토어 어드바이저예요. 이 채팅은 아직 스토어에 연결되지 않았어요.\n"
    "운영자에게 받은 연결 코드를 이렇게 보내 주세요: /link 코드\n"
    "(예: /link K7QX-M2PA)"
)


# -- linking --------------------------------------------------------------------------------


async def test_linking_with_a_wrong_an_expired_and_a_good_code(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services], db: sessionmaker[Session]
) -> None:
    expired = link_code(db, at=NOW - dt.timedelta(hours=25))
    good = link_code(db)

    await telegram.send_user_message(ALICE, "오늘 매출 어때?")
    await telegram.wait_for_messages(ALICE, 1)
    await telegram.send_user_message(ALICE, "/link ABCD-EFGH")
    await telegram.wait_for_messages(ALICE, 2)
    await telegram.send_user_message(ALICE, f"/start {expired}")
    await telegram.wait_for_messages(ALICE, 3)
    await telegram.send_user_message(ALICE, f"/start {good}")  # the deep link t.me/<bot>?start=CODE
    await telegram.wait_for_messages(ALICE, 4)
    await telegram.send_user_message(BOB, f"/link {good}", language_code="en")
    (used,) = await telegram.wait_for_messages(BOB, 1)

    assert texts(await telegram.messages(ALICE)) == [
        UNLINKED_KO,
        "코드가 맞지 않아요. 운영자에게 받은 코드를 다시 확인해 주세요.",
        "이 코드는 유효 기간(24시간)이 지났어요. 운영자에게 새 코드를 요청해 주세요.",
        '달빛상회 스토어와 연결됐어요! 이제 궁금한 걸 물어보세요.\n예: "오늘 매출 어때?"  도움말: /help',
    ]
    assert used.plain_text == "That code was already used. Please ask your operator for a new one."
    with db() as session:
        links = session.execute(select(ChatLink.chat_id, ChatLink.language)).all()
    assert links == [(ALICE, "ko")]


async def test_five_wrong_codes_lock_the_chat_out_even_for_a_good_code(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services], db: sessionmaker[Session]
) -> None:
    for attempt in range(1, 6):
        await telegram.send_user_message(MALLORY, f"/link WRNG-COD{attempt}", language_code="en")
        await telegram.wait_for_messages(MALLORY, attempt)
    await telegram.send_user_message(MALLORY, f"/link {link_code(db)}", language_code="en")
    messages = await telegram.wait_for_messages(MALLORY, 6)

    wrong = "That code is not right. Please check the code your operator gave you."
    locked = (
        "Too many wrong codes, so linking is paused for this chat. Please try again in 60 minutes."
    )
    assert texts(messages) == [wrong] * 4 + [locked, locked]


async def test_an_unlinked_chat_gets_the_explanation_and_nothing_else(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services]
) -> None:
    for text in ("/report", "/top 지난주", "hello?"):
        await telegram.send_user_message(MALLORY, text)
    log = await telegram.wait_for(MALLORY, messages=3)
    assert texts(log.messages) == [UNLINKED_KO] * 3
    assert log.actions == []  # no typing: nothing was asked of the advisor


# -- questions, commands, charts, buttons ------------------------------------------------


async def test_a_korean_and_an_english_question_are_answered_in_html(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services], db: sessionmaker[Session]
) -> None:
    await link(telegram, db, ALICE, "ko")
    await link(telegram, db, BOB, "en")

    await telegram.send_user_message(ALICE, "오늘 매출 어때?")
    await telegram.send_user_message(BOB, "How are sales today?", language_code="en")
    alice = await telegram.wait_for(ALICE, messages=2, actions=1)
    bob = await telegram.wait_for(BOB, messages=2, actions=1)

    korean, english = alice.messages[1], bob.messages[1]
    assert alice.actions[0] == "typing"
    assert korean.parse_mode == "HTML"
    assert "117,000원" in korean.plain_text and "4건" in korean.plain_text
    assert "117,000" in english.plain_text and "4 orders" in english.plain_text
    assert korean.plain_text != english.plain_text
    # the advisor's next steps are buttons under the answer
    assert "어제" in korean.button_texts and "Yesterday" in english.button_texts


async def test_lang_switches_the_answer_language_and_persists_it(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services], db: sessionmaker[Session]
) -> None:
    await link(telegram, db, ALICE, "ko")
    await telegram.send_user_message(ALICE, "/lang")
    (_, choose) = await telegram.wait_for_messages(ALICE, 2)
    await telegram.press_button(ALICE, choose.message_id, choose.callback_data[1])
    switched = (await telegram.wait_for_messages(ALICE, 3))[2]
    await telegram.send_user_message(ALICE, "/report")
    report = (await telegram.wait_for_messages(ALICE, 4))[3]

    assert (choose.plain_text, choose.button_texts) == (
        "답변 언어를 골라 주세요.",
        ["한국어", "English"],
    )
    assert switched.plain_text == "I'll answer in English from now on."
    assert "117,000" in report.plain_text and "4 orders" in report.plain_text
    with db() as session:
        assert session.scalar(select(ChatLink.language).where(ChatLink.chat_id == ALICE)) == "en"


async def test_a_period_button_answers_promptly_and_sends_that_period(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services], db: sessionmaker[Session]
) -> None:
    await link(telegram, db, ALICE, "ko")
    await telegram.send_user_message(ALICE, "/report")
    report = (await telegram.wait_for_messages(ALICE, 2))[1]
    (yesterday,) = [
        data
        for text, data in zip(report.button_texts, report.callback_data, strict=True)
        if text == "어제"
    ]
    assert len(yesterday.encode()) <= 64

    await telegram.press_button(ALICE, report.message_id, yesterday)
    log = await telegram.wait_for(ALICE, messages=3, answers=1)

    (press,) = log.presses
    assert press.answered and press.answered_at is not None
    assert press.answered_at <= log.messages[2].sent_at
    assert "1,320,000원" in log.messages[2].plain_text and "48건" in log.messages[2].plain_text


async def test_a_chart_arrives_as_a_photo_captioned_with_the_answer(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services], db: sessionmaker[Session]
) -> None:
    await link(telegram, db, ALICE, "ko")
    await telegram.send_user_message(ALICE, "최근 7일 매출 차트로 보여줘")
    log = await telegram.wait_for(ALICE, messages=2)

    photo = log.messages[1]  # one message: the answer fits a caption
    assert photo.kind == "photo" and photo.file is not None
    assert photo.caption and "9,240,000원" in photo.caption  # 7 full days × 1,320,000원
    assert photo.plain_text == photo.caption  # plain text, escaped
    assert "📈 차트 보기" not in photo.button_texts  # the chart is already there
    assert "어제" in photo.button_texts  # the next steps stay under it
    assert (photo.file["width"], photo.file["height"]) == (880, 495)
    png = await telegram.download(photo.file["file_id"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert "upload_photo" in log.actions


@pytest.mark.parametrize("command", ["/report", "/top"])
async def test_report_and_top_come_with_their_chart(
    telegram: EmulatorClient,
    bot: tuple[BotApplication, Services],
    db: sessionmaker[Session],
    command: str,
) -> None:
    await link(telegram, db, ALICE, "ko")
    await telegram.send_user_message(ALICE, command)
    photo = (await telegram.wait_for_messages(ALICE, 2))[1]
    assert photo.kind == "photo" and photo.file is not None
    expected = "117,000원" if command == "/report" else "1. 스테인리스 텀블러 500ml\n   4,200,000원"
    assert photo.caption and expected in photo.caption
    assert "📈 차트 보기" not in photo.button_texts


async def test_the_chart_button_sends_the_chart_of_that_answer(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services], db: sessionmaker[Session]
) -> None:
    await link(telegram, db, ALICE, "en")
    await telegram.send_user_message(ALICE, "best sellers last 7 days", language_code="en")
    answer = (await telegram.wait_for_messages(ALICE, 2))[1]
    assert answer.kind == "text"  # a question that does not ask for a picture
    chart_data = answer.callback_data[answer.button_texts.index("📈 Show chart")]
    assert chart_data.startswith("c1|tp|")

    await telegram.press_button(ALICE, answer.message_id, chart_data)
    log = await telegram.wait_for(ALICE, messages=3, answers=1)
    photo = log.messages[2]
    assert photo.kind == "photo" and photo.file is not None


async def test_a_stale_button_from_before_a_restart_says_it_expired(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services], db: sessionmaker[Session]
) -> None:
    application, _ = bot
    await link(telegram, db, ALICE, "ko")
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    old = InlineKeyboardMarkup([[InlineKeyboardButton("옛 버튼", callback_data="m1|gone")]])
    sent = await application.bot.send_message(ALICE, "예전 메시지", reply_markup=old)
    await telegram.press_button(ALICE, sent.message_id, "m1|gone")
    log = await telegram.wait_for(ALICE, answers=1)

    (press,) = log.presses
    assert (press.answer_text, press.show_alert) == (
        "이 버튼은 만료됐어요. 질문을 다시 보내 주세요.",
        True,
    )


async def test_every_command_answers_and_unlink_ends_the_link(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services], db: sessionmaker[Session]
) -> None:
    await link(telegram, db, ALICE, "ko")
    commands = ["/help", "/top", "/ads", "/customers", "/keywords", "/digest", "/nope"]
    for number, command in enumerate(commands, start=2):
        await telegram.send_user_message(ALICE, command)
        await telegram.wait_for_messages(ALICE, number)
    await telegram.send_user_message(ALICE, "/alerts")  # the answer and the status line
    messages = await telegram.wait_for_messages(ALICE, 10)
    await telegram.send_user_message(ALICE, "/unlink")
    await telegram.send_user_message(ALICE, "/unlink")
    await telegram.send_user_message(ALICE, "오늘 매출 어때?")
    after = (await telegram.wait_for_messages(ALICE, 13))[10:]

    by_command = dict(zip(commands, texts(messages[1:8]), strict=True))
    assert by_command["/help"].startswith("이런 걸 물어보실 수 있어요:")
    assert by_command["/help"].endswith("명령 뒤에 기간을 붙일 수 있어요(예: /top 지난달).")
    # the best seller of the last 7 days: 7 × 600,000원, 7 × 24 units
    assert "1. 스테인리스 텀블러 500ml\n   4,200,000원 · 168개" in by_command["/top"]
    assert (
        by_command["/ads"]
        == "아직 광고 데이터가 없어요. 광고 통계를 가져오면 효율을 분석해 드릴게요."
    )
    assert by_command["/digest"] == "사용법: /digest on 또는 /digest off"
    assert (
        by_command["/nope"]
        == "알 수 없는 명령이에요. /help 를 보내면 쓸 수 있는 명령을 알려 드려요."
    )
    assert texts(messages[9:10]) == [
        "알림: 켜짐 · 아침 요약: 켜짐\n끄기/켜기: /alerts off, /alerts on · 아침 요약: /digest off, /digest on"
    ]
    apology = "죄송해요, 처리하는 중에 문제가 생겼어요. 잠시 후 다시 시도해 주세요."
    assert apology not in texts(messages)
    assert texts(after) == [
        "이 채팅과 스토어의 연결을 해제했어요. 다시 연결하려면 /link 코드 를 보내 주세요.",
        "이 채팅은 연결된 스토어가 없어요.",
        UNLINKED_KO,
    ]


async def test_commands_are_registered_in_korean_and_english(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services]
) -> None:
    registered = {entry.language_code: entry.commands for entry in await telegram.commands()}
    assert set(registered) == {"ko", "en", ""}
    assert registered["ko"]["report"] == "실시간 매출 현황"
    assert registered["en"]["report"] == "Real-time sales report"
    assert list(registered["ko"]) == [
        "report", "top", "ads", "customers", "keywords", "alerts", "digest", "lang", "help", "link", "unlink",
    ]  # fmt: skip
    assert "stats" not in registered["en"]  # operator commands stay out of the menu


# -- operators ------------------------------------------------------------------------------


async def test_operator_commands_answer_operators_only(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services], db: sessionmaker[Session]
) -> None:
    await link(telegram, db, ALICE, "ko")
    await telegram.send_user_message(ALICE, "오늘 매출 어때?")
    await telegram.wait_for_messages(ALICE, 2)
    for command in ("/stats", "/trace", "/reload"):
        await telegram.send_user_message(ALICE, command)
    refused = (await telegram.wait_for_messages(ALICE, 5))[2:]

    await telegram.send_user_message(OPERATOR, "/stats", language_code="en")
    (stats,) = await telegram.wait_for_messages(OPERATOR, 1)
    await telegram.send_user_message(OPERATOR, "/trace", language_code="en")
    trace = (await telegram.wait_for_messages(OPERATOR, 2))[1]
    await telegram.send_user_message(OPERATOR, "/reload", language_code="en")
    reload = (await telegram.wait_for_messages(OPERATOR, 3))[2]

    unknown = "알 수 없는 명령이에요. /help 를 보내면 쓸 수 있는 명령을 알려 드려요."
    assert texts(refused) == [unknown] * 3
    assert stats.plain_text == (
        "Stats for 2026-11-25\n"
        "sellers linked: 1 (1 chats)\n"
        "questions today: 1 (offline 1)\n"
        "fallbacks to the offline router: 0\n"
        "alerts sent today: 0; waiting: 0\n"
        "inquiries today: drafted 0, approved 0 (edited 0), skipped 0, auto-answered 0"
    )
    assert f"chat {ALICE} · seller 1" in trace.plain_text
    assert "Q: 오늘 매출 어때?" in trace.plain_text
    assert '1. sales_report({"end": "2026-11-25", "start": "2026-11-25"})' in trace.plain_text
    assert (reload.plain_text or "").startswith("prompts reloaded")


# -- nudges ---------------------------------------------------------------------------------

NUDGE_KO = (
    "⚠️ 주문이 평소보다 적어요 (11월 25일 14시 기준)\n"
    "10시 이후 주문이 없어요. 평소에는 지금까지 16.0건쯤 들어와요.\n"
    "14시까지 주문 4건, 평소 이 시간까지 20.0건 (-80%)\n"
    "매출 117,000원 (평소 563,000원)\n"
    "👉 상품 페이지와 결제가 정상인지, 인기 상품이 품절되지 않았는지 확인해 보세요."
)
# Yesterday: 48 orders, 1,320,000원 as on the Tuesday before; the tumbler sells 2 + 1
# units for 75,000원 in every six orders: 24 units, 600,000원.
DIGEST_KO = (
    "☀️ 11월 24일 요약\n"
    "매출 1,320,000원 · 주문 48건 (지난주 같은 요일 대비 +0%)\n"
    "가장 잘 팔린 상품: 스테인리스 텀블러 500ml (24개, 600,000원)\n"
    "특별한 이상은 없었어요."
)


async def test_a_nudge_is_sent_once_and_a_restart_sends_no_duplicate(
    telegram: EmulatorClient, db: sessionmaker[Session], clock: Clock
) -> None:
    first = new_services(telegram, db, clock)
    async with running(telegram, first):
        await link(telegram, db, ALICE, "ko")
        found = await scan(first, now=NOW)  # recorded in the outbox ... and the bot stops
    assert (found.sellers, found.recorded) == (1, 1)
    assert len(await telegram.messages(ALICE)) == 1  # only the link confirmation

    second = new_services(telegram, db, clock)  # a new process on the same database
    async with running(telegram, second) as application:
        await scan_and_deliver(second, application.bot, now=NOW)
        await scan_and_deliver(second, application.bot, now=NOW + dt.timedelta(hours=1))
    third = new_services(telegram, db, clock)
    async with running(telegram, third) as application:
        _, delivery = await scan_and_deliver(
            third, application.bot, now=NOW + dt.timedelta(hours=2)
        )

    messages = await telegram.messages(ALICE)
    assert len(messages) == 3  # the link confirmation, the nudge, the morning digest
    nudge, digest = messages[1], messages[2]
    assert nudge.plain_text == NUDGE_KO
    assert nudge.text is not None and nudge.text.startswith("<b>⚠️ 주문이 평소보다 적어요")
    assert nudge.button_texts == ["자세히 보기"]
    assert digest.plain_text == DIGEST_KO
    assert delivery.sent == 0
    with db() as session:
        rows = session.execute(select(Alert.kind, Alert.dedupe_key, Alert.status)).all()
    assert rows == [
        ("sales_drop_intraday", "sales_drop:1:2026-11-25", "sent"),
        ("digest", "digest:1:2026-11-24", "sent"),
    ]

    # the details button runs the day's sales report
    async with running(telegram, third):
        await telegram.press_button(ALICE, nudge.message_id, nudge.callback_data[0])
        details = (await telegram.wait_for_messages(ALICE, 4))[3]
    assert "117,000원" in details.plain_text


async def test_quiet_hours_hold_a_nudge_until_morning(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services], db: sessionmaker[Session]
) -> None:
    application, services = bot
    await link(telegram, db, ALICE, "ko")
    night = dt.datetime(2026, 11, 25, 23, 30, tzinfo=SEOUL)
    found, delivery = await scan_and_deliver(services, application.bot, now=night)
    early = await deliver(
        services, application.bot, now=dt.datetime(2026, 11, 26, 7, 59, tzinfo=SEOUL)
    )
    morning = await deliver(
        services, application.bot, now=dt.datetime(2026, 11, 26, 8, 0, tzinfo=SEOUL)
    )

    assert (found.recorded, delivery.held, delivery.sent) == (1, 1, 0)
    assert (early.sent, morning.sent) == (0, 1)
    messages = await telegram.messages(ALICE)
    assert len(messages) == 2
    assert messages[1].plain_text.startswith("⚠️ 주문이 평소보다 적어요 (11월 25일 23시 기준)")
    # no digest: the morning scan runs from 09:00 (the first scan after it)


async def test_alerts_off_means_no_nudge_but_the_digest_still_comes(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services], db: sessionmaker[Session]
) -> None:
    application, services = bot
    await link(telegram, db, ALICE, "ko")
    await telegram.send_user_message(ALICE, "/alerts off")
    (_, off) = await telegram.wait_for_messages(ALICE, 2)
    found, delivery = await scan_and_deliver(services, application.bot, now=NOW)

    assert off.plain_text == "알림을 껐어요. 다시 켜려면 /alerts on 을 보내 주세요."
    assert (found.found, delivery.sent) == (0, 1)
    messages = await telegram.messages(ALICE)
    assert [m.plain_text for m in messages[2:]] == [DIGEST_KO]


async def test_a_seller_who_blocked_the_bot_is_marked_inactive_and_others_still_get_theirs(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services], db: sessionmaker[Session]
) -> None:
    application, services = bot
    with db.begin() as session:
        carol = Seller(slug="carol", name="캐롤샵", timezone="Asia/Seoul")
        session.add(carol)
        session.flush()
        session.add(ChatLink(chat_id=CAROL, seller_id=carol.id, language="ko"))
        evidence = {
            "kind": "sales_drop_day", "local_date": "2026-11-24", "family": "sales", "from_hour": 0,
            "to_hour": 24, "expected": 12.0, "actual": 2, "change": -0.8333, "p_value": 1e-5,
            "baseline": [12], "baseline_dates": [], "dispersion": 0.0, "expected_revenue": 360000,
            "actual_revenue": 60000, "quiet_since_hour": None, "expected_since_quiet": None,
        }  # fmt: skip
        record_alert(session, seller_id=carol.id, kind="sales_drop_day", dedupe_key="sales_drop:c:1",
                     evidence=evidence, detected_at=NOW)  # fmt: skip
        carol_id = carol.id
    await telegram.add_chats([CAROL])
    await link(telegram, db, ALICE, "ko")
    await telegram.block(CAROL)

    found, delivery = await scan_and_deliver(services, application.bot, now=NOW)

    # Alice: her nudge and digest; Carol: the alert and her digest, both blocked
    assert (delivery.sent, delivery.blocked, delivery.blocked_sellers) == (2, 2, [carol_id])
    assert len(await telegram.messages(ALICE)) == 3
    with db() as session:
        assert session.get(Seller, carol_id).active is False  # type: ignore[union-attr]
        statuses = session.execute(
            select(Alert.seller_id, Alert.kind, Alert.status).order_by(Alert.seller_id, Alert.id)
        ).all()
    assert statuses == [
        (1, "sales_drop_intraday", "sent"),
        (1, "digest", "sent"),
        (carol_id, "sales_drop_day", "blocked"),
        (carol_id, "digest", "blocked"),
    ]

    # an inactive seller is not scanned; writing again reactivates her
    later, _ = await scan_and_deliver(services, application.bot, now=NOW + dt.timedelta(hours=1))
    assert later.sellers == 1
    await telegram.send_user_message(CAROL, "/alerts")
    await telegram.wait_for_messages(CAROL, 2)
    with db() as session:
        assert session.get(Seller, carol_id).active is True  # type: ignore[union-attr]


async def test_digest_off_stops_the_morning_summary(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services], db: sessionmaker[Session]
) -> None:
    application, services = bot
    await link(telegram, db, ALICE, "en")
    await telegram.send_user_message(ALICE, "/digest off", language_code="en")
    (_, off) = await telegram.wait_for_messages(ALICE, 2)
    found, delivery = await scan_and_deliver(services, application.bot, now=NOW)

    assert off.plain_text == "Morning summary is off. Send /digest on to get it again."
    assert (found.recorded, found.digests, delivery.sent, delivery.skipped) == (1, 1, 1, 1)
    (nudge,) = (await telegram.messages(ALICE))[2:]
    assert nudge.plain_text.startswith("⚠️ Fewer orders than usual (Nov 25, as of 14:00)")


# -- the Application itself -------------------------------------------------------------------


class BrokenAdvisor(Advisor):
    """An advisor whose every question fails: what the error handler is for."""

    def ask(self, question: str, **kwargs: Any) -> Any:
        raise RuntimeError("the analytics database went away")


async def test_an_error_is_logged_and_the_user_gets_a_polite_answer(
    telegram: EmulatorClient,
    db: sessionmaker[Session],
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    services = bot_services(bot_settings(telegram), db, BrokenAdvisor, clock)
    async with running(telegram, services):
        await link(telegram, db, ALICE, "ko")
        await telegram.send_user_message(ALICE, "오늘 매출 어때?")
        messages = await telegram.wait_for_messages(ALICE, 2)

    assert (
        messages[1].plain_text
        == "죄송해요, 처리하는 중에 문제가 생겼어요. 잠시 후 다시 시도해 주세요."
    )
    (record,) = [r for r in caplog.records if r.name == "bot.handlers.errors"]
    assert record.exc_info is not None and "went away" in str(record.exc_info[1])


async def test_webhook_mode_receives_updates_with_the_secret_token(
    telegram: EmulatorClient, db: sessionmaker[Session], clock: Clock
) -> None:
    port = free_port()
    settings = bot_settings(telegram).model_copy(
        update={
            "telegram_webhook_url": f"http://127.0.0.1:{port}/telegram/hook",
            "telegram_webhook_listen": "127.0.0.1",
            "telegram_webhook_port": port,
            "telegram_webhook_secret": SecretStr("s3cret-token"),
        }
    )
    services = bot_services(settings, db, Advisor, clock)
    application = build_application(settings, services, schedule=False)
    updater = application.updater
    assert updater is not None
    async with application:
        await updater.start_webhook(**webhook_options(settings))
        await application.start()
        try:
            await telegram.send_user_message(BOB, "/start", language_code="en")
            (reply,) = await telegram.wait_for_messages(BOB, 1, within=10)
            info = await application.bot.get_webhook_info()
        finally:
            await updater.stop()
            await application.stop()

    assert reply.plain_text.startswith("Hello! I'm Store Advisor.")
    assert info.url == f"http://127.0.0.1:{port}/telegram/hook"
    assert info.last_error_message is None


async def test_the_scheduler_registers_its_jobs(
    telegram: EmulatorClient, db: sessionmaker[Session], clock: Clock
) -> None:
    services = new_services(telegram, db, clock)
    application = build_application(services.settings, services)  # schedule=True
    async with polling(application):
        jobs = {job.name: job for job in application.job_queue.jobs()}  # type: ignore[union-attr]

    assert set(jobs) == {
        "hourly-scan",
        "startup-scan",
        "deliver-alerts",
        "sync-sources",
        "fit-seed",
        "fit-refresh",
    }
    # customer fits refreshed every 5 minutes, the first run 15 s past an hour's 5 minutes
    assert jobs["fit-refresh"].job.trigger.interval == dt.timedelta(minutes=5)
    next_fit = jobs["fit-refresh"].next_t
    assert next_fit is not None and (next_fit.minute % 5, next_fit.second) == (0, 15)
    # connected stores sync every SYNC_EVERY_MINUTES (10), the first one after the startup scan
    assert jobs["sync-sources"].job.trigger.interval == dt.timedelta(minutes=10)
    # the hourly scan runs at the next HH:01 of the JobQueue's (real) clock
    next_scan = jobs["hourly-scan"].next_t
    assert next_scan is not None and (next_scan.minute, next_scan.second) == (1, 0)
    assert dt.timedelta(0) < next_scan - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=1)


async def test_long_text_is_split_and_a_part_telegram_cannot_parse_goes_out_as_plain_text(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services]
) -> None:
    application, _ = bot
    await telegram.add_chats([ALICE])
    answer = "\n".join(f"{line:04d} <매출> " + "가" * 90 for line in range(100))  # 100 × 101
    await send_chunks(application.bot, ALICE, plain_chunks(answer))
    broken = "<b>알림</b>\n<b>닫히지 않은 태그 & 값\n끝"  # an operator's template with a typo
    await send_chunks(application.bot, ALICE, html_chunks(broken))

    messages = await telegram.messages(ALICE)
    assert [len(m.plain_text or "") for m in messages[:3]] == [
        40 * 101 - 1,
        40 * 101 - 1,
        20 * 101 - 1,
    ]
    assert "\n".join(m.plain_text or "" for m in messages[:3]) == answer
    assert messages[0].parse_mode == "HTML" and "&lt;매출&gt;" in (messages[0].text or "")
    assert (messages[3].parse_mode, messages[3].plain_text) == (
        None,
        "알림\n닫히지 않은 태그 & 값\n끝",
    )


def _day_drop(day: str) -> dict[str, Any]:
    return {
        "kind": "sales_drop_day", "local_date": day, "family": "sales", "from_hour": 0,
        "to_hour": 24, "expected": 48.0, "actual": 10, "change": -0.7917, "p_value": 1e-9,
        "baseline": [48] * 8, "baseline_dates": [], "dispersion": 0.0,
        "expected_revenue": 1320000, "actual_revenue": 275000, "quiet_since_hour": None,
        "expected_since_quiet": None,
    }  # fmt: skip


async def test_a_seller_with_many_nudges_is_paced_without_holding_up_the_others(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services], db: sessionmaker[Session]
) -> None:
    application, services = bot
    others = [6001, 6002, 6003]
    with db.begin() as session:
        for day in ("2026-11-22", "2026-11-23", "2026-11-24"):  # Alice's store: three days
            record_alert(session, seller_id=1, kind="sales_drop_day", dedupe_key=f"sales_drop:1:{day}",
                         evidence=_day_drop(day), detected_at=NOW)  # fmt: skip
        for chat in others:
            seller = Seller(
                slug=f"s{chat}", name=f"상점 {chat}", timezone="Asia/Seoul", digest_enabled=False
            )
            session.add(seller)
            session.flush()
            session.add(ChatLink(chat_id=chat, seller_id=seller.id, language="ko"))
            record_alert(session, seller_id=seller.id, kind="sales_drop_day",
                         dedupe_key=f"sales_drop:{seller.id}:2026-11-24",
                         evidence=_day_drop("2026-11-24"), detected_at=NOW)  # fmt: skip
        session.get(Seller, 1).digest_enabled = False  # type: ignore[union-attr]
    await telegram.add_chats(others)
    await link(telegram, db, ALICE, "ko")
    await telegram.flood_limit(1.0)  # Telegram refuses a chat's messages faster than 1/s

    report = await deliver(services, application.bot, now=NOW)

    assert report.sent == 6
    assert (await telegram.stats())["flood_refusals"] == 0  # paced: never refused
    await telegram.flood_limit(None)
    order = [m.chat_id for m in await telegram.all_messages()]
    alice = [i for i, chat in enumerate(order) if chat == ALICE][1:]  # after the link reply
    rest = [i for i, chat in enumerate(order) if chat in others]
    assert len(alice) == 3 and len(rest) == 3
    # the other sellers' nudges went out without waiting behind Alice's second and third
    assert max(rest) < alice[1]


async def test_a_forwarded_customer_question_gets_a_draft_answer(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services], db: sessionmaker[Session]
) -> None:
    await link(telegram, db, ALICE, "ko")
    # the seller forwards what a customer wrote; it reads like no analysis question
    await telegram.send_user_message(
        ALICE, "딸기잼 지금 주문하면 재고 있나요?", forward_sender_name="손님"
    )
    log = await telegram.wait_for(ALICE, messages=2)
    draft = log.messages[1].plain_text.splitlines()
    assert draft[0] == '고객 문의: "딸기잼 지금 주문하면 재고 있나요?"'
    assert "딸기잼 500g은(는) 현재 재고가 있어 바로 구매하실 수 있습니다(재고 80개)." in draft
    assert draft[-1] == "상품 정보: 딸기잼 500g · 12,000원 · 재고 80개"


async def test_a_forwarded_restock_date_question_gets_a_draft_that_needs_checking(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services], db: sessionmaker[Session]
) -> None:
    """The chat draft is the inquiry loop's (tools.inquiries.drafting): no product fact
    holds the day a sold-out product returns, so the draft says the shop will check."""
    with db.begin() as session:
        session.execute(update(Product).where(Product.sku == "JAM-500").values(stock=0))
    await link(telegram, db, ALICE, "ko")
    await telegram.send_user_message(
        ALICE, "딸기잼 재입고 언제 되나요?", forward_sender_name="손님"
    )
    log = await telegram.wait_for(ALICE, messages=2)
    assert log.messages[1].plain_text.splitlines() == [
        '고객 문의: "딸기잼 재입고 언제 되나요?"',
        "",
        "답변 초안:",
        "안녕하세요, 고객님. 문의 주셔서 감사합니다.",
        "딸기잼 500g은(는) 현재 품절입니다.",
        "문의하신 내용은 확인한 뒤 빠르게 다시 안내해 드리겠습니다.",
        "감사합니다.",
        "",
        "⚠️ 확인이 필요해서 초안에서 뺐어요:",
        "• 문의하신 날짜·일정 (상품·주문 정보에 없어요)",
        "",
        "상품 정보: 딸기잼 500g · 12,000원 · 재고 0개",
    ]


async def test_a_forwarded_english_question_gets_an_english_draft_with_won_prices(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services], db: sessionmaker[Session]
) -> None:
    """The draft is in the customer's language (₩12,000, the English product name); what
    is around it is in the seller's."""
    await link(telegram, db, ALICE, "ko")
    await telegram.send_user_message(
        ALICE, "How much is the strawberry jam? Is it in stock?", forward_sender_name="Sam"
    )
    log = await telegram.wait_for(ALICE, messages=2)
    assert log.messages[1].plain_text.splitlines() == [
        '고객 문의: "How much is the strawberry jam? Is it in stock?"',
        "",
        "답변 초안:",
        "Hello, and thank you for your message.",
        "The Strawberry jam is in stock and can be ordered right away (80 left).",
        "The Strawberry jam costs ₩12,000.",
        "Thank you.",
        "",
        "상품 정보: 딸기잼 500g · 12,000원 · 재고 80개",
    ]


async def test_a_chat_linked_after_start_gets_its_nudges_on_the_next_scan(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services], db: sessionmaker[Session]
) -> None:
    application, services = bot
    # the startup scan runs before any chat is linked: nothing is checked or sent
    first, sent = await scan_and_deliver(services, application.bot, now=NOW)
    assert (first.sellers, first.recorded, sent.sent) == (0, 0, 0)

    await link(telegram, db, ALICE, "ko")
    later, delivery = await scan_and_deliver(
        services, application.bot, now=NOW + dt.timedelta(hours=1)
    )

    # the same process: the next scan checks her store and sends the nudge and the digest
    assert (later.sellers, delivery.sent) == (1, 2)
    texts_after_link = [m.plain_text or "" for m in (await telegram.messages(ALICE))[1:]]
    assert texts_after_link[0].startswith("⚠️ 주문이 평소보다 적어요")
    assert texts_after_link[1] == DIGEST_KO
