"""A Shopify Admin GraphQL API emulator (one shop) for tests and benches.

    shop = ShopifyEmulator(token="shpat_test")
    shop.add_order("#1001", created_at, [("MUG-1", "Mug", 2, 12_000)], customer=("7", "Kim"))
    with serve(shop):
        source = ShopifySource("demo.myshopify.com", "shpat_test", base_url=shop.url, ...)

`POST /admin/api/{version}/graphql.json` with `X-Shopify-Access-Token` (401 with
Shopify's message otherwise). The emulator does not parse GraphQL: it recognises
the connector's documents by their root fields (`orders(`, `nodes(`,
`productVariants(`, `bulkOperationRunQuery`, `currentBulkOperation`, `shop`) and
answers in the API's shapes from its variables:

- `orders(first, after, query, sortKey: UPDATED_AT)`: the search's
  `updated_at:>='…'` and `created_at:>='…'` terms, sorted by (updatedAt, id), a
  key-set `endCursor`; lines and refund lines cut at `$lines` with `hasNextPage`.
- every answer reports `extensions.cost` with `throttleStatus` from a bucket
  (`maximum` 1,000, `restore` 50 points a second on the emulator's `clock`): a
  query whose requested cost the bucket does not hold answers `THROTTLED` (HTTP
  200, `actualQueryCost` null, nothing taken); a query over 1,000 points answers
  `MAX_COST_EXCEEDED`. Costs follow `storage.connectors.shopify.queries`.
- a bulk operation is CREATED, RUNNING for `bulk_polls` polls, then COMPLETED with
  a JSONL `url` on this server (`GET /bulk/{n}.jsonl`, no token, as Shopify's
  signed URLs): one line per order, then one per line item with `__parentId`
  (`children_last=True` puts every line item after every order, as an ungrouped
  file may). `url` is null when nothing matched.

Tests change orders after the fact: `refund` (units of some SKUs), `cancel`;
each sets `updatedAt`, so the next incremental read sees the order again.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tests.emulators._http import Emulator, Request, Response

MAX_COST = 1000.0
INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"
GRAPHQL_PATH = re.compile(r"/admin/api/(?P<version>\d{4}-\d{2}|unstable)/graphql\.json")
SEARCH_TERM = re.compile(r"(?P<field>updated_at|created_at):>='(?P<value>[^']+)'")


def iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(dt.UTC)


def order_cost(lines: int) -> int:
    """An order with its customer, `lines` lines and its refunds' `lines` lines."""
    return 1 + 1 + (2 + 3 * lines) + (1 + 2 + 2 * lines)


@dataclass
class Line:
    id: str
    sku: str | None
    name: str
    quantity: int
    price: int  # the unit price after all discounts, in the shop currency's minor units


@dataclass
class Refund:
    id: str
    created_at: dt.datetime
    units: list[tuple[str, int]]  # (line id, quantity)


@dataclass
class ShopOrder:
    id: str
    name: str
    created_at: dt.datetime
    updated_at: dt.datetime
    lines: list[Line]
    customer: tuple[str, str] | None = None
    financial: str = "PAID"  # PAID, PENDING, AUTHORIZED, VOIDED, ...
    cancelled_at: dt.datetime | None = None
    refunds: list[Refund] = field(default_factory=list)
    refunded_all: bool = False  # a refund of the whole amount (status REFUNDED)
    test: bool = False  # placed with the Bogus Gateway

    def status(self) -> str:
        if self.financial != "PAID":
            return self.financial
        total = sum(line.quantity for line in self.lines)
        back = sum(quantity for refund in self.refunds for _, quantity in refund.units)
        if self.refunded_all or (total and back >= total):
            return "REFUNDED"
        return "PARTIALLY_REFUNDED" if self.refunds else "PAID"


@dataclass
class Variant:
    sku: str | None
    product: str
    title: str
    price: int
    stock: int | None  # None: inventory not tracked
    product_type: str = ""


