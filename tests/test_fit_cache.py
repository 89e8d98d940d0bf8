"""Customer fits kept per store (tools.fit_cache) and refreshed in the background
(tools.customer_fit): a kept fit answers exactly as a fresh one on the same data,
and an import that changes the store's orders is never answered from the old fit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from analytics.clv import CustomerReport, ScoredStore, customer_report
from analytics.common import Store
from storage import customer_purchases
from storage.conversations import add_turn
from storage.importing import import_orders
from storage.models import Customer, Seller
from tests.factories import SEOUL, local, make_customer, make_order, make_product, make_seller
from tests.test_clv import _simulated_purchase_days
from tools.customer_fit import asked_sellers, refresh
from tools.fit_cache import FitCache

NOW = dt.datetime(2025, 1, 1, 5, 42, 13, tzinfo=dt.UTC)  # 14:42 in Seoul
HOUR = dt.datetime(2025, 1, 1, 5, tzinfo=dt.UTC)
HEADER = "order_id,ordered_at,status,sku,product_name,quantity,unit_price,customer\n"


def _shop(sessions: sessionmaker[Session], slug: str = "regulars") -> Store:
    """260 simulated customers buying in 2024 (one 10,000 item, 1-3 a time)."""
    with sessions.begin() as session:
        shop = make_seller(session, slug)
        item = make_product(session, shop, "item", 10_000, sku="ITEM")
        for number, days in enumerate(_simulated_purchase_days(seed=7, customers=260)):
            customer = make_customer(session, shop, f"S{number:03d}")
            for day in days:
                at = local(2024, 1, 1) + dt.timedelta(days=day)
                make_order(session, shop, at, [(item, 1 + number % 3)], customer=customer)
        return Store(id=shop.id, timezone=SEOUL)


def _reports(sessions: sessionmaker[Session], fits: FitCache, store: Store, now: dt.datetime):  # type: ignore[no-untyped-def]
    """(the report from the kept fit, a report fitted afresh) for the same data."""
    with sessions() as session:
        as_of = FitCache.calibration_end(now)
        kept = fits.scored(session, store, now)
        cached = customer_report(session, store, as_of=as_of, limit=50, scored_store=kept)
        fresh = customer_report(session, store, as_of=as_of, limit=50)
    assert isinstance(cached, CustomerReport)
    return kept, cached, fresh


def _customer_id(sessions: sessionmaker[Session], store: Store, external_id: str) -> int:
    with sessions() as session:
        found = session.scalar(
            select(Customer.id).where(
                Customer.seller_id == store.id, Customer.external_id == external_id
            )
        )
    assert found is not None
    return found


def _summary(fitted: object, customer_id: int) -> tuple[int, int, int]:
    """(repeat purchase days, days from first to last purchase, mean repeat-day spend)."""
    assert isinstance(fitted, ScoredStore)
    row = fitted.scored.loc[customer_id]
    return int(row["x"]), int(row["t_x"]), int(row["monetary"])


def _import(sessions: sessionmaker[Session], rows: str) -> None:
    import_orders(sessions, (HEADER + rows).encode(), source="export.csv", seller="regulars")


def test_kept_fit_answers_exactly_as_a_fresh_one_until_an_import_changes_the_orders(
    sessions: sessionmaker[Session],
) -> None:
    store = _shop(sessions)
    fits = FitCache()
    kept, cached, fresh = _reports(sessions, fits, store, NOW)
    assert cached == fresh
    assert (cached.customers_fitted, cached.calibration_end) == (260, HOUR)
    s001 = _customer_id(sessions, store, "S001")  # bought 2 x 10,000 on Jul 6 and Jul 11
    assert _summary(kept, s001) == (1, 5, 20_000)
    # an order after the calibration end (14:00 Seoul) is not in the fit: kept
    _import(sessions, "N-1,2025-01-01 14:30,paid,ITEM,item,1,10000,S001\n")
    again, cached, fresh = _reports(sessions, fits, store, NOW + dt.timedelta(minutes=10))
    assert again is kept
    assert cached == fresh
    # an import of an older order (Dec 1, 1 x 10,000) changes the fit: fitted again
    _import(sessions, "N-2,2024-12-01 10:00,paid,ITEM,item,1,10000,S001\n")
    refit, cached, fresh = _reports(sessions, fits, store, NOW + dt.timedelta(minutes=11))
    assert refit is not kept
    assert cached == fresh
    assert _summary(refit, s001) == (2, 148, 15_000)  # Jul 6 -> Dec 1; (20,000 + 10,000) / 2
    # the same order refunded in a later export: fitted again, as before the import
    _import(sessions, "N-2,2024-12-01 10:00,refunded,ITEM,item,1,10000,S001\n")
    refunded, cached, fresh = _reports(sessions, fits, store, NOW + dt.timedelta(minutes=12))
    assert refunded is not refit
    assert cached == fresh
    assert _summary(refunded, s001) == (1, 5, 20_000)


def test_an_import_that_only_moves_an_old_order_to_another_customer_fits_again(
    sessions: sessionmaker[Session],
) -> None:
    store = _shop(sessions)
    _import(sessions, "N-2,2024-12-01 10:00,paid,ITEM,item,1,10000,S001\n")
    with sessions.begin() as session:  # as the background refresh keeps it
        customer_purchases.keep(session, store.id, SEOUL, now=NOW)
    fits = FitCache()
    kept, cached, fresh = _reports(sessions, fits, store, NOW)
    assert cached == fresh
    s001 = _customer_id(sessions, store, "S001")
    assert _summary(kept, s001) == (2, 148, 15_000)
    # the same order, now S002's: no day's sums change, but the pack is dropped
    _import(sessions, "N-2,2024-12-01 10:00,paid,ITEM,item,1,10000,S002\n")
    moved, cached, fresh = _reports(sessions, fits, store, NOW + dt.timedelta(minutes=1))
    assert moved is not kept
    assert cached == fresh
    assert _summary(moved, s001) == (1, 5, 20_000)


def test_next_hour_fits_as_of_the_new_hour(sessions: sessionmaker[Session]) -> None:
    store = _shop(sessions)
    fits = FitCache()
    with sessions() as session:
        first = fits.scored(session, store, NOW)
        later = fits.scored(session, store, NOW + dt.timedelta(minutes=20))
    assert (first.as_of, later.as_of) == (HOUR, HOUR + dt.timedelta(hours=1))  # type: ignore[union-attr]


def test_background_refresh_fits_the_stores_whose_sellers_asked_about_customers(
    sessions: sessionmaker[Session],
) -> None:
    store = _shop(sessions)
    with sessions.begin() as session:
        quiet = make_seller(session, "quiet")
        late = make_seller(session, "late")
        seller = session.get(Seller, store.id)
        assert seller is not None

        def turn(seller_id: int, tool: str, days_ago: int) -> None:
            add_turn(
                session,
                chat_id=seller_id,
                seller_id=seller_id,
                question="?",
                answer="!",
                mode="offline",
                tool_calls=[{"tool": tool, "args": {}}],
                at=NOW - dt.timedelta(days=days_ago),
            )

        turn(store.id, "customer_report", 13)
        turn(quiet.id, "sales_report", 1)
        turn(late.id, "customer_report", 15)  # over two weeks ago
        quiet_id = quiet.id
    with sessions() as session:
        asked = asked_sellers(session, NOW)
    assert asked == [store.id]
    fits = FitCache()
    assert refresh(sessions, fits, now=NOW, seller_ids=asked) == [store.id]
    with sessions() as session:
        refreshed = fits.scored(session, store, NOW)
    # a question later in the hour finds the refreshed fit: no fit of its own
    kept, cached, fresh = _reports(sessions, fits, store, NOW + dt.timedelta(minutes=5))
    assert kept is refreshed
    assert cached == fresh
    # after an import the next refresh fits again, and the question finds that fit
    _import(sessions, "N-3,2024-11-02 10:00,paid,ITEM,item,1,10000,S002\n")
    assert refresh(sessions, fits, now=NOW + dt.timedelta(minutes=6)) == [store.id]
    with sessions() as session:
        again = fits.scored(session, store, NOW + dt.timedelta(minutes=7))
    assert again is not refreshed
    _, cached, fresh = _reports(sessions, fits, store, NOW + dt.timedelta(minutes=8))
    assert cached == fresh
    assert quiet_id not in fits.stores()


def test_at_most_max_entries_stores_are_kept(sessions: sessionmaker[Session]) -> None:
    first, second = _shop(sessions, "one"), _shop(sessions, "two")
    fits = FitCache(max_entries=1)
    with sessions() as session:
        fits.scored(session, first, NOW)
        fits.scored(session, second, NOW)
    assert fits.stores() == [second.id]
