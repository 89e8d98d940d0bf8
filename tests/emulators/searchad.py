"""A local Naver Search Ad API: signed calls, campaigns, ad groups, keywords and /stats.

    api = SearchAd()
    account = api.add_customer()                     # customer id, license, secret key
    campaign = api.add_campaign(account, "텀블러 검색광고")
    group = api.add_adgroup(account, campaign)
    keyword = api.add_keyword(account, group, "보온 텀블러")
    api.set_stats(account, campaign, day, impCnt=1200, clkCnt=30, salesAmt=15400, ccnt=2, convAmt=51800)
    with serve(api):
        ...  # api.url

It follows the documented shapes (naver.github.io/searchad-apidoc):

- Every call is signed: `X-Timestamp` (ms), `X-API-KEY`, `X-Customer`, `X-Signature`
  = Base64(HMAC-SHA256(secret, "{timestamp}.{METHOD}.{path}")) over the path WITHOUT
  its query string. An unknown license answers 403 `invalid-apikey`, a customer id
  that is not the license's 403 `auth-failed`, a wrong signature 403
  `invalid-signature` (bodies as the real API's: status, type
  `urn:naver:api:problem:...`, title, detail). A timestamp more than
  `timestamp_tolerance` seconds from the emulator's clock answers 403
  `invalid-timestamp` (the real tolerance is not documented; this name is the
  emulator's own).
- `GET /ncc/campaigns`; `GET /ncc/adgroups?nccCampaignId=`; `GET /ncc/keywords?nccAdgroupId=`.
- `GET /stats` with `fields` (a JSON array), `timeRange` (JSON `{"since","until"}`)
  and either `id` with `timeIncrement=1` (the default for `id`): one row a day of
  the range (`dateStart`, `dateEnd`, the fields; 0 where nothing happened), or
  `ids` (comma-separated, at most 200) / `id` with `timeIncrement=allDays`: one sum
  per id. `ids` with `timeIncrement=1` is refused (400, code 11001), as Naver does.

On demand: `throttle(customer_id, times)` answers that customer's next calls 429;
`rate_limit` calls per `window` seconds per customer id (counted on the real
monotonic clock) answers 429 above it. `refused` counts the 429s; `arrivals` keeps
every call's arrival per customer (`peak_rate()` is the most calls of one customer
in any window). Restating a day is `set_stats` again with the new figures.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.emulators._http import Emulator, Request, Response

FIELDS = (
    "impCnt",
    "clkCnt",
    "salesAmt",
    "ctr",
    "cpc",
    "avgRnk",
    "ccnt",
    "crto",
    "convAmt",
    "ror",
    "cpConv",
    "viewCnt",
)
COUNTED = ("impCnt", "clkCnt", "salesAmt", "ccnt", "convAmt", "viewCnt")
MAX_IDS = 200


@dataclass
class Account:
    customer_id: str
    api_key: str
    secret_key: str
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    adgroups: list[dict[str, Any]] = field(default_factory=list)
    keywords: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[tuple[str, dt.date], dict[str, int]] = field(default_factory=dict)

    @property
    def credentials(self) -> dict[str, str]:
        return {
            "customer_id": self.customer_id,
            "api_key": self.api_key,
            "secret_key": self.secret_key,
        }


def _problem(status: int, kind: str, title: str, detail: str) -> Response:
    return Response(
        status,
        {
            "status": status,
            "type": f"urn:naver:api:problem:{kind}",
            "title": title,
            "detail": detail,
        },
    )


def _bad_request(message: str, code: int = 11001) -> Response:
    return Response(400, {"code": code, "message": message})


class SearchAd(Emulator):
    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        rate_limit: int | None = None,
        window: float = 1.0,
        timestamp_tolerance: float = 300.0,
    ) -> None:
        super().__init__()
        self.clock = clock
        self.rate_limit, self.window = rate_limit, window
        self.timestamp_tolerance = timestamp_tolerance
        self.accounts: dict[str, Account] = {}  # by customer id
        self._by_key: dict[str, Account] = {}
        self._ids = itertools.count(1)
        self._throttled: dict[str, int] = defaultdict(int)
        self._recent: dict[str, deque[float]] = defaultdict(deque)
        self.arrivals: dict[str, list[float]] = defaultdict(list)
        self.refused = 0

    # -- set-up and controls -------------------------------------------------------

    def add_customer(self, customer_id: str | None = None) -> Account:
        number = next(self._ids)
        account = Account(
            customer_id=customer_id or str(1_000_000 + number),
            api_key="0100000000" + uuid.uuid4().hex + uuid.uuid4().hex,
            secret_key=base64.b64encode(uuid.uuid4().bytes + uuid.uuid4().bytes).decode(),
        )
        self.accounts[account.customer_id] = account
        self._by_key[account.api_key] = account
        return account

    def _id(self, prefix: str) -> str:
        return f"{prefix}-a001-01-{next(self._ids):015d}"

    def add_campaign(self, account: Account, name: str, kind: str = "WEB_SITE") -> str:
        campaign_id = self._id("cmp")
        account.campaigns.append(
            {
                "nccCampaignId": campaign_id,
                "customerId": int(account.customer_id),
                "name": name,
                "campaignTp": kind,
                "status": "ELIGIBLE",
                "delFlag": False,
            }
        )
        return campaign_id

    def add_adgroup(self, account: Account, campaign_id: str, name: str = "그룹") -> str:
        group_id = self._id("grp")
        account.adgroups.append(
            {"nccAdgroupId": group_id, "nccCampaignId": campaign_id, "name": name}
        )
        return group_id

    def add_keyword(self, account: Account, group_id: str, keyword: str) -> str:
        keyword_id = self._id("nkw")
        campaign = next(
            g["nccCampaignId"] for g in account.adgroups if g["nccAdgroupId"] == group_id
        )
        account.keywords.append(
            {
                "nccKeywordId": keyword_id,
                "nccAdgroupId": group_id,
                "nccCampaignId": campaign,
                "keyword": keyword,
            }
        )
        return keyword_id

    def set_stats(self, account: Account, entity_id: str, day: dt.date, **figures: int) -> None:
        """The entity's figures of one day (again: the platform restates the day)."""
        unknown = set(figures) - set(COUNTED)
        if unknown:
            raise ValueError(f"not a counted field: {sorted(unknown)}")
        account.stats[(entity_id, day)] = dict(figures)

    def throttle(self, customer_id: str, times: int = 1) -> None:
        """Answer the customer's next `times` calls 429."""
        self._throttled[customer_id] += times

    def peak_rate(self, customer_id: str | None = None) -> int:
        """The most calls of one customer (or of `customer_id`) in any `window`."""
        peak = 0
        chosen = [customer_id] if customer_id else list(self.arrivals)
        for key in chosen:
            times = sorted(self.arrivals.get(key, []))
            start = 0
            for end, at in enumerate(times):
                while at - times[start] >= self.window:
                    start += 1
                peak = max(peak, end - start + 1)
        return peak

    # -- requests ------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        refused = self._authenticate(request)
        if refused is not None:
            return refused
        account = self.accounts[request.headers["x-customer"]]
        limited = self._limit(account.customer_id)
        if limited is not None:
            return limited
        if request.method != "GET":
            return _bad_request("only GET is emulated", 1002)
        if request.path == "/ncc/campaigns":
            return Response(200, account.campaigns)
        if request.path == "/ncc/adgroups":
            campaign = request.arg("nccCampaignId")
            if not campaign:
                return _bad_request("nccCampaignId is required")
            return Response(200, [g for g in account.adgroups if g["nccCampaignId"] == campaign])
        if request.path == "/ncc/keywords":
            group = request.arg("nccAdgroupId")
            if not group:
                return _bad_request("nccAdgroupId is required")
            return Response(200, [k for k in account.keywords if k["nccAdgroupId"] == group])
        if request.path == "/stats":
            return self._stats(account, request)
        return Response(404, {"code": 1001, "message": "Cannot find the requested resource."})

    def _authenticate(self, request: Request) -> Response | None:
        headers = request.headers
        account = self._by_key.get(headers.get("x-api-key", ""))
        if account is None:
            key = headers.get("x-api-key", "")
            return _problem(
                403, "invalid-apikey", "Invalid API-KEY", f"API-KEY '{key}' is invalid."
            )
        customer = headers.get("x-customer", "")
        if customer != account.customer_id:
            return _problem(
                403,
                "auth-failed",
                "Auth Failed",
                f"Auth failed with api-key: {account.api_key}, customer-id: {customer}",
            )
        stamp = headers.get("x-timestamp", "")
        if not stamp.isdigit() or abs(int(stamp) / 1000 - self.clock()) > self.timestamp_tolerance:
            return _problem(
                403, "invalid-timestamp", "Invalid Timestamp", f"Timestamp '{stamp}' is invalid."
            )
        message = f"{stamp}.{request.method}.{request.path}"
        digest = hmac.new(account.secret_key.encode(), message.encode(), hashlib.sha256).digest()
        given = headers.get("x-signature", "")
        if not hmac.compare_digest(base64.b64encode(digest).decode(), given):
            return _problem(
                403, "invalid-signature", "Invalid Signature", f"Signature '{given}' is invalid."
            )
        return None

    def _limit(self, customer_id: str) -> Response | None:
        now = time.monotonic()
        self.arrivals[customer_id].append(now)
        recent = self._recent[customer_id]
        while recent and now - recent[0] >= self.window:
            recent.popleft()
        recent.append(now)
        too_many = self.rate_limit is not None and len(recent) > self.rate_limit
        if self._throttled[customer_id] > 0 or too_many:
            if self._throttled[customer_id] > 0:
                self._throttled[customer_id] -= 1
            self.refused += 1
            return Response(
                429,
                {
                    "code": 429,
                    "title": "Cannot handle the request. Too many requests already exist.",
                },
            )
        return None

    def _stats(self, account: Account, request: Request) -> Response:
        try:
            fields = json.loads(request.arg("fields") or "")
            window = json.loads(request.arg("timeRange") or "")
            since = dt.date.fromisoformat(window["since"])
            until = dt.date.fromisoformat(window["until"])
        except (ValueError, KeyError, TypeError):
            return _bad_request("잘못된 파라미터 형식입니다.")
        if not isinstance(fields, list) or not fields or set(fields) - set(FIELDS):
            return _bad_request("잘못된 파라미터 형식입니다.")
        if until < since:
            return _bad_request("잘못된 파라미터 형식입니다.")
        single, several = request.arg("id"), request.arg("ids")
        increment = request.arg("timeIncrement")
        days = [since + dt.timedelta(days=n) for n in range((until - since).days + 1)]
        if single and (increment or "1") == "1":
            rows = [
                {"dateStart": day.isoformat(), "dateEnd": day.isoformat()}
                | self._figures(account, single, [day], fields)
                for day in days
            ]
            summary = {"dateStart": since.isoformat(), "dateEnd": until.isoformat()}
            return Response(200, {"data": rows, "summary": summary})
        ids = [single] if single else (several or "").split(",")
        ids = [entity for entity in ids if entity]
        if not ids or (several and increment == "1"):
            return _bad_request("잘못된 파라미터 형식입니다.")
        if len(ids) > MAX_IDS:
            return _bad_request("최대 허용개수를 초과하여 처리할 수 없습니다.", 1014)
        rows = [{"id": entity} | self._figures(account, entity, days, fields) for entity in ids]
        return Response(200, {"data": rows})

    @staticmethod
    def _figures(
        account: Account, entity: str, days: list[dt.date], fields: list[str]
    ) -> dict[str, float]:
        totals = {name: 0 for name in COUNTED}
        for day in days:
            for name, value in account.stats.get((entity, day), {}).items():
                totals[name] += value
        derived = {
            "ctr": round(100 * totals["clkCnt"] / totals["impCnt"], 2) if totals["impCnt"] else 0,
            "cpc": round(totals["salesAmt"] / totals["clkCnt"]) if totals["clkCnt"] else 0,
            "crto": round(100 * totals["ccnt"] / totals["clkCnt"], 2) if totals["clkCnt"] else 0,
            "ror": round(100 * totals["convAmt"] / totals["salesAmt"], 2)
            if totals["salesAmt"]
            else 0,
            "cpConv": round(totals["salesAmt"] / totals["ccnt"]) if totals["ccnt"] else 0,
            "avgRnk": 0,
        }
        values: dict[str, float] = {**totals, **derived}
        return {name: values[name] for name in fields}
