"""`NaverCommerceSource`: a seller's Smart Store orders and products as `Page`s.

Two reads keep the store current, each with its own place in the cursor:

1. **Orders by payment time** (`GET /v1/pay-order/seller/product-orders`,
   `rangeType=PAYED_DATETIME`, 300 a page, windows of at most 24 hours): every
   product order paid since `paid_from`, in its current status. All product orders
   of a Naver order share its payment time, so a window holds whole orders: one
   `Page` per window. The backfill on connect is this read from the horizon,
   `BACKFILL_DAYS` (90) days before the connect day in Korean time, day by day.
2. **Changes** (`GET /v1/pay-order/seller/product-orders/last-changed-statuses`,
   `lastChangedFrom` + `moreSequence`, 300 a page): the product orders whose last
   change falls after `from`. Orders paid since this sync's `paid_from` were just
   read whole by 1 and orders paid before the horizon are not the store's, so only
   the changes to orders paid in between count, and of those only a completed
   cancellation or return changes what the store holds (a paid product order never
   comes back, and shipping or a purchase decision leave it paid). For each such
   order, all its product orders (`GET /v1/pay-order/seller/orders/{orderId}/
   product-order-ids`) are read in their current state (`POST /v1/pay-order/seller/
   product-orders/query`, 300 at a time) and written (see `mapping`). One `Page` per
   page of changes, with the `moreFrom` + `moreSequence` it ends at: a timestamp
   alone would lose the changes that share the last row's time.

The cursor (JSON): `{"horizon", "paid_from", "from", "sequence", "products_at"}`,
times in the API's form (`2024-11-20T10:00:00.000+09:00`). On connect (no cursor)
`paid_from` is the horizon and `from` is the connect time: the backfill reads each
order's state after that time, so only later changes need the change feed. A
finished sync leaves both times `OVERLAP` (5 minutes) before its `now`, so a change
the platform shows a little late is still read; reading it twice changes nothing.

Products (`POST /v1/products/search`, 100 a page) with their stock are read on the
first sync and again once `PRODUCTS_EVERY` (1 hour) has passed, as the sync's first
pages.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import httpx

from storage.connectors._source import Cursor, Page, ProductStock
from storage.connectors.naver_commerce.client import DEFAULT_BASE_URL, KST, NaverClient
from storage.connectors.naver_commerce.mapping import (
    claim_done,
    format_time,
    parse_time,
    product_stock,
    store_orders,
)
from storage.connectors.pacing import LOCAL, Pacer
from storage.importing import ParsedOrder

log = logging.getLogger(__name__)

BACKFILL_DAYS = 90
OVERLAP = dt.timedelta(minutes=5)
WINDOW = dt.timedelta(hours=24)
MS = dt.timedelta(milliseconds=1)
PAGE_SIZE = 300  # rows of changes and product orders per call, ids per detail query
PRODUCT_PAGE_SIZE = 100
PRODUCTS_EVERY = dt.timedelta(hours=1)

ORDERS_PATH = "/external/v1/pay-order/seller/product-orders"
CHANGES_PATH = "/external/v1/pay-order/seller/product-orders/last-changed-statuses"
QUERY_PATH = "/external/v1/pay-order/seller/product-orders/query"
ORDER_IDS_PATH = "/external/v1/pay-order/seller/orders/{order_id}/product-order-ids"
PRODUCTS_PATH = "/external/v1/products/search"


def horizon_of(now: dt.datetime, days: int = BACKFILL_DAYS) -> dt.datetime:
    """The start of the backfill: Korean midnight `days` days before `now`'s day."""
    day = now.astimezone(KST).date() - dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(), KST)


