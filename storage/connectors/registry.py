"""Which connectors exist: platform name -> how to build its `Source` from credentials.

A platform package registers itself when imported:

    from storage.connectors.registry import register

    register("naver", make_source)   # make_source(credentials, settings) -> Source

`credentials` is a mapping of the fields below (as `advisor connect` asked for them,
decrypted); `settings` the runtime settings (e.g. a base URL for tests). A package
with other fields passes `fields=(CredentialField(...), ...)`. `connector(name)`
imports the platform's package (`PACKAGES`) on first use, so nothing is imported
for a platform no seller uses.

Default credential fields:

    naver     client_id, client_secret        (Commerce API center: application id, secret)
    searchad  customer_id, api_key, secret_key (Search Ad: customer id, access license, secret)
    shopify   shop, access_token              (my-shop.myshopify.com, Admin API access token)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from storage.connectors._source import Source
from storage.connectors.accounts import AccountRef
from storage.connectors.secrets import decrypt
from storage.settings import Settings

Factory = Callable[[Mapping[str, str], Settings], Source]


@dataclass(frozen=True, slots=True)
class CredentialField:
    name: str
    label: str
    secret: bool = False
    """Asked without echo, never shown."""


@dataclass(frozen=True, slots=True)
class Connector:
    name: str
    label: str
    fields: tuple[CredentialField, ...]
    factory: Factory

    def build(self, credentials: Mapping[str, str], settings: Settings) -> Source:
        return self.factory(credentials, settings)


class UnknownConnectorError(LookupError):
    """No connector by that name, or its package is not installed."""


PACKAGES = {
    "naver": "storage.connectors.naver_commerce",
    "searchad": "storage.connectors.searchad",
    "shopify": "storage.connectors.shopify",
}
LABELS = {
    "naver": "Naver Commerce API (Smart Store)",
    "searchad": "Naver Search Ad",
    "shopify": "Shopify Admin API",
}
DEFAULT_FIELDS: dict[str, tuple[CredentialField, ...]] = {
    "naver": (
        CredentialField("client_id", "application ID (애플리케이션 ID)"),
        CredentialField("client_secret", "application secret (애플리케이션 시크릿)", secret=True),
    ),
    "searchad": (
        CredentialField("customer_id", "customer ID (CUSTOMER_ID)"),
        CredentialField("api_key", "access license (액세스라이선스)"),
        CredentialField("secret_key", "secret key (비밀키)", secret=True),
    ),
    "shopify": (
        CredentialField("shop", "shop domain (my-shop.myshopify.com)"),
        CredentialField("access_token", "Admin API access token", secret=True),
    ),
}

_connectors: dict[str, Connector] = {}


def register(
    name: str,
    factory: Factory,
    *,
    fields: tuple[CredentialField, ...] | None = None,
    label: str | None = None,
) -> Connector:
    """Make `name` connectable (registering again replaces the entry)."""
    chosen = fields if fields is not None else DEFAULT_FIELDS.get(name)
    if not chosen:
        raise ValueError(f"connector {name!r} needs its credential fields")
    entry = Connector(name, label or LABELS.get(name, name), chosen, factory)
    _connectors[name] = entry
    return entry


def unregister(name: str) -> None:
    """Forget a registration (tests that register their own source)."""
    _connectors.pop(name, None)


def names() -> tuple[str, ...]:
    """Every platform `advisor connect` knows, registered or not yet imported."""
    return tuple(dict.fromkeys([*PACKAGES, *_connectors]))


def connector(name: str) -> Connector:
    """The registered connector, importing its platform package first when needed."""
    if name not in _connectors and name in PACKAGES:
        try:
            importlib.import_module(PACKAGES[name])
        except ModuleNotFoundError as exc:
            if exc.name is None or not PACKAGES[name].startswith(exc.name):
                raise
            raise UnknownConnectorError(
                f"the {name} connector is not installed ({PACKAGES[name]})"
            ) from exc
    if name not in _connectors:
        known = ", ".join(names())
        raise UnknownConnectorError(f"no connector {name!r} (known: {known})")
    return _connectors[name]


def secret_key(settings: Settings) -> str | None:
    key = settings.advisor_secret_key
    return key.get_secret_value() if key is not None else None


def builder(settings: Settings) -> Callable[[AccountRef], Source]:
    """Build an account's source from its sealed credentials (for `sync_all`)."""

    def build(ref: AccountRef) -> Source:
        if ref.credentials is None:
            raise UnknownConnectorError(f"{ref.source} of {ref.seller_slug} has no credentials")
        credentials = decrypt(secret_key(settings), ref.credentials)
        return connector(ref.source).build(credentials, settings)

    return build
