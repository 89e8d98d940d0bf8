"""Storage: migrations, the order write path and the revenue definition, on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.db import current_revision
from storage.models import Order, OrderItem
from storage.sellers import SellerError, add_seller, get_seller
from tests.factories import local, make_order, make_product, make_seller


def _head(engine: Engine) -> str:
    """The newest revision among the migration scripts (one linear history)."""
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config

    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert head is not None
    return head


def test_migrations_create_every_table(engine: Engine) -> None:
    assert current_revision(engine) == _head(engine)
    tables = set(inspect(engine).get_table_names())
    assert {
        "sellers",
        "chat_links",
        "link_codes",
        "products",
        "customers",
        "orders",
        "order_items",
        "ad_campaigns",
        "ad_stats_daily",
        "visits",
        "inquiries",
        "alerts",
        "incidents",
        "conversation_turns",
    } <= tables


def test_order_totals_cached_from_lines_and_timestamps_round_trip_as_utc(session: Session) -> None:
    seller = make_seller(session)
    mug = make_product(session, seller, "머그컵", 12_000)
    cup = make_product(session, seller, "텀블러", 25_500)
    order = make_order(session, seller, local(2026, 11, 3, 9, 30), [(mug, 2), (cup, 1, 20_000)])
    session.commit()
    session.expire_all()
    stored = session.get(Order, order.id)
    assert stored is not None
    assert (stored.revenue, stored.units) == (44_000, 3)
    assert stored.ordered_at == dt.datetime(2026, 11, 3, 0, 30, tzinfo=dt.UTC)
    lines = session.scalars(
        select(OrderItem).where(OrderItem.order_id == order.id).order_by(OrderItem.line_no)
    )
    assert [(line.line_no, line.quantity, line.unit_price) for line in lines] == [
        (1, 2, 12_000),
        (2, 1, 20_000),
    ]


def test_invalid_rows_are_refused(session: Session) -> None:
    seller = make_seller(session)
    mug = make_product(session, seller, "머그컵", 12_000)
    with pytest.raises(ValueError, match="unknown order status"):
        make_order(session, seller, local(2026, 11, 3), [(mug, 1)], status="shipped")
    with pytest.raises(ValueError, match="quantity must be positive"):
        make_order(session, seller, local(2026, 11, 3), [(mug, -1)])
    with pytest.raises(IntegrityError):  # the database refuses it too
        session.add(OrderItem(order_id=None, line_no=1, quantity=0, unit_price=1))
        session.flush()
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Order)) == 0


def test_seller_add_validates_and_finds(session: Session) -> None:
    add_seller(session, slug="Demo", name="데모 상점")
    assert get_seller(session, "demo").name == "데모 상점"
    with pytest.raises(SellerError, match="already exists"):
        add_seller(session, slug="demo")
    with pytest.raises(SellerError, match="unknown timezone"):
        add_seller(session, slug="x", timezone="Mars/Base")
    with pytest.raises(SellerError, match="no seller"):
        get_seller(session, "nobody")
