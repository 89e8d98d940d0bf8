"""`advisor ask` and `advisor chat` through bot.cli.main on a hand-built store."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bot.cli import main
from bot.cli.chat import run_chat
from storage.db import session_factory
from storage.settings import Settings, get_settings
from tests.advisor_store import NOW, build_store
from tests.test_advisor import OCTOBER_KO, TODAY_KO
from tools.advisor import Advisor
from tools.prompts import PromptStore

PINNED = ["--seller", "shop", "--now", "2026-11-27T14:30"]


@pytest.fixture
def database(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    with session_factory(sqlite_engine)() as session:
        build_store(session)
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    get_settings.cache_clear()
    yield sqlite_engine
    get_settings.cache_clear()


def test_ask_json(database: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "오늘 매출 어때?", *PINNED, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == {"answer", "mode", "outcome", "calls"}
    assert printed["answer"] == TODAY_KO
    assert (printed["mode"], printed["outcome"]) == ("offline", "answered")
    [call] = printed["calls"]
    assert (call["tool"], call["args"]) == (
        "sales_report",
        {"start": "2026-11-27", "end": "2026-11-27"},
    )
    assert call["result"]["totals"]["revenue"] == 49_000


def test_ask_plain_text(database: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "How are sales today?", *PINNED]) == 0
    assert capsys.readouterr().out.startswith("Sales today (as of 14:30): 49,000원\n")


def test_ask_reads_one_question_per_line_in_one_chat(
    database: Engine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("오늘 매출 어때?\n\n그럼 지난달은?\n😀\n"))
    assert main(["ask", "-", *PINNED, "--chat", "9"]) == 0
    lines = capsys.readouterr().out.splitlines()
    answers = [json.loads(line) for line in lines]
    assert [a["answer"] for a in answers[:2]] == [TODAY_KO, OCTOBER_KO]
    assert answers[2]["calls"] == [] and answers[2]["answer"].startswith("죄송해요")


def test_ask_without_a_chat_has_no_memory(
    database: Engine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("오늘 매출 어때?\n그럼 지난달은?\n"))
    assert main(["ask", "-", *PINNED]) == 0
    second = json.loads(capsys.readouterr().out.splitlines()[1])
    assert second["calls"] == []


def test_unknown_seller_and_bad_clock_are_clean_errors(
    database: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "오늘 매출", "--seller", "nobody"]) == 2
    assert capsys.readouterr().err.startswith("advisor: no seller with slug 'nobody'")
    assert main(["ask", "오늘 매출", "--seller", "shop", "--now", "yesterday-ish"]) == 2
    assert "--now: not an ISO-8601" in capsys.readouterr().err


def test_terminal_chat_numbers_pick_and_trace(database: Engine) -> None:
    sessions = session_factory(database)
    advisor = Advisor(sessions, Settings(openai_api_key=None), PromptStore())
    typed = iter(["텀블러 요즘 어때?", "1", "exit"])
    shown: list[str] = []
    try:
        answered = run_chat(
            advisor,
            seller_id=1,
            chat_id=-1,
            trace=True,
            now=NOW,
            read=lambda _prompt: next(typed),
            write=shown.append,
        )
    finally:
        advisor.close()
    assert answered == 2
    assert shown[0].splitlines()[1:] == ["1. 스테인리스 텀블러 500ml", "2. 보온 텀블러 350ml"]
    assert shown[1].startswith("  · offline · clarify · no tool · ")
    assert shown[2].startswith("스테인리스 텀블러 500ml · 최근 7일(11월 20일~26일)")
    assert shown[3].startswith("  [1] 오늘  [2] 어제")
    assert shown[4] == "  (chart: 스테인리스 텀블러 500ml 판매 추이)"
    assert re.fullmatch(
        r'  · offline · answered · product_report \{"start": "2026-11-20", "end": "2026-11-26", '
        r'"product_id": 2\} · \d+ ms',
        shown[5],
    )


def test_terminal_chat_ends_on_ctrl_d(database: Engine) -> None:
    advisor = Advisor(session_factory(database), Settings(openai_api_key=None), PromptStore())

    def eof(_prompt: str) -> str:
        raise EOFError

    try:
        assert run_chat(advisor, seller_id=1, chat_id=-1, read=eof, write=lambda _: None) == 0
    finally:
        advisor.close()
