"""Naver Search Ad: an incremental sync round of many customers, paced per customer id.

    .venv/bin/python bench/sync_searchad.py [--customers 1000] [--workers 50]
        [--limit 20] [--unpaced]

A local Search Ad API (tests/emulators/searchad.py) on the real clock refuses a
customer's calls above `--limit` a second (429, counted as they arrive; Naver
measures about 15-20 a second when the advertiser's own ad-center use shares the
limit, 25-30 from the API alone). Each customer has 3 campaigns (2 power-link
campaigns of 2 ad groups x 10 keywords, 1 shopping campaign) with figures on each
of the last 5 days. The round syncs every customer from the cursor of yesterday
(the restated-days window: 3 days before it through today, 5 days) on `--workers`
threads sharing one token bucket per customer id (storage.connectors.searchad.client,
10 a second) and one HTTP connection pool, reading every page as the engine would.

Printed: the round's seconds, the calls and calls a second over all customers, the
busiest second of any one customer (must stay under `--limit`) and the 429s.
`--unpaced` runs the same round without the bucket, to show what the pacing saves.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage.connectors.pacing import LocalPacer, Pacer  # noqa: E402
from storage.connectors.searchad.client import LIMIT, SearchAdClient  # noqa: E402
from storage.connectors.searchad.source import KST, SearchAdSource  # noqa: E402
from tests.emulators._http import serve  # noqa: E402
from tests.emulators.searchad import Account, SearchAd  # noqa: E402

DAYS = 5


def populate(api: SearchAd, customers: int, today: dt.date) -> list[Account]:
    made = []
    for number in range(customers):
        account = api.add_customer()
        campaigns = [api.add_campaign(account, f"검색 {number}-{c}") for c in range(2)]
        campaigns.append(api.add_campaign(account, f"쇼핑 {number}", "SHOPPING"))
        keywords = []
        for campaign in campaigns[:2]:
            for group_number in range(2):
                group = api.add_adgroup(account, campaign, f"그룹 {group_number}")
                keywords += [api.add_keyword(account, group, f"키워드 {k}") for k in range(10)]
        for offset in range(DAYS):
            day = today - dt.timedelta(days=offset)
            for c, campaign in enumerate(campaigns):
                api.set_stats(
                    account,
                    campaign,
                    day,
                    impCnt=1000 + c,
                    clkCnt=20 + offset,
                    salesAmt=9900,
                    ccnt=1,
                    convAmt=30000,
                )
            for keyword in keywords[::4]:
                api.set_stats(account, keyword, day, clkCnt=2)
        made.append(account)
    return made


def sync_round(
    api: SearchAd, accounts: list[Account], *, workers: int, pacer: Pacer | None, now: dt.datetime
) -> tuple[float, int, int, int]:
    """(seconds, pages, ad days, keyword days) of one round over every account."""
    cursor = {"through": (now.astimezone(KST).date() - dt.timedelta(days=1)).isoformat()}
    http = httpx.Client(timeout=60, limits=httpx.Limits(max_connections=workers))

    def one(account: Account) -> tuple[int, int, int]:
        client = SearchAdClient(
            account.customer_id,
            account.api_key,
            account.secret_key,
            base_url=api.url,
            http=http,
            pacer=pacer,
        )
        pages = list(SearchAdSource(client).pages(cursor, now=now))
        return (
            len(pages),
            sum(len(page.ad_days) for page in pages),
            sum(len(page.keyword_days) for page in pages),
        )

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(one, accounts))
    seconds = time.perf_counter() - started
    http.close()
    return (
        seconds,
        sum(r[0] for r in results),
        sum(r[1] for r in results),
        sum(r[2] for r in results),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--limit", type=int, default=20, help="the emulator's calls a second")
    parser.add_argument("--unpaced", action="store_true", help="no token bucket")
    args = parser.parse_args()

    now = dt.datetime.now(dt.UTC)
    api = SearchAd(rate_limit=args.limit, window=1.0)
    accounts = populate(api, args.customers, now.astimezone(KST).date())
    pacer = None if args.unpaced else LocalPacer()
    with serve(api):
        seconds, pages, ad_days, keyword_days = sync_round(
            api, accounts, workers=args.workers, pacer=pacer, now=now
        )
    calls = len(api.requests)
    pacing = "unpaced" if args.unpaced else f"paced at {LIMIT.rate:g}/s per customer"
    print(
        f"incremental round, {args.customers} customers, {args.workers} workers, {pacing}, "
        f"emulator limit {args.limit}/s per customer"
    )
    print(
        f"  round: {seconds:.1f} s; {pages} pages, {ad_days} campaign-days, {keyword_days} keyword-days"
    )
    print(
        f"  calls: {calls} ({calls / args.customers:.1f} per customer), "
        f"{calls / seconds:.0f} calls/s over all customers"
    )
    print(
        f"  busiest second of one customer: {api.peak_rate()} calls (limit {args.limit}); "
        f"429 answers: {api.refused}"
    )


if __name__ == "__main__":
    main()
