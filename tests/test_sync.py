"""The sync engine (storage.connectors.sync) against an in-test Source, the platform
edge: pages written with their cursor in one transaction, a crash and a resumed
sync with nothing lost or doubled, status changes after the fact leaving revenue
and the rollups of the right local day, restated ad days, a quota pause, one
failing seller not stopping the others, stale sources reported once, and the
freshness the answers state. Figures are computed by hand in the comments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.connectors import (
    KeywordDay,
    Page,
    ProductStock,
    Source,
    SourceError,
    accounts,
    sync,
    sync_all,
)
from storage.connectors.accounts import AccountRef, Freshness
from storage.connectors.writer import PageWriteError
from storage.importing import ParsedAdDay, ParsedLine, ParsedOrder
from storage.models import (
    AdCampaign,
    AdStatDaily,
    Order,
    OrderItem,
    Product,
    Seller,
    SourceAccount,
)
from storage.rollups import revenue_and_orders
from storage.writes import add_visit
from tests.factories import SEOUL, local, make_product, make_seller
from tests.test_rollups import expected_rollups, rollup_rows

D = dt.date
NOW = dt.datetime(2026, 11, 20, 5, 30, tzinfo=dt.UTC)  # Fri 14:30 in Seoul
HOUR = dt.timedelta(hours=1)
NAME = "testshop"


class ScriptedSource:
    """A platform whose changes are a list of pages; the cursor counts the pages read.
    `overlap` re-reads that many pages before the cursor (as a timestamp cursor
    does); `failures[i]` is raised once, when page i is next asked for."""

    name = NAME

    def __init__(
        self,
        pages: Sequence[Page],
        *,
        failures: Mapping[int, Exception] | None = None,
        overlap: int = 0,
    ) -> None:
        self.script = [
            replace(page, cursor={"page": number + 1}) for number, page in enumerate(pages)
        ]
        self.failures = dict(failures or {})
        self.overlap = overlap
        self.cursors: list[dict[str, Any] | None] = []

    def check(self) -> None:
        return None

    def pages(self, cursor: Mapping[str, Any] | None, *, now: dt.datetime) -> Iterator[Page]:
        self.cursors.append(dict(cursor) if cursor is not None else None)
        start = max(0, int(cursor["page"]) - self.overlap) if cursor else 0
        for number in range(start, len(self.script)):
            if number in self.failures:
                raise self.failures.pop(number)
            yield self.script[number]


class DownSource:
    """A platform that answers every sync with `error`."""

    name = NAME

    def __init__(self, error: SourceError) -> None:
        self.error = error

    def check(self) -> None:
        raise self.error

    def pages(self, cursor: Mapping[str, Any] | None, *, now: dt.datetime) -> Iterator[Page]:
        raise self.error
        yield  # a generator, as a real source's pages are


def line(sku: str, name: str, quantity: int, price: int) -> ParsedLine:
    return ParsedLine(0, sku, name, quantity, price)


def order(external_id: str, at: dt.datetime, status: str, *lines: ParsedLine) -> ParsedOrder:
    return ParsedOrder(external_id, 0, at, status, None, None, tuple(lines))


def ad_day(day: D, *figures: int, campaign_id: str | None = "c-1") -> ParsedAdDay:
    impressions, clicks, spend, conversions, revenue = figures
    return ParsedAdDay(
        0, "브랜드검색", campaign_id, "naver", day, impressions, clicks, spend, conversions, revenue
    )


def mug(quantity: int) -> ParsedLine:
    return line("MUG", "머그컵", quantity, 12_000)


def cup(quantity: int) -> ParsedLine:
    return line("CUP", "컵", quantity, 25_000)


def new_seller(sessions: sessionmaker[Session], slug: str = "shop") -> int:
    with sessions.begin() as session:
        return make_seller(session, slug).id


def account(sessions: sessionmaker[Session], seller_id: int) -> SourceAccount:
    with sessions() as session:
        found = accounts.find(session, seller_id, NAME)
        assert found is not None
        session.expunge(found)
        return found


def sales(sessions: sessionmaker[Session], seller_id: int) -> list[tuple[Any, ...]]:
    with sessions() as session:
        rows = rollup_rows(session, seller_id)
        assert rows == expected_rollups(session, seller_id, SEOUL)  # rollups = raw regrouped
        for order_id, revenue, units in session.execute(
            select(Order.id, Order.revenue, Order.units).where(Order.seller_id == seller_id)
        ):  # cached totals = line sums
            lines = session.execute(
                select(OrderItem.quantity, OrderItem.unit_price).where(
                    OrderItem.order_id == order_id
                )
            ).all()
            assert (revenue, units) == (sum(q * p for q, p in lines), sum(q for q, _ in lines))
        return rows["sales"]


def day_revenue(sessions: sessionmaker[Session], seller_id: int, day: D) -> tuple[int, int]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=SEOUL)
    with sessions() as session:
        return revenue_and_orders(session, seller_id, SEOUL, start, start + dt.timedelta(days=1))


# ---------------------------------------------------------------- crash and resume


THREE_PAGES = [
    # A 2 x 12,000 = 24,000 and B 25,000 on 11-19
    Page({}, (order("A", local(2026, 11, 19, 10), "paid", mug(2)),
              order("B", local(2026, 11, 19, 15), "paid", cup(1)))),
    # C 12,000 + 25,000 = 37,000 on 11-20
    Page({}, (order("C", local(2026, 11, 20, 9), "paid", mug(1), cup(1)),)),
    # D 3 x 12,000 = 36,000 on 11-20
    Page({}, (order("D", local(2026, 11, 20, 11), "paid", mug(3)),)),
]  # fmt: skip


def test_a_crash_mid_sync_loses_nothing_and_a_resumed_sync_doubles_nothing(
    sessions: sessionmaker[Session],
) -> None:
    seller_id = new_seller(sessions)
    crashing = ScriptedSource(THREE_PAGES, failures={2: RuntimeError("connection reset")})
    with pytest.raises(RuntimeError, match="connection reset"):
        sync(sessions, seller_id, crashing, now=NOW)
    # pages 1 and 2 are written with their cursor; page 3 never was
    assert sales(sessions, seller_id) == [
        (D(2026, 11, 19), "paid", 2, 49_000, 3),
        (D(2026, 11, 20), "paid", 1, 37_000, 2),
    ]
    state = account(sessions, seller_id)
    assert (state.cursor, state.last_success_at) == ({"page": 2}, None)
    assert (state.last_error_key, state.last_error_message, state.failing_since) == (
        "error",
        "RuntimeError: connection reset",
        NOW,
    )

    # the resumed sync starts at the saved cursor; it re-reads page 2 (overlap) unchanged
    resumed = ScriptedSource(THREE_PAGES, overlap=1)
    report = sync(sessions, seller_id, resumed, now=NOW + HOUR)
    assert resumed.cursors == [{"page": 2}]
    assert (report.backfill, report.pages, report.orders, report.unchanged) == (False, 2, 1, 1)
    assert sales(sessions, seller_id) == [
        (D(2026, 11, 19), "paid", 2, 49_000, 3),
        (D(2026, 11, 20), "paid", 2, 73_000, 5),  # C 37,000 + D 36,000
    ]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 4
        assert session.scalar(select(func.count()).select_from(Product)) == 2  # MUG, CUP
    state = account(sessions, seller_id)
    assert (state.cursor, state.last_success_at, state.failing_since) == (
        {"page": 3},
        NOW + HOUR,
        None,
    )
    # and once more: the overlap page again, nothing new
    again = sync(sessions, seller_id, ScriptedSource(THREE_PAGES, overlap=1), now=NOW + 2 * HOUR)
    assert (again.pages, again.orders, again.updated, again.unchanged) == (1, 0, 0, 1)
    assert day_revenue(sessions, seller_id, D(2026, 11, 20)) == (73_000, 2)


def test_a_page_that_fails_to_write_leaves_nothing_of_itself(
    sessions: sessionmaker[Session],
) -> None:
    seller_id = new_seller(sessions)
    with sessions.begin() as session:  # two campaigns by one name: a day without an id is ambiguous
        for external_id in ("c-1", "c-2"):
            session.add(AdCampaign(seller_id=seller_id, external_id=external_id, name="브랜드검색"))
    broken = Page(
        {},
        (order("E", local(2026, 11, 20, 9), "paid", mug(1)),),
        (ProductStock("MUG", "머그컵", 12_000, 30),),
        (ad_day(D(2026, 11, 19), 100, 5, 3_000, 0, 0, campaign_id=None),),
    )
    with pytest.raises(PageWriteError, match="2 campaigns are named '브랜드검색'"):
        sync(sessions, seller_id, ScriptedSource([broken]), now=NOW)
    with sessions() as session:  # the order and the product of that page were rolled back
        assert session.scalar(select(func.count()).select_from(Order)) == 0
        assert session.scalar(select(func.count()).select_from(Product)) == 0
    state = account(sessions, seller_id)
    assert (state.cursor, state.last_error_key) == (None, "error")


# ---------------------------------------------------------------- status changes


def test_a_refund_after_the_fact_leaves_revenue_on_the_orders_local_day(
    sessions: sessionmaker[Session],
) -> None:
    seller_id = new_seller(sessions)
    first = [
        Page(
            {},
            (
                # A 24,000 on 11-19 23:30 Seoul
                order("A", local(2026, 11, 19, 23, 30), "paid", mug(2)),
                # B 37,000 at 00:30 on 11-20 Seoul (15:30 UTC on 11-19): local day 11-20
                order("B", local(2026, 11, 20, 0, 30), "paid", mug(1), cup(1)),
                # F 2 x 25,000 = 50,000 on 11-20
                order("F", local(2026, 11, 20, 10), "paid", cup(2)),
            ),
        )
    ]
    sync(sessions, seller_id, ScriptedSource(first), now=NOW)
    with sessions.begin() as session:  # a search visit late on 11-19 that bought B
        b = session.scalar(select(Order).where(Order.external_id == "B"))
        assert b is not None
        add_visit(
            session,
            seller_id=seller_id,
            started_at=local(2026, 11, 19, 23, 50),
            search_keyword="머그",
            order_id=b.id,
        )
    assert day_revenue(sessions, seller_id, D(2026, 11, 20)) == (87_000, 2)
    with sessions() as session:
        assert rollup_rows(session, seller_id)["keywords"] == [
            (D(2026, 11, 19), "머그", 1, 1, 37_000)
        ]

    # B is refunded; F is partly refunded: the source now lists one cup (25,000)
    later = [Page({}, (order("B", local(2026, 11, 20, 0, 30), "refunded", mug(1), cup(1)),
                       order("F", local(2026, 11, 20, 10), "paid", cup(1))))]  # fmt: skip
    report = sync(sessions, seller_id, ScriptedSource([*first, *later]), now=NOW + HOUR)
    assert (report.orders, report.updated, report.unchanged) == (0, 2, 0)
    assert sales(sessions, seller_id) == [
        (D(2026, 11, 19), "paid", 1, 24_000, 2),  # A, untouched
        (D(2026, 11, 20), "paid", 1, 25_000, 1),  # F after its partial refund
        (D(2026, 11, 20), "refunded", 1, 37_000, 2),  # B
    ]
    assert day_revenue(sessions, seller_id, D(2026, 11, 20)) == (25_000, 1)
    assert day_revenue(sessions, seller_id, D(2026, 11, 19)) == (24_000, 1)
    with sessions() as session:
        rows = rollup_rows(session, seller_id)
        mug_id = session.scalar(select(Product.id).where(Product.sku == "MUG"))
        cup_id = session.scalar(select(Product.id).where(Product.sku == "CUP"))
        # (date, product, paid orders, units, revenue): B's lines left 11-20
        assert rows["products"] == sorted(
            [(D(2026, 11, 19), mug_id, 1, 2, 24_000), (D(2026, 11, 20), cup_id, 1, 1, 25_000)]
        )
        # the 11-19 visit's conversion went with the refund (its day was refreshed too)
        assert rows["keywords"] == [(D(2026, 11, 19), "머그", 1, 0, 0)]


# ---------------------------------------------------------------- ad days and products


def test_a_restated_ad_day_replaces_the_stored_one(sessions: sessionmaker[Session]) -> None:
    seller_id = new_seller(sessions)
    first = [Page({}, ad_days=(ad_day(D(2026, 11, 18), 1_000, 40, 20_000, 2, 60_000),
                               ad_day(D(2026, 11, 19), 1_200, 50, 25_000, 3, 90_000)))]  # fmt: skip
    assert sync(sessions, seller_id, ScriptedSource(first), now=NOW).ad_days == 2
    # the platform restates 11-19 and adds today so far
    later = [Page({}, ad_days=(ad_day(D(2026, 11, 19), 1_250, 52, 26_000, 4, 120_000),
                               ad_day(D(2026, 11, 20), 300, 10, 5_000, 0, 0)))]  # fmt: skip
    assert sync(sessions, seller_id, ScriptedSource([*first, *later]), now=NOW + HOUR).ad_days == 2
    with sessions() as session:
        rows = session.execute(
            select(
                AdStatDaily.date,
                AdStatDaily.impressions,
                AdStatDaily.clicks,
                AdStatDaily.spend,
                AdStatDaily.conversions,
                AdStatDaily.conversion_revenue,
            ).order_by(AdStatDaily.date)
        ).all()
        assert [tuple(row) for row in rows] == [
            (D(2026, 11, 18), 1_000, 40, 20_000, 2, 60_000),
            (D(2026, 11, 19), 1_250, 52, 26_000, 4, 120_000),
            (D(2026, 11, 20), 300, 10, 5_000, 0, 0),
        ]
        assert session.scalar(select(func.sum(AdStatDaily.spend))) == 51_000
        assert session.scalar(select(func.count()).select_from(AdCampaign)) == 1


def test_products_take_the_platforms_stock_price_and_names(sessions: sessionmaker[Session]) -> None:
    seller_id = new_seller(sessions)
    with sessions.begin() as session:
        shop = session.get_one(Seller, seller_id)
        make_product(session, shop, "머그컵", 12_000, sku="MUG", stock=40)
    page = Page(
        {},
        products=(
            # stock not known by the platform: the stored 40 stays
            ProductStock("MUG", "머그컵 (화이트)", 13_000, None, "Mug (white)", "주방"),
            ProductStock("CUP", "컵", 25_000, 0),  # known sold out: 0
            ProductStock(None, "텀블러", 18_000, None),  # found by name next time
        ),
        orders=(order("G", local(2026, 11, 20, 9), "paid", line("CUP", "컵", 1, 25_000)),),
    )
    report = sync(sessions, seller_id, ScriptedSource([page]), now=NOW)
    assert (report.products, report.orders) == (3, 1)
    with sessions() as session:
        products = session.execute(
            select(
                Product.sku,
                Product.name,
                Product.price,
                Product.stock,
                Product.name_en,
                Product.category,
            ).order_by(Product.id)
        ).all()
        assert [tuple(row) for row in products] == [
            ("MUG", "머그컵 (화이트)", 13_000, 40, "Mug (white)", "주방"),
            ("CUP", "컵", 25_000, 0, None, None),
            ("텀블러", "텀블러", 18_000, None, None, None),
        ]
    again = Page({}, products=(ProductStock(None, "텀블러", 18_000, 12),))
    assert sync(sessions, seller_id, ScriptedSource([page, again]), now=NOW + HOUR).products == 1
    with sessions() as session:
        assert session.scalar(select(Product.stock).where(Product.name == "텀블러")) == 12
        assert session.scalar(select(func.count()).select_from(Product)) == 3


# ---------------------------------------------------------------- quota, failures, staleness


def test_a_quota_pauses_the_account_until_the_period_ends(sessions: sessionmaker[Session]) -> None:
    seller_id = new_seller(sessions)
    quota = SourceError("quota", "daily quota used up", retry_at=NOW + 2 * HOUR)
    source = ScriptedSource(THREE_PAGES[:2], failures={1: quota})
    first = sync(sessions, seller_id, source, now=NOW)
    assert (first.pages, first.error_key, first.paused_until) == (1, "quota", NOW + 2 * HOUR)
    state = account(sessions, seller_id)
    assert (state.cursor, state.paused_until, state.last_error_message) == (
        {"page": 1},
        NOW + 2 * HOUR,
        "daily quota used up",
    )
    # an hour later: skipped without asking the platform
    skipped = sync(sessions, seller_id, source, now=NOW + HOUR)
    assert (skipped.skipped, skipped.pages, len(source.cursors)) == ("paused", 0, 1)
    assert skipped.summary() == "paused by the platform's quota until 2026-11-20 07:30 UTC"
    # when the period ends it resumes where it stopped
    resumed = sync(sessions, seller_id, source, now=NOW + 2 * HOUR)
    assert (resumed.ok, resumed.pages, resumed.orders, source.cursors[-1]) == (
        True,
        1,
        1,
        {"page": 1},
    )
    state = account(sessions, seller_id)
    assert (state.paused_until, state.failing_since, state.last_success_at) == (
        None,
        None,
        NOW + 2 * HOUR,
    )
    assert sales(sessions, seller_id)[-1] == (D(2026, 11, 20), "paid", 1, 37_000, 2)


def test_one_failing_seller_never_stops_the_others(sessions: sessionmaker[Session]) -> None:
    ids = {slug: new_seller(sessions, slug) for slug in ("a", "b", "c", "d")}
    with sessions.begin() as session:
        for seller_id in ids.values():
            accounts.connect(session, seller_id, NAME, "sealed", now=NOW - HOUR)
    good = [Page({}, (order("D1", local(2026, 11, 20, 9), "paid", mug(1)),))]
    refused = SourceError("bad_credentials", "the client secret was refused")
    sources: dict[str, Source] = {
        "a": ScriptedSource(good, failures={0: refused}),
        "b": ScriptedSource(good, failures={0: RuntimeError("boom")}),
        "d": ScriptedSource(good),
    }

    def build(ref: AccountRef) -> Source:
        if ref.seller_slug == "c":
            raise ValueError("ADVISOR_SECRET_KEY is not set")
        return sources[ref.seller_slug]

    reports = sync_all(sessions, build, now=NOW)
    assert [(r.seller_id, r.error_key, r.orders) for r in reports] == [
        (ids["a"], "bad_credentials", 0),
        (ids["b"], "error", 0),
        (ids["c"], "config", 0),
        (ids["d"], None, 1),
    ]
    assert [account(sessions, ids[slug]).last_error_message for slug in "abcd"] == [
        "the client secret was refused",
        "RuntimeError: boom",
        "ADVISOR_SECRET_KEY is not set",
        None,
    ]
    assert day_revenue(sessions, ids["d"], D(2026, 11, 20)) == (12_000, 1)
    # only one seller or one source when asked
    assert [r.seller_id for r in sync_all(sessions, build, now=NOW, seller_id=ids["d"])] == [
        ids["d"]
    ]
    assert sync_all(sessions, build, now=NOW, source="shopify") == []


def test_a_source_failing_over_an_hour_is_stale_and_reported_once(
    sessions: sessionmaker[Session],
) -> None:
    seller_id = new_seller(sessions)
    with sessions.begin() as session:
        accounts.connect(session, seller_id, NAME, "sealed", now=NOW - HOUR)
    sync(sessions, seller_id, ScriptedSource(THREE_PAGES[:1]), now=NOW - HOUR)  # 13:30 Seoul
    down = DownSource(SourceError("unavailable", "503 from the platform"))
    for minutes in (0, 30, 61):  # failing from 14:30 Seoul, every sync
        sync(sessions, seller_id, down, now=NOW + dt.timedelta(minutes=minutes))

    def fresh(at: dt.datetime) -> Freshness | None:
        with sessions() as session:
            return accounts.freshness(session, seller_id, now=at)

    def claim(at: dt.datetime) -> list[tuple[str, str, dt.datetime]]:
        with sessions.begin() as session:
            return [
                (item.seller_slug, item.source, item.failing_since)
                for item in accounts.claim_stale(session, now=at)
            ]

    # failing since 14:30 Seoul; the data is as of the 13:30 success
    assert fresh(NOW + HOUR) == Freshness(NOW - HOUR, None)  # exactly an hour: not yet
    assert claim(NOW + HOUR) == []
    later = NOW + dt.timedelta(minutes=61)
    assert fresh(later) == Freshness(NOW - HOUR, NOW)
    assert claim(later) == [("shop", NAME, NOW)]
    assert claim(later + HOUR) == []  # once per failure run, however many syncs fail
    # a success ends the run; the next failure run is reported again
    sync(sessions, seller_id, ScriptedSource([]), now=NOW + 2 * HOUR)
    assert fresh(NOW + 2 * HOUR) == Freshness(NOW + 2 * HOUR, None)
    sync(sessions, seller_id, down, now=NOW + 3 * HOUR)
    assert claim(NOW + 4 * HOUR + dt.timedelta(minutes=1)) == [("shop", NAME, NOW + 3 * HOUR)]


def test_a_seller_without_a_connected_source_has_no_freshness(
    sessions: sessionmaker[Session],
) -> None:
    seller_id = new_seller(sessions)
    with sessions() as session:
        assert accounts.freshness(session, seller_id, now=NOW) is None


def test_keyword_clicks_become_search_visits_and_a_restated_day_replaces_them(
    sessions: sessionmaker[Session],
) -> None:
    seller_id = new_seller(sessions)
    day = D(2026, 11, 19)
    first = Page(
        {},
        keyword_days=(KeywordDay(day, "보온 텀블러", 3), KeywordDay(day, "머그", 2)),
        keyword_dates=(day,),
    )
    # restated: 4 clicks on 보온 텀블러, none on 머그 any more
    later = Page({}, keyword_days=(KeywordDay(day, "보온 텀블러", 4),), keyword_dates=(day,))
    report = sync(sessions, seller_id, ScriptedSource([first]), now=NOW)
    assert (report.keyword_days, report.summary()) == (
        2,
        "1 page: 0 new orders, 0 updated, 0 products, 0 ad days, 2 keyword days",
    )
    with sessions() as session:
        # (date, keyword, visits, conversions, revenue): ad clicks never convert
        assert rollup_rows(session, seller_id)["keywords"] == [
            (day, "머그", 2, 0, 0),
            (day, "보온 텀블러", 3, 0, 0),
        ]
    assert (
        sync(sessions, seller_id, ScriptedSource([first, later]), now=NOW + HOUR).keyword_days == 2
    )
    with sessions() as session:
        assert rollup_rows(session, seller_id)["keywords"] == [(day, "보온 텀블러", 4, 0, 0)]
        assert rollup_rows(session, seller_id) == expected_rollups(session, seller_id, SEOUL)
