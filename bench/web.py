"""The dashboard's time to first render of Today on a generated demo store: the
server's time for /today (the tools' runs and the HTML) and for the other pages, the
browser's (headless Debian chromium: from navigation with initData to Today's
figures on screen, through the sign-in), and the page weight. Prints the figures.

    .venv/bin/python bench/web.py [--days 365] [--orders-per-day 200] [--runs 10]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from storage.db import make_engine, session_factory, upgrade  # noqa: E402
from storage.demo import demo_spec, generate_store  # noqa: E402
from storage.models import ChatLink, Seller  # noqa: E402
from storage.settings import Settings  # noqa: E402
from tests.web_store import TOKEN, init_data  # noqa: E402
from tools.fit_cache import FitCache  # noqa: E402
from tools.prompts import PromptStore  # noqa: E402
from web.app import create_app  # noqa: E402
from web.config import WebConfig  # noqa: E402
from web.pages import PAGES  # noqa: E402
from web.serve import serve_in_thread  # noqa: E402

NOW = dt.datetime(2026, 11, 27, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=9)))
USER = 4242


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench_web_"))
    try:
        return run(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # the demo database: 100 MB at 365 days


def run(folder: Path) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--orders-per-day", type=float, default=200.0)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    engine = make_engine(f"sqlite:///{folder / 'demo.db'}")
    upgrade(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        report = generate_store(
            session,
            demo_spec(NOW, days=args.days, orders_per_day=args.orders_per_day),
            np.random.default_rng(42),
        )
        seller = session.query(Seller).filter_by(slug="demo").one()
        session.add(ChatLink(chat_id=USER, seller_id=seller.id, language="ko"))
        session.commit()
    print(f"demo store: {report.orders:,} orders over {args.days} days")
    settings = Settings()
    config = WebConfig(
        bot_token=TOKEN,
        sessions=sessions,
        settings=settings,
        prompts=PromptStore(settings.prompts_dir),
        clock=lambda: NOW.astimezone(dt.UTC),
        secure_cookie=False,
        fits=FitCache(),
        page_burst=10_000,
    )

    client = TestClient(create_app(config))
    client.post("/auth", json={"init_data": init_data(USER, auth_date=NOW)})
    html = 0
    for name in PAGES:  # Today first: the figure this bench is for
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            answer = client.get(f"/{name}")
            times.append(time.perf_counter() - started)
        assert answer.status_code == 200, name
        html = html or len(answer.content)
        print(
            f"server /{name}: first {times[0] * 1000:.0f} ms, "
            f"median {statistics.median(times) * 1000:.0f} ms over {args.runs} runs, "
            f"{len(answer.content) / 1024:.1f} KiB"
        )
    static = sum(len(client.get(f"/static/{n}").content) for n in ("app.js", "app.css"))
    print(
        f"page weight of Today: HTML {html / 1024:.1f} KiB + script and style {static / 1024:.1f} KiB"
    )

    chromium = shutil.which("chromium")
    if chromium is None:
        print("browser: skipped (no chromium on PATH)")
        return 0
    from playwright.sync_api import sync_playwright

    port = _free_port()
    server = serve_in_thread(config, "127.0.0.1", port)
    while not server.started:
        time.sleep(0.02)
    base = f"http://127.0.0.1:{port}"
    browser_times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for _ in range(max(3, args.runs // 2)):
            context = browser.new_context()
            page = context.new_page()
            started = time.perf_counter()
            page.goto(f"{base}/#tgWebAppData={quote(init_data(USER, auth_date=NOW))}")
            page.wait_for_url(f"{base}/today?s=*")
            page.locator('[data-figure="revenue"]').wait_for()
            browser_times.append(time.perf_counter() - started)
            context.close()
        browser.close()
    server.should_exit = True
    print(
        f"browser (sign-in to Today's figures): first {browser_times[0] * 1000:.0f} ms, "
        f"median {statistics.median(browser_times) * 1000:.0f} ms"
    )
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
