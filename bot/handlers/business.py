"""Telegram Business updates: a connection of the seller's business account, and
messages in its chats.

- `business_connection`: recorded with its rights; the seller is the one whose
  private chat with the bot (`user_chat_id`) is linked. They are told plainly what the
  connection can do: replies possible, connected without the right to reply, or
  disconnected; an unlinked owner is asked to link first.
- `business_message` from a customer: an inquiry of that chat (idempotent by
  connection, chat and message id), then the loop drafts it and shows the card. From
  the owner: the owner answered in the chat, so its open inquiries are closed as
  answered elsewhere (their answer feeds later drafts). The bot never replies here on
  its own.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session
from telegram import BusinessConnection, Message, Update

from bot.business_source import SOURCE
from bot.context import BotContext
from bot.handlers._common import reply
from bot.inquiry_flow import run_loop
from bot.services import seat_of
from storage import inquiry_outbox as outbox
from storage.links import linked_seller

log = logging.getLogger(__name__)


def _can_reply(connection: BusinessConnection) -> bool:
    if connection.rights is not None:
        return bool(connection.rights.can_reply)
    return bool(connection.api_kwargs.get("can_reply", False))  # Bot API before 9.0


async def on_connection(update: Update, context: BotContext) -> None:
    connection = update.business_connection
    if connection is None:
        return
    services = context.services
    can_reply = _can_reply(connection)
    now = services.now()

    def save(session: Session) -> tuple[int | None, str]:
        seller = linked_seller(session, connection.user_chat_id)
        outbox.save_connection(
            session,
            connection_id=connection.id,
            seller_id=seller.id if seller else None,
            user_id=connection.user.id,
            user_chat_id=connection.user_chat_id,
            can_reply=can_reply,
            is_enabled=connection.is_enabled,
            at=now,
        )
        seat = seat_of(session, connection.user_chat_id, connection.user.language_code)
        return (seller.id if seller else None), (seat.lang if seat else "ko")

    seller_id, lang = await services.db(save)
    if seller_id is None:
        key = "unlinked"
    elif not connection.is_enabled:
        key = "disconnected"
    elif not can_reply:
        key = "no_rights"
    else:
        key = "connected"
    log.info("business connection %s: %s (seller %s)", connection.id, key, seller_id)
    await reply(context, connection.user_chat_id, services.text(f"inquiry.connection.{key}", lang))


def _customer_name(message: Message) -> str:
    user = message.from_user
    if user is None:
        return ""
    return " ".join(part for part in (user.first_name, user.last_name) if part)


async def on_message(update: Update, context: BotContext) -> None:
    message = update.business_message
    if message is None or message.business_connection_id is None:
        return
    text = message.text or message.caption
    if not text:
        return
    services = context.services
    connection_id = message.business_connection_id
    chat_id = message.chat.id

    found = await services.db(lambda s: _connection(s, connection_id))
    if found is None:  # connected while the bot was away: ask Telegram
        fetched = await context.bot.get_business_connection(connection_id)
        await on_connection(Update(update.update_id, business_connection=fetched), context)
        found = await services.db(lambda s: _connection(s, connection_id))
    if found is None or found[0] is None:
        return  # the owner has not linked a store
    seller_id: int = found[0]
    owner_id = found[1]
    sender = message.from_user
    now = services.now()
    if sender is not None and sender.id == owner_id:

        def close(session: Session) -> int:
            ids = outbox.open_in_conversation(session, seller_id, SOURCE, "chat_id", chat_id)
            return sum(outbox.mark_elsewhere(session, i, answer=text, at=now) for i in ids)

        closed = await services.db(close)
        log.info("business chat %s: the owner answered; %d inquiries closed", chat_id, closed)
        return

    def record(session: Session) -> bool:
        _, new = outbox.record_inquiry(
            session,
            seller_id=seller_id,
            source=SOURCE,
            external_id=f"{connection_id}:{chat_id}:{message.message_id}",
            question=text,
            asked_at=message.date,
            customer=_customer_name(message) or None,
            reply_to={
                "business_connection_id": connection_id,
                "chat_id": chat_id,
                "message_id": message.message_id,
            },
        )
        return new

    if await services.db(record):
        await run_loop(services, context.bot, seller_ids=[seller_id])


def _connection(session: Session, connection_id: str) -> tuple[int | None, int] | None:
    row = outbox.connection(session, connection_id)
    return None if row is None else (row.seller_id, int(row.user_id))
