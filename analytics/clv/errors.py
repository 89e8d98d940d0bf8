"""Domain errors of the customer-lifetime models (all `ValueError`s, so an edge
that turns `ValueError` into a clean message handles them)."""

from __future__ import annotations


class InvalidTransactionsError(ValueError):
    """A transactions frame that cannot be summarised (missing column, null id, bad amount)."""


class InvalidSummaryError(ValueError):
    """Customers' (x, t_x, T[, monetary]) outside the model's domain (e.g. t_x > T)."""


class FitError(ValueError):
    """Maximum likelihood could not produce usable parameters (too little data,
    no repeat purchases, the optimiser did not converge, or a degenerate optimum)."""
