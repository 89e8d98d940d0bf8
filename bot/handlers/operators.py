"""/reload, /stats, /trace for chats in OPERATOR_CHAT_IDS; anyone else: unknown command."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot import operators
from bot.context import BotContext
from bot.handlers._common import chat_id_of, reply, user_lang


async def _refused(update: Update, context: BotContext) -> bool:
    chat_id = chat_id_of(update)
    if context.services.is_operator(chat_id):
        return False
    services = context.services
    seat = await services.seat(chat_id, user_lang(update))
    await reply(
        context, chat_id, services.text("unknown_command", seat.lang if seat else user_lang(update))
    )
    return True


async def reload(update: Update, context: BotContext) -> None:
    if await _refused(update, context):
        return
    services = context.services
    text = await asyncio.to_thread(operators.reload_prompts, services.prompts)
    refresh = getattr(services.advisor, "reload", None)
    if callable(refresh):
        await asyncio.to_thread(refresh)
    await reply(context, chat_id_of(update), text)


async def stats(update: Update, context: BotContext) -> None:
    if await _refused(update, context):
        return
    services = context.services
    now = services.now()
    result = await services.db(
        lambda s: operators.stats(s, now=now, timezone=services.settings.default_timezone)
    )
    await reply(context, chat_id_of(update), result.text())


async def trace(update: Update, context: BotContext) -> None:
    """/trace (the last question of any chat), /trace CHAT_ID, or /trace inquiry [ID]
    (a customer inquiry's draft: the facts and past answers it used)."""
    if await _refused(update, context):
        return
    args = context.args or []
    if args and args[0].lower() == "inquiry":
        number = int(args[1]) if len(args) > 1 and args[1].isdigit() else None
        text = await context.services.db(lambda s: operators.trace_inquiry(s, number))
        await reply(context, chat_id_of(update), text)
        return
    chat = int(args[0]) if args and args[0].lstrip("-").isdigit() else None
    text = await context.services.db(lambda s: operators.trace(s, chat))
    await reply(context, chat_id_of(update), text)
