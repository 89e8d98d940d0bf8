"""With JOBS=queue a worker refreshes a store's customer fit (`advisor:fit`, the same
`refresh_fits` as the embedded bot's job) and the bot that answers is another
process: the fitted parameters reach it through PostgreSQL (tools.fit_cache,
storage.customer_fits), and its answer has exactly the figures of a fresh fit,
without fitting again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from analytics.clv import CustomerReport, customer_report
from bot.customer_fit import refresh_fits
from bot.jobs import install_schema
from bot.services import Services
from storage.db import make_engine, session_factory
from storage.settings import Settings
from tests.conftest import pg_database
from tests.test_fit_cache import NOW, _shop
from tools.advisor import Advisor
from tools.fit_cache import FitCache
from tools.prompts import PromptStore


@pytest.fixture
def pg_sessions() -> Iterator[sessionmaker[Session]]:
    for url in pg_database("advisor_fit"):
        install_schema(url)
        engine = make_engine(url)
        try:
            yield session_factory(engine)
        finally:
            engine.dispose()


def _saved(sessions: sessionmaker[Session], seller_id: int) -> tuple[str, dt.datetime] | None:
    with sessions() as session:
        row = session.execute(
            text("SELECT params, fitted_at FROM advisor_customer_fits WHERE seller_id = :s"),
            {"s": seller_id},
        ).first()
    return None if row is None else (row.params, row.fitted_at)


async def test_a_workers_fit_is_what_the_bots_answer_uses(
    pg_sessions: sessionmaker[Session],
) -> None:
    sessions = pg_sessions
    store = _shop(sessions)
    prompts, settings = PromptStore(), Settings(openai_api_key=None)
    worker, bot = Advisor(sessions, settings, prompts), Advisor(sessions, settings, prompts)
    services = Services(settings=settings, sessions=sessions, advisor=worker, prompts=prompts)
    try:
        # the worker's job for this seller
        assert await refresh_fits(services, now=NOW, seller_ids=[store.id]) == [store.id]
        saved = _saved(sessions, store.id)
        assert saved is not None
        assert worker.fits.stores() == []  # a worker keeps no fit in memory

        later = NOW + dt.timedelta(minutes=3)  # the same hour, the same orders
        answer = bot.run("customer_report", {"segment": "regulars"}, seller_id=store.id, now=later)
        lines = answer.text.splitlines()
        assert lines[0] == "Your current regulars: 64 (from 260 customers who bought up to Jan 1)"
        assert lines[1].startswith("1. S188: 8 orders on 8 days · last Dec 20, 2024 ·")
        assert _saved(sessions, store.id) == saved  # the bot fitted nothing (no new save)

        with sessions() as session:
            as_of = FitCache.calibration_end(later)
            kept = bot.fits.scored(session, store, later)
            used = customer_report(
                session, store, as_of=as_of, segment="regulars", limit=50, scored_store=kept
            )
            fresh = customer_report(session, store, as_of=as_of, segment="regulars", limit=50)
        assert isinstance(used, CustomerReport)
        assert used == fresh  # every figure: parameters, counts, each customer's outlook
        assert used.bgnbd.r == fresh.bgnbd.r  # bit for bit, not merely close
        # the worker's next run finds the saved fit current and leaves it
        assert await refresh_fits(services, now=later, seller_ids=[store.id]) == [store.id]
        assert _saved(sessions, store.id) == saved
    finally:
        worker.close()
        bot.close()
