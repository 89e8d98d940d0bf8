"""Import of real store data: order exports (Shopify or generic CSV) and daily ad stats.

Parsing is pure (`read_table` -> `parse_orders` / `parse_ads`: typed rows and
`file:line: reason` errors); writing takes a session (`write_orders`,
`write_ads`); `import_orders` / `import_ads` do one file in one transaction and
then call the hooks, e.g. to update a search index incrementally.

Names are imported on first use, so a module that needs one pure helper
(`storage.importing.values`) does not load the writers and their drivers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.importing.ad_rows import ParsedAdDay, ParsedAds, parse_ads
    from storage.importing.ad_writer import write_ads
    from storage.importing.csvfile import CsvTable, read_table
    from storage.importing.files import import_ads, import_orders, run_hooks
    from storage.importing.formats import (
        GENERIC,
        ORDER_FIELDS,
        SHOPIFY,
        MappingError,
        OrderFormat,
        choose_format,
        load_mapping,
        parse_mapping,
    )
    from storage.importing.order_rows import ParsedLine, ParsedOrder, ParsedOrders, parse_orders
    from storage.importing.order_writer import write_orders
    from storage.importing.report import (
        AdsReport,
        ImportHook,
        ImportReport,
        OrdersReport,
        RowError,
    )

_WHERE = {
    "ParsedAdDay": "storage.importing.ad_rows",
    "ParsedAds": "storage.importing.ad_rows",
    "parse_ads": "storage.importing.ad_rows",
    "write_ads": "storage.importing.ad_writer",
    "CsvTable": "storage.importing.csvfile",
    "read_table": "storage.importing.csvfile",
    "import_ads": "storage.importing.files",
    "import_orders": "storage.importing.files",
    "run_hooks": "storage.importing.files",
    "GENERIC": "storage.importing.formats",
    "ORDER_FIELDS": "storage.importing.formats",
    "SHOPIFY": "storage.importing.formats",
    "MappingError": "storage.importing.formats",
    "OrderFormat": "storage.importing.formats",
    "choose_format": "storage.importing.formats",
    "load_mapping": "storage.importing.formats",
    "parse_mapping": "storage.importing.formats",
    "ParsedLine": "storage.importing.order_rows",
    "ParsedOrder": "storage.importing.order_rows",
    "ParsedOrders": "storage.importing.order_rows",
    "parse_orders": "storage.importing.order_rows",
    "write_orders": "storage.importing.order_writer",
    "AdsReport": "storage.importing.report",
    "ImportHook": "storage.importing.report",
    "ImportReport": "storage.importing.report",
    "OrdersReport": "storage.importing.report",
    "RowError": "storage.importing.report",
}

__all__ = [
    "GENERIC",
    "ORDER_FIELDS",
    "SHOPIFY",
    "AdsReport",
    "CsvTable",
    "ImportHook",
    "ImportReport",
    "MappingError",
    "OrderFormat",
    "OrdersReport",
    "ParsedAdDay",
    "ParsedAds",
    "ParsedLine",
    "ParsedOrder",
    "ParsedOrders",
    "RowError",
    "choose_format",
    "import_ads",
    "import_orders",
    "load_mapping",
    "parse_ads",
    "parse_mapping",
    "parse_orders",
    "read_table",
    "run_hooks",
    "write_ads",
    "write_orders",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
