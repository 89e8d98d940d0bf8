"""An HTTP client of the Shopify Admin GraphQL API: the token, the cost throttle, errors.

Every call is `POST {base}/admin/api/{version}/graphql.json` with the header
`X-Shopify-Access-Token` (a custom app's Admin API access token). Shopify limits
calls by their calculated cost: a bucket of `maximumAvailable` points refilled at
`restoreRate` points a second; a query runs only when the bucket holds its
requested cost. Every answer reports `extensions.cost` (`requestedQueryCost`,
`actualQueryCost`, `throttleStatus { maximumAvailable currentlyAvailable
restoreRate }`); the client keeps that state and, before a query, waits
`(cost - available) / restoreRate` seconds when the bucket (refilled for the time
since) would not hold the query's cost: the caller's reckoning of it, scaled by how
far Shopify's `requestedQueryCost` differed from that reckoning for the same query
last time (so a batch of 10 ids after one of 25 is not paced as 25). A query refused
anyway (`errors[].extensions.code == "THROTTLED"`, HTTP 200 or 429) is retried
after the same wait, `THROTTLE_RETRIES` times. This pacing needs no pacer shared with
other processes (storage.connectors.pacing): the reported state already counts what
every caller of the shop spent.

| answer | meaning | the client |
| --- | --- | --- |
| 401 | the token is wrong or the app was uninstalled | `SourceError("bad_credentials")` |
| 404 | no such shop | `SourceError("bad_credentials")` |
| 403, `ACCESS_DENIED` | the app lacks an access scope | `SourceError("not_permitted")` |
| 402, 423 | the shop is frozen (unpaid) or locked | `SourceError("unavailable")` |
| `THROTTLED`, 429 | the cost bucket is empty | waits as above and retries |
| 5xx, network error | the platform is down | retries twice, then `SourceError("unavailable")` |

An `ACCESS_DENIED` on an order's `customer` only (an app without `read_customers`)
is not fatal: the orders are written without their customers, and a warning is
logged once.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from storage.connectors._http import new_client
from storage.connectors._source import SourceError
from storage.connectors.shopify.queries import API_VERSION

log = logging.getLogger(__name__)

THROTTLE_RETRIES = 8
SERVER_RETRIES = 2
TIMEOUT_SECONDS = 30.0
SCOPES = (
    "read_orders, read_products, read_inventory (and read_all_orders for orders older than 60 days)"
)
APP_PLACE = (
    "Shopify admin > Settings > Apps and sales channels > Develop apps > the app > API credentials"
)
BAD_TOKEN = (
    "Shopify refused the Admin API access token for {shop} ({detail}): copy the token "
    f"again from {APP_PLACE} (it starts with shpat_) and run `advisor connect shopify` again"
)
NO_SHOP = (
    "Shopify has no shop at {shop} ({detail}): give the shop's myshopify.com domain "
    "(my-shop.myshopify.com, under Settings > Domains) to `advisor connect shopify`"
)
NOT_PERMITTED = (
    "Shopify refused {what} ({detail}): give the app the access scopes {scopes} in "
    f"{APP_PLACE.rsplit(' > ', 1)[0]} > Configuration, reinstall it and sync again"
)
FROZEN = (
    "Shopify shop {shop} is frozen or locked ({detail}): it answers again once the store "
    "is reopened"
)
THROTTLED = "Shopify kept throttling calls for {shop} ({detail})"
UNAVAILABLE = "Shopify is unavailable for {shop} ({detail})"
GRAPHQL = "Shopify refused the query for {shop}: {detail}"


@dataclass(slots=True)
class Bucket:
    """The shop's cost bucket as last reported, and when."""

    maximum: float = 1000.0
    available: float = 1000.0
    restore: float = 50.0
    at: float | None = None

    def now_available(self, now: float) -> float:
        if self.at is None:
            return self.available
        return min(self.maximum, self.available + self.restore * max(now - self.at, 0.0))

    def wait_for(self, cost: float, now: float) -> float:
        """Seconds until the bucket holds `cost` (capped at what it can hold)."""
        missing = min(cost, self.maximum) - self.now_available(now)
        return missing / self.restore if missing > 0 and self.restore > 0 else 0.0

    def update(self, status: Mapping[str, Any], now: float) -> None:
        self.maximum = float(status.get("maximumAvailable") or self.maximum)
        self.available = float(status.get("currentlyAvailable") or 0.0)
        self.restore = float(status.get("restoreRate") or self.restore)
        self.at = now


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, str):
        return f"HTTP {response.status_code}: {errors}"
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return f"HTTP {response.status_code}: {errors[0].get('message')}"
    return f"HTTP {response.status_code}"


def _code(error: Mapping[str, Any]) -> str:
    return str((error.get("extensions") or {}).get("code") or "")


