"""The bot's pure parts: message splitting and escaping, button payloads, charts, quiet hours."""

from __future__ import annotations

import datetime as dt
import struct
import warnings
from zoneinfo import ZoneInfo

import pytest

from bot.callback_data import CALLBACK_LIMIT, ButtonCodec, ExpiredButton, Press
from bot.charts import render
from bot.services import BotOptions
from bot.telegram_text import (
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    caption,
    escape,
    html_chunks,
    plain_chunks,
    split_plain,
    to_plain,
    visible_length,
)
from tools.answer import Chart
from tools.nudges import in_quiet_hours


def test_escape_leaves_nothing_telegram_would_parse() -> None:
    assert escape("<b>매출</b> & 'x'") == "&lt;b&gt;매출&lt;/b&gt; &amp; 'x'"
    assert to_plain("<b>a &lt; b</b> &amp; c") == "a < b & c"


def test_visible_length_counts_utf16_units() -> None:
    assert visible_length("가나다") == 3
    assert visible_length("📈") == 2


def test_split_keeps_lines_whole_and_every_part_under_the_limit() -> None:
    lines = [f"{i:03d} " + "가" * 95 for i in range(100)]  # 99 characters + newline each
    parts = split_plain("\n".join(lines))
    assert [len(part.split("\n")) for part in parts] == [40, 40, 20]
    assert all(visible_length(part) <= MESSAGE_LIMIT for part in parts)
    assert "\n".join(parts) == "\n".join(lines)


def test_a_line_longer_than_a_message_is_cut_at_a_space() -> None:
    text = " ".join(["word"] * 2000)  # 9,999 characters on one line
    parts = split_plain(text)
    assert len(parts) == 3
    assert all(visible_length(part) <= MESSAGE_LIMIT for part in parts)
    assert all(not part.startswith(" ") and not part.endswith(" ") for part in parts)
    assert " ".join(parts) == text


def test_plain_chunks_escape_each_part_and_measure_the_unescaped_text() -> None:
    text = "\n".join(["<tag>" * 100] * 20)  # 500 visible characters a line, 2,500 escaped
    chunks = plain_chunks(text)
    assert len(chunks) == 3  # 8 + 8 + 4 lines: 8 × 501 − 1 = 4,007 visible characters
    assert chunks[0].html.startswith("&lt;tag&gt;")
    assert chunks[0].plain.startswith("<tag>")


def test_html_chunks_split_by_visible_length_and_keep_a_plain_twin() -> None:
    line = "<b>" + "x" * 1000 + "</b>"
    chunks = html_chunks("\n".join([line] * 5))
    assert [chunk.plain.count("\n") + 1 for chunk in chunks] == [4, 1]
    assert chunks[1].html == line
    assert chunks[1].plain == "x" * 1000


def test_a_long_caption_is_cut_to_plain_text() -> None:
    short = caption("<b>매출</b> 추이")
    assert (short.html, short.plain) == ("<b>매출</b> 추이", "매출 추이")
    long = caption("<b>" + "가나 " * 600 + "</b>")
    assert visible_length(long.plain) <= CAPTION_LIMIT
    assert "<b>" not in long.html


def test_buttons_pack_a_period_analysis_into_64_bytes_and_back() -> None:
    codec = ButtonCodec()
    press = Press(
        "chart",
        "top_products",
        {
            "start": "2026-11-03",
            "end": "2026-11-09",
            "metric": "units",
            "direction": "falling",
            "limit": 10,
        },
    )
    data = codec.encode(press)
    assert data == "c1|tp|s=20261103&e=20261109&m=u&d=f&l=10"
    assert ButtonCodec().decode(data) == press  # a new process decodes it: no memory needed
    segment = Press("run", "customer_report", {"segment": "at_risk", "limit": 10})
    assert codec.encode(segment) == "r1|cr|g=a&l=10"
    assert ButtonCodec().decode("r1|cr|g=a&l=10") == segment


def test_a_payload_too_long_for_telegram_is_kept_in_memory_and_expires_on_restart() -> None:
    codec = ButtonCodec()
    press = Press(
        "run",
        "search_keywords",
        {"start": "2026-11-03", "end": "2026-11-09", "keyword": "소포장 " * 8},
    )
    data = codec.encode(press)
    assert data.startswith("m1|") and len(data.encode()) <= CALLBACK_LIMIT
    assert codec.decode(data) == press
    with pytest.raises(ExpiredButton):
        ButtonCodec().decode(data)


@pytest.mark.parametrize("data", ["r0|sr|", "x1|sr|", "r1|zz|", "r1|sr|q9=1", "garbage"])
def test_unknown_payloads_are_expired_buttons(data: str) -> None:
    with pytest.raises(ExpiredButton):
        ButtonCodec().decode(data)


def test_keyword_with_separators_survives_the_round_trip() -> None:
    press = Press(
        "run",
        "search_keywords",
        {"start": "2026-11-03", "end": "2026-11-03", "keyword": "a&b=c|d%"},
    )
    codec = ButtonCodec()
    assert ButtonCodec().decode(codec.encode(press)) == press


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_a_korean_chart_renders_without_missing_glyphs() -> None:
    chart = Chart(
        kind="barh",
        title="잘 팔린 상품 (11월 3일 ~ 9일)",
        labels=["딸기잼 500g", "스테인리스 텀블러", "소포장 세트"],
        series={"매출": [540000.0, 420000.0, 90000.0]},
        y_label="원",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        png = render(chart)
    assert _png_size(png) == (880, 495)


def test_a_line_chart_with_two_series_renders() -> None:
    chart = Chart(
        kind="line",
        title="최근 7일 매출",
        labels=[f"11/{day}" for day in range(3, 10)],
        series={"이번 기간": [1.0, 2, 3, 4, 5, 6, 7], "이전 기간": [2.0, 2, 2, 2, 2, 2, 2]},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _png_size(render(chart)) == (880, 495)


@pytest.mark.parametrize(
    ("utc_hour", "quiet"),
    [(12, False), (13, True), (21, True), (22, True), (23, False), (0, False)],
)
def test_quiet_hours_are_22_to_8_in_the_sellers_timezone(utc_hour: int, quiet: bool) -> None:
    # Seoul is UTC+9: 12:00 UTC is 21:00 there, 13:00 UTC 22:00, 22:00 UTC 07:00, 23:00 UTC 08:00.
    now = dt.datetime(2026, 11, 25, utc_hour, tzinfo=dt.UTC)
    assert in_quiet_hours(now, ZoneInfo("Asia/Seoul"), BotOptions()) is quiet
