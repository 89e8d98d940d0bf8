"""Which playbook tip (if any) suits an analysis result.

`tip_kind(result)` reads a typed analysis result and returns at most one kind
of playbook.TIP_KINDS; `Retrieval.tip_for(kind, lang)` then gives the tip of
the article that offers one for it. The rules are plain and checkable:

- ad_report: a campaign losing money (below break-even ROAS) -> ad_low_roas;
  otherwise a total CTR at least LOW_CTR_DROP below the previous period's ->
  ad_low_ctr;
- sales_report: revenue at least SALES_DROP below the previous window -> sales_drop;
- product_ranking (direction "falling") with products listed -> falling_products;
- product_report: at most LOW_STOCK_DAYS of stock left -> low_stock;
  otherwise at least MIN_VISITS visits and a conversion rate at least
  CONVERSION_DROP below the previous period's -> low_conversion;
- keyword_report: a low-converting keyword the lineup lacks (suggestion
  add_product) -> keyword_gap, one whose products do not convert -> low_conversion;
- customer_report: at_risk customers listed -> at_risk_customers, likely
  regulars listed -> likely_regulars;
- alerts_report: a sales alert -> sales_drop, else an ad alert -> ad_drop.

Anything else (no data, other tools) gets no tip.
"""

from __future__ import annotations

from typing import Any

SALES_DROP = 0.2
LOW_CTR_DROP = 0.2
LOW_STOCK_DAYS = 7.0
MIN_VISITS = 50
CONVERSION_DROP = 0.3


def _get(value: Any, *path: str) -> Any:
    for name in path:
        if value is None:
            return None
        value = getattr(value, name, None)
    return value


def _at_most(value: Any, limit: float) -> bool:
    return isinstance(value, int | float) and value <= limit


def tip_kind(result: Any) -> str | None:
    """The playbook tip kind for `result` (an analytics Result), or None."""
    kind = getattr(result, "kind", None)
    if kind == "ad_report":
        if getattr(result, "losing", None):
            return "ad_low_roas"
        if _at_most(_get(result, "total", "change", "ctr"), -LOW_CTR_DROP):
            return "ad_low_ctr"
        return None
    if kind == "sales_report":
        drop = _get(result, "previous", "change", "revenue", "relative")
        return "sales_drop" if _at_most(drop, -SALES_DROP) else None
    if kind == "product_ranking":
        falling = getattr(result, "direction", None) == "falling"
        return "falling_products" if falling and getattr(result, "items", None) else None
    if kind == "product_report":
        if _at_most(getattr(result, "days_of_stock_left", None), LOW_STOCK_DAYS):
            return "low_stock"
        visits = _get(result, "current", "visits")
        change = _get(result, "change", "conversion_rate", "relative")
        if isinstance(visits, int) and visits >= MIN_VISITS and _at_most(change, -CONVERSION_DROP):
            return "low_conversion"
        return None
    if kind == "keyword_report":
        keys = [_get(item, "suggestion", "key") for item in getattr(result, "low_converting", ())]
        if "add_product" in keys:
            return "keyword_gap"
        return "low_conversion" if keys else None
    if kind == "customer_report":
        if not getattr(result, "customers", None):
            return None
        segment = getattr(result, "segment", None)
        return {"at_risk": "at_risk_customers", "likely_regulars": "likely_regulars"}.get(
            str(segment)
        )
    if kind == "alerts_report":
        kinds = [getattr(alert, "kind", "") for alert in getattr(result, "alerts", ())]
        if any(str(k).startswith("sales") for k in kinds):
            return "sales_drop"
        return "ad_drop" if kinds else None
    return None
