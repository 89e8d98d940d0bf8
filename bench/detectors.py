"""Detector evaluation on simulated sellers and campaigns with injected incidents.

    .venv/bin/python bench/detectors.py [--per-size 5] [--days 730] [--seed 1]
                                        [--dispersion 0.0] [--ad-noise 0.0]

The simulator (bench/_simulate.py) draws orders from storage/demo/profile.py,
the same demand profile the demo generator uses (storage/demo), so these
figures describe the detectors on the data the demo store is filled with.

Scans replayed: the intraday check each hour (window [0, h) of today, h =
1..23) and the whole-day check of yesterday just after midnight; one sales
alert per seller and day (its dedupe key), stamped with the first scan that
finds it. An incident counts as found when an alert for one of its days comes
after it started and no later than 09:00 the morning after its first day
("by the next morning's scan"). A false alert is any alert not so explained;
false alerts per seller-quarter = false alerts / (clean seller-days / 90).

The recall bars are on whole-day incidents ("day": one day, "days": 2–4 days),
for which a drop d of the day is what d·√λ ≥ 4 speaks of. A "from_hour" drop
starts between 06:00 and 20:00 and lasts to midnight: it removes only d × (the
share of the day's orders after its start), and is reported apart.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.detectors.ads import METRICS, AdDetectorConfig, AdSeries, replay_ads  # noqa: E402
from analytics.detectors.sales import SalesDetectorConfig, replay_sales  # noqa: E402
from bench._simulate import (  # noqa: E402
    DROPS,
    FIRST_DATE,
    AdSimulation,
    Incident,
    SalesSimulation,
    simulate_ads,
    simulate_sales,
)

SALES_SIZES = (5, 10, 20, 35, 50, 70, 100, 150, 200, 300, 500, 1000, 2000)
AD_SIZES = (3, 10, 30, 100, 300, 1000, 3000)
DEADLINE_HOUR = 9  # the morning after the incident's first day


@dataclass(frozen=True, slots=True)
class Found:
    incident: Incident
    size: float
    detected: bool
    delay_hours: float | None


@dataclass(frozen=True, slots=True)
class Score:
    """One evaluation: incidents with their outcome, alert counts, clean days per unit."""

    sizes: NDArray[np.float64]  # per unit
    found: tuple[Found, ...]
    true_alerts: int
    false_alerts: NDArray[np.int64]  # per unit
    clean_days: NDArray[np.int64]  # per unit

    @property
    def precision(self) -> float:
        total = self.true_alerts + int(self.false_alerts.sum())
        return self.true_alerts / total if total else float("nan")

    def false_per_quarter(self, mask: NDArray[np.bool_] | None = None) -> float:
        mask = np.ones(len(self.sizes), dtype=bool) if mask is None else mask
        days = self.clean_days[mask].sum()
        return float(self.false_alerts[mask].sum() / (days / 90)) if days else float("nan")

    def recall(
        self,
        shapes: tuple[str, ...],
        drop: float | None = None,
        min_size: float = 0.0,
        size: float | None = None,
    ) -> tuple[float, int]:
        chosen = [
            f for f in self.found
            if f.incident.shape in shapes
            and (drop is None or abs(f.incident.drop - drop) < 1e-9)
            and f.size >= min_size
            and (size is None or f.size == size)
        ]  # fmt: skip
        if not chosen:
            return float("nan"), 0
        return sum(f.detected for f in chosen) / len(chosen), len(chosen)

    def median_delay(self, shapes: tuple[str, ...]) -> float:
        delays = [f.delay_hours for f in self.found if f.detected and f.incident.shape in shapes]
        return float(np.median(delays)) if delays else float("nan")


def score_sales(sim: SalesSimulation, config: SalesDetectorConfig) -> Score:
    days = np.arange(sim.warmup_days, sim.days)
    valid_from = np.zeros(len(sim.orders_per_day), dtype=np.int64)
    replay = replay_sales(sim.counts, valid_from, days, config)
    first = replay.first_alert_hour(config, np.full(len(days), 24))
    when = np.where(first > 0, days[None, :] * 24 + first, -1)  # scan hour index
    cause = np.full(first.shape, -1)  # incident start explaining a day's alert
    for incident in sim.incidents:
        for day in range(incident.first_day, incident.last_day + 1):
            if day >= sim.warmup_days:
                cause[incident.unit, day - sim.warmup_days] = incident.start
    alerted = first > 0
    explained = alerted & (cause >= 0) & (when > cause)
    found = []
    for incident in sim.incidents:
        lo, hi = incident.first_day - sim.warmup_days, incident.last_day - sim.warmup_days
        times = when[incident.unit, lo : hi + 1]
        deadline = (incident.first_day + 1) * 24 + DEADLINE_HOUR
        hits = times[(times > incident.start) & (times <= deadline)]
        found.append(
            Found(
                incident=incident,
                size=float(sim.orders_per_day[incident.unit]),
                detected=bool(len(hits)),
                delay_hours=float(hits.min() - incident.start) if len(hits) else None,
            )
        )
    return Score(
        sizes=sim.orders_per_day,
        found=tuple(found),
        true_alerts=int(explained.sum()),
        false_alerts=(alerted & ~explained).sum(axis=1),
        clean_days=(cause < 0).sum(axis=1),
    )


def ad_series(sim: AdSimulation) -> AdSeries:
    count = len(sim.clicks_per_day)
    return AdSeries(
        campaign_ids=np.arange(1, count + 1),
        seller_ids=np.arange(1, count + 1),
        first_date=FIRST_DATE,
        impressions=sim.impressions,
        clicks=sim.clicks,
        spend=sim.spend,
        conversions=sim.conversions,
        revenue=sim.revenue,
    )


EXPLAINS = {"ctr": {"ctr"}, "cvr": {"cvr"}, "roas": {"cvr", "cpc"}}
PRIMARY = {"ctr": "ctr", "cvr": "cvr", "cpc": "roas"}


def score_ads(sim: AdSimulation, config: AdDetectorConfig) -> Score:
    days = np.arange(sim.warmup_days, sim.days)
    replay = replay_ads(ad_series(sim), days, config)
    shape = np.full((len(sim.clicks_per_day), len(days)), "", dtype=object)
    for incident in sim.incidents:
        shape[incident.unit, incident.first_day - sim.warmup_days : incident.last_day
              - sim.warmup_days + 1] = incident.shape  # fmt: skip
    true_alerts = 0
    false_alerts = np.zeros(len(sim.clicks_per_day), dtype=np.int64)
    fired = {m: replay.fired(m, config) for m in METRICS}
    for metric in METRICS:
        explained = np.isin(shape, list(EXPLAINS[metric]))
        true_alerts += int((fired[metric] & explained).sum())
        false_alerts += (fired[metric] & ~explained).sum(axis=1)
    found = []
    for incident in sim.incidents:
        day = incident.first_day - sim.warmup_days  # found by the next morning: its first day
        hit = bool(fired[PRIMARY[incident.shape]][incident.unit, day])  # type: ignore[index]
        found.append(
            Found(
                incident=incident,
                size=float(sim.clicks_per_day[incident.unit]),
                detected=hit,
                delay_hours=24.0 if hit else None,
            )
        )
    return Score(
        sizes=sim.clicks_per_day,
        found=tuple(found),
        true_alerts=true_alerts,
        false_alerts=false_alerts,
        clean_days=(shape == "").sum(axis=1),
    )


def _pct(value: float) -> str:
    return "  -  " if np.isnan(value) else f"{100 * value:4.0f}%"


def recall_table(
    score: Score, shapes: tuple[str, ...], sizes: tuple[float, ...], unit: str
) -> None:
    print(f"{unit:>9} | " + " ".join(f"{int(d * 100):>4}%" for d in DROPS) + " | smallest@95%  n")
    for size in sizes:
        cells, smallest = [], None
        for drop in DROPS:
            value, _ = score.recall(shapes, drop=drop, size=size)
            cells.append(_pct(value))
        # the smallest drop from which every larger drop is caught ≥ 95 %
        for drop in reversed(DROPS):
            value, count = score.recall(shapes, drop=drop, size=size)
            if count and value >= 0.95:
                smallest = drop
            else:
                break
        _, count = score.recall(shapes, size=size)
        label = f"{int(smallest * 100)}%" if smallest is not None else "none"
        print(f"{size:>9g} | " + " ".join(cells) + f" | {label:>12} {count:>3}")


def false_table(score: Score, sizes: tuple[float, ...], unit: str) -> None:
    print(f"{unit:>9} | false alerts per unit-quarter (clean days)")
    for size in sizes:
        mask = score.sizes == size
        print(
            f"{size:>9g} | {score.false_per_quarter(mask):5.2f}  "
            f"({int(score.false_alerts[mask].sum())} in {int(score.clean_days[mask].sum())} days)"
        )


def report_sales(score: Score, sizes: tuple[float, ...]) -> dict[str, float]:
    whole = ("day", "days")
    bars = {
        "recall_30pct_ge200": score.recall(whole, drop=0.3, min_size=200)[0],
        "recall_50pct_ge70": score.recall(whole, drop=0.5, min_size=70)[0],
        "false_per_quarter_max": max(score.false_per_quarter(score.sizes == s) for s in sizes),
    }
    print(f"precision {score.precision:.3f}  ·  false alerts per seller-quarter "
          f"{score.false_per_quarter():.2f} overall, {bars['false_per_quarter_max']:.2f} "
          "at the worst size")  # fmt: skip
    for shapes in (("day",), ("days",), ("from_hour",)):
        value, count = score.recall(shapes)
        print(f"  {shapes[0]:>9}: recall {_pct(value)} of {count}, median detection delay "
              f"{score.median_delay(shapes):.0f} h after the drop began")  # fmt: skip
    print(f"bar: recall of 30 % drops at >= 200 orders/day: {_pct(bars['recall_30pct_ge200'])} "
          f"(need 95 %)")  # fmt: skip
    print(f"bar: recall of 50 % drops at >= 70 orders/day:  {_pct(bars['recall_50pct_ge70'])} "
          f"(need 95 %)")  # fmt: skip
    print(f"bar: false alerts per seller-quarter at every size: <= "
          f"{bars['false_per_quarter_max']:.2f} (need <= 1)")  # fmt: skip
    print("\nrecall of whole-day drops (day, days) by orders/day and drop:")
    recall_table(score, whole, sizes, "orders/d")
    print("\nrecall of from-hour drops (06-20h to midnight) by orders/day and drop:")
    recall_table(score, ("from_hour",), sizes, "orders/d")
    print()
    false_table(score, sizes, "orders/d")
    return bars


def report_ads(score: Score, sizes: tuple[float, ...]) -> dict[str, float]:
    print(f"precision {score.precision:.3f}  ·  false alerts per campaign-quarter "
          f"{score.false_per_quarter():.2f} overall (CTR, CVR and ROAS together)")  # fmt: skip
    for shape, metric in PRIMARY.items():
        value, count = score.recall((shape,))
        print(f"  {shape} incidents found by the {metric} check: {_pct(value)} of {count}")
    for shape, metric in PRIMARY.items():
        print(f"\nrecall of {shape} incidents ({metric} check) by clicks/day and drop:")
        recall_table(score, (shape,), sizes, "clicks/d")
    print()
    false_table(score, sizes, "clicks/d")
    return {"false_per_quarter_max": max(score.false_per_quarter(score.sizes == s) for s in sizes)}


def generator_check(days: int = 120) -> None:
    """Stores from the demo generator (storage/demo.generate_store, with its own
    day-to-day noise and growth) with injected incidents; `alerts_report` over
    their last 8 weeks lists what the hourly and morning scans would have sent.
    Optional: skipped with a note when the generator's API is not there."""
    try:
        import datetime as dt
        import tempfile
        from zoneinfo import ZoneInfo

        from analytics.common import Store, Window
        from analytics.detectors import AlertsReport, alerts_report
        from storage.db import make_engine, session_factory, upgrade
        from storage.demo.generate import generate_store
        from storage.demo.spec import AdCollapse, SalesDrop, StoreSpec
    except ImportError as exc:
        print(f"\n== generator check skipped: {exc}")
        return
    zone = ZoneInfo("Asia/Seoul")
    until = dt.datetime(2025, 6, 30, 9, 0, tzinfo=zone)

    def midnight(back: int) -> dt.datetime:
        return dt.datetime.combine(until.date() - dt.timedelta(days=back), dt.time(), tzinfo=zone)

    incidents = (
        SalesDrop(midnight(40), midnight(39), 0.5),  # one whole day, -50 %
        SalesDrop(midnight(25), midnight(22), 0.3),  # three days, -30 %
        SalesDrop(midnight(10) + dt.timedelta(hours=11), midnight(9), 0.8),  # from 11:00
        AdCollapse(0, "ctr", 0.6, midnight(15), midnight(14)),
    )
    truth = {
        until.date() - dt.timedelta(days=back): label
        for back, label in ((40, "-50% day"), (25, "-30% 3 days"), (24, "-30% 3 days"),
                            (23, "-30% 3 days"), (10, "-80% from 11:00"), (15, "CTR -60%"))
    }  # fmt: skip
    print("\n== generator check: storage/demo.generate_store stores (5 % day noise, growth),")
    print("   incidents at days -40 (-50 %), -25..-23 (-30 %), -10 from 11:00 (-80 %),")
    print("   CTR -60 % on day -15; alerts_report over the last 56 days:")
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/generated.db")
        upgrade(engine)
        sessions = session_factory(engine)
        for size in (20, 70, 200, 1000):
            with sessions() as session, session.begin():
                spec = StoreSpec(
                    slug=f"gen{size}", until=until, days=days, orders_per_day=float(size),
                    incidents=incidents, with_visits=False,
                )  # fmt: skip
                report = generate_store(session, spec, np.random.default_rng(size))
                window = Window(until.date() - dt.timedelta(days=55), until.date(), until)
                found = alerts_report(session, Store(id=report.seller_id, timezone=zone), window)
            if not isinstance(found, AlertsReport):
                print(f"  {size:>5}/day: {found}")
                continue
            hits = sorted({truth[a.local_date] for a in found.alerts if a.local_date in truth})
            false = [f"{a.kind} {a.local_date}" for a in found.alerts if a.local_date not in truth]
            print(f"  {size:>5}/day: found {hits or 'nothing'}; other alerts: {false or 'none'}")
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-size", type=int, default=8, help="sellers/campaigns per size")
    parser.add_argument("--days", type=int, default=793, help="simulated days (incl. warm-up)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dispersion", type=float, default=0.0,
                        help="day-level gamma variance of demand (0.0025 ~ generator's 5 %%)")  # fmt: skip
    parser.add_argument("--ad-noise", type=float, default=0.0,
                        help="sd of a lognormal day factor on CTR, CVR, impressions")  # fmt: skip
    parser.add_argument("--no-generator", action="store_true", help="skip the generator check")
    args = parser.parse_args()

    sales_config, ad_config = SalesDetectorConfig(), AdDetectorConfig()
    sizes = np.repeat(SALES_SIZES, args.per_size)
    started = time.perf_counter()
    sim = simulate_sales(sizes, days=args.days, seed=args.seed, dispersion=args.dispersion)
    score = score_sales(sim, sales_config)
    elapsed = time.perf_counter() - started
    print(f"== sales drops: {len(sizes)} simulated sellers ({args.per_size} at each of "
          f"{len(SALES_SIZES)} sizes, 5-2,000 orders/day), {args.days - sim.warmup_days} days "
          f"each after {sim.warmup_days} warm-up, {len(sim.incidents)} incidents, "
          f"dispersion {args.dispersion}; {elapsed:.1f} s")  # fmt: skip
    print(f"   config: {sales_config}")
    report_sales(score, SALES_SIZES)

    ad_sizes = np.repeat(AD_SIZES, args.per_size)
    started = time.perf_counter()
    ads = simulate_ads(ad_sizes, days=args.days, seed=args.seed + 1, noise=args.ad_noise)
    ad_score = score_ads(ads, ad_config)
    elapsed = time.perf_counter() - started
    print(f"\n== ad-efficiency drops: {len(ad_sizes)} simulated campaigns ({args.per_size} at "
          f"each of {len(AD_SIZES)} sizes, 3-3,000 clicks/day, CTR 2 %, CVR 4 %), "
          f"{args.days - ads.warmup_days} days, {len(ads.incidents)} incidents, noise "
          f"{args.ad_noise}; {elapsed:.1f} s")  # fmt: skip
    print(f"   config: {ad_config}")
    report_ads(ad_score, AD_SIZES)
    if not args.no_generator:
        generator_check()


if __name__ == "__main__":
    main()
