"""The demo store generator (`advisor seed`), also the data source of detector tests.

Library API
-----------
    import numpy as np
    from storage.demo import StoreSpec, SalesDrop, AdCollapse, KeywordGap, generate_store

    spec = StoreSpec(
        slug="bench-1",
        until=dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC),
        days=120,
        orders_per_day=80,
        incidents=(SalesDrop(starts_at, ends_at, fraction=0.4),),   # () = clean data
    )
    with sessions.begin() as session:
        report = generate_store(session, spec, np.random.default_rng(7))

`generate_store` creates the seller and its whole history in the caller's
transaction, refreshes its daily rollups (storage.rollups), and returns a
`StoreReport` (seller id and row counts). Same spec,
same rng state and an empty database give identical rows. Knobs on StoreSpec:
`theme` (catalog: DEMO, BEAUTY, PETS, CAMPING), `growth`, `day_noise` (0 for a
pure Poisson process), `conversion`, `losing_campaign`, `with_visits`,
`visit_days` (visits of the last 90 days by default), `with_ads`, `inquiries`,
`low_stock_products`.

Injected incidents (also written to the `incidents` table as ground truth):
  SalesDrop(starts_at, ends_at, fraction)   kind "sales_drop": orders and visits
      × (1 - fraction) in every local hour starting in [starts_at, ends_at);
      details: fraction, expected_orders_without_drop, expected_orders, observed_orders.
  AdCollapse(campaign, "ctr"|"cvr", fraction, starts_at, ends_at)   kind "ad_collapse":
      campaign number `campaign` (0-based) loses that share of its CTR or CVR on the
      local dates starting in the window; details: campaign_id, campaign_name, metric,
      fraction, baseline.
  KeywordGap(keyword, share, starts_at)   kind "keyword_gap": `share` of on-site
      searches from starts_at use a keyword no product name contains; none of those
      visits buys; details: keyword, share, visits.
Always recorded as well: "ad_loss" (the campaign whose ROAS is far below break-even;
details: campaign_id, target_roas) and "low_stock" (products left with 1-3 days of
stock at `until`; details: products[]).

Demand shape: storage.demo.profile.expected_orders (weekday × hour-of-day), times a
slow trend and lognormal day noise. `demo_spec(until)` is the `demo` seller with its
standard incidents; `seed_specs` + `seed_stores` are what `advisor seed` runs; they
refuse (SellerError, nothing written) when a slug exists already.
`summarize_store(session, slug)` feeds `advisor demo`.
"""

from storage.demo.catalog import BEAUTY, CAMPING, DEMO, PETS, Theme
from storage.demo.generate import StoreReport, generate_store
from storage.demo.seed import seed_specs, seed_stores
from storage.demo.spec import (
    AdCollapse,
    InjectedIncident,
    KeywordGap,
    SalesDrop,
    StoreSpec,
    demo_spec,
    other_spec,
)
from storage.demo.summary import IncidentNote, StoreSummary, summarize_store

__all__ = [
    "BEAUTY",
    "CAMPING",
    "DEMO",
    "PETS",
    "AdCollapse",
    "IncidentNote",
    "InjectedIncident",
    "KeywordGap",
    "SalesDrop",
    "StoreReport",
    "StoreSpec",
    "StoreSummary",
    "Theme",
    "demo_spec",
    "generate_store",
    "other_spec",
    "seed_specs",
    "seed_stores",
    "summarize_store",
]
