"""Foreign keys of an import's new rows checked once, set-based, on PostgreSQL.

PostgreSQL checks a foreign key with a trigger per written row: a query that finds
and locks (FOR KEY SHARE) the row referenced. An import of 100,000 order lines
runs about 450,000 of them (an order's seller and customer, a line's order and
product, a rollup row's seller and product): two thirds of the server's time in
the import, and what kept PostgreSQL slower than SQLite.

`checked_here` does the same check for the whole import at once, then writes the
rows with those triggers off (`session_replication_role = replica`, for the
statements inside only): the seller, customers and products the new rows refer
to are locked FOR KEY SHARE, as the triggers would lock them, so none can be
deleted or have its key changed before the import commits (a concurrent delete
waits, then its ON DELETE actions reach the imported rows), and every one must
exist; the new rows' other references are to orders written inside, in the same
transaction. When one is missing, or the role may not set the parameter
(superuser, or `GRANT SET ON PARAMETER session_replication_role`, PostgreSQL 15+),
the rows are written with the triggers on, which check them row by row as before
(and refuse the missing one). An error inside rolls back to a savepoint taken
before the setting, so the triggers are on again for whatever the caller does
next. The setting also skips ordinary triggers and rules: the tables written
inside (orders, order_items, sales_daily, product_sales_daily) have none (a test
checks).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import any_, func, literal, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from storage.models import Customer, Product, Seller

ROLE = "session_replication_role"


def _may_set_role(session: Session) -> bool:
    connection: Any = session.connection().connection.driver_connection
    if connection.info.parameter_status("is_superuser") == "on":
        return True
    if connection.info.server_version < 150000:  # no SET privilege on parameters
        return False
    return bool(session.scalar(text(f"SELECT has_parameter_privilege('{ROLE}', 'SET')")))


def _all_locked(session: Session, model: Any, ids: Collection[int]) -> bool:
    """Lock these rows FOR KEY SHARE (as a foreign key's trigger does); whether all exist."""
    if not ids:
        return True
    found = session.scalars(
        select(model.id)
        .where(model.id == any_(literal(sorted(ids), ARRAY(model.id.type))))
        .with_for_update(read=True, key_share=True)
    ).all()
    return len(found) == len(ids)


@contextmanager
def checked_here(
    session: Session, seller_id: int, customer_ids: Collection[int], product_ids: Collection[int]
) -> Iterator[None]:
    """Write new orders, their lines and their rollup rows inside: on PostgreSQL with
    their foreign keys checked here at once rather than per row (module docstring);
    elsewhere, or when that is not possible, as usual."""
    if session.get_bind().dialect.name != "postgresql" or not _may_set_role(session):
        yield
        return
    referenced = (
        _all_locked(session, Seller, {seller_id})
        and _all_locked(session, Customer, customer_ids)
        and _all_locked(session, Product, product_ids)
    )
    if not referenced:
        yield
        return
    previous = session.scalar(select(func.current_setting(ROLE)))
    with session.begin_nested():
        session.execute(select(func.set_config(ROLE, "replica", True)))
        yield
        session.execute(select(func.set_config(ROLE, previous, True)))
