"""Small hand-built stores for tests: each call adds rows and returns them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from storage.models import AdCampaign, AdStatDaily, Customer, Inquiry, Order, Product, Seller, Visit
from storage.writes import Line, add_order, add_visit

SEOUL = ZoneInfo("Asia/Seoul")


def local(
    year: int, month: int, day: int, hour: int = 12, minute: int = 0, tz: ZoneInfo = SEOUL
) -> dt.datetime:
    """An aware datetime in the seller's timezone (converted to UTC when stored)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=tz)


def make_seller(session: Session, slug: str = "shop", **kwargs: object) -> Seller:
    seller = Seller(slug=slug, name=kwargs.pop("name", slug), **kwargs)  # type: ignore[arg-type]
    session.add(seller)
    session.flush()
    return seller


def make_product(
    session: Session,
    seller: Seller,
    name: str,
    price: int,
    *,
    sku: str | None = None,
    stock: int | None = 100,
    cost: int | None = None,
    category: str | None = None,
    name_en: str | None = None,
) -> Product:
    product = Product(
        seller_id=seller.id,
        sku=sku or f"SKU-{name}",
        name=name,
        price=price,
        stock=stock,
        cost=cost,
        category=category,
        name_en=name_en,
    )
    session.add(product)
    session.flush()
    return product


def make_customer(session: Session, seller: Seller, external_id: str) -> Customer:
    customer = Customer(seller_id=seller.id, external_id=external_id)
    session.add(customer)
    session.flush()
    return customer


_order_counter = 0


def make_order(
    session: Session,
    seller: Seller,
    at: dt.datetime,
    lines: Sequence[tuple[Product, int]] | Sequence[tuple[Product, int, int]],
    *,
    status: str = "paid",
    customer: Customer | None = None,
    external_id: str | None = None,
) -> Order:
    """lines: (product, quantity) at the product's price, or (product, quantity, unit_price)."""
    global _order_counter
    _order_counter += 1
    parsed = [
        Line(
            product_id=item[0].id,
            quantity=item[1],
            unit_price=item[2] if len(item) > 2 else item[0].price,
        )  # type: ignore[misc]
        for item in lines
    ]
    return add_order(
        session,
        seller_id=seller.id,
        external_id=external_id or f"T{_order_counter}",
        ordered_at=at,
        status=status,
        lines=parsed,
        customer_id=customer.id if customer else None,
    )


def make_campaign(
    session: Session, seller: Seller, name: str, *, product: Product | None = None
) -> AdCampaign:
    campaign = AdCampaign(
        seller_id=seller.id,
        external_id=name,
        name=name,
        channel="search",
        product_id=product.id if product else None,
    )
    session.add(campaign)
    session.flush()
    return campaign


def make_ad_day(
    session: Session,
    campaign: AdCampaign,
    day: dt.date,
    *,
    impressions: int,
    clicks: int,
    spend: int,
    conversions: int,
    conversion_revenue: int,
) -> AdStatDaily:
    stat = AdStatDaily(
        seller_id=campaign.seller_id,
        campaign_id=campaign.id,
        date=day,
        impressions=impressions,
        clicks=clicks,
        spend=spend,
        conversions=conversions,
        conversion_revenue=conversion_revenue,
    )
    session.add(stat)
    session.flush()
    return stat


def make_visit(
    session: Session,
    seller: Seller,
    at: dt.datetime,
    *,
    keyword: str | None = None,
    product: Product | None = None,
    order: Order | None = None,
) -> Visit:
    return add_visit(
        session,
        seller_id=seller.id,
        started_at=at,
        search_keyword=keyword,
        landing_product_id=product.id if product else None,
        order_id=order.id if order else None,
    )


def make_inquiry(
    session: Session,
    seller: Seller,
    question: str,
    answer: str | None,
    at: dt.datetime,
    product: Product | None = None,
) -> Inquiry:
    inquiry = Inquiry(
        seller_id=seller.id,
        question=question,
        answer=answer,
        asked_at=at,
        answered_at=at if answer else None,
        product_id=product.id if product else None,
    )
    session.add(inquiry)
    session.flush()
    return inquiry


def inquiry_demo(session: Session) -> int:
    """The demo generator's store with its catalogue and 60 inquiries (59 answered):
    two weeks of orders to 2026-11-27 06:00 UTC, no visits or ads. Its seller's id."""
    import numpy as np

    from storage.demo import StoreSpec, generate_store

    spec = StoreSpec(
        slug="demo",
        until=dt.datetime(2026, 11, 27, 6, tzinfo=dt.UTC),
        days=14,
        orders_per_day=5,
        with_visits=False,
        with_ads=False,
        inquiries=60,
    )
    return generate_store(session, spec, np.random.default_rng(1)).seller_id