class NaverCommerceSource:
    """One seller's Smart Store (a Commerce API application of type SELF)."""

    name = "naver"

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        backfill_days: int = BACKFILL_DAYS,
        http: httpx.Client | None = None,
        pacer: Pacer | None = LOCAL,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        options: dict[str, Any] = {"base_url": base_url, "http": http, "pacer": pacer}
        if clock is not None:
            options["clock"] = clock
        if sleep is not None:
            options["sleep"] = sleep
        self.client = NaverClient(client_id, client_secret, **options)
        self.backfill_days = backfill_days

    def __repr__(self) -> str:
        return f"NaverCommerceSource({self.client.client_id!r})"

    # -- Source ---------------------------------------------------------------------

    def check(self) -> None:
        """A token and one call to the order API (its API group and this server's IP)."""
        now = self.client.now()
        self.client.get(
            CHANGES_PATH,
            {"lastChangedFrom": format_time(now - dt.timedelta(minutes=1)), "limitCount": "1"},
            api="changes",
        )

    def pages(self, cursor: Cursor | None, *, now: dt.datetime) -> Iterator[Page]:
        state = self._start(cursor, now)
        if state.get("products_at") is None or parse_time(state["products_at"]) <= (
            now - PRODUCTS_EVERY
        ):
            products = self._products()
            state = {**state, "products_at": format_time(now)}
            for start in range(0, max(len(products), 1), 500):
                yield Page(cursor=dict(state), products=tuple(products[start : start + 500]))
        paid_start = parse_time(state["paid_from"])
        after = state
        for orders, after in self._paid(state, now):
            yield Page(cursor=after, orders=orders)
        for orders, following in self._changes(after, now, paid_start):
            yield Page(cursor=following, orders=orders)

    # -- the cursor -----------------------------------------------------------------

    def _start(self, cursor: Cursor | None, now: dt.datetime) -> dict[str, Any]:
        if cursor is not None and cursor.get("horizon"):
            return dict(cursor)
        horizon = format_time(horizon_of(now, self.backfill_days))
        return {
            "horizon": horizon,
            "paid_from": horizon,
            "from": format_time(now),
            "sequence": None,
            "products_at": None,
        }

    # -- 1. orders by payment time --------------------------------------------------

    def _paid(
        self, state: dict[str, Any], now: dt.datetime
    ) -> Iterator[tuple[tuple[ParsedOrder, ...], dict[str, Any]]]:
        start = parse_time(state["paid_from"])
        while start <= now:
            end = min(start + WINDOW - MS, now)
            details = self._paid_between(start, end)
            last = end >= now
            following = max(now - OVERLAP, parse_time(state["horizon"])) if last else end + MS
            state = {**state, "paid_from": format_time(following)}
            yield _orders(details), state
            if last:
                return
            start = end + MS

    def _paid_between(self, start: dt.datetime, end: dt.datetime) -> list[Mapping[str, Any]]:
        details: list[Mapping[str, Any]] = []
        page = 1
        while True:
            body = self.client.get(
                ORDERS_PATH,
                {
                    "from": format_time(start),
                    "to": format_time(end),
                    "rangeType": "PAYED_DATETIME",
                    "pageSize": str(PAGE_SIZE),
                    "page": str(page),
                },
                api="orders",
            )
            data = body.get("data") or {}
            details += [item["content"] for item in data.get("contents") or []]
            if not (data.get("pagination") or {}).get("hasNext"):
                return details
            page += 1

    # -- 2. changes -----------------------------------------------------------------

    def _changes(
        self, state: dict[str, Any], now: dt.datetime, paid_start: dt.datetime
    ) -> Iterator[tuple[tuple[ParsedOrder, ...], dict[str, Any]]]:
        horizon = parse_time(state["horizon"])
        start = parse_time(state["from"])
        sequence = state.get("sequence")
        while start <= now:
            end = min(start + WINDOW - MS, now)
            params = {"lastChangedFrom": format_time(start), "lastChangedTo": format_time(end)}
            if sequence:
                params["moreSequence"] = str(sequence)
            data = self.client.get(CHANGES_PATH, params, api="changes").get("data") or {}
            claimed = sorted(
                {
                    str(row["orderId"])
                    for row in data.get("lastChangeStatuses") or []
                    if row.get("paymentDate")
                    and horizon <= parse_time(row["paymentDate"]) < paid_start
                    and claim_done(row)
                }
            )
            orders = _orders(self._whole_orders(claimed)) if claimed else ()
            more = data.get("more") or {}
            if more.get("moreFrom"):
                start, sequence = parse_time(more["moreFrom"]), more.get("moreSequence")
                yield orders, {**state, "from": format_time(start), "sequence": sequence}
                continue
            if end >= now:
                following = max(now - OVERLAP, horizon)
                yield orders, {**state, "from": format_time(following), "sequence": None}
                return
            start, sequence = end + MS, None
            yield orders, {**state, "from": format_time(start), "sequence": None}

    def _whole_orders(self, order_ids: Sequence[str]) -> list[Mapping[str, Any]]:
        """The details of every product order of these Naver orders."""
        ids: list[str] = []
        for order_id in order_ids:
            body = self.client.get(ORDER_IDS_PATH.format(order_id=order_id), api="order-ids")
            ids += [str(product_order_id) for product_order_id in body.get("data") or []]
        details: list[Mapping[str, Any]] = []
        for start in range(0, len(ids), PAGE_SIZE):
            body = self.client.post(
                QUERY_PATH, {"productOrderIds": ids[start : start + PAGE_SIZE]}, api="query"
            )
            details += body.get("data") or []
        return details

    # -- products -------------------------------------------------------------------

    def _products(self) -> list[ProductStock]:
        products: list[ProductStock] = []
        page = 1
        while True:
            body = self.client.post(
                PRODUCTS_PATH, {"page": page, "size": PRODUCT_PAGE_SIZE}, api="products"
            )
            for origin in body.get("contents") or []:
                products += [
                    product_stock(channel) for channel in origin.get("channelProducts") or []
                ]
            if page >= int(body.get("totalPages") or 1):
                return products
            page += 1


def _orders(details: Sequence[Mapping[str, Any]]) -> tuple[ParsedOrder, ...]:
    """Store orders of these product order details, grouped by Naver order."""
    by_order: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for detail in details:
        order_id = (detail.get("order") or {}).get("orderId") or detail["productOrder"].get(
            "orderId"
        )
        by_order[str(order_id)].append(detail)
    return tuple(
        order for order_id, group in by_order.items() for order in store_orders(order_id, group)
    )
