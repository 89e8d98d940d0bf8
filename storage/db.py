"""Engine and session construction, and schema migrations through Alembic.

Nothing here is module-level state: the composition root (CLI command, bot
`post_init`, test fixture) builds one engine and passes sessions down.

Every command and the bot start with `upgrade`; a database already at head is
recognised with one query against the scripts' revision lines read as text, so
Alembic (with Mako and Pygments, about 0.15 s to import) loads only to migrate.

A PostgreSQL engine pings a pooled connection before use only when it sat idle in
the pool for over `PING_AFTER_IDLE` seconds: a connection a PostgreSQL restart
dropped is replaced before anyone uses it (the server was down for longer than that),
while a busy worker's sessions, each back in the pool a moment before the next takes
it, skip the extra round trip (SQLAlchemy's `pool_pre_ping` paid it on every
checkout: a tenth of a soak worker's time, bench/soak.py).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# `revision = "0008"`, `down_revision = "0007"` (a tuple of ids for a merge, None for the first)
_REVISION_LINE = re.compile(r"^(revision|down_revision)\b[^=\n]*=(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")
PING_AFTER_IDLE = 1.0
"""Seconds a pooled PostgreSQL connection may sit idle and still be used unpinged."""


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Build an engine; SQLite gets WAL, foreign keys and its parent directory created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Ping a connection that sat in the pool for over PING_AFTER_IDLE before it is
    handed out; a dead one is replaced (the pool retries on DisconnectionError)."""

    @event.listens_for(engine, "checkin")
    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since <= PING_AFTER_IDLE:
            return  # new, or back in the pool a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(f"a pooled connection was dropped: {error}") from error


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (the latest by default)."""
    heads = head_revisions()
    if revision == "head" and heads and _stored_revisions(engine) == heads:
        return
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def head_revisions() -> set[str]:
    """The heads of the migration scripts: revisions no other script revises."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for name, value in _REVISION_LINE.findall(script.read_text(encoding="utf-8")):
            (revisions if name == "revision" else revised).update(_QUOTED.findall(value))
    return revisions - revised


def _stored_revisions(engine: Engine) -> set[str]:
    """The revisions in the database's alembic_version table; none without the table."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version"))
            return set(rows.scalars())
    except DBAPIError:  # an empty database: Alembic creates the table
        return set()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
