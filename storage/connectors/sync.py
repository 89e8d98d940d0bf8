"""The sync engine: a seller's source pages into the database, resumable and idempotent.

    report = sync(sessions, seller_id, source, now=now)      # one account
    reports = sync_all(sessions, build, now=now)             # every connected account

`sync` reads the account's cursor (storage.connectors.accounts), asks the source
for the pages after it and writes each page together with the cursor it ends at
in ONE transaction (storage.connectors.writer). A crash therefore loses at most
the page in flight; the next sync starts from the last written cursor and reads
that page again, and since orders, products and ad days are upserted by their
platform ids, a page read twice changes nothing. For the same reason a page's
transaction (and the success after the last) commits on PostgreSQL without waiting
for the server to flush its log to disk (`synchronous_commit` off for that
transaction alone; the flush took about 2.5 ms a commit here, several a sync): a
PostgreSQL crash may forget the pages of its last fraction of a second, each whole
with its cursor, and the next sync reads them again.

A `SourceError` ends the sync with the pages before it written: it is recorded
on the account (key, message, when; `failing_since` from the first failure), and
a quota (`key == "quota"` with `retry_at`) pauses the account: syncs before
`retry_at` are skipped without a request. Any other exception is recorded as
`error` and raised. A sync that reads every page records its success at `now`
(the data's "as of" time) and clears the failure.

`sync_all` syncs every enabled account with credentials, one after the other; an
account that cannot be built (no key, a connector not installed) or whose sync
fails is recorded and the next one goes on: one seller's failure never stops the
rest.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from storage.connectors import accounts
from storage.connectors._source import Source, SourceError
from storage.connectors.accounts import AccountRef
from storage.connectors.writer import PageCounts, write_page

log = logging.getLogger(__name__)

_NO_FLUSH_WAIT = text("SET LOCAL synchronous_commit TO OFF")

Progress = Callable[["SyncReport"], None]
Builder = Callable[[AccountRef], Source]


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one sync of one account did."""

    seller_id: int
    source: str
    backfill: bool = False  # the account had no cursor: the source's first window
    pages: int = 0
    orders: int = 0  # new orders
    updated: int = 0  # orders whose status or lines changed
    unchanged: int = 0
    products: int = 0  # products created or updated
    ad_days: int = 0  # campaign-days added or restated
    keyword_days: int = 0  # keyword-days whose ad clicks changed
    skipped: str | None = None  # "paused" (quota) when nothing was asked
    paused_until: dt.datetime | None = None
    error_key: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_key is None

    def add(self, counts: PageCounts) -> SyncReport:
        return replace(
            self,
            pages=self.pages + 1,
            orders=self.orders + counts.orders,
            updated=self.updated + counts.updated,
            unchanged=self.unchanged + counts.unchanged,
            products=self.products + counts.products_created + counts.products_updated,
            ad_days=self.ad_days + counts.ad_days,
            keyword_days=self.keyword_days + counts.keyword_days,
        )

    def summary(self) -> str:
        """One line for an operator (English, as the CLI)."""
        if self.skipped == "paused" and self.paused_until is not None:
            return f"paused by the platform's quota until {self.paused_until:%Y-%m-%d %H:%M} UTC"
        text = (
            f"{self.pages} page{'s' if self.pages != 1 else ''}: {self.orders} new orders, "
            f"{self.updated} updated, {self.products} products, {self.ad_days} ad days"
        )
        if self.keyword_days:
            text += f", {self.keyword_days} keyword days"
        if self.error_key is not None:
            text += f"; stopped: {self.error_key}: {self.error}"
        return text


def _begin(
    sessions: sessionmaker[Session], seller_id: int, source: str, now: dt.datetime
) -> tuple[int, dict[str, object] | None, dt.datetime | None]:
    """The account's id, its cursor, and the end of its quota pause when one is running."""
    with sessions.begin() as session:
        account = accounts.ensure(session, seller_id, source, now=now)
        if accounts.paused(account, now=now):
            return account.id, None, account.paused_until
        return account.id, (dict(account.cursor) if account.cursor is not None else None), None


