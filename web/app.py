"""The dashboard's ASGI app (Starlette), server-rendered.

    GET  /                 the sign-in shell: its script posts Telegram's initData to /auth
    POST /auth             initData checked (web.initdata) -> a signed session cookie, and
                           `next`: Today's address with a short-lived token (web.session)
    GET  /dev-login?user=  `advisor web --dev` only, from 127.0.0.1 only
    GET  /{page}?period=   today, products, ads, customers, keywords, alerts
    GET  /ops              operators: every seller's sync and alert status
    GET  /static/{file}    the page's own script and style sheet

Who asks is proven on every request by one of: the header X-Telegram-Init-Data
(Telegram's initData, checked each time; a bad one is refused, never passed over),
the session cookie, or the token `?s=` (for WebViews that block third-party
cookies; the page's links then carry a fresh one). The seller is never read from a
request: the proof names the Telegram user, and every request looks up that user's
private chat link (chat id == user id) again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from storage.links import chat_link, linked_seller
from tools.context import make_context
from tools.prompts import DEFAULT_FILTERS, normalize_lang
from web import initdata, ops
from web import session as cookies
from web.charts import hourly_bars
from web.config import WebConfig
from web.filters import flagged_first, utc
from web.pages import PAGES, PERIODS, build_page
from web.ratelimit import RateLimiter

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STATIC = {"app.js": "text/javascript", "app.css": "text/css"}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org"
)
LOOPBACK = {"127.0.0.1", "::1"}
INIT_DATA_HEADER = "x-telegram-init-data"


@dataclass(frozen=True, slots=True)
class Visitor:
    """A signed-in Telegram user, and the token this response's links carry (None when
    the request brought the cookie back)."""

    session: cookies.Session
    token: str | None

    @property
    def user_id(self) -> int:
        return self.session.user_id

    @property
    def lang(self) -> str:
        return self.session.lang


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("Cache-Control", "no-store")
        return response


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every store-provided string is escaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(DEFAULT_FILTERS, utc=utc)
    env.globals["flagged_first"] = flagged_first
    return env


class Dashboard:
    def __init__(self, config: WebConfig) -> None:
        self.config = config
        self.env = _environment()
        self.key = cookies.session_key(config.bot_token)
        self.pages = RateLimiter(config.page_rate, config.page_burst)
        self.logins = RateLimiter(config.auth_rate, config.auth_burst)

    # -- helpers ---------------------------------------------------------------------

    def texts(self, lang: str) -> dict[str, Any]:
        data = self.config.prompts.data(f"web/texts.{lang}.yaml")
        if data is None:
            data = self.config.prompts.data("web/texts.en.yaml")
        return dict(data or {})

    def html(
        self,
        template: str,
        lang: str,
        status: int = 200,
        token: str | None = None,
        **context: Any,
    ) -> HTMLResponse:
        def link(path: str, **params: str) -> str:
            return cookies.href(path, token, **params)

        body = self.env.get_template(template).render(
            t=self.texts(lang), lang=lang, pages=list(PAGES), link=link, **context
        )
        return HTMLResponse(body, status_code=status)

    def token_for(self, user_id: int, lang: str) -> str:
        expires = self.config.clock() + cookies.TOKEN_LIFETIME
        return cookies.encode(cookies.Session(user_id, lang, expires), self.key)

    def visitor(self, request: Request) -> Visitor | None:
        """Who asks (header, cookie or token, in that order), or None; InitDataError
        when the header is there but proves nobody."""
        now = self.config.clock()
        raw = request.headers.get(INIT_DATA_HEADER)
        if raw is not None:
            user = initdata.validate(
                raw, self.config.bot_token, now=now, max_age=self.config.max_age
            )
            lang = normalize_lang(user.language_code)
            proven = cookies.Session(user.id, lang, now + cookies.TOKEN_LIFETIME)
            return Visitor(proven, self.token_for(user.id, lang))
        kept = cookies.decode(request.cookies.get(cookies.COOKIE), self.key, now=now)
        if kept is not None:
            return Visitor(kept, None)
        carried = cookies.decode(request.query_params.get(cookies.TOKEN), self.key, now=now)
        if carried is None:
            return None
        return Visitor(carried, self.token_for(carried.user_id, carried.lang))

    def signed_in(self, user_id: int, lang: str, target: Response) -> Response:
        expires = self.config.clock() + cookies.LIFETIME
        value = cookies.encode(cookies.Session(user_id, lang, expires), self.key)
        target.set_cookie(
            cookies.COOKIE,
            value,
            max_age=int(cookies.LIFETIME.total_seconds()),
            httponly=True,
            secure=self.config.secure_cookie,
            samesite="none" if self.config.secure_cookie else "lax",
            path="/",
        )
        return target

    def link_of(self, user_id: int) -> tuple[int | None, str | None]:
        """(seller id, chat language) of the user's private chat link."""
        with self.config.sessions() as session:
            seller = linked_seller(session, user_id)
            link = chat_link(session, user_id)
            return (seller.id if seller else None), (link.language if link else None)

    def is_operator(self, user_id: int) -> bool:
        return user_id in self.config.settings.operator_chat_ids

    # -- endpoints -------------------------------------------------------------------

    async def index(self, request: Request) -> Response:
        """The sign-in shell, always: Telegram's initData in the hash (which the server
        never sees) signs in whoever opened the Mini App now, so an account switched in
        the same WebView never lands on the cookie of the one before. Without initData
        a signed-in visitor goes on to Today (`data-next`)."""
        try:
            visitor = self.visitor(request)
        except initdata.InitDataError:
            visitor = None
        lang = visitor.lang if visitor else normalize_lang(request.query_params.get("lang"))
        after = cookies.href("/today", visitor.token) if visitor else None
        return self.html("login.html", lang, page=None, after=after)

    async def auth(self, request: Request) -> Response:
        client = request.client.host if request.client else "?"
        if not self.logins.allow(f"auth:{client}"):
            return JSONResponse({"error": "rate_limited"}, status_code=429)
        try:
            body = await request.json()
            raw = str(body.get("init_data", ""))
        except (ValueError, AttributeError):
            return JSONResponse({"error": "malformed"}, status_code=400)
        try:
            user = initdata.validate(
                raw, self.config.bot_token, now=self.config.clock(), max_age=self.config.max_age
            )
        except initdata.InitDataError as exc:
            log.info("dashboard: initData refused (%s) from %s", exc.reason, client)
            return JSONResponse({"error": exc.reason}, status_code=403)
        lang = normalize_lang(user.language_code)
        next_page = cookies.href("/today", self.token_for(user.id, lang))
        return self.signed_in(user.id, lang, JSONResponse({"next": next_page}))

    async def dev_login(self, request: Request) -> Response:
        client = request.client.host if request.client else ""
        forwarded = "x-forwarded-for" in request.headers or "forwarded" in request.headers
        if not self.config.dev_login or client not in LOOPBACK or forwarded:
            return Response(status_code=404)
        try:
            user_id = int(request.query_params.get("user", ""))
        except ValueError:
            return Response(status_code=400)
        lang = normalize_lang(request.query_params.get("lang"))
        return self.signed_in(user_id, lang, RedirectResponse("/today", status_code=303))

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return Response(status_code=404)
        return FileResponse(
            HERE / "static" / name,
            media_type=STATIC[name],
            headers={"Cache-Control": "public, max-age=300"},
        )

    async def favicon(self, request: Request) -> Response:
        return Response(status_code=204, headers={"Cache-Control": "public, max-age=86400"})

    def _guard(self, request: Request) -> Visitor | Response:
        try:
            user = self.visitor(request)
        except initdata.InitDataError as exc:
            client = request.client.host if request.client else "?"
            log.info("dashboard: initData header refused (%s) from %s", exc.reason, client)
            lang = normalize_lang(request.query_params.get("lang"))
            return self.html("message.html", lang, 403, key="refused", page=None)
        if user is None:
            return RedirectResponse("/", status_code=303)
        if not self.pages.allow(f"user:{user.user_id}"):
            return self.html("message.html", user.lang, 429, key="rate_limited", page=None)
        return user

    async def page(self, request: Request) -> Response:
        user = self._guard(request)
        if isinstance(user, Response):
            return user
        name = request.path_params["page"]
        if name not in PAGES:
            return self.html("message.html", user.lang, 404, key="not_found", page=None)
        seller_id, chat_lang = await run_in_threadpool(self.link_of, user.user_id)
        lang = normalize_lang(chat_lang or user.lang)
        if seller_id is None:
            if self.is_operator(user.user_id):
                return RedirectResponse(cookies.href("/ops", user.token), status_code=303)
            return self.html("message.html", lang, 403, key="unlinked", page=None)
        period_key = request.query_params.get("period")
        view = await run_in_threadpool(self._build, seller_id, lang, name, period_key)
        return self.html(
            f"{name}.html",
            lang,
            token=user.token,
            view=view,
            page=name,
            periods=PERIODS,
            chart=hourly_bars(view),
            operator=self.is_operator(user.user_id),
        )

    def _build(self, seller_id: int, lang: str, name: str, period_key: str | None) -> Any:
        config = self.config
        ctx = make_context(
            config.sessions,
            seller_id=seller_id,
            now=config.clock(),
            lang=lang,
            settings=config.settings,
            prompts=config.prompts,
            fits=config.fits,
        )
        return build_page(ctx, name, period_key)

    async def operators(self, request: Request) -> Response:
        user = self._guard(request)
        if isinstance(user, Response):
            return user
        if not self.is_operator(user.user_id):
            return self.html("message.html", user.lang, 403, key="not_operator", page=None)
        rows = await run_in_threadpool(ops.status, self.config.sessions)
        return self.html(
            "ops.html", user.lang, token=user.token, rows=rows, page="ops", operator=True
        )


def create_app(config: WebConfig) -> Starlette:
    dashboard = Dashboard(config)
    routes = [
        Route("/", dashboard.index),
        Route("/auth", dashboard.auth, methods=["POST"]),
        Route("/dev-login", dashboard.dev_login),
        Route("/ops", dashboard.operators),
        Route("/static/{name}", dashboard.static),
        Route("/favicon.ico", dashboard.favicon),
        Route("/{page}", dashboard.page),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])
    app.state.dashboard = dashboard
    return app
