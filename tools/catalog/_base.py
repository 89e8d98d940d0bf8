"""The `Tool` base: everything about one tool in one place.

A tool is a subclass with class attributes (its name, which is also the kind
of result it answers with; its short button code; its argument schema, whose
defaults are the only defaults; its default period when it is dated; an
example call) and a few methods: `run` (the analysis for the turn's seller),
`summary` (the key figures a model reads), `chart`, `details` (its next-step
button), `buttons`, `tip` and `read` (the arguments a question names, for the
offline router). One file per tool in this package; `tools.catalog.CATALOG`
lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from analytics.common import NoData, Result, Window
from analytics.periods import Period
from tools.answer import Button, Chart
from tools.catalog._args import ButtonCode, ToolArgs
from tools.catalog._steps import period_buttons, previous_button

if TYPE_CHECKING:
    from tools.context import TurnContext

A = TypeVar("A", bound=ToolArgs)


@dataclass(frozen=True, slots=True)
class ToolRun:
    """One validated run: the contract arguments as JSON and the typed result."""

    tool: str
    args: dict[str, Any]
    result: Result
    period: Period | None = None  # the typed period of a dated tool's run

    @property
    def no_data(self) -> bool:
        return isinstance(self.result, NoData)


def named(**values: Any) -> dict[str, Any]:
    """The arguments a question named: `values` without the None ones."""
    return {key: value for key, value in values.items() if value is not None}


def require_window(window: Window | None) -> Window:
    """The window a dated tool runs over (the registry always gives one)."""
    if window is None:
        raise ValueError("a dated tool needs its period's window")
    return window


class Question(Protocol):
    """What the offline router read in a question, for a tool to pick its arguments
    from (each None when the question does not name it)."""

    def limit(self) -> int | None: ...
    def metric(self) -> str | None: ...
    def direction(self) -> str | None: ...
    def segment(self) -> str | None: ...
    def keyword(self) -> str | None: ...
    def campaign_id(self) -> int | None: ...
    def category(self) -> str | None: ...  # as the catalogue stores it (Product.category)


class Tool(Generic[A]):
    """One tool. Subclasses set the class attributes and override what differs."""

    name: ClassVar[str]
    code: ClassVar[str]  # two letters in a button's callback_data
    schema: ClassVar[type[ToolArgs]]
    default_period: ClassVar[str | None] = None  # analytics.periods key; None: not dated
    example: ClassVar[Mapping[str, Any]]  # a call that fits `schema` (the contract test)
    entity: ClassVar[str | None] = None  # "product": the router must settle one product
    free_text: ClassVar[bool] = False  # its one argument is the seller's own words
    retrieval: ClassVar[bool] = False  # it reads the vector index (ctx.retrieval)

    @property
    def dated(self) -> bool:
        return self.default_period is not None

    def defaults(self) -> dict[str, Any]:
        """The schema's defaults for optional arguments (None defaults left out)."""
        return {
            name: field.default
            for name, field in self.schema.model_fields.items()
            if not field.is_required() and field.default is not None
        }

    def button_codes(self) -> dict[str, ButtonCode]:
        """Argument name -> its button code, for the arguments that have one."""
        codes = {}
        for name, field in self.schema.model_fields.items():
            for meta in field.metadata:
                if isinstance(meta, ButtonCode):
                    codes[name] = meta
        return codes

    # -- what the tool does -------------------------------------------------------

    def run(self, ctx: TurnContext, args: A, window: Window | None) -> Result:
        raise NotImplementedError

    def read(self, question: Question) -> dict[str, Any]:
        """The arguments (besides the period and a product) the question names."""
        return {}

    def summary(self, result: Any) -> dict[str, Any]:
        """The key figures of a result, as a small JSON-able dict for the model."""
        dumped: dict[str, Any] = result.model_dump(mode="json")
        return dumped

    def chart(self, run: ToolRun, ctx: TurnContext) -> Chart | None:
        return None

    def details(self, run: ToolRun, ctx: TurnContext) -> Button | None:
        """The one "tell me more" step after this result, if any."""
        return None

    def buttons(self, run: ToolRun, ctx: TurnContext) -> list[Button]:
        """The natural next steps: other periods, the previous period, details."""
        periods = period_buttons(run, ctx) if self.dated else []
        buttons = [button for _, button in periods]
        previous = previous_button(run, ctx) if self.dated else None
        spans = {span for span, _ in periods}
        if previous is not None and (previous.args["start"], previous.args["end"]) not in spans:
            buttons.append(previous)
        details = self.details(run, ctx)
        if details is not None:
            buttons.append(details)
        return buttons

    def tip(self, result: Any) -> str | None:
        """The playbook tip kind (tools.retrieval.playbook.TIP_KINDS) suiting `result`."""
        return None
