"""Each customer's purchase days, kept per seller so a customer question reads one row.

A customer report models every customer by their purchase days: several paid orders
on one local day are one purchase occasion (analytics.clv). Reading them from the
orders table means moving every paid order of the store through Python (600 ms at
420k customers); so a seller's customers are also kept here, summed per customer
(storage.purchases.Purchases: first and last purchase day, purchase days, the first day's amount and
the total), packed as one binary row per seller (`customer_purchase_packs`: 2.3 MB at
420k customers, read in 20-30 ms) for the local days before its `through_day`.

A reader (`purchases`) takes the pack and adds the days from `through_day` on, read
from the orders table (today's orders: a few thousand rows at most), so live orders
never touch the pack. A write to an order of a day the pack covers (an import or a
sync re-reading an old order: a refund, another customer, a removed order; a late
order of an earlier day) marks its customers in `customer_purchase_changes`, in the
same transaction (`changed` and `added`, called by storage.rollups and the order
writer); the reader reads theirs again from the orders table (an indexed read of a
few rows each). Past CHANGED_LIMIT marked customers the pack goes instead and the
reader reads every order, as before. The
background refresh (tools.customer_fit, every 5 minutes for sellers who asked about
customers) and the demo generator bring it up to date (`keep`): the marked
customers and, once a day, the days since are folded in; a missing pack is built.
After a timezone change the pack is not read (it is in the zone it was built in)
until `keep` builds it again in the new one.

`keep` first upserts the seller's pack row, which locks it (PostgreSQL: the row;
SQLite: the database's write lock), and only then reads the orders; every writer
upserts the same row before it marks. So a write either commits before the build
reads (and is read) or waits for the build to commit and then marks its customers
against the new pack: a pack never misses a write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    cast,
    delete,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from storage import rollups  # which calls `changed` and `added`: read at call time
from storage.among import among as among_values
from storage.arrays import IntArray, int_rows
from storage.models import CustomerPurchaseChange, CustomerPurchasePack, Order
from storage.purchases import EPOCH, Purchases, daily_totals

CHANGED_LIMIT = 5_000  # changed customers read again per question; past it, a rebuild


# ---------------------------------------------------------------- the orders table


def _local_day(session: Session, tz: ZoneInfo, start: dt.datetime, end: dt.datetime) -> Any:
    """SQL for the local day (days since 1970-01-01, an integer) of an order in [start, end]."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(tz.key, Order.ordered_at), Date) - EPOCH
    modifier = rollups.utc_offset_sql(session, Order.ordered_at, tz, start, end)
    # Julian day numbers start at noon: local midnight is N + 0.5, 1970-01-01 is 2440587.5
    return cast(func.julianday(Order.ordered_at, modifier) - 2440587.5, Integer)


def purchase_days(
    session: Session,
    seller_id: int,
    tz: ZoneInfo,
    *,
    until: dt.datetime,
    since: dt.datetime | None = None,
    customers: ColumnElement[bool] | None = None,
) -> IntArray:
    """(customer id, local day, Σ revenue of the day's paid orders) per customer and
    purchase day of the seller's paid orders with a customer (one `customers` holds,
    a condition on the orders, when given) placed in [since, until], sorted by
    customer and day."""
    if until.tzinfo is None:
        raise ValueError("until must be timezone-aware")
    scope = [
        Order.seller_id == seller_id,
        Order.status == "paid",
        Order.customer_id.is_not(None),
        Order.ordered_at <= until,
    ]
    if since is not None:
        scope.append(Order.ordered_at >= since)
    if customers is not None:
        scope.append(customers)
    first = session.execute(select(func.min(Order.ordered_at)).where(*scope)).scalar_one()
    if first is None:
        return np.empty((0, 3), dtype=np.int64)
    day = _local_day(session, tz, first, until)
    # one row per order: the database neither groups nor sorts (nearly every
    # customer-day is one order, so grouping in SQL saved no rows and cost more)
    rows = int_rows(session, select(Order.customer_id, day, Order.revenue).where(*scope), 3)
    return np.column_stack(daily_totals(rows[:, 0], rows[:, 1], rows[:, 2]))


