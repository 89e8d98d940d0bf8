"""`advisor link-code` and `advisor bot` at the command line."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from storage.db import make_engine, session_factory
from storage.links import redeem_link_code
from storage.models import LinkCode
from storage.settings import get_settings


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_link_code_prints_a_code_that_links_once(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seller", "add", "moon", "--name", "달빛상회"]) == 0
    capsys.readouterr()
    assert main(["link-code", "--seller", "moon", "--bot", "@store_advisor_bot"]) == 0
    out = capsys.readouterr().out.splitlines()

    match = re.fullmatch(r"link code for 달빛상회: ([A-Z2-9]{4}-[A-Z2-9]{4})", out[0])
    assert match is not None
    code = match[1]
    valid = re.fullmatch(
        r"valid until (\S+ \S+) Asia/Seoul \((\S+ \S+) UTC\), once\. "
        rf"In Telegram, send the bot: /link {code}",
        out[1],
    )
    assert valid is not None  # the seller's local time first (Seoul is UTC+9), then UTC
    local, utc = (dt.datetime.strptime(text, "%Y-%m-%d %H:%M") for text in valid.groups())
    assert local - utc == dt.timedelta(hours=9)
    expected = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=24)
    assert abs(utc - expected) < dt.timedelta(minutes=2)
    assert out[2] == f"or open: https://t.me/store_advisor_bot?start={code}"
    engine = make_engine(cli_db)
    with session_factory(engine).begin() as session:
        (stored,) = session.scalars(select(LinkCode))
        assert code not in stored.code_hash  # only the hash is kept
        now = dt.datetime.now(dt.UTC)
        assert redeem_link_code(session, chat_id=7, code=code, now=now).outcome == "linked"
        assert redeem_link_code(session, chat_id=8, code=code, now=now).outcome == "used"
    engine.dispose()


def test_link_code_for_an_unknown_seller_is_a_clean_error(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seller", "add", "moon"]) == 0
    assert main(["link-code", "--seller", "nobody"]) == 2
    assert capsys.readouterr().err == "advisor: no seller with slug 'nobody'\n"


def test_a_database_without_sellers_says_which_and_how_to_fill_it(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "지난주 베스트 5", "--seller", "demo"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "advisor: no sellers in this database yet (asked for 'demo')",
        f"  database: {cli_db} (DATABASE_URL, from the environment or .env)",
        "  demo store: make demo (or .venv/bin/advisor seed)",
        "  your own store: .venv/bin/advisor seller add SLUG, "
        "then .venv/bin/advisor import orders FILE.csv --seller SLUG",
    ]


def test_bot_without_a_token_says_what_to_set(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bot"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "advisor: TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather "
        "and put its token in .env\n"
    )
    assert main(["bot", "--quiet-hours", "22"]) == 2
    assert "--quiet-hours takes START-END hours" in capsys.readouterr().err
