"""Nudges: proactive alerts and the morning digest, as a service below the bot.

The bot's scheduler calls it with its own `now`; nothing here reads the clock,
sends a message or imports the bot:

- scan planning (`plan_scan`): which seller is checked for what at `now`;
- findings (`find`, `detect`, `record`): the detectors' alerts and the digests,
  typed until `record` writes them to the outbox;
- digest assembly (`assemble_digest`), which names the day's alerts (`day_alerts`);
- the outbox's alerts for some days, typed (`outbox_alerts`: what was sent);
- delivery bookkeeping (`claim`, `record_outcomes`): which outbox rows go out
  now, typed as `Nudge`s, and what became of them. Every status change goes
  through storage.outbox.

Every name below is imported from its module on first use (PEP 562), so importing
one module of the package (the alerts report's `_outbox_alerts`) does not load the
outbox, the PostgreSQL dialect and the detectors the others need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tools.nudges._delivery import (
        BATCH,
        IN_FLIGHT_LIMIT,
        DeliveryReport,
        Due,
        Outcome,
        Recipient,
        claim,
        record_outcomes,
        skip_reason,
        stuck_sending,
    )
    from tools.nudges._digest import assemble_digest, day_alerts, digest_key
    from tools.nudges._evidence import (
        AD_KINDS,
        DIGEST,
        SALES_KINDS,
        DigestAlert,
        DigestEvidence,
        DigestOff,
        Evidence,
        Nudge,
        UnknownNudge,
        evidence_of,
        outbox_json,
    )
    from tools.nudges._findings import Finding, Findings, ScanReport, detect, find, record
    from tools.nudges._hours import Hours, NudgeHours, in_morning, in_quiet_hours, yesterday
    from tools.nudges._outbox_alerts import OutboxAlert, outbox_alerts
    from tools.nudges._plan import PlannedSeller, ScanPlan, linked_sellers, plan_scan

_EXPORTS: dict[str, str] = {
    "BATCH": "_delivery",
    "IN_FLIGHT_LIMIT": "_delivery",
    "DeliveryReport": "_delivery",
    "Due": "_delivery",
    "Outcome": "_delivery",
    "Recipient": "_delivery",
    "claim": "_delivery",
    "record_outcomes": "_delivery",
    "skip_reason": "_delivery",
    "stuck_sending": "_delivery",
    "assemble_digest": "_digest",
    "day_alerts": "_digest",
    "digest_key": "_digest",
    "AD_KINDS": "_evidence",
    "DIGEST": "_evidence",
    "SALES_KINDS": "_evidence",
    "DigestAlert": "_evidence",
    "DigestEvidence": "_evidence",
    "DigestOff": "_evidence",
    "Evidence": "_evidence",
    "Nudge": "_evidence",
    "UnknownNudge": "_evidence",
    "evidence_of": "_evidence",
    "outbox_json": "_evidence",
    "Finding": "_findings",
    "Findings": "_findings",
    "ScanReport": "_findings",
    "detect": "_findings",
    "find": "_findings",
    "record": "_findings",
    "Hours": "_hours",
    "NudgeHours": "_hours",
    "in_morning": "_hours",
    "in_quiet_hours": "_hours",
    "yesterday": "_hours",
    "OutboxAlert": "_outbox_alerts",
    "outbox_alerts": "_outbox_alerts",
    "PlannedSeller": "_plan",
    "ScanPlan": "_plan",
    "linked_sellers": "_plan",
    "plan_scan": "_plan",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


__all__ = [
    "AD_KINDS",
    "BATCH",
    "DIGEST",
    "IN_FLIGHT_LIMIT",
    "SALES_KINDS",
    "DeliveryReport",
    "DigestAlert",
    "DigestEvidence",
    "DigestOff",
    "Due",
    "Evidence",
    "Finding",
    "Findings",
    "Hours",
    "Nudge",
    "NudgeHours",
    "OutboxAlert",
    "Outcome",
    "PlannedSeller",
    "Recipient",
    "ScanPlan",
    "ScanReport",
    "UnknownNudge",
    "assemble_digest",
    "claim",
    "day_alerts",
    "detect",
    "digest_key",
    "evidence_of",
    "find",
    "in_morning",
    "in_quiet_hours",
    "linked_sellers",
    "outbox_alerts",
    "outbox_json",
    "plan_scan",
    "record",
    "record_outcomes",
    "skip_reason",
    "stuck_sending",
    "yesterday",
]
