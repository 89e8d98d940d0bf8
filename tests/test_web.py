"""The dashboard over HTTP (Starlette's TestClient, no browser): initData checked by
hand-computed signatures, every request bound to the user's linked seller, figures
equal to the tools' results, store strings escaped, security headers, rate limits."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from storage.db import session_factory
from storage.models import Alert, AlertStatus, SourceAccount
from storage.outbox import record_alert
from tests import web_store
from tests.web_store import EVIL, NOW, OPERATOR, OTHER_USER, SHOP_USER, UNLINKED_USER, init_data
from tools import registry
from tools.catalog import summary_of
from tools.context import make_context
from tools.prompts import money
from web import initdata
from web import session as cookies
from web.app import create_app
from web.pages import PAGES

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def sessions(sqlite_engine: Engine) -> sessionmaker[Session]:
    factory = session_factory(sqlite_engine)
    with factory() as session:
        web_store.build(session)
    return factory


@pytest.fixture
def client(sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    with TestClient(create_app(web_store.config(sessions))) as test_client:
        yield test_client


def signed_in(client: TestClient, user_id: int) -> TestClient:
    answer = client.post("/auth", json={"init_data": init_data(user_id)})
    assert answer.status_code == 200, answer.text
    return client


def figure(page: str, name: str) -> str:
    match = re.search(rf'data-figure="{re.escape(name)}">(.*?)</', page)
    assert match, f"no figure {name}"
    return re.sub(r"<[^>]+>", "", match[1])


# -- initData -------------------------------------------------------------------------


def test_valid_init_data_names_the_user() -> None:
    user = initdata.validate(init_data(SHOP_USER), web_store.TOKEN, now=NOW)
    assert (user.id, user.first_name, user.language_code) == (SHOP_USER, "Kim", "en")
    assert user.auth_date == NOW


def test_a_known_signature_is_accepted() -> None:
    # the hash computed outside Python with openssl: secret = HMAC-SHA256(key "WebAppData",
    # the token); hash = HMAC-SHA256(key secret, the sorted key=value lines but hash)
    raw = (
        "auth_date=1795672800&query_id=AAF-test&user=%7B%22id%22%3A+111%2C+%22first_name%22%3A"
        "+%22Kim%22%2C+%22language_code%22%3A+%22en%22%7D"
        "&hash=bb569702404eaed11001ae6750cec544ef8aa98185148ce03bfb2fb539a4545b"
    )
    assert initdata.validate(raw, web_store.TOKEN, now=NOW).id == SHOP_USER


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (init_data(SHOP_USER).replace("%22id%22%3A+111", "%22id%22%3A+222"), "forged"),
        (init_data(SHOP_USER, token="654321:another-bot"), "forged"),
        (init_data(SHOP_USER).rsplit("&hash=", 1)[0], "malformed"),
        (init_data(SHOP_USER, auth_date=NOW - dt.timedelta(hours=24, seconds=1)), "stale"),
        (init_data(SHOP_USER, auth_date=NOW + dt.timedelta(minutes=5)), "stale"),
        ("", "malformed"),
        ("hash=abc&hash=abc", "malformed"),
    ],
)
def test_forged_stale_or_malformed_init_data_is_refused(raw: str, reason: str) -> None:
    with pytest.raises(initdata.InitDataError) as refused:
        initdata.validate(raw, web_store.TOKEN, now=NOW)
    assert refused.value.reason == reason


def test_init_data_just_inside_the_age_limit_passes() -> None:
    raw = init_data(SHOP_USER, auth_date=NOW - dt.timedelta(hours=23, minutes=59))
    assert initdata.validate(raw, web_store.TOKEN, now=NOW).id == SHOP_USER


def test_auth_refuses_forged_and_stale_init_data(client: TestClient) -> None:
    forged = init_data(SHOP_USER, token="654321:another-bot")
    stale = init_data(SHOP_USER, auth_date=NOW - dt.timedelta(days=2))
    assert client.post("/auth", json={"init_data": forged}).json() == {"error": "forged"}
    assert client.post("/auth", json={"init_data": stale}).json() == {"error": "stale"}
    assert cookies.COOKIE not in client.cookies
    page = client.get("/today", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/")


# -- seller binding -------------------------------------------------------------------


def test_today_shows_the_linked_sellers_figures(client: TestClient) -> None:
    page = signed_in(client, SHOP_USER).get("/today").text
    # 10:00 1 x 12,000 + 13:00 2 x 12,000; yesterday until 15:00 12,000; last week 22,000
    assert figure(page, "revenue") == "36,000원"
    assert figure(page, "orders") == "2"
    assert figure(page, "units") == "3"
    assert figure(page, "aov") == "18,000원"
    assert figure(page, "previous-revenue") == "12,000원"
    assert figure(page, "previous-change") == "+200.0%"
    assert figure(page, "last_week-revenue") == "22,000원"
    assert figure(page, "last_week-change") == "+63.6%"
    assert "99,000" not in page


@pytest.mark.parametrize(
    "query",
    ["?seller=2", "?seller_id=2", "?seller=other", "?chat_id=222", "?user=222", "?store=2"],
)
def test_no_request_parameter_reaches_another_seller(client: TestClient, query: str) -> None:
    page = signed_in(client, SHOP_USER).get("/today" + query).text
    assert figure(page, "revenue") == "36,000원"
    assert "99,000" not in page and "Other" not in page


TAMPERS = "&seller=2&seller_id=2&chat_id=222&user=222&user_id=222&store=other&slug=other"


@pytest.mark.parametrize("page", list(PAGES))
def test_no_page_shows_another_sellers_data_whatever_the_query(
    sessions: sessionmaker[Session], page: str
) -> None:
    theirs = signed_in(TestClient(create_app(web_store.config(sessions))), OTHER_USER)
    mine = signed_in(TestClient(create_app(web_store.config(sessions))), SHOP_USER)
    if page in ("today", "products"):  # the other seller's own page shows it
        own = theirs.get(f"/{page}?period=today").text
        assert "99,000" in own or "Other shop&#39;s secret" in own
    for query in ("?period=today", "?period=today" + TAMPERS, "?" + TAMPERS[1:]):
        shown = mine.get(f"/{page}{query}")
        assert shown.status_code == 200
        assert "99,000" not in shown.text and "secret" not in shown.text, query


def test_a_cookie_changed_to_another_user_is_refused(client: TestClient) -> None:
    signed_in(client, SHOP_USER)
    value = client.cookies[cookies.COOKIE]
    mac = value.split(".")[1]
    forged_body = cookies.encode(
        cookies.Session(OTHER_USER, "en", NOW + dt.timedelta(hours=1)), b"wrong key"
    ).split(".")[0]
    client.cookies.clear()
    client.cookies.set(cookies.COOKIE, f"{forged_body}.{mac}")
    page = client.get("/today", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/")


def test_the_other_seller_sees_only_theirs(client: TestClient) -> None:
    page = signed_in(client, OTHER_USER).get("/today").text
    assert figure(page, "revenue") == "99,000원"
    assert "36,000" not in page


def test_an_unlinked_user_is_told_how_to_link(client: TestClient) -> None:
    page = signed_in(client, UNLINKED_USER).get("/today")
    assert page.status_code == 403
    assert "send /link CODE to the bot in a private chat" in page.text


def test_operators_see_every_sellers_status(client: TestClient) -> None:
    signed_in(client, OPERATOR)
    assert client.get("/today", follow_redirects=False).headers["location"] == "/ops"
    page = client.get("/ops").text
    assert 'data-seller="other"' in page and 'data-seller="shop"' in page
    assert signed_in(client, SHOP_USER).get("/ops").status_code == 403


def test_the_operators_view_shows_each_sellers_sync_and_alerts(
    sessions: sessionmaker[Session], client: TestClient
) -> None:
    failing = dt.datetime(2026, 11, 26, 5, 40, tzinfo=dt.UTC)
    with sessions.begin() as session:
        session.add_all(
            [
                SourceAccount(
                    seller_id=1, source="naver_commerce", last_success_at=failing - HOUR,
                    failing_since=failing, last_error_key="auth",
                ),
                SourceAccount(
                    seller_id=1, source="searchad", last_success_at=failing,
                    paused_until=failing + 20 * HOUR,
                ),
            ]
        )  # fmt: skip
        for seller_id, key in ((2, "a"), (1, "b")):
            record_alert(
                session, seller_id=seller_id, kind="sales_drop_day", dedupe_key=key,
                evidence={}, detected_at=failing,
            )  # fmt: skip
        session.execute(
            update(Alert)
            .where(Alert.dedupe_key == "a")
            .values(status=AlertStatus.SENT, sent_at=failing + dt.timedelta(minutes=1))
        )
    page = signed_in(client, OPERATOR).get("/ops").text
    rows = {
        slug: html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip())
        for slug, row in re.findall(r'<tr data-seller="([^"]+)">(.*?)</tr>', page, re.S)
    }
    assert rows == {
        "shop": "Shop A (shop) naver_commerce: failing since 2026-11-26 05:40 UTC (auth) "
        "searchad: OK, last success 2026-11-26 05:40 UTC; paused by the platform's quota "
        "until 2026-11-27 01:40 UTC 0 1 -",
        "other": "Other (other) no connected source 1 0 2026-11-26 05:41 UTC",
    }


# -- figures from the tools -----------------------------------------------------------


def test_pages_show_the_tools_figures(sessions: sessionmaker[Session], client: TestClient) -> None:
    config = web_store.config(sessions)
    ctx = make_context(
        sessions,
        seller_id=1,
        now=NOW,
        lang="en",
        settings=config.settings,
        prompts=config.prompts,
    )
    sales = summary_of(
        registry.run(ctx, "sales_report", {"start": "2026-11-26", "end": "2026-11-26"})
    )
    page = signed_in(client, SHOP_USER).get("/today").text
    assert figure(page, "revenue") == money(sales["revenue"], "KRW")
    assert figure(page, "previous-revenue") == money(sales["previous"]["revenue"], "KRW")

    week = summary_of(
        registry.run(ctx, "sales_report", {"start": "2026-11-19", "end": "2026-11-25"})
    )
    page = client.get("/today?period=last_7_days").text
    assert figure(page, "dates") == "2026-11-19 ~ 2026-11-25"
    # 11-19: 22,000; 11-25: 12,000
    assert figure(page, "revenue") == money(week["revenue"], "KRW") == "34,000원"

    top = summary_of(
        registry.run(ctx, "top_products", {"start": "2026-11-19", "end": "2026-11-25", "limit": 5})
    )
    products = client.get("/products").text
    shown = re.findall(r'data-figure="revenue">([^<]*)<', products)
    assert shown[: len(top["items"])] == [money(i["revenue"], "KRW") for i in top["items"]]
    assert shown[:2] == ["24,000원", "10,000원"]


def test_an_unknown_period_falls_back_to_the_pages_default(client: TestClient) -> None:
    page = signed_in(client, SHOP_USER).get("/today?period=2026-01-01'--").text
    assert figure(page, "dates") == "2026-11-26"


def test_a_product_name_with_html_renders_as_text(client: TestClient) -> None:
    page = signed_in(client, SHOP_USER).get("/products").text
    assert "&lt;b&gt;Mug&lt;/b&gt;&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert EVIL not in page and "<script>alert" not in page


@pytest.mark.parametrize("page", ["today", "products", "ads", "customers", "keywords", "alerts"])
def test_every_page_renders_with_security_headers(client: TestClient, page: str) -> None:
    answer = signed_in(client, SHOP_USER).get(f"/{page}")
    assert answer.status_code == 200
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert web_store.TOKEN not in answer.text and "TEST-token" not in answer.text


# -- sign-in, development login and rate limits ----------------------------------------


def test_the_sign_in_page_always_signs_in_again_and_knows_the_session(
    client: TestClient,
) -> None:
    first = client.get("/", follow_redirects=False)
    assert first.status_code == 200 and "data-next" not in first.text
    # signed in, "/" still serves the sign-in shell (the hash's initData, unseen by the
    # server, may be another account's), naming Today for when there is none
    again = signed_in(client, SHOP_USER).get("/", follow_redirects=False)
    assert again.status_code == 200 and 'data-next="/today"' in again.text
    client.cookies.clear()
    token = cookies.encode(
        cookies.Session(SHOP_USER, "en", NOW + HOUR), cookies.session_key(web_store.TOKEN)
    )
    carried = client.get(f"/?s={token}").text
    assert re.search(r'data-next="/today\?s=[^"]+"', carried)


def test_the_cookie_is_http_only(client: TestClient) -> None:
    answer = client.post("/auth", json={"init_data": init_data(SHOP_USER)})
    assert "httponly" in answer.headers["set-cookie"].lower()


def test_dev_login_only_when_enabled_and_from_loopback(sessions: sessionmaker[Session]) -> None:
    off = TestClient(create_app(web_store.config(sessions)), client=("127.0.0.1", 5000))
    assert off.get(f"/dev-login?user={SHOP_USER}", follow_redirects=False).status_code == 404
    app = create_app(web_store.config(sessions, dev_login=True))
    remote = TestClient(app, client=("203.0.113.5", 5000))
    assert remote.get(f"/dev-login?user={SHOP_USER}", follow_redirects=False).status_code == 404
    local = TestClient(app, client=("127.0.0.1", 5000))
    proxied = local.get(
        f"/dev-login?user={SHOP_USER}",
        headers={"X-Forwarded-For": "203.0.113.5"},
        follow_redirects=False,
    )
    assert proxied.status_code == 404
    assert local.get(f"/dev-login?user={SHOP_USER}", follow_redirects=False).status_code == 303
    assert figure(local.get("/today").text, "revenue") == "36,000원"


def test_pages_are_rate_limited_per_user(sessions: sessionmaker[Session]) -> None:
    app = create_app(web_store.config(sessions, page_rate=0.001, page_burst=2))
    first, second = TestClient(app), TestClient(app)
    signed_in(first, SHOP_USER)
    signed_in(second, OTHER_USER)
    assert [first.get("/today").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("/today").status_code == 200


def test_static_files_are_our_own(client: TestClient) -> None:
    script = client.get("/static/app.js")
    assert script.status_code == 200 and "tgWebAppData" in script.text
    assert client.get("/static/app.py").status_code == 404
    assert Path("web/static/app.js").read_text() == script.text


# -- without cookies (a WebView that blocks third-party cookies) -----------------------


def links(page: str) -> dict[str, str]:
    """The page's links by their text (tabs and the period switch)."""
    return {
        re.sub(r"<[^>]+>", "", text): html.unescape(href)
        for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', page)
    }


