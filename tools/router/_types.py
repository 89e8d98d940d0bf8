"""What the router takes and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from analytics.periods import Period
from storage.models import TurnOutcome


@dataclass(frozen=True, slots=True)
class ProductRef:
    """A product the seller's questions may name: by name, English name or SKU."""

    id: int
    name: str
    name_en: str | None = None
    sku: str | None = None
    category: str | None = None  # free text as stored (Product.category)

    @property
    def label(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class CampaignRef:
    """An ad campaign the seller's questions may name."""

    id: int
    name: str

    @property
    def label(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Candidate:
    """One "did you mean" choice: a product or campaign close to what was typed."""

    kind: Literal["product", "campaign", "category"]
    id: int
    label: str


@dataclass(frozen=True, slots=True)
class RouteError:
    """Why the question cannot be answered as asked; `key` is a message key under
    `errors.` in prompts/messages.<lang>.yaml and `params` fill it."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


# Error keys by the outcome they give (any other error key: clarify, the question is
# about the store and the seller is asked to choose or fix something).
UNSUPPORTED_ERRORS = frozenset({"unsupported", "tool_disabled"})
NOT_UNDERSTOOD_ERRORS = frozenset({"empty", "text_too_long", "thanks"})  # no question


@dataclass(frozen=True, slots=True)
class RouteResult:
    """The tool and arguments for a question.

    - `tool` None: nothing to run (show the help list, or `error` when set).
    - `args`: exactly the tool's contract arguments (dates as ISO strings);
      optional arguments (campaign_id, keyword) are absent when not named. When
      `error` is set, `args` holds what was understood so far and the tool must
      not run; the error is shown instead (with `candidates` when there are).
    - `lang`: "ko" or "en", the language of the question.
    - `followup`: the question was read as a follow-up of `previous`.
    - `period`: the typed period resolved (analytics.periods.Period: its key,
      e.g. "today", "last_n_days", and dates; its comparison window follows from
      it), None for tools without a period; `period_key` is its key.
    - `score`: the intent classifier's score of the chosen tool (diagnostics).
    - `also`: further argument sets for the same tool, answered one after the
      other ("가습기 vs 그라인더": a second product_report); empty for one run.
    - `chart`: the question asks for a chart ("차트도", "with a chart").
    - `listed`: the products the turn's result listed, in order (the advisor fills
      it from the stored turn; the router reads it from `previous` for "the
      second one").
    - `outcome`: how the turn ends (storage.models.TurnOutcome), derived:
      answered (a tool runs), unsupported (error "unsupported": the store data
      does not hold it; "tool_disabled"), not_understood (no tool and no error,
      or "empty", "text_too_long"), clarify (any other error: choices or a fix).
    """

    tool: str | None
    args: dict[str, Any] = field(default_factory=dict)
    error: RouteError | None = None
    candidates: tuple[Candidate, ...] = ()
    lang: str = "en"
    followup: bool = False
    period: Period | None = None
    score: float = 0.0
    also: tuple[dict[str, Any], ...] = ()
    chart: bool = False
    listed: tuple[Candidate, ...] = ()

    @property
    def outcome(self) -> TurnOutcome:
        if self.error is None:
            if self.tool is not None:
                return TurnOutcome.ANSWERED
            return TurnOutcome.CLARIFY if self.candidates else TurnOutcome.NOT_UNDERSTOOD
        if self.error.key in UNSUPPORTED_ERRORS:
            return TurnOutcome.UNSUPPORTED
        if self.error.key in NOT_UNDERSTOOD_ERRORS:
            return TurnOutcome.NOT_UNDERSTOOD
        return TurnOutcome.CLARIFY

    @property
    def period_key(self) -> str | None:
        return self.period.key if self.period is not None else None

    @property
    def ok(self) -> bool:
        """True when `tool` can run with `args`."""
        return self.tool is not None and self.error is None
