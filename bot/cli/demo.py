"""`advisor demo`: what is in the demo store and what to try next.

`summary_lines` renders a storage.demo.StoreSummary; the terminal chat can call
it (or `show_summary`) before its first prompt.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.cli._common import CliError, add_command, open_database
from storage.demo import IncidentNote, StoreSummary, summarize_store
from storage.sellers import SellerError

NEXT_STEPS = (
    ("advisor chat --seller demo", "ask in Korean or English: 오늘 매출 어때? / what sold best?"),
    ("advisor ask QUESTION --seller demo --json", "one answer, with the tool calls as JSON"),
    ("advisor import orders FILE.csv --seller SLUG", "load a real order export (Shopify or CSV)"),
    ("advisor link-code --seller demo", "a code that links a Telegram chat (see README)"),
)


def register(subparsers: Any) -> None:
    parser = add_command(subparsers, "demo", _demo, "summarise the demo store and what to try")
    parser.add_argument("--seller", default="demo", help="seller slug (default demo)")


def _demo(args: argparse.Namespace) -> int:
    _, sessions = open_database()
    for line in show_summary(sessions, args.seller):
        print(line)
    return 0


def show_summary(sessions: sessionmaker[Session], slug: str = "demo") -> list[str]:
    """The summary lines of seller `slug`, or a CliError telling how to create it."""
    with sessions() as session:
        try:
            summary = summarize_store(session, slug)
        except SellerError as exc:
            hint = "run: advisor seed" if slug == "demo" else "see: advisor seller list"
            raise CliError(f"no store {slug!r} in this database ({hint})") from exc
    return summary_lines(summary)


def summary_lines(summary: StoreSummary) -> list[str]:
    zone = ZoneInfo(summary.timezone)

    def day(value: dt.datetime) -> str:
        return f"{value.astimezone(zone):%Y-%m-%d}"

    lines = [f"{summary.name} ({summary.slug}, {summary.timezone}, {summary.currency})"]
    if summary.first_order_at is None or summary.last_order_at is None:
        lines.append("  no orders yet")
    else:
        last = summary.last_order_at.astimezone(zone)
        lines += [
            f"  data       {day(summary.first_order_at)} to {last:%Y-%m-%d %H:%M}",
            f"  orders     {summary.orders:,} ({summary.paid_orders:,} paid)",
            f"  revenue    {summary.recent_revenue:,} {summary.currency} from "
            f"{summary.recent_paid_orders:,} paid orders in the {summary.recent_days} days "
            f"to {day(summary.last_order_at)}",
        ]
    lines.append(
        f"  store      {summary.products} products, {summary.customers:,} customers, "
        f"{summary.campaigns} ad campaigns, {summary.visits:,} visits, "
        f"{summary.inquiries} inquiries"
    )
    if summary.incidents:
        lines.append("  injected   (ground truth for the detectors)")
        lines += [f"    - {_incident(note, zone)}" for note in summary.incidents]
    lines.append("What to try next:")
    width = max(len(command) for command, _ in NEXT_STEPS)
    lines += [f"  {command:<{width}}  {what}" for command, what in NEXT_STEPS]
    return lines


def _incident(note: IncidentNote, zone: ZoneInfo) -> str:
    details = note.details
    start = note.starts_at.astimezone(zone)
    end = note.ends_at.astimezone(zone)
    last_day = (end - dt.timedelta(seconds=1)).date() if end > start else start.date()
    span = f"on {start:%Y-%m-%d}" if last_day == start.date() else f"{start:%Y-%m-%d} to {last_day}"
    if note.kind == "sales_drop":
        return f"sales drop of {details.get('fraction', 0):.0%}, {span}"
    if note.kind == "ad_collapse":
        metric = str(details.get("metric", "")).upper()
        return (
            f"{metric} of campaign {details.get('campaign_name')!r} down "
            f"{details.get('fraction', 0):.0%}, {span}"
        )
    if note.kind == "keyword_gap":
        return (
            f"search keyword {details.get('keyword')!r} with no matching product: "
            f"{details.get('visits', 0):,} visits since {start:%Y-%m-%d}"
        )
    if note.kind == "ad_loss":
        return (
            f"campaign {details.get('campaign_name')!r} loses money "
            f"(ROAS about {details.get('target_roas', 0):.2f})"
        )
    if note.kind == "low_stock":
        names = ", ".join(str(p.get("name")) for p in details.get("products", []))
        return f"about to run out: {names}"
    return f"{note.kind}, {span}"
