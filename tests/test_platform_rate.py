"""A platform's rate limit holds for all callers of one application together.

A seller's sync and the inquiry loop call Naver with the same application, at the
same time, in different worker processes. The Naver emulator refuses (429
GW.RATE_LIMIT) a 3rd call to one API of one application within a second, and logs
every call's arrival. Each "worker" reads the same application's product Q&A
(6 pages of 100) and customer inquiries (6 pages of 200) on two threads, each with
its own client built by the connector registry, so every API gets 12 calls, as fast
as the pacing lets them go:

- two OS processes on one fresh PostgreSQL database (the shared token buckets):
  no refusal, at most 2 calls of an API in any second;
- two workers in one process on SQLite (the in-process pacer): the same;
- another application's calls are not held up by the first one's buckets;
- a Search Ad refusal seen by one process empties the customer's bucket for all.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from storage.connectors.naver_commerce import URL_VARIABLE
from storage.connectors.naver_commerce.inquiries import NaverInquiries
from storage.connectors.pacing import LOCAL, DatabasePacer, pacer_for
from storage.connectors.registry import connector
from storage.connectors.searchad.client import LIMIT as SEARCHAD
from storage.db import make_engine
from storage.settings import Settings
from tests.conftest import pg_database
from tests.emulators._http import serve
from tests.emulators.naver_commerce import NaverCommerce

QNAS = "GET /v1/contents/qnas"
INQUIRIES = "GET /v1/pay-user/inquiries"
PAGES = 6  # of each kind: 600 Q&A at 100 a page, 1,200 inquiries at 200 a page
KINDS = ("qnas", "inquiries")


def store(api: NaverCommerce, now: dt.datetime) -> dict[str, str]:
    """An application whose Q&A and inquiries fill `PAGES` pages each."""
    client_id, secret = api.add_app(f"app-{uuid.uuid4().hex[:8]}")
    for number in range(PAGES * 100):
        at = now - dt.timedelta(hours=1, seconds=number)
        api.ask(client_id, f"q{number}", "재입고 언제?", at=at, product_id="1", product_name="a")
    for number in range(PAGES * 200):
        at = now - dt.timedelta(hours=1, seconds=number)
        api.inquire(client_id, f"i{number}", "배송", "언제 와요?", at=at)
    return {"client_id": client_id, "client_secret": secret}


def read(kind: str, credentials: dict[str, str], settings: Settings, now: dt.datetime) -> int:
    """Every question of one kind, through a client as a sync or the loop builds it."""
    source = connector("naver").build(credentials, settings)
    naver = NaverInquiries(source.client)  # type: ignore[attr-defined]
    start = now - dt.timedelta(days=1)
    return len(naver.qnas(start, now) if kind == "qnas" else naver.inquiries(start, now))


def worker(
    credentials: dict[str, str], database_url: str, now: dt.datetime, go: Any, found: Any
) -> None:
    """One worker process: both kinds at once, after every worker is ready."""
    settings = Settings(database_url=database_url)
    go.wait()
    with ThreadPoolExecutor(2) as pool:
        found.put(list(pool.map(lambda kind: read(kind, credentials, settings, now), KINDS)))


def span(api: NaverCommerce, client_id: str, name: str) -> float:
    calls = api.calls[(client_id, name)]
    return calls[-1] - calls[0]


@pytest.fixture
def database() -> Iterator[str]:
    yield from pg_database("advisor_rate")


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[NaverCommerce]:
    emulator = NaverCommerce(rate_limit=2)
    with serve(emulator):
        monkeypatch.setenv(URL_VARIABLE, emulator.url)  # inherited by the worker processes
        yield emulator


def test_two_worker_processes_on_postgresql_share_the_rate(
    api: NaverCommerce, database: str
) -> None:
    now = dt.datetime.now(dt.UTC)
    credentials = store(api, now)
    client_id = credentials["client_id"]
    context = multiprocessing.get_context("spawn")
    go, found = context.Barrier(2), context.Queue()
    workers = [
        context.Process(target=worker, args=(credentials, database, now, go, found))
        for _ in range(2)
    ]
    for process in workers:
        process.start()
    results = [found.get(timeout=60) for _ in workers]
    for process in workers:
        process.join(timeout=10)
        assert process.exitcode == 0

    # each worker read all 600 Q&A and 1,200 inquiries: 2 x 6 calls to each API
    assert results == [[600, 1200], [600, 1200]]
    assert api.refused == 0
    assert len(api.calls[(client_id, QNAS)]) == len(api.calls[(client_id, INQUIRIES)]) == 12
    assert api.busiest(client_id) == {QNAS: 2, INQUIRIES: 2}
    # one call every 0.55 s per API for both processes together: 11 intervals
    assert span(api, client_id, QNAS) > 5.5
    engine = make_engine(database)
    with engine.connect() as connection:
        names = connection.execute(text("SELECT name FROM advisor_rate_buckets ORDER BY name"))
        assert [name for (name,) in names] == [
            f"naver:{client_id}:inquiries",
            f"naver:{client_id}:qnas",
            f"naver:{client_id}:token",
        ]
    engine.dispose()


def test_two_workers_in_one_process_share_the_rate(api: NaverCommerce, tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}")
    assert pacer_for(settings) is LOCAL
    now = dt.datetime.now(dt.UTC)
    credentials = store(api, now)
    client_id = credentials["client_id"]
    with ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(lambda kind: read(kind, credentials, settings, now), KINDS + KINDS))

    assert counts == [600, 1200, 600, 1200]
    assert api.refused == 0
    assert len(api.calls[(client_id, QNAS)]) == len(api.calls[(client_id, INQUIRIES)]) == 12
    assert api.busiest(client_id) == {QNAS: 2, INQUIRIES: 2}
    # 2 calls in any 1.1 s per API: pairs at 0, 1.1, ..., 5.5 s
    assert span(api, client_id, QNAS) > 5.0


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_another_application_is_not_held_up(
    api: NaverCommerce, request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    """Application A reads its Q&A on two clients (12 calls) while B reads its own
    (6 calls): B's calls go at B's own pace. Held to A's bucket as well, B's 6 calls
    would be spread among A's 12 (about 18 x 0.55 s); on its own bucket they take 5
    intervals: 2.75 s on PostgreSQL (one call every 0.55 s), 2.2 s in-process (pairs
    1.1 s apart); either way under 6 intervals (3.3 s)."""
    if backend == "postgresql":
        database_url = request.getfixturevalue("database")
    else:
        database_url = f"sqlite:///{tmp_path / 'store.db'}"
    settings = Settings(database_url=database_url)
    now = dt.datetime.now(dt.UTC)
    first, second = store(api, now), store(api, now)
    readers = [first, first, second]
    try:
        with ThreadPoolExecutor(3) as pool:
            counts = list(pool.map(lambda app: read("qnas", app, settings, now), readers))
    finally:
        pacer = pacer_for(settings)
        if isinstance(pacer, DatabasePacer):
            pacer.close()

    assert counts == [600, 600, 600]
    assert api.refused == 0
    assert len(api.calls[(first["client_id"], QNAS)]) == 12
    assert len(api.calls[(second["client_id"], QNAS)]) == 6
    assert api.busiest(first["client_id"]) == api.busiest(second["client_id"]) == {QNAS: 2}
    assert span(api, second["client_id"], QNAS) < 3.3
    assert span(api, first["client_id"], QNAS) > 5.0


def test_a_refusal_seen_by_one_process_slows_every_process(database: str) -> None:
    """Search Ad: one call every 0.1 s per customer. After a 429 one process empties
    the customer's bucket; another process, whose last call was 0.2 s ago and would
    go at once, now waits the whole 0.1 s (less the milliseconds since)."""
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    one, other = DatabasePacer(database, sleep=sleep), DatabasePacer(database)
    try:
        one.wait("searchad:1234", SEARCHAD)
        time.sleep(0.2)
        one.wait("searchad:1234", SEARCHAD)
        assert slept == []
        time.sleep(0.2)
        other.empty("searchad:1234", SEARCHAD)
        one.wait("searchad:1234", SEARCHAD)
        assert len(slept) == 1 and 0.05 < slept[0] <= 0.1
    finally:
        one.close()
        other.close()
