"""Store connectors: live platform data into each seller's database.

`Source` (one platform account of one seller) yields `Page`s after a durable
cursor; the sync engine (`sync`, `sync_all`) writes each page and its cursor in
one transaction through the same write path as the file importers. See
`_source.py` (the protocol), `sync.py` (the engine), `accounts.py` (the state per
seller and source), `registry.py` (which platforms exist) and `secrets.py`
(credentials encrypted at rest).
"""

from storage.connectors._source import (
    Cursor,
    KeywordDay,
    Page,
    ProductStock,
    Source,
    SourceError,
)
from storage.connectors.sync import SyncReport, sync, sync_all

__all__ = [
    "Cursor",
    "KeywordDay",
    "Page",
    "ProductStock",
    "Source",
    "SourceError",
    "SyncReport",
    "sync",
    "sync_all",
]
