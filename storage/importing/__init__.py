"""Import of real store data: order exports (Shopify or generic CSV) and daily ad stats.

Parsing is pure (`read_table` -> `parse_orders` / `parse_ads`: typed rows and
`file:line: reason` errors); writing takes a session (`write_orders`,
`write_ads`); `import_orders` / `import_ads` do one file in one transaction and
then call the hooks, e.g. to update a search index incrementally.
"""

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
