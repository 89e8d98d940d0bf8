"""The bot's background refresh (bot.customer_fit) fills the advisor's own fit cache:
after it, a seller who asked about customers gets the same answer as from a fresh
fit, without a fit in the question."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from bot.customer_fit import refresh_fits
from bot.services import Services
from storage.conversations import add_turn
from storage.db import session_factory
from storage.settings import Settings
from tests.test_fit_cache import NOW, _shop
from tools.advisor import Advisor
from tools.prompts import PromptStore


async def test_refresh_fits_the_askers_store_and_the_answer_is_a_fresh_fits(
    sqlite_engine: Engine,
) -> None:
    sessions = session_factory(sqlite_engine)
    store = _shop(sessions)
    with sessions.begin() as session:
        add_turn(
            session,
            chat_id=7,
            seller_id=store.id,
            question="단골 고객 알려줘",
            answer="…",
            mode="offline",
            tool_calls=[{"tool": "customer_report", "args": {"segment": "regulars"}}],
            at=NOW - dt.timedelta(days=2),
        )
    prompts = PromptStore()
    settings = Settings(openai_api_key=None)
    advisor, fresh = Advisor(sessions, settings, prompts), Advisor(sessions, settings, prompts)
    services = Services(settings=settings, sessions=sessions, advisor=advisor, prompts=prompts)
    try:
        assert await refresh_fits(services, now=NOW, seed=True) == [store.id]
        with sessions() as session:
            refreshed = advisor.fits.scored(session, store, NOW)
        later = NOW + dt.timedelta(minutes=3)
        answer = advisor.run(
            "customer_report", {"segment": "regulars"}, seller_id=store.id, now=later
        )
        assert fresh.fits.stores() == []
        expected = fresh.run(
            "customer_report", {"segment": "regulars"}, seller_id=store.id, now=later
        )
        assert answer.text == expected.text
        lines = answer.text.splitlines()
        assert lines[0] == "Your current regulars: 64 (from 260 customers who bought up to Jan 1)"
        assert lines[1].startswith("1. S188: 8 orders on 8 days · last Dec 20, 2024 ·")
        with sessions() as session:
            assert advisor.fits.scored(session, store, later) is refreshed
        # later runs keep it while the orders are unchanged
        assert await refresh_fits(services, now=later) == [store.id]
        with sessions() as session:
            assert advisor.fits.scored(session, store, later) is refreshed
    finally:
        advisor.close()
        fresh.close()
