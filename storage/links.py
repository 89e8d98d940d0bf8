"""Chat ↔ seller links and one-time link codes.

A code is shown once to the operator and stored only as a SHA-256 hash; it is
valid for 24 hours and can be used once. Five wrong codes in ten minutes from
one chat lock that chat out of linking for an hour.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.models import ChatLink, LinkCode, LinkFailure, Seller

CODE_TTL = dt.timedelta(hours=24)
LOCK_WINDOW = dt.timedelta(minutes=10)
LOCK_AFTER_FAILURES = 5
LOCK_DURATION = dt.timedelta(hours=1)
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed safely

LinkOutcome = Literal["linked", "relinked", "invalid", "expired", "used", "locked"]


@dataclass(frozen=True, slots=True)
class LinkResult:
    outcome: LinkOutcome
    seller: Seller | None = None
    locked_until: dt.datetime | None = None


def _hash(code: str) -> str:
    normalized = "".join(code.split()).upper().replace("-", "")
    return hashlib.sha256(normalized.encode()).hexdigest()


def create_link_code(session: Session, seller: Seller, *, now: dt.datetime) -> str:
    """A new one-time code for `seller` (e.g. ``K7QX-M2PA``); only its hash is stored."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    session.add(LinkCode(seller_id=seller.id, code_hash=_hash(raw), expires_at=now + CODE_TTL))
    session.flush()
    return f"{raw[:4]}-{raw[4:]}"


def locked_until(session: Session, chat_id: int, *, now: dt.datetime) -> dt.datetime | None:
    """When the chat's lockout ends, if five failures fall within ten minutes of each other
    and the last of them is less than an hour ago."""
    recent = list(
        session.scalars(
            select(LinkFailure.attempted_at)
            .where(
                LinkFailure.chat_id == chat_id,
                LinkFailure.attempted_at > now - LOCK_DURATION - LOCK_WINDOW,
            )
            .order_by(LinkFailure.attempted_at)
        )
    )
    for index in range(len(recent) - LOCK_AFTER_FAILURES + 1):
        window = recent[index : index + LOCK_AFTER_FAILURES]
        if window[-1] - window[0] <= LOCK_WINDOW and window[-1] + LOCK_DURATION > now:
            return window[-1] + LOCK_DURATION
    return None


def redeem_link_code(
    session: Session, *, chat_id: int, code: str, now: dt.datetime, language: str | None = None
) -> LinkResult:
    """Link `chat_id` to the code's seller; the caller owns the transaction."""
    until = locked_until(session, chat_id, now=now)
    if until is not None:
        return LinkResult("locked", locked_until=until)
    link_code = session.scalar(select(LinkCode).where(LinkCode.code_hash == _hash(code)))
    if link_code is None or link_code.used_at is not None or link_code.expires_at <= now:
        session.add(LinkFailure(chat_id=chat_id, attempted_at=now))
        session.flush()
        until = locked_until(session, chat_id, now=now)
        if until is not None:
            return LinkResult("locked", locked_until=until)
        if link_code is None:
            return LinkResult("invalid")
        return LinkResult("used" if link_code.used_at is not None else "expired")
    link_code.used_at = now
    link_code.used_by_chat_id = chat_id
    seller = session.get(Seller, link_code.seller_id)
    existing = session.scalar(select(ChatLink).where(ChatLink.chat_id == chat_id))
    if existing is not None:
        existing.seller_id = link_code.seller_id
        if language:
            existing.language = language
        outcome: LinkOutcome = "relinked"
    else:
        session.add(ChatLink(chat_id=chat_id, seller_id=link_code.seller_id, language=language))
        outcome = "linked"
    session.execute(delete(LinkFailure).where(LinkFailure.chat_id == chat_id))
    session.flush()
    return LinkResult(outcome, seller=seller)


def linked_seller(session: Session, chat_id: int) -> Seller | None:
    """The seller bound to this chat, or None for an unlinked chat."""
    return session.scalar(
        select(Seller)
        .join(ChatLink, ChatLink.seller_id == Seller.id)
        .where(ChatLink.chat_id == chat_id)
    )


def chat_link(session: Session, chat_id: int) -> ChatLink | None:
    return session.scalar(select(ChatLink).where(ChatLink.chat_id == chat_id))


def unlink(session: Session, chat_id: int) -> bool:
    result = session.execute(delete(ChatLink).where(ChatLink.chat_id == chat_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def set_language(session: Session, chat_id: int, language: str) -> None:
    link = chat_link(session, chat_id)
    if link is not None:
        link.language = language


def linked_chats(session: Session) -> list[tuple[int, Seller]]:
    """Every (chat_id, seller) pair of active sellers, for the alert scan."""
    rows = session.execute(
        select(ChatLink.chat_id, Seller)
        .join(Seller, ChatLink.seller_id == Seller.id)
        .where(Seller.active.is_(True))
        .order_by(ChatLink.chat_id)
    )
    return [(chat_id, seller) for chat_id, seller in rows]


def count_links(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ChatLink)) or 0
