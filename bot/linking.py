"""Linking a chat to a seller with a one-time code, and the per-chat switches.

Thin transactions over storage.links; the handlers turn the outcomes into
messages. The code checks themselves (hash, 24 h, single use, five wrong codes
in ten minutes lock the chat out for an hour) live in storage.links.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy.orm import Session

from storage.links import redeem_link_code, set_language, unlink
from storage.models import Seller
from tools.prompts import normalize_lang


@dataclass(frozen=True, slots=True)
class LinkReply:
    """A redeem attempt: the message key under `bot.link.` and its parameters."""

    key: str
    seller: str | None = None
    minutes: int | None = None

    @property
    def params(self) -> dict[str, object]:
        values: dict[str, object] = {}
        if self.seller is not None:
            values["seller"] = self.seller
        if self.minutes is not None:
            values["minutes"] = self.minutes
        return values


def redeem(
    session: Session, *, chat_id: int, code: str, now: dt.datetime, language: str | None
) -> LinkReply:
    """Link the chat with `code`; a new link remembers the user's Telegram language."""
    result = redeem_link_code(
        session, chat_id=chat_id, code=code, now=now, language=normalize_lang(language)
    )
    if result.outcome in ("linked", "relinked"):
        assert result.seller is not None
        result.seller.active = True
        return LinkReply(result.outcome, seller=result.seller.name)
    if result.outcome == "locked":
        assert result.locked_until is not None
        minutes = max(1, math.ceil((result.locked_until - now).total_seconds() / 60))
        return LinkReply("locked", minutes=minutes)
    return LinkReply(result.outcome)


def unlink_chat(session: Session, chat_id: int) -> bool:
    return unlink(session, chat_id)


def choose_language(session: Session, chat_id: int, lang: str) -> str:
    lang = normalize_lang(lang)
    set_language(session, chat_id, lang)
    return lang


def set_switch(
    session: Session, seller_id: int, *, alerts: bool | None, digest: bool | None
) -> Seller:
    """Turn the seller's alerts or morning digest on or off."""
    seller = session.get(Seller, seller_id)
    if seller is None:
        raise LookupError(f"no seller {seller_id}")
    if alerts is not None:
        seller.alerts_enabled = alerts
    if digest is not None:
        seller.digest_enabled = digest
    return seller
