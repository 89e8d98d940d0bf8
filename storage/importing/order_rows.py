"""Order files -> typed orders and row errors. Pure: no database.

Rows are grouped into orders by order id in file order; an order's lines are
numbered by their order of appearance, so (order id, line number) is stable
across re-imports of the same file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from storage.importing.csvfile import CsvTable, RowReader, find_columns, unused_columns
from storage.importing.formats import REQUIRED_ORDER_FIELDS, OrderFormat, normalize_status
from storage.importing.report import RowError
from storage.importing.values import (
    MAX_QUANTITY,
    MAX_STOCK,
    BadValue,
    format_money,
    parse_count,
    parse_money,
    parse_timestamp,
)

MAX_LENGTHS = {
    "order_id": 100,
    "sku": 100,
    "product_name": 300,
    "customer": 200,
    "customer_name": 200,
}
# an order's cached totals (orders.revenue BIGINT, orders.units INTEGER): far inside
# both, so a day's rollup of thousands of such orders still fits in 64 bits
MAX_ORDER_REVENUE = 10**15
MAX_ORDER_UNITS = 1_000_000


@dataclass(frozen=True, slots=True)
class ParsedLine:
    """A line's product is found by SKU; without one, by its name."""

    line: int
    sku: str | None
    product_name: str
    quantity: int
    unit_price: int
    stock: int | None = None
    """The product's units on hand as the export says; None: blank or no column."""


@dataclass(frozen=True, slots=True)
class ParsedOrder:
    external_id: str
    line: int
    ordered_at: dt.datetime
    status: str
    customer: str | None
    customer_name: str | None
    lines: tuple[ParsedLine, ...]


@dataclass(frozen=True, slots=True)
class ParsedOrders:
    """Completed orders ready to write, the count skipped as not completed, errors, and
    the file's columns that no field reads."""

    source: str
    orders: tuple[ParsedOrder, ...]
    not_completed: int
    errors: tuple[RowError, ...]
    unused_columns: tuple[str, ...] = ()


@dataclass(slots=True)
class _Draft:
    line: int
    header: dict[str, object]
    lines: list[ParsedLine] = field(default_factory=list)
    broken: bool = False


def parse_orders(
    table: CsvTable, fmt: OrderFormat, *, timezone: ZoneInfo, currency: str
) -> ParsedOrders:
    """Typed orders of `table` for a seller in `timezone` selling in `currency`.

    Every problem is reported (missing columns once, at line 1); an order with any
    problem is left out, and a caller writes nothing unless `errors` is empty.
    """
    errors = list(table.errors)
    if not table.header:
        return ParsedOrders(table.source, (), 0, tuple(errors))
    columns, missing = find_columns(table.header, fmt.columns, REQUIRED_ORDER_FIELDS)
    if missing:
        errors += [RowError(table.source, 1, f"missing column '{name}'") for name in missing]
        return ParsedOrders(table.source, (), 0, tuple(sorted(errors, key=lambda e: e.line)))

    drafts: dict[str, _Draft] = {}
    for row in table.rows:
        reader = RowReader(table.source, row, columns)
        order_id = reader.text("order_id", limit=MAX_LENGTHS["order_id"], required=True)
        header = _order_level(reader, fmt, timezone, currency)
        line = _line(reader, currency)
        draft = drafts.get(order_id) if order_id is not None else None
        if order_id is not None and draft is None:
            draft = drafts[order_id] = _Draft(row.line, {})
            for name in ("ordered_at", "status"):
                if name not in header and not reader.raw(name):
                    reader.problem(name, "missing value")
        if draft is not None:
            for name, value in header.items():
                known = draft.header.setdefault(name, value)
                if known != value:
                    reader.problem(name, f"differs from line {draft.line} of the same order")
            if line is not None:
                draft.lines.append(line)
            draft.broken |= bool(reader.errors)
        errors += reader.errors

    orders: list[ParsedOrder] = []
    not_completed = 0
    for external_id, draft in drafts.items():
        if draft.broken or not draft.lines:
            continue
        status = draft.header["status"]
        if status is None:
            not_completed += 1
            continue
        assert isinstance(status, str)
        ordered_at = draft.header["ordered_at"]
        assert isinstance(ordered_at, dt.datetime)
        if status == "paid" and draft.header.get("cancelled_at") is not None:
            status = "cancelled"
        customer, customer_name = draft.header.get("customer"), draft.header.get("customer_name")
        orders.append(
            ParsedOrder(
                external_id=external_id,
                line=draft.line,
                ordered_at=ordered_at,
                status=status,
                customer=customer if isinstance(customer, str) else None,
                customer_name=customer_name if isinstance(customer_name, str) else None,
                lines=tuple(draft.lines),
            )
        )
    orders, too_large = bounded_orders(table.source, orders, currency)
    errors += too_large
    errors.sort(key=lambda error: error.line)
    unused = unused_columns(table.header, columns.values())
    return ParsedOrders(table.source, tuple(orders), not_completed, tuple(errors), unused)


