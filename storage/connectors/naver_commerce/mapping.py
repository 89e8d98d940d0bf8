"""Naver product orders -> the store's orders; channel products -> `ProductStock`.

A Naver order (`orderId`) holds one product order (`productOrderId`) per product and
option bought. Each product order has its own status, so one order can be partly
cancelled or returned while the rest stands. The store's order status is one of
paid, cancelled, refunded, and a refund must leave revenue the day it happens, so
an order is written as up to three store orders, one per status, each holding the
product orders in that status as its lines:

| store order | status | lines |
| --- | --- | --- |
| `{orderId}` | paid | the product orders still paid (shipping, delivered, decided, exchanged) |
| `{orderId}:cancel` | cancelled | the cancelled product orders |
| `{orderId}:refund` | refunded | the returned product orders |

A product order never comes back from cancelled or returned, so `:cancel` and
`:refund` only gain lines; when the last paid product order leaves, `{orderId}` is
written with no lines, which removes it. Each is a function of the product orders'
current state only, so reading an order again (a re-read page, an overlapping
window, a backfill after incremental syncs) writes the same rows.

Product order status (`productOrderStatus`, and `claimStatus` where the status lags):

| Naver | store |
| --- | --- |
| PAYMENT_WAITING | not an order yet (not paid) |
| PAYED, DELIVERING, DELIVERED, PURCHASE_DECIDED, EXCHANGED | paid |
| CANCELED; or claimStatus CANCEL_DONE, ADMIN_CANCEL_DONE | cancelled |
| RETURNED; or claimStatus RETURN_DONE | refunded |
| CANCELED_BY_NOPAYMENT | not an order (never paid) |
| a claim requested, collecting, rejected, on hold | paid (until it is done) |
| an unknown status | paid, logged |

A line is the product order's product (SKU: the seller's product code
`sellerProductCode`, else the channel product number `productId`; name:
`productName`), its quantity and the amount the buyer paid for it after discounts,
delivery fee aside (`totalPaymentAmount`): quantity × unit price equals that amount,
as two lines when it does not divide evenly (e.g. 3 units for 10,000: 2 at 3,333 and
1 at 3,334). The order's time is its payment time (`paymentDate`); its customer the
orderer's Naver ID (`ordererId`, else `ordererNo`) and name.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from storage.connectors._source import ProductStock
from storage.importing import ParsedLine, ParsedOrder

log = logging.getLogger(__name__)

KST = ZoneInfo("Asia/Seoul")
PAID, CANCELLED, REFUNDED = "paid", "cancelled", "refunded"

STATUSES: dict[str, str | None] = {
    "PAYMENT_WAITING": None,
    "PAYED": PAID,
    "DELIVERING": PAID,
    "DELIVERED": PAID,
    "PURCHASE_DECIDED": PAID,
    "EXCHANGED": PAID,
    "CANCELED": CANCELLED,
    "RETURNED": REFUNDED,
    "CANCELED_BY_NOPAYMENT": None,
}
CLAIMS_DONE = {"CANCEL_DONE": CANCELLED, "ADMIN_CANCEL_DONE": CANCELLED, "RETURN_DONE": REFUNDED}
SUFFIXES = {PAID: "", CANCELLED: ":cancel", REFUNDED: ":refund"}
NAME_LENGTH = 300
SKU_LENGTH = 100


def store_status(status: str | None, claim_status: str | None) -> str | None:
    """The store's status of a product order; None: not an order (never paid)."""
    if status not in STATUSES:
        log.warning("unknown Naver product order status %r counted as paid", status)
    base = STATUSES.get(status or "", PAID)
    if base == PAID and claim_status in CLAIMS_DONE:
        return CLAIMS_DONE[claim_status or ""]
    return base


def claim_done(row: Mapping[str, Any]) -> bool:
    """Whether a change row (last-changed-statuses) may have left the paid status: the
    only changes to an order already written that change what the store holds."""
    status = store_status(row.get("productOrderStatus"), row.get("claimStatus"))
    return status in (CANCELLED, REFUNDED) or row.get("lastChangedType") == "CLAIM_COMPLETED"


