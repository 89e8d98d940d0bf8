"""Store connectors: live platform data into each seller's database.

`Source` (one platform account of one seller) yields `Page`s after a durable
cursor; the sync engine writes each page and its cursor in one transaction
through the same write path as the file importers. See `_source.py`.
"""

from storage.connectors._source import Cursor, Page, ProductStock, Source, SourceError

__all__ = ["Cursor", "Page", "ProductStock", "Source", "SourceError"]
