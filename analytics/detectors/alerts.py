"""Typed alerts: what was detected, for whom, for which day, and the evidence.

Evidence is data (numbers and keys); the sentence a seller reads is rendered
later from prompts/ (e.g. "no orders since 11:00; usually 3 by now" from
`quiet_since_hour` and `expected_since_quiet`).

Dedupe keys (the outbox stores each key once, so a key is one message):

- sales: ``sales_drop:{seller_id}:{local date}`` for both the intraday and the
  whole-day kind. Hourly scans find the same bad day again and again; the key
  makes that one alert per seller and day. The next morning's whole-day check of
  a day already alerted intraday carries the same key and so is not sent again:
  one bad day, one message. A drop that lasts several days alerts once a day.
- ads: ``{kind}:{seller_id}:{campaign_id}:{local date}``: one alert per campaign,
  metric and day (a CVR collapse usually also drops ROAS; both are sent, the
  renderer may group them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import computed_field

from analytics.common import Result

SalesAlertKind = Literal["sales_drop_intraday", "sales_drop_day"]
AdAlertKind = Literal["ad_ctr_drop", "ad_cvr_drop", "ad_roas_drop"]
AlertKind = Literal[
    "sales_drop_intraday", "sales_drop_day", "ad_ctr_drop", "ad_cvr_drop", "ad_roas_drop"
]


class SalesDropEvidence(Result):
    """Paid orders in the local hours [from_hour, to_hour) of `local_date` against
    the same hours on the same weekday of the baseline weeks."""

    family: Literal["sales"] = "sales"
    from_hour: int
    to_hour: int
    expected: float  # orders usually placed in the window (robust baseline mean)
    actual: int  # orders placed
    change: float  # actual / expected − 1 (−0.4 is 40 % fewer)
    p_value: float  # P(this few or fewer | usual demand), negative binomial
    baseline: tuple[int, ...]  # orders in the same window, most recent week first
    baseline_dates: tuple[dt.date, ...]
    dispersion: float  # φ: day-to-day variation beyond Poisson (0 = none)
    expected_revenue: int  # minor units, robust baseline mean of the same window
    actual_revenue: int
    quiet_since_hour: int | None = None  # no orders in [quiet_since_hour, to_hour)
    expected_since_quiet: float | None = None  # orders usually placed in those hours


class AdDropEvidence(Result):
    """One campaign's CTR, CVR or ROAS on `local_date` against its recent days.

    The test runs on counts: clicks given impressions (CTR), conversions given
    clicks (CVR), conversions given spend (ROAS); `count_expected` is what the
    baseline rate predicts for that day's `exposure`.
    """

    family: Literal["ads"] = "ads"
    campaign_id: int
    campaign_name: str | None = None
    metric: Literal["ctr", "cvr", "roas"]
    expected: float  # baseline rate: CTR, CVR (fractions) or ROAS (revenue / spend)
    actual: float  # the day's rate
    change: float  # actual / expected − 1
    p_value: float
    count_expected: float
    count_actual: int
    exposure: int  # impressions (CTR), clicks (CVR) or spend in minor units (ROAS)
    baseline_count: int
    baseline_exposure: int
    baseline_days: int  # days used: active days in the window, less the two trimmed
    baseline_start: dt.date  # the baseline window, inclusive
    baseline_end: dt.date
    dispersion: float


class Alert(Result):
    kind: AlertKind
    seller_id: int
    local_date: dt.date
    detected_at: dt.datetime
    evidence: SalesDropEvidence | AdDropEvidence

    @computed_field  # type: ignore[prop-decorator]
    @property
    def dedupe_key(self) -> str:
        if isinstance(self.evidence, AdDropEvidence):
            return (
                f"{self.kind}:{self.seller_id}:{self.evidence.campaign_id}:"
                f"{self.local_date.isoformat()}"
            )
        return f"sales_drop:{self.seller_id}:{self.local_date.isoformat()}"

    def outbox_evidence(self) -> dict[str, Any]:
        """The JSON stored in alerts.evidence: the evidence plus the kind and date."""
        data: dict[str, Any] = self.evidence.model_dump(mode="json")
        data["kind"] = self.kind
        data["local_date"] = self.local_date.isoformat()
        return data


class AlertsReport(Result):
    """Alerts the detectors find for the local dates [start, end] (cut at now):
    at most one sales alert per day (the first scan that would have found it)
    and the ad alerts of each complete day."""

    kind: Literal["alerts_report"] = "alerts_report"
    seller_id: int
    start: dt.date
    end: dt.date
    alerts: tuple[Alert, ...]
