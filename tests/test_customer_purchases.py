"""Each customer's purchases, packed per seller (storage.customer_purchases): the pack,
its changed customers read again and the orders since it equal every order read again
after each kind of write (live orders, an old order added, an import re-reading orders:
refund, another customer, a late order), a write to a day it covers marks the
customers (past a limit, drops the pack), a build never misses a write made meanwhile,
and the reader ignores a pack of another timezone."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage import customer_purchases
from storage.importing import import_orders
from storage.models import Customer, Product, Seller
from storage.purchases import EPOCH, Purchases
from storage.sellers import add_seller
from tests.factories import SEOUL, local, make_customer, make_order, make_product, make_seller

BERLIN = ZoneInfo("Europe/Berlin")
D = dt.date


def _arrays(bought: Purchases) -> dict[str, list[int]]:
    return {
        "customer": bought.customer.tolist(),
        "first_day": bought.first_day.tolist(),
        "last_day": bought.last_day.tolist(),
        "days": bought.days.tolist(),
        "first_amount": bought.first_amount.tolist(),
        "total": bought.total.tolist(),
    }


def _raw(session: Session, seller_id: int, as_of: dt.datetime, tz: ZoneInfo = SEOUL) -> Purchases:
    rows = customer_purchases.purchase_days(session, seller_id, tz, until=as_of)
    return Purchases.of_days(rows[:, 0], rows[:, 1], rows[:, 2])


def _read(session: Session, seller_id: int, as_of: dt.datetime, tz: ZoneInfo = SEOUL) -> Purchases:
    """What a customer question reads; checked equal to every order read again."""
    kept = customer_purchases.purchases(session, seller_id, tz, as_of=as_of)
    assert _arrays(kept) == _arrays(_raw(session, seller_id, as_of, tz))
    return kept


def _day(year: int, month: int, day: int) -> int:
    return (D(year, month, day) - EPOCH).days


def test_later_purchases_extend_a_customers_and_add_new_ones() -> None:
    def of(rows: list[tuple[int, int, int]]) -> Purchases:
        customer, day, amount = (
            np.array(column, dtype=np.int64) for column in zip(*rows, strict=True)
        )
        return Purchases.of_days(customer, day, amount)

    earlier = of([(1, 10, 100), (1, 12, 50), (3, 11, 70)])
    later = of([(1, 15, 30), (2, 14, 20)])
    joined = earlier.then(later)
    assert _arrays(joined) == {
        "customer": [1, 2, 3],
        "first_day": [10, 14, 11],
        "last_day": [15, 14, 11],
        "days": [3, 1, 1],
        "first_amount": [100, 20, 70],
        "total": [180, 20, 70],
    }
    assert _arrays(Purchases.loads(joined.dumps())) == _arrays(joined)
    assert _arrays(earlier.then(Purchases.empty())) == _arrays(earlier)


def _shop(session: Session) -> tuple[Seller, Product, dict[str, Customer]]:
    seller = make_seller(session)
    mug = make_product(session, seller, "머그컵", 1_000)
    people = {name: make_customer(session, seller, name) for name in ("kim", "lee", "park")}
    orders = [
        ("kim", local(2026, 11, 10, 10), 12, "paid"),
        ("kim", local(2026, 11, 10, 20), 3, "paid"),  # the same day: one purchase day
        ("kim", local(2026, 11, 15, 9), 5, "paid"),
        ("lee", local(2026, 11, 12, 9), 8, "paid"),
        ("lee", local(2026, 11, 13, 9), 9, "refunded"),  # never a purchase
        ("park", local(2026, 11, 19, 23, 30), 7, "paid"),
    ]
    for name, at, quantity, status in orders:
        make_order(session, seller, at, [(mug, quantity)], status=status, customer=people[name])
    return seller, mug, people


def test_the_pack_and_todays_orders_equal_every_order_until_an_old_day_changes(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        seller, mug, people = _shop(session)
        assert customer_purchases.keep(session, seller.id, SEOUL, now=local(2026, 11, 20, 9)) == (
            "built"
        )
    with sessions.begin() as session:  # a live order of today: the pack stays
        make_order(session, seller, local(2026, 11, 20, 10), [(mug, 4)], customer=people["kim"])
    with sessions() as session:
        pack = customer_purchases.load(session, seller.id)
        assert pack is not None and pack.through_day == D(2026, 11, 20)
        assert len(pack.purchases) == 3
        kept = _read(session, seller.id, local(2026, 11, 20, 12))
        assert _arrays(kept) == {
            "customer": [people["kim"].id, people["lee"].id, people["park"].id],
            "first_day": [_day(2026, 11, 10), _day(2026, 11, 12), _day(2026, 11, 19)],
            "last_day": [_day(2026, 11, 20), _day(2026, 11, 12), _day(2026, 11, 19)],
            "days": [3, 1, 1],
            "first_amount": [15_000, 8_000, 7_000],
            "total": [24_000, 8_000, 7_000],
        }
        # asked as of an hour before today's order: it is not counted
        assert _read(session, seller.id, local(2026, 11, 20, 9, 30)).total.tolist()[0] == 20_000
    with sessions.begin() as session:  # an order of a day the pack covers: lee is marked
        make_order(session, seller, local(2026, 11, 14, 10), [(mug, 2)], customer=people["lee"])
    with sessions() as session:
        assert customer_purchases.load(session, seller.id) is not None
        assert customer_purchases.changed_customers(session, seller.id) == [people["lee"].id]
        assert _read(session, seller.id, local(2026, 11, 20, 12)).days.tolist() == [3, 2, 1]
    with sessions.begin() as session:  # the refresh folds the change in
        assert customer_purchases.keep(session, seller.id, SEOUL, now=local(2026, 11, 20, 13)) == (
            "folded"
        )
        assert customer_purchases.changed_customers(session, seller.id) == []
        assert customer_purchases.keep(session, seller.id, SEOUL, now=local(2026, 11, 20, 14)) == (
            "kept"
        )
    with sessions() as session:
        pack = customer_purchases.load(session, seller.id)
        assert pack is not None and pack.purchases.days.tolist() == [2, 2, 1]
    with sessions.begin() as session:  # two days on: the days since are folded in
        make_order(session, seller, local(2026, 11, 21, 10), [(mug, 6)], customer=people["park"])
        assert customer_purchases.keep(session, seller.id, SEOUL, now=local(2026, 11, 22, 9)) == (
            "folded"
        )
    with sessions() as session:
        pack = customer_purchases.load(session, seller.id)
        assert pack is not None and pack.through_day == D(2026, 11, 22)
        assert pack.purchases.total.tolist() == [24_000, 10_000, 13_000]
        _read(session, seller.id, local(2026, 11, 22, 12))
        # a question about a day before the pack's: every order is read
        assert _read(session, seller.id, local(2026, 11, 20, 12)).total.tolist() == [
            24_000,
            10_000,
            7_000,
        ]


def test_a_pack_of_another_timezone_is_not_read(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        seller, _, people = _shop(session)
        customer_purchases.keep(session, seller.id, SEOUL, now=local(2026, 11, 20, 9))
    with sessions() as session:
        # 23:30 in Seoul on 11-19 is 15:30 in Berlin, still 11-19; 20:00 on 11-10 is noon
        berlin = _read(session, seller.id, local(2026, 11, 20, 12), BERLIN)
        assert berlin.days.tolist() == [2, 1, 1]
        assert berlin.first_amount.tolist()[0] == 15_000


CSV = "order_id,ordered_at,status,sku,product_name,quantity,unit_price,customer\n"
FIRST = CSV + (
    "A-1,2026-11-18 10:00,paid,MUG,머그컵,1,12000,kim\n"
    "A-2,2026-11-18 23:30,paid,CUP,컵,1,25000,lee\n"
    "A-3,2026-11-19 09:00,paid,MUG,머그컵,1,12000,kim\n"
)
MOVED = FIRST.replace(
    "A-3,2026-11-19 09:00,paid,MUG,머그컵,1,12000,kim",
    "A-3,2026-11-19 09:00,paid,MUG,머그컵,1,12000,lee",
)
REFUNDED = MOVED.replace("A-2,2026-11-18 23:30,paid", "A-2,2026-11-18 23:30,refunded")


ADDED = REFUNDED + "A-4,2026-11-17 10:00,paid,MUG,머그컵,1,12000,park\n"  # a late export


def test_an_import_that_writes_old_orders_marks_their_customers(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        add_seller(session, slug="shop", name="shop")
    import_orders(sessions, FIRST.encode(), source="first.csv", seller="shop")
    now = local(2026, 11, 20, 9)
    steps = [  # (export, customers marked, purchase days and totals of kim, lee[, park])
        ("MOVED", MOVED, ["kim", "lee"], [1, 2], [12_000, 37_000]),  # kim's, then lee's
        ("REFUNDED", REFUNDED, ["lee"], [1, 1], [12_000, 12_000]),  # A-2 refunded
        ("ADDED", ADDED, ["park"], [1, 1, 1], [12_000, 12_000, 12_000]),  # A-4 new, of 11-17
    ]
    for name, text, marked, days, totals in steps:
        with sessions.begin() as session:
            shop = session.scalar(select(Seller.id).where(Seller.slug == "shop"))
            assert shop is not None
            customer_purchases.keep(session, shop, SEOUL, now=now)
        import_orders(sessions, text.encode(), source=f"{name}.csv", seller="shop")
        with sessions() as session:
            ids = dict(session.execute(select(Customer.external_id, Customer.id)).all())
            assert customer_purchases.load(session, shop) is not None, name
            changed = customer_purchases.changed_customers(session, shop)
            assert changed == sorted(ids[who] for who in marked), name
            after = _read(session, shop, now)
            assert after.days.tolist() == days, name
            assert after.total.tolist() == totals, name


def test_past_the_limit_of_changed_customers_the_pack_goes(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(customer_purchases, "CHANGED_LIMIT", 1)
    with sessions.begin() as session:
        add_seller(session, slug="shop", name="shop")
    import_orders(sessions, FIRST.encode(), source="first.csv", seller="shop")
    now = local(2026, 11, 20, 9)
    with sessions.begin() as session:
        shop = session.scalar(select(Seller.id).where(Seller.slug == "shop"))
        assert shop is not None
        customer_purchases.keep(session, shop, SEOUL, now=now)
    import_orders(sessions, MOVED.encode(), source="moved.csv", seller="shop")  # two customers
    with sessions() as session:
        assert customer_purchases.load(session, shop) is None
        assert customer_purchases.changed_customers(session, shop) == []
        assert _read(session, shop, now).days.tolist() == [1, 2]
    with sessions.begin() as session:
        assert customer_purchases.keep(session, shop, SEOUL, now=now) == "built"


def _waits_for(holder: Session, act: Callable[[], None]) -> None:
    """`act`, on another thread, waits while `holder`'s transaction is open and runs
    once it commits."""
    done = threading.Event()

    def run() -> None:
        act()
        done.set()

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.5)
    assert not done.is_set()  # waiting for the holder's lock
    holder.commit()
    holder.close()
    thread.join(timeout=10)
    assert done.is_set()


def test_a_write_during_a_build_waits_for_it_and_then_marks_its_customer(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        seller, mug, people = _shop(session)
        seller_id, mug_id, lee_id = seller.id, mug.id, people["lee"].id
    builder = sessions()
    customer_purchases.keep(builder, seller_id, SEOUL, now=local(2026, 11, 20, 9))  # not committed

    def write_an_old_order() -> None:
        with sessions.begin() as session:
            mug = session.get_one(Product, mug_id)
            lee = session.get_one(Customer, lee_id)
            make_order(
                session,
                session.get_one(Seller, seller_id),
                local(2026, 11, 11, 9),
                [(mug, 1)],
                customer=lee,
            )

    _waits_for(builder, write_an_old_order)  # the build's lock
    with sessions() as session:
        pack = customer_purchases.load(session, seller_id)
        assert pack is not None and pack.purchases.days.tolist() == [2, 1, 1]  # without it
        assert customer_purchases.changed_customers(session, seller_id) == [lee_id]
        assert _read(session, seller_id, local(2026, 11, 20, 12)).days.tolist() == [2, 2, 1]


def test_a_build_waits_for_a_write_in_progress_and_reads_it(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        seller, mug, people = _shop(session)
        seller_id = seller.id
    writer = sessions()
    make_order(
        writer,
        seller,
        local(2026, 11, 11, 9),
        [(writer.merge(mug), 1)],
        customer=writer.merge(people["lee"]),
    )

    def build() -> None:
        with sessions.begin() as session:
            customer_purchases.keep(session, seller_id, SEOUL, now=local(2026, 11, 20, 9))

    _waits_for(writer, build)  # the write's lock
    with sessions() as session:
        pack = customer_purchases.load(session, seller_id)
        assert pack is not None and pack.purchases.days.tolist() == [2, 2, 1]
        _read(session, seller_id, local(2026, 11, 20, 12))


@pytest.mark.parametrize("zone", ["Asia/Seoul", "Europe/Berlin"])  # Berlin: DST ends 10-25
def test_a_generated_stores_pack_equals_its_orders(
    sessions: sessionmaker[Session], zone: str
) -> None:
    from tests.test_rollups import UNTIL, generated

    seller_id = generated(sessions, zone)
    tz = ZoneInfo(zone)
    with sessions() as session:
        pack = customer_purchases.load(session, seller_id)
        assert pack is not None and pack.through_day == UNTIL.astimezone(tz).date()
        assert len(pack.purchases) > 500
        for hours in (0, 5, 30):  # the last day so far, and the day before (every order read)
            _read(session, seller_id, UNTIL - dt.timedelta(hours=hours), tz)
