"""What the handlers and jobs work with: one `Services` object per Application.

The composition root (`bot.app.build_application`) makes it; handlers reach it
through the typed context (`context.services`), never through module globals.
Database work runs in worker threads (`Services.db`), so a query never blocks
the event loop that serves every chat.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.callback_data import ButtonCodec
from storage.links import chat_link, linked_seller
from storage.models import Seller, utcnow
from storage.settings import Settings
from tools.answer import Answer
from tools.fit_cache import FitCache
from tools.prompts import PromptStore, normalize_lang

if TYPE_CHECKING:  # the index code loads when a turn first needs it (tools.advisor)
    from tools.retrieval.service import RetrievalHandle

T = TypeVar("T")


class AdvisorLike(Protocol):
    """The advisor (tools/advisor.py) as the bot uses it: sync calls, run in threads."""

    def ask(
        self,
        question: str,
        *,
        seller_id: int,
        chat_id: int | None = None,
        lang: str | None = None,
        now: dt.datetime | None = None,
        on_draft: Callable[[str], None] | None = None,
    ) -> Answer: ...

    def run(
        self,
        tool: str,
        args: dict[str, Any],
        *,
        seller_id: int,
        chat_id: int | None = None,
        lang: str | None = None,
        now: dt.datetime | None = None,
    ) -> Answer: ...

    @property
    def fits(self) -> FitCache:
        """Its customer fits, kept current in the background (bot.customer_fit)."""
        ...

    @property
    def retrieval(self) -> RetrievalHandle:
        """Its vector-index retrieval (one index per process): inquiry drafts use it too."""
        ...


@dataclass(frozen=True, slots=True)
class BotOptions:
    """Bot behaviour the spec fixes by default; `advisor bot` flags change a few."""

    max_rate: float = 25.0  # messages per second overall (Telegram allows about 30)
    burst: int = 5  # messages that may go at once after a quiet spell (the limiter's bucket)
    max_retries: int = 2  # RetryAfter retries by the rate limiter
    concurrent_updates: int = 64  # updates handled at once; one chat's messages in order
    connection_pool: int = (
        32  # HTTP connections to the Bot API (httpcore scans them all per request)
    )
    quiet_start: int = 22  # quiet hours, seller's local time: [quiet_start, quiet_end)
    quiet_end: int = 8
    morning_hour: int = 9  # yesterday's scan, the ads scan and the digest
    scan_minute: int = 1  # the hourly scan runs at HH:01
    deliver_every: float = 60.0  # seconds between outbox deliveries (held alerts, retries)
    send_concurrency: int = 32  # alerts in flight at once (the rate limiter paces them)
    typing_every: float = 4.5  # Telegram shows "typing" for 5 s
    poll_interval: float = 0.0
    poll_timeout: int = 30  # long polling


@dataclass(frozen=True, slots=True)
class Seat:
    """A linked chat: which seller it speaks for and how."""

    chat_id: int
    seller_id: int
    seller_name: str
    timezone: ZoneInfo
    lang: str
    active: bool
    alerts_enabled: bool
    digest_enabled: bool


def seat_of(session: Session, chat_id: int, fallback_lang: str | None) -> Seat | None:
    """The chat's seat, or None when the chat is not linked."""
    seller = linked_seller(session, chat_id)
    if seller is None:
        return None
    link = chat_link(session, chat_id)
    lang = link.language if link is not None and link.language else fallback_lang
    return Seat(
        chat_id=chat_id,
        seller_id=seller.id,
        seller_name=seller.name,
        timezone=seller.zone,
        lang=normalize_lang(lang),
        active=seller.active,
        alerts_enabled=seller.alerts_enabled,
        digest_enabled=seller.digest_enabled,
    )


def reactivate(session: Session, seller_id: int) -> None:
    """A seller who writes again has unblocked the bot: alerts go out again."""
    seller = session.get(Seller, seller_id)
    if seller is not None and not seller.active:
        seller.active = True


@dataclass
class Services:
    settings: Settings
    sessions: sessionmaker[Session]
    advisor: AdvisorLike
    prompts: PromptStore
    options: BotOptions = field(default_factory=BotOptions)
    clock: Callable[[], dt.datetime] = utcnow
    buttons: ButtonCodec = field(default_factory=ButtonCodec)
    engine: Engine | None = None  # set when the bot made it (disposed at shutdown)
    delivery: asyncio.Lock = field(default_factory=asyncio.Lock)  # one outbox run at a time
    syncing: asyncio.Lock = field(default_factory=asyncio.Lock)  # one store sync at a time

    def now(self) -> dt.datetime:
        return self.clock()

    def is_operator(self, chat_id: int) -> bool:
        return chat_id in self.settings.operator_chat_ids

    def text(self, key: str, lang: str, **params: Any) -> str:
        """A user-facing message from prompts/messages.<lang>.yaml (under `bot.`)."""
        return self.prompts.message(f"bot.{key}", lang, **params)

    async def db(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one transaction in a worker thread."""

        def run() -> T:
            with self.sessions.begin() as session:
                return work(session)

        return await asyncio.to_thread(run)

    async def seat(self, chat_id: int, fallback_lang: str | None) -> Seat | None:
        return await self.db(lambda session: seat_of(session, chat_id, fallback_lang))
