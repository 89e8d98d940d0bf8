"""What a cold `advisor` process loads: a sales question and `--help` start without the
heavy libraries the other features need, and the start-up migration check leaves
Alembic out while still migrating a database that is behind."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.cli import COMMANDS, build_parser
from storage.db import current_revision, head_revisions, make_engine, session_factory, upgrade
from tests.advisor_store import build_store
from tests.test_advisor import TODAY_KO

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("scipy", "pandas", "langchain", "langgraph", "chromadb", "matplotlib", "alembic")
# the `advisor` script, then the heavy libraries left in sys.modules, as the last line
PROBE = """
import json, sys
from bot.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
loaded = {name.partition(".")[0] for name in sys.modules}
print(json.dumps({"code": code, "loaded": sorted(loaded)}))
"""


@pytest.fixture
def shop(sqlite_engine: Engine) -> Iterator[dict[str, str]]:
    """The environment of a shell whose DATABASE_URL holds the hand-built store."""
    with session_factory(sqlite_engine)() as session:
        build_store(session)
    env = {**os.environ, "DATABASE_URL": sqlite_engine.url.render_as_string(hide_password=False)}
    env.pop("OPENAI_API_KEY", None)
    yield env


def _advisor(env: dict[str, str], *args: str) -> tuple[str, int, set[str]]:
    """(printed text, exit code, top-level packages loaded) of `advisor ARGS` in a new process."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    *printed, last = done.stdout.splitlines()
    probe = json.loads(last)
    return "\n".join(printed), probe["code"], set(probe["loaded"])


def _heavy(loaded: set[str]) -> list[str]:
    return sorted(name for name in loaded if name.startswith(HEAVY))


def test_a_sales_question_loads_no_heavy_library(shop: dict[str, str]) -> None:
    text, code, loaded = _advisor(
        shop, "ask", "오늘 매출 어때?", "--seller", "shop", "--now", "2026-11-27T14:30"
    )
    assert (text, code) == (TODAY_KO, 0)
    assert _heavy(loaded) == []


def test_help_loads_neither_the_database_nor_the_tools(shop: dict[str, str]) -> None:
    text, code, loaded = _advisor(shop, "--help")
    assert code == 0
    assert "ask" in text and "link-code" in text and "seed" in text
    assert _heavy(loaded) == []
    assert loaded.isdisjoint({"sqlalchemy", "pydantic", "storage", "tools", "analytics"})


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]  # noqa: SLF001
    return dict(action.choices)


@pytest.mark.parametrize("name", COMMANDS)
def test_the_command_run_is_registered_in_full_and_the_others_by_help(name: str) -> None:
    commands = _subcommands(build_parser({name}))
    assert list(commands) == list(COMMANDS)
    assert commands[name].description == COMMANDS[name].help  # its module's register()
    assert {other: sub.description for other, sub in commands.items() if other != name} == {
        other: None for other in COMMANDS if other != name
    }


def test_the_start_up_check_reads_the_head_alembic_would_compute(tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path / 'any.db'}")
    scripts = ScriptDirectory.from_config(alembic_config(engine))
    assert head_revisions() == set(scripts.get_heads())


def test_a_database_behind_head_is_migrated_at_start_up(tmp_path: Path) -> None:
    [head] = head_revisions()
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0007")
    assert current_revision(engine) == "0007"
    upgrade(engine)
    assert current_revision(engine) == head
    upgrade(engine)  # at head: nothing to do
    assert current_revision(engine) == head
