"""Conversation memory: the last turns of a chat, persisted so a restart keeps context."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import ConversationTurn, TurnOutcome


def add_turn(
    session: Session,
    *,
    chat_id: int,
    seller_id: int,
    question: str,
    answer: str,
    mode: str,
    tool_calls: list[dict[str, Any]],
    at: dt.datetime,
    outcome: TurnOutcome | None = None,
) -> ConversationTurn:
    """Store one turn; `outcome` is how it ended (None for turns stored before
    outcomes were recorded)."""
    turn = ConversationTurn(
        chat_id=chat_id,
        seller_id=seller_id,
        question=question,
        answer=answer,
        mode=mode,
        tool_calls=tool_calls,
        created_at=at,
        outcome=outcome,
    )
    session.add(turn)
    session.flush()
    return turn


def recent_turns(
    session: Session, *, chat_id: int, seller_id: int, limit: int = 6
) -> list[ConversationTurn]:
    """The chat's last `limit` turns with this seller, oldest first."""
    rows = session.scalars(
        select(ConversationTurn)
        .where(ConversationTurn.chat_id == chat_id, ConversationTurn.seller_id == seller_id)
        .order_by(ConversationTurn.id.desc())
        .limit(limit)
    )
    return list(reversed(list(rows)))


def turn_counts(session: Session, *, since: dt.datetime) -> dict[str, int]:
    """Questions answered since `since`, by mode (offline, llm, fallback)."""
    rows = session.execute(
        select(ConversationTurn.mode, func.count())
        .where(ConversationTurn.created_at >= since)
        .group_by(ConversationTurn.mode)
    )
    return {mode: count for mode, count in rows}
