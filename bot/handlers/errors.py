"""The global error handler and the answer to commands the bot does not know."""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import BotContext
from bot.handlers._common import chat_id_of, reply, user_lang

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log with the traceback; tell the user, politely, that it did not work."""
    log.error("error while handling %r", update, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        services = context.services
        chat_id = update.effective_chat.id
        seat = await services.seat(chat_id, user_lang(update))
        lang = seat.lang if seat is not None else user_lang(update)
        await reply(context, chat_id, services.text("error", lang))
    except Exception:  # noqa: BLE001 - the apology itself failed: logging is all that is left
        log.exception("could not tell chat about the error")


async def unknown_command(update: Update, context: BotContext) -> None:
    services = context.services
    chat_id = chat_id_of(update)
    seat = await services.seat(chat_id, user_lang(update))
    if seat is None and not services.is_operator(chat_id):
        await reply(context, chat_id, services.text("unlinked", user_lang(update)))
        return
    await reply(
        context, chat_id, services.text("unknown_command", seat.lang if seat else user_lang(update))
    )
