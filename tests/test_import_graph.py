"""What a cold `advisor` process loads: a sales question and `--help` start without the
heavy libraries the other features need, a sales question loads its own tool and
none of the others (nor the nudges, the outbox, the vector index or the PostgreSQL
dialect on SQLite), and the start-up migration check leaves Alembic out while still
migrating a database that is behind."""

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
from tools.catalog import CATALOG, Entry, entry

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("scipy", "pandas", "langchain", "langgraph", "chromadb", "matplotlib", "alembic")
# what a sales question needs besides its tool: the model path's answer guard and
# agent, the vector index, the nudges and their outbox, and on SQLite no PostgreSQL
NOT_FOR_SALES = (
    "tools.agent",
    "tools.guard",
    "tools.retrieval",
    "tools.nudges",
    "storage.outbox",
    "storage.vector",
    "sqlalchemy.dialects.postgresql",
)
# the `advisor` script, then the modules left in sys.modules, as the last line
PROBE = """
import json, sys
from bot.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "loaded": sorted(sys.modules)}))
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
    """(printed text, exit code, modules loaded) of `advisor ARGS` in a new process."""
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


def _packages(loaded: set[str]) -> set[str]:
    return {name.partition(".")[0] for name in loaded}


def _heavy(loaded: set[str]) -> list[str]:
    return sorted(name for name in _packages(loaded) if name.startswith(HEAVY))


def _within(loaded: set[str], prefixes: tuple[str, ...]) -> list[str]:
    """The loaded modules that are one of `prefixes` or inside one."""
    return sorted(
        name for name in loaded if any(name == p or name.startswith(f"{p}.") for p in prefixes)
    )


def _tools(loaded: set[str]) -> list[str]:
    """The tool modules of the catalogue that were imported."""
    return [name for name in _within(loaded, ("tools.catalog",)) if name.split(".")[-1] in CATALOG]


def test_a_sales_question_loads_its_tool_and_no_heavy_library(shop: dict[str, str]) -> None:
    text, code, loaded = _advisor(
        shop, "ask", "오늘 매출 어때?", "--seller", "shop", "--now", "2026-11-27T14:30"
    )
    assert (text, code) == (TODAY_KO, 0)
    assert _heavy(loaded) == []
    assert _tools(loaded) == ["tools.catalog.sales_report"]
    assert _within(loaded, NOT_FOR_SALES) == []


def test_a_product_question_loads_the_product_tool_only(shop: dict[str, str]) -> None:
    """The router weighs the product tools for every question (catalogue `entry`),
    which imports none of them; the one that answers is imported to run."""
    text, code, loaded = _advisor(
        shop,
        "ask",
        "스테인리스 텀블러 어제 얼마나 팔렸어?",
        "--seller",
        "shop",
        "--now",
        "2026-11-27T14:30",
    )
    assert code == 0, text
    assert _tools(loaded) == ["tools.catalog.product_report"]
    assert _within(loaded, NOT_FOR_SALES) == []


@pytest.mark.parametrize("name", list(CATALOG))
def test_the_catalogue_index_agrees_with_the_tool(name: str) -> None:
    """What the catalogue tells about a tool before importing it is what the tool says."""
    tool = CATALOG[name]
    assert tool.name == name
    assert entry(name) == Entry(
        type(tool).__name__, entity=tool.entity, free_text=tool.free_text, retrieval=tool.retrieval
    )


def test_help_loads_neither_the_database_nor_the_tools(shop: dict[str, str]) -> None:
    text, code, loaded = _advisor(shop, "--help")
    assert code == 0
    assert "ask" in text and "link-code" in text and "seed" in text
    assert _heavy(loaded) == []
    assert _packages(loaded).isdisjoint({"sqlalchemy", "pydantic", "storage", "tools", "analytics"})


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


def test_the_nudges_package_loads_a_module_when_one_of_its_names_is_used() -> None:
    """tools.nudges imports its own modules as their names are first used (the alerts
    report needs the outbox's alerts, not the delivery or the scan), and every name
    it exports is there."""
    probe = (
        "import json, sys, tools.nudges as n; before = set(sys.modules); n.OutboxAlert; "
        "print(json.dumps(sorted(m for m in set(sys.modules) - before if 'nudges' in m)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == ["tools.nudges._evidence", "tools.nudges._outbox_alerts"]
    import tools.nudges

    assert [name for name in tools.nudges.__all__ if not hasattr(tools.nudges, name)] == []
