"""Daily rollups (storage.rollups): split of a range into whole local days and raw
edges; the rollup rows every write path leaves equal the raw rows regrouped in
Python; and every analysis answers the same from the rollups as from the raw
tables, on generated stores, on both backends."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from analytics.common import Store, Window
from analytics.keywords import keyword_report
from analytics.products import product_report, top_products
from analytics.sales import sales_report
from storage.db import make_engine, upgrade
from storage.demo import StoreSpec, generate_store
from storage.importing import import_orders
from storage.models import (
    KeywordVisitsDaily,
    Order,
    OrderItem,
    Product,
    ProductSalesDaily,
    ProductVisitsDaily,
    SalesDaily,
    Seller,
    Visit,
)
from storage.rollups import Span, day_bounds, refresh_rollups, revenue_and_orders, split_span
from storage.sellers import add_seller
from storage.writes import Line, add_order
from tests.factories import local, make_order, make_product, make_seller, make_visit

SEOUL = ZoneInfo("Asia/Seoul")
BERLIN = ZoneInfo("Europe/Berlin")
D = dt.date
UNTIL = dt.datetime(2026, 11, 20, 5, 30, tzinfo=dt.UTC)  # Fri 14:30 in Seoul, 06:30 in Berlin


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


# ---------------------------------------------------------------- split_span


def test_a_range_splits_into_whole_local_days_and_raw_edges() -> None:
    start, stop = local(2026, 11, 3, 10), local(2026, 11, 6, 9, 30)
    assert split_span(SEOUL, start, stop) == Span(
        D(2026, 11, 4),
        D(2026, 11, 5),
        ((start, utc(2026, 11, 3, 15)), (utc(2026, 11, 5, 15), stop)),
    )
    # local midnights at both ends: days only
    assert split_span(SEOUL, local(2026, 11, 3, 0), local(2026, 11, 5, 0)) == Span(
        D(2026, 11, 3), D(2026, 11, 4), ()
    )
    # today so far: whole days, then today from midnight to now
    assert split_span(SEOUL, local(2026, 11, 1, 0), local(2026, 11, 3, 14, 30)).edges == (
        (utc(2026, 11, 2, 15), local(2026, 11, 3, 14, 30)),
    )
    # inside one day, or rollups not usable: one raw edge
    inside = (local(2026, 11, 3, 1), local(2026, 11, 3, 23))
    assert split_span(SEOUL, *inside) == Span(None, None, (inside,))
    assert split_span(SEOUL, start, stop, days=False) == Span(None, None, ((start, stop),))
    assert split_span(SEOUL, stop, start) == Span(None, None, ())


def test_a_daylight_saving_day_is_25_hours_long() -> None:
    new_york = ZoneInfo("America/New_York")
    assert day_bounds(D(2026, 11, 1), new_york) == (utc(2026, 11, 1, 4), utc(2026, 11, 2, 5))
    assert split_span(new_york, utc(2026, 11, 1, 4), utc(2026, 11, 2, 5)) == Span(
        D(2026, 11, 1), D(2026, 11, 1), ()
    )


# ---------------------------------------------------------------- the write paths


def rollup_rows(session: Session, seller_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every rollup row of a seller, without the seller column, sorted."""
    tables: dict[str, Any] = {
        "sales": SalesDaily,
        "products": ProductSalesDaily,
        "keywords": KeywordVisitsDaily,
        "landings": ProductVisitsDaily,
    }
    out = {}
    for name, model in tables.items():
        columns = [c for c in model.__table__.columns if c.name != "seller_id"]
        rows = session.execute(select(*columns).where(model.seller_id == seller_id))
        out[name] = sorted(tuple(row) for row in rows)
    return out


