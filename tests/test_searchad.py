"""The Naver Search Ad connector against the local Search Ad emulator
(tests/emulators/searchad.py), through `storage.connectors.sync`: the 90-day
backfill on connect, an incremental sync that re-reads the restated days, salesAmt
stored as the SPEND, a sync resumed after a crash, 429 back-off (on demand and by
actually counting calls), pacing per customer, and bad credentials with the message
an operator reads. Figures are worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.connectors import Page, SourceError, accounts, sync
from storage.connectors.pacing import LocalPacer
from storage.connectors.registry import connector
from storage.connectors.searchad import SearchAdSource, make_source, signature
from storage.connectors.searchad.client import (
    BAD_CLOCK,
    BAD_CREDENTIALS,
    RATE,
    SearchAdClient,
)
from storage.models import AdCampaign, AdStatDaily
from storage.settings import Settings
from tests.emulators._http import serve
from tests.emulators.searchad import Account, SearchAd
from tests.factories import make_seller

NOW = dt.datetime(2026, 11, 20, 5, 30, tzinfo=dt.UTC)  # Fri 14:30 in Seoul
DAY = dt.timedelta(days=1)
D = dt.date


class Clock:
    """The time of the emulator and the client alike; sleeping moves it on."""

    def __init__(self, at: dt.datetime) -> None:
        self.now = at.timestamp()
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def api(clock: Clock) -> Iterator[SearchAd]:
    emulator = SearchAd(clock=clock)
    with serve(emulator):
        yield emulator


class Shop:
    """One advertiser: a power-link campaign with two ad groups (the keyword 보온 텀블러
    in both) and a shopping campaign without keywords."""

    def __init__(self, api: SearchAd) -> None:
        self.account = account = api.add_customer()
        self.search = api.add_campaign(account, "텀블러 검색광고", "WEB_SITE")
        self.shopping = api.add_campaign(account, "선물세트 쇼핑광고", "SHOPPING")
        first, second = api.add_adgroup(account, self.search), api.add_adgroup(account, self.search)
        self.warm = api.add_keyword(account, first, "보온 텀블러")
        self.steel = api.add_keyword(account, first, "스텐 텀블러")
        self.warm_too = api.add_keyword(account, second, "보온 텀블러")
        stats = api.set_stats
        # the day before the 90-day window (Aug 23 .. Nov 20): never read
        stats(account, self.search, D(2026, 8, 22), impCnt=500, clkCnt=10, salesAmt=5000, ccnt=1)
        stats(account, self.steel, D(2026, 8, 22), clkCnt=9)
        # the window's first day, a day with clicks and no conversion
        stats(account, self.search, D(2026, 8, 23), impCnt=800, clkCnt=20, salesAmt=9900)
        # yesterday: 15,400 won spent (salesAmt), 51,800 won of conversions (convAmt)
        stats(
            account,
            self.search,
            D(2026, 11, 19),
            impCnt=1200,
            clkCnt=30,
            salesAmt=15400,
            ccnt=2,
            convAmt=51800,
        )
        stats(account, self.warm, D(2026, 11, 19), impCnt=700, clkCnt=3, salesAmt=1800)
        stats(account, self.warm_too, D(2026, 11, 19), impCnt=300, clkCnt=2, salesAmt=1100)
        stats(account, self.steel, D(2026, 11, 19), impCnt=200, clkCnt=4, salesAmt=2500)
        # today so far
        stats(
            account,
            self.shopping,
            D(2026, 11, 20),
            impCnt=3000,
            clkCnt=45,
            salesAmt=22050,
            ccnt=3,
            convAmt=89700,
        )


def client_of(
    api: SearchAd, account: Account, clock: Clock, *, pacer: LocalPacer | None = None, **kw: Any
) -> SearchAdClient:
    return SearchAdClient(
        account.customer_id,
        kw.pop("api_key", account.api_key),
        kw.pop("secret_key", account.secret_key),
        base_url=api.url,
        pacer=pacer,
        clock=kw.pop("at", clock),
        sleep=clock.sleep,
    )


def source_of(api: SearchAd, account: Account, clock: Clock, **kw: Any) -> SearchAdSource:
    return SearchAdSource(client_of(api, account, clock, **kw))


def new_seller(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as session:
        return make_seller(session, "tumbler").id


def ad_rows(sessions: sessionmaker[Session], seller_id: int) -> list[tuple[Any, ...]]:
    """(campaign id, name, channel, date, impressions, clicks, spend, conversions, revenue)."""
    with sessions() as session:
        rows = session.execute(
            select(
                AdCampaign.external_id,
                AdCampaign.name,
                AdCampaign.channel,
                AdStatDaily.date,
                AdStatDaily.impressions,
                AdStatDaily.clicks,
                AdStatDaily.spend,
                AdStatDaily.conversions,
                AdStatDaily.conversion_revenue,
            )
            .join(AdCampaign, AdCampaign.id == AdStatDaily.campaign_id)
            .where(AdStatDaily.seller_id == seller_id)
            .order_by(AdStatDaily.date, AdCampaign.external_id)
        )
        return [tuple(row) for row in rows]


def cursor_of(sessions: sessionmaker[Session], seller_id: int) -> Any:
    with sessions() as session:
        account = accounts.find(session, seller_id, "searchad")
        assert account is not None
        return account.cursor


def stats_calls(api: SearchAd) -> list[dict[str, str]]:
    return [
        {name: values[-1] for name, values in request.query.items()}
        for request in api.requests
        if request.path == "/stats"
    ]


def test_signature_is_hmac_sha256_of_timestamp_method_and_the_uri_without_its_query() -> None:
    # printf '1457082455307.GET./ncc/campaigns' | openssl dgst -sha256 -hmac secret -binary | base64
    expected = "ckSI724Q+iulH7vV9wgI+scb53/QgFrYNOOFoGtHX90="
    assert signature("secret", "1457082455307", "GET", "/ncc/campaigns") == expected
    assert signature("secret", "1457082455307", "get", "/ncc/campaigns?recordSize=10") == expected


def test_backfill_reads_90_days_and_stores_salesamt_as_the_spend(
    sessions: sessionmaker[Session], api: SearchAd, clock: Clock
) -> None:
    shop = Shop(api)
    seller = new_seller(sessions)

    report = sync(sessions, seller, source_of(api, shop.account, clock), now=NOW)

    # Aug 23 .. Nov 20 is 90 days: 12 pages of 7 days and one of 6
    assert (report.ok, report.backfill, report.pages, report.ad_days) == (True, True, 13, 3)
    assert ad_rows(sessions, seller) == [
        (shop.search, "텀블러 검색광고", "search", D(2026, 8, 23), 800, 20, 9900, 0, 0),
        (shop.search, "텀블러 검색광고", "search", D(2026, 11, 19), 1200, 30, 15400, 2, 51800),
        (
            shop.shopping,
            "선물세트 쇼핑광고",
            "shopping",
            D(2026, 11, 20),
            3000,
            45,
            22050,
            3,
            89700,
        ),
    ]
    assert cursor_of(sessions, seller) == {"through": "2026-11-20"}
    # 4 lists (campaigns, 1 campaign's ad groups, 2 groups' keywords), 13 pages x 2
    # campaigns of daily stats, 90 days x 1 call for the 3 keywords
    assert len(api.requests) == 4 + 26 + 90 == 120
    calls = stats_calls(api)
    assert calls[0] == {
        "id": shop.search,
        "fields": '["impCnt","clkCnt","salesAmt","ccnt","convAmt"]',
        "timeRange": '{"since":"2026-08-23","until":"2026-08-29"}',
        "timeIncrement": "1",
    }
    keyword_call = next(call for call in calls if "ids" in call)
    assert keyword_call["ids"] == f"{shop.warm},{shop.steel},{shop.warm_too}"
    assert keyword_call["timeIncrement"] == "allDays"
    assert keyword_call["timeRange"] == '{"since":"2026-08-23","until":"2026-08-23"}'


def test_incremental_sync_rereads_three_days_and_a_restated_day_replaces_the_stored_one(
    sessions: sessionmaker[Session], api: SearchAd, clock: Clock
) -> None:
    shop = Shop(api)
    seller = new_seller(sessions)
    sync(sessions, seller, source_of(api, shop.account, clock), now=NOW)
    # overnight Naver refunds 3 invalid clicks of Nov 19 (30 -> 27 clicks, 15,400 ->
    # 13,860 won), finishes Nov 20 and counts the first clicks of Nov 21
    account = shop.account
    api.set_stats(
        account,
        shop.search,
        D(2026, 11, 19),
        impCnt=1200,
        clkCnt=27,
        salesAmt=13860,
        ccnt=2,
        convAmt=51800,
    )
    api.set_stats(
        account,
        shop.shopping,
        D(2026, 11, 20),
        impCnt=3600,
        clkCnt=52,
        salesAmt=25480,
        ccnt=3,
        convAmt=89700,
    )
    api.set_stats(account, shop.search, D(2026, 11, 21), impCnt=400, clkCnt=8, salesAmt=4100)
    api.requests.clear()

    report = sync(sessions, seller, source_of(api, account, clock), now=NOW + DAY)

    # from 3 days before the cursor's Nov 20: Nov 17 .. Nov 21, one page
    assert (report.ok, report.backfill, report.pages, report.ad_days) == (True, False, 1, 3)
    assert ad_rows(sessions, seller) == [
        (shop.search, "텀블러 검색광고", "search", D(2026, 8, 23), 800, 20, 9900, 0, 0),
        (shop.search, "텀블러 검색광고", "search", D(2026, 11, 19), 1200, 27, 13860, 2, 51800),
        (
            shop.shopping,
            "선물세트 쇼핑광고",
            "shopping",
            D(2026, 11, 20),
            3600,
            52,
            25480,
            3,
            89700,
        ),
        (shop.search, "텀블러 검색광고", "search", D(2026, 11, 21), 400, 8, 4100, 0, 0),
    ]
    assert cursor_of(sessions, seller) == {"through": "2026-11-21"}
    assert {call["timeRange"] for call in stats_calls(api) if "id" in call} == {
        '{"since":"2026-11-17","until":"2026-11-21"}'
    }
    assert len(api.requests) == 4 + 2 + 5

    # nothing new: a third sync the same day writes nothing and doubles nothing
    again = sync(sessions, seller, source_of(api, account, clock), now=NOW + DAY)
    assert (again.ok, again.ad_days) == (True, 0)
    assert len(ad_rows(sessions, seller)) == 4


def test_a_sync_killed_mid_backfill_resumes_with_nothing_lost_or_doubled(
    sessions: sessionmaker[Session], api: SearchAd, clock: Clock
) -> None:
    shop = Shop(api)
    seller = new_seller(sessions)

    class Killed(Exception):
        pass

    class Dies:
        name = "searchad"

        def __init__(self, inner: SearchAdSource, after: int) -> None:
            self.inner, self.after = inner, after

        def check(self) -> None:
            self.inner.check()

        def pages(self, cursor: Any, *, now: dt.datetime) -> Iterator[Page]:
            for number, page in enumerate(self.inner.pages(cursor, now=now), 1):
                if number > self.after:
                    raise Killed
                yield page

    with pytest.raises(Killed):
        sync(sessions, seller, Dies(source_of(api, shop.account, clock), 2), now=NOW)
    # two pages written: Aug 23 .. Sep 5
    assert cursor_of(sessions, seller) == {"through": "2026-09-05"}
    assert ad_rows(sessions, seller) == [
        (shop.search, "텀블러 검색광고", "search", D(2026, 8, 23), 800, 20, 9900, 0, 0)
    ]

    resumed = sync(sessions, seller, source_of(api, shop.account, clock), now=NOW)

    # from Sep 2 (3 days before Sep 5) to Nov 20: 80 days, 12 pages
    assert (resumed.ok, resumed.backfill, resumed.pages, resumed.ad_days) == (True, False, 12, 2)
    assert [row[3] for row in ad_rows(sessions, seller)] == [
        D(2026, 8, 23),
        D(2026, 11, 19),
        D(2026, 11, 20),
    ]


def test_429_on_demand_backs_off_and_retries_then_gives_up_with_a_clear_message(
    sessions: sessionmaker[Session], api: SearchAd, clock: Clock
) -> None:
    shop = Shop(api)
    seller = new_seller(sessions)
    api.throttle(shop.account.customer_id, 2)

    report = sync(sessions, seller, source_of(api, shop.account, clock), now=NOW)

    assert (report.ok, report.ad_days) == (True, 3)
    assert clock.slept == [0.5, 1.0]  # waited 0.5 s, then 1 s, then the call went through
    assert api.refused == 2

    # seven refusals in a row: six retries (0.5 + 1 + 2 + 4 + 8 + 16 s), then it stops
    clock.slept.clear()
    api.throttle(shop.account.customer_id, 7)
    stopped = sync(sessions, seller, source_of(api, shop.account, clock), now=NOW + DAY)
    assert clock.slept == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0]
    assert (stopped.error_key, stopped.error) == (
        "unavailable",
        RATE.format(customer=shop.account.customer_id),
    )
    assert stopped.error == (
        "Naver Search Ad API kept refusing calls as too many per second for customer "
        f"{shop.account.customer_id}"
    )
    assert cursor_of(sessions, seller) == {"through": "2026-11-20"}  # kept for the next sync


def test_429_counted_by_the_emulator_is_waited_out() -> None:
    """Unpaced calls above 2 per 0.2 s are refused; the client waits and gets them all."""
    api = SearchAd(rate_limit=2, window=0.2)
    account = api.add_customer()
    days = {}
    for number in range(4):
        campaign = api.add_campaign(account, f"쇼핑 {number}", "SHOPPING")
        api.set_stats(account, campaign, D(2026, 11, 19), impCnt=100 + number, clkCnt=number)
        days[campaign] = 100 + number
    with serve(api):  # the real clock: timestamps now, the window counted as calls arrive
        client = SearchAdClient(
            account.customer_id,
            account.api_key,
            account.secret_key,
            base_url=api.url,
            pacer=None,
        )
        pages = list(SearchAdSource(client).pages({"through": "2026-11-20"}, now=NOW))
    # 1 list + 4 daily stats in a burst: at least the third call is refused, waited
    # out (0.5 s) and sent again; every refusal costs one more call
    assert api.refused >= 1
    assert client.throttled == api.refused
    assert len(api.requests) == 1 + 4 + api.refused
    assert {day.campaign_id: day.impressions for page in pages for day in page.ad_days} == days


def test_calls_are_paced_per_customer_id(api: SearchAd, clock: Clock) -> None:
    """10 calls a second, burst 1: the 6 calls of an incremental sync of 5 shopping
    campaigns wait 0.1 s before each call but the first."""
    account = api.add_customer()
    for number in range(5):
        api.add_campaign(account, f"쇼핑 {number}", "SHOPPING")
    pacer = LocalPacer(clock=clock, sleep=clock.sleep)
    source = source_of(api, account, clock, pacer=pacer)

    pages = list(source.pages({"through": "2026-11-20"}, now=NOW))

    assert len(pages) == 1 and len(api.requests) == 6
    assert clock.slept == [0.1] * 5
    # another client of the same customer shares the bucket: its first call waits too
    other = client_of(api, account, clock, pacer=pacer)
    other.get("/ncc/campaigns")
    assert clock.slept == [0.1] * 6


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"secret_key": "c2VjcmV0"}, "HTTP 403 invalid-signature: Invalid Signature"),
        ({"api_key": "0100000000deadbeef"}, "HTTP 403 invalid-apikey: Invalid API-KEY"),
    ],
)
def test_bad_credentials_say_what_to_copy_again(
    api: SearchAd, clock: Clock, change: dict[str, str], detail: str
) -> None:
    account = api.add_customer()
    with pytest.raises(SourceError) as raised:
        source_of(api, account, clock, **change).check()
    assert raised.value.key == "bad_credentials"
    assert str(raised.value) == BAD_CREDENTIALS.format(detail=detail)
    assert str(raised.value) == (
        f"Naver Search Ad API refused the credentials ({detail}): copy the customer ID, "
        "the access license and the secret key again from 검색광고 광고시스템 "
        "(manage.searchad.naver.com) > 도구 > API 사용 관리 and run `advisor connect "
        "searchad` again"
    )


def test_a_customer_id_not_of_the_license_and_a_wrong_clock_are_refused(
    sessions: sessionmaker[Session], api: SearchAd, clock: Clock
) -> None:
    account, other = api.add_customer(), api.add_customer()
    wrong_customer = SearchAdClient(
        other.customer_id,
        account.api_key,
        account.secret_key,
        base_url=api.url,
        pacer=None,
        clock=clock,
    )
    seller = new_seller(sessions)
    report = sync(sessions, seller, SearchAdSource(wrong_customer), now=NOW)
    assert report.error_key == "bad_credentials"
    assert report.error == BAD_CREDENTIALS.format(detail="HTTP 403 auth-failed: Auth Failed")
    with sessions() as session:
        stored = accounts.find(session, seller, "searchad")
        assert stored is not None
        assert (stored.last_error_key, stored.last_error_message, stored.cursor) == (
            "bad_credentials",
            report.error,
            None,
        )

    slow = Clock(NOW - dt.timedelta(minutes=10))
    with pytest.raises(SourceError) as raised:
        source_of(api, account, clock, at=slow).check()
    assert str(raised.value) == BAD_CLOCK.format(
        detail="HTTP 403 invalid-timestamp: Invalid Timestamp"
    )


def test_the_registry_builds_the_source_from_stored_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api = SearchAd()  # the real clock
    account = api.add_customer()
    entry = connector("searchad")
    assert [field.name for field in entry.fields] == ["customer_id", "api_key", "secret_key"]
    with serve(api):
        monkeypatch.setenv("NAVER_SEARCHAD_URL", api.url)
        built = entry.build(account.credentials, Settings())
        assert isinstance(built, SearchAdSource) and built.name == "searchad"
        built.check()
    assert [request.headers["x-customer"] for request in api.requests] == [account.customer_id]
    assert account.secret_key not in repr(built) and account.api_key not in repr(built)
    with pytest.raises(ValueError, match="Naver Search Ad credentials lack secret_key"):
        make_source({"customer_id": "1", "api_key": "k", "secret_key": " "}, Settings())


def test_ids_with_a_daily_increment_is_refused_as_naver_does(api: SearchAd, clock: Clock) -> None:
    account = api.add_customer()
    client = client_of(api, account, clock)
    with pytest.raises(SourceError) as raised:
        client.get(
            "/stats",
            {
                "ids": "cmp-1,cmp-2",
                "fields": json.dumps(["clkCnt"]),
                "timeRange": json.dumps({"since": "2026-11-19", "until": "2026-11-19"}),
                "timeIncrement": "1",
            },
        )
    assert raised.value.key == "unavailable"
    assert str(raised.value) == (
        "Naver Search Ad API is unavailable (/stats: HTTP 400 11001: 잘못된 파라미터 형식입니다.)"
    )


def test_the_emulator_peak_rate_counts_one_customers_calls_in_any_window() -> None:
    api = SearchAd(window=1.0)
    api.arrivals["1"] = [0.0, 0.5, 0.99, 1.0, 1.2, 3.0]
    api.arrivals["2"] = [0.0, 0.1, 0.2, 0.3]
    assert api.peak_rate("1") == 4  # 0.5, 0.99, 1.0, 1.2
    assert api.peak_rate() == 4
