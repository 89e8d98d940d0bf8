"""An HTTP client of the Naver Search Ad API: signatures, pacing per customer, errors.

Every call carries four headers (https://naver.github.io/searchad-apidoc/#/samples):

    X-Timestamp  milliseconds since the epoch
    X-API-KEY    the access license (액세스라이선스)
    X-Customer   the customer id (CUSTOMER_ID) the call acts for
    X-Signature  Base64(HMAC-SHA256(secret key, f"{timestamp}.{METHOD}.{uri}"))

where `uri` is the path WITHOUT its query string ("/stats", never "/stats?id=...").
A retried call is signed again with a fresh timestamp.

Speed limits are per customer id, measured below the second, and vary with the
platform's load (Naver's API staff: about 25-30 calls a second from the API alone,
15-20 when the advertiser's own ad-center use shares the limit); there is no daily
cap and no Retry-After. Calls are therefore paced per customer id (`LIMIT`: one call
every 0.1 s, 10 a second; bench/sync_searchad.py measured at most 11 arriving in one
second, jitter included) on the `Pacer` the client is given
(storage.connectors.pacing), key `searchad:<customer id>`: shared by every client of
that customer in this process (`LOCAL`), or with PostgreSQL by every process on the
database. A 429 empties the customer's pacing and waits 0.5 s, 1 s, 2 s, ... before
the call is tried again (`RATE_RETRIES` times).

| answer | meaning | the client |
| --- | --- | --- |
| 403 `invalid-apikey` | the access license is wrong | `SourceError("bad_credentials")` |
| 403 `invalid-signature` | the secret key does not match the license | `SourceError("bad_credentials")` |
| 403 `auth-failed`, 401 | the customer id is not this license's | `SourceError("bad_credentials")` |
| 403 other | no permission on that resource | `SourceError("not_permitted")` |
| 429 | too many calls for this customer now | back off and retry, then `SourceError("unavailable")` |
| 5xx, network error | the platform is down | retries twice, then `SourceError("unavailable")` |
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from storage.connectors._http import new_client
from storage.connectors._retry import send_retrying
from storage.connectors._source import SourceError
from storage.connectors.pacing import LOCAL, Limit, Pacer

DEFAULT_BASE_URL = "https://api.searchad.naver.com"
LIMIT = Limit(calls=1, seconds=0.1)
RATE_RETRIES = 6
SERVER_RETRIES = 2
TIMEOUT_SECONDS = 30.0

API_MANAGER = "검색광고 광고시스템 (manage.searchad.naver.com) > 도구 > API 사용 관리"
BAD_CREDENTIALS = (
    "Naver Search Ad API refused the credentials ({detail}): copy the customer ID, the "
    f"access license and the secret key again from {API_MANAGER} and run "
    "`advisor connect searchad` again"
)
BAD_CLOCK = (
    "Naver Search Ad API refused the request's timestamp ({detail}): this server's "
    "clock is off; set it right (NTP) and sync again"
)
NOT_PERMITTED = "Naver Search Ad API refused {path} ({detail}): this account may not read it"
RATE = "Naver Search Ad API kept refusing calls as too many per second for customer {customer}"
UNAVAILABLE = "Naver Search Ad API is unavailable ({detail})"


def signature(secret_key: str, timestamp: str, method: str, uri: str) -> str:
    """Base64(HMAC-SHA256(secret_key, "{timestamp}.{METHOD}.{uri}")), `uri` without a query."""
    message = f"{timestamp}.{method.upper()}.{uri.split('?', 1)[0]}"
    digest = hmac.new(secret_key.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _problem(response: httpx.Response) -> tuple[str, str]:
    """(type's last part, human detail) of an error answer."""
    try:
        body = response.json()
    except ValueError:
        return "", f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return "", f"HTTP {response.status_code}"
    kind = str(body.get("type") or "").rsplit(":", 1)[-1]
    title = body.get("title") or body.get("message") or ""
    detail = f"HTTP {response.status_code} {kind or body.get('code') or ''}".strip()
    return kind, f"{detail}: {title}" if title else detail


class SearchAdClient:
    """One customer's calls (one Search Ad account of one seller)."""

    def __init__(
        self,
        customer_id: str,
        api_key: str,
        secret_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        http: httpx.Client | None = None,
        pacer: Pacer | None = LOCAL,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.customer_id = customer_id
        self._key = f"searchad:{customer_id}"
        self._api_key = api_key
        self._secret = secret_key
        self.base_url = base_url.rstrip("/")
        self._http = http or new_client(TIMEOUT_SECONDS)
        self._own_http = http is None
        self._pacer = pacer
        self._clock, self._sleep = clock, sleep
        self.requests = 0  # calls sent, retries included
        self.throttled = 0  # 429 answers

    def __repr__(self) -> str:  # never the license or the secret
        return f"SearchAdClient({self.customer_id!r}, base_url={self.base_url!r})"

    def close(self) -> None:
        if self._own_http:
            self._http.close()

    def headers(self, method: str, uri: str) -> dict[str, str]:
        """The signed headers of one call, timestamped now."""
        timestamp = str(int(self._clock() * 1000))
        return {
            "X-Timestamp": timestamp,
            "X-API-KEY": self._api_key,
            "X-Customer": self.customer_id,
            "X-Signature": signature(self._secret, timestamp, method, uri),
        }

    def get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """The JSON answer of a signed GET (see the module docstring)."""
        rate_tries = 0
        while True:
            response = self._send("GET", path, params)
            if response.status_code == 429:
                self.throttled += 1
                rate_tries += 1
                if rate_tries > RATE_RETRIES:
                    raise SourceError("unavailable", RATE.format(customer=self.customer_id))
                if self._pacer is not None:
                    self._pacer.empty(self._key, LIMIT)
                self._sleep(0.5 * 2 ** (rate_tries - 1))
                continue
            self._raise_for_status(response, path)
            return response.json()

    def _raise_for_status(self, response: httpx.Response, path: str) -> None:
        status = response.status_code
        if status < 400:
            return
        kind, detail = _problem(response)
        if status in (401, 403) and "timestamp" in kind:
            raise SourceError("bad_credentials", BAD_CLOCK.format(detail=detail))
        if status == 401 or (
            status == 403 and kind in ("invalid-apikey", "invalid-signature", "auth-failed")
        ):
            raise SourceError("bad_credentials", BAD_CREDENTIALS.format(detail=detail))
        if status == 403:
            raise SourceError("not_permitted", NOT_PERMITTED.format(path=path, detail=detail))
        raise SourceError("unavailable", UNAVAILABLE.format(detail=f"{path}: {detail}"))

    def _send(self, method: str, path: str, params: Mapping[str, str] | None) -> httpx.Response:
        """One paced, signed request, retried on a network error or a 5xx answer."""
        url = self.base_url + path

        def send() -> httpx.Response:
            if self._pacer is not None:
                self._pacer.wait(self._key, LIMIT)
            self.requests += 1
            return self._http.request(
                method, url, params=params, headers=self.headers(method, path)
            )

        return send_retrying(
            send,
            unavailable=lambda detail: UNAVAILABLE.format(detail=f"{path}: {detail}"),
            sleep=self._sleep,
            retries=SERVER_RETRIES,
        )
