"""The dashboard in a real headless Chromium (Debian's `chromium`, driven by
Playwright's Python package through `executable_path`; nothing is downloaded):
Telegram's initData in the URL's hash signs in and opens Today with the tools'
figures, the period switch, Telegram's theme, each page without console errors,
forged initData refused, and all of it where the browser keeps no cookie (Telegram
Web's iframe when third-party cookies are blocked). Skipped, with the reason, when
no browser is found. The demo store's pages are in tests/test_web_demo.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage.db import session_factory
from tests import web_store
from tests.botstore import Clock
from tests.web_browser import PHONE, SKIP, chromium, served, watched
from tests.web_browser import mini_app_url as telegram_url
from tests.web_store import NOW, OTHER_USER, SHOP_USER, init_data
from tools import registry
from tools.catalog import summary_of
from tools.context import make_context
from tools.prompts import money
from web import session as cookies

DARK = {"bg_color": "#17212b", "text_color": "#f5f5f5", "button_color": "#5288c1"}

pytestmark = SKIP


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def sessions(sqlite_engine: Engine) -> sessionmaker[Session]:
    factory = session_factory(sqlite_engine)
    with factory() as session:
        web_store.build(session)
    return factory


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def base_url(sessions: sessionmaker[Session], clock: Clock) -> Iterator[str]:
    with served(web_store.config(sessions, clock=clock)) as url:
        yield url


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE)  # a phone
    opened = context.new_page()
    opened.errors = watched(opened)
    yield opened
    context.close()


def mini_app_url(base_url: str, raw: str) -> str:
    """The address Telegram opens, in Telegram's dark theme."""
    return telegram_url(base_url, raw, DARK)


def text(page: Any, name: str) -> str:
    return str(page.locator(f'[data-figure="{name}"]').first.inner_text())


def test_init_data_opens_today_with_the_tools_figures(
    page: Any, base_url: str, sessions: sessionmaker[Session]
) -> None:
    config = web_store.config(sessions)
    ctx = make_context(
        sessions, seller_id=1, now=NOW, lang="en", settings=config.settings, prompts=config.prompts
    )
    today = summary_of(
        registry.run(ctx, "sales_report", {"start": "2026-11-26", "end": "2026-11-26"})
    )
    page.goto(mini_app_url(base_url, init_data(SHOP_USER)))
    page.wait_for_url(f"{base_url}/today?s=*")
    assert text(page, "revenue") == money(today["revenue"], "KRW") == "36,000원"
    assert text(page, "previous-revenue") == money(today["previous"]["revenue"], "KRW")
    assert text(page, "last_week-change") == "+63.6%"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(23, 33, 43)"  # Telegram's dark bg_color #17212b
    assert page.errors == []


def test_period_switching(page: Any, base_url: str) -> None:
    page.goto(mini_app_url(base_url, init_data(SHOP_USER)))
    page.wait_for_url(f"{base_url}/today?s=*")
    page.locator("nav.periods").get_by_role("link", name="Yesterday").click()
    page.wait_for_url(f"{base_url}/today?period=yesterday")
    assert text(page, "revenue") == "12,000원"
    assert text(page, "dates") == "2026-11-25"
    page.locator("nav.periods").get_by_role("link", name="Last 7 days").click()
    page.wait_for_url(f"{base_url}/today?period=last_7_days")
    assert text(page, "revenue") == "34,000원"
    # the theme kept from the first page
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(23, 33, 43)"
    assert page.errors == []


def test_every_page_renders_without_console_errors(page: Any, base_url: str) -> None:
    page.goto(mini_app_url(base_url, init_data(SHOP_USER)))
    page.wait_for_url(f"{base_url}/today?s=*")
    for name in ("products", "ads", "customers", "keywords", "alerts", "today"):
        page.locator("nav.tabs").get_by_role("link", name=name.capitalize()).click()
        page.wait_for_url(f"{base_url}/{name}")
        assert page.locator("section.panel").count() >= 1, name
    page.goto(f"{base_url}/products")
    names = page.locator("td.name").all_inner_texts()
    assert web_store.EVIL in names  # the HTML in a product name shown as its text
    assert page.errors == []


@pytest.mark.parametrize(
    "raw",
    [
        init_data(SHOP_USER, token="654321:another-bot"),  # forged
        init_data(SHOP_USER, auth_date=NOW - dt.timedelta(hours=25)),  # stale
    ],
)
def test_forged_or_stale_init_data_is_refused(page: Any, base_url: str, raw: str) -> None:
    page.goto(mini_app_url(base_url, raw))
    page.locator("#refused").wait_for(state="visible")
    assert page.url.startswith(f"{base_url}/#")
    page.goto(f"{base_url}/today")
    assert page.url == f"{base_url}/"  # no session: back to the sign-in page
    assert [e for e in page.errors if "403" not in e] == []


def test_another_account_opening_the_mini_app_sees_only_its_own_store(
    page: Any, base_url: str
) -> None:
    page.goto(mini_app_url(base_url, init_data(SHOP_USER)))
    page.wait_for_url(f"{base_url}/today?s=*")
    assert text(page, "revenue") == "36,000원"
    # the same WebView (the cookie kept), now opened by the other seller's account
    page.goto(mini_app_url(base_url, init_data(OTHER_USER)))
    page.wait_for_url(f"{base_url}/today?s=*")
    assert text(page, "revenue") == "99,000원"
    page.goto(f"{base_url}/")  # no initData: the session goes on, the other seller's
    page.wait_for_url(f"{base_url}/today")
    assert text(page, "revenue") == "99,000원" and page.errors == []


def test_outside_telegram_the_page_says_how_to_open_it(page: Any, base_url: str) -> None:
    page.goto(base_url)
    page.locator("#outside").wait_for(state="visible")
    assert "📊 Dashboard" in page.locator("#outside").inner_text()
    assert page.errors == []


def test_the_dashboard_works_where_no_cookie_is_kept(
    browser: Any, base_url: str, clock: Clock
) -> None:
    context = browser.new_context(viewport=PHONE)

    def without_cookies(route: Any) -> None:  # as a WebView blocking third-party cookies
        response = route.fetch()  # (it shares the context's cookie jar: emptied at once)
        context.clear_cookies()
        kept = {k: v for k, v in response.headers.items() if k.lower() != "set-cookie"}
        route.fulfill(response=response, headers=kept)

    context.route("**/*", without_cookies)
    page = context.new_page()
    errors = watched(page)
    page.goto(mini_app_url(base_url, init_data(SHOP_USER)))
    page.wait_for_url(f"{base_url}/today?s=*")
    assert text(page, "revenue") == "36,000원"
    page.locator("nav.tabs").get_by_role("link", name="Products").click()
    page.wait_for_url(f"{base_url}/products?s=*")
    assert web_store.EVIL in page.locator("td.name").all_inner_texts()
    page.locator("nav.tabs").get_by_role("link", name="Today").click()
    page.locator("nav.periods").get_by_role("link", name="Yesterday").click()
    page.wait_for_url(f"{base_url}/today?period=yesterday&s=*")
    assert text(page, "revenue") == "12,000원"
    # an hour later the links' token has run out: the sign-in page signs in again with
    # the initData it kept (still inside its 24 hours) and Today opens
    clock.now = NOW + cookies.TOKEN_LIFETIME + dt.timedelta(minutes=1)
    page.locator("nav.tabs").get_by_role("link", name="Ads").click()
    page.wait_for_url(f"{base_url}/today?s=*")
    assert text(page, "revenue") == "36,000원"
    assert context.cookies() == [] and errors == []
    context.close()
