"""A model's answer shown while it is written, only as far as the answer guard accepts it.

The agent streams the answer's text (tools.agent `on_text`); a front end shows it as a
draft (Telegram's sendMessageDraft). A draft never shows a figure the finished answer
could not: each one is the text up to its last finished word, checked by the answer
guard against the tool calls made so far, and a text the guard refuses is not shown
(the next one that passes is). The guard reads the whole text each time, so it runs at
most once every CHECK_EVERY seconds (a front end shows drafts no faster; what comes in
between waits for the next token). Once the turn is over (`close`), nothing more is
shown, even from a model call abandoned at the deadline that keeps writing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from tools.guard import check_answer

if TYPE_CHECKING:
    from tools.agent import AgentCall

log = logging.getLogger(__name__)

CHECK_EVERY = 0.25  # seconds between guard checks of the growing text

Show = Callable[[str], None]
"""Shows a draft (plain text); called on the model's worker thread."""


def settled(text: str) -> str:
    """`text` without the word still being written (all of it when it ends with a space)."""
    if not text or text[-1].isspace():
        return text.rstrip()
    cut = max(text.rfind(" "), text.rfind("\n"))
    return text[:cut].rstrip() if cut > 0 else ""


class DraftGate:
    """Passes the streamed text to `show` when the guard accepts it (see the module
    docstring). `sources` gives the guard's sources for the calls made so far; `plain`
    makes the text the seller sees (markup dropped), as the finished answer gets it."""

    def __init__(
        self,
        show: Show,
        sources: Callable[[Sequence[AgentCall]], list[Any]],
        plain: Callable[[str], str],
        every: float = CHECK_EVERY,
    ) -> None:
        self._show = show
        self._sources = sources
        self._plain = plain
        self._lock = threading.Lock()
        self._closed = False
        self._last = ""
        self._every = every
        self._checked = -every

    def offer(self, text: str, calls: Sequence[AgentCall]) -> None:
        prefix = settled(text)
        with self._lock:
            if self._closed or not prefix or prefix == self._last:
                return
            now = time.monotonic()
            if now - self._checked < self._every:
                return
            self._checked = now
            if not check_answer(prefix, self._sources(calls)).ok:
                return
            self._last = prefix
        try:
            self._show(self._plain(prefix))
        except Exception:  # noqa: BLE001 - a lost draft costs nothing: the answer follows
            log.debug("a draft could not be shown", exc_info=True)

    def close(self) -> None:
        with self._lock:
            self._closed = True
