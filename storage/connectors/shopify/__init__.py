"""Shopify Admin GraphQL API: a shop's orders (with refunds and cancellations) and
product variants with their inventory.

    from storage.connectors.shopify import make_source
    source = make_source({"shop": "my-shop.myshopify.com", "access_token": ...}, settings)

`client` calls the API (the access token, the cost-based throttle, errors),
`source` backfills through a bulk operation and then reads the orders changed
since the cursor, `mapping` turns orders into the store's orders (the status table
is there) and `queries` holds the GraphQL documents. Importing the package
registers the "shopify" connector.

The API's address is `https://{shop}/admin/api/{API_VERSION}/graphql.json`;
`settings.shopify_url` when set, else `SHOPIFY_URL`, replaces
`https://{shop}` (tests point it at the emulator on 127.0.0.1).

The app: a custom app made in the shop's admin (Settings > Apps and sales channels
> Develop apps) with the Admin API access scopes `read_orders`, `read_products`,
`read_inventory` (`read_customers` for the orders' customers, `read_all_orders`
for orders older than 60 days); its Admin API access token (`shpat_...`) is the
`access_token` credential.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from storage.connectors.registry import register
from storage.connectors.shopify.client import ShopifyClient
from storage.connectors.shopify.queries import API_VERSION
from storage.connectors.shopify.source import BACKFILL_DAYS, ShopifySource
from storage.settings import Settings

URL_VARIABLE = "SHOPIFY_URL"
_DOMAIN = re.compile(r"[a-z0-9][a-z0-9-]*\.myshopify\.com")


def shop_domain(value: str) -> str:
    """`my-shop`, `my-shop.myshopify.com` or its admin URL -> `my-shop.myshopify.com`."""
    text = value.strip().lower()
    text = re.sub(r"^https?://", "", text).split("/", 1)[0]
    if text and "." not in text:
        text = f"{text}.myshopify.com"
    return text


def base_url(shop: str, settings: Settings | None) -> str:
    configured = getattr(settings, "shopify_url", None) if settings is not None else None
    return str(configured or os.environ.get(URL_VARIABLE) or f"https://{shop}")


def make_source(credentials: Mapping[str, str], settings: Settings) -> ShopifySource:
    """The connector's factory: the shop's domain and a custom app's Admin API access
    token."""
    missing = [name for name in ("shop", "access_token") if not credentials.get(name)]
    if missing:
        raise ValueError(f"Shopify credentials lack {', '.join(missing)}")
    shop = shop_domain(credentials["shop"])
    valid = bool(_DOMAIN.fullmatch(shop))
    if not valid:  # `check` and `pages` refuse it, quoting what was given
        shop = credentials["shop"].strip()
    return ShopifySource(
        shop,
        credentials["access_token"].strip(),
        base_url=base_url(shop, settings),
        valid_shop=valid,
    )


register("shopify", make_source)

__all__ = ["API_VERSION", "BACKFILL_DAYS", "ShopifyClient", "ShopifySource", "make_source"]
