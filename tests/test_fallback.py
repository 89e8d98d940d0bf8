"""A model that never answers: the turn's deadline covers the whole turn (issue 13 §6).

The deadline (`llm_timeout_seconds`) counts from the question and covers building the
agent (the LangChain import on a cold start) as well as the model's reply. Tests assert
the answer and where the work ran, never a time; bench/fallback.py prints the figures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

import tools.agent
from storage.db import session_factory
from storage.models import ConversationTurn
from storage.settings import Settings
from tests.advisor_store import NOW, build_store
from tests.openai_stub import OpenAIStub, Reply, running_stub
from tests.test_advisor import TODAY_KO
from tools.advisor import Advisor
from tools.prompts import PromptStore

ROOT = Path(__file__).resolve().parent.parent
SHOP = 1
LATE_KO = "(AI 답변이 늦어져 기본 분석으로 답해 드려요.)\n"
ADVISOR = "import sys; from bot.cli import main; sys.exit(main())"  # the `advisor` script
NEVER = 3600.0  # seconds the stub sits on a request: it never answers within a test


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    yield from running_stub()


@pytest.fixture
def sessions(sqlite_engine: Engine) -> sessionmaker[Session]:
    factory = session_factory(sqlite_engine)
    with factory() as session:
        build_store(session)
    return factory


def _settings(stub: OpenAIStub, timeout: float) -> Settings:
    return Settings(
        openai_api_key="sk-test",
        openai_base_url=stub.base_url,
        openai_model="stub-model",
        llm_timeout_seconds=timeout,
    )


def test_building_the_agent_runs_inside_the_deadline_guarded_call(
    sessions: sessionmaker[Session], stub: OpenAIStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The agent is built (LangChain imported) on the advisor's workers, never on the
    asking thread: a build that does not finish leaves the question its offline answer."""
    release = threading.Event()
    built_on: list[str] = []
    build = tools.agent.Agent.__init__

    def stuck_build(self: tools.agent.Agent, *args: Any) -> None:
        built_on.append(threading.current_thread().name)
        release.wait(60)
        build(self, *args)

    monkeypatch.setattr(tools.agent.Agent, "__init__", stuck_build)
    advisor = Advisor(sessions, _settings(stub, 0.5), PromptStore())
    try:
        answer = advisor.ask("오늘 매출 어때?", seller_id=SHOP, chat_id=3, now=NOW)
        asker = threading.current_thread().name
    finally:
        release.set()
        advisor.close()
    assert (answer.mode, answer.text) == ("fallback", LATE_KO + TODAY_KO)
    assert [c.tool for c in answer.calls] == ["sales_report"]
    assert built_on == ["advisor-llm_0"] and asker not in built_on
    assert stub.requests == []  # the model was never reached, and the seller has an answer


def test_every_question_of_a_crowd_gets_the_offline_answer_from_a_hanging_model(
    sessions: sessionmaker[Session], stub: OpenAIStub
) -> None:
    """More questions than model workers (32): the ones queued behind busy workers are
    answered at their deadline too."""
    stub.queue(*[Reply(delay=NEVER, content="late") for _ in range(48)])
    advisor = Advisor(sessions, _settings(stub, 1.0), PromptStore())
    answers: list[Any] = [None] * 40
    try:

        def ask(number: int) -> None:
            answers[number] = advisor.ask("오늘 매출 어때?", seller_id=SHOP, now=NOW)

        threads = [threading.Thread(target=ask, args=(n,)) for n in range(40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        advisor.close()
    assert {(a.mode, a.text) for a in answers} == {("fallback", LATE_KO + TODAY_KO)}


def test_advisor_ask_on_a_cold_start_answers_offline_and_stores_the_turn(
    sqlite_engine: Engine, stub: OpenAIStub, tmp_path: Path
) -> None:
    """`advisor ask` in a fresh interpreter (LangChain not imported yet) against a model
    that never answers: the offline answer, the turn stored as a fallback, and the
    process ends (abandoned calls run on daemon threads)."""
    with session_factory(sqlite_engine)() as session:
        build_store(session)
    stub.queue(*[Reply(delay=NEVER, content="late") for _ in range(4)])
    env = {
        **os.environ,
        "DATABASE_URL": sqlite_engine.url.render_as_string(hide_password=False),
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": stub.base_url,
        "OPENAI_MODEL": "stub-model",
        "LLM_TIMEOUT_SECONDS": "2",
        "DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-c", ADVISOR, "ask", "오늘 매출 어때?", "--seller", "shop",
         "--now", "2026-11-27T14:30", "--chat", "8", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stderr.count("Traceback")) == (0, 0), done.stderr
    printed = json.loads(done.stdout)
    assert (printed["answer"], printed["mode"]) == (LATE_KO + TODAY_KO, "offline")
    with session_factory(sqlite_engine)() as session:
        turn = session.scalars(select(ConversationTurn).where(ConversationTurn.chat_id == 8)).one()
    assert (turn.question, turn.mode, turn.answer) == (
        "오늘 매출 어때?",
        "fallback",
        printed["answer"],
    )
