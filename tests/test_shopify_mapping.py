"""Shopify orders -> the store's orders (storage.connectors.shopify.mapping): which
units stay paid, which are refunded or cancelled, for every financial status, in
the shop's currency's minor units. Pure: no HTTP, no database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from storage.connectors.shopify.mapping import bulk_orders, store_orders
from storage.importing import ParsedLine, ParsedOrder

AT = "2026-11-19T03:00:00Z"
WHEN = dt.datetime(2026, 11, 19, 3, tzinfo=dt.UTC)


def money(amount: str, currency: str = "USD") -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": currency}}


def order(status: str, *, cancelled: bool = False, refunds: Any = ()) -> dict[str, Any]:
    """#1001: 2 x MUG at 19.99 (after discounts) and 1 x a line without a SKU at 5.00."""
    return {
        "id": "gid://shopify/Order/1",
        "name": "#1001",
        "createdAt": "2026-11-19T02:00:00Z",
        "processedAt": AT,
        "cancelledAt": "2026-11-19T05:00:00Z" if cancelled else None,
        "displayFinancialStatus": status,
        "customer": None,
        "lineItems": {
            "pageInfo": {"hasNextPage": False},
            "edges": [
                {
                    "node": {
                        "id": "L1",
                        "sku": "MUG",
                        "name": "Mug - Blue",
                        "quantity": 2,
                        "discountedUnitPriceAfterAllDiscountsSet": money("19.99"),
                    }
                },
                {
                    "node": {
                        "id": "L2",
                        "sku": "",
                        "name": "Gift wrap",
                        "quantity": 1,
                        "discountedUnitPriceAfterAllDiscountsSet": money("5.0"),
                    }
                },
            ],
        },
        "refunds": list(refunds),
    }


MUG = ParsedLine(1, "MUG", "Mug - Blue", 2, 1999)
WRAP = ParsedLine(2, None, "Gift wrap", 1, 500)


def split(orders: list[ParsedOrder]) -> dict[str, tuple[str, tuple[ParsedLine, ...]]]:
    assert {o.ordered_at for o in orders} == {WHEN}  # processedAt, for every part
    return {o.external_id: (o.status, o.lines) for o in orders}


def test_a_paid_order_is_paid_and_its_other_parts_empty() -> None:
    assert split(store_orders(order("PAID"))) == {
        "#1001": ("paid", (MUG, WRAP)),
        "#1001:cancel": ("cancelled", ()),
        "#1001:refund": ("refunded", ()),
    }


def test_a_partial_refund_moves_only_the_refunded_units() -> None:
    refund = {
        "id": "R1",
        "refundLineItems": {"edges": [{"node": {"quantity": 1, "lineItem": {"id": "L1"}}}]},
    }
    assert split(store_orders(order("PARTIALLY_REFUNDED", refunds=[refund]))) == {
        # 2 x 19.99 + 5.00 = 44.98 -> 24.99 paid, 19.99 refunded
        "#1001": (
            "paid",
            (ParsedLine(1, "MUG", "Mug - Blue", 1, 1999), ParsedLine(2, None, "Gift wrap", 1, 500)),
        ),
        "#1001:cancel": ("cancelled", ()),
        "#1001:refund": ("refunded", (ParsedLine(1, "MUG", "Mug - Blue", 1, 1999),)),
    }


def test_refunded_voided_cancelled_and_unpaid_orders() -> None:
    # REFUNDED: every unit, even when the refund named no lines (an amount refund)
    assert split(store_orders(order("REFUNDED", refunds=[{"id": "R1"}]))) == {
        "#1001": ("paid", ()),
        "#1001:cancel": ("cancelled", ()),
        "#1001:refund": ("refunded", (MUG, WRAP)),
    }
    for cancelled in (order("REFUNDED", cancelled=True), order("VOIDED"), order("EXPIRED")):
        assert split(store_orders(cancelled)) == {
            "#1001": ("paid", ()),
            "#1001:cancel": ("cancelled", (MUG, WRAP)),
            "#1001:refund": ("refunded", ()),
        }
    for unpaid in ("PENDING", "AUTHORIZED", "PARTIALLY_PAID"):
        assert store_orders(order(unpaid)) == []
    assert store_orders({**order("PAID"), "test": True}) == []  # a Bogus Gateway order


def test_bulk_lines_find_their_order_wherever_they_are_in_the_file() -> None:
    objects = [
        {"id": "O1", "name": "#1"},
        {"id": "O2", "name": "#2"},
        {"id": "L2", "sku": "B", "__parentId": "O2"},
        {"id": "L1", "sku": "A", "__parentId": "O1"},
        {"id": "L3", "sku": "C", "__parentId": "O1"},
    ]
    assert [
        (o["name"], [line["sku"] for line in o["lineItems"]]) for o in bulk_orders(objects)
    ] == [
        ("#1", ["A", "C"]),
        ("#2", ["B"]),
    ]
