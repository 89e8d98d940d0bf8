"""The dashboard on the demo store in a real headless Chromium (tests/web_browser.py).

The store comes from the project's demo generator (storage.demo: 90 days at about 100
orders a day, with its planted incidents: yesterday's sales drop, the collapse of
"텀블러 검색광고"'s conversion, the searched-for "소포장" the lineup lacks), seeded once
into a temporary SQLite file; the morning scan's alerts are recorded and marked sent.
A seller linked in Korean opens the Mini App with Telegram's initData, and every
figure each page shows is the one the tool catalogue gives for the same run, called
here beside it and written with the chat's own filters; the period switch; no console
error on any page. One browser and one signed-in page serve the whole module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, session_factory
from storage.demo import demo_spec, seed_stores
from storage.models import Alert, AlertStatus, ChatLink, Seller
from storage.settings import Settings
from tests.web_browser import PHONE, SKIP, chromium, mini_app_url, served, watched
from tests.web_store import TOKEN, init_data
from tools import registry
from tools.catalog import summary_of
from tools.context import TurnContext, make_context
from tools.fit_cache import FitCache
from tools.nudges import NudgeHours, detect, record
from tools.prompts import PromptStore, money, number, percent, signed_percent
from web.config import WebConfig

pytestmark = SKIP

SEOUL = ZoneInfo("Asia/Seoul")
NOW = dt.datetime(2026, 11, 27, 14, 30, tzinfo=SEOUL).astimezone(dt.UTC)  # a Friday
MORNING = dt.datetime(2026, 11, 27, 9, 5, tzinfo=SEOUL).astimezone(dt.UTC)
SENT_AT = MORNING + dt.timedelta(minutes=1)
USER = 4242
DATES = {
    "today": ("2026-11-27", "2026-11-27"),
    "yesterday": ("2026-11-26", "2026-11-26"),
    "last_week": ("2026-11-16", "2026-11-22"),
    "this_month": ("2026-11-01", "2026-11-27"),
    "last_7_days": ("2026-11-20", "2026-11-26"),
    "last_30_days": ("2026-10-28", "2026-11-26"),
}


@pytest.fixture(scope="module")
def demo(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[sessionmaker[Session], int]]:
    path = tmp_path_factory.mktemp("web_demo") / "demo.db"
    path.write_bytes(sqlite_template.read_bytes())
    engine = make_engine(f"sqlite:///{path}")
    sessions = session_factory(engine)
    with sessions.begin() as session:
        # random seed 2: at this size its drop is big enough for the scan and some
        # regulars drift (both hang on the draw; 42 gives no drifting regular)
        seed_stores(session, [demo_spec(NOW, days=90, orders_per_day=100)], seed=2)
        seller = session.scalars(select(Seller).where(Seller.slug == "demo")).one()
        session.add(ChatLink(chat_id=USER, seller_id=seller.id, language="ko"))
        seller_id = seller.id
    with sessions.begin() as session:  # the morning scan, and its alerts sent at 09:06
        record(session, detect(session, now=MORNING, hours=NudgeHours()))
        session.execute(update(Alert).values(status=AlertStatus.SENT, sent_at=SENT_AT))
    yield sessions, seller_id
    engine.dispose()


@pytest.fixture(scope="module")
def config(demo: tuple[sessionmaker[Session], int]) -> WebConfig:
    settings = Settings(openai_api_key=None)
    return WebConfig(
        bot_token=TOKEN,
        sessions=demo[0],
        settings=settings,
        prompts=PromptStore(settings.prompts_dir),
        clock=lambda: NOW,
        secure_cookie=False,
        fits=FitCache(),
        page_burst=1000,
    )


@pytest.fixture(scope="module")
def tools(config: WebConfig, demo: tuple[sessionmaker[Session], int]) -> TurnContext:
    """The chat's side: the same catalogue, for the same seller, at the same time."""
    return make_context(
        config.sessions,
        seller_id=demo[1],
        now=NOW,
        lang="ko",
        settings=config.settings,
        prompts=config.prompts,
        fits=config.fits,  # the customer model fitted once, as the bot's is
    )


@pytest.fixture(scope="module")
def base_url(config: WebConfig) -> Iterator[str]:
    with served(config) as url:
        yield url


@pytest.fixture(scope="module")
def page(base_url: str) -> Iterator[Any]:
    """The seller's Mini App, signed in once with Telegram's initData."""
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE)
        opened = context.new_page()
        opened.errors = watched(opened)
        opened.goto(mini_app_url(base_url, init_data(USER, auth_date=NOW)))
        opened.wait_for_url(f"{base_url}/today?s=*")
        yield opened
        context.close()


@pytest.fixture
def clean(page: Any) -> Iterator[Any]:
    """`page`, and after the test: no console error or uncaught exception logged."""
    page.errors.clear()
    yield page
    assert page.errors == []


