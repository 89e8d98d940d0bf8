"""Today's hourly revenue as bars in inline SVG (no script, no inline style: the
CSP allows neither), against the same hours yesterday."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from web.pages import PageView

WIDTH = 240
HEIGHT = 80


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the hour ("09") or day ("11-26")
    revenue: int


@dataclass(frozen=True, slots=True)
class BarChart:
    bars: tuple[Bar, ...]
    previous: tuple[Bar, ...]
    width: int = WIDTH
    height: int = HEIGHT


def _bars(series: list[Any], top: int, hourly: bool) -> tuple[Bar, ...]:
    slot = WIDTH / max(len(series), 1)
    bars = []
    for i, bucket in enumerate(series):
        height = HEIGHT * bucket.revenue / top if top else 0.0
        label = f"{bucket.start:%H}" if hourly else f"{bucket.start:%m-%d}"
        bars.append(
            Bar(i * slot + slot * 0.15, HEIGHT - height, slot * 0.7, height, label, bucket.revenue)
        )
    return tuple(bars)


def hourly_bars(view: PageView) -> BarChart | None:
    """The sales series of a page's sales_report panel, or None."""
    for panel in view.panels:
        run = panel.run
        if run is None or run.no_data or run.tool != "sales_report":
            continue
        result: Any = run.result
        if len(result.series) <= 1:
            return None
        previous = result.previous.series[: len(result.series)]
        top = max([b.revenue for b in result.series] + [b.revenue for b in previous] + [0])
        hourly = result.granularity == "hour"
        return BarChart(_bars(result.series, top, hourly), _bars(previous, top, hourly))
    return None
