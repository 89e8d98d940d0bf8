"""Daily rollups: per seller and LOCAL date sums of the raw tables, so an analysis
over a window reads a few hundred rows instead of a million order lines.

Tables (storage.models): `sales_daily` (orders, revenue, units per status),
`product_sales_daily` (paid orders' lines per product), `keyword_visits_daily`
(visits, conversions and revenue per raw search keyword, '' for none) and
`product_visits_daily` (landing visits per product and those converted). A
visit converts when its order is the seller's and paid (a product's landing
visit: when its order is paid).

The local date is the seller's `timezone` when the rows were written; changing a
seller's timezone requires `refresh_rollups(session, seller_id)`. The rollups
are a cache of the raw rows, kept in step by every write path:

- `storage.writes.add_order` / `add_visit`: `record_order` / `record_visit` add
  the new row to its local date's sums (an upsert, two statements);
- the order import: `record_orders` adds its new orders' sums, grouped by local
  date in SQL, to their dates' rows (INSERT ... SELECT ... ON CONFLICT DO UPDATE;
  the other orders of those dates are not read again), and refreshes the dates
  of the orders it changed or removed;
- bulk writers (demo generator, order import's updates, benches): `refresh_rollups`
  for the local dates they touched (all of them when `dates` is None), in the
  caller's transaction: delete those dates' rows and insert them again grouped
  from the raw tables, one statement per table and run of consecutive dates.

Each customer's purchases are kept too (storage.customer_purchases): `record_order`
and `record_orders` mark the customers of orders they add on a day that pack covers,
the order import those of orders it changes or removes; the demo generator, which
writes a new or cleared store in bulk, builds the pack with `customer_purchases.keep`.

Readers split a UTC range into the complete local days inside it, read from the
rollups, and the partial edges (today so far, a window cut mid-day), read from
the raw rows: `split_span`. `revenue_and_orders` is the simplest such reader.

Neither database is asked for the timezone conversion (SQLite has no timezone
database): the zone's UTC offsets over the range come from `zoneinfo` and are
applied in SQL by a CASE over the transition instants (one constant offset for
Asia/Seoul), so SQL and Python agree on every local date. Zones whose clocks
skip or repeat local midnight are assumed not to (a day starts once).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Select,
    Table,
    and_,
    case,
    cast,
    delete,
    distinct,
    func,
    insert,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from storage import customer_purchases
from storage.models import (
    KeywordVisitsDaily,
    Order,
    OrderItem,
    ProductSalesDaily,
    ProductVisitsDaily,
    SalesDaily,
    Seller,
    Visit,
)

__all__ = [
    "ROLLUP_TABLES",
    "Span",
    "day_bounds",
    "local_date",
    "record_order",
    "record_orders",
    "record_visit",
    "refresh_rollups",
    "revenue_and_orders",
    "rollup_timezone",
    "split_span",
]

ROLLUP_TABLES: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (SalesDaily, ProductSalesDaily, KeywordVisitsDaily, ProductVisitsDaily)
)
_DAY = dt.timedelta(days=1)


# ---------------------------------------------------------------- local days


def local_date(instant: dt.datetime, tz: ZoneInfo) -> dt.date:
    """The seller's local date of an aware instant."""
    return instant.astimezone(tz).date()


