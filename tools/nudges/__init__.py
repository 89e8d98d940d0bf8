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
"""

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