def run(ctx: TurnContext, tool: str, period: str | None = None, **args: Any) -> dict[str, Any]:
    if period is not None:
        args.update(zip(("start", "end"), DATES[period], strict=True))
    return summary_of(registry.run(ctx, tool, args))


def open_tab(page: Any, name: str, period: str | None = None) -> None:
    page.locator(f'nav.tabs a[href^="/{name}"]').click()
    page.wait_for_url(f"**/{name}")
    if period is not None:
        page.locator(f'nav.periods a[href*="period={period}"]').click()
        page.wait_for_url(f"**/{name}?period={period}")


def figure(page: Any, name: str, scope: str = "main") -> str:
    return str(page.locator(f'{scope} [data-figure="{name}"]').first.inner_text())


def rows(page: Any, selector: str) -> list[list[str]]:
    """The cells' text of each row of the tables under `selector`."""
    return [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in page.locator(f"{selector} tbody tr").all()
    ]


# -- Today ----------------------------------------------------------------------------


def test_initdata_opens_today_with_the_sales_reports_figures(
    clean: Any, tools: TurnContext
) -> None:
    open_tab(clean, "today")
    s = run(tools, "sales_report", "today")
    assert s["revenue"] > 0 and s["so_far"]
    assert figure(clean, "dates") == "2026-11-27"
    assert figure(clean, "revenue") == money(s["revenue"], "KRW")
    assert figure(clean, "orders") == number(s["orders"])
    assert figure(clean, "units") == number(s["units"])
    assert figure(clean, "aov") == money(s["average_order_value"], "KRW")
    for key in ("previous", "last_week"):  # same time yesterday, same time last week
        assert figure(clean, f"{key}-revenue") == money(s[key]["revenue"], "KRW")
        assert figure(clean, f"{key}-orders") == number(s[key]["orders"])
        assert figure(clean, f"{key}-change") == signed_percent(s[key]["revenue_change"])
    assert clean.locator("svg rect.now").count() == 15  # hours 00-14 so far


@pytest.mark.parametrize("period", ["yesterday", "last_week", "this_month", "last_30_days"])
def test_the_period_switch_gives_that_periods_figures(
    clean: Any, tools: TurnContext, period: str
) -> None:
    open_tab(clean, "today", period)
    s = run(tools, "sales_report", period)
    start, end = DATES[period]
    assert figure(clean, "dates") == (f"{start} ~ {end}" if start != end else start)
    assert figure(clean, "revenue") == money(s["revenue"], "KRW")
    assert figure(clean, "orders") == number(s["orders"])
    assert figure(clean, "previous-revenue") == money(s["previous"]["revenue"], "KRW")
    # no percentage where the window before starts ahead of the data (analytics.coverage)
    assert figure(clean, "previous-change") == signed_percent(s["previous"].get("revenue_change"))


def test_yesterdays_planted_drop_shows(clean: Any, tools: TurnContext) -> None:
    open_tab(clean, "today", "yesterday")
    change = run(tools, "sales_report", "yesterday")["previous"]["revenue_change"]
    assert change < -0.25  # storage.demo plants a 40 % drop of orders yesterday
    assert figure(clean, "previous-change") == signed_percent(change)


# -- Products -------------------------------------------------------------------------


def test_products_show_top_rising_falling_and_stock(clean: Any, tools: TurnContext) -> None:
    open_tab(clean, "products")
    for panel, direction in (("top", "top"), ("rising", "rising"), ("falling", "falling")):
        s = run(tools, "top_products", "last_7_days", direction=direction, limit=5)
        assert s["items"], panel
        assert rows(clean, f'section[data-panel="{panel}"]') == [
            [
                str(i["rank"]),
                i["name"],
                money(i["revenue"], "KRW"),
                number(i["units"]),
                signed_percent(i["change"]) if i.get("change") is not None else "-",
            ]
            for i in s["items"]
        ], panel
    stock = run(tools, "stock_report", limit=10)
    assert rows(clean, 'section[data-panel="stock"]') == [
        [
            i["name"],
            number(i.get("stock")),
            number(i["units_per_day"], 2) if i.get("units_per_day") is not None else "-",
            number(i["days_left"], 1) if i.get("days_left") is not None else "-",
        ]
        for i in stock["items"]
    ]


# -- Ads ------------------------------------------------------------------------------


def flagged_first(s: dict[str, Any]) -> list[tuple[bool, dict[str, Any]]]:
    """Campaigns under break-even or with an efficiency drop first (the issue's order)."""
    dropped = {d["campaign_id"] for d in s.get("efficiency_drops") or []}
    marked = [
        (bool(c.get("loses_money")) or c["campaign_id"] in dropped, c) for c in s["campaigns"]
    ]
    return [m for m in marked if m[0]] + [m for m in marked if not m[0]]


