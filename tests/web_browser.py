"""Driving the dashboard in a real headless Chromium for the browser tests: Debian's
`chromium` through Playwright's Python package (`executable_path`; nothing is
downloaded), the dashboard served by uvicorn in a thread on a free port, and the
console errors each page logs. Tests skip, with the reason, without a browser."""

from __future__ import annotations

import json
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import pytest

from web.config import WebConfig
from web.serve import serve_in_thread

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SKIP = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (apt-get install -y chromium; .ci/run does)"
)
PHONE = {"width": 390, "height": 844}


@contextmanager
def chromium() -> Iterator[Any]:
    """One headless browser (a test module's), or a skip saying why not."""
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


@contextmanager
def served(config: WebConfig) -> Iterator[str]:
    """The dashboard on a free port of 127.0.0.1 for the block; its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = serve_in_thread(config, "127.0.0.1", port)
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the dashboard did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True


def watched(page: Any) -> list[str]:
    """The console errors and uncaught exceptions `page` logs from now on."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def mini_app_url(base_url: str, init_data: str, theme: dict[str, str] | None = None) -> str:
    """The address Telegram opens: initData (and the theme) in the hash."""
    url = f"{base_url}/#tgWebAppData={quote(init_data)}"
    return url + (f"&tgWebAppThemeParams={quote(json.dumps(theme))}" if theme else "")
