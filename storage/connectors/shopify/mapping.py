"""Shopify orders -> the store's orders; product variants -> `ProductStock`.

The store's order status is one of paid, cancelled, refunded, and a refund must
leave revenue, so a Shopify order is written as up to three store orders, as the
Naver connector does, each holding the units in that state as its lines:

| store order | status | lines |
| --- | --- | --- |
| `{name}` (e.g. `#1001`) | paid | the units neither refunded nor cancelled |
| `{name}:cancel` | cancelled | every unit of a cancelled order |
| `{name}:refund` | refunded | the refunded units |

Each is a function of the order's current state only, and all three are written
every time the order is read (an empty one removes a stored one), so an order read
again after a partial refund, a full refund or a cancellation moves its units to
the right store order, and reading it twice writes the same rows. `{name}` is the
order's name, as the Shopify CSV export's `Name`, so an order imported from an
export before is updated, not doubled.

| Shopify | store |
| --- | --- |
| `cancelledAt` set | every unit cancelled (`{name}:cancel`) |
| `displayFinancialStatus` REFUNDED | every unit refunded (`{name}:refund`) |
| PAID, PARTIALLY_REFUNDED | refunded units (`refundLineItems`) refunded, the rest paid |
| VOIDED, EXPIRED | every unit cancelled (the CSV import's rule) |
| PENDING, AUTHORIZED, PARTIALLY_PAID | not a completed sale: not written (read again once paid) |
| a test order (`test`, the Bogus Gateway's) | not a sale: not written |
| another status | as PAID, logged |

A refund of an amount without lines (a goodwill refund, shipping) moves no units:
the CSV import does not model a partial amount either. A line is the line item's
SKU (else its name), its name (`Product - Variant`, as Shopify writes it), its
units and its unit price after every discount
(`discountedUnitPriceAfterAllDiscountsSet`, in the shop's currency, in minor
units); refunded units keep that price, so a partial refund takes exactly their
part of the order's revenue. The order's time is `processedAt` (the date Shopify's
own reports use), else `createdAt`; its customer the Shopify customer id (the
`gid://shopify/Customer/...`) and display name.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from storage.connectors._source import ProductStock
from storage.importing import ParsedLine, ParsedOrder
from storage.importing.values import BadValue, parse_money

log = logging.getLogger(__name__)

PAID, CANCELLED, REFUNDED = "paid", "cancelled", "refunded"
SUFFIXES = {PAID: "", CANCELLED: ":cancel", REFUNDED: ":refund"}
NOT_COMPLETED = frozenset({"PENDING", "AUTHORIZED", "PARTIALLY_PAID"})
ALL_CANCELLED = frozenset({"VOIDED", "EXPIRED"})
KNOWN = frozenset({"PAID", "PARTIALLY_REFUNDED", "REFUNDED"}) | NOT_COMPLETED | ALL_CANCELLED
NAME_LENGTH = 300
SKU_LENGTH = 100
DEFAULT_TITLE = "Default Title"


def parse_time(value: str) -> dt.datetime:
    """An API DateTime ("2024-11-20T01:00:00Z") as an aware UTC datetime."""
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(dt.UTC)


def format_time(at: dt.datetime) -> str:
    """An instant as the API's search syntax takes it (UTC, seconds)."""
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def money(bag: Mapping[str, Any] | None) -> int:
    """A MoneyBag's shop amount in minor units of its currency (rounded half up)."""
    shop = (bag or {}).get("shopMoney") or {}
    try:
        return parse_money(
            str(shop.get("amount") or "0"), str(shop.get("currencyCode") or "KRW"), exact=False
        )
    except BadValue:
        log.warning("unreadable Shopify amount %r counted as 0", shop.get("amount"))
        return 0


