"""Sending to a chat: text in parts under the limit, charts as photos, keyboards.

Every dynamic value is escaped before it goes out in HTML parse mode
(bot.telegram_text); when Telegram still refuses a part's HTML, the part goes out as
plain text instead of being lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot import charts
from bot.callback_data import Press
from bot.services import Services
from bot.telegram_text import CAPTION_LIMIT, Chunk, answer_chunks, caption, escape
from tools.answer import Answer, Button, Chart

log = logging.getLogger(__name__)


def _refused_html(error: BadRequest) -> bool:
    text = str(error).lower()
    return "can't parse entities" in text or "unsupported start tag" in text


async def send_chunks(
    bot: ExtBot[None],
    chat_id: int,
    chunks: Sequence[Chunk],
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> list[Message]:
    """Send each part (the keyboard goes under the last one); HTML, or plain text when
    Telegram cannot parse a part's HTML."""
    sent: list[Message] = []
    for index, chunk in enumerate(chunks):
        markup = reply_markup if index == len(chunks) - 1 else None
        try:
            message = await bot.send_message(
                chat_id, chunk.html, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        except BadRequest as error:
            if not _refused_html(error):
                raise
            log.warning("chat %s: HTML refused (%s); sending plain text", chat_id, error)
            message = await bot.send_message(chat_id, chunk.plain, reply_markup=markup)
        sent.append(message)
    return sent


@contextlib.asynccontextmanager
async def typing(
    bot: ExtBot[None],
    chat_id: int,
    every: float,
    action: str = ChatAction.TYPING,
    *,
    quiet: Callable[[], bool] | None = None,
) -> AsyncIterator[None]:
    """Show `action` in the chat while the block runs (Telegram shows it for 5 s), except
    while `quiet()` says the chat shows something better (a draft of the answer)."""

    async def keep() -> None:
        while True:
            try:
                if quiet is None or not quiet():
                    await bot.send_chat_action(chat_id, action)
            except Exception as error:  # noqa: BLE001 - a lost typing hint is harmless
                log.debug("chat %s: chat action failed: %s", chat_id, error)
                return
            await asyncio.sleep(every)

    task = asyncio.create_task(keep())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _button(services: Services, label: str, press: Press) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=services.buttons.encode(press))


def answer_keyboard(
    services: Services, answer: Answer, lang: str, *, chart_button: bool = True
) -> InlineKeyboardMarkup | None:
    """Did-you-mean choices (one a row), the advisor's next steps (other periods, the
    previous period, details; two a row) and, when the answer has a chart that is not
    sent with it (`chart_button`), the button that sends it."""
    rows: list[list[InlineKeyboardButton]] = []
    for candidate in answer.candidates:
        rows.append(
            [_button(services, candidate.label, Press("run", candidate.tool, candidate.args))]
        )
    steps = [_button(services, b.label, Press("run", b.tool, b.args)) for b in answer.buttons]
    rows.extend(steps[i : i + 2] for i in range(0, len(steps), 2))
    last = answer.calls[-1] if answer.calls else None
    if chart_button and last is not None and answer.chart is not None:
        label = services.text("buttons.chart", lang)
        rows.append([_button(services, label, Press("chart", last.tool, dict(last.args)))])
    return InlineKeyboardMarkup(rows) if rows else None


def wants_chart(services: Services, question: str, lang: str) -> bool:
    """The question itself asks for a picture ("차트로 보여줘", "as a chart")."""
    words = {
        word.strip().lower()
        for key_lang in (lang, "ko", "en")
        for word in services.text("chart_words", key_lang).split(",")
        if word.strip()
    }
    folded = question.lower()
    return any(word in folded for word in words)


async def send_answer(
    services: Services,
    bot: ExtBot[None],
    chat_id: int,
    answer: Answer,
    lang: str,
    *,
    with_chart: bool = False,
) -> list[Message]:
    """The answer's text (its lists as tables: bot.telegram_text.answer_chunks) with the
    next-step keyboard. `with_chart` and a chart: one photo with the text as its caption
    when it fits (1,024 characters), otherwise the text then the photo; the keyboard
    goes under the last message, without a chart button (the chart is there)."""
    from bot.dashboard import with_dashboard

    text = answer.text
    if not with_chart or answer.chart is None:
        keyboard = with_dashboard(
            services, answer_keyboard(services, answer, lang), answer, chat_id, lang
        )
        return await send_chunks(bot, chat_id, answer_chunks(text), reply_markup=keyboard)
    keyboard = with_dashboard(
        services, answer_keyboard(services, answer, lang, chart_button=False), answer, chat_id, lang
    )
    captioned = answer_chunks(text, CAPTION_LIMIT)
    if len(captioned) == 1:
        return [
            await send_chart(
                services, bot, chat_id, answer.chart, lang, keyboard, text=captioned[0]
            )
        ]
    sent = await send_chunks(bot, chat_id, answer_chunks(text))
    sent.append(await send_chart(services, bot, chat_id, answer.chart, lang, keyboard))
    return sent


async def send_chart(
    services: Services,
    bot: ExtBot[None],
    chat_id: int,
    chart: Chart,
    lang: str,
    reply_markup: InlineKeyboardMarkup | None = None,
    *,
    text: Chunk | None = None,
) -> Message:
    """The chart drawn off the event loop and sent as a photo, captioned with `text` (an
    answer that fits a caption) or else the chart's title."""
    async with typing(bot, chat_id, services.options.typing_every, ChatAction.UPLOAD_PHOTO):
        png = await charts.render_png(chart)
    title = services.text("chart_caption", lang, title=chart.title)
    part = caption(escape(title)) if text is None else text
    try:
        return await bot.send_photo(
            chat_id, png, caption=part.html, parse_mode=ParseMode.HTML, reply_markup=reply_markup
        )
    except BadRequest as error:
        if not _refused_html(error):
            raise
        return await bot.send_photo(chat_id, png, caption=part.plain, reply_markup=reply_markup)


def details_keyboard(services: Services, lang: str, button: Button) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(
                    services,
                    services.text("buttons.details", lang),
                    Press("run", button.tool, button.args),
                )
            ]
        ]
    )
