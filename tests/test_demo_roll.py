"""`advisor seed --roll-forward` (what `make demo` runs): a stale demo store is rebuilt
up to now, keeping its seller, linked chats and conversations; a current one is kept.

Small stores (30 days, 20 orders a day) on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.conversations import add_turn, recent_turns
from storage.demo import StoreSpec, seed_specs, seed_stores
from storage.demo.roll import roll_forward
from storage.links import linked_seller
from storage.models import ChatLink, Incident, Order, Product, Seller
from tests.factories import make_order, make_product, make_seller

SEOUL = ZoneInfo("Asia/Seoul")
SEEDED = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)  # Tue 2026-12-01 10:00 in Seoul
LATER = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)  # Mon 2026-12-07 12:00 in Seoul


def _specs(until: dt.datetime) -> list[StoreSpec]:
    return seed_specs(until=until, sellers=2, days=30, orders_per_day=20)


def _fingerprint(session: Session, slug: str) -> tuple[object, ...]:
    """What a seller's store data adds up to (ids aside)."""
    seller = session.scalar(select(Seller).where(Seller.slug == slug))
    assert seller is not None
    orders = session.execute(
        select(func.count(), func.sum(Order.revenue), func.min(Order.ordered_at)).where(
            Order.seller_id == seller.id
        )
    ).one()
    last = session.scalar(select(func.max(Order.ordered_at)).where(Order.seller_id == seller.id))
    names = tuple(session.scalars(select(Product.name).where(Product.seller_id == seller.id)))
    incidents = tuple(
        (i.kind, i.starts_at)
        for i in session.scalars(
            select(Incident).where(Incident.seller_id == seller.id).order_by(Incident.id)
        )
    )
    return (*orders, last, names, incidents)


def test_a_stale_demo_is_rebuilt_up_to_now_keeping_its_chats(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        seed_stores(session, _specs(SEEDED))
        demo = session.scalar(select(Seller).where(Seller.slug == "demo"))
        assert demo is not None
        demo_id = demo.id
        session.add(ChatLink(chat_id=501, seller_id=demo_id))
        add_turn(
            session,
            chat_id=501,
            seller_id=demo_id,
            question="오늘 매출 어때?",
            answer="...",
            mode="offline",
            tool_calls=[],
            at=SEEDED,
        )

    with sessions.begin() as session:
        rolled = roll_forward(session, _specs(LATER), now=LATER)
    assert [(r.slug, r.action, r.behind) for r in rolled] == [
        ("demo", "rebuilt", LATER - SEEDED),
        ("seller-0002", "rebuilt", LATER - SEEDED),
    ]

    with sessions() as session:
        demo = session.get(Seller, demo_id)
        assert demo is not None and demo.slug == "demo"  # the same seller row
        linked = linked_seller(session, 501)
        assert linked is not None and linked.id == demo_id
        assert [t.question for t in recent_turns(session, chat_id=501, seller_id=demo_id)] == [
            "오늘 매출 어때?"
        ]
        # the data now ends at LATER, and the planted sales drop is yesterday's again
        last = session.scalar(select(func.max(Order.ordered_at)).where(Order.seller_id == demo_id))
        assert last is not None and LATER - dt.timedelta(hours=3) < last <= LATER
        drop = session.scalar(
            select(Incident).where(Incident.seller_id == demo_id, Incident.kind == "sales_drop")
        )
        assert drop is not None
        assert drop.starts_at.astimezone(SEOUL).date() == dt.date(2026, 12, 6)
        rebuilt = _fingerprint(session, "demo")

    # the same rows a fresh seed up to LATER gives (ids aside): deterministic
    with sessions.begin() as session:
        for slug in ("demo", "seller-0002"):
            seller = session.scalar(select(Seller).where(Seller.slug == slug))
            session.delete(seller)
    with sessions.begin() as session:
        seed_stores(session, _specs(LATER))
    with sessions() as session:
        assert _fingerprint(session, "demo") == rebuilt


def test_a_current_demo_is_kept_and_a_missing_store_is_created(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        seed_stores(session, _specs(SEEDED))
    with sessions() as session:
        before = _fingerprint(session, "demo")

    soon = SEEDED + dt.timedelta(minutes=40)
    with sessions.begin() as session:
        specs = seed_specs(until=soon, sellers=3, days=30, orders_per_day=20)
        rolled = roll_forward(session, specs, now=soon)
    assert [(r.slug, r.action) for r in rolled] == [
        ("demo", "current"),
        ("seller-0002", "current"),
        ("seller-0003", "created"),
    ]
    with sessions() as session:
        assert _fingerprint(session, "demo") == before
        assert session.scalar(select(func.count()).select_from(Seller)) == 3


def test_a_real_store_that_happens_to_be_called_demo_is_never_rebuilt(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        seller = make_seller(session, "demo")
        make_order(session, seller, SEEDED, [(make_product(session, seller, "텀블러", 15000), 2)])
    with sessions.begin() as session:
        rolled = roll_forward(session, _specs(LATER)[:1], now=LATER)
    assert [(r.slug, r.action) for r in rolled] == [("demo", "kept")]
    with sessions() as session:
        assert session.scalars(select(Product.name)).all() == ["텀블러"]
        assert session.scalar(select(func.count()).select_from(Order)) == 1
