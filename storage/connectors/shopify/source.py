"""`ShopifySource`: a shop's orders and product variants as `Page`s.

1. **Backfill** (the first sync): one bulk operation (`bulkOperationRunQuery`) reads
   every order created since the horizon, `BACKFILL_DAYS` (90) days before the
   connect day, UTC midnight. Shopify answers orders older than 60 days only to an
   app with the `read_all_orders` scope; without it the backfill holds 60 days. The
   source polls `currentBulkOperation` until it is COMPLETED (`BULK_POLLS` waits,
   1 s growing to 10 s; a longer run ends the sync with "unavailable" and the next
   sync polls the same operation), downloads the JSONL and writes `BULK_PAGE` orders
   a page. A bulk query cannot read the refunds' lines, so the orders it lists with
   refunds get their refunds' lines through `nodes(ids:)` before they are written.
2. **Changes** (every later sync, and right after the backfill): `orders(query:
   "updated_at:>='…' created_at:>='horizon'", sortKey: UPDATED_AT)`, `ORDER_PAGE`
   orders a page with their lines and refunds, paging on with the page's
   `endCursor`. An order whose update (a refund, a cancellation) falls after the
   cursor is read again whole and written in its current state (see `mapping`).
   Orders created before the horizon are not the store's and are left out.

The cursor (JSON): `{"horizon", "updated_at", "after", "bulk", "products_at"}`.
`updated_at` is None until the backfill is written; `bulk` is the running backfill
(`{"id", "since", "done"}`: the operation, when it started, how many of its orders
are written), saved before the first poll, so a sync that stops while Shopify
runs the operation, or a crash mid-write, goes on with the same operation and the
orders not yet written. The backfill's start, `OVERLAP` (5 minutes) early, is
where the changes begin; a finished read of changes leaves `updated_at` at its
sync's `now` less `OVERLAP` (a change Shopify indexes a little late is still
read; reading an order twice changes nothing) and `after` None; a page in between
keeps `updated_at` and the page's `endCursor`.

Product variants (`productVariants`, `VARIANT_PAGE` a page) with their inventory
are read on the first sync and again once `PRODUCTS_EVERY` (1 hour) has passed,
as the sync's first pages.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from typing import Any

import httpx

from storage.connectors._source import Cursor, Page, SourceError
from storage.connectors.shopify import queries
from storage.connectors.shopify.client import ShopifyClient
from storage.connectors.shopify.mapping import (
    bulk_orders,
    format_time,
    has_refunds,
    nodes,
    orders_of,
    parse_time,
    split,
    truncated,
    variant_stock,
)

log = logging.getLogger(__name__)

BACKFILL_DAYS = 90
OVERLAP = dt.timedelta(minutes=5)
PRODUCTS_EVERY = dt.timedelta(hours=1)
BULK_PAGE = 500
BULK_POLLS = 150  # about 20 minutes at 10 s a poll
POLL_WAITS = (1.0, 2.0, 4.0, 8.0, 10.0)
FAILED = {"FAILED", "CANCELED", "CANCELING", "EXPIRED"}

BULK_REFUSED = "Shopify did not start the backfill of {shop}: {detail}"
BULK_FAILED = (
    "Shopify's backfill of {shop} ended {status} ({detail}): the next sync starts a new one"
)
BULK_RUNNING = (
    "Shopify is still running the backfill of {shop} ({count} objects so far): "
    "the next sync goes on with it"
)
BAD_DOMAIN = (
    "{shop!r} is not a Shopify shop domain: give the shop's my-shop.myshopify.com "
    "domain to `advisor connect shopify`"
)

State = dict[str, Any]


def horizon_of(now: dt.datetime, days: int = BACKFILL_DAYS) -> dt.datetime:
    """The start of the backfill: UTC midnight `days` days before `now`'s day."""
    day = now.astimezone(dt.UTC).date() - dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(), dt.UTC)


