"""The alert outbox and conversation memory, on both backends."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.conversations import add_turn, recent_turns, turn_counts
from storage.models import Alert
from storage.outbox import claim_pending, mark_sent, record_alert
from tests.factories import make_seller

NOW = dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.UTC)


def test_same_incident_is_recorded_once_and_sent_once(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        seller = make_seller(session)
        seller_id = seller.id
        evidence = {"expected": 30, "actual": 12}
        assert record_alert(
            session,
            seller_id=seller_id,
            kind="sales_drop_day",
            dedupe_key="k1",
            evidence=evidence,
            detected_at=NOW,
        )
    with sessions.begin() as session:  # the next scan finds the same incident
        assert not record_alert(
            session,
            seller_id=seller_id,
            kind="sales_drop_day",
            dedupe_key="k1",
            evidence=evidence,
            detected_at=NOW,
        )
        assert session.scalar(select(func.count()).select_from(Alert)) == 1
    # a "restart" between record and send: the row is still pending and is claimed once
    with sessions.begin() as session:
        pending = claim_pending(session)
        assert [alert.dedupe_key for alert in pending] == ["k1"]
        assert pending[0].evidence == evidence
        mark_sent(session, pending[0].id, at=NOW)
    with sessions.begin() as session:
        assert claim_pending(session) == []


def test_skip_locked_hands_each_alert_to_one_worker(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    if engine.dialect.name != "postgresql":
        return  # SQLite serialises writers; the lock clause is PostgreSQL's
    with sessions.begin() as session:
        seller = make_seller(session)
        for key in ("a", "b"):
            record_alert(
                session, seller_id=seller.id, kind="x", dedupe_key=key, evidence={}, detected_at=NOW
            )
    first, second = sessions(), sessions()
    try:
        claimed_first = claim_pending(first, limit=1)
        claimed_second = claim_pending(second, limit=10)
        assert [a.dedupe_key for a in claimed_first] == ["a"]
        assert [a.dedupe_key for a in claimed_second] == ["b"]
    finally:
        first.rollback()
        second.rollback()
        first.close()
        second.close()


def test_recent_turns_keep_order_and_stay_per_chat(session: Session) -> None:
    seller = make_seller(session)
    for index in range(8):
        add_turn(
            session,
            chat_id=1,
            seller_id=seller.id,
            question=f"q{index}",
            answer=f"a{index}",
            mode="offline" if index % 2 else "llm",
            tool_calls=[],
            at=NOW + dt.timedelta(minutes=index),
        )
    add_turn(
        session,
        chat_id=2,
        seller_id=seller.id,
        question="other",
        answer="x",
        mode="fallback",
        tool_calls=[],
        at=NOW,
    )
    turns = recent_turns(session, chat_id=1, seller_id=seller.id, limit=3)
    assert [turn.question for turn in turns] == ["q5", "q6", "q7"]
    assert turn_counts(session, since=NOW) == {"offline": 4, "llm": 4, "fallback": 1}
