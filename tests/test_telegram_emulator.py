"""The real python-telegram-bot Application against the local Bot API emulator.

A tiny bot defined here (echo, a photo with a button, a menu whose button edits the
message, commands in Korean and English) proves the whole round trip over HTTP that the
bot's end-to-end tests rely on, and that the emulator refuses what Telegram refuses.
"""

from __future__ import annotations

import asyncio
import html
import json
import struct
import zlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.telegram import EmulatorClient, EmulatorError, polling

ALICE = 1001  # a Korean-speaking user (private chat id = user id)
BOB = 1002  # an English-speaking user

COMMANDS = {
    "ko": [BotCommand("chart", "매출 차트"), BotCommand("menu", "기간 선택")],
    "en": [BotCommand("chart", "Sales chart"), BotCommand("menu", "Pick a period")],
}


def tiny_png(*rgb: tuple[int, int, int]) -> bytes:
    """A valid PNG one pixel high with these pixels, built by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", len(rgb), 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"".join(bytes(pixel) for pixel in rgb))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = tiny_png((255, 0, 0), (0, 0, 255))  # 2x1: red, blue
LAST_WEEK_PNG = tiny_png((0, 255, 0), (0, 0, 0), (9, 9, 9))  # 3x1


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    user = update.effective_user
    assert message is not None and message.text is not None and user is not None
    await context.bot.send_chat_action(message.chat_id, ChatAction.TYPING)
    await message.reply_html(f"<b>echo</b> [{user.language_code}] {html.escape(message.text)}")


async def chart(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    await context.bot.send_chat_action(message.chat_id, ChatAction.UPLOAD_PHOTO)
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton("지난주", callback_data="chart:last_week")]]
    )
    await message.reply_photo(
        PNG, caption="<i>매출</i> 추이", parse_mode=ParseMode.HTML, reply_markup=keyboard
    )


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("오늘", callback_data="period:today"),
                InlineKeyboardButton("어제", callback_data="period:yesterday"),
            ]
        ]
    )
    await message.reply_text("기간을 고르세요", reply_markup=keyboard)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer(f"ok {query.data}")
    if query.data == "chart:last_week":
        media = InputMediaPhoto(
            LAST_WEEK_PNG, caption="<i>지난주</i> 매출", parse_mode=ParseMode.HTML
        )
        await query.edit_message_media(media)
    else:
        await query.edit_message_text(
            f"<b>기간</b>: {html.escape(query.data)}", parse_mode=ParseMode.HTML
        )


async def register_commands(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    for language, commands in COMMANDS.items():
        await application.bot.set_my_commands(commands, language_code=language)


def build_bot(
    telegram: EmulatorClient, **builder: Any
) -> Application[Any, Any, Any, Any, Any, Any]:
    application = telegram.application_builder(**builder).post_init(register_commands).build()
    application.add_handler(CommandHandler("chart", chart))
    application.add_handler(CommandHandler("menu", menu))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return application


@pytest.fixture
async def bot(telegram: EmulatorClient) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    async with polling(build_bot(telegram)) as application:
        yield application


async def test_text_is_answered_in_html_with_the_typing_action(
    telegram: EmulatorClient, bot: Application
) -> None:
    await telegram.send_user_message(ALICE, "매출 <얼마>?", language_code="ko")
    await telegram.send_user_message(BOB, "sales & ads", language_code="en")

    alice = await telegram.wait_for(ALICE, messages=1, actions=1)
    bob = await telegram.wait_for(BOB, messages=1, actions=1)

    (reply,) = alice.messages
    assert reply.kind == "text"
    assert reply.parse_mode == "HTML"
    assert reply.text == "<b>echo</b> [ko] 매출 &lt;얼마&gt;?"
    assert reply.plain_text == "echo [ko] 매출 <얼마>?"
    assert reply.raw["entities"] == [{"type": "bold", "offset": 0, "length": 4}]
    assert alice.actions == ["typing"]
    assert bob.messages[0].plain_text == "echo [en] sales & ads"


async def test_commands_are_registered_in_korean_and_english(
    telegram: EmulatorClient, bot: Application
) -> None:
    registered = {entry.language_code: entry.commands for entry in await telegram.commands()}

    assert registered == {
        "ko": {"chart": "매출 차트", "menu": "기간 선택"},
        "en": {"chart": "Sales chart", "menu": "Pick a period"},
    }
    assert await bot.bot.get_my_commands(language_code="en") == tuple(COMMANDS["en"])
    assert await bot.bot.get_my_commands(language_code="ja") == ()


async def test_a_photo_goes_out_and_comes_back_through_get_file(
    telegram: EmulatorClient, bot: Application
) -> None:
    await telegram.send_user_message(ALICE, "/chart")

    log = await telegram.wait_for(ALICE, messages=1, actions=1)

    (photo,) = log.messages
    assert log.actions == ["upload_photo"]
    assert photo.kind == "photo"
    assert photo.caption == "<i>매출</i> 추이"
    assert photo.plain_text == "매출 추이"
    assert photo.button_texts == ["지난주"]
    assert photo.file is not None
    assert (photo.file["width"], photo.file["height"], photo.file["file_size"]) == (2, 1, len(PNG))
    assert await telegram.download(photo.file["file_id"]) == PNG
    # The bot itself fetches it through getFile and base_file_url.
    file = await bot.bot.get_file(photo.file["file_id"])
    assert file.file_path == f"{telegram.base_file_url}{telegram.token}/{photo.file['file_path']}"
    assert bytes(await file.download_as_bytearray()) == PNG

    # Its button swaps in another chart (editMessageMedia, the file sent as attach://).
    await telegram.press_button(ALICE, photo.message_id, "chart:last_week")
    (swapped,) = (await telegram.wait_for(ALICE, answers=1, edits=1)).messages
    assert swapped.file is not None
    assert (swapped.kind, swapped.caption, swapped.plain_text) == (
        "photo",
        "<i>지난주</i> 매출",
        "지난주 매출",
    )
    assert (swapped.file["width"], swapped.file["height"]) == (3, 1)
    assert await telegram.download(swapped.file["file_id"]) == LAST_WEEK_PNG
    assert swapped.keyboard == []


async def test_a_button_press_is_answered_and_edits_the_message(
    telegram: EmulatorClient, bot: Application
) -> None:
    await telegram.send_user_message(ALICE, "/menu")
    (menu_message,) = await telegram.wait_for_messages(ALICE, 1)
    assert menu_message.callback_data == ["period:today", "period:yesterday"]

    query_id = await telegram.press_button(ALICE, menu_message.message_id, "period:yesterday")
    log = await telegram.wait_for(ALICE, answers=1, edits=1)

    (press,) = log.presses
    assert (press.callback_query_id, press.answered, press.answer_text) == (
        query_id,
        True,
        "ok period:yesterday",
    )
    (edited,) = log.messages
    assert edited.message_id == menu_message.message_id
    assert edited.text == "<b>기간</b>: period:yesterday"
    assert edited.keyboard == []  # an edit without reply_markup drops the keyboard, as in Telegram
    assert edited.edit_count == 1
    with pytest.raises(EmulatorError, match="no button"):
        await telegram.press_button(ALICE, menu_message.message_id, "period:today")


async def test_a_blocked_chat_answers_forbidden_until_the_user_writes_again(
    telegram: EmulatorClient, bot: Application
) -> None:
    await telegram.send_user_message(ALICE, "hello")
    await telegram.wait_for_messages(ALICE, 1)
    await telegram.block(ALICE)

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.bot.send_message(ALICE, "a nudge")
    with pytest.raises(Forbidden):
        await bot.bot.send_chat_action(ALICE, ChatAction.TYPING)
    assert (await telegram.chat(ALICE)).blocked

    await telegram.send_user_message(ALICE, "I'm back")
    messages = await telegram.wait_for_messages(ALICE, 2)
    assert [m.plain_text for m in messages] == ["echo [ko] hello", "echo [ko] I'm back"]


async def test_flood_control_raises_retry_after_and_the_rate_limiter_retries(
    telegram: EmulatorClient,
) -> None:
    await telegram.add_chats([ALICE])
    limited = build_bot(telegram, rate_limiter=AIORateLimiter(max_retries=1))
    async with polling(build_bot(telegram)) as plain:
        await telegram.fail_next(error_code=429, retry_after=3, chat_id=ALICE)
        with pytest.raises(RetryAfter, match="Retry in 3 seconds"):
            await plain.bot.send_message(ALICE, "too fast")
    async with limited:
        await telegram.fail_next(error_code=429, retry_after=1, chat_id=ALICE)
        await limited.bot.send_message(ALICE, "after a pause")

    messages = await telegram.messages(ALICE)
    assert [m.plain_text for m in messages] == ["after a pause"]
    assert (await telegram.stats())["calls"]["sendMessage"] == 3


async def test_the_emulator_refuses_what_telegram_refuses(
    telegram: EmulatorClient, bot: Application
) -> None:
    await telegram.add_chats([ALICE])

    with pytest.raises(
        BadRequest,
        match="Can't parse entities: can't find end tag corresponding to start tag \"b\"",
    ):
        await bot.bot.send_message(ALICE, "<b>unclosed", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match='unsupported start tag "div"'):
        await bot.bot.send_message(ALICE, "<div>x</div>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.bot.send_message(ALICE, "가" * 4097)
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        button = InlineKeyboardButton("x", callback_data="x" * 65)
        await bot.bot.send_message(ALICE, "x", reply_markup=InlineKeyboardMarkup([[button]]))
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.bot.send_message(999, "who?")
    sent = await bot.bot.send_message(ALICE, "same")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.bot.edit_message_text("same", chat_id=ALICE, message_id=sent.message_id)

    # 4,096 characters after entity parsing is still fine.
    await bot.bot.send_message(ALICE, "<b>" + "가" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    assert len(await telegram.messages(ALICE)) == 2


async def test_polling_waits_for_updates_and_a_restart_gets_nothing_twice(
    telegram: EmulatorClient,
) -> None:
    async with polling(build_bot(telegram)):
        await telegram.send_user_message(ALICE, "first")
        await telegram.wait_for_messages(ALICE, 1)
        calls_before = (await telegram.stats())["calls"]["getUpdates"]
        await asyncio.sleep(0.3)
        # Long polling: an idle bot holds one getUpdates open instead of asking in a loop.
        assert (await telegram.stats())["calls"]["getUpdates"] - calls_before <= 1
    assert (await telegram.stats())["pending_updates"] == 0

    async with polling(build_bot(telegram)):
        await telegram.send_user_message(ALICE, "second")
        messages = await telegram.wait_for_messages(ALICE, 2)
        await asyncio.sleep(0.1)
    assert [m.plain_text for m in messages] == ["echo [ko] first", "echo [ko] second"]
    assert len(await telegram.messages(ALICE)) == 2


class WebhookReceiver:
    """A bare HTTP endpoint standing in for a webhook server (PTB's needs tornado, which the
    project does not install): it hands each POSTed update to the Application's queue, as
    PTB's webhook handler does, and records the secret-token header it came with."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.application = application
        self.secret_tokens: list[str | None] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        headers = dict(
            line.split(": ", 1) for line in head.decode("latin-1").split("\r\n")[1:] if ": " in line
        )
        headers = {name.lower(): value for name, value in headers.items()}
        body = await reader.readexactly(int(headers["content-length"]))
        self.secret_tokens.append(headers.get("x-telegram-bot-api-secret-token"))
        update = Update.de_json(json.loads(body), self.application.bot)
        await self.application.update_queue.put(update)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()


async def test_webhook_delivery_with_secret_token_and_a_webhook_that_is_down(
    telegram: EmulatorClient,
) -> None:
    application = build_bot(telegram)
    receiver = WebhookReceiver(application)
    server = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    hook = f"http://127.0.0.1:{port}/hook"
    async with application:
        await application.start()
        await application.bot.set_webhook(hook, secret_token="s3cret")
        await telegram.send_user_message(BOB, "via webhook", language_code="en")
        (reply,) = await telegram.wait_for_messages(BOB, 1)
        server.close()
        await server.wait_closed()

        # The webhook is down now: the update waits and the emulator keeps running.
        await telegram.send_user_message(BOB, "anyone?")
        await asyncio.sleep(0.3)
        info = await application.bot.get_webhook_info()
        with pytest.raises(
            TelegramError, match="can't use getUpdates method while webhook is active"
        ):
            await application.bot.get_updates()
        await application.stop()

    assert reply.plain_text == "echo [en] via webhook"
    assert receiver.secret_tokens == ["s3cret"]
    assert (info.url, info.pending_update_count) == (hook, 1)
    assert info.last_error_message is not None and "Connection failed" in info.last_error_message
