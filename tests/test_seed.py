"""The demo store generator, `advisor seed` and `advisor demo`.

Stores here are small (30-45 days, 20-30 orders a day) so the file stays fast;
the consistency checks run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.cli.demo import summary_lines
from bot.cli.seed import parse_until
from storage.db import make_engine, session_factory
from storage.demo import (
    KeywordGap,
    SalesDrop,
    StoreSpec,
    demo_spec,
    generate_store,
    seed_specs,
    seed_stores,
    summarize_store,
)
from storage.models import Incident
from storage.settings import get_settings
from tests.factories import local, make_customer, make_order, make_product, make_seller

# 2026-11-21 09:30 in Seoul: "today" is Saturday 2026-11-21, open until 09:30.
UNTIL = dt.datetime(2026, 11, 21, 0, 30, tzinfo=dt.UTC)
SEOUL_MIDNIGHT = dt.time(15, 0)  # 00:00 KST as UTC, on the previous date


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def scalar(session: Session, sql: str, **params: object) -> object:
    return session.execute(text(sql), params).scalar_one()


@pytest.fixture
def demo_store(sessions: sessionmaker[Session]) -> int:
    """The demo seller over 45 days at 30 orders a day; returns its id."""
    spec = demo_spec(UNTIL, days=45, orders_per_day=30)
    with sessions.begin() as session:
        return generate_store(session, spec, np.random.default_rng([42, 1])).seller_id


# --- consistency, on both backends ---------------------------------------------------------


def test_cached_order_totals_equal_the_sum_of_their_lines(
    demo_store: int, session: Session
) -> None:
    mismatched = scalar(
        session,
        """
        SELECT COUNT(*) FROM orders o
        JOIN (SELECT order_id, SUM(quantity * unit_price) AS revenue, SUM(quantity) AS units
              FROM order_items GROUP BY order_id) l ON l.order_id = o.id
        WHERE o.revenue <> l.revenue OR o.units <> l.units
        """,
    )
    without_lines = scalar(
        session,
        "SELECT COUNT(*) FROM orders o WHERE NOT EXISTS "
        "(SELECT 1 FROM order_items i WHERE i.order_id = o.id)",
    )
    assert (mismatched, without_lines) == (0, 0)
    lines_per_order = session.execute(
        text(
            "SELECT MIN(n), MAX(n) FROM (SELECT COUNT(*) AS n FROM order_items GROUP BY order_id) c"
        )
    ).one()
    assert tuple(lines_per_order) == (1, 4)


def test_nothing_is_dated_after_until_or_before_the_first_local_day(
    demo_store: int, session: Session
) -> None:
    first_day = utc(2026, 10, 7, 15)  # 2026-10-08 00:00 KST: 45 days ending 2026-11-21
    for table, column in [
        ("orders", "ordered_at"),
        ("visits", "started_at"),
        ("customers", "created_at"),
        ("inquiries", "asked_at"),
        ("inquiries", "answered_at"),
    ]:
        late = scalar(session, f"SELECT COUNT(*) FROM {table} WHERE {column} > :u", u=UNTIL)
        early = scalar(session, f"SELECT COUNT(*) FROM {table} WHERE {column} < :f", f=first_day)
        assert (table, column, late, early) == (table, column, 0, 0)
    last_ad_day = scalar(session, "SELECT MAX(date) FROM ad_stats_daily")
    assert str(last_ad_day) == "2026-11-21"
    # today (Saturday, open since midnight KST) has orders, but fewer than a full day
    today = scalar(
        session, "SELECT COUNT(*) FROM orders WHERE ordered_at >= :d", d=utc(2026, 11, 20, 15)
    )
    assert 0 < int(today) < 30  # type: ignore[call-overload]


def test_every_reference_points_at_an_existing_row(demo_store: int, session: Session) -> None:
    # PostgreSQL loads with foreign-key triggers off, so check the references here
    orphans = {
        "items→orders": "SELECT COUNT(*) FROM order_items i LEFT JOIN orders o ON o.id = i.order_id WHERE o.id IS NULL",
        "items→products": "SELECT COUNT(*) FROM order_items i LEFT JOIN products p ON p.id = i.product_id WHERE p.id IS NULL",
        "orders→customers": "SELECT COUNT(*) FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE c.id IS NULL",
        "visits→orders": "SELECT COUNT(*) FROM visits v LEFT JOIN orders o ON o.id = v.order_id WHERE v.order_id IS NOT NULL AND o.id IS NULL",
        "visits→products": "SELECT COUNT(*) FROM visits v LEFT JOIN products p ON p.id = v.landing_product_id WHERE v.landing_product_id IS NOT NULL AND p.id IS NULL",
        "stats→campaigns": "SELECT COUNT(*) FROM ad_stats_daily s LEFT JOIN ad_campaigns c ON c.id = s.campaign_id WHERE c.id IS NULL",
        "visit after order": "SELECT COUNT(*) FROM visits v JOIN orders o ON o.id = v.order_id WHERE v.started_at > o.ordered_at",
    }
    assert {name: scalar(session, sql) for name, sql in orphans.items()} == dict.fromkeys(
        orphans, 0
    )


def test_ids_continue_after_a_generated_store(demo_store: int, session: Session) -> None:
    seller = make_seller(session, "after-seed")
    product = make_product(session, seller, "새 상품", 1_000)
    order = make_order(session, seller, local(2026, 11, 21, 9), [(product, 1)])
    assert order.id == scalar(session, "SELECT MAX(id) FROM orders")
    assert product.id == scalar(session, "SELECT MAX(id) FROM products")


# --- what the demo store contains ----------------------------------------------------------


def test_demo_seller_is_a_korean_shop(demo_store: int, session: Session) -> None:
    row = session.execute(
        text("SELECT slug, name, timezone, currency FROM sellers WHERE id = :s"), {"s": demo_store}
    ).one()
    assert tuple(row) == ("demo", "데모 상점", "Asia/Seoul", "KRW")
    products = session.execute(
        text("SELECT name, name_en, category, price, cost, options FROM products")
    ).all()
    assert 40 <= len(products) <= 80
    assert all(any("가" <= ch <= "힣" for ch in p.name) for p in products)
    assert all(p.price % 100 == 0 and p.price >= 1_000 for p in products)
    with_cost = [p for p in products if p.cost is not None]
    assert 0 < len(with_cost) < len(products)
    assert all(0 < p.cost < p.price for p in with_cost)
    assert sum(p.name_en is not None for p in products) >= len(products) * 0.7
    assert sum(p.options is not None for p in products) >= 10
    assert len({p.category for p in products}) >= 5


def test_demo_incidents_are_recorded_as_ground_truth(demo_store: int, session: Session) -> None:
    incidents = {
        i.kind: i for i in session.query(Incident).filter(Incident.seller_id == demo_store)
    }
    assert set(incidents) == {"sales_drop", "ad_collapse", "keyword_gap", "ad_loss", "low_stock"}
    drop = incidents["sales_drop"]
    # yesterday in Seoul, 2026-11-20 00:00 to 2026-11-21 00:00 KST
    assert (drop.starts_at, drop.ends_at) == (utc(2026, 11, 19, 15), utc(2026, 11, 20, 15))
    assert drop.details["fraction"] == 0.4
    assert drop.details["expected_orders"] == pytest.approx(
        drop.details["expected_orders_without_drop"] * 0.6, abs=0.1
    )
    observed = scalar(
        session,
        "SELECT COUNT(*) FROM orders WHERE ordered_at >= :a AND ordered_at < :b",
        a=drop.starts_at,
        b=drop.ends_at,
    )
    assert drop.details["observed_orders"] == observed
    collapse = incidents["ad_collapse"]
    assert (collapse.starts_at, collapse.ends_at) == (utc(2026, 11, 15, 15), utc(2026, 11, 20, 15))
    assert (collapse.details["metric"], collapse.details["fraction"]) == ("cvr", 0.8)
    gap = incidents["keyword_gap"]
    assert (gap.details["keyword"], gap.starts_at) == ("소포장", utc(2026, 10, 7, 15))


def test_keyword_gap_has_visits_but_no_product_and_no_purchase(
    demo_store: int, session: Session
) -> None:
    visits, bought = session.execute(
        text("SELECT COUNT(*), COUNT(order_id) FROM visits WHERE search_keyword = '소포장'")
    ).one()
    assert visits >= 300 and bought == 0
    recorded = session.query(Incident).filter(Incident.kind == "keyword_gap").one()
    assert recorded.details["visits"] == visits
    carrying = scalar(
        session,
        "SELECT COUNT(*) FROM products WHERE name LIKE '%소포장%' OR name_en LIKE '%소포장%' "
        "OR options LIKE '%소포장%' OR category LIKE '%소포장%'",
    )
    assert carrying == 0
    # every other searched keyword matches a product name
    unmatched = session.execute(
        text(
            "SELECT DISTINCT v.search_keyword FROM visits v WHERE v.search_keyword IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM products p WHERE p.name LIKE '%' || v.search_keyword || '%')"
        )
    ).scalars()
    assert list(unmatched) == ["소포장"]


def test_visits_convert_at_a_few_percent_and_a_third_search(
    demo_store: int, session: Session
) -> None:
    total, converted, searched = session.execute(
        text("SELECT COUNT(*), COUNT(order_id), COUNT(search_keyword) FROM visits")
    ).one()
    assert 0.02 <= converted / total <= 0.04
    assert 0.25 <= searched / total <= 0.35
    # visits cover the last 90 days, here the whole 45-day history: one per order
    assert converted == scalar(session, "SELECT COUNT(*) FROM orders")


def test_orders_include_cancellations_refunds_and_repeat_buyers(
    demo_store: int, session: Session
) -> None:
    counts = dict(
        session.execute(text("SELECT status, COUNT(*) FROM orders GROUP BY status")).all()
    )
    total = sum(counts.values())
    assert set(counts) == {"paid", "cancelled", "refunded"}
    assert 0.02 <= counts["cancelled"] / total <= 0.07
    assert 0.005 <= counts["refunded"] / total <= 0.03
    recent_refunds = scalar(
        session,
        "SELECT COUNT(*) FROM orders WHERE status = 'refunded' AND ordered_at > :t",
        t=UNTIL - dt.timedelta(days=3),
    )
    assert recent_refunds == 0
    per_customer = [
        n
        for (n,) in session.execute(text("SELECT COUNT(*) FROM orders GROUP BY customer_id")).all()
    ]
    assert sum(n == 1 for n in per_customer) > len(per_customer) / 2  # mostly one-time buyers
    assert sum(n >= 3 for n in per_customer) > 0  # and some regulars


def test_ads_have_a_losing_campaign_and_a_cvr_collapse(demo_store: int, session: Session) -> None:
    roas = {
        campaign: float(value)
        for campaign, value in session.execute(
            text(
                "SELECT campaign_id, 1.0 * SUM(conversion_revenue) / SUM(spend) "
                "FROM ad_stats_daily GROUP BY campaign_id"
            )
        ).all()
    }
    assert 3 <= len(roas) <= 6
    loss = session.query(Incident).filter(Incident.kind == "ad_loss").one()
    assert roas[loss.details["campaign_id"]] < 1.5
    assert max(roas.values()) > 3.0
    collapse = session.query(Incident).filter(Incident.kind == "ad_collapse").one()
    cvr = {
        bool(late): float(value)
        for late, value in session.execute(
            text(
                "SELECT date >= :d, 1.0 * SUM(conversions) / SUM(clicks) FROM ad_stats_daily "
                "WHERE campaign_id = :c AND date < :today GROUP BY date >= :d"
            ),
            {
                "c": collapse.details["campaign_id"],
                "d": dt.date(2026, 11, 16),
                "today": dt.date(2026, 11, 21),
            },
        ).all()
    }
    assert cvr[True] < cvr[False] * 0.5


def test_low_stock_products_have_at_most_three_days_left(demo_store: int, session: Session) -> None:
    low = session.query(Incident).filter(Incident.kind == "low_stock").one()
    assert len(low.details["products"]) == 3
    for item in low.details["products"]:
        stock = scalar(session, "SELECT stock FROM products WHERE id = :p", p=item["product_id"])
        assert stock == item["stock"]
        assert 1 <= item["stock"] <= 3 * item["daily_units_last_14_days"]


# --- library API ---------------------------------------------------------------------------


def test_a_clean_spec_injects_nothing_and_a_drop_is_visible(
    sessions: sessionmaker[Session],
) -> None:
    clean = StoreSpec(slug="clean", until=UNTIL, days=30, orders_per_day=40, with_visits=False)
    drop_day = (utc(2026, 11, 13, 15), utc(2026, 11, 14, 15))  # Saturday 2026-11-14 KST
    dropped = StoreSpec(
        slug="dropped",
        until=UNTIL,
        days=30,
        orders_per_day=40,
        with_visits=False,
        incidents=(SalesDrop(*drop_day, fraction=0.9),),
    )
    with sessions.begin() as session:
        clean_id = generate_store(session, clean, np.random.default_rng(3)).seller_id
        dropped_id = generate_store(session, dropped, np.random.default_rng(3)).seller_id
    with sessions() as session:
        kinds = session.execute(
            text("SELECT seller_id, kind FROM incidents ORDER BY seller_id, kind")
        ).all()
        assert [tuple(row) for row in kinds] == [
            (clean_id, "ad_loss"),
            (clean_id, "low_stock"),
            (dropped_id, "ad_loss"),
            (dropped_id, "low_stock"),
            (dropped_id, "sales_drop"),
        ]

        def orders_on_drop_day(seller_id: int) -> int:
            return int(
                scalar(  # type: ignore[call-overload]
                    session,
                    "SELECT COUNT(*) FROM orders WHERE seller_id = :s "
                    "AND ordered_at >= :a AND ordered_at < :b",
                    s=seller_id,
                    a=drop_day[0],
                    b=drop_day[1],
                )
            )

        assert orders_on_drop_day(clean_id) > 20
        assert orders_on_drop_day(dropped_id) < 10
        assert scalar(session, "SELECT COUNT(*) FROM visits") == 0


def test_specs_refuse_naive_times_and_impossible_fractions() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        StoreSpec(slug="x", until=dt.datetime(2026, 11, 21, 9, 30))
    with pytest.raises(ValueError, match="fraction"):
        StoreSpec(
            slug="x", until=UNTIL, incidents=(SalesDrop(UNTIL - dt.timedelta(days=1), UNTIL, 1.5),)
        )
    with pytest.raises(ValueError, match="share"):
        StoreSpec(slug="x", until=UNTIL, incidents=(KeywordGap("소포장", 1.0, UNTIL),))


def test_seed_slugs_and_sizes() -> None:
    specs = seed_specs(until=UNTIL, sellers=4, days=30, seed=42, orders_per_day=200)
    assert [s.slug for s in specs] == ["demo", "seller-0002", "seller-0003", "seller-0004"]
    assert specs[0].orders_per_day == 200
    assert all(10 <= s.orders_per_day <= 100 for s in specs[1:])  # 0.05-0.5 × 200
    assert specs[1:] == seed_specs(until=UNTIL, sellers=4, days=30, seed=42)[1:]


# --- determinism ---------------------------------------------------------------------------

TABLES = (
    "sellers",
    "products",
    "customers",
    "orders",
    "order_items",
    "visits",
    "ad_campaigns",
    "ad_stats_daily",
    "inquiries",
    "incidents",
)


@pytest.fixture
def fresh_sqlite(sqlite_template: Path, tmp_path: Path) -> Iterator[object]:
    engines: list[Engine] = []

    def make(name: str) -> sessionmaker[Session]:
        path = tmp_path / f"{name}.db"
        shutil.copyfile(sqlite_template, path)
        engine = make_engine(f"sqlite:///{path}")
        engines.append(engine)
        return session_factory(engine)

    yield make
    for engine in engines:
        engine.dispose()


def _seed_and_dump(sessions: sessionmaker[Session], seed: int) -> dict[str, list[tuple]]:
    specs = seed_specs(until=UNTIL, sellers=2, days=30, seed=seed, orders_per_day=20)
    with sessions.begin() as session:
        seed_stores(session, specs, seed=seed)
    with sessions() as session:
        return {
            table: [
                tuple(row) for row in session.execute(text(f"SELECT * FROM {table} ORDER BY id"))
            ]
            for table in TABLES
        }


def test_same_seed_gives_identical_rows_and_another_seed_does_not(fresh_sqlite) -> None:  # type: ignore[no-untyped-def]
    first = _seed_and_dump(fresh_sqlite("a"), seed=7)
    second = _seed_and_dump(fresh_sqlite("b"), seed=7)
    other = _seed_and_dump(fresh_sqlite("c"), seed=8)
    assert [len(first[t]) > 0 for t in TABLES] == [True] * len(TABLES)
    assert first == second
    assert first["orders"] != other["orders"]
    assert first["sellers"] == other["sellers"]  # same slugs, names and start


# --- summary and CLI -----------------------------------------------------------------------


def test_summary_lines_of_a_hand_built_store(session: Session) -> None:
    seller = make_seller(session, "demo", name="데모 상점")
    mug = make_product(session, seller, "머그컵", 12_000)
    kim = make_customer(session, seller, "C1")
    make_order(session, seller, local(2026, 10, 1, 9), [(mug, 1)], customer=kim)  # outside 30 days
    make_order(session, seller, local(2026, 11, 10, 9), [(mug, 2)], customer=kim)
    make_order(session, seller, local(2026, 11, 12, 9), [(mug, 1)], status="cancelled")
    make_order(session, seller, local(2026, 11, 20, 21, 15), [(mug, 3, 11_000)])
    session.add(
        Incident(
            seller_id=seller.id,
            kind="sales_drop",
            starts_at=local(2026, 11, 20, 0),
            ends_at=local(2026, 11, 21, 0),
            details={"fraction": 0.4},
        )
    )
    session.flush()
    lines = summary_lines(summarize_store(session, "demo"))
    assert lines == [
        "데모 상점 (demo, Asia/Seoul, KRW)",
        "  data       2026-10-01 to 2026-11-20 21:15",
        "  orders     4 (3 paid)",
        "  revenue    57,000 KRW from 2 paid orders in the 30 days to 2026-11-20",
        "  store      1 products, 1 customers, 0 ad campaigns, 0 visits, 0 inquiries",
        "  injected   (ground truth for the detectors)",
        "    - sales drop of 40%, on 2026-11-20",
        "What to try next:",
        # as pasted in a new terminal at the checkout (no venv active): the venv's path
        "  .venv/bin/advisor chat --seller demo                    ask in Korean or English: 오늘 매출 어때? / what sold best?",
        '  .venv/bin/advisor ask "지난주 베스트 5" --seller demo --json  one answer, with the tool calls as JSON',
        "  .venv/bin/advisor link-code --seller demo               a code that links a Telegram chat (see README)",
        "  .venv/bin/advisor --help                                every command, e.g. import orders FILE.csv --seller SLUG for your own data",
    ]


def test_until_without_offset_is_read_in_the_default_timezone() -> None:
    assert parse_until("2026-11-21T09:30", "Asia/Seoul") == UNTIL
    assert parse_until("2026-11-21T00:30:00Z", "Asia/Seoul") == UNTIL


def test_cli_seed_then_demo_then_refuses_to_seed_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    try:
        args = ["seed", "--sellers", "2", "--days", "30", "--orders-per-day", "20"]
        assert main([*args, "--until", "2026-11-21T09:30:00+09:00"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("seeding 2 seller(s): 30 days up to 2026-11-21 09:30 Asia/Seoul")
        assert "  demo " in out and "  seller-0002 " in out

        assert main(["demo"]) == 0
        out = capsys.readouterr().out.splitlines()
        assert out[0] == "데모 상점 (demo, Asia/Seoul, KRW)"
        assert out[1].startswith("  data       2026-10-23 to 2026-11-21 ")
        assert "What to try next:" in out

        assert main(["seller", "list"]) == 0
        listed = [line.split("\t")[1] for line in capsys.readouterr().out.splitlines()]
        assert listed == ["demo", "seller-0002"]

        assert main([*args, "--until", "2026-11-22T09:30:00+09:00"]) == 2
        err = capsys.readouterr().err
        assert "already in this database: demo, seller-0002; nothing was generated" in err
    finally:
        get_settings.cache_clear()