def parse_time(value: str) -> dt.datetime:
    """An API date-time ("2024-11-20T10:00:00.000+09:00") as an aware UTC datetime."""
    return dt.datetime.fromisoformat(value).astimezone(dt.UTC)


def format_time(at: dt.datetime) -> str:
    """An instant as the API writes it: Korean time with milliseconds."""
    local = at.astimezone(KST)
    return f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond // 1000:03d}+09:00"


def _sku(product_order: Mapping[str, Any]) -> str | None:
    code = product_order.get("sellerProductCode") or product_order.get("productId")
    return str(code)[:SKU_LENGTH] if code else None


def _lines(product_order: Mapping[str, Any], first: int) -> list[ParsedLine]:
    quantity = int(product_order.get("quantity") or 1)
    amount = product_order.get("totalPaymentAmount")
    if amount is None:
        amount = int(product_order.get("unitPrice") or 0) * quantity
    base, extra = divmod(int(amount), quantity)
    sku = _sku(product_order)
    name = str(product_order.get("productName") or sku or "?")[:NAME_LENGTH]
    parts = [(quantity - extra, base), (extra, base + 1)]
    return [
        ParsedLine(first + index, sku, name, count, price)
        for index, (count, price) in enumerate(part for part in parts if part[0] > 0)
    ]


def store_orders(order_id: str, details: Iterable[Mapping[str, Any]]) -> list[ParsedOrder]:
    """The store orders of one Naver order from ALL its product orders' details
    (`{"order": ..., "productOrder": ...}` as the API answers), see the module
    docstring; [] when none of them was paid."""
    by_status: dict[str, list[Mapping[str, Any]]] = {PAID: [], CANCELLED: [], REFUNDED: []}
    header: Mapping[str, Any] | None = None
    for detail in sorted(details, key=lambda d: str(d["productOrder"]["productOrderId"])):
        product_order = detail["productOrder"]
        status = store_status(
            product_order.get("productOrderStatus"), product_order.get("claimStatus")
        )
        if status is None:
            continue
        by_status[status].append(product_order)
        header = header or detail.get("order") or {}
    if header is None:
        return []
    paid_at = header.get("paymentDate") or next(
        po.get("paymentDate") for group in by_status.values() for po in group
    )
    ordered_at = parse_time(str(paid_at))
    customer = header.get("ordererId") or header.get("ordererNo")
    name = header.get("ordererName")
    orders = []
    for status, product_orders in by_status.items():
        if not product_orders and not (status == PAID and orders_claimed(by_status)):
            continue
        lines: list[ParsedLine] = []
        for product_order in product_orders:
            lines += _lines(product_order, len(lines) + 1)
        orders.append(
            ParsedOrder(
                external_id=f"{order_id}{SUFFIXES[status]}",
                line=0,
                ordered_at=ordered_at,
                status=status if lines else CANCELLED,
                customer=str(customer) if customer else None,
                customer_name=str(name) if name else None,
                lines=tuple(lines),
            )
        )
    return orders


def orders_claimed(by_status: Mapping[str, list[Mapping[str, Any]]]) -> bool:
    return bool(by_status[CANCELLED] or by_status[REFUNDED])


def product_stock(channel_product: Mapping[str, Any]) -> ProductStock:
    """A channel product of `POST /v1/products/search` as the store keeps it."""
    code = channel_product.get("sellerManagementCode") or channel_product.get("channelProductNo")
    price = channel_product.get("discountedPrice") or channel_product.get("salePrice")
    stock = channel_product.get("stockQuantity")
    category = channel_product.get("wholeCategoryName") or channel_product.get("categoryName")
    return ProductStock(
        sku=str(code)[:SKU_LENGTH] if code else None,
        name=str(channel_product.get("name") or code or "?")[:NAME_LENGTH],
        price=int(price) if price is not None else None,
        stock=int(stock) if stock is not None else None,
        category=str(category).split(">")[-1].strip() or None if category else None,
    )