def _read(
    session: Session,
    seller_id: int,
    tz: ZoneInfo,
    *,
    until: dt.datetime,
    since: dt.date | None = None,
    customers: Sequence[int] | None = None,
) -> Purchases:
    start = None if since is None else rollups.day_bounds(since, tz)[0]
    if customers is None:
        rows = purchase_days(session, seller_id, tz, until=until, since=start)
    else:  # ascending customers: the parts (SQLite's IN lists) follow one another
        parts = [
            purchase_days(session, seller_id, tz, until=until, since=start, customers=among)
            for among in among_values(session, Order.customer_id, customers)
        ]
        rows = np.concatenate(parts) if parts else np.empty((0, 3), dtype=np.int64)
    return Purchases.of_days(rows[:, 0], rows[:, 1], rows[:, 2])


# ---------------------------------------------------------------- the pack


@dataclass(frozen=True)
class Pack:
    timezone: str
    through_day: dt.date  # the local days before it are in `purchases`
    purchases: Purchases


def load(session: Session, seller_id: int) -> Pack | None:
    """The seller's pack as stored (without the changes marked since)."""
    row = session.execute(
        select(
            CustomerPurchasePack.timezone,
            CustomerPurchasePack.through_day,
            CustomerPurchasePack.payload,
        ).where(CustomerPurchasePack.seller_id == seller_id)
    ).one_or_none()
    if row is None or row.payload is None or row.through_day is None:
        return None
    return Pack(row.timezone, row.through_day, Purchases.loads(bytes(row.payload)))


def changed_customers(session: Session, seller_id: int) -> list[int]:
    """Customers with an order of a day the pack covers written, changed or removed
    since it was built."""
    query = select(CustomerPurchaseChange.customer_id).where(
        CustomerPurchaseChange.seller_id == seller_id
    )
    return sorted(session.scalars(query))


