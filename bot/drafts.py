"""A model's answer streamed into a private chat while it is written (sendMessageDraft).

The advisor hears the answer as the model writes it, as far as the answer guard accepts
it (tools.drafts), and calls `offer(text)` from its worker thread. The stream sends the
latest text as a draft, at most one every `every` seconds (what came in between is
skipped: the newest text wins), all under one draft id so Telegram animates them into
one another. Leaving the block waits for a draft in flight, so the answer itself, sent
after it, always comes after the last draft. The first draft Telegram refuses ends the
stream; until a draft is shown (and after a refusal) the typing action is what the
seller sees (`showing` tells bot.replies.typing to pause).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from types import TracebackType

from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.telegram_text import split_plain

log = logging.getLogger(__name__)

DRAFT_EVERY = 0.3  # seconds between drafts


class DraftStream:
    def __init__(
        self, bot: ExtBot[None], chat_id: int, draft_id: int, every: float = DRAFT_EVERY
    ) -> None:
        self._bot = bot
        self._chat_id = chat_id
        self._draft_id = draft_id
        self._every = every
        self._loop = asyncio.get_running_loop()
        self._pending: str | None = None
        self._wake = asyncio.Event()
        self._closed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._refused = False
        self.sent = 0

    @property
    def showing(self) -> bool:
        """A draft is on screen (and drafts still work)."""
        return self.sent > 0 and not self._refused

    def offer(self, text: str) -> None:
        """The answer so far (plain text); from any thread."""
        with contextlib.suppress(RuntimeError):  # the loop is gone: so is the question
            self._loop.call_soon_threadsafe(self._take, text)

    def _take(self, text: str) -> None:
        if not self._closed.is_set():
            self._pending = text
            self._wake.set()

    async def __aenter__(self) -> DraftStream:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._closed.set()
        self._wake.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            text, self._pending = self._pending, None
            if self._closed.is_set():
                return
            if not text:
                continue
            try:
                await self._bot.send_message_draft(
                    self._chat_id, self._draft_id, split_plain(text)[0]
                )
            except TelegramError as error:
                log.info("chat %s: draft refused (%s); typing instead", self._chat_id, error)
                self._refused = True
                return
            self.sent += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closed.wait(), self._every)
