"""Inline button presses: answered at once, then the work (run, chart, language)."""

from __future__ import annotations

import logging

from telegram import Update

from bot.callback_data import ExpiredButton
from bot.context import BotContext
from bot.handlers._common import chat_id_of, reply, run_tool, user_lang
from bot.linking import choose_language
from bot.replies import send_answer, send_chart, typing

log = logging.getLogger(__name__)


async def on_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    services = context.services
    chat_id = chat_id_of(update)
    try:
        press = services.buttons.decode(query.data)
    except ExpiredButton as error:
        log.info("chat %s: expired button %r (%s)", chat_id, query.data, error)
        seat = await services.seat(chat_id, user_lang(update))
        lang = seat.lang if seat is not None else user_lang(update)
        await query.answer(services.text("expired_button", lang), show_alert=True)
        return
    await query.answer()  # at once: the spinner on the button stops before any work
    seat = await services.seat(chat_id, user_lang(update))
    if seat is None:
        await reply(context, chat_id, services.text("unlinked", user_lang(update)))
        return
    if press.action == "lang":
        chosen = await services.db(lambda s: choose_language(s, chat_id, press.value))
        await reply(context, chat_id, services.text("lang.set", chosen))
        return
    if press.action == "run":
        async with typing(context.bot, chat_id, services.options.typing_every):
            answer = await run_tool(context, seat, press.tool, press.args)
        await send_answer(services, context.bot, chat_id, answer, seat.lang)
    elif press.action == "chart":
        answer = await run_tool(context, seat, press.tool, press.args)
        if answer.chart is None:
            await reply(context, chat_id, services.text("no_chart", seat.lang))
            return
        await send_chart(services, context.bot, chat_id, answer.chart, seat.lang)
