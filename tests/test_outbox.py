"""The alert outbox and conversation memory, on both backends."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.conversations import add_turn, recent_turns, turn_counts
from storage.models import Alert, AlertStatus, Seller
from storage.outbox import (
    claim_pending,
    count_alerts,
    deactivate_sellers,
    existing_keys,
    hold_pending,
    mark_failed,
    mark_skipped,
    open_alert,
    record_alert,
    waiting_sellers,
)
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
        assert open_alert(session, pending[0].id, [501])
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


def _statuses(session: Session) -> dict[str, AlertStatus]:
    rows = session.execute(select(Alert.dedupe_key, Alert.status).order_by(Alert.id))
    return {key: status for key, status in rows}


def test_every_status_change_is_one_small_function(session: Session) -> None:
    seoul = make_seller(session, "seoul")
    york = make_seller(session, "york", timezone="America/New_York")
    keys = ("a", "b", "c", "d", "e", "f")
    for key in keys:
        seller = york if key == "f" else seoul
        record_alert(session, seller_id=seller.id, kind="sales_drop_day", dedupe_key=key,
                     evidence={}, detected_at=NOW)  # fmt: skip
    ids = dict(session.execute(select(Alert.dedupe_key, Alert.id)).all())
    assert existing_keys(session, ["a", "f", "zz"]) == {"a", "f"}
    assert waiting_sellers(session) == {
        seoul.id: ZoneInfo("Asia/Seoul"),
        york.id: ZoneInfo("America/New_York"),
    }
    assert count_alerts(session, seoul.id, NOW, NOW + dt.timedelta(hours=1)) == 5
    assert count_alerts(session, seoul.id, NOW, NOW, except_kind="digest") == 0

    assert hold_pending(session, [york.id]) == 1
    assert hold_pending(session, []) == 0
    assert [open_alert(session, ids[key], [7]) for key in ("a", "b", "a")] == [True, True, False]
    mark_failed(session, ids["c"])
    mark_skipped(session, ids["e"])
    assert _statuses(session) == {
        "a": AlertStatus.SENDING, "b": AlertStatus.SENDING, "c": AlertStatus.FAILED,
        "d": AlertStatus.PENDING, "e": AlertStatus.SKIPPED, "f": AlertStatus.HELD,
    }  # fmt: skip
    assert [a.dedupe_key for a in claim_pending(session)] == ["d", "f"]  # held rows too
    # an open alert with a chat not tried yet still waits (the seller's quiet hours apply)
    assert waiting_sellers(session) == {
        seoul.id: ZoneInfo("Asia/Seoul"),
        york.id: ZoneInfo("America/New_York"),
    }

    deactivate_sellers(session, [york.id])
    session.expire_all()
    assert [s.active for s in session.scalars(select(Seller).order_by(Seller.id))] == [True, False]


def test_the_database_refuses_an_unknown_status(sqlite_engine: Engine) -> None:
    with sqlite_engine.begin() as connection:
        connection.execute(text("INSERT INTO sellers (slug, name, timezone, currency, active, "
                                "alerts_enabled, digest_enabled, created_at) VALUES "
                                "('s', 's', 'Asia/Seoul', 'KRW', 1, 1, 1, '2026-11-27')"))  # fmt: skip
        connection.execute(text("INSERT INTO alerts (seller_id, kind, dedupe_key, detected_at, "
                                "evidence, status) VALUES (1, 'x', 'k', '2026-11-27', '{}', "
                                "'pending')"))  # fmt: skip
    with pytest.raises(IntegrityError, match="ck_alerts_status"):
        with sqlite_engine.begin() as connection:
            connection.execute(text("UPDATE alerts SET status = 'lost'"))
    with sqlite_engine.connect() as connection:
        assert connection.execute(text("SELECT status FROM alerts")).scalar() == "pending"


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
