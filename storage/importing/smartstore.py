"""Smart Store Center order exports -> typed orders (see `formats` for the columns and the
status table). Pure: no database.

One row is a product order (상품주문번호) with its own status. The product orders of an
order (주문번호) are stored as up to three orders, as the Naver Commerce connector
(`storage.connectors.naver_commerce.mapping`) stores them, so a file imported before the
store is connected (or after) names the same orders with the same lines:

    `{주문번호}`          paid      the product orders that stand
    `{주문번호}:cancel`   cancelled the cancelled product orders
    `{주문번호}:refund`   refunded  the returned product orders

When no product order of a claimed order stands, `{주문번호}` is given with no lines
(cancelled), which removes one a previous import stored. An order none of whose
product orders was paid (결제대기, 미결제취소) is skipped and counted as not completed.
Within an order, product orders are taken in 상품주문번호 order; a line's amount is
what the buyer paid for it (최종 상품별 총 주문금액), as whole units at amount //
quantity and, when it does not divide evenly, a second line one unit dearer
(3 for 10,000: 2 at 3,333 and 1 at 3,334).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from storage.importing.csvfile import (
    Column,
    CsvTable,
    RowReader,
    find_columns,
    normalize_header,
    read_table,
    unused_columns,
)
from storage.importing.formats import OrderFormat, normalize_status
from storage.importing.order_rows import (
    ParsedLine,
    ParsedOrder,
    ParsedOrders,
    bounded_orders,
    read_quantity,
)
from storage.importing.report import RowError
from storage.importing.values import (
    BadValue,
    parse_money,
    parse_timestamp,
)
from storage.importing.xlsx import is_workbook, read_workbook

PAID, CANCELLED, REFUNDED = "paid", "cancelled", "refunded"
SUFFIXES = {PAID: "", CANCELLED: ":cancel", REFUNDED: ":refund"}
LIMITS = {"order_id": 90, "product_order_id": 100, "sku": 100, "product_name": 300}
CUSTOMER_LIMITS = {"customer": 200, "customer_name": 200}
REQUIRED = ("order_id", "product_order_id", "status", "quantity")
# a field the file may lack when it has the other one (the first is named when both lack)
EITHER = (("ordered_at", "placed_at"), ("product_no", "sku"), ("line_total", "unit_price"))
# read only when the file lacks the field they stand in for
FALLBACKS = {"ordered_at": ("placed_at",), "line_total": ("unit_price", "option_price", "discount")}
_EXCEL_SERIAL = re.compile(r"\d{5}(\.\d+)?")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # noqa: DTZ001 - a wall-clock origin


def header_test(fmt: OrderFormat) -> tuple[str, ...]:
    """The normalised names a header row must hold: the order and product order columns."""
    return tuple(
        normalize_header(fmt.columns[name][0]) for name in ("product_order_id", "order_id")
    )


def read_export(
    data: bytes, source: str, fmt: OrderFormat, *, password: str | None = None
) -> CsvTable:
    """The export's table: an .xlsx workbook (decrypted with `password`) or CSV bytes,
    its header the first row holding the 상품주문번호 and 주문번호 columns."""
    needed = header_test(fmt)

    def is_header(cells: Sequence[str]) -> bool:
        names = {normalize_header(cell) for cell in cells}
        return all(name in names for name in needed)

    names = " and ".join(fmt.columns[name][0] for name in ("product_order_id", "order_id"))
    no_header = f"no header row with the columns {names} (not a Smart Store order export?)"
    if is_workbook(data):
        return read_workbook(
            data, source, password=password, is_header=is_header, no_header=no_header
        )
    return read_table(data, source, is_header=is_header, no_header=no_header)


@dataclass(frozen=True, slots=True)
class _ProductOrder:
    product_order_id: str
    line: int
    status: str | None
    lines: tuple[ParsedLine, ...]


@dataclass(slots=True)
class _Draft:
    line: int
    header: dict[str, object] = field(default_factory=dict)
    product_orders: list[_ProductOrder] = field(default_factory=list)
    broken: bool = False


def _columns(table: CsvTable, fmt: OrderFormat) -> tuple[dict[str, Column], list[str]]:
    found, missing = find_columns(table.header, fmt.columns, REQUIRED)
    for first, second in EITHER:
        if first not in found and second not in found:
            missing.append(fmt.columns[first][0])
    for primary, standins in FALLBACKS.items():
        if primary in found:
            for name in standins:
                found.pop(name, None)
    return found, missing


def parse_product_orders(
    table: CsvTable, fmt: OrderFormat, *, timezone: ZoneInfo, currency: str
) -> ParsedOrders:
    """Typed orders of a Smart Store export for a seller in `timezone` selling in
    `currency` (module docstring). Every problem is reported; an order with any problem
    is left out, and a caller writes nothing unless `errors` is empty."""
    errors = list(table.errors)
    if not table.header:
        return ParsedOrders(table.source, (), 0, tuple(errors))
    columns, missing = _columns(table, fmt)
    if missing:
        errors += [RowError(table.source, 1, f"missing column '{name}'") for name in missing]
        return ParsedOrders(table.source, (), 0, tuple(sorted(errors, key=lambda e: e.line)))

    drafts: dict[str, _Draft] = {}
    seen: dict[str, int] = {}
    for row in table.rows:
        reader = RowReader(table.source, row, columns)
        order_id = reader.text("order_id", limit=LIMITS["order_id"], required=True)
        product_order_id = reader.text(
            "product_order_id", limit=LIMITS["product_order_id"], required=True
        )
        if product_order_id is not None:
            if product_order_id in seen:
                reader.problem("product_order_id", f"repeats line {seen[product_order_id]}")
            seen.setdefault(product_order_id, row.line)
        status = _status(reader, fmt)
        header = _order_level(reader, timezone, paid=status is not None)
        lines = _lines(reader, currency)
        if order_id is None:
            errors += reader.errors
            continue
        draft = drafts.setdefault(order_id, _Draft(row.line))
        for name, value in header.items():
            known = draft.header.setdefault(name, value)
            if known != value:
                column = name if name in columns else "placed_at"
                reader.problem(column, f"differs from line {draft.line} of the same order")
        if product_order_id is not None and lines is not None and status != "?":
            draft.product_orders.append(_ProductOrder(product_order_id, row.line, status, lines))
        draft.broken |= bool(reader.errors)
        errors += reader.errors

    orders: list[ParsedOrder] = []
    not_completed = 0
    for order_id, draft in drafts.items():
        if draft.broken:
            continue
        made = _store_orders(order_id, draft)
        not_completed += not made
        orders += made
    orders, too_large = bounded_orders(table.source, orders, currency)
    errors += too_large
    errors.sort(key=lambda error: error.line)
    unused = unused_columns(table.header, columns.values())
    return ParsedOrders(table.source, tuple(orders), not_completed, tuple(errors), unused)


def _status(reader: RowReader, fmt: OrderFormat) -> str | None:
    """The store's status of the row's product order: its 주문세부상태 when the table
    knows that word, else its 주문상태; '?' when neither can be read (a problem)."""
    detail = normalize_status(reader.raw("detail_status"))
    if detail and detail in fmt.statuses:
        return fmt.statuses[detail]
    raw = reader.raw("status")
    if not raw:
        reader.problem("status", "missing value")
        return "?"
    key = normalize_status(raw)
    if key not in fmt.statuses:
        reader.problem("status", "unknown status")
        return "?"
    return fmt.statuses[key]


def _timestamp(raw: str, timezone: ZoneInfo) -> dt.datetime:
    """A cell's time; an Excel serial number (46196.98: days since 1899-12-30, wall clock)
    as a workbook stores a date cell without a date format."""
    if _EXCEL_SERIAL.fullmatch(raw):
        local = _EXCEL_EPOCH + dt.timedelta(days=float(raw))
        raw = local.replace(microsecond=0).isoformat(sep=" ")
    return parse_timestamp(raw, timezone)


def _order_level(reader: RowReader, timezone: ZoneInfo, *, paid: bool) -> dict[str, object]:
    """The order's time and buyer as this row gives them (blank cells left out); a paid
    product order needs a time."""
    values: dict[str, object] = {}
    name = "ordered_at" if "ordered_at" in reader.columns else "placed_at"
    raw = reader.raw(name)
    if raw:
        try:
            values["ordered_at"] = _timestamp(raw, timezone)
        except BadValue as exc:
            reader.problem(name, str(exc))
    elif paid:
        reader.problem(name, "missing value")
    for key, limit in CUSTOMER_LIMITS.items():
        text = reader.text(key, limit=limit)
        if text is not None:
            values[key] = text
    return values


def _money(reader: RowReader, name: str, currency: str) -> int | None:
    raw = reader.raw(name)
    if not raw:
        return 0
    try:
        return parse_money(raw, currency)
    except BadValue as exc:
        reader.problem(name, str(exc))
        return None


def _amount(reader: RowReader, quantity: int | None, currency: str) -> int | None:
    """What the buyer paid for the product order, discounts taken off."""
    if "line_total" in reader.columns:
        if not reader.raw("line_total"):
            reader.problem("line_total", "missing value")
            return None
        return _money(reader, "line_total", currency)
    if not reader.raw("unit_price"):
        reader.problem("unit_price", "missing value")
        return None
    price, option, discount = (
        _money(reader, name, currency) for name in ("unit_price", "option_price", "discount")
    )
    if price is None or option is None or discount is None or quantity is None:
        return None
    amount = (price + option) * quantity - discount
    if amount < 0:
        reader.problem("discount", "larger than the product order's price")
        return None
    return amount


def _lines(reader: RowReader, currency: str) -> tuple[ParsedLine, ...] | None:
    sku = reader.text("sku", limit=LIMITS["sku"]) or reader.text("product_no", limit=LIMITS["sku"])
    name = reader.text("product_name", limit=LIMITS["product_name"]) or sku
    if name is None:
        reader.problem("product_no" if "product_no" in reader.columns else "sku", "missing value")
    quantity = read_quantity(reader)
    amount = _amount(reader, quantity, currency)
    if name is None or quantity is None or amount is None:
        return None
    base, extra = divmod(amount, quantity)
    parts = [(quantity - extra, base), (extra, base + 1)]
    line = reader.row.line
    return tuple(ParsedLine(line, sku, name, count, price) for count, price in parts if count)


def _store_orders(order_id: str, draft: _Draft) -> list[ParsedOrder]:
    """The store orders of one Naver order (module docstring); [] when none was paid."""
    groups: dict[str, list[_ProductOrder]] = {PAID: [], CANCELLED: [], REFUNDED: []}
    for product_order in sorted(draft.product_orders, key=lambda po: po.product_order_id):
        if product_order.status is not None:
            groups[product_order.status].append(product_order)
    if not any(groups.values()):
        return []
    ordered_at = draft.header["ordered_at"]
    assert isinstance(ordered_at, dt.datetime)
    customer, customer_name = draft.header.get("customer"), draft.header.get("customer_name")
    claimed = bool(groups[CANCELLED] or groups[REFUNDED])
    orders = []
    for status, product_orders in groups.items():
        if not product_orders and not (status == PAID and claimed):
            continue
        lines = tuple(line for po in product_orders for line in po.lines)
        orders.append(
            ParsedOrder(
                external_id=f"{order_id}{SUFFIXES[status]}",
                line=min((po.line for po in product_orders), default=draft.line),
                ordered_at=ordered_at,
                status=status if lines else CANCELLED,
                customer=customer if isinstance(customer, str) else None,
                customer_name=customer_name if isinstance(customer_name, str) else None,
                lines=lines,
            )
        )
    return orders