def test_add_order_and_add_visit_keep_the_rollups_exact(session: Session) -> None:
    shop, other = make_seller(session, "shop"), make_seller(session, "other")
    mug = make_product(session, shop, "머그컵", 12_000)
    cup = make_product(session, shop, "컵", 25_000)
    vase = make_product(session, other, "화병", 70_000)
    o1 = make_order(session, shop, local(2026, 11, 3, 9), [(mug, 2), (cup, 1)])
    make_order(session, shop, local(2026, 11, 3, 23, 30), [(mug, 1), (mug, 1, 10_000)])
    o3 = make_order(session, shop, local(2026, 11, 4, 0, 10), [(mug, 1)], status="cancelled")
    add_order(
        session,
        seller_id=shop.id,
        external_id="no-product",
        ordered_at=local(2026, 11, 4, 8),
        status="paid",
        lines=[Line(None, 1, 5_000), Line(cup.id, 1, 25_000)],
    )
    theirs = make_order(session, other, local(2026, 11, 4, 9), [(vase, 1)])
    make_visit(session, shop, local(2026, 11, 3, 10), keyword="머그", product=mug, order=o1)
    make_visit(session, shop, local(2026, 11, 3, 11), keyword="머그")
    make_visit(session, shop, local(2026, 11, 4, 9), product=cup, order=o3)  # cancelled
    make_visit(session, shop, local(2026, 11, 4, 9, 30), keyword="컵", order=theirs)
    session.commit()

    rows = rollup_rows(session, shop.id)
    assert rows == {
        # (date, status, orders, revenue, units)
        "sales": [
            (D(2026, 11, 3), "paid", 2, 71_000, 5),
            (D(2026, 11, 4), "cancelled", 1, 12_000, 1),
            (D(2026, 11, 4), "paid", 1, 30_000, 2),
        ],
        # (date, product, paid orders, units, revenue); the line without a product is left out
        "products": sorted(
            [
                (D(2026, 11, 3), mug.id, 2, 4, 46_000),
                (D(2026, 11, 3), cup.id, 1, 1, 25_000),
                (D(2026, 11, 4), cup.id, 1, 1, 25_000),
            ]
        ),
        # (date, keyword, visits, conversions, revenue): another seller's order converts nothing
        "keywords": [
            (D(2026, 11, 3), "머그", 2, 1, 49_000),
            (D(2026, 11, 4), "", 1, 0, 0),
            (D(2026, 11, 4), "컵", 1, 0, 0),
        ],
        # (date, product, landing visits, converted)
        "landings": [(D(2026, 11, 3), mug.id, 1, 1), (D(2026, 11, 4), cup.id, 1, 0)],
    }
    assert rollup_rows(session, other.id)["sales"] == [(D(2026, 11, 4), "paid", 1, 70_000, 1)]

    refresh_rollups(session, shop.id, [D(2026, 11, 4)])
    assert rollup_rows(session, shop.id) == rows
    refresh_rollups(session, shop.id)
    assert rollup_rows(session, shop.id) == rows
    assert rollup_rows(session, other.id)["sales"] == [(D(2026, 11, 4), "paid", 1, 70_000, 1)]


def test_refreshing_dates_rebuilds_only_those_dates(session: Session) -> None:
    shop = make_seller(session, "shop")
    mug = make_product(session, shop, "머그컵", 12_000)
    make_order(session, shop, local(2026, 11, 3, 9), [(mug, 1)])
    make_order(session, shop, local(2026, 11, 5, 9), [(mug, 2)])
    session.commit()
    # rows written behind the rollups' back (a bulk insert) show up once refreshed
    session.execute(
        update(Order).where(Order.seller_id == shop.id).values(status="refunded")
    )  # both orders
    refresh_rollups(session, shop.id, [D(2026, 11, 5), D(2026, 11, 7)])
    assert rollup_rows(session, shop.id)["sales"] == [
        (D(2026, 11, 3), "paid", 1, 12_000, 1),  # not refreshed: stale, as asked
        (D(2026, 11, 5), "refunded", 1, 24_000, 2),
    ]
    assert rollup_rows(session, shop.id)["products"] == [(D(2026, 11, 3), mug.id, 1, 1, 12_000)]


