"""The Naver Commerce connector against the local Commerce API emulator
(tests/emulators/naver_commerce.py), through `storage.connectors.sync`: the
backfill on connect, incremental syncs, a return after the fact leaving revenue
(the refunded part of an order becomes `{orderId}:refund`, a fully returned order
leaves paid revenue altogether), many changes sharing one timestamp across the
300-row page boundary, an expired token, the per-second rate limit against the
period quota, bad credentials and an unregistered IP. Figures are worked out by
hand in the comments."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.connectors import SourceError, accounts, sync
from storage.connectors.naver_commerce import NaverCommerceSource, make_source
from storage.connectors.naver_commerce.client import IP_NOT_ALLOWED, LIMIT
from storage.connectors.pacing import LocalPacer
from storage.connectors.registry import connector
from storage.models import Customer, Order, OrderItem, Product
from storage.settings import Settings
from tests.emulators._http import serve
from tests.emulators.naver_commerce import Item, NaverCommerce
from tests.factories import SEOUL, local, make_seller
from tests.test_rollups import expected_rollups, rollup_rows

NOW = dt.datetime(2026, 11, 20, 5, 30, tzinfo=dt.UTC)  # Fri 14:30 in Seoul
MINUTE = dt.timedelta(minutes=1)


class Clock:
    """The time of the emulator and the source alike; sleeping moves it on."""

    def __init__(self, at: dt.datetime) -> None:
        self.now = at.timestamp()
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def set(self, at: dt.datetime) -> None:
        self.now = at.timestamp()


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def naver(clock: Clock) -> Iterator[NaverCommerce]:
    api = NaverCommerce(clock=clock)
    with serve(api):
        yield api


@pytest.fixture
def app(naver: NaverCommerce) -> tuple[str, str]:
    return naver.add_app()


def source(naver: NaverCommerce, app: tuple[str, str], clock: Clock) -> NaverCommerceSource:
    return NaverCommerceSource(*app, base_url=naver.url, pacer=None, clock=clock, sleep=clock.sleep)


def new_seller(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as session:
        return make_seller(session, "goguma").id


def orders(sessions: sessionmaker[Session], seller_id: int) -> dict[str, tuple[Any, ...]]:
    """external id -> (status, revenue, units, lines as (sku, quantity, unit price))."""
    with sessions() as session:
        rows = session.execute(
            select(Order.id, Order.external_id, Order.status, Order.revenue, Order.units).where(
                Order.seller_id == seller_id
            )
        ).all()
        lines = session.execute(
            select(OrderItem.order_id, Product.sku, OrderItem.quantity, OrderItem.unit_price)
            .join(Product, Product.id == OrderItem.product_id)
            .order_by(OrderItem.order_id, OrderItem.line_no)
        ).all()
    return {
        external_id: (
            status,
            revenue,
            units,
            [(sku, quantity, price) for order_id, sku, quantity, price in lines if order_id == id_],
        )
        for id_, external_id, status, revenue, units in rows
    }


def paid_revenue(sessions: sessionmaker[Session], seller_id: int) -> int:
    return sum(
        revenue
        for status, revenue, _, _ in orders(sessions, seller_id).values()
        if status == "paid"
    )


def rollups_match(sessions: sessionmaker[Session], seller_id: int) -> bool:
    with sessions() as session:
        return rollup_rows(session, seller_id) == expected_rollups(session, seller_id, SEOUL)


def sales_of(sessions: sessionmaker[Session], seller_id: int, day: dt.date) -> dict[str, int]:
    """status -> revenue on a local day, from the daily rollup."""
    with sessions() as session:
        rows = rollup_rows(session, seller_id)["sales"]
    return {status: revenue for date, status, _, revenue, _ in rows if date == day}


def store(naver: NaverCommerce, client_id: str) -> None:
    """Four orders in the backfill window and one before it (Korean times):

    A1 11-18 10:00  2 x 11 (25,900) + 1 x 12 (9,900)            paid 61,700
    A2 11-19 20:00  1 x 11, paid 23,310 after a coupon             paid 23,310
    A3 11-19 21:00  1 x 12 (9,900), cancelled 22:00                cancelled 9,900
    A4 11-10 09:00  1 x 11 (25,900) + 3 x ONION-1 (3,000) paid 10,000 after a
                    discount, the onions returned 11-15            paid 25,900 + refunded 10,000
    OLD 08-21 23:00 before the horizon (08-22 00:00): not the store's
    """
    naver.pay(
        client_id,
        "A1",
        [Item("11", "호박고구마 3kg", 2, 25_900), Item("12", "감자 2kg", 1, 9_900)],
        at=local(2026, 11, 18, 10),
    )
    naver.pay(
        client_id,
        "A2",
        [Item("11", "호박고구마 3kg", 1, 25_900, paid=23_310)],
        at=local(2026, 11, 19, 20),
        orderer=("buyer2", "이서연"),
    )
    naver.pay(client_id, "A3", [Item("12", "감자 2kg", 1, 9_900)], at=local(2026, 11, 19, 21))
    naver.change(client_id, "A3-1", "CANCELED", at=local(2026, 11, 19, 22), claim="CANCEL_DONE")
    naver.pay(
        client_id,
        "A4",
        [
            Item("11", "호박고구마 3kg", 1, 25_900),
            Item("13", "양파 1kg", 3, 3_000, paid=10_000, code="ONION-1"),
        ],
        at=local(2026, 11, 10, 9),
    )
    naver.change(client_id, "A4-2", "RETURNED", at=local(2026, 11, 15, 9), claim="RETURN_DONE")
    naver.pay(
        client_id, "OLD", [Item("11", "호박고구마 3kg", 1, 25_900)], at=local(2026, 8, 21, 23)
    )
    naver.add_product(
        client_id, 11, "호박고구마 3kg", price=25_900, stock=7, category="식품>농산물>고구마"
    )
    naver.add_product(client_id, 12, "감자 2kg", price=9_900, stock=0)
    naver.add_product(client_id, 13, "양파 1kg", price=3_000, stock=40, code="ONION-1")


BACKFILLED = {
    "A1": ("paid", 61_700, 3, [("11", 2, 25_900), ("12", 1, 9_900)]),
    "A2": ("paid", 23_310, 1, [("11", 1, 23_310)]),
    "A3:cancel": ("cancelled", 9_900, 1, [("12", 1, 9_900)]),
    "A4": ("paid", 25_900, 1, [("11", 1, 25_900)]),
    # 10,000 over 3 units: 2 at 3,333 and 1 at 3,334
    "A4:refund": ("refunded", 10_000, 3, [("ONION-1", 2, 3_333), ("ONION-1", 1, 3_334)]),
}


def test_backfill_on_connect_reads_90_days_of_orders_with_statuses_and_products(
    sessions: sessionmaker[Session], naver: NaverCommerce, app: tuple[str, str], clock: Clock
) -> None:
    store(naver, app[0])
    seller_id = new_seller(sessions)

    report = sync(sessions, seller_id, source(naver, app, clock), now=NOW)

    assert report.ok and report.backfill
    assert orders(sessions, seller_id) == BACKFILLED
    assert paid_revenue(sessions, seller_id) == 61_700 + 23_310 + 25_900
    assert sales_of(sessions, seller_id, dt.date(2026, 11, 19)) == {
        "paid": 23_310,
        "cancelled": 9_900,
    }
    assert sales_of(sessions, seller_id, dt.date(2026, 11, 10)) == {
        "paid": 25_900,
        "refunded": 10_000,
    }
    assert rollups_match(sessions, seller_id)
    with sessions() as session:
        products = session.execute(
            select(Product.sku, Product.name, Product.stock, Product.price, Product.category)
            .where(Product.seller_id == seller_id)
            .order_by(Product.sku)
        ).all()
        customers = session.execute(
            select(Customer.external_id, Customer.name).order_by(Customer.external_id)
        ).all()
    assert products == [
        ("11", "호박고구마 3kg", 7, 25_900, "고구마"),
        ("12", "감자 2kg", 0, 9_900, None),
        ("ONION-1", "양파 1kg", 40, 3_000, None),
    ]
    assert customers == [("buyer1", "김민수"), ("buyer2", "이서연")]
    # the horizon is Korean midnight 90 days before 11-20: 08-22 .. 11-20 14:30 is 91
    # windows of at most 24 hours by payment time
    paid_calls = [r for r in naver.requests if r.path.endswith("/product-orders")]
    assert len(paid_calls) == 91
    assert paid_calls[0].arg("from") == "2026-08-22T00:00:00.000+09:00"
    assert paid_calls[0].arg("to") == "2026-08-22T23:59:59.999+09:00"
    assert paid_calls[-1].arg("to") == "2026-11-20T14:30:00.000+09:00"
    with sessions() as session:
        account = accounts.find(session, seller_id, "naver")
        assert account is not None and account.cursor == {
            "horizon": "2026-08-22T00:00:00.000+09:00",
            "paid_from": "2026-11-20T14:25:00.000+09:00",  # 5 minutes of overlap
            "from": "2026-11-20T14:25:00.000+09:00",
            "sequence": None,
            "products_at": "2026-11-20T14:30:00.000+09:00",
        }
    assert naver.issued == 1  # one token for the whole backfill

    again = sync(sessions, seller_id, source(naver, app, clock), now=NOW + MINUTE)
    assert again.ok and (again.orders, again.updated) == (0, 0)
    assert orders(sessions, seller_id) == BACKFILLED


def test_incremental_syncs_add_new_orders_and_take_returns_out_of_revenue(
    sessions: sessionmaker[Session], naver: NaverCommerce, app: tuple[str, str], clock: Clock
) -> None:
    store(naver, app[0])
    seller_id = new_seller(sessions)
    sync(sessions, seller_id, source(naver, app, clock), now=NOW)
    client_id = app[0]

    # 14:32 a new order; 14:35 the potato of A1 (paid 11-18) is returned
    naver.pay(
        client_id,
        "B1",
        [Item("12", "감자 2kg", 2, 9_900)],
        at=NOW + 2 * MINUTE,
        orderer=("buyer3", "박지훈"),
    )
    naver.change(client_id, "A1-2", "RETURNED", at=NOW + 5 * MINUTE, claim="RETURN_DONE")
    clock.set(NOW + 10 * MINUTE)
    report = sync(sessions, seller_id, source(naver, app, clock), now=NOW + 10 * MINUTE)

    assert report.ok and not report.backfill
    assert (report.orders, report.updated) == (2, 1)  # B1 and A1:refund new, A1 updated
    now = orders(sessions, seller_id)
    assert now["B1"] == ("paid", 19_800, 2, [("12", 2, 9_900)])
    assert now["A1"] == ("paid", 51_800, 2, [("11", 2, 25_900)])
    assert now["A1:refund"] == ("refunded", 9_900, 1, [("12", 1, 9_900)])
    # 11-18 loses the potato: 61,700 - 9,900 = 51,800 paid, 9,900 refunded
    assert sales_of(sessions, seller_id, dt.date(2026, 11, 18)) == {
        "paid": 51_800,
        "refunded": 9_900,
    }
    assert sales_of(sessions, seller_id, dt.date(2026, 11, 20)) == {"paid": 19_800}
    assert rollups_match(sessions, seller_id)
    # only the returned order's product orders were asked for, all of them
    order_ids = [r.path for r in naver.requests if "/orders/" in r.path]
    assert order_ids == ["/external/v1/pay-order/seller/orders/A1/product-order-ids"]
    queries = [r.json() for r in naver.requests if r.path.endswith("/query")]
    assert queries == [{"productOrderIds": ["A1-1", "A1-2"]}]

    # 14:45 the sweet potatoes of A1 are returned too: no paid part is left
    naver.change(client_id, "A1-1", "RETURNED", at=NOW + 15 * MINUTE, claim="RETURN_DONE")
    clock.set(NOW + 20 * MINUTE)
    sync(sessions, seller_id, source(naver, app, clock), now=NOW + 20 * MINUTE)

    now = orders(sessions, seller_id)
    assert "A1" not in now
    assert now["A1:refund"] == ("refunded", 61_700, 3, [("11", 2, 25_900), ("12", 1, 9_900)])
    assert sales_of(sessions, seller_id, dt.date(2026, 11, 18)) == {"refunded": 61_700}
    assert paid_revenue(sessions, seller_id) == 23_310 + 25_900 + 19_800
    assert rollups_match(sessions, seller_id)


def test_a_status_change_after_the_fact_leaves_revenue_when_the_backfill_sees_it_first(
    sessions: sessionmaker[Session], naver: NaverCommerce, app: tuple[str, str], clock: Clock
) -> None:
    """PAYED -> RETURNED before the connect: the backfill reads the final state and
    a later incremental sync that sees the change again changes nothing."""
    client_id = app[0]
    naver.pay(
        client_id,
        "C1",
        [Item("11", "호박고구마 3kg", 1, 25_900), Item("12", "감자 2kg", 1, 9_900)],
        at=NOW - dt.timedelta(days=2),
    )
    naver.change(client_id, "C1-1", "RETURNED", at=NOW - 10 * MINUTE, claim="RETURN_DONE")
    seller_id = new_seller(sessions)
    sync(sessions, seller_id, source(naver, app, clock), now=NOW)
    clock.set(NOW + 10 * MINUTE)
    report = sync(sessions, seller_id, source(naver, app, clock), now=NOW + 10 * MINUTE)

    assert report.ok and (report.orders, report.updated) == (0, 0)
    assert orders(sessions, seller_id) == {
        "C1": ("paid", 9_900, 1, [("12", 1, 9_900)]),
        "C1:refund": ("refunded", 25_900, 1, [("11", 1, 25_900)]),
    }


def test_changes_sharing_one_timestamp_across_the_page_boundary_are_all_read(
    sessions: sessionmaker[Session], naver: NaverCommerce, app: tuple[str, str], clock: Clock
) -> None:
    """350 orders paid on 11-19 are all cancelled by one batch at 14:40:00.000: the
    change feed answers 300 rows and more = (14:40:00.000, the 301st id), and the
    next page starts there, not at the timestamp alone (which would read the same
    300 rows again)."""
    client_id = app[0]
    for number in range(350):
        naver.pay(
            client_id,
            f"D{number:03d}",
            [Item("12", "감자 2kg", 1, 9_900)],
            at=local(2026, 11, 19, 9) + number * MINUTE,
        )
    seller_id = new_seller(sessions)
    sync(sessions, seller_id, source(naver, app, clock), now=NOW)
    assert paid_revenue(sessions, seller_id) == 350 * 9_900
    batch = NOW + 10 * MINUTE
    for number in range(350):
        naver.change(client_id, f"D{number:03d}-1", "CANCELED", at=batch, claim="CANCEL_DONE")
    clock.set(NOW + 20 * MINUTE)
    pages = list(
        source(naver, app, clock).pages(_cursor(sessions, seller_id), now=NOW + 20 * MINUTE)
    )

    changes = [r for r in naver.requests if r.path.endswith("last-changed-statuses")]
    assert [(r.arg("lastChangedFrom"), r.arg("moreSequence")) for r in changes[-2:]] == [
        ("2026-11-20T14:25:00.000+09:00", None),
        ("2026-11-20T14:40:00.000+09:00", "D300-1"),
    ]
    change_pages = pages[-2:]
    # each order: its cancelled part, and its paid part written empty (removed)
    assert [sum(1 for o in page.orders if o.lines) for page in change_pages] == [300, 50]
    assert change_pages[0].cursor["from"] == "2026-11-20T14:40:00.000+09:00"
    assert change_pages[0].cursor["sequence"] == "D300-1"
    assert change_pages[1].cursor["from"] == "2026-11-20T14:45:00.000+09:00"
    assert change_pages[1].cursor["sequence"] is None

    # through the engine: a crash after the first page resumes at (14:40, D300-1)
    crashing = source(naver, app, clock)
    with pytest.raises(RuntimeError):
        sync(sessions, seller_id, _crash_after(crashing, len(pages) - 1), now=NOW + 20 * MINUTE)
    assert _cursor(sessions, seller_id)["sequence"] == "D300-1"
    assert paid_revenue(sessions, seller_id) == 50 * 9_900  # D300..D349 not read yet
    report = sync(sessions, seller_id, source(naver, app, clock), now=NOW + 20 * MINUTE)
    assert report.ok
    cancelled = orders(sessions, seller_id)
    assert len(cancelled) == 350
    assert {status for status, *_ in cancelled.values()} == {"cancelled"}
    assert set(cancelled) == {f"D{number:03d}:cancel" for number in range(350)}
    assert paid_revenue(sessions, seller_id) == 0
    assert rollups_match(sessions, seller_id)


def _cursor(sessions: sessionmaker[Session], seller_id: int) -> dict[str, Any]:
    with sessions() as session:
        account = accounts.find(session, seller_id, "naver")
        assert account is not None and account.cursor is not None
        return dict(account.cursor)


class _crash_after:  # noqa: N801 - reads as a function
    """The source, killed after `count` pages were written."""

    def __init__(self, inner: NaverCommerceSource, count: int) -> None:
        self.inner, self.count, self.name = inner, count, inner.name

    def check(self) -> None:
        self.inner.check()

    def pages(self, cursor: Any, *, now: dt.datetime) -> Iterator[Any]:
        for number, page in enumerate(self.inner.pages(cursor, now=now)):
            if number == self.count:
                raise RuntimeError("killed")
            yield page


def test_an_expired_token_is_renewed_once_and_the_call_retried(
    naver: NaverCommerce, app: tuple[str, str], clock: Clock
) -> None:
    first = source(naver, app, clock)
    first.check()
    second = source(naver, app, clock)
    second.check()
    assert naver.issued == 1  # cached for the process, not asked for per sync

    naver.expire_tokens()
    second.check()
    assert naver.issued == 2
    statuses = [
        (r.path.rsplit("/", 1)[-1], r.headers.get("authorization", "")[:6]) for r in naver.requests
    ]
    assert statuses == [
        ("token", ""),
        ("last-changed-statuses", "Bearer"),
        ("last-changed-statuses", "Bearer"),
        ("last-changed-statuses", "Bearer"),  # 401 GW.AUTHN
        ("token", ""),
        ("last-changed-statuses", "Bearer"),
    ]

    # three hours later the cached token is past its end: a new one is asked first
    clock.set(NOW + dt.timedelta(hours=3))
    source(naver, app, clock).check()
    assert naver.issued == 3


def test_the_token_request_is_signed_with_bcrypt_and_a_fresh_timestamp(
    naver: NaverCommerce, app: tuple[str, str], clock: Clock
) -> None:
    source(naver, app, clock).check()
    form = naver.requests[0].form()
    assert form["client_id"] == app[0]
    assert form["timestamp"] == str(int(NOW.timestamp() * 1000))
    assert (form["grant_type"], form["type"]) == ("client_credentials", "SELF")
    assert app[1] not in naver.requests[0].body.decode()  # the secret never travels

    # a server clock 6 minutes behind: the emulator refuses the stale timestamp
    late = Clock(NOW - 6 * MINUTE)
    with pytest.raises(SourceError) as refused:
        NaverCommerceSource(*naver.add_app(), base_url=naver.url, pacer=None, clock=late).check()
    assert (refused.value.key, str(refused.value)) == (
        "clock",
        "Naver Commerce API refused the token request's timestamp (HTTP 400: timestamp: "
        "유효 시간이 지난 timestamp입니다.): it is valid for 5 minutes, so this server's "
        "clock is off; set it right (NTP) and sync again",
    )


def test_the_rate_limit_is_waited_out_but_a_quota_pauses_the_seller(
    sessions: sessionmaker[Session], naver: NaverCommerce, app: tuple[str, str], clock: Clock
) -> None:
    store(naver, app[0])
    seller_id = new_seller(sessions)
    naver.fail(429, "GW.RATE_LIMIT", path="/product-orders", times=3)
    report = sync(sessions, seller_id, source(naver, app, clock), now=NOW)
    assert report.ok
    assert clock.slept == [0.5, 1.0, 2.0]
    assert orders(sessions, seller_id) == BACKFILLED

    # the hour's quota is used up at 14:40 Seoul: nothing until 15:00 Seoul
    clock.set(NOW + 10 * MINUTE)
    naver.fail(
        429,
        "GW.QUOTA_LIMIT",
        headers={
            "GNCP-GW-Quota-Limit": "1000",
            "GNCP-GW-Quota-Period": "HOURS",
            "GNCP-GW-Quota-Remaining": "0",
        },
    )
    report = sync(sessions, seller_id, source(naver, app, clock), now=NOW + 10 * MINUTE)
    until = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)
    assert (report.error_key, report.paused_until) == ("quota", until)
    assert report.error == (
        "Naver Commerce API quota used up for this hour (GW.QUOTA_LIMIT): sync pauses "
        "until 2026-11-20 15:00 KST"
    )
    asked = len(naver.requests)
    skipped = sync(sessions, seller_id, source(naver, app, clock), now=NOW + 20 * MINUTE)
    assert skipped.skipped == "paused" and len(naver.requests) == asked
    clock.set(until + MINUTE)
    assert sync(sessions, seller_id, source(naver, app, clock), now=until + MINUTE).ok


def test_bad_credentials_and_an_unregistered_ip_say_what_to_do(
    naver: NaverCommerce, app: tuple[str, str], clock: Clock
) -> None:
    other_secret = naver.add_app()[1]
    with pytest.raises(SourceError) as wrong:
        source(naver, (app[0], other_secret), clock).check()
    assert wrong.value.key == "bad_credentials"
    assert str(wrong.value) == (
        "Naver Commerce API refused the application ID and secret (HTTP 400: "
        "client_secret_sign: 전자서명이 유효하지 않습니다.): copy both again from "
        "커머스API센터 (apicenter.commerce.naver.com) > 애플리케이션 and run `advisor "
        "connect naver` again"
    )
    with pytest.raises(SourceError) as malformed:
        source(naver, (app[0], "not-a-secret"), clock).check()
    assert malformed.value.key == "bad_credentials"
    assert "$2a$04$" in str(malformed.value)

    naver.ip_allowed = False
    with pytest.raises(SourceError) as ip:
        source(naver, app, clock).check()
    assert (ip.value.key, str(ip.value)) == ("ip_not_allowed", IP_NOT_ALLOWED)
    assert "register this server's IP in the API center" in IP_NOT_ALLOWED


def test_the_registry_builds_the_source_from_stored_credentials(
    monkeypatch: pytest.MonkeyPatch, naver: NaverCommerce, app: tuple[str, str], clock: Clock
) -> None:
    clock.now = time.time()  # the built source signs with the real clock
    monkeypatch.setenv("NAVER_COMMERCE_URL", naver.url)
    built = connector("naver").build({"client_id": app[0], "client_secret": app[1]}, Settings())
    assert isinstance(built, NaverCommerceSource)
    built.check()
    assert naver.issued == 1
    assert app[1] not in repr(built) and app[1] not in repr(built.client)
    with pytest.raises(ValueError, match="client_secret"):
        make_source({"client_id": app[0]}, Settings())


def test_calls_to_one_api_are_paced_under_its_limit_and_other_apis_are_not_held_up() -> None:
    """2 calls a second per API, in windows of 1.1 s: the 3rd call to the same API
    waits until 1.1 s after the 1st; another API goes at once."""
    clock = Clock(NOW)
    pacer = LocalPacer(clock=clock, sleep=clock.sleep)
    sent = []
    for api in ("orders", "orders", "orders", "changes", "orders", "orders"):
        pacer.wait(api, LIMIT)
        sent.append((api, round(clock() - NOW.timestamp(), 2)))
    assert sent == [
        ("orders", 0.0),
        ("orders", 0.0),
        ("orders", 1.1),
        ("changes", 1.1),
        ("orders", 1.1),
        ("orders", 2.2),
    ]