@pytest.mark.parametrize("period", [None, "last_30_days"])
def test_ads_show_each_campaigns_roas_against_break_even_flagged_first(
    clean: Any, tools: TurnContext, period: str | None
) -> None:
    open_tab(clean, "ads", period)
    s = run(tools, "ad_report", period or "last_7_days")
    total = s["total"]
    assert figure(clean, "spend") == money(total["spend"], "KRW")
    assert figure(clean, "ad-revenue") == money(total["revenue"], "KRW")
    assert figure(clean, "roas") == percent(total["roas"], 0)
    assert figure(clean, "break-even") == percent(total["break_even_roas"], 0)
    expected = [
        [
            ("⚠️ " if flagged else "") + c["name"],
            money(c["spend"], "KRW"),
            percent(c["roas"], 0),
            percent(c["break_even_roas"], 0),
            signed_percent(c.get("roas_change")),
        ]
        for flagged, c in flagged_first(s)
    ]
    assert rows(clean, 'section[data-panel="ads"]') == expected
    assert clean.locator("tr.flagged").count() == sum(f for f, _ in flagged_first(s)) >= 1


# -- Customers ------------------------------------------------------------------------


@pytest.mark.parametrize("segment", ["likely_regulars", "at_risk"])
def test_customers_show_the_segments_of_the_customer_report(
    clean: Any, tools: TurnContext, segment: str
) -> None:
    open_tab(clean, "customers")
    s = run(tools, "customer_report", segment=segment)
    scope = f'section[data-panel="{segment}"]'
    assert s["customers"], segment
    assert figure(clean, "segment-size", scope) == number(s["segment_sizes"][segment])
    assert rows(clean, scope) == [
        [
            c.get("name") or c["customer"],
            number(c["orders"]),
            str(c["last_purchase"]),
            percent(c["p_alive"], 0),
            number(c["expected_value_90d"]),
        ]
        for c in s["customers"]
    ]


# -- Keywords -------------------------------------------------------------------------


def test_keywords_show_visits_without_purchase_and_lineup_gaps(
    clean: Any, tools: TurnContext, config: WebConfig
) -> None:
    open_tab(clean, "keywords")
    s = run(tools, "search_keywords", "last_7_days")
    suggestions = (config.prompts.data("web/texts.ko.yaml") or {})["suggestions"]
    tables = clean.locator('section[data-panel="keywords"] table')
    low, top = (
        [
            [c.strip() for c in r.locator("td").all_inner_texts()]
            for r in t.locator("tbody tr").all()
        ]
        for t in (tables.nth(0), tables.nth(1))
    )
    assert low == [
        [
            k["keyword"],
            number(k["visits"]),
            percent(k["conversion_rate"]),
            suggestions[k["suggestion"]]
            + (f" ({', '.join(k['matching_products'])})" if k["matching_products"] else ""),
        ]
        for k in s["low_converting"]
    ]
    assert top == [
        [k["keyword"], number(k["visits"]), number(k["conversions"]), percent(k["conversion_rate"])]
        for k in s["top"]
    ]
    gap = next(k for k in s["low_converting"] if k["keyword"] == "소포장")  # planted
    assert (gap["conversions"], gap["suggestion"]) == (0, "add_product")


# -- Alerts ---------------------------------------------------------------------------


def test_alerts_show_what_was_sent_when_and_why(clean: Any, tools: TurnContext) -> None:
    open_tab(clean, "alerts")
    s = run(tools, "alerts_report", "last_7_days")
    sent = clean.locator('section[data-panel="alerts"] ul.alerts').first.locator("li")
    assert sent.count() == len(s["sent"]) >= 1
    for i, a in enumerate(s["sent"]):
        item = sent.nth(i)
        line = item.inner_text()
        assert item.get_attribute("data-alert") == a["kind"]
        assert item.locator('[data-figure="sent-at"]').inner_text() == str(a["sent_at"])
        assert str(a["date"]) in line and signed_percent(a["change"]) in line
        if a.get("hours"):
            assert f"{a['actual_orders']} / {a['expected_orders']}" in line
    drop = next(a for a in s["sent"] if a["kind"] == "sales_drop_day")
    assert (drop["date"], drop["sent_at"]) == ("2026-11-26", "2026-11-27 09:06:00+09:00")
    assert "하루 매출 하락 · 2026-11-26 · 2026-11-27 09:06:00+09:00" in sent.first.inner_text()


# -- on a phone -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["today", "products", "ads", "customers", "keywords", "alerts"])
def test_each_page_fits_a_phones_width(clean: Any, name: str) -> None:
    open_tab(clean, name)
    width = clean.evaluate("document.documentElement.clientWidth")
    assert width == PHONE["width"]
    assert clean.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
