"""Compact tool results: the key figures a model needs to phrase an answer.

The model never sees raw rows or series: each result becomes a small JSON
object (totals, comparisons, at most a handful of ranked items). The full typed
result stays with the caller (the LangChain artifact) for templates and charts.
The same summary is what a conversation turn stores as the call's result.

Ratios stay ratios (0.123 is 12.3 %), rounded to 4 decimals; money is integer
minor units with the currency named once.
"""

from __future__ import annotations

import json
from typing import Any

from analytics.common import NoData, Result

MAX_ITEMS = 5


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def _change(change: Any) -> float | None:
    """The relative part of an analytics Change (or a plain float)."""
    if change is None:
        return None
    if isinstance(change, int | float):
        return _r(change)
    return _r(getattr(change, "relative", None))


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None and v != [] and v != {}}


def _sales(r: Any) -> dict[str, Any]:
    t = r.totals

    def compared(c: Any) -> dict[str, Any] | None:
        if c is None:
            return None
        return _drop_none(
            {
                "basis": c.basis,
                "start": c.start.isoformat(),
                "end": c.end.isoformat(),
                "until": c.cut_at.strftime("%H:%M") if c.cut_at else None,
                "revenue": c.totals.revenue,
                "orders": c.totals.orders,
                "revenue_change": _change(c.change.revenue),
                "orders_change": _change(c.change.orders),
            }
        )

    return _drop_none(
        {
            "start": r.start.isoformat(),
            "end": r.end.isoformat(),
            "so_far": r.so_far,
            "as_of": r.as_of.strftime("%H:%M") if r.so_far else None,
            "currency": r.currency,
            "revenue": t.revenue,
            "orders": t.orders,
            "units": t.units,
            "average_order_value": t.average_order_value,
            "cancelled_or_refunded": t.cancelled_orders + t.refunded_orders,
            "cancellation_rate": _r(t.cancellation_rate),
            "previous": compared(r.previous),
            "last_week": compared(r.last_week),
        }
    )


def _top(r: Any) -> dict[str, Any]:
    key = "revenue_change" if r.metric == "revenue" else "units_change"
    return _drop_none(
        {
            "start": r.start.isoformat(),
            "end": r.end.isoformat(),
            "metric": r.metric,
            "direction": r.direction,
            "currency": r.currency,
            "items": [
                _drop_none(
                    {
                        "rank": rank,
                        "product_id": item.product_id,
                        "name": item.name,
                        "revenue": item.current.revenue,
                        "units": item.current.units,
                        "change": _change(getattr(item, key)),
                        "share": _r(item.share),
                    }
                )
                for rank, item in enumerate(r.items, start=1)
            ],
            "total_revenue": r.total.revenue,
            "total_units": r.total.units,
            "products_sold": r.products_sold,
        }
    )


def _product(r: Any) -> dict[str, Any]:
    cur = r.current
    return _drop_none(
        {
            "product_id": r.product_id,
            "name": r.name,
            "price": r.price,
            "stock": r.stock,
            "currency": r.currency,
            "start": cur.start.isoformat(),
            "end": cur.end.isoformat(),
            "revenue": cur.revenue,
            "units": cur.units,
            "orders": cur.orders,
            "visits": cur.visits,
            "conversion_rate": _r(cur.conversion_rate),
            "revenue_change": _change(r.change.revenue),
            "units_change": _change(r.change.units),
            "visits_change": _change(r.change.visits),
            "units_per_day": _r(r.recent_units_per_day, 1),
            "days_of_stock_left": _r(r.days_of_stock_left, 1),
            "stockout_date": r.stockout_date.isoformat() if r.stockout_date else None,
        }
    )


def _ad_figures(f: Any) -> dict[str, Any]:
    return _drop_none(
        {
            "spend": f.spend,
            "revenue": f.revenue,
            "roas": _r(f.roas, 2),
            "ctr": _r(f.ctr),
            "cvr": _r(f.cvr),
            "cpc": f.cpc,
            "cpa": f.cpa,
        }
    )


def _ads(r: Any) -> dict[str, Any]:
    return _drop_none(
        {
            "start": r.start.isoformat(),
            "end": r.end.isoformat(),
            "currency": r.currency,
            "total": {
                **_ad_figures(r.total.current),
                **_drop_none(
                    {
                        "roas_change": _change(r.total.change.roas),
                        "spend_change": _change(r.total.change.spend),
                        "break_even_roas": _r(r.total.break_even_roas, 2),
                        "estimated_profit": r.total.estimated_profit,
                    }
                ),
            },
            "campaigns": [
                {
                    "campaign_id": c.campaign_id,
                    "name": c.name,
                    **_ad_figures(c.current),
                    **_drop_none(
                        {
                            "roas_change": _change(c.change.roas),
                            "break_even_roas": _r(c.break_even_roas, 2),
                            "loses_money": c.loses_money or None,
                        }
                    ),
                }
                for c in r.campaigns[: MAX_ITEMS + 3]
            ],
            "losing": [
                {"campaign_id": x.campaign_id, "name": x.name, "estimated_loss": x.estimated_loss}
                for x in r.losing[:MAX_ITEMS]
            ],
        }
    )


