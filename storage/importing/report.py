"""What an import did: typed reports and the `file:line: reason` errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in an import file, at a physical line (the header is line 1); line 0
    is the file as a whole (e.g. a workbook that cannot be decrypted)."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        if self.line == 0:
            return f"{self.source}: {self.reason}"
        return f"{self.source}:{self.line}: {self.reason}"


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


@dataclass(frozen=True, slots=True)
class OrdersReport:
    """The outcome of importing one order file; nothing was written when `errors` is not empty."""

    source: str
    errors: tuple[RowError, ...] = ()
    orders: int = 0
    lines: int = 0
    new_products: int = 0
    new_customers: int = 0
    already_imported: int = 0
    not_completed: int = 0
    order_ids: tuple[int, ...] = ()
    new_product_ids: tuple[int, ...] = ()
    stock_updates: int = 0
    """Products whose stock the file set (its `stock` column)."""
    updated: int = 0
    """Orders imported before whose status, time, customer or lines changed."""
    updated_ids: tuple[int, ...] = ()
    unused_columns: tuple[str, ...] = ()
    """The file's columns that the format offers but the import does not read."""
    kind: Literal["orders"] = "orders"

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        """One line for an operator, e.g. 'imported 12 orders (30 lines), ...', and a
        second naming the columns not read ('not used: 정산예정금액, 유입경로') if any."""
        if self.errors:
            return "nothing imported"
        text = (
            f"imported {_count(self.orders, 'order')} ({_count(self.lines, 'line')}), "
            f"{_count(self.new_products, 'new product')}, "
            f"{_count(self.new_customers, 'new customer')}; "
        )
        if self.updated:
            text += f"updated {_count(self.updated, 'order')} whose status or lines changed; "
        text += f"skipped {self.already_imported} already imported"
        if self.not_completed:
            text += f", {self.not_completed} not completed (pending, authorized, partially paid)"
        if self.stock_updates:
            text += f"; stock set for {_count(self.stock_updates, 'product')}"
        if self.unused_columns:
            text += f"\nnot used: {', '.join(self.unused_columns)}"
        return text


@dataclass(frozen=True, slots=True)
class AdsReport:
    """The outcome of importing one daily ad stats file (one row per campaign and day)."""

    source: str
    errors: tuple[RowError, ...] = ()
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    new_campaigns: int = 0
    campaign_ids: tuple[int, ...] = ()
    kind: Literal["ads"] = "ads"

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return "nothing imported"
        return (
            f"imported ad stats: {_count(self.added, 'campaign-day')} added, "
            f"{self.updated} updated, {_count(self.new_campaigns, 'new campaign')}; "
            f"skipped {self.unchanged} unchanged"
        )


ImportReport = OrdersReport | AdsReport

ImportHook = Callable[[ImportReport], None]
"""Called after an import has committed, e.g. to update a search index incrementally."""
