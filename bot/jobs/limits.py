"""Telegram's overall send rate, held across every worker: a token bucket in PostgreSQL.

Each worker's Bot (and the bot's, with JOBS=queue) goes through `SharedRateLimiter`: a message (any `send*`, `edit*`,
`copy*`, `forward*` call) first takes a token from the database's "telegram" bucket
(storage.rate_buckets: `BotOptions.max_rate` a second after a burst of
`BotOptions.burst`, for all workers together), then goes through python-telegram-bot's
AIORateLimiter for the per-group limits and its RetryAfter retries.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy import Engine
from telegram._utils.types import JSONDict
from telegram.ext import AIORateLimiter, BaseRateLimiter

from bot.services import BotOptions
from storage.db import make_engine
from storage.rate_buckets import take
from storage.settings import Settings

BUCKET = "telegram"
_LIMITED = ("send", "edit", "copy", "forward")


class SharedRateLimiter(BaseRateLimiter[int]):
    """The shared bucket, then AIORateLimiter; its own two database connections."""

    def __init__(self, url: str, *, rate: float, burst: int, max_retries: int) -> None:
        self._url = url
        self._engine: Engine | None = None
        self._rate, self._burst = rate, burst
        self._inner = AIORateLimiter(overall_max_rate=0, max_retries=max_retries)

    @classmethod
    def of(cls, settings: Settings, options: BotOptions) -> SharedRateLimiter:
        return cls(
            settings.resolved_database_url,
            rate=options.max_rate,
            burst=options.burst,
            max_retries=options.max_retries,
        )

    async def initialize(self) -> None:
        self._engine = make_engine(self._url, pool_size=2, max_overflow=0)
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()
        if self._engine is not None:
            self._engine.dispose()

    def _take(self) -> float:
        assert self._engine is not None, "initialize() first"
        with self._engine.connect() as connection:
            return take(connection, BUCKET, rate=self._rate, burst=self._burst)

    async def acquire(self) -> None:
        """Wait for a token of the shared bucket."""
        while True:
            wait = await asyncio.to_thread(self._take)
            if wait <= 0:
                return
            await asyncio.sleep(wait)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if endpoint.startswith(_LIMITED):
            await self.acquire()
        return await self._inner.process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
