"""Short labels (buttons, chart titles and series) from prompts/answers/_labels.<lang>.j2."""

from __future__ import annotations

from tools.prompts import PromptStore


def label(prompts: PromptStore, lang: str, key: str, subject: str = "") -> str:
    """A short label rendered with `key` (`subject`: the product, campaign or keyword
    a label names)."""
    return prompts.render("answers/_labels", lang, key=key, subject=subject)
