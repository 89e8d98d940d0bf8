"""alerts_report: the nudges found for a period, with their evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analytics.common import Result, Window
from tools.catalog._args import PeriodArgs
from tools.catalog._base import Tool, require_window
from tools.catalog._summary import MAX_ITEMS, rounded

if TYPE_CHECKING:
    from tools.context import TurnContext


class AlertsReportArgs(PeriodArgs):
    pass


class AlertsReport(Tool[AlertsReportArgs]):
    name = "alerts_report"
    code = "al"
    schema = AlertsReportArgs
    default_period = "last_7_days"
    example = {"start": "2026-11-20", "end": "2026-11-26"}

    def run(self, ctx: TurnContext, args: AlertsReportArgs, window: Window | None) -> Result:
        from analytics.detectors import alerts_report

        with ctx.session() as session:
            return alerts_report(session, ctx.store, require_window(window))

    def summary(self, result: Any) -> dict[str, Any]:
        items = []
        for alert in result.alerts[: MAX_ITEMS * 2]:
            e = alert.evidence
            item: dict[str, Any] = {"kind": alert.kind, "date": alert.local_date.isoformat()}
            if e.family == "sales":
                item.update(
                    hours=f"{e.from_hour:02d}-{e.to_hour:02d}",
                    expected_orders=rounded(e.expected, 1),
                    actual_orders=e.actual,
                    change=rounded(e.change),
                )
            else:
                item.update(
                    campaign=e.campaign_name or e.campaign_id,
                    metric=e.metric,
                    expected=rounded(e.expected),
                    actual=rounded(e.actual),
                    change=rounded(e.change),
                )
            items.append(item)
        return {"start": result.start.isoformat(), "end": result.end.isoformat(), "alerts": items}

    def tip(self, result: Any) -> str | None:
        kinds = [str(getattr(alert, "kind", "")) for alert in getattr(result, "alerts", ())]
        if any(kind.startswith("sales") for kind in kinds):
            return "sales_drop"
        return "ad_drop" if kinds else None
