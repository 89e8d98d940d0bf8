"""The inquiry card's buttons: ✅ 보내기, ✏️ 고쳐서 보내기, 건너뛰기 (callback_data
``q1|<s|e|k|x>|<inquiry id>``), and the seller's edited text.

✅ approves the draft as it is: the answer goes to the outbox, then the loop posts it
and says 보냈어요 with the text (or why not, keeping the draft). ✏️ takes the chat's
next text message as the answer (a cancel button under the prompt); 건너뛰기 closes
the inquiry unanswered. A press on an inquiry already approved, answered (here or
elsewhere) or skipped answers so, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext
from bot.handlers._common import chat_id_of, reply, user_lang
from bot.inquiry_flow import PREFIX, run_loop
from bot.services import Seat, Services
from storage import inquiry_outbox as outbox
from storage.models import Inquiry, InquiryStatus

EDITING = "inquiry_edit"  # chat_data key: the inquiry the chat's next text answers
PATTERN = rf"^{PREFIX}\|"
INQUIRY_LIMIT = 4000  # a Telegram message


def _state(
    seller_id: int, inquiry_id: int
) -> Callable[[Session], tuple[InquiryStatus, str] | None]:
    def load(session: Session) -> tuple[InquiryStatus, str] | None:
        inquiry = session.get(Inquiry, inquiry_id)
        if inquiry is None or inquiry.seller_id != seller_id:
            return None
        return inquiry.status, inquiry.draft or ""

    return load


def _already(services: Services, lang: str, status: InquiryStatus | None) -> str:
    key = status.value if status is not None else "gone"
    return services.text(f"inquiry.already.{key}", lang)


async def on_press(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    services = context.services
    chat_id = chat_id_of(update)
    parts = query.data.split("|")
    seat = await services.seat(chat_id, user_lang(update))
    if seat is None:
        await query.answer()
        await reply(context, chat_id, services.text("unlinked", user_lang(update)))
        return
    action = parts[1] if len(parts) > 1 else ""
    inquiry_id = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 0
    if action == "x":
        chat_data = context.chat_data if context.chat_data is not None else {}
        chat_data.pop(EDITING, None)
        await query.answer()
        await reply(context, chat_id, services.text("inquiry.edit_cancelled", seat.lang))
        return
    found = await services.db(_state(seat.seller_id, inquiry_id))
    if found is None:
        await query.answer(_already(services, seat.lang, None), show_alert=True)
        return
    status, draft = found
    if status not in outbox.ACTIONABLE:
        await query.answer(_already(services, seat.lang, status), show_alert=True)
        return
    if action == "s":
        await _approve(update, context, seat, inquiry_id, draft, edited=False)
    elif action == "e":
        await query.answer()
        if context.chat_data is not None:
            context.chat_data[EDITING] = inquiry_id
        cancel = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        services.text("inquiry.buttons.cancel", seat.lang),
                        callback_data=f"{PREFIX}|x|{inquiry_id}",
                    )
                ]
            ]
        )
        await reply(context, chat_id, services.text("inquiry.edit_prompt", seat.lang), cancel)
    elif action == "k":
        now = services.now()
        decision = await services.db(lambda s: outbox.skip(s, inquiry_id, at=now))
        if not decision.done:
            await query.answer(_already(services, seat.lang, decision.status), show_alert=True)
            return
        await query.answer()
        await reply(context, chat_id, services.text("inquiry.skipped", seat.lang))
        await run_loop(services, context.bot, seller_ids=[seat.seller_id])  # the next card
    else:
        await query.answer(services.text("expired_button", seat.lang), show_alert=True)


async def _approve(
    update: Update, context: BotContext, seat: Seat, inquiry_id: int, text: str, *, edited: bool
) -> None:
    services = context.services
    chat_id = chat_id_of(update)
    now = services.now()
    decision = await services.db(
        lambda s: outbox.approve(s, inquiry_id, text=text, edited=edited, chat_id=chat_id, at=now)
    )
    query = update.callback_query
    if not decision.done:
        message = _already(services, seat.lang, decision.status)
        if query is not None:
            await query.answer(message, show_alert=True)
        else:
            await reply(context, chat_id, message)
        return
    if query is not None:
        await query.answer()
    await run_loop(services, context.bot, seller_ids=[seat.seller_id])


async def on_text(update: Update, context: BotContext) -> None:
    """The chat's next text after ✏️ is the answer; otherwise the message goes on to the
    other handlers."""
    chat_data = context.chat_data
    message = update.effective_message
    if chat_data is None or EDITING not in chat_data or message is None or not message.text:
        return
    inquiry_id = int(chat_data.pop(EDITING))
    services = context.services
    seat = await services.seat(chat_id_of(update), user_lang(update))
    if seat is not None:
        await _approve(update, context, seat, inquiry_id, message.text[:INQUIRY_LIMIT], edited=True)
    raise ApplicationHandlerStop


async def switch(update: Update, context: BotContext) -> None:
    """/inquiries on|off: customer-inquiry drafts to this seller's chats (on by default);
    /inquiries auto on|off: automatic answers to FAQ-like questions (off by default,
    tools.inquiries.auto); without an argument, says how they are set."""
    services = context.services
    chat_id = chat_id_of(update)
    seat = await services.seat(chat_id, user_lang(update))
    if seat is None:
        await reply(context, chat_id, services.text("unlinked", user_lang(update)))
        return
    args = [arg.lower() for arg in context.args or []]
    auto = bool(args) and args[0] == "auto"
    rest = args[1:] if auto else args
    wanted = {"on": True, "켜기": True, "off": False, "끄기": False}.get(rest[0]) if rest else None

    def apply(session: Session) -> tuple[bool, bool]:
        if wanted is not None and auto:
            outbox.set_inquiry_settings(session, seat.seller_id, auto_answer=wanted)
        elif wanted is not None:
            outbox.set_inquiry_settings(session, seat.seller_id, drafts_enabled=wanted)
        return outbox.inquiry_settings(session, seat.seller_id)

    enabled, answering = await services.db(apply)
    if auto:
        key = "auto_enabled" if answering else "auto_disabled"
    else:
        key = "enabled" if enabled else "disabled"
    await reply(context, chat_id, services.text(f"inquiry.switch.{key}", seat.lang))
    if enabled and wanted and not auto:
        await run_loop(services, context.bot, seller_ids=[seat.seller_id])  # drafts held
