"""The tool registry: tool name -> argument schema and runner.

A runner takes the turn's context (the seller bound by the caller, the clock)
and the validated contract arguments, and returns an analytics `Result` (a
`NoData` when there is nothing to report). Runners hold no logic beyond calling
the analysis: figures come from analytics/, drafts and advice from
tools.knowledge.

A tool disabled in prompts/tools.yaml (`enabled: false`) is not `available()`:
the agent does not get it and `run()` refuses it (the router skips it too).
Analytics modules are imported when a tool first runs, so a process that only
routes and renders (`advisor ask`) starts fast.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from analytics.common import NoData, Result, Window
from tools.context import TurnContext
from tools.fit_cache import FitCache
from tools.prompts import PromptStore
from tools.schemas import (
    ARG_SCHEMAS,
    AdReportArgs,
    AdviceArgs,
    AlertsReportArgs,
    CustomerReportArgs,
    InquiryDraftArgs,
    PeriodArgs,
    ProductReportArgs,
    SalesReportArgs,
    SearchKeywordsArgs,
    ToolArgs,
    TopProductsArgs,
)

log = logging.getLogger(__name__)

Runner = Callable[[TurnContext, Any], Result]


class ToolUnavailableError(LookupError):
    """No such tool, or it is disabled in prompts/tools.yaml."""

    def __init__(self, name: str) -> None:
        super().__init__(f"tool {name!r} is not available")
        self.name = name


class ToolArgsError(ValueError):
    """Arguments that do not fit the tool's contract schema."""

    def __init__(self, name: str, error: ValidationError) -> None:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in item['loc']) or 'args'}: {item['msg']}"
            for item in error.errors()
        )
        super().__init__(f"{name}: {problems}")
        self.name = name


@dataclass(frozen=True, slots=True)
class ToolDef:
    name: str
    schema: type[ToolArgs]
    run: Runner


@dataclass(frozen=True, slots=True)
class ToolRun:
    """One validated run: the contract arguments as JSON and the typed result."""

    tool: str
    args: dict[str, Any]
    result: Result

    @property
    def no_data(self) -> bool:
        return isinstance(self.result, NoData)


def _window(ctx: TurnContext, args: PeriodArgs) -> Window:
    return Window(args.start, args.end, ctx.now)


def _sales(ctx: TurnContext, args: SalesReportArgs) -> Result:
    from analytics.sales import sales_report

    with ctx.session() as session:
        return sales_report(session, ctx.store, _window(ctx, args))


def _top(ctx: TurnContext, args: TopProductsArgs) -> Result:
    from analytics.products import top_products

    with ctx.session() as session:
        return top_products(
            session, ctx.store, _window(ctx, args), args.metric, args.direction, args.limit
        )


def _product(ctx: TurnContext, args: ProductReportArgs) -> Result:
    from analytics.products import product_report

    with ctx.session() as session:
        return product_report(session, ctx.store, args.product_id, _window(ctx, args))


def _ads(ctx: TurnContext, args: AdReportArgs) -> Result:
    from analytics.ads import ad_report

    margin = ctx.settings.default_margin or 0.30
    with ctx.session() as session:
        return ad_report(
            session,
            ctx.store,
            _window(ctx, args),
            campaign_id=args.campaign_id,
            default_margin=margin,
        )


def _customers(ctx: TurnContext, args: CustomerReportArgs) -> Result:
    from analytics.clv import customer_report, score_store

    with ctx.session() as session:
        if ctx.fits is None:
            return customer_report(
                session, ctx.store, as_of=ctx.now, segment=args.segment, limit=args.limit
            )
        fitted = ctx.fits.get(
            ctx.store.id, ctx.now, lambda as_of: score_store(session, ctx.store, as_of=as_of)
        )
        return customer_report(
            session,
            ctx.store,
            as_of=FitCache.calibration_end(ctx.now),
            segment=args.segment,
            limit=args.limit,
            scored_store=fitted,
        )


def _keywords(ctx: TurnContext, args: SearchKeywordsArgs) -> Result:
    from analytics.keywords import keyword_report
    from analytics.korean import load_synonyms

    synonyms = load_synonyms(ctx.prompts.root / "keyword_synonyms.yaml")
    with ctx.session() as session:
        return keyword_report(
            session, ctx.store, _window(ctx, args), keyword=args.keyword, synonyms=synonyms
        )


def _alerts(ctx: TurnContext, args: AlertsReportArgs) -> Result:
    from analytics.detectors import alerts_report

    with ctx.session() as session:
        return alerts_report(session, ctx.store, _window(ctx, args))


def _inquiry(ctx: TurnContext, args: InquiryDraftArgs) -> Result:
    from tools.knowledge import draft_inquiry, retrieval_for

    with ctx.session() as session:
        return draft_inquiry(
            retrieval_for(ctx), session, ctx.seller_id, ctx.store.currency, args.inquiry, ctx.lang
        )


def _advice(ctx: TurnContext, args: AdviceArgs) -> Result:
    from tools.knowledge import advice, retrieval_for

    return advice(retrieval_for(ctx), args.topic, ctx.lang)


_RUNNERS: dict[str, Runner] = {
    "sales_report": _sales,
    "top_products": _top,
    "product_report": _product,
    "ad_report": _ads,
    "customer_report": _customers,
    "search_keywords": _keywords,
    "alerts_report": _alerts,
    "inquiry_draft": _inquiry,
    "advice": _advice,
}

TOOLS: dict[str, ToolDef] = {
    name: ToolDef(name, schema, _RUNNERS[name]) for name, schema in ARG_SCHEMAS.items()
}


def available(prompts: PromptStore) -> list[ToolDef]:
    """The tools the agent and the router may use now, in prompts/tools.yaml order."""
    return [TOOLS[spec.name] for spec in prompts.enabled_tools() if spec.name in TOOLS]


def get(name: str, prompts: PromptStore) -> ToolDef:
    tool = TOOLS.get(name)
    if tool is None or not prompts.is_enabled(name):
        raise ToolUnavailableError(name)
    return tool


def validate(name: str, args: Mapping[str, Any] | ToolArgs, prompts: PromptStore) -> ToolArgs:
    """The contract arguments of `name`, validated (extra arguments are refused)."""
    tool = get(name, prompts)
    if isinstance(args, tool.schema):
        return args
    try:
        return tool.schema.model_validate(
            args.model_dump() if isinstance(args, ToolArgs) else dict(args)
        )
    except ValidationError as exc:
        raise ToolArgsError(name, exc) from exc


def args_json(args: ToolArgs) -> dict[str, Any]:
    """Arguments as JSON, optional ones left out when not given."""
    dumped: dict[str, Any] = args.model_dump(mode="json", exclude_none=True)
    return dumped


def run(ctx: TurnContext, name: str, args: Mapping[str, Any] | ToolArgs) -> ToolRun:
    """Validate and run one tool for the context's seller."""
    valid = validate(name, args, ctx.prompts)
    result = TOOLS[name].run(ctx, valid)
    return ToolRun(name, args_json(valid), result)
