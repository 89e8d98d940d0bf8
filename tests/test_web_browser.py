"""The dashboard in a real headless Chromium (Debian's `chromium`, driven by
Playwright's Python package through `executable_path`; nothing is downloaded):
Telegram's initData in the URL's hash signs in and opens Today with the tools'
figures, the period switch, Telegram's theme, each page without console errors,
forged initData refused, and all of it where the browser keeps no cookie (Telegram
Web's iframe when third-party cookies are blocked). Skipped, with the reason, when
no browser is found. The demo store's pages are in tests/test_web_demo.py."""

from __future__ import annotations

import json
import shutil
import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage.db import session_factory
from tests import web_store
from tests.web_store import NOW, SHOP_USER, init_data
from tools import registry
from tools.catalog import summary_of
from tools.context import make_context
from tools.prompts import money
from web.serve import serve_in_thread

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DARK = {"bg_color": "#17212b", "text_color": "#f5f5f5", "button_color": "#5288c1"}

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (apt-get install -y chromium; .ci/run does)"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
        except Exception as exc:  # noqa: BLE001 - a browser that does not start means skip
            pytest.skip(f"chromium at {CHROMIUM} did not start: {exc}".splitlines()[0])
        yield launched
        launched.close()


@pytest.fixture
def sessions(sqlite_engine: Engine) -> sessionmaker[Session]:
    factory = session_factory(sqlite_engine)
    with factory() as session:
        web_store.build(session)
    return factory


@pytest.fixture
def base_url(sessions: sessionmaker[Session]) -> Iterator[str]:
    port = _free_port()
    server = serve_in_thread(web_store.config(sessions), "127.0.0.1", port)
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the dashboard did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    opened = context.new_page()
    errors: list[str] = []
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda e: errors.append(str(e)))
    opened.errors = errors
    yield opened
    context.close()


def mini_app_url(base_url: str, raw: str) -> str:
    """The address Telegram opens: initData and the theme in the hash."""
    return f"{base_url}/#tgWebAppData={quote(raw)}&tgWebAppThemeParams={quote(json.dumps(DARK))}"


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


def test_forged_init_data_is_refused(page: Any, base_url: str) -> None:
    page.goto(mini_app_url(base_url, init_data(SHOP_USER, token="654321:another-bot")))
    page.locator("#refused").wait_for(state="visible")
    assert page.url.startswith(f"{base_url}/#")
    page.goto(f"{base_url}/today")
    assert page.url == f"{base_url}/"  # no session: back to the sign-in page
    assert [e for e in page.errors if "403" not in e] == []


def test_outside_telegram_the_page_says_how_to_open_it(page: Any, base_url: str) -> None:
    page.goto(base_url)
    page.locator("#outside").wait_for(state="visible")
    assert "📊 Dashboard" in page.locator("#outside").inner_text()
    assert page.errors == []


def test_the_dashboard_works_where_no_cookie_is_kept(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})

    def without_cookies(route: Any) -> None:  # as a WebView blocking third-party cookies
        response = route.fetch()  # (it shares the context's cookie jar: emptied at once)
        context.clear_cookies()
        kept = {k: v for k, v in response.headers.items() if k.lower() != "set-cookie"}
        route.fulfill(response=response, headers=kept)

    context.route("**/*", without_cookies)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
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
    assert context.cookies() == [] and errors == []
    context.close()
