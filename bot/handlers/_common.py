"""Small pieces every handler shares: who is writing, in which language, and replies."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update

from bot.context import BotContext
from bot.replies import send_chunks
from bot.services import Seat, reactivate
from bot.telegram_text import plain_chunks
from tools.answer import Answer
from tools.prompts import normalize_lang


def chat_id_of(update: Update) -> int:
    chat = update.effective_chat
    if chat is None:
        raise ValueError("update without a chat")
    return chat.id


def user_lang(update: Update) -> str:
    """The user's Telegram app language ("ko", "en"; anything else: "en")."""
    user = update.effective_user
    return normalize_lang(user.language_code if user is not None else None)


async def reply(
    context: BotContext,
    chat_id: int,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> list[Message]:
    """Plain text (escaped) to the chat, split under the limit."""
    return await send_chunks(context.bot, chat_id, plain_chunks(text), reply_markup=reply_markup)


async def linked_seat(update: Update, context: BotContext) -> Seat | None:
    """The chat's seat; an unlinked chat gets the linking explanation and None."""
    services = context.services
    chat_id = chat_id_of(update)
    seat = await services.seat(chat_id, user_lang(update))
    if seat is None:
        await reply(context, chat_id, services.text("unlinked", user_lang(update)))
        return None
    if not seat.active:  # writing again means the bot is no longer blocked
        await services.db(lambda session: reactivate(session, seat.seller_id))
    return seat


async def run_tool(
    context: BotContext,
    seat: Seat,
    tool: str,
    args: dict[str, Any],
    *,
    now: dt.datetime | None = None,
) -> Answer:
    services = context.services
    return await asyncio.to_thread(
        services.advisor.run,
        tool,
        args,
        seller_id=seat.seller_id,
        chat_id=seat.chat_id,
        lang=seat.lang,
        now=now or services.now(),
    )
