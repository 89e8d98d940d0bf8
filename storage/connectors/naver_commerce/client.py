"""An HTTP client of the Naver Commerce API: tokens, pacing, limits and errors.

Every call carries `Authorization: Bearer <token>` (see `auth`). What the gateway
answers, and what the client does:

| answer | meaning | the client |
| --- | --- | --- |
| 401 `GW.AUTHN` | the token expired or was revoked | drops it, gets a new one, retries once |
| 429 `GW.RATE_LIMIT` | too many calls this second | waits (0.5 s, 1 s, 2 s, ...) and retries, `RATE_RETRIES` times |
| 429 `GW.QUOTA_LIMIT` | the period's quota is used up | `SourceError("quota", retry_at=end of the period)` |
| 403 `GW.IP_NOT_ALLOWED` | this server's IP is not registered | `SourceError("ip_not_allowed")` |
| 403 other | the application lacks the API group | `SourceError("not_permitted")` |
| 5xx, network error | the platform is down | retries twice, then `SourceError("unavailable")` |

There is no Retry-After header. The quota's period is read from the
`GNCP-GW-Quota-Period` header (SECONDS, MINUTES, HOURS, DAYS, MONTHS): the sync of
this seller pauses until that period ends in Korean time (a period of SECONDS is a
rate limit: wait and retry). The token request itself fails with 400/401 when the
application ID or secret is wrong: `SourceError("bad_credentials")`, or when this
server's clock is more than 5 minutes off: `SourceError("clock")`.

Calls are paced per application and API (`LIMIT`: 2 calls in any 1.1 s, what the
gateway grants a seller's own application per API, with a margin for calls that
travel at uneven speeds), so a backfill's many calls to one API stay under the limit
instead of being refused. The client does not pace alone: it waits on the `Pacer`
it is given (storage.connectors.pacing) under the key `naver:<client id>:<api>`,
which every client of that application shares: in this process (`LOCAL`, the
embedded SQLite setup), or with PostgreSQL in every process on the database (the
bot and all `advisor worker`s: a sync and the inquiry loop of one seller together
stay under the gateway's rate). `pacer=None` does not pace (tests, benchmarks).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from storage.connectors._http import new_client
from storage.connectors._retry import send_retrying
from storage.connectors._source import SourceError
from storage.connectors.naver_commerce.auth import (
    TOKEN_PATH,
    TOKENS,
    BadSecretError,
    Token,
    Tokens,
    token_form,
)
from storage.connectors.pacing import LOCAL, Limit, Pacer

DEFAULT_BASE_URL = "https://api.commerce.naver.com"
KST = ZoneInfo("Asia/Seoul")
LIMIT = Limit(calls=2, seconds=1.1)
RATE_RETRIES = 6
SERVER_RETRIES = 2
TIMEOUT_SECONDS = 30.0
QUOTA_PERIOD = "gncp-gw-quota-period"

API_CENTER = "커머스API센터 (apicenter.commerce.naver.com)"
BAD_CREDENTIALS = (
    "Naver Commerce API refused the application ID and secret ({detail}): copy both "
    f"again from {API_CENTER} > 애플리케이션 and run `advisor connect naver` again"
)
CLOCK = (
    "Naver Commerce API refused the token request's timestamp ({detail}): it is valid "
    "for 5 minutes, so this server's clock is off; set it right (NTP) and sync again"
)
BAD_SECRET = (
    "the application secret is not a Commerce API secret (it looks like $2a$04$ and "
    f"22 more characters): copy it again from {API_CENTER} > 애플리케이션"
)
IP_NOT_ALLOWED = (
    "Naver Commerce API refused this server's IP address (GW.IP_NOT_ALLOWED): register "
    f"this server's IP in the API center ({API_CENTER} > 애플리케이션 > API 호출 IP) and "
    "sync again"
)
NOT_PERMITTED = (
    "Naver Commerce API refused {path} ({code}): add the API group it belongs to "
    f"(주문, 상품) to the application in {API_CENTER}"
)
QUOTA = "Naver Commerce API quota used up for this {period} ({code}): sync pauses until {until}"
RATE = "Naver Commerce API kept refusing calls as too many per second ({code})"
UNAVAILABLE = "Naver Commerce API is unavailable ({detail})"


def quota_ends(period: str | None, now: dt.datetime) -> dt.datetime | None:
    """When a quota period that includes `now` ends (Korean time), UTC; None for a
    per-second quota (a rate limit). An unknown period counts as an hour."""
    local = now.astimezone(KST)
    name = (period or "HOURS").strip().upper().rstrip("S")
    if name == "SECOND":
        return None
    if name == "MINUTE":
        end = local.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    elif name == "DAY":
        end = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), KST)
    elif name == "MONTH":
        first = local.date().replace(day=1)
        end = dt.datetime.combine((first + dt.timedelta(days=32)).replace(day=1), dt.time(), KST)
    else:
        end = local.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    return end.astimezone(dt.UTC)


def _code(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("code") or "") if isinstance(body, dict) else ""


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict) and body.get("message"):
        return f"HTTP {response.status_code}: {body['message']}"
    return f"HTTP {response.status_code}"


class NaverClient:
    """One seller application's calls. Not thread-safe (one per sync or inquiry read);
    its pacing is shared with every other client of the application (`pacer`)."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        http: httpx.Client | None = None,
        pacer: Pacer | None = LOCAL,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        tokens: Tokens = TOKENS,
    ) -> None:
        self.client_id = client_id
        self._secret = client_secret
        self.base_url = base_url.rstrip("/")
        self._http = http or new_client(TIMEOUT_SECONDS)
        self._own_http = http is None
        self._clock, self._sleep = clock, sleep
        self._pacer = pacer
        self._tokens = tokens
        self._key = tokens.key(self.base_url, client_id, client_secret)
        self.requests = 0  # calls sent, token requests included

    def __repr__(self) -> str:  # never the secret
        return f"NaverClient({self.client_id!r}, base_url={self.base_url!r})"

    def close(self) -> None:
        if self._own_http:
            self._http.close()

    # -- tokens ---------------------------------------------------------------------

    def token(self) -> str:
        """A valid access token, from the cache or a new one."""
        now = self._clock()
        cached = self._tokens.get(self._key, now)
        if cached is not None:
            return cached.value
        try:
            form = token_form(self.client_id, self._secret, int(now * 1000))
        except BadSecretError as exc:
            raise SourceError("bad_credentials", BAD_SECRET) from exc
        response = self._send("POST", TOKEN_PATH, api="token", data=form)
        if response.status_code in (400, 401):
            detail = _detail(response)
            if "timestamp" in detail:
                raise SourceError("clock", CLOCK.format(detail=detail))
            raise SourceError("bad_credentials", BAD_CREDENTIALS.format(detail=detail))
        self._raise_for_gateway(response, TOKEN_PATH)
        body = response.json()
        token = Token(str(body["access_token"]), now + float(body.get("expires_in", 10800)))
        self._tokens.put(self._key, token)
        return token.value

    # -- calls ----------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, str] | None = None, *, api: str) -> Any:
        return self.call("GET", path, api=api, params=params)

    def post(self, path: str, body: Any, *, api: str) -> Any:
        return self.call("POST", path, api=api, json=body)

    def put(self, path: str, body: Any, *, api: str) -> Any:
        return self.call("PUT", path, api=api, json=body)

    def call(self, method: str, path: str, *, api: str, **kwargs: Any) -> Any:
        """The JSON answer of an authenticated call (see the module docstring)."""
        refreshed = False
        rate_tries = 0
        while True:
            token = self.token()
            response = self._send(
                method, path, api=api, headers={"Authorization": f"Bearer {token}"}, **kwargs
            )
            code = _code(response)
            if response.status_code == 401 and not refreshed:
                self._tokens.drop(self._key, token)
                refreshed = True
                continue
            if response.status_code == 401:
                raise SourceError(
                    "bad_credentials", BAD_CREDENTIALS.format(detail=f"{code or 'HTTP 401'}")
                )
            if response.status_code == 429 and self._rate_limited(response, code):
                rate_tries += 1
                if rate_tries > RATE_RETRIES:
                    raise SourceError("unavailable", RATE.format(code=code or "HTTP 429"))
                self._sleep(0.5 * 2 ** (rate_tries - 1))
                continue
            self._raise_for_gateway(response, path)
            return response.json() if response.content else {}  # an answer's PUT: no body

    def _rate_limited(self, response: httpx.Response, code: str) -> bool:
        """A 429 to wait out (per second), not a quota to pause for."""
        if code == "GW.QUOTA_LIMIT":
            return quota_ends(response.headers.get(QUOTA_PERIOD), self.now()) is None
        return True

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self._clock(), dt.UTC)

    def _raise_for_gateway(self, response: httpx.Response, path: str) -> None:
        status, code = response.status_code, _code(response)
        if status < 400:
            return
        if status == 403 and code == "GW.IP_NOT_ALLOWED":
            raise SourceError("ip_not_allowed", IP_NOT_ALLOWED)
        if status == 403:
            raise SourceError(
                "not_permitted", NOT_PERMITTED.format(path=path, code=code or "HTTP 403")
            )
        if status == 429:
            period = response.headers.get(QUOTA_PERIOD)
            until = quota_ends(period, self.now())
            assert until is not None  # a per-second quota was retried
            raise SourceError(
                "quota",
                QUOTA.format(
                    period=(period or "HOURS").lower().rstrip("s"),
                    code=code or "HTTP 429",
                    until=f"{until.astimezone(KST):%Y-%m-%d %H:%M} KST",
                ),
                retry_at=until,
            )
        raise SourceError("unavailable", UNAVAILABLE.format(detail=f"{path}: {_detail(response)}"))

    def _send(self, method: str, path: str, *, api: str, **kwargs: Any) -> httpx.Response:
        """One request, retried on a network error or a 5xx answer."""
        url = self.base_url + path

        def send() -> httpx.Response:
            if self._pacer is not None:
                self._pacer.wait(f"naver:{self.client_id}:{api}", LIMIT)
            self.requests += 1
            return self._http.request(method, url, **kwargs)

        return send_retrying(
            send,
            unavailable=lambda detail: UNAVAILABLE.format(detail=f"{path}: {detail}"),
            sleep=self._sleep,
            retries=SERVER_RETRIES,
        )