def test_an_import_refreshes_the_dates_it_wrote(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        add_seller(session, slug="shop")
    data = (Path(__file__).parent / "data" / "import" / "shopify_orders.csv").read_bytes()
    report = import_orders(sessions, data, source="shopify_orders.csv", seller="shop")
    assert report.orders > 0
    with sessions() as session:
        seller_id = session.scalar(select(Seller.id).where(Seller.slug == "shop"))
        assert seller_id is not None
        assert rollup_rows(session, seller_id) == expected_rollups(session, seller_id, SEOUL)


def test_upgrading_a_database_with_data_fills_the_rollups(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(
            insert(Seller.__table__).values(
                id=1,
                slug="shop",
                name="shop",
                timezone="Asia/Seoul",
                currency="KRW",
                active=True,
                alerts_enabled=True,
                digest_enabled=True,
                created_at=utc(2026, 1, 1),
            )
        )
        connection.execute(
            insert(Order.__table__).values(
                id=1,
                seller_id=1,
                external_id="A",
                ordered_at=utc(2026, 11, 3, 16),  # 01:00 on 11-04 in Seoul
                status="paid",
                revenue=9_000,
                units=3,
            )
        )
    upgrade(engine)
    with Session(engine) as session:
        assert rollup_rows(session, 1)["sales"] == [(D(2026, 11, 4), "paid", 1, 9_000, 3)]
    engine.dispose()


# ---------------------------------------------------------------- generated stores


def expected_rollups(
    session: Session, seller_id: int, tz: ZoneInfo
) -> dict[str, list[tuple[Any, ...]]]:
    """The four rollups recomputed in Python from the raw rows (local dates by zoneinfo)."""
    sales: defaultdict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0])
    orders = {}
    for order_id, at, status, revenue, units in session.execute(
        select(Order.id, Order.ordered_at, Order.status, Order.revenue, Order.units).where(
            Order.seller_id == seller_id
        )
    ):
        orders[order_id] = (status, revenue)
        figures = sales[(at.astimezone(tz).date(), status)]
        figures[0] += 1
        figures[1] += revenue
        figures[2] += units
    products: defaultdict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [set(), 0, 0])
    for order_id, at, product_id, quantity, price in session.execute(
        select(
            Order.id,
            Order.ordered_at,
            OrderItem.product_id,
            OrderItem.quantity,
            OrderItem.unit_price,
        )
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.seller_id == seller_id, Order.status == "paid")
    ):
        if product_id is not None:
            figures = products[(at.astimezone(tz).date(), product_id)]
            figures[0].add(order_id)
            figures[1] += quantity
            figures[2] += quantity * price
    keywords: defaultdict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0])
    landings: defaultdict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    for at, keyword, landing, order_id in session.execute(
        select(
            Visit.started_at, Visit.search_keyword, Visit.landing_product_id, Visit.order_id
        ).where(Visit.seller_id == seller_id)
    ):
        day = at.astimezone(tz).date()
        status, revenue = orders.get(order_id, (None, 0))  # only this seller's orders
        figures = keywords[(day, keyword or "")]
        figures[0] += 1
        figures[1] += status == "paid"
        figures[2] += revenue if status == "paid" else 0
        if landing is not None:
            landing_figures = landings[(day, landing)]
            landing_figures[0] += 1
            landing_figures[1] += status == "paid"
    return {
        "sales": sorted((*key, *values) for key, values in sales.items()),
        "products": sorted(
            (*key, len(values[0]), values[1], values[2]) for key, values in products.items()
        ),
        "keywords": sorted((*key, *values) for key, values in keywords.items()),
        "landings": sorted((*key, *values) for key, values in landings.items()),
    }


def generated(sessions: sessionmaker[Session], timezone: str = "Asia/Seoul") -> int:
    spec = StoreSpec(
        slug=f"gen-{timezone.split('/')[-1].lower()}",
        until=UNTIL,
        days=40,
        orders_per_day=25,
        timezone=timezone,
        conversion=0.2,
        visit_days=None,
    )
    with sessions.begin() as session:
        return generate_store(session, spec, np.random.default_rng(11)).seller_id


@pytest.mark.parametrize("zone", ["Asia/Seoul", "Europe/Berlin"])  # Berlin: DST ends 10-25
def test_generated_rollups_equal_the_raw_rows_regrouped(
    sessions: sessionmaker[Session], zone: str
) -> None:
    seller_id = generated(sessions, zone)
    with sessions() as session:
        rows = rollup_rows(session, seller_id)
        assert rows == expected_rollups(session, seller_id, ZoneInfo(zone))
        assert all(rows.values())  # every table has rows


