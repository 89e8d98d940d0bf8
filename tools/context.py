"""The per-turn context every tool run gets: the seller bound by the caller, the
clock, the language, settings and prompts.

The seller comes from the caller only (the chat link, the CLI's --seller); it is
never a tool argument and never read from model output or user text. The same
object is the LangChain runtime context of the agent (`ToolRuntime[TurnContext]`
hides it from the model's tool schema).

Tools open their own short session with `ctx.session()`: the agent may run two
tool calls of one model message in parallel threads, and a SQLAlchemy session
must not be shared between threads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session, sessionmaker

from analytics.common import Store
from storage.models import Seller
from storage.settings import Settings
from tools.fit_cache import FitCache
from tools.prompts import PromptStore

if TYPE_CHECKING:  # made by the advisor when a turn needs it (a cold start skips it)
    from tools.retrieval.service import RetrievalHandle
else:  # what LangChain's tool schemas read at run time (tools.agent): any value
    RetrievalHandle = Any


class UnknownSellerError(LookupError):
    """The caller bound a seller id that does not exist."""


@dataclass(frozen=True, slots=True)
class TurnContext:
    sessions: sessionmaker[Session]
    store: Store
    store_name: str
    now: dt.datetime
    """Aware; periods and data are read as of this time."""
    lang: str
    settings: Settings
    prompts: PromptStore
    fits: FitCache | None = None
    """Customer-model fits shared across the turns of one advisor."""
    retrieval: RetrievalHandle | None = None
    """The advisor's vector-index retrieval (opened on first use); None: tools
    open one from `settings` when they need it."""

    @property
    def seller_id(self) -> int:
        return self.store.id

    @property
    def tz(self) -> ZoneInfo:
        return self.store.timezone

    @property
    def local_now(self) -> dt.datetime:
        return self.now.astimezone(self.store.timezone)

    @property
    def today(self) -> dt.date:
        return self.local_now.date()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read session for one tool run (closed, never committed)."""
        with self.sessions() as session:
            yield session


def load_store(session: Session, seller_id: int) -> tuple[Store, str]:
    """The analytics Store and display name of `seller_id`."""
    seller = session.get(Seller, seller_id)
    if seller is None:
        raise UnknownSellerError(f"no seller with id {seller_id}")
    try:
        tz = seller.zone
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("Asia/Seoul")
    return Store(id=seller.id, timezone=tz, currency=seller.currency), seller.name


def make_context(
    sessions: sessionmaker[Session],
    *,
    seller_id: int,
    now: dt.datetime,
    lang: str,
    settings: Settings,
    prompts: PromptStore,
    fits: FitCache | None = None,
    retrieval: RetrievalHandle | None = None,
) -> TurnContext:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    with sessions() as session:
        store, name = load_store(session, seller_id)
    return TurnContext(sessions, store, name, now, lang, settings, prompts, fits, retrieval)
