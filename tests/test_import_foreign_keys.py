"""PostgreSQL: an import checks its new rows' foreign keys once, set-based, and writes
them with the per-row triggers off (storage.importing.foreign_keys); the references
stay exactly as safe as with the triggers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, session_factory
from storage.importing import ParsedLine, ParsedOrder, ParsedOrders, write_orders
from storage.importing.foreign_keys import checked_here
from storage.models import Order, OrderItem, ProductSalesDaily
from tests.factories import SEOUL, local, make_product, make_seller
from tests.test_rollups import expected_rollups, rollup_rows


@pytest.fixture
def sessions(pg_engine: Engine) -> sessionmaker[Session]:
    return session_factory(pg_engine)


def orders(sku: str, count: int = 3) -> ParsedOrders:
    lines = (ParsedLine(1, sku, sku, 2, 12_000),)
    return ParsedOrders(
        "orders.csv",
        tuple(
            ParsedOrder(f"F-{n}", n, local(2026, 11, 3, 9 + n), "paid", f"c{n}", None, lines)
            for n in range(count)
        ),
        0,
        (),
    )


@pytest.fixture
def shop(sessions: sessionmaker[Session]) -> tuple[int, int]:
    """A seller and its product MUG (ids), committed."""
    with sessions.begin() as session:
        seller = make_seller(session, "shop")
        mug = make_product(session, seller, "머그컵", 12_000, sku="MUG")
        return seller.id, mug.id


def test_the_tables_written_with_triggers_off_have_no_other_trigger_or_rule(
    pg_engine: Engine,
) -> None:
    tables = ("orders", "order_items", "sales_daily", "product_sales_daily")
    with pg_engine.connect() as connection:
        triggers = connection.execute(
            text(
                "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
                "WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY(:tables)"
            ),
            {"tables": list(tables)},
        ).all()
        rules = connection.execute(
            text("SELECT tablename, rulename FROM pg_rules WHERE tablename = ANY(:tables)"),
            {"tables": list(tables)},
        ).all()
    assert (triggers, rules) == ([], [])


def test_after_an_import_the_triggers_check_again_in_the_same_transaction(
    pg_engine: Engine, sessions: sessionmaker[Session], shop: tuple[int, int]
) -> None:
    seller_id, _ = shop
    statements: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    with sessions() as session:
        event.listen(pg_engine, "before_cursor_execute", capture)
        try:
            report = write_orders(session, seller_id, orders("MUG"))
        finally:
            event.remove(pg_engine, "before_cursor_execute", capture)
        assert report.orders == 3
        assert any("FOR KEY SHARE" in statement for statement in statements)  # the fast path
        assert session.scalar(text("SELECT current_setting('session_replication_role')")) == (
            "origin"
        )
        order_id = session.scalar(select(Order.id).where(Order.external_id == "F-0"))
        with pytest.raises(IntegrityError):  # no product 999999: refused by the trigger
            with session.begin_nested():
                session.execute(
                    insert(OrderItem).values(
                        order_id=order_id, line_no=9, product_id=999_999, quantity=1, unit_price=1
                    )
                )
        session.commit()
    with sessions() as session:
        assert rollup_rows(session, seller_id) == expected_rollups(session, seller_id, SEOUL)


def test_a_product_an_import_refers_to_is_locked_until_it_commits(
    pg_engine: Engine, sessions: sessionmaker[Session], shop: tuple[int, int]
) -> None:
    seller_id, mug_id = shop
    with sessions() as importing:
        write_orders(importing, seller_id, orders("MUG"))
        with pg_engine.connect() as other:
            other.execute(text("SET lock_timeout = '300ms'"))
            with pytest.raises(OperationalError, match="lock timeout"):
                other.execute(text("DELETE FROM products WHERE id = :id"), {"id": mug_id})
        importing.commit()
    with pg_engine.begin() as other:  # committed: the delete's ON DELETE actions reach them
        other.execute(text("DELETE FROM products WHERE id = :id"), {"id": mug_id})
    with sessions() as session:
        assert session.scalars(select(OrderItem.product_id)).all() == [None, None, None]
        assert session.scalars(select(ProductSalesDaily.product_id)).all() == []


def test_a_missing_reference_leaves_the_checks_to_the_triggers(
    sessions: sessionmaker[Session], shop: tuple[int, int]
) -> None:
    seller_id, _ = shop
    with sessions() as session:
        order_id = session.scalar(
            insert(Order)
            .values(
                seller_id=seller_id,
                external_id="X",
                ordered_at=local(2026, 11, 3),
                status="paid",
                revenue=1,
                units=1,
            )
            .returning(Order.id)
        )
        with pytest.raises(IntegrityError, match="order_items_product_id_fkey"):
            with checked_here(session, seller_id, set(), {999_999}):
                session.execute(
                    insert(OrderItem).values(
                        order_id=order_id, line_no=1, product_id=999_999, quantity=1, unit_price=1
                    )
                )


@pytest.fixture
def plain_role(pg_engine: Engine) -> Iterator[Engine]:
    """An engine on the test database as a role that is no superuser (and may not set
    session_replication_role), with the rights an application needs."""
    role = f"advisor_plain_{uuid.uuid4().hex[:8]}"
    with pg_engine.begin() as connection:
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        connection.execute(text(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"'))
        connection.execute(text(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{role}"'))
    engine = make_engine(pg_engine.url.set(username=role).render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with pg_engine.begin() as connection:
        connection.execute(text(f'DROP OWNED BY "{role}"'))
        connection.execute(text(f'DROP ROLE "{role}"'))


def test_a_role_that_may_not_turn_the_triggers_off_imports_with_them(
    plain_role: Engine, shop: tuple[int, int]
) -> None:
    seller_id, _ = shop
    statements: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    sessions = session_factory(plain_role)
    event.listen(plain_role, "before_cursor_execute", capture)
    try:
        with sessions.begin() as session:
            assert write_orders(session, seller_id, orders("MUG")).orders == 3
    finally:
        event.remove(plain_role, "before_cursor_execute", capture)
    assert not any("FOR KEY SHARE" in s or "set_config" in s for s in statements)
    with sessions() as session:
        assert rollup_rows(session, seller_id) == expected_rollups(session, seller_id, SEOUL)
