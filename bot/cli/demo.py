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

from bot.cli._common import CliError, add_command, advisor_command, open_database
from storage.demo import IncidentNote, StoreSummary, summarize_store
from storage.sellers import SellerError

NEXT_STEPS = (
    ("chat --seller {seller}", "ask in Korean or English: 오늘 매출 어때? / what sold best?"),
    ('ask "지난주 베스트 5" --seller {seller} --json', "one answer, with the tool calls as JSON"),
    ("link-code --seller {seller}", "a code that links a Telegram chat (see README)"),
    ("--help", "every command, e.g. import orders FILE.csv --seller SLUG for your own data"),
)


def register(subparsers: Any, help_text: str) -> None:
    parser = add_command(subparsers, "demo", _demo, help_text)
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
            command = advisor_command()
            hint = f"run: {command} seed" if slug == "demo" else f"see: {command} seller list"
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
    steps = [(next_command(step, summary.slug), what) for step, what in NEXT_STEPS]
    width = max(len(command) for command, _ in steps)
    lines += [f"  {command:<{width}}  {what}" for command, what in steps]
    return lines


def next_command(step: str, seller: str) -> str:
    """A NEXT_STEPS command as it runs from a new terminal at the checkout."""
    return f"{advisor_command()} {step.format(seller=seller)}"


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
