"""Any text: a question for the advisor, with the chat's seller bound.

A message the seller forwarded from someone else is a customer's question: it goes
straight to the inquiry draft, so the seller gets an answer to copy."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.context import BotContext
from bot.handlers._common import chat_id_of, linked_seat, run_tool
from bot.replies import send_answer, typing, wants_chart

INQUIRY_LIMIT = 2000  # the inquiry_draft tool's contract


async def question(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    seat = await linked_seat(update, context)
    if seat is None:
        return
    services = context.services
    chat_id = chat_id_of(update)
    async with typing(context.bot, chat_id, services.options.typing_every):
        if message.forward_origin is not None:
            answer = await run_tool(
                context, seat, "inquiry_draft", {"inquiry": message.text[:INQUIRY_LIMIT]}
            )
        else:
            answer = await asyncio.to_thread(
                services.advisor.ask,
                message.text,
                seller_id=seat.seller_id,
                chat_id=chat_id,
                lang=seat.lang,
                now=services.now(),
            )
    await send_answer(
        services,
        context.bot,
        chat_id,
        answer,
        seat.lang,
        with_chart=wants_chart(services, message.text, seat.lang),
    )
