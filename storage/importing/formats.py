"""Order export formats: which header names carry which field, and what statuses mean.

Generic fields (one row per order line; order-level fields may repeat on every
line of an order or be left blank after its first line):

    order_id       required  the export's order id; stored as orders.external_id
    ordered_at     required  timestamp; with an offset it is converted to UTC,
                             without one it is the seller's local time
    status         required  paid, cancelled (canceled), refunded; also 결제완료,
                             구매확정 (paid), 취소 (cancelled), 환불, 반품 (refunded)
    sku            required  product code within the seller; a blank SKU falls
                             back to the product name
    quantity       required  positive whole number
    unit_price     required  '12,000', '12000.00', '₩12,000' in the seller's currency
    product_name   optional  name for a product the import creates
    customer       optional  customer id or e-mail (e-mails are lower-cased)
    customer_name  optional  name for a customer the import creates
    currency       optional  must equal the seller's currency when given
    cancelled_at   optional  when set, a paid order is stored as cancelled
    stock          optional  units on hand of the line's product when the file was
                             exported (a whole number, not negative). A product
                             the import creates without one has unknown stock
                             (NULL, never 0); a filled cell sets the product's
                             stock, also on a later import of orders already
                             imported. When a product's rows disagree, the row of
                             its latest order wins (ties: the later row).

Shopify's order export maps `Financial Status`: paid and partially_refunded ->
paid (the sale stands; a partial refund amount is not modelled), refunded ->
refunded, voided and expired -> cancelled. pending, authorized and
partially_paid are not completed sales: those orders are skipped and counted
("not completed"), so a later export imports them once they are paid.
A line's price is its `Lineitem price`; order-level discounts, shipping and
taxes are not spread over the lines. The order export carries no stock: map a
column with --map (`stock: "Inventory"`) when one is added.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

ORDER_FIELDS = (
    "order_id",
    "ordered_at",
    "status",
    "sku",
    "quantity",
    "unit_price",
    "product_name",
    "customer",
    "customer_name",
    "currency",
    "cancelled_at",
    "stock",
)
REQUIRED_ORDER_FIELDS = ("order_id", "ordered_at", "status", "sku", "quantity", "unit_price")


class MappingError(ValueError):
    """A --map file that cannot be used; the message is safe to show."""


@dataclass(frozen=True, slots=True)
class OrderFormat:
    """Header aliases per field (the first is the name reported when it is missing) and
    export status -> our status, None meaning 'not a completed sale, skip the order'."""

    name: str
    columns: Mapping[str, tuple[str, ...]]
    statuses: Mapping[str, str | None]

    def with_mapping(self, mapping: Mapping[str, str]) -> OrderFormat:
        """The same format with the user's own column names for some fields."""
        columns = dict(self.columns)
        columns.update({field: (column,) for field, column in mapping.items()})
        return replace(self, name=f"{self.name}+map", columns=columns)


def normalize_status(value: str) -> str:
    return "_".join(value.replace("-", " ").split()).casefold()


GENERIC = OrderFormat(
    name="generic",
    columns={
        "order_id": ("order_id", "order id", "주문번호"),
        "ordered_at": ("ordered_at", "order date", "주문일시", "주문일"),
        "status": ("status", "order status", "주문상태"),
        "sku": ("sku", "product_code", "상품코드"),
        "quantity": ("quantity", "qty", "수량"),
        "unit_price": ("unit_price", "price", "단가", "판매가"),
        "product_name": ("product_name", "product", "상품명"),
        "customer": ("customer", "customer_id", "email", "고객id", "고객"),
        "customer_name": ("customer_name", "고객명"),
        "currency": ("currency", "통화"),
        "cancelled_at": ("cancelled_at", "취소일시"),
        "stock": ("stock", "inventory", "재고", "재고수량"),
    },
    statuses={
        "paid": "paid",
        "cancelled": "cancelled",
        "canceled": "cancelled",
        "refunded": "refunded",
        "결제완료": "paid",
        "구매확정": "paid",
        "취소": "cancelled",
        "환불": "refunded",
        "반품": "refunded",
    },
)

SHOPIFY = OrderFormat(
    name="shopify",
    columns={
        "order_id": ("Name",),
        "ordered_at": ("Created at",),
        "status": ("Financial Status",),
        "sku": ("Lineitem sku",),
        "quantity": ("Lineitem quantity",),
        "unit_price": ("Lineitem price",),
        "product_name": ("Lineitem name",),
        "customer": ("Email",),
        "customer_name": ("Billing Name",),
        "currency": ("Currency",),
        "cancelled_at": ("Cancelled at",),
    },
    statuses={
        "paid": "paid",
        "partially_refunded": "paid",
        "refunded": "refunded",
        "voided": "cancelled",
        "expired": "cancelled",
        "pending": None,
        "authorized": None,
        "partially_paid": None,
    },
)

FORMATS = {fmt.name: fmt for fmt in (GENERIC, SHOPIFY)}


def detect_format(header: tuple[str, ...]) -> OrderFormat:
    """Shopify when its signature columns are there, otherwise generic."""
    names = {name.strip().casefold() for name in header}
    return SHOPIFY if {"financial status", "lineitem quantity"} <= names else GENERIC


def choose_format(
    name: str | None, header: tuple[str, ...], mapping: Mapping[str, str] | None = None
) -> OrderFormat:
    """The named format (or the detected one; generic when a mapping is given), mapped."""
    if name is None:
        fmt = GENERIC if mapping else detect_format(header)
    elif name in FORMATS:
        fmt = FORMATS[name]
    else:
        raise MappingError(f"unknown format {name!r} (use one of: {', '.join(FORMATS)})")
    return fmt.with_mapping(mapping) if mapping else fmt


def parse_mapping(text: str, source: str = "mapping") -> dict[str, str]:
    """YAML `generic_field: "Their Column"` pairs, checked against the generic fields."""
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError(f"{source}: not valid YAML ({exc.__class__.__name__})") from exc
    if not isinstance(loaded, dict) or not loaded:
        raise MappingError(f"{source}: expected lines like 'order_id: \"Their Column\"'")
    mapping: dict[str, str] = {}
    for field, column in loaded.items():
        if field not in ORDER_FIELDS:
            raise MappingError(
                f"{source}: unknown field {field!r} (known: {', '.join(ORDER_FIELDS)})"
            )
        if not isinstance(column, str | int) or not str(column).strip():
            raise MappingError(f"{source}: field {field!r} needs a column name")
        mapping[field] = str(column).strip()
    return mapping


def load_mapping(path: Path) -> dict[str, str]:
    return parse_mapping(path.read_text(encoding="utf-8"), str(path))