def analyses(session: Session, store: Store, window: Window, product_ids: list[int]) -> list[Any]:
    return [
        sales_report(session, store, window),
        top_products(session, store, window, "revenue", "top", limit=10),
        top_products(session, store, window, "units", "rising", min_previous_units=2),
        top_products(session, store, window, "revenue", "falling", min_previous_units=2),
        *[product_report(session, store, pid, window) for pid in product_ids],
        keyword_report(session, store, window, min_visits=5),
    ]


WINDOWS = [
    # 7 days to today so far (previous window cut at the same time), 7 days to yesterday,
    # a month cut mid-day, one past day (hourly), and windows around the DST change
    Window(D(2026, 11, 14), D(2026, 11, 20), dt.datetime(2026, 11, 20, 14, 30, tzinfo=SEOUL)),
    Window(D(2026, 11, 13), D(2026, 11, 19), dt.datetime(2026, 11, 20, 9, 0, tzinfo=SEOUL)),
    Window(D(2026, 10, 21), D(2026, 11, 19), dt.datetime(2026, 11, 19, 18, 45, tzinfo=SEOUL)),
    Window(D(2026, 11, 18), D(2026, 11, 18), dt.datetime(2026, 11, 19, 9, 0, tzinfo=SEOUL)),
    Window(D(2026, 10, 22), D(2026, 10, 28), dt.datetime(2026, 10, 28, 3, 15, tzinfo=SEOUL)),
]


@pytest.mark.parametrize("zone", ["Asia/Seoul", "Europe/Berlin"])
def test_every_analysis_answers_the_same_from_rollups_and_raw_rows(
    sessions: sessionmaker[Session], zone: str
) -> None:
    seller_id = generated(sessions, zone)
    store = Store(id=seller_id, timezone=ZoneInfo(zone))
    with sessions() as session:
        popular = session.scalars(
            select(ProductSalesDaily.product_id)
            .where(ProductSalesDaily.seller_id == seller_id)
            .group_by(ProductSalesDaily.product_id)
            .order_by(func.sum(ProductSalesDaily.units).desc(), ProductSalesDaily.product_id)
            .limit(3)
        ).all()
        product_ids = [*popular, session.scalar(select(func.max(Product.id)))]
        windows = [Window(w.start, w.end, w.now.astimezone(store.timezone)) for w in WINDOWS]
        from_rollups = [analyses(session, store, w, product_ids) for w in windows]
        # a seller whose stored timezone is not the store's: every analysis reads raw rows
        session.execute(update(Seller).where(Seller.id == seller_id).values(timezone="UTC"))
        from_raw = [analyses(session, store, w, product_ids) for w in windows]
        session.rollback()
    for window, rolled, raw in zip(windows, from_rollups, from_raw, strict=True):
        for one, other in zip(rolled, raw, strict=True):
            assert one == other, (window, type(one).__name__)
    report = from_rollups[0][0]
    assert report.totals.orders > 50 and report.previous.totals.orders > 50
    assert len(from_rollups[2][1].items) == 10
    assert from_rollups[0][-1].keyword_visits > 100


def test_revenue_and_orders_equals_the_orders_table_for_any_range(
    sessions: sessionmaker[Session],
) -> None:
    seller_id = generated(sessions)
    rng = np.random.default_rng(5)
    with sessions() as session:
        for _ in range(12):
            start = UNTIL - dt.timedelta(seconds=float(rng.uniform(0, 38 * 86_400)))
            stop = start + dt.timedelta(seconds=float(rng.uniform(0, 20 * 86_400)))
            revenue, orders = session.execute(
                select(func.coalesce(func.sum(Order.revenue), 0), func.count()).where(
                    Order.seller_id == seller_id,
                    Order.status == "paid",
                    Order.ordered_at >= start,
                    Order.ordered_at < stop,
                )
            ).one()
            assert revenue_and_orders(session, seller_id, SEOUL, start, stop) == (
                revenue,
                orders,
            )
        assert revenue_and_orders(session, seller_id, SEOUL, UNTIL, UNTIL) == (0, 0)
