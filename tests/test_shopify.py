"""The Shopify connector against the local Admin GraphQL API emulator
(tests/emulators/shopify.py), through `storage.connectors.sync`: the bulk backfill
on connect, incremental syncs by `updated_at`, a partial refund leaving revenue (the
refunded units become `{name}:refund`), a full refund and a cancellation after the
fact, a crash mid-backfill resumed with the same bulk operation, the cost-based
throttle waited out, and bad credentials. Figures are worked out by hand in the
comments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.connectors import ProductStock, SourceError, accounts, sync
from storage.connectors.registry import connector
from storage.connectors.shopify import ShopifySource, make_source
from storage.connectors.shopify import source as shopify_source
from storage.connectors.shopify.client import BAD_TOKEN
from storage.models import Customer, Order, OrderItem, Product
from storage.settings import Settings
from tests.emulators._http import serve
from tests.emulators.shopify import INVALID_TOKEN, ShopifyEmulator
from tests.factories import SEOUL, make_seller
from tests.test_rollups import expected_rollups, rollup_rows

NOW = dt.datetime(2026, 11, 20, 5, 30, tzinfo=dt.UTC)  # Fri 14:30 in Seoul
MINUTE = dt.timedelta(minutes=1)
TOKEN = "shpat_0123456789abcdef"
SHOP = "demo.myshopify.com"


class Clock:
    """The time of the emulator's cost bucket and the source alike; sleeping moves it on."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def shop(clock: Clock) -> Iterator[ShopifyEmulator]:
    api = ShopifyEmulator(token=TOKEN, clock=clock)
    with serve(api):
        yield api


def source(shop: ShopifyEmulator, clock: Clock, token: str = TOKEN) -> ShopifySource:
    return ShopifySource(SHOP, token, base_url=shop.url, clock=clock, sleep=clock.sleep)


def utc(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=dt.UTC)


