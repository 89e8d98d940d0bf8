"""alerts_report: the alerts sent for a period, with the figures their messages gave
(the outbox rows' evidence), and what a re-check of the period finds besides."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from analytics.common import NoData, Result, Window
from analytics.detectors.alerts import Alert
from tools.catalog._args import PeriodArgs
from tools.catalog._base import Tool, require_window
from tools.catalog._summary import MAX_ITEMS, alert_item
from tools.nudges import OutboxAlert

if TYPE_CHECKING:
    from tools.context import TurnContext


class AlertsReportArgs(PeriodArgs):
    pass


class SentAlerts(Result):
    """The alerts for the local dates [start, end]: `sent` are the messages the seller
    got (outbox rows with status sent; `sent_at` in the store's timezone), `alerts` the
    detections a re-check of the period finds (analytics.detectors.alerts_report) that
    were not sent (no sent row with the same dedupe key). Amounts are in `currency`."""

    kind: Literal["alerts_report"] = "alerts_report"
    seller_id: int
    currency: str
    start: dt.date
    end: dt.date
    sent: tuple[OutboxAlert, ...]
    alerts: tuple[Alert, ...]


def sent_alerts(
    found: Any, outbox: list[OutboxAlert], *, seller_id: int, currency: str, tz: dt.tzinfo
) -> Result:
    """`found` (an AlertsReport or a NoData) with the outbox's sent rows beside it."""
    sent = tuple(
        row.model_copy(update={"sent_at": row.sent_at.astimezone(tz) if row.sent_at else None})
        for row in outbox
        if row.sent
    )
    if isinstance(found, NoData) and (not sent or found.reason == "future_period"):
        return found
    keys = {row.dedupe_key for row in sent}
    alerts = () if isinstance(found, NoData) else found.alerts
    return SentAlerts(
        seller_id=seller_id,
        currency=currency,
        start=min(row.local_date for row in sent) if isinstance(found, NoData) else found.start,
        end=max(row.local_date for row in sent) if isinstance(found, NoData) else found.end,
        sent=sent,
        alerts=tuple(alert for alert in alerts if alert.dedupe_key not in keys),
    )


class AlertsReport(Tool[AlertsReportArgs]):
    name = "alerts_report"
    code = "al"
    schema = AlertsReportArgs
    default_period = "last_7_days"
    example = {"start": "2026-11-20", "end": "2026-11-26"}

    def run(self, ctx: TurnContext, args: AlertsReportArgs, window: Window | None) -> Result:
        from analytics.detectors import alerts_report
        from tools.nudges import outbox_alerts

        window = require_window(window)
        store = ctx.store
        with ctx.session() as session:
            found = alerts_report(session, store, window)
            end = min(window.end, window.now.astimezone(store.timezone).date())
            outbox = (
                outbox_alerts(session, store.id, store.timezone, window.start, end)
                if window.start <= end
                else []
            )
        return sent_alerts(
            found, outbox, seller_id=store.id, currency=store.currency, tz=store.timezone
        )

    def summary(self, result: Any) -> dict[str, Any]:
        sent = [
            {**alert_item(row.kind, row.local_date, row.evidence), "sent_at": str(row.sent_at)}
            for row in result.sent[: MAX_ITEMS * 2]
        ]
        found = [
            alert_item(a.kind, a.local_date, a.evidence) for a in result.alerts[: MAX_ITEMS * 2]
        ]
        return {
            "start": result.start.isoformat(),
            "end": result.end.isoformat(),
            "currency": result.currency,
            "sent": sent,
            "found_not_sent": found,
        }

    def tip(self, result: Any) -> str | None:
        rows = [*getattr(result, "sent", ()), *getattr(result, "alerts", ())]
        kinds = [str(getattr(row, "kind", "")) for row in rows]
        if any(kind.startswith("sales") for kind in kinds):
            return "sales_drop"
        return "ad_drop" if kinds else None
