"""Search Ad keyword clicks become search-keyword visits (storage.connectors.searchad.keywords):
one visit per click at the local day's start, no landing product, no order; a restated
day replaces its count and leaves other visits alone; the rollups stay equal to the
raw rows regrouped; the visit-intent report reads them. Synced through the engine
(`Page.keyword_days`, storage.connectors.keyword_visits)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from analytics.common import Store, Window
from analytics.queries.keywords import keyword_rows
from storage.connectors import sync
from storage.connectors.searchad import KeywordDay, SearchAdSource, write_keyword_days
from storage.models import KeywordVisitsDaily, Visit
from storage.writes import add_visit
from tests.emulators._http import serve
from tests.emulators.searchad import SearchAd
from tests.factories import SEOUL, local, make_seller
from tests.test_rollups import expected_rollups, rollup_rows
from tests.test_searchad import NOW, Clock, Shop, client_of, source_of

D = dt.date


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def api(clock: Clock) -> Iterator[SearchAd]:
    emulator = SearchAd(clock=clock)
    with serve(emulator):
        yield emulator


def run(
    sessions: sessionmaker[Session],
    seller_id: int,
    api: SearchAd,
    shop: Shop,
    clock: Clock,
    now: dt.datetime,
) -> tuple[int, int]:
    """One sync through the engine: (pages, keyword-days whose clicks changed)."""
    report = sync(sessions, seller_id, source_of(api, shop.account, clock), now=now)
    assert report.ok, report.error
    return report.pages, report.keyword_days


def visits(sessions: sessionmaker[Session], seller_id: int) -> list[tuple[Any, ...]]:
    """(local start, keyword, landing product, order) of every visit, sorted."""
    with sessions() as session:
        rows = session.execute(
            select(
                Visit.started_at, Visit.search_keyword, Visit.landing_product_id, Visit.order_id
            ).where(Visit.seller_id == seller_id)
        )
        return sorted(
            (at.astimezone(SEOUL).replace(tzinfo=None), keyword, product, order)
            for at, keyword, product, order in rows
        )


def keyword_rollup(sessions: sessionmaker[Session], seller_id: int) -> list[tuple[Any, ...]]:
    with sessions() as session:
        assert rollup_rows(session, seller_id) == expected_rollups(session, seller_id, SEOUL)
        rows = session.execute(
            select(
                KeywordVisitsDaily.date,
                KeywordVisitsDaily.keyword,
                KeywordVisitsDaily.visits,
                KeywordVisitsDaily.conversions,
            ).where(KeywordVisitsDaily.seller_id == seller_id)
        )
        return sorted(tuple(row) for row in rows)


def test_keyword_clicks_become_visits_and_a_restated_day_replaces_them(
    sessions: sessionmaker[Session], api: SearchAd, clock: Clock
) -> None:
    shop = Shop(api)
    with sessions.begin() as session:
        seller = make_seller(session, "tumbler").id
        # a visit from elsewhere with the same keyword, in the afternoon: never touched
        add_visit(
            session,
            seller_id=seller,
            started_at=local(2026, 11, 19, 15),
            search_keyword="보온 텀블러",
        )

    # 13 pages; Nov 19 has two keywords with clicks
    assert run(sessions, seller, api, shop, clock, NOW) == (13, 2)

    # Nov 19: 보온 텀블러 3 clicks in one ad group + 2 in the other = 5 visits,
    # 스텐 텀블러 4; Aug 22's 9 clicks are before the window
    midnight = dt.datetime(2026, 11, 19, 0, 0)
    assert visits(sessions, seller) == sorted(
        [(midnight, "보온 텀블러", None, None)] * 5
        + [(midnight, "스텐 텀블러", None, None)] * 4
        + [(dt.datetime(2026, 11, 19, 15, 0), "보온 텀블러", None, None)]
    )
    assert keyword_rollup(sessions, seller) == [
        (D(2026, 11, 19), "보온 텀블러", 6, 0),
        (D(2026, 11, 19), "스텐 텀블러", 4, 0),
    ]

    # Naver restates Nov 19: 보온 텀블러 3 -> 1 click in the first group, 스텐 텀블러 4 -> 0
    api.set_stats(shop.account, shop.warm, D(2026, 11, 19), impCnt=700, clkCnt=1, salesAmt=600)
    api.set_stats(shop.account, shop.steel, D(2026, 11, 19), impCnt=200)
    # one page (Nov 17 .. Nov 21); both keywords of Nov 19 changed
    assert run(sessions, seller, api, shop, clock, NOW + dt.timedelta(days=1)) == (1, 2)

    assert visits(sessions, seller) == sorted(
        [(midnight, "보온 텀블러", None, None)] * 3
        + [(dt.datetime(2026, 11, 19, 15, 0), "보온 텀블러", None, None)]
    )
    assert keyword_rollup(sessions, seller) == [(D(2026, 11, 19), "보온 텀블러", 4, 0)]

    # a source told not to read keywords (Nov 18 .. Nov 22) leaves the visits alone
    quiet = SearchAdSource(client_of(api, shop.account, clock), read_keywords=False)
    report = sync(sessions, seller, quiet, now=NOW + dt.timedelta(days=2))
    assert (report.ok, report.keyword_days) == (True, 0)
    assert keyword_rollup(sessions, seller) == [(D(2026, 11, 19), "보온 텀블러", 4, 0)]

    # the visit-intent report's read: Nov 19 as a complete day from the rollup
    with sessions() as session:
        store = Store(id=seller, timezone=SEOUL)
        window = Window(start=D(2026, 11, 19), end=D(2026, 11, 19), now=local(2026, 11, 21, 15))
        rows = keyword_rows(session, store, window)
    assert sorted((row.keyword, row.visits, row.conversions) for row in rows) == [
        ("보온 텀블러", 4, 0)
    ]


def test_writing_the_same_keyword_days_twice_changes_nothing(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        seller = make_seller(session, "tumbler").id
        days = [
            KeywordDay(D(2026, 11, 19), "보온 텀블러", 2),
            KeywordDay(D(2026, 11, 19), " 보온 텀블러 ", 1),
        ]
        assert write_keyword_days(session, seller, days) == 1
        assert write_keyword_days(session, seller, days) == 0
        # a day listed in `dates` without the keyword: it had no clicks
        assert write_keyword_days(session, seller, [], dates=[D(2026, 11, 19)]) == 1
        assert session.scalar(select(Visit.id).where(Visit.seller_id == seller)) is None
