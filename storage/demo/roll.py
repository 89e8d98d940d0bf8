"""Keep the demo stores current: `advisor seed --roll-forward` (and `make demo`).

The demo's history ends at the moment it was seeded, so a day later "오늘 매출" is 0.
A stale demo store (seeded up to more than `STALE_AFTER` before now; a generated
store's ground-truth incidents end at the latest at the `until` it was seeded to, and
its "low_stock" incident exactly there) is rebuilt up to now from the same spec and
seed: its incidents are planted relative to the
end of the history, so yesterday's sales drop is always yesterday's. The seller
row, its linked chats, link codes and conversations are kept; everything the
store's data produced (orders, products, customers, ads, visits, inquiries,
rollups, incidents and the alerts about the old data) is replaced. Same spec, seed
and `now` give the same rows. A seller with the slug but no incidents was not made
by the generator (a real store someone called `demo`): it is never touched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.demo.generate import StoreReport, generate_store
from storage.demo.spec import StoreSpec
from storage.models import Base, Incident, Order, OrderItem, Seller

STALE_AFTER = dt.timedelta(hours=1)
# what belongs to the seller rather than to its store data
KEPT_TABLES = frozenset({"sellers", "chat_links", "link_codes", "conversation_turns"})


@dataclass(frozen=True, slots=True)
class Rolled:
    """What `roll_forward` did with one demo store."""

    slug: str
    action: str  # "created" | "rebuilt" | "current" | "kept" (not a generated store)
    behind: dt.timedelta | None = None  # how far its history ended before now
    report: StoreReport | None = None


def roll_forward(
    session: Session,
    specs: list[StoreSpec],
    *,
    now: dt.datetime,
    seed: int = 42,
    on_store: Callable[[Rolled], None] | None = None,
) -> list[Rolled]:
    """Create the missing stores of `specs` and rebuild the stale ones up to `now`
    (the specs end at `now`), in the caller's transaction. Store number i (from 1)
    draws from numpy's default_rng([seed, i]), exactly as `seed_stores` does."""
    done = []
    for index, spec in enumerate(specs, start=1):
        seller = session.scalar(select(Seller).where(Seller.slug == spec.slug))
        seeded = None if seller is None else seeded_until(session, seller.id)
        behind = None if seeded is None else spec.until - seeded
        if seller is not None and behind is None:
            rolled = Rolled(spec.slug, "kept")
        elif behind is not None and behind <= STALE_AFTER:
            rolled = Rolled(spec.slug, "current", behind)
        else:
            if seller is not None:
                clear_store_data(session, seller.id)
            rng = np.random.default_rng([seed, index])
            report = generate_store(session, spec, rng, into=seller)
            rolled = Rolled(spec.slug, "rebuilt" if seller else "created", behind, report)
        done.append(rolled)
        if on_store is not None:
            on_store(rolled)
    return done


def seeded_until(session: Session, seller_id: int) -> dt.datetime | None:
    """The end of a generated store's history (None: the store was not generated)."""
    return session.scalar(select(func.max(Incident.ends_at)).where(Incident.seller_id == seller_id))


def clear_store_data(session: Session, seller_id: int) -> None:
    """Delete the seller's store data (every table with a seller_id outside
    KEPT_TABLES, children first), keeping the seller and its chats."""
    orders = select(Order.id).where(Order.seller_id == seller_id).scalar_subquery()
    session.execute(delete(OrderItem).where(OrderItem.order_id.in_(orders)))
    for table in reversed(Base.metadata.sorted_tables):
        if table.name not in KEPT_TABLES and "seller_id" in table.c:
            session.execute(delete(table).where(table.c.seller_id == seller_id))
    session.flush()