@contextmanager
def _written(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A transaction of the sync's writes: see the module docstring."""
    with sessions.begin() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(_NO_FLUSH_WAIT)
        yield session


def _record_failure(
    sessions: sessionmaker[Session],
    seller_id: int,
    source: str,
    key: str,
    message: str,
    *,
    now: dt.datetime,
    retry_at: dt.datetime | None = None,
) -> None:
    with sessions.begin() as session:
        account = accounts.ensure(session, seller_id, source, now=now)
        accounts.failed(account, key, message, now=now, retry_at=retry_at)


def sync(
    sessions: sessionmaker[Session],
    seller_id: int,
    source: Source,
    *,
    now: dt.datetime,
    progress: Progress | None = None,
) -> SyncReport:
    """Sync one account (see the module docstring); `progress` is called after each
    written page with the report so far."""
    name = source.name
    account_id, cursor, paused_until = _begin(sessions, seller_id, name, now)
    if paused_until is not None:
        return SyncReport(seller_id, name, skipped="paused", paused_until=paused_until)
    report = SyncReport(seller_id, name, backfill=cursor is None)
    try:
        for page in source.pages(cursor, now=now):
            with _written(sessions) as session:
                counts = write_page(session, seller_id, page, source=name)
                accounts.save_cursor_of(session, account_id, page.cursor)
            report = report.add(counts)
            if progress is not None:
                progress(report)
    except SourceError as exc:
        _record_failure(
            sessions, seller_id, name, exc.key, str(exc), now=now, retry_at=exc.retry_at
        )
        log.warning("sync of %s for seller %s stopped: %s: %s", name, seller_id, exc.key, exc)
        return replace(
            report,
            error_key=exc.key,
            error=str(exc),
            paused_until=exc.retry_at if exc.key == "quota" else None,
        )
    except Exception as exc:
        _record_failure(
            sessions, seller_id, name, "error", f"{exc.__class__.__name__}: {exc}", now=now
        )
        raise
    with _written(sessions) as session:
        accounts.succeeded(session, account_id, now=now)
    return report


def sync_all(
    sessions: sessionmaker[Session],
    build: Builder,
    *,
    now: dt.datetime,
    seller_id: int | None = None,
    source: str | None = None,
    progress: Callable[[AccountRef], Progress | None] | None = None,
) -> list[SyncReport]:
    """Sync every enabled, connected account (of one seller or source when given);
    a failure is recorded and the next account goes on."""
    with sessions() as session:
        todo: Sequence[AccountRef] = accounts.refs(session, seller_id=seller_id, source=source)
    reports = []
    for ref in todo:
        try:
            built = build(ref)
        except Exception as exc:  # noqa: BLE001 - no key, no connector: say so, go on
            message = str(exc) if isinstance(exc, ValueError | LookupError) else repr(exc)
            _record_failure(sessions, ref.seller_id, ref.source, "config", message, now=now)
            log.error(
                "sync of %s for %s: cannot build the source: %s",
                ref.source,
                ref.seller_slug,
                message,
            )
            reports.append(SyncReport(ref.seller_id, ref.source, error_key="config", error=message))
            continue
        try:
            reports.append(
                sync(
                    sessions,
                    ref.seller_id,
                    built,
                    now=now,
                    progress=progress(ref) if progress is not None else None,
                )
            )
        except Exception as exc:  # noqa: BLE001 - recorded by sync; the others go on
            log.exception("sync of %s for %s failed", ref.source, ref.seller_slug)
            reports.append(
                SyncReport(
                    ref.seller_id,
                    ref.source,
                    error_key="error",
                    error=f"{exc.__class__.__name__}: {exc}",
                )
            )
    return reports
