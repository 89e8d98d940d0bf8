"""Argument schemas every tool shares, and the button code of an argument.

`start`/`end` are inclusive ISO dates in the seller's timezone. The seller is
never an argument: it is bound from the chat. An argument that may travel in
a button's callback_data carries a `ButtonCode` in its annotation: its short
key and, for a closed set of values, a code per value (the contract test checks
that a key means one argument across the whole catalogue).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

_START = "First day, inclusive, ISO date (YYYY-MM-DD) in the store's timezone."
_END = "Last day, inclusive, ISO date (YYYY-MM-DD). Today means today so far."


@dataclass(frozen=True, slots=True)
class ButtonCode:
    """How an argument is written in a button: `key=value`, `value` a code of
    `values` when the argument takes one of a few words."""

    key: str
    values: dict[str, str] = field(default_factory=dict)


CATEGORY_CODE = ButtonCode("y")
"""The button code of a `category` argument, in every tool that takes one (a key
means one argument across the catalogue)."""


class ToolArgs(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PeriodArgs(ToolArgs):
    start: Annotated[dt.date, ButtonCode("s")] = Field(description=_START)
    end: Annotated[dt.date, ButtonCode("e")] = Field(description=_END)

    @model_validator(mode="after")
    def _ordered(self) -> PeriodArgs:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self
