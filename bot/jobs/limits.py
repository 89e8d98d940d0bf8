"""Telegram's overall send rate, held across every worker: a token bucket in PostgreSQL.

Each worker's Bot goes through `SharedRateLimiter`: a message (any `send*`, `edit*`,
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

from storage.rate_buckets import take

BUCKET = "telegram"
_LIMITED = ("send", "edit", "copy", "forward")


class SharedRateLimiter(BaseRateLimiter[int]):
    def __init__(self, engine: Engine, *, rate: float, burst: int, max_retries: int) -> None:
        self._engine = engine
        self._rate, self._burst = rate, burst
        self._inner = AIORateLimiter(overall_max_rate=0, max_retries=max_retries)

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    def _take(self) -> float:
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