def bounded_orders(
    source: str, orders: list[ParsedOrder], currency: str
) -> tuple[list[ParsedOrder], list[RowError]]:
    """The orders whose totals stay within `MAX_ORDER_REVENUE` and `MAX_ORDER_UNITS`,
    and an error at the line where each other order first goes over."""
    kept: list[ParsedOrder] = []
    errors: list[RowError] = []
    for order in orders:
        revenue = units = 0
        for line in order.lines:
            revenue += line.quantity * line.unit_price
            units += line.quantity
            if revenue > MAX_ORDER_REVENUE:
                limit = format_money(MAX_ORDER_REVENUE, currency)
                errors.append(
                    RowError(source, line.line, f"order '{order.external_id}' total above {limit}")
                )
                break
            if units > MAX_ORDER_UNITS:
                errors.append(
                    RowError(
                        source,
                        line.line,
                        f"order '{order.external_id}' units above {MAX_ORDER_UNITS:,}",
                    )
                )
                break
        else:
            kept.append(order)
    return kept, errors


def _order_level(
    reader: RowReader, fmt: OrderFormat, timezone: ZoneInfo, currency: str
) -> dict[str, object]:
    """The order-level fields this row fills in (blank cells are left out)."""
    values: dict[str, object] = {}
    for name in ("ordered_at", "cancelled_at"):
        raw = reader.raw(name)
        if raw:
            try:
                values[name] = parse_timestamp(raw, timezone)
            except BadValue as exc:
                reader.problem(name, str(exc))
    raw_status = reader.raw("status")
    if raw_status:
        key = normalize_status(raw_status)
        if key in fmt.statuses:
            values["status"] = fmt.statuses[key]
        else:
            reader.problem("status", "unknown status")
    customer = reader.text("customer", limit=MAX_LENGTHS["customer"])
    if customer is not None:
        values["customer"] = customer.lower() if "@" in customer else customer
    customer_name = reader.text("customer_name", limit=MAX_LENGTHS["customer_name"])
    if customer_name is not None:
        values["customer_name"] = customer_name
    raw_currency = reader.raw("currency")
    if raw_currency:
        if raw_currency.upper() != currency.upper():
            reader.problem("currency", f"not the seller's currency {currency.upper()}")
        else:
            values["currency"] = raw_currency.upper()
    return values


def read_quantity(reader: RowReader) -> int | None:
    """The row's `quantity` (1..MAX_QUANTITY), or None with the problem reported."""
    raw = reader.raw("quantity")
    if not raw:
        reader.problem("quantity", "missing value")
        return None
    try:
        return parse_count(raw, what="quantity", positive=True, maximum=MAX_QUANTITY)
    except BadValue as exc:
        reader.problem("quantity", str(exc))
        return None


def _line(reader: RowReader, currency: str) -> ParsedLine | None:
    sku = reader.text("sku", limit=MAX_LENGTHS["sku"])
    name = reader.text("product_name", limit=MAX_LENGTHS["product_name"])
    if sku is None and name is None and not reader.raw("sku"):
        reader.problem("sku", "missing value")
    quantity = read_quantity(reader)
    unit_price = None
    raw_price = reader.raw("unit_price")
    if not raw_price:
        reader.problem("unit_price", "missing value")
    else:
        try:
            unit_price = parse_money(raw_price, currency)
        except BadValue as exc:
            reader.problem("unit_price", str(exc))
    stock = None
    raw_stock = reader.raw("stock")
    if raw_stock:
        try:
            stock = parse_count(raw_stock, what="stock", maximum=MAX_STOCK)
        except BadValue as exc:
            reader.problem("stock", str(exc))
    product_name = name or sku
    if product_name is None or quantity is None or unit_price is None:
        return None
    return ParsedLine(reader.row.line, sku, product_name, quantity, unit_price, stock)
