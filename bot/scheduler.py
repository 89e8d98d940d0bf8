"""Proactive nudges: the JobQueue's jobs, callable directly with an injected `now`.

Every hour (at HH:01) `scan` runs the detectors (analytics.detectors.scan) for
every linked, active seller with alerts on:

- today's sales so far (the intraday check);
- once a day, at the first scan at or after 09:00 seller time (and before quiet
  hours start): yesterday's whole-day sales check, yesterday's ads, and the
  morning digest for that seller.

Findings are recorded in the outbox with their dedupe keys (a finding seen again
records nothing); `deliver` (bot.alerts) then sends what may go out. The digest
row doubles as the marker that a seller's morning scan ran, so a restart at 10:30
still runs it once, and never twice. Jobs are not persisted across restarts: the
outbox is the memory, and a delivery job every minute sends what is pending.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from telegram.ext import Application, ExtBot

from analytics.detectors.scan import scan_ads, scan_sales
from bot import digest
from bot.alerts import DeliveryReport, deliver, stuck_sending
from bot.context import BotContext
from bot.services import BotOptions, Services
from storage.models import ChatLink, Seller
from storage.outbox import record_alert

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ScanReport:
    sellers: int
    morning: int
    found: int
    recorded: int
    digests: int


def _linked_sellers(session: Session) -> list[Seller]:
    return list(
        session.scalars(
            select(Seller)
            .where(Seller.active.is_(True), Seller.id.in_(select(ChatLink.seller_id)))
            .order_by(Seller.id)
        )
    )


def in_morning(now: dt.datetime, timezone: str, options: BotOptions) -> bool:
    hour = now.astimezone(ZoneInfo(timezone)).hour
    return options.morning_hour <= hour < options.quiet_start


@dataclass(frozen=True, slots=True)
class Finding:
    """One outbox row to record."""

    seller_id: int
    kind: str
    dedupe_key: str
    evidence: dict[str, Any]
    detected_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Findings:
    sellers: int
    morning: int
    alerts: list[Finding]
    digests: list[Finding]


def detect(session: Session, *, now: dt.datetime, options: BotOptions) -> Findings:
    """Run the detectors as of `now` and prepare the digests (reads only)."""
    sellers = _linked_sellers(session)
    zones = {s.id: s.timezone for s in sellers}
    due = [s.id for s in sellers if in_morning(now, s.timezone, options)]
    morning = set(due) - digest.morning_done(session, due, now, zones)
    watched = [s.id for s in sellers if s.alerts_enabled]
    found = scan_sales(session, now=now, seller_ids=watched) if watched else []
    # yesterday's whole-day check belongs to the morning scan
    found = [a for a in found if a.kind != "sales_drop_day" or a.seller_id in morning]
    ad_sellers = [sid for sid in watched if sid in morning]
    if ad_sellers:
        found += scan_ads(session, now=now, seller_ids=ad_sellers)
    alerts = [
        Finding(a.seller_id, a.kind, a.dedupe_key, a.outbox_evidence(), a.detected_at)
        for a in found
    ]
    digests = []
    for seller in sellers:
        if seller.id not in morning:
            continue
        day = digest.yesterday(now, seller.timezone)
        evidence: dict[str, Any] = (
            digest.digest_evidence(session, seller, now=now)
            if seller.digest_enabled
            else {"kind": digest.KIND, "local_date": day.isoformat(), "off": True}
        )
        digests.append(
            Finding(seller.id, digest.KIND, digest.dedupe_key(seller.id, day), evidence, now)
        )
    return Findings(len(sellers), len(morning), alerts, digests)


def record(session: Session, findings: Findings) -> ScanReport:
    """Write the findings to the outbox (a key seen before writes nothing)."""
    new = {"alerts": 0, "digests": 0}
    for name, rows in (("alerts", findings.alerts), ("digests", findings.digests)):
        for row in rows:
            new[name] += record_alert(
                session,
                seller_id=row.seller_id,
                kind=row.kind,
                dedupe_key=row.dedupe_key,
                evidence=row.evidence,
                detected_at=row.detected_at,
            )
    return ScanReport(
        findings.sellers, findings.morning, len(findings.alerts), new["alerts"], new["digests"]
    )


async def scan(services: Services, *, now: dt.datetime) -> ScanReport:
    """The detectors off the event loop, reading; then one short write transaction, so
    a scan of many sellers never holds the database's write lock for long. Findings
    are recorded before anything is sent."""
    options = services.options

    def read() -> Findings:
        with services.sessions() as session:
            return detect(session, now=now, options=options)

    findings = await asyncio.to_thread(read)
    return await services.db(lambda session: record(session, findings))


async def scan_and_deliver(
    services: Services, bot: ExtBot[None], *, now: dt.datetime
) -> tuple[ScanReport, DeliveryReport]:
    """What the hourly job does; tests call it with their own `now`."""
    found = await scan(services, now=now)
    sent = await deliver(services, bot, now=now)
    log.info("scan at %s: %s; delivery: %s", now.isoformat(), found, sent)
    return found, sent


async def hourly_job(context: BotContext) -> None:
    services = context.services
    await scan_and_deliver(services, context.bot, now=services.now())


async def delivery_job(context: BotContext) -> None:
    services = context.services
    await deliver(services, context.bot, now=services.now())


def _next_run(now: dt.datetime, minute: int) -> dt.datetime:
    at = now.replace(minute=minute, second=0, microsecond=0)
    return at if at > now else at + dt.timedelta(hours=1)


def start(application: Application[Any, Any, Any, Any, Any, Any], services: Services) -> None:
    """Schedule the jobs: hourly scans at HH:MM, a catch-up scan shortly after start,
    and delivery every `deliver_every` seconds."""
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("install python-telegram-bot[job-queue] for the alert scheduler")
    options = services.options
    stuck = _count_stuck(services)
    if stuck:
        log.warning("%d alert(s) were being sent when the bot stopped; not sent again", stuck)
    queue.run_repeating(
        hourly_job,
        interval=dt.timedelta(hours=1),
        first=_next_run(dt.datetime.now(dt.UTC), options.scan_minute),  # the JobQueue's clock
        name="hourly-scan",
    )
    queue.run_once(hourly_job, when=dt.timedelta(seconds=20), name="startup-scan")
    queue.run_repeating(
        delivery_job,
        interval=dt.timedelta(seconds=options.deliver_every),
        first=dt.timedelta(seconds=5),
        name="deliver-alerts",
    )


def _count_stuck(services: Services) -> int:
    with services.sessions() as session:
        return stuck_sending(session)
