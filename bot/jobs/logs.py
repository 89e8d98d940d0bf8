"""Structured logs for the queue's processes: one JSON object a line, with the job's
seller, kind and id on every line logged while the job runs.

    with job_fields(job_id=7, kind="sync", seller_id=42):
        log.info("synced")   # {"level": "INFO", ..., "job_id": 7, "kind": "sync", "seller_id": 42}

The fields live in a context variable, so they follow the job into the threads it
starts (`asyncio.to_thread` copies the context) and never leak into another job.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_FIELDS: ContextVar[dict[str, Any] | None] = ContextVar("job_fields", default=None)
# what procrastinate's own records carry in `extra`, copied when present
_EXTRA = ("action", "worker", "queues")


@contextmanager
def job_fields(**fields: Any) -> Iterator[None]:
    """Add `fields` to every record logged inside the block."""
    token = _FIELDS.set({**(_FIELDS.get() or {}), **fields})
    try:
        yield
    finally:
        _FIELDS.reset(token)


class JsonLines(logging.Formatter):
    """A record as one JSON object: time, level, logger, message, the job's fields."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "at": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update(_FIELDS.get() or {})
        job = getattr(record, "job", None)
        if isinstance(job, dict) and "id" in job:  # procrastinate's records
            data.setdefault("job_id", job["id"])
            data.setdefault("task", job.get("task_name"))
        for name in _EXTRA:
            if hasattr(record, name):
                data[name] = getattr(record, name)
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def configure(*, verbose: bool = False) -> None:
    """JSON lines on stderr for the whole process (`advisor worker`, `advisor scheduler`)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)