def new_seller(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as session:
        return make_seller(session, "mugshop").id


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


def sales_of(sessions: sessionmaker[Session], seller_id: int, day: dt.date) -> dict[str, int]:
    """status -> revenue on a local (Seoul) day, from the daily rollup."""
    with sessions() as session:
        rows = rollup_rows(session, seller_id)["sales"]
    return {status: revenue for date, status, _, revenue, _ in rows if date == day}


def rollups_match(sessions: sessionmaker[Session], seller_id: int) -> bool:
    with sessions() as session:
        return rollup_rows(session, seller_id) == expected_rollups(session, seller_id, SEOUL)


def cursor_of(sessions: sessionmaker[Session], seller_id: int) -> dict[str, Any]:
    with sessions() as session:
        account = accounts.find(session, seller_id, "shopify")
        assert account is not None and account.cursor is not None
        return dict(account.cursor)


def stock(shop: ShopifyEmulator) -> None:
    """Three orders in the backfill window, one not paid yet, one before the window
    (UTC; Seoul is 9 hours ahead):

    #1001 11-18 01:00 (Seoul 11-18)  2 x MUG-1 12,000 + 1 x CUP-1 25,000    paid 49,000
    #1002 11-19 11:00 (Seoul 11-19)  1 x MUG-1 12,000                       paid 12,000
    #1003 11-19 12:00 (Seoul 11-19)  3 x CUP-1 25,000, one refunded 13:00   paid 50,000
                                                                            + refunded 25,000
    #1004 11-19 13:00                1 x MUG-1, PENDING                     not written
    #0900 08-01 (before the 90 days from 08-22)                             not written
    """
    shop.add_order(
        "#1001",
        utc(11, 18, 1),
        [("MUG-1", "Mug - White", 2, 12_000), ("CUP-1", "Cup", 1, 25_000)],
        customer=("7", "Kim Minji"),
    )
    shop.add_order("#1002", utc(11, 19, 11), [("MUG-1", "Mug - White", 1, 12_000)])
    shop.add_order("#1003", utc(11, 19, 12), [("CUP-1", "Cup", 3, 25_000)])
    shop.refund("#1003", {"CUP-1": 1}, utc(11, 19, 13))
    shop.add_order(
        "#1004", utc(11, 19, 13), [("MUG-1", "Mug - White", 1, 12_000)], financial="PENDING"
    )
    shop.add_order("#0900", utc(8, 1, 9), [("MUG-1", "Mug - White", 5, 12_000)])
    shop.add_variant("MUG-1", "Mug", 12_000, 40, title="White", product_type="Kitchen")
    shop.add_variant("CUP-1", "Cup", 25_000, None)


BACKFILLED = {
    "#1001": ("paid", 49_000, 3, [("MUG-1", 2, 12_000), ("CUP-1", 1, 25_000)]),
    "#1002": ("paid", 12_000, 1, [("MUG-1", 1, 12_000)]),
    "#1003": ("paid", 50_000, 2, [("CUP-1", 2, 25_000)]),
    "#1003:refund": ("refunded", 25_000, 1, [("CUP-1", 1, 25_000)]),
}


def roots(shop: ShopifyEmulator) -> list[str]:
    """The GraphQL root fields (or the JSONL download) the emulator answered, in order."""
    names = []
    for request in shop.requests:
        if request.method == "GET":
            names.append("download")
            continue
        document = request.json()["query"]
        for root in (
            "bulkOperationRunQuery",
            "currentBulkOperation",
            "productVariants",
            "query Refunds",
            "nodes(",
            "query Check",
            "orders(",
            "shop",
        ):
            if root in document:
                names.append(root.rstrip("("))
                break
    return names


def test_the_first_sync_backfills_through_a_bulk_operation_then_reads_changes(
    sessions: sessionmaker[Session], shop: ShopifyEmulator, clock: Clock
) -> None:
    stock(shop)
    seller_id = new_seller(sessions)
    report = sync(sessions, seller_id, source(shop, clock), now=NOW)

    assert report.ok and report.backfill
    assert orders(sessions, seller_id) == BACKFILLED
    assert roots(shop) == [
        "shop",  # the shop's currency, for the variants' prices
        "productVariants",
        "bulkOperationRunQuery",
        "currentBulkOperation",  # RUNNING
        "currentBulkOperation",  # RUNNING
        "currentBulkOperation",  # COMPLETED
        "download",
        "query Refunds",  # #1003 has a refund: its refund's lines
        "orders",  # the changes since the backfill started
    ]
    operation = shop.requests[2].json()["variables"]["query"]
    assert "created_at:>='2026-08-22T00:00:00Z'" in operation  # 90 days before 11-20
    assert clock.slept == [1.0, 2.0]  # the waits between polls, no throttle wait
    changes = shop.requests[-1].json()["variables"]
    assert changes["query"] == (
        "updated_at:>='2026-11-20T05:25:00Z' created_at:>='2026-08-22T00:00:00Z'"
    )
    assert cursor_of(sessions, seller_id) == {
        "horizon": "2026-08-22T00:00:00Z",
        "updated_at": "2026-11-20T05:25:00Z",  # 5 minutes before the sync
        "after": None,
        "bulk": None,
        "products_at": "2026-11-20T05:30:00Z",
    }

    # Seoul days: 11-18 paid 49,000; 11-19 paid 12,000 + 50,000, refunded 25,000
    assert sales_of(sessions, seller_id, dt.date(2026, 11, 18)) == {"paid": 49_000}
    assert sales_of(sessions, seller_id, dt.date(2026, 11, 19)) == {
        "paid": 62_000,
        "refunded": 25_000,
    }
    assert rollups_match(sessions, seller_id)
    with sessions() as session:
        products = {
            p.sku: (p.name, p.price, p.stock, p.category) for p in session.scalars(select(Product))
        }
        customers = [(c.external_id, c.name) for c in session.scalars(select(Customer))]
    assert products == {
        "MUG-1": ("Mug - White", 12_000, 40, "Kitchen"),
        "CUP-1": ("Cup", 25_000, None, None),  # inventory not tracked: unknown, not 0
    }
    assert customers == [("gid://shopify/Customer/7", "Kim Minji")]

    # a second sync at once reads the changes only: nothing is new or doubled
    again = sync(sessions, seller_id, source(shop, clock), now=NOW + MINUTE)
    assert (again.backfill, again.orders, again.updated) == (False, 0, 0)
    assert orders(sessions, seller_id) == BACKFILLED
    assert len(shop.operations) == 1


def test_incremental_syncs_see_refunds_and_cancellations_after_the_fact(
    sessions: sessionmaker[Session], shop: ShopifyEmulator, clock: Clock
) -> None:
    stock(shop)
    seller_id = new_seller(sessions)
    sync(sessions, seller_id, source(shop, clock), now=NOW)

    # after the backfill: a new order, one mug of #1001 refunded, #1002 cancelled,
    # #1003's other two cups refunded (fully refunded now), #1004 paid
    shop.add_order("#1005", NOW + 10 * MINUTE, [("CUP-1", "Cup", 2, 25_000)])
    shop.refund("#1001", {"MUG-1": 1}, NOW + 20 * MINUTE)
    shop.cancel("#1002", NOW + 30 * MINUTE)
    shop.refund("#1003", {"CUP-1": 2}, NOW + 40 * MINUTE)
    shop.pay("#1004", NOW + 50 * MINUTE)
    report = sync(sessions, seller_id, source(shop, clock), now=NOW + dt.timedelta(hours=1))

    assert report.ok and not report.backfill
    assert orders(sessions, seller_id) == {
        # 49,000 - one mug (12,000) = 37,000 stays paid; the mug is refunded
        "#1001": ("paid", 37_000, 2, [("MUG-1", 1, 12_000), ("CUP-1", 1, 25_000)]),
        "#1001:refund": ("refunded", 12_000, 1, [("MUG-1", 1, 12_000)]),
        "#1002:cancel": ("cancelled", 12_000, 1, [("MUG-1", 1, 12_000)]),
        "#1003:refund": ("refunded", 75_000, 3, [("CUP-1", 3, 25_000)]),
        "#1004": ("paid", 12_000, 1, [("MUG-1", 1, 12_000)]),
        "#1005": ("paid", 50_000, 2, [("CUP-1", 2, 25_000)]),
    }
    # new: #1001:refund, #1002:cancel, #1004, #1005; changed: #1001, #1003:refund;
    # removed: #1002, #1003 (no paid units left)
    assert (report.orders, report.updated) == (4, 4)
    # Seoul 11-18: paid 37,000, refunded 12,000; 11-19: paid 12,000 (#1004),
    # cancelled 12,000, refunded 75,000; 11-20: paid 50,000
    assert sales_of(sessions, seller_id, dt.date(2026, 11, 18)) == {
        "paid": 37_000,
        "refunded": 12_000,
    }
    assert sales_of(sessions, seller_id, dt.date(2026, 11, 19)) == {
        "paid": 12_000,
        "cancelled": 12_000,
        "refunded": 75_000,
    }
    assert sales_of(sessions, seller_id, dt.date(2026, 11, 20)) == {"paid": 50_000}
    assert rollups_match(sessions, seller_id)
    # the changes were read from the last sync's cursor, on to this sync's less 5 minutes
    changes = [
        r.json()["variables"]
        for r in shop.requests
        if r.method == "POST" and "orders(first: $first" in r.json()["query"]
    ]
    assert len(changes) == 2  # one page after the backfill, one now (5 orders of up to 8)
    assert changes[-1]["query"].startswith("updated_at:>='2026-11-20T05:25:00Z'")
    assert cursor_of(sessions, seller_id)["updated_at"] == "2026-11-20T06:25:00Z"


def test_a_sync_killed_mid_backfill_resumes_with_the_same_bulk_operation(
    sessions: sessionmaker[Session],
    shop: ShopifyEmulator,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shopify_source, "BULK_PAGE", 2)
    for number in range(5):  # #2000..#2004, one mug of 10,000 each, a day apart
        shop.add_order(f"#{2000 + number}", utc(11, 10 + number, 3), [("MUG-1", "Mug", 1, 10_000)])
    shop.children_last = True  # an ungrouped file: every line item after every order
    seller_id = new_seller(sessions)

    class Killed(RuntimeError):
        pass

    class KilledAfter:
        """The source, killed once `count` pages were written."""

        name = "shopify"

        def __init__(self, count: int) -> None:
            self.inner, self.count = source(shop, clock), count

        def check(self) -> None:
            self.inner.check()

        def pages(self, cursor: Any, *, now: dt.datetime) -> Iterator[Any]:
            for number, page in enumerate(self.inner.pages(cursor, now=now)):
                if number == self.count:
                    raise Killed
                yield page

    # pages: products, the operation started, #2000-#2001, then killed
    with pytest.raises(Killed):
        sync(sessions, seller_id, KilledAfter(3), now=NOW)
    assert sorted(orders(sessions, seller_id)) == ["#2000", "#2001"]
    assert cursor_of(sessions, seller_id)["bulk"] == {
        "id": "gid://shopify/BulkOperation/1",
        "since": "2026-11-20T05:25:00Z",
        "done": 2,
    }

    report = sync(sessions, seller_id, source(shop, clock), now=NOW + MINUTE)
    assert report.ok
    assert len(shop.operations) == 1  # the same operation, not a second backfill
    assert report.orders == 3  # #2002-#2004: the first two are not read twice
    assert {k: v[1] for k, v in orders(sessions, seller_id).items()} == {
        f"#{2000 + number}": 10_000 for number in range(5)
    }
    assert rollups_match(sessions, seller_id)
    # the changes are read from the backfill's start (5 minutes before the first sync)
    # and the cursor left 5 minutes before the resumed one
    last = shop.requests[-1].json()["variables"]["query"]
    assert last.startswith("updated_at:>='2026-11-20T05:25:00Z'")
    assert cursor_of(sessions, seller_id)["updated_at"] == "2026-11-20T05:26:00Z"


def test_the_cost_throttle_is_waited_out_and_then_paced(
    shop: ShopifyEmulator, clock: Clock
) -> None:
    for number in range(20):  # 20 orders of one line: 3 pages of 8, 8 and 4
        shop.add_order(f"#{3000 + number}", NOW - MINUTE, [("MUG-1", "Mug", 1, 10_000)])
    cursor = {
        "horizon": "2026-08-22T00:00:00Z",
        "updated_at": "2026-11-20T05:00:00Z",
        "after": None,
        "bulk": None,
        "products_at": "2026-11-20T05:00:00Z",
    }
    shop.drain(0)  # another app emptied the bucket
    pages = list(source(shop, clock).pages(cursor, now=NOW))

    assert [len({o.external_id.split(":")[0] for o in page.orders}) for page in pages] == [8, 8, 4]
    # a page asks for 2 + 8 x 82 = 658 points. 1st: THROTTLED (0 available), wait
    # 658 / 50 = 13.16 s; it costs 2 + 8 x 12 = 98 (one line each), leaving 560.
    # 2nd and 3rd: wait (658 - 560) / 50 = 1.96 s each, never refused again.
    assert shop.throttled == 1
    assert clock.slept == [13.16, 1.96, 1.96]
    assert [cost for root, cost in shop.costs] == [658.0, 658.0, 658.0]
    assert pages[-1].cursor["updated_at"] == "2026-11-20T05:25:00Z"


def test_bad_credentials_say_what_to_do(
    sessions: sessionmaker[Session], shop: ShopifyEmulator, clock: Clock
) -> None:
    with pytest.raises(SourceError) as bad:
        source(shop, clock, token="shpat_wrong").check()
    detail = f"HTTP 401: {INVALID_TOKEN}"
    assert bad.value.key == "bad_credentials"
    assert str(bad.value) == BAD_TOKEN.format(shop=SHOP, detail=detail)
    assert str(bad.value) == (
        "Shopify refused the Admin API access token for demo.myshopify.com (HTTP 401: "
        "[API] Invalid API key or access token (unrecognized login or wrong password)): copy "
        "the token again from Shopify admin > Settings > Apps and sales channels > Develop "
        "apps > the app > API credentials (it starts with shpat_) and run `advisor connect "
        "shopify` again"
    )

    # through a sync: nothing written, the failure recorded on the account
    seller_id = new_seller(sessions)
    report = sync(sessions, seller_id, source(shop, clock, token="shpat_wrong"), now=NOW)
    assert (report.error_key, report.pages) == ("bad_credentials", 0)
    with sessions() as session:
        account = accounts.find(session, seller_id, "shopify")
        assert account is not None and account.cursor is None

    # a domain that is not a shop is refused before any call
    with pytest.raises(SourceError, match="'my shop' is not a Shopify shop domain"):
        make_source({"shop": "my shop", "access_token": TOKEN}, Settings()).check()

    # an app without read_orders
    shop.scopes.discard("read_orders")
    with pytest.raises(SourceError) as denied:
        source(shop, clock).check()
    assert denied.value.key == "not_permitted"
    assert "read_orders, read_products, read_inventory" in str(denied.value)


def test_the_registry_builds_the_source_from_stored_credentials(
    monkeypatch: pytest.MonkeyPatch, shop: ShopifyEmulator
) -> None:
    monkeypatch.setenv("SHOPIFY_URL", shop.url)
    built = connector("shopify").build({"shop": "Demo", "access_token": TOKEN}, Settings())
    assert isinstance(built, ShopifySource)
    assert built.shop == SHOP
    built.check()
    assert shop.requests[-1].path == "/admin/api/2025-01/graphql.json"
    assert shop.requests[-1].headers["x-shopify-access-token"] == TOKEN
    assert TOKEN not in repr(built) and TOKEN not in repr(built.client)
    with pytest.raises(ValueError, match="access_token"):
        make_source({"shop": SHOP}, Settings())


def test_a_failed_bulk_operation_is_started_again_by_the_next_sync(
    sessions: sessionmaker[Session], shop: ShopifyEmulator, clock: Clock
) -> None:
    stock(shop)
    shop.fail_bulk = True
    seller_id = new_seller(sessions)
    report = sync(sessions, seller_id, source(shop, clock), now=NOW)
    assert (report.error_key, report.error) == (
        "unavailable",
        "Shopify's backfill of demo.myshopify.com ended failed (INTERNAL_SERVER_ERROR): "
        "the next sync starts a new one",
    )
    assert orders(sessions, seller_id) == {}
    assert cursor_of(sessions, seller_id)["bulk"] is None

    shop.fail_bulk = False
    report = sync(sessions, seller_id, source(shop, clock), now=NOW + MINUTE)
    assert report.ok and len(shop.operations) == 2
    assert orders(sessions, seller_id) == BACKFILLED


def test_an_order_with_more_lines_than_a_page_holds_is_read_again_whole(
    shop: ShopifyEmulator, clock: Clock
) -> None:
    # 17 lines, over the 15 a page of orders asks for: read again alone (150 lines)
    lines = [(f"SKU-{n:02d}", f"Item {n}", 1, 1_000 * n) for n in range(1, 18)]
    shop.add_order("#4000", NOW - MINUTE, lines)
    shop.refund("#4000", {"SKU-17": 1}, NOW - MINUTE)
    cursor = {
        "horizon": "2026-08-22T00:00:00Z",
        "updated_at": "2026-11-20T05:00:00Z",
        "after": None,
        "bulk": None,
        "products_at": "2026-11-20T05:00:00Z",
    }
    (page,) = source(shop, clock).pages(cursor, now=NOW)
    paid, cancelled, refunded = page.orders
    assert len(paid.lines) == 16 and len(refunded.lines) == 1 and not cancelled.lines
    # 1,000 + 2,000 + ... + 16,000 = 136,000 paid; the 17th (17,000) refunded
    assert sum(line.quantity * line.unit_price for line in paid.lines) == 136_000
    assert [(line.sku, line.unit_price) for line in refunded.lines] == [("SKU-17", 17_000)]
    assert [root for root, _ in shop.costs] == ["orders", "nodes"]
    assert shop.requests[-1].json()["variables"]["lines"] == 150


def test_variants_are_read_page_by_page_with_their_stock(
    shop: ShopifyEmulator, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shopify_source.queries, "VARIANT_PAGE", 2)
    shop.add_variant("TEE-S", "T-shirt", 19_000, 3, title="S")
    shop.add_variant("TEE-M", "T-shirt", 19_000, -2, title="M")  # oversold
    shop.add_variant(None, "Gift wrap", 2_000, None)
    pages = list(source(shop, clock).pages(None, now=NOW))
    products = [page.products for page in pages[:2]]
    assert products == [
        (
            ProductStock("TEE-S", "T-shirt - S", 19_000, 3),
            ProductStock("TEE-M", "T-shirt - M", 19_000, 0),
        ),
        (ProductStock(None, "Gift wrap", 2_000, None),),
    ]
    assert pages[0].cursor["products_at"] is None  # set once every variant is read
    assert pages[1].cursor["products_at"] == "2026-11-20T05:30:00Z"