@dataclass
class BulkOperation:
    id: str
    number: int
    created_from: str
    polls_left: int
    status: str = "CREATED"
    url: str | None = None
    object_count: int = 0


class ShopifyEmulator(Emulator):
    def __init__(
        self,
        *,
        token: str = "shpat_test",
        currency: str = "KRW",
        clock: Callable[[], float] = time.monotonic,
        bulk_polls: int = 2,
        maximum: float = MAX_COST,
        restore: float = 50.0,
        scopes: Iterable[str] = ("read_orders", "read_products", "read_inventory"),
    ) -> None:
        super().__init__()
        self.token = token
        self.currency = currency
        self.clock = clock
        self.bulk_polls = bulk_polls
        self.maximum, self.restore = maximum, restore
        self.available, self._filled_at = maximum, clock()
        self.scopes = set(scopes)
        self.orders: dict[str, ShopOrder] = {}
        self.variants: list[Variant] = []
        self.operations: list[BulkOperation] = []
        self.files: dict[int, bytes] = {}
        self.fail_bulk = False
        self.children_last = False
        self.throttled = 0  # THROTTLED answers given
        self.costs: list[tuple[str, float]] = []  # (root field, requested cost) answered
        self._ids = itertools.count(1)

    # -- the shop, as a test sets it up -------------------------------------------------

    def _gid(self, kind: str) -> str:
        return f"gid://shopify/{kind}/{next(self._ids)}"

    def add_order(
        self,
        name: str,
        created_at: dt.datetime,
        lines: Iterable[tuple[str | None, str, int, int]],
        *,
        customer: tuple[str, str] | None = None,
        financial: str = "PAID",
    ) -> ShopOrder:
        """An order of `lines` (sku, name, quantity, unit price in minor units)."""
        order = ShopOrder(
            id=self._gid("Order"),
            name=name,
            created_at=created_at,
            updated_at=created_at,
            lines=[Line(self._gid("LineItem"), *line) for line in lines],
            customer=(f"gid://shopify/Customer/{customer[0]}", customer[1]) if customer else None,
            financial=financial,
        )
        self.orders[order.id] = order
        return order

    def order(self, name: str) -> ShopOrder:
        return next(order for order in self.orders.values() if order.name == name)

    def refund(self, name: str, units: dict[str, int], at: dt.datetime) -> None:
        """Refund `units` (SKU -> quantity) of an order at `at`."""
        order = self.order(name)
        by_sku = {line.sku: line for line in order.lines}
        refund = Refund(
            self._gid("Refund"), at, [(by_sku[sku].id, count) for sku, count in units.items()]
        )
        order.refunds.append(refund)
        order.updated_at = at

    def cancel(self, name: str, at: dt.datetime) -> None:
        """Cancel an order at `at`, refunding what was left (Shopify's default)."""
        order = self.order(name)
        order.cancelled_at = at
        order.refunded_all = True
        order.updated_at = at

    def pay(self, name: str, at: dt.datetime) -> None:
        order = self.order(name)
        order.financial = "PAID"
        order.updated_at = at

    def add_variant(
        self,
        sku: str | None,
        product: str,
        price: int,
        stock: int | None,
        *,
        title: str = "Default Title",
        product_type: str = "",
    ) -> None:
        self.variants.append(Variant(sku, product, title, price, stock, product_type))

    def drain(self, available: float) -> None:
        """Leave `available` points in the cost bucket (as other apps' calls would)."""
        self.available, self._filled_at = available, self.clock()

    # -- shapes -------------------------------------------------------------------------

    def _money(self, amount: int) -> dict[str, Any]:
        exponent = 0 if self.currency in ("KRW", "JPY") else 2
        value = f"{amount / 10**exponent:.{max(exponent, 1)}f}"
        return {"shopMoney": {"amount": value, "currencyCode": self.currency}}

    def _line(self, line: Line) -> dict[str, Any]:
        return {
            "id": line.id,
            "sku": line.sku,
            "name": line.name,
            "quantity": line.quantity,
            "discountedUnitPriceAfterAllDiscountsSet": self._money(line.price),
        }

    def _head(self, order: ShopOrder) -> dict[str, Any]:
        return {
            "id": order.id,
            "name": order.name,
            "createdAt": iso(order.created_at),
            "processedAt": iso(order.created_at),
            "updatedAt": iso(order.updated_at),
            "cancelledAt": iso(order.cancelled_at) if order.cancelled_at else None,
            "displayFinancialStatus": order.status(),
            "test": order.test,
            "customer": (
                {"id": order.customer[0], "displayName": order.customer[1]}
                if order.customer
                else None
            ),
        }

    def _order(self, order: ShopOrder, lines: int) -> dict[str, Any]:
        def connection(nodes: list[Any]) -> dict[str, Any]:
            return {
                "pageInfo": {"hasNextPage": len(nodes) > lines},
                "edges": [{"node": node} for node in nodes[:lines]],
            }

        return {
            **self._head(order),
            "lineItems": connection([self._line(line) for line in order.lines]),
            "refunds": [
                {
                    "id": refund.id,
                    "createdAt": iso(refund.created_at),
                    "refundLineItems": connection(
                        [
                            {"quantity": quantity, "lineItem": {"id": line_id}}
                            for line_id, quantity in refund.units
                        ]
                    ),
                }
                for refund in order.refunds
            ],
        }

    # -- the API ------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if request.method == "GET" and request.path.startswith("/bulk/"):
            number = int(request.path.rsplit("/", 1)[1].split(".")[0])
            if number not in self.files:
                return Response(404, {"errors": "Not Found"})
            return Response(200, self.files[number])
        if request.method != "POST" or not GRAPHQL_PATH.fullmatch(request.path):
            return Response(404, {"errors": "Not Found"})
        if request.headers.get("x-shopify-access-token") != self.token:
            return Response(401, {"errors": INVALID_TOKEN})
        body = request.json() or {}
        document = str(body.get("query") or "")
        variables = body.get("variables") or {}
        root, requested = self._requested(document, variables)
        if requested > MAX_COST:
            return Response(200, self._max_cost(requested))
        self._refill()
        if self.available < requested:
            self.throttled += 1
            return Response(
                200,
                {
                    "errors": [
                        {
                            "message": "Throttled",
                            "extensions": {
                                "code": "THROTTLED",
                                "documentation": "https://shopify.dev/api/usage/rate-limits",
                            },
                        }
                    ],
                    "extensions": {"cost": self._cost(requested, None)},
                },
            )
        denied = self._denied(root)
        if denied is not None:
            return Response(200, denied)
        data, actual = self._answer(root, document, variables)
        self.available -= actual
        self.costs.append((root, requested))
        return Response(200, {"data": data, "extensions": {"cost": self._cost(requested, actual)}})

    def _refill(self) -> None:
        now = self.clock()
        refilled = self.available + self.restore * (now - self._filled_at)
        self.available = round(min(self.maximum, refilled), 6)  # no float dust
        self._filled_at = now

    def _cost(self, requested: float, actual: float | None) -> dict[str, Any]:
        return {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": {
                "maximumAvailable": self.maximum,
                "currentlyAvailable": round(self.available, 3),
                "restoreRate": self.restore,
            },
        }

    def _max_cost(self, requested: float) -> dict[str, Any]:
        return {
            "errors": [
                {
                    "message": f"Query cost is {requested:.0f}, which exceeds the single "
                    f"query max cost limit ({MAX_COST:.0f}).",
                    "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested},
                }
            ]
        }

    def _denied(self, root: str) -> dict[str, Any] | None:
        scope = {"orders": "read_orders", "nodes": "read_orders", "check": "read_orders"}.get(
            root, "read_products" if root == "productVariants" else None
        )
        if scope is None or scope in self.scopes:
            return None
        field_name = "orders" if root == "check" else root
        return {
            "data": None,
            "errors": [
                {
                    "message": f"Access denied for {field_name} field. Required access: "
                    f"`{scope}` access scope.",
                    "extensions": {"code": "ACCESS_DENIED", "requiredAccess": f"`{scope}`"},
                    "path": [field_name],
                }
            ],
        }

    def _requested(self, document: str, variables: dict[str, Any]) -> tuple[str, float]:
        lines = int(variables.get("lines") or 0)
        if "bulkOperationRunQuery" in document:
            return "bulkOperationRunQuery", 10.0
        if "currentBulkOperation" in document:
            return "currentBulkOperation", 1.0
        if "productVariants(" in document:
            return "productVariants", 2.0 + 3 * int(variables["first"])
        if "query Check" in document:
            return "check", 4.0
        if "query Refunds" in document:
            return "refunds", float(len(variables["ids"]) * (4 + 2 * lines))
        if "nodes(" in document:
            return "nodes", float(len(variables["ids"]) * order_cost(lines))
        if "orders(" in document:
            return "orders", 2.0 + int(variables["first"]) * order_cost(lines)
        return "shop", 1.0

    def _answer(
        self, root: str, document: str, variables: dict[str, Any]
    ) -> tuple[dict[str, Any], float]:
        lines = int(variables.get("lines") or 0)
        if root == "orders":
            return self._orders(variables, lines)
        if root == "nodes":
            found = [self.orders.get(str(gid)) for gid in variables["ids"]]
            nodes = [self._order(order, lines) if order else None for order in found]
            actual = sum(order_cost(min(len(o.lines), lines)) for o in found if o)
            return {"nodes": nodes}, float(max(actual, 1))
        if root == "refunds":
            found = [self.orders.get(str(gid)) for gid in variables["ids"]]
            refunds = [
                {"id": o.id, "refunds": self._order(o, lines)["refunds"]} if o else None
                for o in found
            ]
            units = sum(len(r.units) for o in found if o for r in o.refunds)
            return {"nodes": refunds}, float(max(4 * len(refunds) + 2 * units, 1))
        if root == "productVariants":
            return self._variants(variables)
        if root == "bulkOperationRunQuery":
            return self._run_bulk(str(variables.get("query") or "")), 10.0
        if root == "currentBulkOperation":
            return {"currentBulkOperation": self._poll()}, 1.0
        shop = {"name": "Demo", "myshopifyDomain": "demo.myshopify.com"}
        data: dict[str, Any] = {"shop": {**shop, "currencyCode": self.currency}}
        if root == "check":
            first = sorted(self.orders.values(), key=lambda o: o.id)[:1]
            data["orders"] = {"edges": [{"node": {"id": order.id}} for order in first]}
            return data, 2.0
        return data, 1.0

    def _orders(self, variables: dict[str, Any], lines: int) -> tuple[dict[str, Any], float]:
        terms = {m["field"]: _parse(m["value"]) for m in SEARCH_TERM.finditer(variables["query"])}
        chosen = sorted(
            (
                order
                for order in self.orders.values()
                if order.updated_at
                >= terms.get("updated_at", dt.datetime.min.replace(tzinfo=dt.UTC))
                and order.created_at
                >= terms.get("created_at", dt.datetime.min.replace(tzinfo=dt.UTC))
            ),
            key=lambda order: (order.updated_at, order.id),
        )
        if variables.get("after"):
            after = json.loads(base64.b64decode(variables["after"]))
            key = (_parse(after["updated_at"]), after["id"])
            chosen = [order for order in chosen if (order.updated_at, order.id) > key]
        first = int(variables["first"])
        page, more = chosen[:first], len(chosen) > first
        end = None
        if page:
            last = page[-1]
            end = base64.b64encode(
                json.dumps({"updated_at": iso(last.updated_at), "id": last.id}).encode()
            ).decode()
        data = {
            "orders": {
                "pageInfo": {"hasNextPage": more, "endCursor": end},
                "edges": [{"node": self._order(order, lines)} for order in page],
            }
        }
        actual = 2 + sum(order_cost(min(len(order.lines), lines)) for order in page)
        return data, float(actual)

    def _variants(self, variables: dict[str, Any]) -> tuple[dict[str, Any], float]:
        start = int(variables.get("after") or 0)
        first = int(variables["first"])
        page = self.variants[start : start + first]
        more = start + first < len(self.variants)
        exponent = 0 if self.currency in ("KRW", "JPY") else 2
        edges = [
            {
                "node": {
                    "sku": variant.sku,
                    "title": variant.title,
                    "price": f"{variant.price / 10**exponent:.2f}",
                    "inventoryQuantity": variant.stock if variant.stock is not None else 0,
                    "inventoryItem": {"tracked": variant.stock is not None},
                    "product": {"title": variant.product, "productType": variant.product_type},
                }
            }
            for variant in page
        ]
        info = {"hasNextPage": more, "endCursor": str(start + len(page)) if page else None}
        return {"productVariants": {"pageInfo": info, "edges": edges}}, 2.0 + 3 * len(page)

    # -- bulk operations ----------------------------------------------------------------

    def _run_bulk(self, query: str) -> dict[str, Any]:
        running = [op for op in self.operations if op.status in ("CREATED", "RUNNING")]
        if running:
            message = (
                f"A bulk query operation for this app and shop is already in progress: "
                f"{running[0].id}."
            )
            return {
                "bulkOperationRunQuery": {
                    "bulkOperation": None,
                    "userErrors": [{"field": None, "message": message}],
                }
            }
        match = re.search(r"created_at:>='([^']+)'", query)
        number = len(self.operations) + 1
        operation = BulkOperation(
            id=f"gid://shopify/BulkOperation/{number}",
            number=number,
            created_from=match.group(1) if match else "1970-01-01T00:00:00Z",
            polls_left=self.bulk_polls,
        )
        self.operations.append(operation)
        return {
            "bulkOperationRunQuery": {
                "bulkOperation": {"id": operation.id, "status": operation.status},
                "userErrors": [],
            }
        }

    def _poll(self) -> dict[str, Any] | None:
        if not self.operations:
            return None
        operation = self.operations[-1]
        if operation.status in ("CREATED", "RUNNING"):
            if operation.polls_left > 0:
                operation.polls_left -= 1
                operation.status = "RUNNING"
            elif self.fail_bulk:
                operation.status = "FAILED"
            else:
                self._complete(operation)
        return {
            "id": operation.id,
            "status": operation.status,
            "errorCode": "INTERNAL_SERVER_ERROR" if operation.status == "FAILED" else None,
            "objectCount": str(operation.object_count),
            "url": operation.url,
            "partialDataUrl": None,
        }

    def _complete(self, operation: BulkOperation) -> None:
        since = _parse(operation.created_from)
        heads: list[dict[str, Any]] = []
        children: list[dict[str, Any]] = []
        for order in sorted(self.orders.values(), key=lambda o: o.id):
            if order.created_at < since:
                continue
            heads.append({**self._head(order), "refunds": [{"id": r.id} for r in order.refunds]})
            own = [{**self._line(line), "__parentId": order.id} for line in order.lines]
            if self.children_last:
                children += own
            else:
                heads += own
        objects = heads + children
        operation.status = "COMPLETED"
        operation.object_count = len(objects)
        if objects:
            self.files[operation.number] = "".join(
                json.dumps(obj) + "\n" for obj in objects
            ).encode()
            operation.url = f"{self.url}/bulk/{operation.number}.jsonl"