class ShopifySource:
    """One shop (a custom app's Admin API access token)."""

    name = "shopify"

    def __init__(
        self,
        shop: str,
        access_token: str,
        *,
        base_url: str,
        api_version: str = queries.API_VERSION,
        backfill_days: int = BACKFILL_DAYS,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        valid_shop: bool = True,
    ) -> None:
        self.client = ShopifyClient(
            shop,
            access_token,
            base_url=base_url,
            api_version=api_version,
            http=http,
            clock=clock,
            sleep=sleep,
        )
        self.shop = shop
        self.backfill_days = backfill_days
        self._valid_shop = valid_shop
        self._currency: str | None = None

    def __repr__(self) -> str:
        return f"ShopifySource({self.shop!r})"

    # -- Source ---------------------------------------------------------------------

    def check(self) -> None:
        """One call: the token, the shop and the order scope."""
        self._require_shop()
        data = self.client.query("check", queries.CHECK)
        self._currency = str((data.get("shop") or {}).get("currencyCode") or "") or None

    def pages(self, cursor: Cursor | None, *, now: dt.datetime) -> Iterator[Page]:
        self._require_shop()
        state = self._start(cursor, now)
        products_at = state.get("products_at")
        if products_at is None or parse_time(products_at) <= now - PRODUCTS_EVERY:
            state = yield from self._products(state, now)
        if state.get("updated_at") is None:
            state = yield from self._backfill(state, now)
        yield from self._changes(state, now)

    def _require_shop(self) -> None:
        if not self._valid_shop:
            raise SourceError("bad_credentials", BAD_DOMAIN.format(shop=self.shop))

    def _start(self, cursor: Cursor | None, now: dt.datetime) -> State:
        if cursor is not None and cursor.get("horizon"):
            return dict(cursor)
        return {
            "horizon": format_time(horizon_of(now, self.backfill_days)),
            "updated_at": None,
            "after": None,
            "bulk": None,
            "products_at": None,
        }

    # -- products -------------------------------------------------------------------

    def currency(self) -> str:
        if self._currency is None:
            data = self.client.query("shop", queries.SHOP)
            self._currency = str((data.get("shop") or {}).get("currencyCode") or "KRW")
        return self._currency

    def _products(self, state: State, now: dt.datetime) -> Generator[Page, None, State]:
        currency = self.currency()
        after: str | None = None
        while True:
            data = self.client.query(
                "variants",
                queries.VARIANTS,
                {"first": queries.VARIANT_PAGE, "after": after},
                cost=queries.variants_cost(queries.VARIANT_PAGE),
            )
            connection = data.get("productVariants") or {}
            products = tuple(variant_stock(node, currency) for node in nodes(connection))
            info = connection.get("pageInfo") or {}
            if info.get("hasNextPage") and info.get("endCursor"):
                after = str(info["endCursor"])
                yield Page(cursor=dict(state), products=products)
                continue
            state = {**state, "products_at": format_time(now)}
            yield Page(cursor=dict(state), products=products)
            return state

    # -- 1. the backfill ------------------------------------------------------------

    def _backfill(self, state: State, now: dt.datetime) -> Generator[Page, None, State]:
        bulk = state.get("bulk")
        if bulk is None:
            bulk = {
                "id": self._run_bulk(state["horizon"]),
                "since": format_time(now - OVERLAP),
                "done": 0,
            }
            state = {**state, "bulk": bulk}
            yield Page(cursor=dict(state))
        operation = self._poll(bulk["id"])
        if operation is None or operation.get("status") in FAILED:
            state = {**state, "bulk": None}
            yield Page(cursor=dict(state))
            status = "gone" if operation is None else str(operation.get("status")).lower()
            detail = (operation or {}).get("errorCode") or bulk["id"]
            raise SourceError(
                "unavailable", BULK_FAILED.format(shop=self.shop, status=status, detail=detail)
            )
        url = operation.get("url")
        raw = bulk_orders(self.client.download(str(url))) if url else []
        done = int(bulk.get("done") or 0)
        chunks = list(split(raw[done:], BULK_PAGE))
        finished = {**state, "bulk": None, "updated_at": bulk["since"], "after": None}
        if not chunks:
            yield Page(cursor=dict(finished))
        for number, chunk in enumerate(chunks, start=1):
            current = self._with_refunds(chunk)
            done += len(chunk)
            following = (
                finished if number == len(chunks) else {**state, "bulk": {**bulk, "done": done}}
            )
            yield Page(cursor=dict(following), orders=orders_of(current))
        return finished

    def _run_bulk(self, horizon: str) -> str:
        data = self.client.query(
            "bulk_run", queries.BULK_RUN, {"query": queries.bulk_orders(horizon)}, cost=10
        )
        payload = data.get("bulkOperationRunQuery") or {}
        errors = payload.get("userErrors") or []
        operation = payload.get("bulkOperation") or {}
        if errors or not operation.get("id"):
            detail = "; ".join(str(error.get("message")) for error in errors) or "no operation"
            raise SourceError("unavailable", BULK_REFUSED.format(shop=self.shop, detail=detail))
        return str(operation["id"])

    def _poll(self, operation_id: str) -> Mapping[str, Any] | None:
        """The operation once it has ended (None: Shopify runs another one now)."""
        for attempt in range(BULK_POLLS):
            data = self.client.query("bulk_poll", queries.BULK_POLL)
            operation = data.get("currentBulkOperation")
            if not operation or operation.get("id") != operation_id:
                return None
            if operation.get("status") == "COMPLETED" or operation.get("status") in FAILED:
                return operation
            self.client.pause(POLL_WAITS[min(attempt, len(POLL_WAITS) - 1)])
        raise SourceError(
            "unavailable",
            BULK_RUNNING.format(shop=self.shop, count=operation.get("objectCount") or 0),
        )

    def _with_refunds(self, chunk: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """The bulk's orders with their refunds' lines, read for the orders that have
        refunds (`REFUND_PAGE` orders a query); an order with a refund of more lines
        than a page holds is read again whole."""
        ids = [str(order["id"]) for order in chunk if has_refunds(order)]
        refunds: dict[str, Any] = {}
        for batch in split(ids, queries.REFUND_PAGE):
            data = self.client.query(
                "refunds",
                queries.REFUNDS,
                {"ids": list(batch), "lines": queries.LINES},
                cost=queries.refunds_cost(len(batch), queries.LINES),
            )
            refunds.update(
                (str(node["id"]), node["refunds"]) for node in data.get("nodes") or [] if node
            )
        current = []
        for order in chunk:
            key = str(order["id"])
            if key not in refunds:
                current.append(order)
                continue
            order = {**order, "refunds": refunds[key]}
            current.append(self._whole(order))
        return current

    def _whole(self, order: dict[str, Any]) -> dict[str, Any]:
        """`order`, read again alone with up to `MANY_LINES` lines when its page cut them."""
        if not truncated(order):
            return order
        data = self.client.query(
            "order_alone",
            queries.ORDER_NODES,
            {"ids": [order["id"]], "lines": queries.MANY_LINES},
            cost=queries.order_cost(queries.MANY_LINES),
        )
        alone = next((node for node in data.get("nodes") or [] if node), None)
        if alone is None:
            return order
        if truncated(alone):
            log.warning(
                "Shopify order %s has more than %d lines: the rest are not read",
                alone.get("name"),
                queries.MANY_LINES,
            )
        return dict(alone)

    # -- 2. changes -----------------------------------------------------------------

    def _changes(self, state: State, now: dt.datetime) -> Iterator[Page]:
        since = str(state["updated_at"])
        horizon = parse_time(state["horizon"])
        search = f"updated_at:>='{since}' created_at:>='{state['horizon']}'"
        after = state.get("after")
        while True:
            data = self.client.query(
                "orders",
                queries.ORDERS,
                {
                    "first": queries.ORDER_PAGE,
                    "after": after,
                    "query": search,
                    "lines": queries.LINES,
                },
            )
            connection = data.get("orders") or {}
            current = [
                self._whole(order)
                for order in nodes(connection)
                if parse_time(str(order.get("createdAt"))) >= horizon
            ]
            info = connection.get("pageInfo") or {}
            if info.get("hasNextPage") and info.get("endCursor"):
                after = str(info["endCursor"])
                yield Page(cursor={**state, "after": after}, orders=orders_of(current))
                continue
            following = max(parse_time(since), now - OVERLAP)
            state = {**state, "updated_at": format_time(following), "after": None}
            yield Page(cursor=dict(state), orders=orders_of(current))
            return