def nodes(connection: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The nodes of a connection (`edges { node }`); a plain list passes through."""
    if connection is None:
        return []
    if isinstance(connection, list):
        return connection
    return [edge["node"] for edge in connection.get("edges") or []]


def truncated(order: Mapping[str, Any]) -> bool:
    """Whether the order's lines or a refund's lines were cut at the page size."""
    lines = order.get("lineItems")
    if isinstance(lines, Mapping) and (lines.get("pageInfo") or {}).get("hasNextPage"):
        return True
    for refund in order.get("refunds") or []:
        items = refund.get("refundLineItems")
        if isinstance(items, Mapping) and (items.get("pageInfo") or {}).get("hasNextPage"):
            return True
    return False


def has_refunds(order: Mapping[str, Any]) -> bool:
    return bool(order.get("refunds"))


@dataclass(frozen=True, slots=True)
class _Units:
    sku: str | None
    name: str
    unit_price: int
    quantity: int


def _line_units(line: Mapping[str, Any]) -> _Units:
    sku = str(line.get("sku") or "").strip()[:SKU_LENGTH] or None
    name = str(line.get("name") or sku or "?")[:NAME_LENGTH]
    price = money(line.get("discountedUnitPriceAfterAllDiscountsSet"))
    return _Units(sku, name, price, int(line.get("quantity") or 0))


def _refunded(order: Mapping[str, Any]) -> dict[str, int]:
    """Refunded units per line item id, over every refund of the order."""
    counts: dict[str, int] = {}
    for refund in order.get("refunds") or []:
        for item in nodes(refund.get("refundLineItems")):
            line_id = str((item.get("lineItem") or {}).get("id") or "")
            counts[line_id] = counts.get(line_id, 0) + int(item.get("quantity") or 0)
    return counts


def _status(order: Mapping[str, Any]) -> str | None:
    """How the order's units split: CANCELLED / REFUNDED (all of them), PAID (less the
    refunded units), None: not a completed sale."""
    financial = str(order.get("displayFinancialStatus") or "")
    if order.get("test"):
        return None
    if order.get("cancelledAt") or financial in ALL_CANCELLED:
        return CANCELLED
    if financial in NOT_COMPLETED:
        return None
    if financial == "REFUNDED":
        return REFUNDED
    if financial not in KNOWN:
        log.warning("unknown Shopify financial status %r counted as paid", financial)
    return PAID


def store_orders(order: Mapping[str, Any]) -> list[ParsedOrder]:
    """The three store orders of one Shopify order (see the module docstring); [] when
    it is not a completed sale."""
    split = _status(order)
    if split is None:
        return []
    buckets: dict[str, list[_Units]] = {PAID: [], CANCELLED: [], REFUNDED: []}
    refunded = _refunded(order) if split == PAID else {}
    for line in nodes(order.get("lineItems")):
        units = _line_units(line)
        if units.quantity <= 0:
            continue
        if split != PAID:
            buckets[split].append(units)
            continue
        back = min(refunded.get(str(line.get("id")), 0), units.quantity)
        if back:
            buckets[REFUNDED].append(_Units(units.sku, units.name, units.unit_price, back))
        if units.quantity - back:
            kept = units.quantity - back
            buckets[PAID].append(_Units(units.sku, units.name, units.unit_price, kept))
    at = order.get("processedAt") or order.get("createdAt")
    ordered_at = parse_time(str(at))
    customer = order.get("customer") or {}
    customer_id = str(customer["id"]) if customer.get("id") else None
    name = customer.get("displayName")
    return [
        ParsedOrder(
            external_id=f"{order['name']}{SUFFIXES[status]}",
            line=0,
            ordered_at=ordered_at,
            status=status,
            customer=customer_id,
            customer_name=str(name)[:200] if name else None,
            lines=tuple(
                ParsedLine(number, u.sku, u.name, u.quantity, u.unit_price)
                for number, u in enumerate(units, start=1)
            ),
        )
        for status, units in buckets.items()
    ]


def orders_of(raw: Iterable[Mapping[str, Any]]) -> tuple[ParsedOrder, ...]:
    return tuple(order for node in raw for order in store_orders(node))


def bulk_orders(lines: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The orders of a bulk operation's JSONL objects, in the file's order: an order
    is an object without `__parentId`, its line items the objects whose
    `__parentId` is the order's id (wherever they are in the file: without grouping,
    Shopify does not promise they follow their order). Each order gets `lineItems`
    as a list."""
    orders: dict[str, dict[str, Any]] = {}
    children: dict[str, list[dict[str, Any]]] = {}
    for obj in lines:
        parent = obj.get("__parentId")
        if parent is None:
            orders[str(obj["id"])] = {**obj, "lineItems": children.setdefault(str(obj["id"]), [])}
        else:
            children.setdefault(str(parent), []).append(dict(obj))
    return list(orders.values())


def variant_stock(variant: Mapping[str, Any], currency: str) -> ProductStock:
    """A product variant as the store keeps it (`price` is in the shop's `currency`):
    stock None when Shopify does not track its inventory, 0 when it is oversold."""
    product = variant.get("product") or {}
    title = str(product.get("title") or "").strip()
    option = str(variant.get("title") or "").strip()
    name = title if not option or option == DEFAULT_TITLE else f"{title} - {option}"
    sku = str(variant.get("sku") or "").strip()[:SKU_LENGTH] or None
    tracked = (variant.get("inventoryItem") or {}).get("tracked")
    quantity = variant.get("inventoryQuantity")
    price = variant.get("price")
    return ProductStock(
        sku=sku,
        name=(name or sku or "?")[:NAME_LENGTH],
        price=_price(price, currency),
        stock=max(int(quantity), 0) if tracked and quantity is not None else None,
        category=str(product.get("productType") or "").strip() or None,
    )


def _price(value: Any, currency: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, Mapping):  # a MoneyV2 {amount, currencyCode}
        currency, value = str(value.get("currencyCode") or currency), value.get("amount")
    try:
        return parse_money(str(value), currency, exact=False)
    except BadValue:
        return None


def split(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
