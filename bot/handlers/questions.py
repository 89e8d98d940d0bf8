"""Any text: a question for the advisor, with the chat's seller bound.

A message the seller forwarded from someone else is a customer's question: it goes
straight to the inquiry draft, so the seller gets an answer to copy.

In a private chat a model's answer is streamed as drafts while it is written
(bot.drafts; sendMessageDraft), then sent as the message; the typing action shows
until the first draft, and throughout in a group, offline or when drafts fail."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.context import BotContext
from bot.drafts import DraftStream
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
    if message.forward_origin is not None:
        async with typing(context.bot, chat_id, services.options.typing_every):
            answer = await run_tool(
                context, seat, "inquiry_draft", {"inquiry": message.text[:INQUIRY_LIMIT]}
            )
    else:
        drafts = DraftStream(context.bot, chat_id, draft_id=message.message_id)
        every = services.options.typing_every
        async with typing(context.bot, chat_id, every, quiet=lambda: drafts.showing), drafts:
            answer = await asyncio.to_thread(
                services.advisor.ask,
                message.text,
                seller_id=seat.seller_id,
                chat_id=chat_id,
                lang=seat.lang,
                now=services.now(),
                on_draft=drafts.offer if chat_id > 0 else None,  # private chats only
            )
    await send_answer(
        services,
        context.bot,
        chat_id,
        answer,
        seat.lang,
        with_chart=wants_chart(services, message.text, seat.lang),
    )
