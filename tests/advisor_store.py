"""The small hand-built store the advisor tests ask about (figures worked out by hand).

Asked at NOW = Friday 2026-11-27 14:30 Asia/Seoul. Seller "shop" (id 1):

    products   1 수제 딸기잼 300g (Homemade Strawberry Jam 300g) 12,000원, stock 30
               2 스테인리스 텀블러 500ml (Stainless Tumbler 500ml) 25,000원
               3 보온 텀블러 350ml (Thermal Tumbler 350ml) 18,000원
    today      09:10 jam ×2 paid (24,000) · 11:00 tumbler 500 ×1 paid (25,000)
               13:50 jam ×1 cancelled (12,000) · 15:00 tumbler 500 ×1 paid (after now)
               -> so far 49,000원, 2 orders, 3 units, average 24,500원, 1 cancelled (12,000)
    yesterday  10:00 tumbler 500 ×2 paid (50,000) · 16:00 jam ×1 paid (12,000)
               -> same time yesterday 50,000원, 1 order: -2.0%
    Nov 20     12:00 thermal ×1 paid (18,000) -> same time last week 18,000원: +172.2%
    October    Oct 5 jam ×3 (36,000) · Oct 20 tumbler 500 ×1 (25,000)
               -> 61,000원, 2 orders, 4 units, average 30,500원
    Aug 31-Sep 30 (the period before October): Sep 10 thermal ×2 (36,000) -> +69.4%
    ads        campaign "겨울 세일" (jam): Nov 20-26 one day, spend 10,000, revenue 50,000

Seller "other" (id 2) has one product and one order today of 777,000원, so any
leak of its data would show.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tests.factories import (
    SEOUL,
    local,
    make_ad_day,
    make_campaign,
    make_order,
    make_product,
    make_seller,
)

NOW = dt.datetime(2026, 11, 27, 14, 30, tzinfo=SEOUL)


def build_store(session: Session) -> None:
    shop = make_seller(session, "shop", name="테스트 상점")
    jam = make_product(
        session, shop, "수제 딸기잼 300g", 12_000, sku="JAM-300", stock=30,
        name_en="Homemade Strawberry Jam 300g", cost=6_000,
    )  # fmt: skip
    big = make_product(
        session, shop, "스테인리스 텀블러 500ml", 25_000, sku="TMB-500",
        name_en="Stainless Tumbler 500ml",
    )  # fmt: skip
    small = make_product(
        session, shop, "보온 텀블러 350ml", 18_000, sku="TMB-350", name_en="Thermal Tumbler 350ml"
    )
    make_order(session, shop, local(2026, 11, 27, 9, 10), [(jam, 2)])
    make_order(session, shop, local(2026, 11, 27, 11, 0), [(big, 1)])
    make_order(session, shop, local(2026, 11, 27, 13, 50), [(jam, 1)], status="cancelled")
    make_order(session, shop, local(2026, 11, 27, 15, 0), [(big, 1)])
    make_order(session, shop, local(2026, 11, 26, 10, 0), [(big, 2)])
    make_order(session, shop, local(2026, 11, 26, 16, 0), [(jam, 1)])
    make_order(session, shop, local(2026, 11, 20, 12, 0), [(small, 1)])
    make_order(session, shop, local(2026, 10, 5), [(jam, 3)])
    make_order(session, shop, local(2026, 10, 20), [(big, 1)])
    make_order(session, shop, local(2026, 9, 10), [(small, 2)])
    campaign = make_campaign(session, shop, "겨울 세일", product=jam)
    make_ad_day(
        session, campaign, dt.date(2026, 11, 24), impressions=1_000, clicks=50,
        spend=10_000, conversions=4, conversion_revenue=50_000,
    )  # fmt: skip

    other = make_seller(session, "other", name="다른 상점")
    vase = make_product(session, other, "도자기 화병", 777_000, sku="VASE")
    make_order(session, other, local(2026, 11, 27, 10, 0), [(vase, 1)])
    session.commit()