def day_bounds(day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """[start, stop) of a local date, as UTC instants."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)
    stop = dt.datetime.combine(day + _DAY, dt.time(), tzinfo=tz).astimezone(dt.UTC)
    return start, stop


@dataclass(frozen=True, slots=True)
class Span:
    """A UTC range [start, stop) split into complete local days (first_day..last_day,
    from the rollups; None when there is none) and the partial edges (UTC ranges,
    from the raw rows)."""

    first_day: dt.date | None
    last_day: dt.date | None
    edges: tuple[tuple[dt.datetime, dt.datetime], ...]

    @property
    def has_days(self) -> bool:
        return self.first_day is not None


def split_span(tz: ZoneInfo, start: dt.datetime, stop: dt.datetime, *, days: bool = True) -> Span:
    """Split [start, stop) into the local days wholly inside it and the edges around
    them; with `days` False (rollups not usable), one edge covering the whole range."""
    if stop <= start:
        return Span(None, None, ())
    if not days:
        return Span(None, None, ((start, stop),))
    first = local_date(start, tz)
    if day_bounds(first, tz)[0] < start:
        first += _DAY
    last = local_date(stop, tz) - _DAY
    if day_bounds(last, tz)[1] > stop:  # only where local midnight is skipped
        last -= _DAY
    if first > last:
        return Span(None, None, ((start, stop),))
    days_start, days_stop = day_bounds(first, tz)[0], day_bounds(last, tz)[1]
    edges = []
    if start < days_start:
        edges.append((start, days_start))
    if days_stop < stop:
        edges.append((days_stop, stop))
    return Span(first, last, tuple(edges))


def rollup_timezone(session: Session, seller_id: int) -> str | None:
    """The timezone the seller's rollups are kept in (their `timezone` column); a
    reader whose store has another zone must use the raw rows."""
    return session.scalar(select(Seller.timezone).where(Seller.id == seller_id))


def _offset(tz: ZoneInfo, at: dt.datetime) -> int:
    offset = at.astimezone(tz).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def utc_offsets(
    tz: ZoneInfo, start: dt.datetime, stop: dt.datetime
) -> list[tuple[dt.datetime, int]]:
    """The zone's UTC offset (seconds) over [start, stop]: [(from_utc, offset), ...], the
    first entry from `start`. Transitions are found day by day, then to the second by
    bisection (zones change offset at most a few times a year, never twice in a day)."""
    start, stop = start.astimezone(dt.UTC), stop.astimezone(dt.UTC)
    segments = [(start, _offset(tz, start))]
    cursor = start
    while cursor < stop:
        step = min(cursor + _DAY, stop)
        before, after = _offset(tz, cursor), _offset(tz, step)
        if before != after:
            low, high = math.floor(cursor.timestamp()), math.ceil(step.timestamp())
            while high - low > 1:
                middle = (low + high) // 2
                if _offset(tz, dt.datetime.fromtimestamp(middle, dt.UTC)) == before:
                    low = middle
                else:
                    high = middle
            segments.append((dt.datetime.fromtimestamp(high, dt.UTC), after))
        cursor = step
    return segments


def utc_offset_sql(
    session: Session,
    column: InstrumentedAttribute[dt.datetime],
    tz: ZoneInfo,
    start: dt.datetime,
    stop: dt.datetime,
) -> Any:
    """SQL for the zone's UTC offset at a UTC timestamp column in [start, stop]: on
    SQLite a date() / julianday() modifier ("+32400 seconds"), on PostgreSQL seconds
    to add to the timestamp; a CASE over the transition instants when there are any."""
    segments = utc_offsets(tz, start, stop)
    sqlite = session.get_bind().dialect.name == "sqlite"

    def value(seconds: int) -> Any:
        return f"{seconds:+d} seconds" if sqlite else seconds

    if len(segments) == 1:
        return literal(value(segments[0][1]))
    return case(
        *[
            (column < boundary, value(segments[index][1]))
            for index, (boundary, _) in enumerate(segments[1:])
        ],
        else_=value(segments[-1][1]),
    )


def _local_day_sql(
    session: Session,
    column: InstrumentedAttribute[dt.datetime],
    tz: ZoneInfo,
    start: dt.datetime,
    stop: dt.datetime,
) -> ColumnElement[Any]:
    """SQL for the local date of a UTC timestamp column in [start, stop)."""
    offset = utc_offset_sql(session, column, tz, start, stop)
    if session.get_bind().dialect.name == "sqlite":
        # stored text "YYYY-MM-DD HH:MM:SS.ffffff" (UTC); date() gives "YYYY-MM-DD"
        return func.date(column, offset)
    utc = func.timezone("UTC", column)
    return cast(utc + offset * literal_column("interval '1 second'"), Date)


# ---------------------------------------------------------------- refresh


def _runs(dates: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive runs [(first, last), ...] of the given dates."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(dates)):
        if runs and runs[-1][1] + _DAY == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _seller_zone(session: Session, seller_id: int) -> ZoneInfo:
    name = rollup_timezone(session, seller_id)
    if name is None:
        raise ValueError(f"no seller with id {seller_id}")
    return ZoneInfo(name)


def refresh_rollups(
    session: Session, seller_id: int, dates: Iterable[dt.date] | None = None
) -> None:
    """Recompute the seller's rollups for these local dates (every date when None) from
    the raw tables, inside the caller's transaction."""
    tz = _seller_zone(session, seller_id)
    if dates is None:
        for table in ROLLUP_TABLES:
            session.execute(delete(table).where(table.c.seller_id == seller_id))
        first_order, last_order = session.execute(
            select(func.min(Order.ordered_at), func.max(Order.ordered_at)).where(
                Order.seller_id == seller_id
            )
        ).one()
        first_visit, last_visit = session.execute(
            select(func.min(Visit.started_at), func.max(Visit.started_at)).where(
                Visit.seller_id == seller_id
            )
        ).one()
        instants = [t for t in (first_order, last_order, first_visit, last_visit) if t is not None]
        if not instants:
            return
        runs = [(local_date(min(instants), tz), local_date(max(instants), tz))]
    else:
        runs = _runs(dates)
        for first, last in runs:
            for table in ROLLUP_TABLES:
                session.execute(
                    delete(table).where(
                        table.c.seller_id == seller_id,
                        table.c.date >= first,
                        table.c.date <= last,
                    )
                )
    for first, last in runs:
        start, stop = day_bounds(first, tz)[0], day_bounds(last, tz)[1]
        _fill(session, seller_id, tz, start, stop)


_SALES_COLUMNS = ["seller_id", "date", "status", "orders", "revenue", "units"]
_PRODUCT_COLUMNS = ["seller_id", "date", "product_id", "orders", "units", "revenue"]


def _order_sums(
    seller_id: int, day: ColumnElement[Any], *where: ColumnElement[bool]
) -> tuple[Select[Any], Select[Any]]:
    """The `sales_daily` and `product_sales_daily` rows (_SALES_COLUMNS,
    _PRODUCT_COLUMNS) of the orders matching `where`; `day`: their local date in SQL."""
    seller = literal(seller_id)
    orders = (
        select(day.label("day"), Order.status, Order.revenue, Order.units).where(*where).subquery()
    )
    sales = select(
        seller,
        orders.c.day,
        orders.c.status,
        func.count(),
        func.sum(orders.c.revenue),
        func.sum(orders.c.units),
    ).group_by(orders.c.day, orders.c.status)
    lines = (
        select(
            day.label("day"),
            OrderItem.product_id,
            Order.id.label("order_id"),
            OrderItem.quantity,
            (OrderItem.quantity * OrderItem.unit_price).label("amount"),
        )
        .join(Order, Order.id == OrderItem.order_id)
        .where(*where, Order.status == "paid", OrderItem.product_id.is_not(None))
        .subquery()
    )
    products = select(
        seller,
        lines.c.day,
        lines.c.product_id,
        func.count(distinct(lines.c.order_id)),
        func.sum(lines.c.quantity),
        cast(func.sum(lines.c.amount), BigInteger),
    ).group_by(lines.c.day, lines.c.product_id)
    return sales, products


def _fill(
    session: Session, seller_id: int, tz: ZoneInfo, start: dt.datetime, stop: dt.datetime
) -> None:
    """Insert the grouped rows of raw rows in [start, stop) (whole local days)."""
    seller = literal(seller_id)
    day = _local_day_sql(session, Order.ordered_at, tz, start, stop)
    in_range = (Order.seller_id == seller_id, Order.ordered_at >= start, Order.ordered_at < stop)
    sales, products = _order_sums(seller_id, day, *in_range)
    session.execute(insert(SalesDaily).from_select(_SALES_COLUMNS, sales))
    session.execute(insert(ProductSalesDaily).from_select(_PRODUCT_COLUMNS, products))

    visit_day = _local_day_sql(session, Visit.started_at, tz, start, stop)
    paid = and_(Order.id == Visit.order_id, Order.status == "paid")
    # the seller check stays out of the join: with it, a planner short of statistics
    # (a fresh bulk load) probes the seller's orders by index once per visit
    own = Order.seller_id == seller_id
    visits = (
        select(
            visit_day.label("day"),
            func.coalesce(Visit.search_keyword, "").label("keyword"),
            case((own, Order.id)).label("order_id"),
            case((own, Order.revenue)).label("revenue"),
        )
        .select_from(Visit)
        .outerjoin(Order, paid)
        .where(Visit.seller_id == seller_id, Visit.started_at >= start, Visit.started_at < stop)
        .subquery()
    )
    session.execute(
        insert(KeywordVisitsDaily).from_select(
            ["seller_id", "date", "keyword", "visits", "conversions", "revenue"],
            select(
                seller,
                visits.c.day,
                visits.c.keyword,
                func.count(),
                func.count(visits.c.order_id),
                func.coalesce(func.sum(visits.c.revenue), 0),
            ).group_by(visits.c.day, visits.c.keyword),
        )
    )

    landings = (
        select(
            visit_day.label("day"),
            Visit.landing_product_id.label("product_id"),
            Order.id.label("order_id"),
        )
        .select_from(Visit)
        .outerjoin(Order, paid)
        .where(
            Visit.seller_id == seller_id,
            Visit.started_at >= start,
            Visit.started_at < stop,
            Visit.landing_product_id.is_not(None),
        )
        .subquery()
    )
    session.execute(
        insert(ProductVisitsDaily).from_select(
            ["seller_id", "date", "product_id", "visits", "converted"],
            select(
                seller,
                landings.c.day,
                landings.c.product_id,
                func.count(),
                func.count(landings.c.order_id),
            ).group_by(landings.c.day, landings.c.product_id),
        )
    )


# ---------------------------------------------------------------- incremental


def _dialect_insert(session: Session) -> Any:
    """The backend's INSERT with ON CONFLICT, or None."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert
    return None


def _adding(
    session: Session, model: Any, columns: Sequence[str], keys: int, source: Any = None
) -> Any:
    """INSERT INTO `model` (`columns`) [`source`, a SELECT] ON CONFLICT (the first `keys`
    columns) DO UPDATE adding the other columns to the row there."""
    table: Table = model.__table__
    statement = _dialect_insert(session)(table)
    if source is not None:
        statement = statement.from_select(list(columns), source)
    return statement.on_conflict_do_update(
        index_elements=list(columns[:keys]),
        set_={name: table.c[name] + statement.excluded[name] for name in columns[keys:]},
    )


def _upsert(session: Session, model: Any, keys: Sequence[str], rows: list[dict[str, Any]]) -> bool:
    """Add `rows` to the rollup rows with the same keys (insert when missing); False on
    a backend without INSERT ... ON CONFLICT (the caller refreshes instead)."""
    if not rows:
        return True
    if _dialect_insert(session) is None:
        return False
    columns = [*keys, *(name for name in rows[0] if name not in keys)]
    session.execute(_adding(session, model, columns, len(keys)), rows)
    return True


def record_orders(
    session: Session,
    seller_id: int,
    selections: Iterable[ColumnElement[bool]],
    first: dt.datetime,
    last: dt.datetime,
) -> None:
    """Add new orders of the seller (written, lines included, and not counted yet) to
    the daily rollups: per condition on `orders` in `selections` (each selecting some
    of them, e.g. by id, together all of them, none twice; a condition on the seller
    would make SQLite scan the seller's orders), their sums grouped by local date in
    SQL are added to those dates' rows, one statement per table, without reading the
    dates' other orders. `first`, `last`: the earliest and latest of their times."""
    tz = _seller_zone(session, seller_id)
    selections = list(selections)
    customer_purchases.added(session, seller_id, selections, first)
    if _dialect_insert(session) is None:  # no ON CONFLICT: recount their dates
        days = (local_date(last, tz) - local_date(first, tz)).days
        refresh_rollups(
            session, seller_id, [local_date(first, tz) + n * _DAY for n in range(days + 1)]
        )
        return
    day = _local_day_sql(session, Order.ordered_at, tz, first, last)
    for selection in selections:
        sales, products = _order_sums(seller_id, day, selection)
        session.execute(_adding(session, SalesDaily, _SALES_COLUMNS, 3, sales))
        session.execute(_adding(session, ProductSalesDaily, _PRODUCT_COLUMNS, 3, products))


def record_order(
    session: Session, order: Order, lines: Sequence[tuple[int | None, int, int]]
) -> None:
    """Add one new order (its lines as (product_id, quantity, unit_price)) to the rollups."""
    tz = _seller_zone(session, order.seller_id)
    day = local_date(order.ordered_at, tz)
    customer_purchases.changed(session, order.seller_id, [(order.ordered_at, order.customer_id)])
    key = {"seller_id": order.seller_id, "date": day}
    done = _upsert(
        session,
        SalesDaily,
        ("seller_id", "date", "status"),
        [
            {
                **key,
                "status": order.status,
                "orders": 1,
                "revenue": order.revenue,
                "units": order.units,
            }
        ],
    )
    if order.status == "paid" and done:
        by_product: defaultdict[int, list[int]] = defaultdict(lambda: [0, 0])
        for product_id, quantity, unit_price in lines:
            if product_id is not None:
                by_product[product_id][0] += quantity
                by_product[product_id][1] += quantity * unit_price
        done = _upsert(
            session,
            ProductSalesDaily,
            ("seller_id", "date", "product_id"),
            [
                {**key, "product_id": pid, "orders": 1, "units": units, "revenue": revenue}
                for pid, (units, revenue) in by_product.items()
            ],
        )
    if not done:
        refresh_rollups(session, order.seller_id, [day])


def record_visit(session: Session, visit: Visit) -> None:
    """Add one new visit to the rollups (its order, if any, is written already)."""
    tz = _seller_zone(session, visit.seller_id)
    day = local_date(visit.started_at, tz)
    order = session.get(Order, visit.order_id) if visit.order_id is not None else None
    paid = order is not None and order.status == "paid"
    converts = paid and order is not None and order.seller_id == visit.seller_id
    key = {"seller_id": visit.seller_id, "date": day}
    done = _upsert(
        session,
        KeywordVisitsDaily,
        ("seller_id", "date", "keyword"),
        [
            {
                **key,
                "keyword": visit.search_keyword or "",
                "visits": 1,
                "conversions": int(converts),
                "revenue": order.revenue if converts and order is not None else 0,
            }
        ],
    )
    if visit.landing_product_id is not None and done:
        done = _upsert(
            session,
            ProductVisitsDaily,
            ("seller_id", "date", "product_id"),
            [{**key, "product_id": visit.landing_product_id, "visits": 1, "converted": int(paid)}],
        )
    if not done:
        refresh_rollups(session, visit.seller_id, [day])


# ---------------------------------------------------------------- readers


def revenue_and_orders(
    session: Session, seller_id: int, tz: ZoneInfo, start: dt.datetime, stop: dt.datetime
) -> tuple[int, int]:
    """Paid revenue and paid order count of the seller's orders placed in [start, stop):
    complete local days from `sales_daily`, the partial edges from `orders`; one
    statement. `tz` must be the seller's timezone (else everything is read raw)."""
    span = split_span(tz, start, stop, days=rollup_timezone(session, seller_id) == tz.key)
    parts = [
        select(
            func.coalesce(func.sum(Order.revenue), 0).label("revenue"),
            func.count().label("orders"),
        ).where(
            Order.seller_id == seller_id,
            Order.ordered_at >= edge_start,
            Order.ordered_at < edge_stop,
            Order.status == "paid",
        )
        for edge_start, edge_stop in span.edges
    ]
    if span.first_day is not None and span.last_day is not None:
        parts.append(
            select(
                func.coalesce(func.sum(SalesDaily.revenue), 0).label("revenue"),
                func.coalesce(func.sum(SalesDaily.orders), 0).label("orders"),
            ).where(
                SalesDaily.seller_id == seller_id,
                SalesDaily.date >= span.first_day,
                SalesDaily.date <= span.last_day,
                SalesDaily.status == "paid",
            )
        )
    if not parts:
        return 0, 0
    if len(parts) == 1:
        revenue, orders = session.execute(parts[0]).one()
    else:
        combined = union_all(*parts).subquery()
        revenue, orders = session.execute(
            select(func.sum(combined.c.revenue), func.sum(combined.c.orders))
        ).one()
    return int(revenue or 0), int(orders or 0)
