"""Import one file into one seller, in one transaction, then tell the hooks.

A file with any bad row imports nothing: the report lists every problem as
`file:line: reason`. Hooks run only after the transaction has committed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from storage.importing.ad_rows import parse_ads
from storage.importing.ad_writer import write_ads
from storage.importing.csvfile import read_table
from storage.importing.formats import choose_format
from storage.importing.order_rows import parse_orders
from storage.importing.order_writer import write_orders
from storage.importing.report import AdsReport, ImportHook, ImportReport, OrdersReport
from storage.sellers import get_seller

log = logging.getLogger(__name__)


class _Rollback(Exception):
    def __init__(self, report: ImportReport) -> None:
        self.report = report


def run_hooks(hooks: Sequence[ImportHook], report: ImportReport) -> None:
    """Call each hook with a successful report; a failing hook is logged, not raised."""
    if not report.ok:
        return
    for hook in hooks:
        try:
            hook(report)
        except Exception:
            log.exception("import hook %r failed for %s", hook, report.source)


def import_orders(
    sessions: sessionmaker[Session],
    data: bytes,
    *,
    source: str,
    seller: str,
    format_name: str | None = None,
    mapping: Mapping[str, str] | None = None,
    hooks: Sequence[ImportHook] = (),
) -> OrdersReport:
    """Import an order export (bytes of a CSV file named `source`) into seller `seller`.

    format_name: 'shopify' or 'generic'; None detects Shopify by its columns.
    mapping: generic field -> the file's column name, over the format's names.
    """
    with sessions.begin() as session:
        store = get_seller(session, seller)
        table = read_table(data, source)
        fmt = choose_format(format_name, table.header, mapping)
        parsed = parse_orders(
            table, fmt, timezone=ZoneInfo(store.timezone), currency=store.currency
        )
        if parsed.errors:
            return OrdersReport(source=source, errors=parsed.errors)
        report = write_orders(session, store.id, parsed)
    run_hooks(hooks, report)
    return report


def import_ads(
    sessions: sessionmaker[Session],
    data: bytes,
    *,
    source: str,
    seller: str,
    hooks: Sequence[ImportHook] = (),
) -> AdsReport:
    """Import daily ad stats (bytes of a CSV file named `source`) into seller `seller`."""
    try:
        with sessions.begin() as session:
            store = get_seller(session, seller)
            parsed = parse_ads(read_table(data, source), currency=store.currency)
            if parsed.errors:
                return AdsReport(source=source, errors=parsed.errors)
            report = write_ads(session, store.id, parsed)
            if report.errors:
                raise _Rollback(report)
    except _Rollback as rollback:
        assert isinstance(rollback.report, AdsReport)
        return rollback.report
    run_hooks(hooks, report)
    return report
