"""Typed outbox rows: the evidence of a nudge from detection to its template.

Evidence is JSON only inside the outbox table (with the seller's currency, so a
message prints its amounts in it): `Finding.outbox_evidence` writes it, `Nudge.of_row` reads it back into its type (by the row's kind), and only
`Nudge.template_context` turns it into the names a template reads.

Alerts carry the detectors' evidence (analytics.detectors.alerts); the morning
digest carries `DigestEvidence`, or `DigestOff` when the seller had it switched
off at the morning scan (the row then only marks the scan as done).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from analytics.common import Result
from analytics.detectors.alerts import (
    AdAlertKind,
    AdDropEvidence,
    SalesAlertKind,
    SalesDropEvidence,
)
from storage.models import Alert as OutboxRow

DIGEST = "digest"
SALES_KINDS = frozenset(get_args(SalesAlertKind))
AD_KINDS = frozenset(get_args(AdAlertKind))


class DigestAlert(Result):
    """One alert for the digest's day, with the figures its own message gave: orders
    (sales) or the campaign's CTR, CVR or ROAS (ads), against the usual."""

    kind: str
    actual: float  # orders, or the day's rate
    expected: float  # the usual orders, or the baseline rate
    change: float  # actual / expected − 1
    until_hour: int | None = None  # sales: orders until this hour; None: the whole day
    campaign: str | None = None  # ads: the campaign's name (or its id)
    metric: str | None = None  # ads: ctr, cvr or roas

    @classmethod
    def of(cls, kind: str, evidence: SalesDropEvidence | AdDropEvidence) -> DigestAlert:
        if isinstance(evidence, AdDropEvidence):
            return cls(
                kind=kind,
                actual=evidence.actual,
                expected=evidence.expected,
                change=evidence.change,
                campaign=evidence.campaign_name or str(evidence.campaign_id),
                metric=evidence.metric,
            )
        return cls(
            kind=kind,
            actual=evidence.actual,
            expected=evidence.expected,
            change=evidence.change,
            until_hour=None if evidence.to_hour >= 24 else evidence.to_hour,
        )


class DigestEvidence(Result):
    """Yesterday in figures: revenue and paid orders, the revenue change against the
    same weekday a week before (None without that day's data), the best seller by
    revenue, and the alerts for the day (recorded in the outbox, sent or about to be,
    or found by the same scan): `alerts` counts them, `day_alerts` has their figures
    (empty in digests recorded before it existed, which have only the count)."""

    revenue: int = 0  # minor units
    orders: int = 0
    change: float | None = None  # relative: -0.2 is 20 % less
    top_product: str | None = None
    top_revenue: int = 0
    top_units: int = 0
    alerts: int = 0
    day_alerts: tuple[DigestAlert, ...] = ()


class DigestOff(Result):
    """The seller had the digest off at the morning scan: nothing to send."""

    off: Literal[True] = True


Evidence = SalesDropEvidence | AdDropEvidence | DigestEvidence | DigestOff


class UnknownNudge(ValueError):
    """An outbox row of a kind no nudge is made of."""


def evidence_of(kind: str, data: Mapping[str, Any]) -> Evidence:
    """The typed evidence of an outbox row of `kind` from its stored JSON."""
    if kind in SALES_KINDS:
        return SalesDropEvidence.model_validate(data)
    if kind in AD_KINDS:
        return AdDropEvidence.model_validate(data)
    if kind == DIGEST:
        return DigestOff() if data.get("off") else DigestEvidence.model_validate(data)
    raise UnknownNudge(f"no nudge of kind {kind!r}")


def outbox_json(
    kind: str, local_date: dt.date, evidence: Evidence, currency: str = "KRW"
) -> dict[str, Any]:
    """The JSON of an outbox row: the evidence, its kind, its local date and the
    seller's currency (what its amounts are in)."""
    data: dict[str, Any] = evidence.model_dump(mode="json")
    data["kind"] = kind
    data["local_date"] = local_date.isoformat()
    data["currency"] = currency
    return data


@dataclass(frozen=True, slots=True)
class Nudge:
    """One outbox row on its way to a seller's chats."""

    alert_id: int
    seller_id: int
    kind: str
    dedupe_key: str
    local_date: dt.date
    evidence: Evidence
    currency: str = "KRW"  # the seller's at detection: what its amounts are in

    @classmethod
    def of_row(cls, row: OutboxRow) -> Nudge:
        """Raises UnknownNudge, or pydantic's ValidationError for evidence that does not
        fit its kind. A row recorded before rows carried the currency is in KRW."""
        data = dict(row.evidence)
        return cls(
            alert_id=row.id,
            seller_id=row.seller_id,
            kind=row.kind,
            dedupe_key=row.dedupe_key,
            local_date=dt.date.fromisoformat(str(data["local_date"])),
            evidence=evidence_of(row.kind, data),
            currency=str(data.get("currency") or "KRW"),
        )

    def template_context(self) -> dict[str, Any]:
        """What prompts/alerts/<kind>.<lang>.j2 reads: the evidence's fields as JSON
        values, `kind`, `local_date` (ISO) and `currency` (the seller's, for the
        `money(currency)` filter)."""
        return outbox_json(self.kind, self.local_date, self.evidence, self.currency)
