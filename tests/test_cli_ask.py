"""`advisor ask` and `advisor chat` through bot.cli.main on a hand-built store."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.cli import main
from bot.cli.chat import run_chat
from storage.db import session_factory
from storage.models import ConversationTurn
from storage.settings import Settings, get_settings
from tests.advisor_store import NOW, build_store
from tests.test_advisor import OCTOBER_KO, TODAY_KO
from tools.advisor import Advisor
from tools.prompts import PromptStore

PINNED = ["--seller", "shop", "--now", "2026-11-27T14:30"]
ROOT = Path(__file__).resolve().parent.parent
NOT_UNDERSTOOD_EN = "Sorry, I'm not sure what you'd like to know. Try one of these:"


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
    assert capsys.readouterr().out.startswith("Sales today (as of 14:30): ₩49,000\n")


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


def test_terminal_chat_saves_the_chart_as_a_png_and_prints_its_path(
    database: Engine, tmp_path: Path
) -> None:
    advisor = Advisor(session_factory(database), Settings(openai_api_key=None), PromptStore())
    typed = iter(["스테인리스 텀블러 500ml 요즘 어때?", "exit"])
    shown: list[str] = []
    try:
        run_chat(advisor, seller_id=1, chat_id=-1, now=NOW, read=lambda _: next(typed),
                 write=shown.append, charts=tmp_path / "charts")  # fmt: skip
    finally:
        advisor.close()
    (line,) = [text for text in shown if text.startswith("  (chart:")]
    match = re.fullmatch(r"  \(chart: 스테인리스 텀블러 500ml 판매 추이 → (.+\.png)\)", line)
    assert match is not None, line
    png = Path(match[1])
    assert png.parent == tmp_path / "charts"
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_terminal_chat_ends_on_ctrl_d(database: Engine) -> None:
    advisor = Advisor(session_factory(database), Settings(openai_api_key=None), PromptStore())

    def eof(_prompt: str) -> str:
        raise EOFError

    try:
        assert run_chat(advisor, seller_id=1, chat_id=-1, read=eof, write=lambda _: None) == 0
    finally:
        advisor.close()


ADVISOR = "import sys; from bot.cli import main; sys.exit(main())"  # the `advisor` script


def _ask_bytes(database: Engine, question: bytes, chat: int) -> subprocess.CompletedProcess[str]:
    """`advisor ask` with raw bytes in argv, as a shell passes "$(printf '\\xbf\\xc0')"."""
    env = {
        **os.environ,
        "DATABASE_URL": database.url.render_as_string(hide_password=False),
        "LC_ALL": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
    }
    env.pop("OPENAI_API_KEY", None)
    command = [sys.executable.encode(), b"-c", ADVISOR.encode(), b"ask", question,
               *(arg.encode() for arg in PINNED), b"--chat", str(chat).encode(), b"--json"]  # fmt: skip
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, check=False, cwd=ROOT
    )


def _stored(database: Engine, chat: int) -> tuple[str, str]:
    with session_factory(database)() as session:
        turn = session.scalars(
            select(ConversationTurn).where(ConversationTurn.chat_id == chat)
        ).one()
        return turn.question, turn.answer


def test_ask_with_bytes_that_are_not_utf8_answers_politely_and_stores_the_turn(
    database: Engine,
) -> None:
    done = _ask_bytes(database, b"\xbf\xc0\xff\xfe...", chat=21)
    assert (done.returncode, done.stderr) == (0, "")
    printed = json.loads(done.stdout)
    assert (printed["mode"], printed["outcome"], printed["calls"]) == (
        "offline",
        "not_understood",
        [],
    )
    assert printed["answer"].splitlines()[0] == NOT_UNDERSTOOD_EN
    assert _stored(database, 21) == ("\ufffd\ufffd\ufffd\ufffd...", printed["answer"])


def test_ask_in_euc_kr_under_a_utf8_locale_is_read_as_korean(database: Engine) -> None:
    done = _ask_bytes(database, "오늘 매출 어때?".encode("cp949"), chat=22)
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["answer"] == TODAY_KO
    assert _stored(database, 22) == ("오늘 매출 어때?", TODAY_KO)


def test_stdin_with_bytes_that_are_not_utf8(
    database: Engine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO("오늘 매출 어때?\n".encode() + b"\xff\xfe\n"))
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["ask", "-", *PINNED]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["answer"] == TODAY_KO
    assert second["answer"].splitlines()[0] == NOT_UNDERSTOOD_EN
    assert second["outcome"] == "not_understood"


def test_terminal_chat_reads_bytes_that_are_not_utf8(database: Engine) -> None:
    settings = get_settings()
    advisor = Advisor(session_factory(database), settings, PromptStore(settings.prompts_dir))
    # as input() returns them from a terminal set to EUC-KR under a UTF-8 locale
    euc_kr = "오늘 매출 어때?".encode("cp949").decode("utf-8", "surrogateescape")
    typed = iter([euc_kr, "\udcff?"])
    written: list[str] = []

    def read(_prompt: str) -> str:
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    try:
        answered = run_chat(
            advisor, seller_id=1, chat_id=23, now=NOW, read=read, write=written.append
        )
    finally:
        advisor.close()
    assert answered == 2
    assert written[0] == TODAY_KO  # EUC-KR "오늘 매출" typed in a UTF-8 terminal
    # no letters: the chat's language (Korean) and the menu
    assert written[3].splitlines()[0] == "죄송해요, 무엇을 원하시는지 잘 모르겠어요."
    assert [q for q, _ in (_stored_all(database, 23))] == ["오늘 매출 어때?", "\ufffd?"]


def _stored_all(database: Engine, chat: int) -> list[tuple[str, str]]:
    with session_factory(database)() as session:
        turns = session.scalars(
            select(ConversationTurn)
            .where(ConversationTurn.chat_id == chat)
            .order_by(ConversationTurn.id)
        )
        return [(turn.question, turn.answer) for turn in turns]
