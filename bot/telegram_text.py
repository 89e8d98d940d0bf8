"""Text for Telegram: HTML escaping and splitting under the message limits.

Telegram counts its 4,096-character limit (1,024 for a caption) after parsing
the HTML entities, in UTF-16 code units. A message is split on line boundaries
so every part fits; a line longer than a whole message is cut at a space where
one is near the limit. Each part keeps a plain-text twin: when Telegram cannot
parse a part's HTML (an operator's template with a broken tag, a part cut inside
a tag), the sender falls back to the plain text rather than losing the message.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
_TAG = re.compile(r"<[^<>]*>")


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
