"""/start, /link, /unlink and /lang: linking a chat to its store and its language."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.callback_data import Press
from bot.context import BotContext
from bot.handlers._common import chat_id_of, reply, user_lang
from bot.linking import choose_language, redeem, unlink_chat
from tools.prompts import LANGS


async def start(update: Update, context: BotContext) -> None:
    """/start CODE (the deep link t.me/<bot>?start=CODE) links; /start alone greets."""
    if context.args:
        await link(update, context)
        return
    services = context.services
    chat_id = chat_id_of(update)
    seat = await services.seat(chat_id, user_lang(update))
    if seat is None:
        await reply(context, chat_id, services.text("unlinked", user_lang(update)))
    else:
        await reply(context, chat_id, services.text("welcome", seat.lang, seller=seat.seller_name))


async def link(update: Update, context: BotContext) -> None:
    services = context.services
    chat_id = chat_id_of(update)
    lang = user_lang(update)
    if not context.args:
        await reply(context, chat_id, services.text("link.usage", lang))
        return
    code = "".join(context.args)
    now = services.now()
    outcome = await services.db(
        lambda session: redeem(session, chat_id=chat_id, code=code, now=now, language=lang)
    )
    await reply(context, chat_id, services.text(f"link.{outcome.key}", lang, **outcome.params))


async def unlink(update: Update, context: BotContext) -> None:
    services = context.services
    chat_id = chat_id_of(update)
    seat = await services.seat(chat_id, user_lang(update))
    lang = seat.lang if seat is not None else user_lang(update)
    removed = await services.db(lambda session: unlink_chat(session, chat_id))
    await reply(
        context, chat_id, services.text("unlink.done" if removed else "unlink.not_linked", lang)
    )


async def lang(update: Update, context: BotContext) -> None:
    """/lang ko|en sets the answer language; /lang alone offers both as buttons."""
    services = context.services
    chat_id = chat_id_of(update)
    seat = await services.seat(chat_id, user_lang(update))
    if seat is None:
        await reply(context, chat_id, services.text("unlinked", user_lang(update)))
        return
    choice = (context.args or [""])[0].lower()
    if choice in LANGS:
        chosen = await services.db(lambda session: choose_language(session, chat_id, choice))
        await reply(context, chat_id, services.text("lang.set", chosen))
        return
    buttons = [
        InlineKeyboardButton(
            services.text(f"buttons.{name}", seat.lang),
            callback_data=services.buttons.encode(Press("lang", value=code)),
        )
        for code, name in (("ko", "korean"), ("en", "english"))
    ]
    await reply(
        context, chat_id, services.text("lang.choose", seat.lang), InlineKeyboardMarkup([buttons])
    )
