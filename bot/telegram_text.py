"""Text for Telegram: HTML escaping, tables, and splitting under the message limits.

Telegram counts its 4,096-character limit (1,024 for a caption) after parsing
the HTML entities, in UTF-16 code units. A message is split on line boundaries
so every part fits; a line longer than a whole message is cut at a space where
one is near the limit. Each part keeps a plain-text twin: when Telegram cannot
parse a part's HTML (an operator's template with a broken tag, a part cut inside
a tag), the sender falls back to the plain text rather than losing the message.

An answer's list (top products, campaigns: two or more rows of the same shape,
"1. name: 75,000원 · 3개 (+200.0%)") is laid out for a phone as a monospace table
(`<pre>`): the name on its own line, the figures under it right-aligned in columns
by display width (Hangul takes two columns in a monospace font). A long table is
split between rows, each part's table closed in that part.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
_TAG = re.compile(r"<[^<>]*>")
# a list row: "1. name: field · field (note)" or "• name: field · field"
_ROW = re.compile(r"^(?P<mark>\d{1,3}\.|•) (?P<name>\S.*): (?P<rest>[^:]+)$")
_NOTE = re.compile(r"^(?P<value>.*\S)(?P<note> \([^()]*\))$")
FIELD_SEPARATOR = " · "


def escape(value: object) -> str:
    """Any dynamic value made safe for Telegram's HTML parse mode."""
    return html.escape(str(value), quote=False)


def to_plain(html_text: str) -> str:
    """What the user sees of an HTML text: tags dropped, character references decoded."""
    return html.unescape(_TAG.sub("", html_text))


def visible_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji is 2)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True, slots=True)
class Chunk:
    """One message: its HTML and the plain text to send if Telegram refuses the HTML."""

    html: str
    plain: str


def _cut_line(line: str, limit: int) -> list[str]:
    """A plain line longer than `limit` in pieces of at most `limit`, cut at a space
    in the last fifth of each piece when there is one."""
    pieces: list[str] = []
    while visible_length(line) > limit:
        cut = limit
        while visible_length(line[:cut]) > limit:  # astral characters count twice
            cut -= 1
        space = line.rfind(" ", int(cut * 0.8), cut)
        if space > 0:
            cut = space
        pieces.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    pieces.append(line)
    return pieces


