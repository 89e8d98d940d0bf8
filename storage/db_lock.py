"""One bot process per SQLite file: an advisory lock on a file next to the database.

    with exclusive(settings.resolved_database_url, holder="advisor bot"):
        ...  # a second process asking for the same file gets DatabaseBusy

The lock is `flock` on `<database>.lock` (the holder writes its pid there for the
message the next one reads). The kernel drops it when the process ends, even by
kill -9, so a crash never leaves a stale lock to clean up. PostgreSQL needs none:
workers share it safely (outbox claims are compare-and-set, SKIP LOCKED).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

try:
    import fcntl
except ImportError:  # Windows: no flock; one process per file is then up to the operator
    fcntl = None  # type: ignore[assignment]

__all__ = ["DatabaseBusy", "exclusive", "lock_path"]


class DatabaseBusy(RuntimeError):
    """Another process holds the database's lock; the message says which and what to do."""


def lock_path(url: str) -> Path | None:
    """The lock file of a SQLite database file; None for PostgreSQL or in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    database = Path(str(parsed.database)).resolve()
    return database.with_name(f"{database.name}.lock")


@contextmanager
def exclusive(url: str, *, holder: str) -> Iterator[Path | None]:
    """Hold the database's lock for the block (nothing to hold: yields None)."""
    path = lock_path(url)
    if path is None or fcntl is None:
        yield None
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            other = handle.read().strip() or "another process"
            database = path.with_name(path.name.removesuffix(".lock"))
            raise DatabaseBusy(
                f"{other} is already running on {database} (lock file {path}); "
                "one process per SQLite file: stop it first, or use PostgreSQL "
                "(DATABASE_URL) for several workers"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{holder} (pid {os.getpid()})\n")
        handle.flush()
        try:
            yield path
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()
