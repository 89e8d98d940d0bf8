"""The reads behind the reports in analytics.sales, analytics.products,
analytics.ads and analytics.keywords: one module per report, each function
taking the session and returning plain typed rows (small frozen dataclasses
or ints), with no figure computed from them.

Where a range has complete local days kept in the daily rollups
(storage.rollups), those days are read from the rollup and only the partial
edges from the raw tables (see analytics._rollups); a read returns the two
already merged, so the caller never sees where a row came from.

The maths over the rows are pure functions in the report modules, tested on
hand-built rows without a database.
"""
