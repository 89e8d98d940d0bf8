"""A tool's compact summary as the model reads it (issue 15: the prompt of a question).

The summary (tools.catalog) is what the web panels, the stored turn and the answer
guard read; the model reads a narrower copy of it:

- a product's name in the turn's language only: `name_en` in English where it has
  one, `name` otherwise (the name the answer templates show, display_name);
- no `*_id` field but those a tool the result leads to takes as an argument (a
  listing's product_id, for product_report): the answer never shows an id.

Fields are only left out, never renamed, so each figure the model reads is one the
answer guard checks against under the same field name.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any


def model_view(value: Any, lang: str, ids: Collection[str] = ()) -> Any:
    """`value` (a summary, or a part of one) without what the model does not phrase;
    `ids` are the id fields kept (arguments of the tools the result leads to)."""
    if isinstance(value, list):
        return [model_view(item, lang, ids) for item in value]
    if not isinstance(value, dict):
        return value
    drop = {key for key in value if key.endswith("_id") and key not in ids}
    if "name" in value and value.get("name_en"):
        drop.add("name" if lang == "en" else "name_en")
    elif "name_en" in value:
        drop.add("name_en")  # no English name: the catalogue name says it
    return {key: model_view(item, lang, ids) for key, item in value.items() if key not in drop}
