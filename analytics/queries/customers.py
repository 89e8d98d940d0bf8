"""What a customer list shows of each customer: the store's id, the name and the
number of paid orders (not purchase days: two orders on one day are two)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Customer, Order


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    external_id: str
    name: str | None  # as stored (masked or not)
    orders: int  # paid orders placed up to the as-of time


def customer_facts(
    session: Session, seller_id: int, ids: Collection[int], *, as_of: dt.datetime
) -> dict[int, CustomerFacts]:
    """The seller's customers `ids` (internal ids) with their paid orders up to `as_of`."""
    if not ids:
        return {}
    wanted = [int(i) for i in ids]
    orders = dict(
        session.execute(
            select(Order.customer_id, func.count())
            .where(
                Order.seller_id == seller_id,
                Order.customer_id.in_(wanted),
                Order.status == "paid",
                Order.ordered_at <= as_of,
            )
            .group_by(Order.customer_id)
        ).all()
    )
    rows = session.execute(
        select(Customer.id, Customer.external_id, Customer.name).where(
            Customer.seller_id == seller_id, Customer.id.in_(wanted)
        )
    ).all()
    return {
        cid: CustomerFacts(external, name, int(orders.get(cid, 0))) for cid, external, name in rows
    }
