"""Charts as PNG pictures: matplotlib's Agg canvas, a bundled Korean font.

The advisor hands over a `tools.answer.Chart` (data only); this draws it. Each
chart is its own `Figure` on an Agg canvas (no pyplot, no global figure state),
so several can be drawn at once in worker threads: `render_png` is what the bot
awaits, running the drawing off the event loop.

The font is NanumSquare Regular (SIL Open Font License 1.1, bot/fonts/OFL.txt),
shipped in the repository so a fresh machine needs no system font. It is added
to matplotlib's font manager once and passed to every text element.
"""

from __future__ import annotations

import asyncio
import io
import threading
from functools import lru_cache
from pathlib import Path

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import FuncFormatter

from tools.answer import Chart

FONT_PATH = Path(__file__).resolve().parent / "fonts" / "NanumSquareR.ttf"
COLORS = ("#2f6fde", "#f08a24", "#2ca58d", "#c8553d", "#7b5ea7", "#7f7f7f")
WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.5, 110

_register_lock = threading.Lock()


@lru_cache(maxsize=1)
def korean_font() -> FontProperties:
    """The bundled font, registered with matplotlib's font manager (once)."""
    with _register_lock:
        font_manager.fontManager.addfont(str(FONT_PATH))
    return FontProperties(fname=str(FONT_PATH))


def _amount(value: float, _position: float) -> str:
    """Axis numbers with thousands separators; 1,200,000 as 1.2M keeps ticks short."""
    size = abs(value)
    if size >= 1_000_000:
        return f"{value / 1_000_000:,.1f}M".replace(".0M", "M")
    if size >= 10_000:
        return f"{value / 1_000:,.0f}K"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _sized(font: FontProperties, size: float) -> FontProperties:
    sized = font.copy()
    sized.set_size(size)
    return sized


def render(chart: Chart) -> bytes:
    """The chart as PNG bytes (about 880 x 495 pixels)."""
    font = korean_font()
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = list(chart.labels)
    series = list(chart.series.items())
    positions = list(range(len(labels)))
    if chart.kind == "line":
        for index, (name, values) in enumerate(series):
            axes.plot(
                positions,
                values,
                marker="o" if len(labels) <= 31 else None,
                markersize=3,
                linewidth=2,
                color=COLORS[index % len(COLORS)],
                label=name,
            )
    else:
        count = max(len(series), 1)
        width = 0.8 / count
        for index, (name, values) in enumerate(series):
            offsets = [p - 0.4 + width * (index + 0.5) for p in positions]
            draw = axes.barh if chart.kind == "barh" else axes.bar
            draw(offsets, values, width, color=COLORS[index % len(COLORS)], label=name)
    amount = FuncFormatter(_amount)
    tick_font = _sized(font, 9)
    if chart.kind == "barh":
        axes.set_yticks(positions, labels, fontproperties=tick_font)
        axes.invert_yaxis()  # the first item on top, as in a ranking
        axes.xaxis.set_major_formatter(amount)
        axes.set_xlabel(chart.y_label, fontproperties=_sized(font, 10))
        axes.grid(axis="x", alpha=0.3)
    else:
        step = max(1, len(labels) // 12)
        axes.set_xticks(positions[::step], labels[::step], fontproperties=tick_font)
        axes.yaxis.set_major_formatter(amount)
        axes.set_ylabel(chart.y_label, fontproperties=_sized(font, 10))
        axes.grid(axis="y", alpha=0.3)
        if len(labels) > 8:
            for label in axes.get_xticklabels():
                label.set_rotation(30)
                label.set_horizontalalignment("right")
    for label in axes.get_xticklabels() + axes.get_yticklabels():
        label.set_fontproperties(tick_font)
    axes.set_title(chart.title, fontproperties=_sized(font, 13))
    if len(series) > 1:
        axes.legend(prop=_sized(font, 9), frameon=False)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


async def render_png(chart: Chart) -> bytes:
    """`render` in a worker thread, so drawing never blocks the bot's event loop."""
    return await asyncio.to_thread(render, chart)
