"""`advisor connect shopify` and `advisor sync` against the Shopify emulator: the
shop domain and token checked with one call and stored encrypted (never printed),
a wrong token stores nothing and says what to do, and the first sync backfills the
shop's orders and variants."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.cli import main
from bot.cli._common import open_database
from storage.connectors import secrets
from storage.models import Order, Product, SourceAccount
from storage.settings import get_settings
from tests.emulators._http import serve
from tests.emulators.shopify import ShopifyEmulator

KEY = Fernet.generate_key().decode()
TOKEN = "shpat_cli0123456789"


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ShopifyEmulator]:
    api = ShopifyEmulator(token=TOKEN, bulk_polls=0)  # completed at the first poll
    with serve(api):
        monkeypatch.setenv("SHOPIFY_URL", api.url)
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
        monkeypatch.setenv("ADVISOR_SECRET_KEY", KEY)
        get_settings.cache_clear()
        yield api
    get_settings.cache_clear()


def test_connect_and_sync_a_shop(shop: ShopifyEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    yesterday = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=1)
    shop.add_order("#1001", yesterday, [("MUG-1", "Mug", 2, 12_000)])
    shop.add_order("#1002", yesterday, [("MUG-1", "Mug", 1, 12_000)])
    shop.refund("#1002", {"MUG-1": 1}, yesterday + dt.timedelta(hours=1))
    shop.add_variant("MUG-1", "Mug", 12_000, 7)
    assert main(["seller", "add", "shop"]) == 0
    capsys.readouterr()

    assert main(["connect", "shopify", "--seller", "shop", "--shop", "demo",
                 "--access-token", "shpat_wrong"]) == 2  # fmt: skip
    out, err = capsys.readouterr()
    assert err.startswith(
        "advisor: Shopify Admin API: Shopify refused the Admin API access token for "
        "demo.myshopify.com (HTTP 401: "
    )
    assert err.endswith("run `advisor connect shopify` again (nothing was stored)\n")

    assert main(["connect", "shopify", "--seller", "shop", "--shop", "demo",
                 "--access-token", TOKEN]) == 0  # fmt: skip
    out, err = capsys.readouterr()
    assert out.startswith("connected Shopify Admin API for shop: credentials checked")
    assert TOKEN not in out + err
    _, sessions = open_database()
    with sessions() as session:
        (account,) = session.scalars(select(SourceAccount))
        assert account.credentials is not None and TOKEN not in account.credentials
        assert dict(secrets.decrypt(KEY, account.credentials)) == {
            "shop": "demo",
            "access_token": TOKEN,
        }

    assert main(["sync", "--seller", "shop"]) == 0
    out, err = capsys.readouterr()
    # pages: the variants, the bulk operation started, its two orders, the changes
    assert out == "shop shopify: 4 pages: 2 new orders, 0 updated, 1 products, 0 ad days\n"
    assert TOKEN not in out + err
    with sessions() as session:
        rows = session.execute(select(Order.external_id, Order.status, Order.revenue)).all()
        products = session.execute(select(Product.sku, Product.stock)).all()
    assert sorted(rows) == [
        ("#1001", "paid", 24_000),
        ("#1002:refund", "refunded", 12_000),  # #1002 itself had no paid unit left
    ]
    assert products == [("MUG-1", 7)]
