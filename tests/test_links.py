"""Link codes: hashed, 24-hour, single use; five wrong codes in ten minutes lock a chat."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.links import create_link_code, linked_seller, redeem_link_code, unlink
from storage.models import LinkCode
from tests.factories import make_seller

NOW = dt.datetime(2026, 11, 27, 5, 0, tzinfo=dt.UTC)


def test_code_links_once_and_is_stored_hashed(session: Session) -> None:
    seller = make_seller(session, "demo")
    code = create_link_code(session, seller, now=NOW)
    stored = session.scalar(select(LinkCode))
    assert stored is not None and code.replace("-", "") not in stored.code_hash
    assert redeem_link_code(session, chat_id=100, code=code.lower(), now=NOW).outcome == "linked"
    assert linked_seller(session, 100) == seller
    assert redeem_link_code(session, chat_id=200, code=code, now=NOW).outcome == "used"
    assert linked_seller(session, 200) is None
    assert unlink(session, 100) is True
    assert linked_seller(session, 100) is None


def test_expired_and_wrong_codes(session: Session) -> None:
    seller = make_seller(session, "demo")
    code = create_link_code(session, seller, now=NOW)
    later = NOW + dt.timedelta(hours=24, seconds=1)
    assert redeem_link_code(session, chat_id=100, code=code, now=later).outcome == "expired"
    assert redeem_link_code(session, chat_id=100, code="NOPE-NOPE", now=NOW).outcome == "invalid"


def test_five_wrong_codes_in_ten_minutes_lock_the_chat_for_an_hour(session: Session) -> None:
    seller = make_seller(session, "demo")
    good = create_link_code(session, seller, now=NOW)
    outcomes = [
        redeem_link_code(
            session, chat_id=7, code=f"BAD{i}", now=NOW + dt.timedelta(minutes=2 * i)
        ).outcome
        for i in range(5)
    ]
    assert outcomes == ["invalid", "invalid", "invalid", "invalid", "locked"]
    last_failure = NOW + dt.timedelta(minutes=8)
    locked = redeem_link_code(
        session, chat_id=7, code=good, now=last_failure + dt.timedelta(minutes=59)
    )
    assert locked.outcome == "locked"
    assert locked.locked_until == last_failure + dt.timedelta(hours=1)
    # another chat is not affected, and the good code still works after the hour
    assert (
        redeem_link_code(
            session, chat_id=7, code=good, now=last_failure + dt.timedelta(minutes=61)
        ).outcome
        == "linked"
    )


def test_spread_out_failures_do_not_lock(session: Session) -> None:
    make_seller(session, "demo")
    outcomes = [
        redeem_link_code(
            session, chat_id=8, code="BAD", now=NOW + dt.timedelta(minutes=3 * i)
        ).outcome
        for i in range(6)
    ]
    assert "locked" not in outcomes
