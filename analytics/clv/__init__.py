"""Customer lifetime value: BG/NBD repeat buying, Gamma-Gamma spend, and the
"future regulars" report for one seller.

- `bgnbd`: log-likelihood, `fit`, `probability_alive`, `expected_purchases`.
- `gamma_gamma`: log-likelihood, `fit`, `expected_average_spend`.
- `summarize_transactions`: (customer, date, amount) rows to (x, t_x, T, monetary).
- `customer_summary`: the same built from one seller's paid orders.
- `score_store`: both models fitted and every customer scored (cacheable).
- `customer_report`: fitted parameters, segment sizes and the top customers of a segment.
"""

from analytics.clv import bgnbd, gamma_gamma
from analytics.clv.bgnbd import BGNBDFit, BGNBDParams
from analytics.clv.errors import FitError, InvalidSummaryError, InvalidTransactionsError
from analytics.clv.gamma_gamma import GammaGammaFit, GammaGammaParams
from analytics.clv.report import (
    MIN_CUSTOMERS,
    MIN_REPEAT_BUYERS,
    BGNBDParameters,
    CustomerOutlook,
    CustomerReport,
    GammaGammaParameters,
    ScoredStore,
    Segment,
    SegmentCounts,
    SegmentRules,
    customer_report,
    score_customers,
    score_store,
)
from analytics.clv.summary import summarize_transactions
from analytics.clv.transactions import customer_summary, purchase_days

__all__ = [
    "MIN_CUSTOMERS",
    "MIN_REPEAT_BUYERS",
    "BGNBDFit",
    "BGNBDParameters",
    "BGNBDParams",
    "CustomerOutlook",
    "CustomerReport",
    "FitError",
    "GammaGammaFit",
    "GammaGammaParameters",
    "GammaGammaParams",
    "InvalidSummaryError",
    "InvalidTransactionsError",
    "Segment",
    "SegmentCounts",
    "SegmentRules",
    "bgnbd",
    "ScoredStore",
    "customer_report",
    "score_store",
    "customer_summary",
    "gamma_gamma",
    "purchase_days",
    "score_customers",
    "summarize_transactions",
]