def _customers(r: Any) -> dict[str, Any]:
    return {
        "segment": r.segment,
        "as_of": r.calibration_end_date.isoformat(),
        "customers_fitted": r.customers_fitted,
        "segment_sizes": r.counts.model_dump(),
        "customers": [
            {
                "customer": c.customer,
                "purchases": c.purchases,
                "last_purchase": c.last_purchase.isoformat(),
                "p_alive": _r(c.p_alive, 2),
                "expected_purchases_90d": _r(c.expected_purchases_90d, 1),
                "expected_value_90d": c.expected_value_90d,
            }
            for c in r.customers[: MAX_ITEMS * 2]
        ],
    }


def _kw(f: Any) -> dict[str, Any]:
    return {
        "keyword": f.keyword,
        "visits": f.visits,
        "conversions": f.conversions,
        "conversion_rate": _r(f.conversion_rate),
    }


def _keywords(r: Any) -> dict[str, Any]:
    focus = None
    if r.focus is not None:
        focus = {
            **_kw(r.focus.figures),
            "low_converting": r.focus.low_converting,
            "matching_products": [p.name for p in r.focus.matching_products[:3]],
            "suggestion": r.focus.suggestion.key if r.focus.suggestion else None,
        }
    return _drop_none(
        {
            "start": r.start.isoformat(),
            "end": r.end.isoformat(),
            "keyword_visits": r.keyword_visits,
            "keyword_conversion_rate": _r(r.keyword_conversion_rate),
            "top": [_kw(f) for f in r.top[:MAX_ITEMS]],
            "low_converting": [
                {
                    **_kw(low.figures),
                    "matching_products": [p.name for p in low.matching_products[:3]],
                    "suggestion": low.suggestion.key,
                }
                for low in r.low_converting[:3]
            ],
            "focus": _drop_none(focus) if focus else None,
        }
    )


def _alerts(r: Any) -> dict[str, Any]:
    items = []
    for alert in r.alerts[: MAX_ITEMS * 2]:
        e = alert.evidence
        item: dict[str, Any] = {"kind": alert.kind, "date": alert.local_date.isoformat()}
        if e.family == "sales":
            item.update(
                hours=f"{e.from_hour:02d}-{e.to_hour:02d}",
                expected_orders=_r(e.expected, 1),
                actual_orders=e.actual,
                change=_r(e.change),
            )
        else:
            item.update(
                campaign=e.campaign_name or e.campaign_id,
                metric=e.metric,
                expected=_r(e.expected),
                actual=_r(e.actual),
                change=_r(e.change),
            )
        items.append(item)
    return {"start": r.start.isoformat(), "end": r.end.isoformat(), "alerts": items}


def _inquiry(r: Any) -> dict[str, Any]:
    return _drop_none(
        {
            "inquiry": r.inquiry,
            "closest_past_answer": r.draft,
            "similar": [
                {"question": s.question, "answer": s.answer, "similarity": s.score}
                for s in r.similar[:2]
            ],
            "product": r.product.model_dump() if r.product else None,
            "currency": r.currency,
        }
    )


def _advice(r: Any) -> dict[str, Any]:
    return {
        "topic": r.topic,
        "articles": [{"title": a.title, "excerpt": a.excerpt} for a in r.articles],
    }


_BY_KIND = {
    "sales_report": _sales,
    "product_ranking": _top,
    "product_report": _product,
    "ad_report": _ads,
    "customer_report": _customers,
    "keyword_report": _keywords,
    "alerts_report": _alerts,
    "inquiry_draft": _inquiry,
    "advice": _advice,
}


def compact(result: Result) -> dict[str, Any]:
    """The key figures of `result` as a small JSON-able dict."""
    if isinstance(result, NoData):
        return {"no_data": result.reason, **result.detail}
    summarize = _BY_KIND.get(str(getattr(result, "kind", "")))
    if summarize is None:
        dumped: dict[str, Any] = result.model_dump(mode="json")
        return dumped
    return summarize(result)


def compact_json(result: Result) -> str:
    """`compact(result)` as one line of JSON (what the model reads)."""
    return json.dumps(compact(result), ensure_ascii=False, separators=(",", ":"), default=str)
