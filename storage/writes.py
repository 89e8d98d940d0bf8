"""The single write path for orders and visits, so the cached order totals and the
daily rollups (storage.rollups) never drift."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from storage.models import ORDER_STATUSES, Order, OrderItem, Visit
from storage.rollups import record_order, record_visit


@dataclass(frozen=True, slots=True)
class Line:
    product_id: int | None
    quantity: int
    unit_price: int


def order_totals(lines: Sequence[Line]) -> tuple[int, int]:
    """(revenue, units) of an order: Σ quantity × unit_price and Σ quantity."""
    return sum(line.quantity * line.unit_price for line in lines), sum(
        line.quantity for line in lines
    )


def add_order(
    session: Session,
    *,
    seller_id: int,
    external_id: str,
    ordered_at: dt.datetime,
    status: str,
    lines: Sequence[Line],
    customer_id: int | None = None,
) -> Order:
    """Add an order and its lines (numbered from 1) and count it in the daily rollups;
    the caller owns the transaction."""
    if status not in ORDER_STATUSES:
        raise ValueError(f"unknown order status {status!r}")
    if not lines:
        raise ValueError("an order needs at least one line")
    for line in lines:
        if line.quantity <= 0:
            raise ValueError(f"quantity must be positive, got {line.quantity}")
        if line.unit_price < 0:
            raise ValueError(f"unit price must not be negative, got {line.unit_price}")
    revenue, units = order_totals(lines)
    order = Order(
        seller_id=seller_id,
        external_id=external_id,
        customer_id=customer_id,
        ordered_at=ordered_at,
        status=status,
        revenue=revenue,
        units=units,
    )
    order_lines = [
        OrderItem(
            line_no=number,
            product_id=line.product_id,
            quantity=line.quantity,
            unit_price=line.unit_price,
        )
        for number, line in enumerate(lines, start=1)
    ]
    session.add(order)
    session.flush()
    for item in order_lines:
        item.order_id = order.id
    session.add_all(order_lines)
    record_order(
        session, order, [(line.product_id, line.quantity, line.unit_price) for line in lines]
    )
    return order


def add_visit(
    session: Session,
    *,
    seller_id: int,
    started_at: dt.datetime,
    search_keyword: str | None = None,
    landing_product_id: int | None = None,
    order_id: int | None = None,
) -> Visit:
    """Add a visit (its order, if any, written before) and count it in the daily
    rollups; the caller owns the transaction."""
    visit = Visit(
        seller_id=seller_id,
        started_at=started_at,
        search_keyword=search_keyword,
        landing_product_id=landing_product_id,
        order_id=order_id,
    )
    session.add(visit)
    session.flush()
    record_visit(session, visit)
    return visit
