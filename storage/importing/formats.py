"""Order export formats: which header names carry which field, and what statuses mean.

Generic fields (one row per order line; order-level fields may repeat on every
line of an order or be left blank after its first line):

    order_id       required  the export's order id; stored as orders.external_id
    ordered_at     required  timestamp; with an offset it is converted to UTC,
                             without one it is the seller's local time
    status         required  paid, cancelled (canceled), refunded, or a Naver
                             status word (the table below)
    sku            required  product code within the seller; a blank SKU falls
                             back to the product name
    quantity       required  positive whole number
    unit_price     required  '12,000', '12000.00', '₩12,000' in the seller's currency
    product_name   optional  name for a product the import creates
    customer       optional  customer id or e-mail (e-mails are lower-cased);
                             also Naver's 구매자ID
    customer_name  optional  name for a customer the import creates (구매자명)
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

Naver status words (주문상태 and 주문세부상태 of a Smart Store export; the
generic format reads them in its status column too):

    결제대기, 입금대기, 미결제취소              not completed: skipped and counted
    결제완료, 신규주문, 발주확인, 발송대기,     paid
    배송준비, 배송중, 배송완료, 구매확정,
    교환, 교환완료
    취소요청, 반품요청, 교환요청, 수거중,       paid: a claim not done yet (the
    수거완료, 취소거부, 반품거부, 교환거부,     sale stands until it is)
    반품보류, 교환보류, 취소철회, 반품철회
    취소, 취소완료, 직권취소, 직권취소완료      cancelled
    반품, 반품완료, 환불, 환불완료              refunded

Smart Store Center's order export (--format smartstore; the .xlsx Naver
downloads, encrypted with the password chosen at download, or the same
columns saved as CSV): the header row is found by its columns (상품주문번호
and 주문번호), so guide rows above it do no harm. One row is one product
order (상품주문번호) with its own status; rows are grouped by 주문번호 and
each order is stored as up to three orders, as the Naver Commerce connector
stores them: `{주문번호}` (paid), `{주문번호}:cancel` (its cancelled product
orders) and `{주문번호}:refund` (its returned ones), so a cancelled or
returned product order leaves revenue while the rest of the order stands.
A product order's status is its 주문세부상태 when that word is in the table
above, else its 주문상태. Columns read (older names after the slash):

    주문번호 / 상품주문번호          the order and the product order
    결제일                          the order's time (payment); 주문일시
                                    when the file has no 결제일 column
    판매자 상품코드, else 상품번호    SKU; 상품명 the product's name
    수량                            quantity
    최종 상품별 총 주문금액 /         what the buyer paid for the line after
      상품별 총 주문금액             discounts (delivery fee aside); the unit
                                    price is it divided by 수량 (two lines
                                    when it does not divide evenly). Without
                                    that column: (상품가격 + 옵션가격) x 수량
                                    - 최종 상품별 할인액 / 상품별 할인액
    구매자ID, 구매자명               the customer
    주문상태, 주문세부상태            the status (table above)

Every other column (옵션정보, 정산예정금액, 유입경로, delivery and recipient
columns, ...) is listed as "not used" in the import report.
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
    export status -> our status, None meaning 'not a completed sale, skip the order'.

    product_orders: one row is a product order with its own status (Smart Store),
    read by `storage.importing.smartstore`; otherwise one row is an order line."""

    name: str
    columns: Mapping[str, tuple[str, ...]]
    statuses: Mapping[str, str | None]
    product_orders: bool = False

    def with_mapping(self, mapping: Mapping[str, str]) -> OrderFormat:
        """The same format with the user's own column names for some fields."""
        columns = dict(self.columns)
        columns.update({field: (column,) for field, column in mapping.items()})
        return replace(self, name=f"{self.name}+map", columns=columns)


def normalize_status(value: str) -> str:
    return "_".join(value.replace("-", " ").split()).casefold()


NAVER_STATUSES: dict[str, str | None] = {
    **dict.fromkeys(("결제대기", "입금대기", "미결제취소"), None),
    **dict.fromkeys(
        ("결제완료", "신규주문", "발주확인", "발송대기", "배송준비", "배송중", "배송완료"),
        "paid",
    ),
    **dict.fromkeys(("구매확정", "교환", "교환완료"), "paid"),
    **dict.fromkeys(
        ("취소요청", "반품요청", "교환요청", "수거중", "수거완료", "취소거부", "반품거부"),
        "paid",
    ),
    **dict.fromkeys(("교환거부", "반품보류", "교환보류", "취소철회", "반품철회"), "paid"),
    **dict.fromkeys(("취소", "취소완료", "직권취소", "직권취소완료"), "cancelled"),
    **dict.fromkeys(("반품", "반품완료", "환불", "환불완료"), "refunded"),
}
"""Naver's order status words (주문상태, 주문세부상태) -> the store's (module docstring)."""

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
        "customer": ("customer", "customer_id", "email", "고객id", "고객", "구매자id"),
        "customer_name": ("customer_name", "고객명", "구매자명"),
        "currency": ("currency", "통화"),
        "cancelled_at": ("cancelled_at", "취소일시"),
        "stock": ("stock", "inventory", "재고", "재고수량"),
    },
    statuses={
        "paid": "paid",
        "cancelled": "cancelled",
        "canceled": "cancelled",
        "refunded": "refunded",
        **NAVER_STATUSES,
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

SMARTSTORE = OrderFormat(
    name="smartstore",
    columns={
        "order_id": ("주문번호",),
        "product_order_id": ("상품주문번호",),
        "ordered_at": ("결제일",),
        "placed_at": ("주문일시",),
        "status": ("주문상태",),
        "detail_status": ("주문세부상태",),
        "sku": ("판매자 상품코드",),
        "product_no": ("상품번호",),
        "product_name": ("상품명",),
        "quantity": ("수량",),
        "line_total": ("최종 상품별 총 주문금액", "상품별 총 주문금액"),
        "unit_price": ("상품가격",),
        "option_price": ("옵션가격",),
        "discount": ("최종 상품별 할인액", "상품별 할인액"),
        "customer": ("구매자ID",),
        "customer_name": ("구매자명",),
    },
    statuses=NAVER_STATUSES,
    product_orders=True,
)

FORMATS = {fmt.name: fmt for fmt in (GENERIC, SHOPIFY, SMARTSTORE)}


def detect_format(header: tuple[str, ...]) -> OrderFormat:
    """Shopify or Smart Store when its signature columns are there, otherwise generic."""
    names = {name.strip().casefold() for name in header}
    if {"financial status", "lineitem quantity"} <= names:
        return SHOPIFY
    return SMARTSTORE if {"상품주문번호", "주문번호"} <= names else GENERIC


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
