"""Shared fixtures: databases on SQLite and PostgreSQL, migrated by Alembic.

`engine` is parametrized over both backends. PostgreSQL runs against
127.0.0.1:5432 (user postgres) in a throwaway database created for this run
and dropped after; where it is unreachable those cases are skipped with the
reason printed in the summary (-ra).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, session_factory, upgrade
from storage.models import Base

# The Telegram Bot API emulator fixtures (telegram_emulator, telegram): tests/telegram.py.
pytest_plugins = ["tests.telegram"]


@pytest.fixture(scope="session", autouse=True)
def _local_state_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Settings() built by any test keep local state (the vector index) in a temp
    folder, never in ./data, embed offline, and use no Chroma server."""
    from storage.settings import get_settings

    patch = pytest.MonkeyPatch()
    patch.setenv("DATA_DIR", str(tmp_path_factory.mktemp("data")))
    patch.setenv("EMBEDDING", "hashing")
    patch.delenv("CHROMA_URL", raising=False)
    get_settings.cache_clear()
    yield
    patch.undo()
    get_settings.cache_clear()


PG_ADMIN_URL = os.environ.get(
    "TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def pg_database(prefix: str = "advisor_test") -> Iterator[str]:
    """A throwaway PostgreSQL database, migrated (skips the test where the server is
    unreachable); dropped after. For fixtures: `yield from pg_database()`."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(
            PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server means skip
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 unreachable: {exc.__class__.__name__}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    yield from pg_database()


def _sqlite_engine(template: Path, tmp_path: Path) -> Engine:
    path = tmp_path / "store.db"
    shutil.copyfile(template, path)
    return make_engine(f"sqlite:///{path}")


@pytest.fixture
def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    engine = _sqlite_engine(sqlite_template, tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url)
    yield engine
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """A migrated, empty database on each backend."""
    return request.getfixturevalue(f"{'sqlite' if request.param == 'sqlite' else 'pg'}_engine")


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session
