"""Seller records: create, find, list."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Seller


class SellerError(ValueError):
    """A seller could not be created or found; the message is safe to show."""


class NoSellersError(SellerError):
    """A seller was asked for in a database that holds none (not seeded or imported)."""


def add_seller(
    session: Session,
    *,
    slug: str,
    name: str | None = None,
    timezone: str = "Asia/Seoul",
    currency: str = "KRW",
) -> Seller:
    slug = slug.strip().lower()
    if not slug or not slug.replace("-", "").replace("_", "").isalnum():
        raise SellerError(f"invalid slug {slug!r}: use letters, digits, '-' and '_'")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SellerError(f"unknown timezone {timezone!r}") from exc
    if len(currency) != 3 or not currency.isalpha():
        raise SellerError(f"invalid currency {currency!r}: use a 3-letter ISO code")
    if session.scalar(select(Seller).where(Seller.slug == slug)) is not None:
        raise SellerError(f"seller {slug!r} already exists")
    seller = Seller(slug=slug, name=name or slug, timezone=timezone, currency=currency.upper())
    session.add(seller)
    session.flush()
    return seller


def get_seller(session: Session, slug: str) -> Seller:
    seller = session.scalar(select(Seller).where(Seller.slug == slug.strip().lower()))
    if seller is None:
        if session.scalar(select(Seller.id).limit(1)) is None:
            raise NoSellersError(f"no sellers in this database yet (asked for {slug!r})")
        raise SellerError(f"no seller with slug {slug!r}")
    return seller


def list_sellers(session: Session) -> list[Seller]:
    return list(session.scalars(select(Seller).order_by(Seller.id)))