class ShopifyClient:
    """One shop's calls. Not thread-safe (one per sync)."""

    def __init__(
        self,
        shop: str,
        access_token: str,
        *,
        base_url: str,
        api_version: str = API_VERSION,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.shop = shop
        self._token = access_token
        self.base_url = base_url.rstrip("/")
        self.endpoint = f"{self.base_url}/admin/api/{api_version}/graphql.json"
        self._http = http or new_client(TIMEOUT_SECONDS)
        self._own_http = http is None
        self._clock, self._sleep = clock, sleep
        self.bucket = Bucket()
        self._ratios: dict[str, float] = {}  # Shopify's requested cost / the caller's, per query
        self._customer_denied_logged = False
        self.requests = 0
        self.waited = 0.0  # seconds slept for the throttle

    def __repr__(self) -> str:  # never the token
        return f"ShopifyClient({self.shop!r}, endpoint={self.endpoint!r})"

    def close(self) -> None:
        if self._own_http:
            self._http.close()

    def pause(self, seconds: float) -> None:
        """Wait on the client's clock (bulk operation polls)."""
        self._sleep(seconds)

    def _wait(self, seconds: float) -> None:
        if seconds >= 0.001:
            self.waited += seconds
            self._sleep(seconds)

    def query(
        self,
        name: str,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        cost: float = 1.0,
    ) -> Any:
        """The `data` of a GraphQL call, paced and retried (see the module docstring);
        `cost` is the query's requested cost as the caller reckons it (see the module
        docstring)."""
        throttled = server = 0
        while True:
            expected = cost * self._ratios.get(name, 1.0)
            self._wait(self.bucket.wait_for(expected, self._clock()))
            response = self._post({"query": document, "variables": dict(variables or {})})
            if response is None or response.status_code >= 500:
                server += 1
                if server > SERVER_RETRIES:
                    detail = "no answer" if response is None else _detail(response)
                    raise SourceError(
                        "unavailable", UNAVAILABLE.format(shop=self.shop, detail=detail)
                    )
                self._wait(float(server))
                continue
            body = self._body(response)
            reported = body.get("extensions", {}).get("cost") if isinstance(body, dict) else None
            if isinstance(reported, Mapping):
                if reported.get("throttleStatus"):
                    self.bucket.update(reported["throttleStatus"], self._clock())
                if reported.get("requestedQueryCost") is not None:
                    self._ratios[name] = float(reported["requestedQueryCost"]) / max(cost, 1.0)
            errors = body.get("errors") if isinstance(body, dict) else None
            if response.status_code == 429 or (
                isinstance(errors, list) and any(_code(e) == "THROTTLED" for e in errors)
            ):
                throttled += 1
                if throttled > THROTTLE_RETRIES:
                    raise SourceError(
                        "unavailable", THROTTLED.format(shop=self.shop, detail="THROTTLED")
                    )
                wait = self.bucket.wait_for(cost * self._ratios.get(name, 1.0), self._clock())
                retry_after = response.headers.get("retry-after")
                if retry_after:
                    wait = max(wait, float(retry_after))
                self._wait(wait or 1.0)
                continue
            return self._data(body, response, name)

    def _post(self, payload: Mapping[str, Any]) -> httpx.Response | None:
        self.requests += 1
        try:
            return self._http.post(
                self.endpoint,
                json=payload,
                headers={"X-Shopify-Access-Token": self._token, "Accept": "application/json"},
            )
        except httpx.TransportError as exc:
            log.warning("Shopify %s: %s", self.shop, exc.__class__.__name__)
            return None

    def _body(self, response: httpx.Response) -> Any:
        status, detail = response.status_code, _detail(response)
        if status == 401:
            raise SourceError("bad_credentials", BAD_TOKEN.format(shop=self.shop, detail=detail))
        if status == 404:
            raise SourceError("bad_credentials", NO_SHOP.format(shop=self.shop, detail=detail))
        if status == 403:
            raise SourceError(
                "not_permitted",
                NOT_PERMITTED.format(what="the call", detail=detail, scopes=SCOPES),
            )
        if status in (402, 423):
            raise SourceError("unavailable", FROZEN.format(shop=self.shop, detail=detail))
        if status == 429:
            try:
                return response.json()
            except ValueError:
                return {}
        if status >= 400:
            raise SourceError("unavailable", UNAVAILABLE.format(shop=self.shop, detail=detail))
        try:
            return response.json()
        except ValueError as exc:
            raise SourceError(
                "unavailable", UNAVAILABLE.format(shop=self.shop, detail="not JSON")
            ) from exc

    def _data(self, body: Any, response: httpx.Response, name: str) -> Any:
        data = body.get("data") if isinstance(body, dict) else None
        errors = (
            [e for e in (body.get("errors") or []) if isinstance(e, dict)]
            if isinstance(body, dict)
            else []
        )
        if not errors:
            return data or {}
        denied = [e for e in errors if _code(e) == "ACCESS_DENIED"]
        if (
            denied
            and len(denied) == len(errors)
            and data is not None
            and all("customer" in (e.get("path") or []) for e in denied)
        ):
            if not self._customer_denied_logged:
                log.warning(
                    "Shopify %s: no read_customers scope, orders are written without customers",
                    self.shop,
                )
                self._customer_denied_logged = True
            return data
        message = "; ".join(str(e.get("message")) for e in errors[:3])
        if denied:
            raise SourceError(
                "not_permitted",
                NOT_PERMITTED.format(what=f"the {name} query", detail=message, scopes=SCOPES),
            )
        raise SourceError("unavailable", GRAPHQL.format(shop=self.shop, detail=message))

    def download(self, url: str) -> list[dict[str, Any]]:
        """The objects of a bulk operation's JSONL file (a signed URL: no token), read
        whole before any is handed out, so a broken transfer is read again from the
        start and nothing is doubled."""
        server = 0
        while True:
            try:
                response = self._http.get(url)
                if response.status_code < 400:
                    return [json.loads(line) for line in response.text.splitlines() if line.strip()]
                detail = f"HTTP {response.status_code}"
            except httpx.TransportError as exc:
                detail = exc.__class__.__name__
            server += 1
            if server > SERVER_RETRIES:
                raise SourceError(
                    "unavailable",
                    UNAVAILABLE.format(shop=self.shop, detail=f"bulk result download: {detail}"),
                )
            self._wait(float(server))
