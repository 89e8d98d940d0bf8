"""Commands for the common questions (/report, /top, /ads, /customers, /keywords),
/alerts, /digest and /help. A period may follow a command: "/top 지난달"."""

from __future__ import annotations

from typing import Any

from telegram import Update

from analytics.periods import PeriodError, resolve_period
from bot.context import BotContext
from bot.handlers._common import chat_id_of, linked_seat, reply, run_tool
from bot.linking import set_switch
from bot.replies import send_answer, typing
from bot.services import Seat
from tools.catalog import CATALOG, Tool

# command -> the tool it runs (its default arguments and period: tools.catalog)
TOOL_COMMANDS: dict[str, str] = {
    "report": "sales_report",
    "top": "top_products",
    "ads": "ad_report",
    "customers": "customer_report",
    "keywords": "search_keywords",
}
# commands whose answer is a trend or a ranking: sent with its chart
CHART_COMMANDS = frozenset({"report", "top"})


def _args(tool: Tool[Any], seat: Seat, text: str, context: BotContext) -> dict[str, Any]:
    args = tool.defaults()
    if tool.default_period is not None:
        period = resolve_period(
            text, now=context.services.now(), tz=seat.timezone, default=tool.default_period
        )
        args.update(start=period.start.isoformat(), end=period.end.isoformat())
    return args


async def _tool_command(update: Update, context: BotContext, name: str) -> None:
    seat = await linked_seat(update, context)
    if seat is None:
        return
    services = context.services
    chat_id = chat_id_of(update)
    tool = CATALOG[TOOL_COMMANDS[name]]
    try:
        args = _args(tool, seat, " ".join(context.args or []), context)
    except PeriodError as error:
        await reply(
            context,
            chat_id,
            services.prompts.message(f"errors.{error.key}", seat.lang, **error.params),
        )
        return
    async with typing(context.bot, chat_id, services.options.typing_every):
        answer = await run_tool(context, seat, tool.name, args)
    with_chart = name in CHART_COMMANDS
    await send_answer(services, context.bot, chat_id, answer, seat.lang, with_chart=with_chart)


async def report(update: Update, context: BotContext) -> None:
    await _tool_command(update, context, "report")


async def top(update: Update, context: BotContext) -> None:
    await _tool_command(update, context, "top")


async def ads(update: Update, context: BotContext) -> None:
    await _tool_command(update, context, "ads")


async def customers(update: Update, context: BotContext) -> None:
    await _tool_command(update, context, "customers")


async def keywords(update: Update, context: BotContext) -> None:
    await _tool_command(update, context, "keywords")


def _on_off(context: BotContext) -> bool | None:
    word = (context.args or [""])[0].lower()
    return {"on": True, "켜기": True, "off": False, "끄기": False}.get(word)


async def alerts(update: Update, context: BotContext) -> None:
    """/alerts on|off switches the nudges; /alerts alone lists the last week's alerts."""
    seat = await linked_seat(update, context)
    if seat is None:
        return
    services = context.services
    chat_id = chat_id_of(update)
    switch = _on_off(context)
    if context.args and switch is None:
        await reply(context, chat_id, services.text("alerts.usage", seat.lang))
        return
    if switch is not None:
        await services.db(lambda s: set_switch(s, seat.seller_id, alerts=switch, digest=None))
        await reply(
            context, chat_id, services.text("alerts.on" if switch else "alerts.off", seat.lang)
        )
        return
    args = _args(CATALOG["alerts_report"], seat, "", context)
    async with typing(context.bot, chat_id, services.options.typing_every):
        answer = await run_tool(context, seat, "alerts_report", args)
    status = services.text(
        "alerts.status", seat.lang, alerts=seat.alerts_enabled, digest=seat.digest_enabled
    )
    await send_answer(services, context.bot, chat_id, answer, seat.lang)
    await reply(context, chat_id, status)


async def digest(update: Update, context: BotContext) -> None:
    """/digest on|off: the morning summary of yesterday."""
    seat = await linked_seat(update, context)
    if seat is None:
        return
    services = context.services
    chat_id = chat_id_of(update)
    switch = _on_off(context)
    if switch is None:
        await reply(context, chat_id, services.text("digest.usage", seat.lang))
        return
    await services.db(lambda s: set_switch(s, seat.seller_id, alerts=None, digest=switch))
    await reply(context, chat_id, services.text("digest.on" if switch else "digest.off", seat.lang))


async def help_command(update: Update, context: BotContext) -> None:
    seat = await linked_seat(update, context)
    if seat is None:
        return
    services = context.services
    text = (
        services.prompts.help_text(seat.lang) + "\n\n" + services.text("help_commands", seat.lang)
    )
    await reply(context, chat_id_of(update), text)
