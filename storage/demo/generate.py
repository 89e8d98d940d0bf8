"""Generate one store from a StoreSpec and load it, inside the caller's transaction;
the daily rollups (storage.rollups) are refreshed for the new seller at the end."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from storage import customer_purchases
from storage.demo.ads import AdDays, Campaign, build_ad_days, build_campaigns
from storage.demo.bulk import foreign_key_checks_off, insert_columns, reserve_ids, sync_sequences
from storage.demo.customers import assign_customers, customer_names
from storage.demo.inquiries import build_inquiries
from storage.demo.orders import Catalog, Orders, build_catalog, build_orders, stock_levels
from storage.demo.spec import AdCollapse, KeywordGap, SalesDrop, StoreSpec
from storage.demo.timeline import (
    Hours,
    arrivals,
    day_factors,
    drop_per_hour,
    expected_per_hour,
    local_hours,
)
from storage.demo.traffic import Visits, build_visits
from storage.models import Base, Incident, Seller
from storage.rollups import refresh_rollups
from storage.sellers import add_seller

Array = np.ndarray[Any, Any]
BULK_TABLES = (
    "products",
    "customers",
    "orders",
    "order_items",
    "ad_campaigns",
    "ad_stats_daily",
    "visits",
    "inquiries",
)


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


@dataclass(frozen=True, slots=True)
class StoreReport:
    """What was generated for one seller."""

    seller_id: int
    slug: str
    name: str
    starts_at: dt.datetime
    until: dt.datetime
    products: int
    customers: int
    orders: int
    lines: int
    visits: int
    campaigns: int
    ad_days: int
    inquiries: int
    incidents: int


def generate_store(
    session: Session, spec: StoreSpec, rng: np.random.Generator, *, into: Seller | None = None
) -> StoreReport:
    """Create the seller `spec.slug` and its whole history; the caller commits.

    Raises storage.sellers.SellerError when the slug exists already. With `into`
    (an existing seller holding no store data: storage.demo.roll) the history is
    written to that seller instead, keeping its row, links and conversations. The
    rows depend only on `spec`, the state of `rng` and the ids already in use."""
    if into is None:
        seller = add_seller(
            session,
            slug=spec.slug,
            name=spec.name or spec.theme.shop_name,
            timezone=spec.timezone,
            currency=spec.currency,
        )
    else:
        seller = into
    seller.created_at = spec.starts_at
    session.flush()
    with foreign_key_checks_off(session):
        return _generate(session, spec, rng, seller)


def _generate(
    session: Session, spec: StoreSpec, rng: np.random.Generator, seller: Seller
) -> StoreReport:
    hours = local_hours(spec)
    factors = day_factors(spec, rng)
    drop = drop_per_hour(spec, hours)
    expected = expected_per_hour(spec, hours, factors, drop)
    times = arrivals(rng, hours, expected)
    catalog = build_catalog(spec.theme, hours, rng, prefix=spec.theme.key[:3].upper())
    orders = build_orders(times, hours, catalog, rng)
    customer_of, customer_count = assign_customers(times, rng)
    stock, running_out = stock_levels(orders, catalog, hours, rng, spec.low_stock_products)

    product_ids = _load_products(session, seller.id, catalog, stock, hours)
    customer_ids = _load_customers(session, seller.id, customer_of, customer_count, times, rng)
    order_ids = _load_orders(session, seller.id, orders, customer_ids[customer_of], product_ids)

    visits: Visits | None = None
    gap = next((i for i in spec.incidents if isinstance(i, KeywordGap)), None)
    if spec.with_visits:
        visits = build_visits(
            spec.theme, hours, expected, spec.conversion, catalog, orders, gap, rng, spec.visit_days
        )
        _load_visits(session, seller.id, visits, product_ids, order_ids)

    campaigns: list[Campaign] = []
    campaign_ids = np.zeros(0, dtype=np.int64)
    ad_days: AdDays | None = None
    if spec.with_ads:
        mean_order_value = float(orders.revenue.mean()) if orders.count else 20_000.0
        campaigns = build_campaigns(spec.theme, catalog, spec, mean_order_value, rng)
        ad_days = build_ad_days(spec, campaigns, factors, rng)
        campaign_ids = _load_ads(session, seller.id, campaigns, ad_days, product_ids)

    inquiry_count = spec.inquiries
    if inquiry_count is None:
        inquiry_count = int(min(200, max(10, round(spec.orders_per_day))))
    inquiries = build_inquiries(inquiry_count, hours, catalog, rng)
    insert_columns(
        session,
        _table("inquiries"),
        {
            "id": reserve_ids(session, _table("inquiries"), inquiries.count),
            "seller_id": np.full(inquiries.count, seller.id),
            "product_id": np.where(inquiries.product >= 0, product_ids[inquiries.product], -1),
            "asked_at": inquiries.asked,
            "question": inquiries.question,
            "answer": inquiries.answer,
            "answered_at": inquiries.answered,
        },
    )

    incident_rows = _incidents(
        spec, seller.id, hours, expected, drop, orders, visits, gap, campaigns, campaign_ids
    )
    incident_rows += _low_stock(spec, seller.id, catalog, product_ids, stock, running_out)
    if incident_rows:
        session.execute(insert(Incident), incident_rows)
    sync_sequences(session, [_table(name) for name in BULK_TABLES])
    refresh_rollups(session, seller.id)
    customer_purchases.keep(session, seller.id, ZoneInfo(spec.timezone), now=spec.until)
    return StoreReport(
        seller_id=seller.id,
        slug=seller.slug,
        name=seller.name,
        starts_at=spec.starts_at,
        until=spec.until,
        products=catalog.size,
        customers=customer_count,
        orders=orders.count,
        lines=len(orders.lines.order),
        visits=visits.count if visits else 0,
        campaigns=len(campaigns),
        ad_days=ad_days.count if ad_days else 0,
        inquiries=inquiries.count,
        incidents=len(incident_rows),
    )


def _load_products(
    session: Session, seller_id: int, catalog: Catalog, stock: Array, hours: Hours
) -> Array:
    table = _table("products")
    ids = reserve_ids(session, table, catalog.size)
    insert_columns(
        session,
        table,
        {
            "id": ids,
            "seller_id": np.full(catalog.size, seller_id),
            "sku": catalog.skus,
            "name": catalog.names,
            "name_en": catalog.names_en,
            "category": catalog.categories,
            "options": catalog.options,
            "price": catalog.prices,
            "cost": catalog.costs,
            "stock": stock,
            "created_at": hours.starts[catalog.launch_day * 24],
        },
    )
    return ids


def _load_customers(
    session: Session,
    seller_id: int,
    customer_of: Array,
    count: int,
    times: Array,
    rng: np.random.Generator,
) -> Array:
    table = _table("customers")
    ids = reserve_ids(session, table, count)
    _, first_order = np.unique(customer_of, return_index=True)
    insert_columns(
        session,
        table,
        {
            "id": ids,
            "seller_id": np.full(count, seller_id),
            "external_id": [f"C{number:07d}" for number in range(1, count + 1)],
            "name": customer_names(rng, count),
            "created_at": times[first_order],
        },
    )
    return ids


def _load_orders(
    session: Session, seller_id: int, orders: Orders, customer_ids: Array, product_ids: Array
) -> Array:
    table = _table("orders")
    ids = reserve_ids(session, table, orders.count)
    insert_columns(
        session,
        table,
        {
            "id": ids,
            "seller_id": np.full(orders.count, seller_id),
            "external_id": [f"O{number:08d}" for number in range(1, orders.count + 1)],
            "customer_id": customer_ids,
            "ordered_at": orders.times,
            "status": orders.status.tolist(),
            "revenue": orders.revenue,
            "units": orders.units,
        },
    )
    lines = orders.lines
    table = _table("order_items")
    insert_columns(
        session,
        table,
        {
            "id": reserve_ids(session, table, len(lines.order)),
            "order_id": ids[lines.order],
            "line_no": lines.line_no,
            "product_id": product_ids[lines.product],
            "quantity": lines.quantity,
            "unit_price": lines.unit_price,
        },
    )
    return ids


def _load_visits(
    session: Session, seller_id: int, visits: Visits, product_ids: Array, order_ids: Array
) -> None:
    table = _table("visits")
    insert_columns(
        session,
        table,
        {
            "id": reserve_ids(session, table, visits.count),
            "seller_id": np.full(visits.count, seller_id),
            "started_at": visits.times,
            "search_keyword": visits.keyword.tolist(),
            "landing_product_id": np.where(visits.landing >= 0, product_ids[visits.landing], -1),
            "order_id": np.where(visits.order >= 0, order_ids[visits.order], -1),
        },
    )


def _load_ads(
    session: Session,
    seller_id: int,
    campaigns: list[Campaign],
    ad_days: AdDays,
    product_ids: Array,
) -> Array:
    table = _table("ad_campaigns")
    ids = reserve_ids(session, table, len(campaigns))
    insert_columns(
        session,
        table,
        {
            "id": ids,
            "seller_id": np.full(len(campaigns), seller_id),
            "external_id": [f"CMP-{number:03d}" for number in range(1, len(campaigns) + 1)],
            "name": [campaign.name for campaign in campaigns],
            "channel": [campaign.channel for campaign in campaigns],
            "product_id": np.array(
                [product_ids[c.product] if c.product >= 0 else -1 for c in campaigns],
                dtype=np.int64,
            ),
        },
    )
    table = _table("ad_stats_daily")
    insert_columns(
        session,
        table,
        {
            "id": reserve_ids(session, table, ad_days.count),
            "seller_id": np.full(ad_days.count, seller_id),
            "campaign_id": ids[ad_days.campaign],
            "date": ad_days.date,
            "impressions": ad_days.impressions,
            "clicks": ad_days.clicks,
            "spend": ad_days.spend,
            "conversions": ad_days.conversions,
            "conversion_revenue": ad_days.conversion_revenue,
        },
    )
    return ids


def _utc(seconds: int | float) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(seconds), tz=dt.UTC)


def _incidents(
    spec: StoreSpec,
    seller_id: int,
    hours: Hours,
    expected: Array,
    drop: Array,
    orders: Orders,
    visits: Visits | None,
    gap: KeywordGap | None,
    campaigns: list[Campaign],
    campaign_ids: Array,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    details: dict[str, Any]
    for incident in spec.incidents:
        if isinstance(incident, SalesDrop):
            start, stop = incident.starts_at.timestamp(), incident.ends_at.timestamp()
            active = (hours.starts >= start) & (hours.starts < stop)
            undropped = expected[active] / np.maximum(1.0 - drop[active], 1e-9)
            observed = int(((orders.times >= start) & (orders.times < stop)).sum())
            details = {
                "fraction": incident.fraction,
                "expected_orders_without_drop": round(float(undropped.sum()), 1),
                "expected_orders": round(float(expected[active].sum()), 1),
                "observed_orders": observed,
            }
            rows.append(
                _row(seller_id, "sales_drop", incident.starts_at, incident.ends_at, details)
            )
        elif isinstance(incident, AdCollapse) and incident.campaign < len(campaigns):
            campaign = campaigns[incident.campaign]
            details = {
                "campaign_id": int(campaign_ids[incident.campaign]),
                "campaign_external_id": f"CMP-{incident.campaign + 1:03d}",
                "campaign_name": campaign.name,
                "metric": incident.metric,
                "fraction": incident.fraction,
                "baseline": round(campaign.ctr if incident.metric == "ctr" else campaign.cvr, 5),
            }
            rows.append(
                _row(seller_id, "ad_collapse", incident.starts_at, incident.ends_at, details)
            )
    if gap is not None and visits is not None:
        details = {"keyword": gap.keyword, "share": gap.share, "visits": visits.gap_visits}
        rows.append(_row(seller_id, "keyword_gap", gap.starts_at, spec.until, details))
    for index, campaign in enumerate(campaigns):
        if campaign.losing:
            details = {
                "campaign_id": int(campaign_ids[index]),
                "campaign_external_id": f"CMP-{index + 1:03d}",
                "campaign_name": campaign.name,
                "target_roas": round(campaign.target_roas, 3),
            }
            starts = _utc(hours.starts[campaign.start_day * 24])
            ends = min(spec.until, _utc(hours.starts[campaign.end_day * 24 - 1] + 3600))
            rows.append(_row(seller_id, "ad_loss", starts, ends, details))
    return rows


def _low_stock(
    spec: StoreSpec,
    seller_id: int,
    catalog: Catalog,
    product_ids: Array,
    stock: Array,
    running_out: list[tuple[int, float]],
) -> list[dict[str, Any]]:
    if not running_out:
        return []
    products = [
        {
            "product_id": int(product_ids[product]),
            "sku": catalog.skus[product],
            "name": catalog.names[product],
            "stock": int(stock[product]),
            "daily_units_last_14_days": round(daily, 2),
        }
        for product, daily in running_out
    ]
    return [_row(seller_id, "low_stock", spec.until, spec.until, {"products": products})]


def _row(
    seller_id: int, kind: str, starts_at: dt.datetime, ends_at: dt.datetime, details: dict[str, Any]
) -> dict[str, Any]:
    return {
        "seller_id": seller_id,
        "kind": kind,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "details": details,
    }
