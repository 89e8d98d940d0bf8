"""A hand-built two-seller store and a dashboard over it, for the web tests.

Seller "shop" (Asia/Seoul), now = Thu 2026-11-26 15:00 local:
  today      10:00  1 x 12,000 (a product whose name is HTML)   13:00  2 x 12,000
             16:00 would be after now: none
  yesterday  11:00  1 x 12,000   (same time yesterday: 12,000, 1 order)
  last week  Thu 2026-11-19 09:00  1 x 10,000 + 1 x 12,000 (same time last week: 22,000)
Seller "other": one order today of 99,000 ("Other shop's secret").
Chats: 111 -> shop, 222 -> other; 333 unlinked; 999 an operator (unlinked).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from urllib.parse import urlencode

from sqlalchemy.orm import Session, sessionmaker

from storage.models import ChatLink
from storage.settings import Settings
from tests.factories import local, make_order, make_product, make_seller
from tools.fit_cache import FitCache
from tools.prompts import PromptStore
from web.config import WebConfig

TOKEN = "123456:TEST-token-for-the-dashboard"
NOW = local(2026, 11, 26, 15, 0).astimezone(dt.UTC)
EVIL = '<b>Mug</b><script>alert("x")</script>'
SHOP_USER, OTHER_USER, UNLINKED_USER, OPERATOR = 111, 222, 333, 999


def build(session: Session) -> None:
    shop = make_seller(session, "shop", name="Shop A")
    mug = make_product(session, shop, EVIL, 12000, stock=30)
    cup = make_product(session, shop, "Cup", 10000, stock=5)
    make_order(session, shop, local(2026, 11, 26, 10), [(mug, 1)])
    make_order(session, shop, local(2026, 11, 26, 13), [(mug, 2)])
    make_order(session, shop, local(2026, 11, 25, 11), [(mug, 1)])
    make_order(session, shop, local(2026, 11, 19, 9), [(cup, 1), (mug, 1)])
    other = make_seller(session, "other", name="Other")
    secret = make_product(session, other, "Other shop's secret", 99000)
    make_order(session, other, local(2026, 11, 26, 9), [(secret, 1)])
    session.add_all(
        [
            ChatLink(chat_id=SHOP_USER, seller_id=shop.id, language="en"),
            ChatLink(chat_id=OTHER_USER, seller_id=other.id, language="en"),
        ]
    )
    session.commit()


def config(sessions: sessionmaker[Session], **changes: object) -> WebConfig:
    settings = Settings(operator_chat_ids=[OPERATOR], openai_api_key=None)
    values: dict[str, object] = {
        "bot_token": TOKEN,
        "sessions": sessions,
        "settings": settings,
        "prompts": PromptStore(settings.prompts_dir),
        "clock": lambda: NOW,
        "secure_cookie": False,
        "fits": FitCache(),
    }
    values.update(changes)
    return WebConfig(**values)  # type: ignore[arg-type]


def init_data(user_id: int, *, auth_date: dt.datetime = NOW, token: str = TOKEN) -> str:
    """initData as Telegram signs it (the hash computed here by hand, not by web/)."""
    fields = {
        "auth_date": str(int(auth_date.timestamp())),
        "query_id": "AAF-test",
        "user": json.dumps({"id": user_id, "first_name": "Kim", "language_code": "en"}),
    }
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields)