def split_plain(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Plain text in parts of at most `limit`, split between lines."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for raw in text.strip("\n").split("\n"):
        for line in _cut_line(raw, limit):
            extra = visible_length(line) + (1 if current else 0)
            if current and size + extra > limit:
                parts.append("\n".join(current).strip("\n"))
                current, size = [], 0
                extra = visible_length(line)
            current.append(line)
            size += extra
    if current:
        parts.append("\n".join(current).strip("\n"))
    return [part for part in parts if part.strip()] or [""]


def plain_chunks(text: str, limit: int = MESSAGE_LIMIT) -> list[Chunk]:
    """Plain text (an advisor's answer) as escaped HTML messages."""
    return [Chunk(html=escape(part), plain=part) for part in split_plain(text, limit)]


def html_chunks(html_text: str, limit: int = MESSAGE_LIMIT) -> list[Chunk]:
    """HTML (a rendered template) split between lines by its visible length.

    A tag left open at the end of a part makes that part's HTML invalid; Telegram
    refuses it and the sender uses the part's plain text instead.
    """
    parts: list[Chunk] = []
    current: list[str] = []
    size = 0

    def flush() -> None:
        if current:
            joined = "\n".join(current).strip("\n")
            parts.append(Chunk(html=joined, plain=to_plain(joined)))

    for line in html_text.strip("\n").split("\n"):
        length = visible_length(to_plain(line))
        if length > limit:  # one huge line: give up on its markup
            flush()
            current, size = [], 0
            parts.extend(plain_chunks(to_plain(line), limit))
            continue
        extra = length + (1 if current else 0)
        if current and size + extra > limit:
            flush()
            current, size = [], 0
            extra = length
        current.append(line)
        size += extra
    flush()
    return [part for part in parts if part.plain.strip()] or [Chunk("", "")]


def caption(html_text: str) -> Chunk:
    """A photo caption: cut to the caption limit (as plain text when it had to be cut)."""
    if visible_length(to_plain(html_text)) <= CAPTION_LIMIT:
        return Chunk(html=html_text, plain=to_plain(html_text))
    plain = split_plain(to_plain(html_text), CAPTION_LIMIT - 1)[0]
    return Chunk(html=escape(plain), plain=plain)


def display_width(text: str) -> int:
    """Columns `text` takes in a monospace font: wide and full-width characters (Hangul,
    CJK) two, combining marks none."""
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


@dataclass(frozen=True, slots=True)
class _Row:
    mark: str
    name: str
    fields: tuple[str, ...]
    note: str

    @property
    def shape(self) -> tuple[bool, int]:
        return self.mark[0].isdigit(), len(self.fields)


def _row(line: str) -> _Row | None:
    """A list row with two or more figures, or None."""
    match = _ROW.match(line)
    if match is None:
        return None
    fields = match["rest"].split(FIELD_SEPARATOR)
    if len(fields) < 2 or not all(field.strip() for field in fields):
        return None
    note = _NOTE.match(fields[-1])
    if note is not None:
        fields[-1] = note["value"]
    return _Row(match["mark"], match["name"], tuple(fields), note["note"] if note else "")


def _table(rows: list[_Row]) -> list[str]:
    """Each row as two lines: the name, then the figures right-aligned in columns."""
    widths = [max(display_width(row.fields[i]) for row in rows) for i in range(len(rows[0].fields))]
    mark_width = max(len(row.mark) for row in rows)
    indent = " " * (mark_width + 1)
    laid: list[str] = []
    for row in rows:
        cells = [
            " " * (width - display_width(field)) + field
            for field, width in zip(row.fields, widths, strict=True)
        ]
        figures = indent + FIELD_SEPARATOR.join(cells) + row.note
        laid.append(f"{row.mark.rjust(mark_width)} {row.name}\n{figures}")
    return laid


def _units(text: str) -> list[tuple[bool, str]]:
    """The answer's lines, and each table row as one unit (is_row, text)."""
    lines = text.strip("\n").split("\n")
    rows = [_row(line) for line in lines]
    units: list[tuple[bool, str]] = []
    index = 0
    while index < len(lines):
        first = rows[index]
        end = index + 1
        while first is not None and end < len(lines):
            row = rows[end]
            if row is None or row.shape != first.shape:
                break
            end += 1
        if first is not None and end - index >= 2:
            units.extend((True, laid) for laid in _table([r for r in rows[index:end] if r]))
        else:
            units.extend((False, line) for line in lines[index:end])
        index = end
    return units


def _render(units: list[tuple[bool, str]]) -> Chunk:
    """One message: its table rows in one <pre> block per run, the other lines escaped."""
    pieces: list[str] = []
    run: list[str] = []
    for is_row, text in [*units, (False, "")]:
        if is_row:
            run.append(text)
            continue
        if run:
            table = escape("\n".join(run))
            pieces.append(f"<pre>{table}</pre>")
            run = []
        pieces.append(escape(text))
    plain = "\n".join(text for _, text in units).strip("\n")
    return Chunk(html="\n".join(pieces[:-1]).strip("\n"), plain=plain)


def answer_chunks(text: str, limit: int = MESSAGE_LIMIT) -> list[Chunk]:
    """An advisor's plain-text answer as HTML messages, its lists as tables (see the
    module docstring); split between lines, never inside a table row."""
    parts: list[list[tuple[bool, str]]] = []
    current: list[tuple[bool, str]] = []
    size = 0
    for is_row, unit in _units(text):
        length = visible_length(unit)
        pieces = (
            [(is_row, unit)]
            if length <= limit
            else [(False, piece) for line in unit.split("\n") for piece in _cut_line(line, limit)]
        )
        for piece in pieces:
            extra = visible_length(piece[1]) + (1 if current else 0)
            if current and size + extra > limit:
                parts.append(current)
                current, size = [], 0
                extra = visible_length(piece[1])
            current.append(piece)
            size += extra
    if current:
        parts.append(current)
    chunks = [_render(part) for part in parts]
    return [chunk for chunk in chunks if chunk.plain.strip()] or [Chunk("", "")]
