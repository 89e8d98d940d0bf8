"""Telegram Business as an inquiry source: customers write to the seller's business
account, the bot answers there with `send_message(business_connection_id=...)`.

Questions come in as `business_message` updates (bot.handlers.business), so
`fetch_new` finds none. A reply is posted only while the connection is enabled and
has the right to reply (`rights.can_reply`), and within Telegram's 24 hours after
the customer's last message; otherwise the post is refused with the reason, before
any call. The owner's own message in the chat closes its open inquiries (answered
elsewhere), which the loop re-reads before posting; Telegram cannot be asked whether
a reply arrived, so a post cut off mid-way is not retried (`rereads` is False).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ExtBot

from bot.alerts import outcome_of
from bot.services import Services
from storage.inquiry_outbox import connection
from storage.models import Inquiry
from tools.inquiries.sources import InquiryRef, NewInquiry, Posted, PostError
from tools.nudges import Outcome

SOURCE = "telegram_business"
WINDOW = dt.timedelta(hours=24)


def last_customer_message(
    session: Session, seller_id: int, connection_id: str, chat_id: int
) -> dt.datetime | None:
    """When the customer last wrote in that business chat (their messages are inquiries)."""
    rows = session.execute(
        select(Inquiry.reply_to, Inquiry.asked_at).where(
            Inquiry.seller_id == seller_id, Inquiry.source == SOURCE
        )
    ).all()
    times = [
        at
        for reply_to, at in rows
        if (reply_to or {}).get("business_connection_id") == connection_id
        and (reply_to or {}).get("chat_id") == chat_id
    ]
    return max(times) if times else None


def reason_of(error: TelegramError) -> str:
    text = str(error).upper()
    if "ACCESS_FORBIDDEN" in text or "NOT ENOUGH RIGHTS" in text:
        return "no_rights"
    if "PEER_INVALID" in text or "24-HOUR" in text:
        return "window"
    if "CONNECTION" in text:
        return "disconnected"
    return "refused"


class BusinessSource:
    name = SOURCE
    rereads = False

    def __init__(self, services: Services, bot: ExtBot[None]) -> None:
        self.services = services
        self.bot = bot

    async def fetch_new(self, seller_id: int, since: dt.datetime | None) -> list[NewInquiry]:
        return []  # pushed as updates

    async def already_answered(self, inquiry: InquiryRef) -> bool | None:
        return None  # the owner's replies in the chat are recorded as they arrive

    def _check(self, session: Session, inquiry: InquiryRef) -> str | None:
        """Why a reply cannot go out now (a bot.inquiry.failed key), or None."""
        found = connection(session, str(inquiry.reply_to.get("business_connection_id")))
        if found is None or not found.is_enabled:
            return "disconnected"
        if not found.can_reply:
            return "no_rights"
        last = last_customer_message(
            session,
            inquiry.seller_id,
            found.id,
            int(inquiry.reply_to.get("chat_id", 0)),
        )
        if last is None or self.services.now() - last > WINDOW:
            return "window"
        return None

    async def post(self, inquiry: InquiryRef, text: str) -> Posted:
        refused = await self.services.db(lambda session: self._check(session, inquiry))
        if refused is not None:
            raise PostError("refused", refused)
        chat_id = int(inquiry.reply_to["chat_id"])
        try:
            message = await self.bot.send_message(
                chat_id,
                text,
                business_connection_id=str(inquiry.reply_to["business_connection_id"]),
            )
        except (BadRequest, Forbidden) as error:
            raise PostError("refused", reason_of(error), str(error)) from error
        except TelegramError as error:
            if outcome_of(error) is Outcome.RETRY:
                raise PostError("retry", "network", str(error)) from error
            raise PostError("unknown", "network", str(error)) from error
        return Posted(ref=f"{chat_id}:{message.message_id}")
