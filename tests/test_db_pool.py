"""The PostgreSQL pool: a connection the server dropped while it sat in the pool (a
restart of PostgreSQL) is replaced before use."""

from __future__ import annotations

import time

from sqlalchemy import Engine, create_engine, text

from storage.db import PING_AFTER_IDLE, make_engine
from tests.conftest import PG_ADMIN_URL


def _backend(connection_url: str) -> tuple[Engine, int]:
    engine = make_engine(connection_url, pool_size=1, max_overflow=0)
    with engine.connect() as connection:
        pid = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
    return engine, pid


def _terminate(pid: int) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def test_a_connection_the_server_dropped_while_idle_is_replaced_before_use(pg_url: str) -> None:
    engine, pid = _backend(pg_url)
    _terminate(pid)  # what a PostgreSQL restart does to every pooled connection
    time.sleep(PING_AFTER_IDLE + 0.2)
    with engine.connect() as connection:  # pinged: idle for longer than PING_AFTER_IDLE
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    engine.dispose()