def test_every_page_works_without_the_cookie(client: TestClient) -> None:
    answer = client.post("/auth", json={"init_data": init_data(SHOP_USER)})
    client.cookies.clear()  # the WebView dropped it
    today = client.get(answer.json()["next"])
    assert today.status_code == 200 and figure(today.text, "revenue") == "36,000원"
    for name in ("Products", "Ads", "Customers", "Keywords", "Alerts", "Today"):
        page = client.get(links(today.text)[name])
        assert page.status_code == 200, name
        assert page.history == [] and cookies.COOKIE not in client.cookies
    yesterday = client.get(links(today.text)["Yesterday"])
    assert (figure(yesterday.text, "dates"), figure(yesterday.text, "revenue")) == (
        "2026-11-25",
        "12,000원",
    )
    # each page's links carry a token of their own, valid for an hour
    token = dict(parse_qsl(urlsplit(links(yesterday.text)["Ads"]).query))[cookies.TOKEN]
    session = cookies.decode(token, cookies.session_key(web_store.TOKEN), now=NOW)
    assert session is not None and session.user_id == SHOP_USER
    assert session.expires == NOW + cookies.TOKEN_LIFETIME


def test_with_the_cookie_links_carry_no_token(client: TestClient) -> None:
    page = signed_in(client, SHOP_USER).get("/today").text
    assert links(page)["Ads"] == "/ads"
    assert links(page)["Yesterday"] == "/today?period=yesterday"