def _end_of_day_before(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return rollups.day_bounds(day, tz)[0] - dt.timedelta(microseconds=1)


def _current(session: Session, pack: Pack, seller_id: int, changed: list[int]) -> Purchases:
    """The pack with the changed customers read again from their orders."""
    if not changed:
        return pack.purchases
    tz = ZoneInfo(pack.timezone)
    until = _end_of_day_before(pack.through_day, tz)
    again = _read(session, seller_id, tz, until=until, customers=changed)
    return pack.purchases.replaced(np.asarray(changed, dtype=np.int64), again)


def purchases(session: Session, seller_id: int, tz: ZoneInfo, *, as_of: dt.datetime) -> Purchases:
    """Every customer's purchases up to `as_of`: the pack (its changed customers read
    again) and the orders since its `through_day` when it is there, in this timezone
    and no later than `as_of`'s local day; otherwise every paid order."""
    # the changes before the pack: a refresh committing in between leaves a pack that
    # holds them (read again, harmless); the other way round it could drop them
    changed = changed_customers(session, seller_id)
    pack = load(session, seller_id)
    if pack is None or pack.timezone != tz.key or pack.through_day > rollups.local_date(as_of, tz):
        return _read(session, seller_id, tz, until=as_of)
    later = _read(session, seller_id, tz, until=as_of, since=pack.through_day)
    return _current(session, pack, seller_id, changed).then(later)


def _lock(session: Session, seller_id: int) -> tuple[str | None, dt.date | None]:
    """Upsert the seller's pack row, which locks it until the caller commits (see the
    module docstring); the pack's timezone and day (None without a pack)."""
    table = CustomerPurchasePack.__table__
    statement = rollups._dialect_insert(session)(table).values(seller_id=seller_id)
    upsert = statement.on_conflict_do_update(
        index_elements=["seller_id"], set_={"customers": table.c.customers}
    ).returning(table.c.timezone, table.c.through_day)
    row = session.execute(upsert).one()
    return row.timezone, row.through_day


def _drop(session: Session, seller_id: int) -> None:
    session.execute(
        update(CustomerPurchasePack)
        .where(CustomerPurchasePack.seller_id == seller_id)
        .values(timezone=None, through_day=None, customers=0, payload=None, built_at=None)
    )
    session.execute(
        delete(CustomerPurchaseChange).where(CustomerPurchaseChange.seller_id == seller_id)
    )


def _mark(session: Session, seller_id: int, rows: Any) -> None:
    """Insert the changed customers (`rows`: dicts, or a SELECT of seller id and
    customer id) once; past CHANGED_LIMIT of them the pack goes instead."""
    statement = rollups._dialect_insert(session)(CustomerPurchaseChange.__table__)
    if isinstance(rows, list):
        if not rows:
            return
        session.execute(statement.on_conflict_do_nothing(), rows)
    else:
        columns = ["seller_id", "customer_id"]
        session.execute(statement.from_select(columns, rows).on_conflict_do_nothing())
    session.execute(  # a new data version for the kept fits (tools.fit_cache)
        update(CustomerPurchasePack)
        .where(CustomerPurchasePack.seller_id == seller_id)
        .values(marks=CustomerPurchasePack.marks + 1)
    )
    count = session.scalar(
        select(func.count()).where(CustomerPurchaseChange.seller_id == seller_id)
    )
    if (count or 0) > CHANGED_LIMIT:
        _drop(session, seller_id)


def changed(
    session: Session, seller_id: int, bought: Iterable[tuple[dt.datetime, int | None]]
) -> None:
    """Orders of these (instant, customer) were written, changed or removed, in the
    caller's transaction: the customers of those on a day the pack covers are marked,
    to be read again from their orders until the pack is rebuilt."""
    zone, through_day = _lock(session, seller_id)
    if zone is None or through_day is None:
        return
    tz = ZoneInfo(zone)
    customers = {
        customer
        for at, customer in bought
        if customer is not None and rollups.local_date(at, tz) < through_day
    }
    _mark(session, seller_id, [{"seller_id": seller_id, "customer_id": c} for c in customers])


def added(
    session: Session,
    seller_id: int,
    selections: Iterable[ColumnElement[bool]],
    first: dt.datetime,
) -> None:
    """New orders (each condition in `selections` selects some; `first`: the earliest
    time) were inserted: as `changed`, their customers found in SQL."""
    zone, through_day = _lock(session, seller_id)
    if zone is None or through_day is None:
        return
    tz = ZoneInfo(zone)
    if rollups.local_date(first, tz) >= through_day:
        return  # live orders: the days after the pack
    start = rollups.day_bounds(through_day, tz)[0]
    for selection in selections:
        rows = (
            select(literal(seller_id), Order.customer_id)
            .where(selection, Order.customer_id.is_not(None), Order.ordered_at < start)
            .distinct()
        )
        _mark(session, seller_id, rows)


def keep(session: Session, seller_id: int, tz: ZoneInfo, *, now: dt.datetime) -> str:
    """Bring the seller's pack to `now`'s local day (every day before it) with every
    change, in the caller's transaction (commit it): 'kept' when it was current,
    'folded' when the changed customers and the days since were added, 'built' when
    it was read from every order."""
    today = rollups.local_date(now, tz)
    zone, through_day = _lock(session, seller_id)  # first: see the module docstring
    changed = changed_customers(session, seller_id)
    if (zone, through_day) == (tz.key, today) and not changed:
        return "kept"
    usable = zone == tz.key and through_day is not None and through_day <= today
    pack = load(session, seller_id) if usable else None
    yesterday_end = _end_of_day_before(today, tz)
    if pack is not None:
        later = _read(session, seller_id, tz, until=yesterday_end, since=pack.through_day)
        packed, how = _current(session, pack, seller_id, changed).then(later), "folded"
    else:
        packed, how = _read(session, seller_id, tz, until=yesterday_end), "built"
    session.execute(
        update(CustomerPurchasePack)
        .where(CustomerPurchasePack.seller_id == seller_id)
        .values(
            timezone=tz.key,
            through_day=today,
            customers=len(packed),
            payload=packed.dumps(),
            built_at=now,
        )
    )
    session.execute(
        delete(CustomerPurchaseChange).where(CustomerPurchaseChange.seller_id == seller_id)
    )
    return how


__all__ = [
    "CHANGED_LIMIT",
    "Pack",
    "added",
    "changed",
    "changed_customers",
    "keep",
    "load",
    "purchase_days",
    "purchases",
]
