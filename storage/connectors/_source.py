"""What every store connector is: a `Source` yields `Page`s from a durable cursor.

A connector (Naver Commerce, Naver Search Ad, Shopify, ...) knows one platform's
API: how to authenticate, page and map its records onto the store's typed rows,
the same ones the file importers produce (`storage.importing.ParsedOrder`,
`ParsedAdDay`), so every source goes through the one write path. It holds no
database session: the sync engine (`storage.connectors.sync`) reads the seller's
cursor, asks the source for the pages after it and writes each page, with the
cursor the page ends at, in one transaction. A crash loses at most the page in
flight, and that page is read again from the saved cursor: writes are upserts by
the platform's ids, so a page read twice changes nothing.

A cursor is the source's own JSON-able dict (e.g. Naver's `lastChangedFrom` plus
`moreSequence`, Shopify's `updated_at` plus the GraphQL `endCursor`); the engine
only stores it. `None` means never synced: the source backfills its documented
window first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from storage.importing import ParsedAdDay, ParsedOrder

Cursor = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ProductStock:
    """A product as the platform lists it: found by SKU (else by name), with its
    units on hand when the platform knows them (None: unknown, never 0)."""

    sku: str | None
    name: str
    price: int | None = None
    stock: int | None = None
    name_en: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class KeywordDay:
    """Clicks on a search keyword's ads on one local day (the ad platform's record of
    what visitors searched for; written as search-keyword visits, see
    storage.connectors.keyword_visits)."""

    date: dt.date
    keyword: str
    clicks: int


@dataclass(frozen=True, slots=True)
class Page:
    """One unit of work, written in one transaction together with `cursor`.

    `orders`: orders with their lines in their CURRENT status (an order read again
    after a cancellation or refund carries the new status; the writer updates it
    and its local days' rollups). `products`: catalogue and stock. `ad_days`: daily
    campaign statistics (a restated day replaces the stored one). `keyword_days`:
    keyword ad clicks per day, and `keyword_dates` the days they cover completely (a
    keyword stored on one of them but absent from `keyword_days` had no clicks).
    `cursor`: where the next sync starts once this page is written.
    """

    cursor: Cursor
    orders: tuple[ParsedOrder, ...] = ()
    products: tuple[ProductStock, ...] = ()
    ad_days: tuple[ParsedAdDay, ...] = ()
    keyword_days: tuple[KeywordDay, ...] = ()
    keyword_dates: tuple[dt.date, ...] = ()


class SourceError(Exception):
    """A sync that cannot go on now; `key` says why, for operators and /status:
    "bad_credentials", "ip_not_allowed", "quota" (with `retry_at`), "unavailable"."""

    def __init__(self, key: str, message: str, *, retry_at: dt.datetime | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.retry_at = retry_at


class Source(Protocol):
    """One platform account of one seller."""

    name: str  # "naver", "searchad", "shopify": the key of its cursor and credentials

    def check(self) -> None:
        """One authenticated call; raises SourceError("bad_credentials", ...) with a
        message an operator can act on (`advisor connect`)."""

    def pages(self, cursor: Cursor | None, *, now: dt.datetime) -> Iterator[Page]:
        """The pages after `cursor` up to `now`, oldest first; the last page's cursor
        is where the next sync starts. Raises SourceError when it cannot go on (the
        pages already yielded stay written)."""