def test_an_expired_or_altered_token_is_refused(client: TestClient) -> None:
    key = cookies.session_key(web_store.TOKEN)
    expired = cookies.encode(cookies.Session(SHOP_USER, "en", NOW - dt.timedelta(seconds=1)), key)
    other = cookies.encode(cookies.Session(OTHER_USER, "en", NOW + dt.timedelta(hours=1)), b"guess")
    for token in (expired, other, "", "x.y"):
        page = client.get(f"/today?s={token}", follow_redirects=False)
        assert (page.status_code, page.headers["location"]) == (303, "/"), token


def test_the_init_data_header_proves_the_user_on_each_request(client: TestClient) -> None:
    page = client.get("/today", headers={"X-Telegram-Init-Data": init_data(OTHER_USER)})
    assert figure(page.text, "revenue") == "99,000원"
    assert cookies.COOKIE not in client.cookies
    assert "s=" in links(page.text)["Ads"]


@pytest.mark.parametrize(
    "header",
    [
        init_data(OTHER_USER, token="654321:another-bot"),
        init_data(OTHER_USER, auth_date=NOW - dt.timedelta(days=2)),
        init_data(SHOP_USER).replace("%22id%22%3A+111", "%22id%22%3A+222"),
        "user=%7B%22id%22%3A222%7D",
    ],
)
def test_a_bad_init_data_header_is_refused_even_beside_a_good_cookie(
    client: TestClient, header: str
) -> None:
    signed_in(client, SHOP_USER)
    page = client.get("/today", headers={"X-Telegram-Init-Data": header})
    assert page.status_code == 403
    assert "data-figure" not in page.text and "99,000" not in page.text


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/today/2", {}),
        ("/other/today", {}),
        ("/today;seller=2", {}),
        ("/%2e%2e/today?seller=2", {}),
        ("/today", {"X-Seller-Id": "2", "X-Telegram-User-Id": str(OTHER_USER)}),
        ("/today", {"X-Forwarded-For": "127.0.0.1", "Forwarded": "for=127.0.0.1"}),
        ("/today", {"Cookie": "seller=2; chat_id=222"}),
        ("/dev-login?user=222", {}),
    ],
)
def test_no_path_or_header_reaches_another_seller(
    client: TestClient, path: str, headers: dict[str, str]
) -> None:
    signed_in(client, SHOP_USER)
    page = client.get(path, headers=headers, follow_redirects=False)
    assert "99,000" not in page.text and "secret" not in page.text
    if page.status_code == 200:  # the shop's own page, or none (303 to sign-in, 404)
        assert figure(page.text, "revenue") == "36,000원"
    else:
        assert page.status_code in (303, 404) and "data-figure" not in page.text
