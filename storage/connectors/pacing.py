"""Pacing of a store platform's calls, shared by everyone who calls with the same
application: every client of the process, and with PostgreSQL every process.

A platform limits calls per application (and per API): Naver Commerce 2 a second per
application and API, Search Ad about 10 a second per customer id. A seller's sync and
the inquiry loop may call with the same application at the same time, in different
worker processes, so the limit must be held where they all look: a client does not
build its own pacer but is given one, and waits on it before every call with a key
that names the platform, the application and the API (`naver:<client id>:<api>`,
`searchad:<customer id>`) and the platform's `Limit`.

| pacer | shared by | how |
| --- | --- | --- |
| `LocalPacer` (`LOCAL`) | the threads of one process (the embedded SQLite setup) | at most `calls` in any `seconds`, a window per key |
| `DatabasePacer` | every process on one PostgreSQL database (bot, workers) | a token bucket per key (storage.rate_buckets): one call every `seconds / calls`, burst 1 |

`pacer_for(settings)` picks one from the database URL; the connectors' factories
(`make_source`) pass it to their clients. The database pacer spaces calls evenly
(burst 1), so no `seconds` window ever holds more than `calls` of them, whichever
process sends them.

Shopify is not paced here: its limit is a cost bucket per shop and app that Shopify
reports with every answer, so the report already counts every caller's spending; the
client waits on it (storage.connectors.shopify.client), and only a shop's sync calls
Shopify, which runs in one place at a time (the queue's lock per seller).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from storage import rate_buckets
from storage.db import make_engine
from storage.settings import Settings


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `calls` calls in any `seconds` seconds."""

    calls: int
    seconds: float

    @property
    def rate(self) -> float:
        """Calls a second, on average."""
        return self.calls / self.seconds


class Pacer(Protocol):
    def wait(self, key: str, limit: Limit) -> None:
        """Return when a call of `key` may go (the call is counted)."""

    def empty(self, key: str, limit: Limit) -> None:
        """The platform refused a call as too many: the next call of `key` waits a
        whole window."""


class LocalPacer:
    """Windows in this process, shared by its threads: a caller reserves its slot
    under the lock and sleeps outside it."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock, self._sleep = clock, sleep
        self._sent: dict[str, deque[float]] = {}  # key -> times of its last `calls` calls
        self._lock = threading.Lock()

    def wait(self, key: str, limit: Limit) -> None:
        with self._lock:
            now = self._clock()
            sent = self._sent.setdefault(key, deque(maxlen=limit.calls))
            at = max(now, sent[0] + limit.seconds) if len(sent) == sent.maxlen else now
            sent.append(at)
        if at > now:
            self._sleep(at - now)

    def empty(self, key: str, limit: Limit) -> None:
        with self._lock:
            sent = self._sent.setdefault(key, deque(maxlen=limit.calls))
            last = max(self._clock(), sent[-1] if sent else 0.0)
            sent.extend([last] * limit.calls)


LOCAL = LocalPacer()
"""The process's pacer when the database is not PostgreSQL."""


class DatabasePacer:
    """Token buckets in the PostgreSQL database at `url` (table `advisor_rate_buckets`,
    created when missing); its own small engine, opened on the first call. The engine
    autocommits: a take is one `UPDATE`, a single round trip (in a transaction of its
    own it cost three: BEGIN, the UPDATE and COMMIT, before every platform call), and
    with `synchronous_commit` off it does not wait for the server to flush its log: a
    PostgreSQL crash may forget the last takes of a fraction of a second, which only
    lets a call or two go early once, while every take waited for a disk flush."""

    def __init__(self, url: str, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.url = url
        self._sleep = sleep
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def _connected(self) -> Engine:
        with self._lock:
            if self._engine is None:
                engine = make_engine(
                    self.url,
                    pool_size=2,
                    max_overflow=8,
                    isolation_level="AUTOCOMMIT",
                    connect_args={"options": "-c synchronous_commit=off"},
                )
                # in a transaction: the installer's advisory lock lasts until its commit
                with engine.connect().execution_options(
                    isolation_level="READ COMMITTED"
                ) as connection:
                    rate_buckets.install(connection)
                self._engine = engine
            return self._engine

    def wait(self, key: str, limit: Limit) -> None:
        engine = self._connected()
        while True:
            with engine.connect() as connection:
                seconds = rate_buckets.take(connection, key, rate=limit.rate, burst=1)
            if seconds <= 0:
                return
            self._sleep(seconds)

    def empty(self, key: str, limit: Limit) -> None:
        with self._connected().connect() as connection:
            rate_buckets.drain(connection, key)

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None


@lru_cache(maxsize=8)
def _database_pacer(url: str) -> DatabasePacer:
    return DatabasePacer(url)


def pacer_for(settings: Settings) -> Pacer:
    """The pacer every client of this process uses: one `DatabasePacer` per
    PostgreSQL database (so the bot and all workers share its buckets), else `LOCAL`."""
    url = settings.resolved_database_url
    if make_url(url).get_backend_name() == "postgresql":
        return _database_pacer(url)
    return LOCAL
