"""Import one file into one seller, in one transaction, then tell the hooks.

A file with any bad row imports nothing: the report lists every problem as
`file:line: reason`. Hooks run only after the transaction has committed.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from storage.importing.ad_rows import parse_ads
from storage.importing.ad_writer import write_ads
from storage.importing.csvfile import read_table
from storage.importing.formats import SMARTSTORE, OrderFormat, choose_format
from storage.importing.order_rows import ParsedOrders, parse_orders
from storage.importing.order_writer import write_orders
from storage.importing.report import AdsReport, ImportHook, ImportReport, OrdersReport
from storage.importing.smartstore import parse_product_orders, read_export
from storage.importing.xlsx import is_workbook
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


def parse_order_file(
    data: bytes,
    source: str,
    *,
    timezone: ZoneInfo,
    currency: str,
    format_name: str | None = None,
    mapping: Mapping[str, str] | None = None,
    password: str | None = None,
) -> ParsedOrders:
    """The typed orders of an order export: a CSV file, or a Smart Store workbook (.xlsx,
    decrypted with `password` when encrypted). Pure: no database."""
    fmt: OrderFormat | None = None
    if format_name is None and is_workbook(data):
        fmt = choose_format(SMARTSTORE.name, (), mapping)
    elif format_name is not None:
        fmt = choose_format(format_name, (), mapping)
    if fmt is not None and fmt.product_orders:
        table = read_export(data, source, fmt, password=password)
    else:
        table = read_table(data, source)
        fmt = fmt or choose_format(None, table.header, mapping)
        if fmt.product_orders:  # a Smart Store CSV whose header is its first row
            table = read_export(data, source, fmt)
    if fmt.product_orders:
        return parse_product_orders(table, fmt, timezone=timezone, currency=currency)
    return parse_orders(table, fmt, timezone=timezone, currency=currency)


def import_orders(
    sessions: sessionmaker[Session],
    data: bytes,
    *,
    source: str,
    seller: str,
    format_name: str | None = None,
    mapping: Mapping[str, str] | None = None,
    password: str | None = None,
    hooks: Sequence[ImportHook] = (),
) -> OrdersReport:
    """Import an order export (bytes of a file named `source`) into seller `seller`.

    format_name: 'shopify', 'generic' or 'smartstore'; None detects Shopify and Smart
    Store by their columns (a workbook is a Smart Store export).
    mapping: generic field -> the file's column name, over the format's names.
    password: an encrypted workbook's password; used to decrypt it, never kept.
    The report lists the file's columns the import did not read (`unused_columns`).
    """
    with sessions.begin() as session:
        store = get_seller(session, seller)
        parsed = parse_order_file(
            data,
            source,
            timezone=ZoneInfo(store.timezone),
            currency=store.currency,
            format_name=format_name,
            mapping=mapping,
            password=password,
        )
        if parsed.errors:
            return OrdersReport(source=source, errors=parsed.errors)
        report = write_orders(session, store.id, parsed)
    report = dataclasses.replace(report, unused_columns=parsed.unused_columns)
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
