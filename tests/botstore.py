"""A small store for the bot's tests, and the bot's services pointed at the emulator.

The store: "달빛상회" (Asia/Seoul), three products, four paid orders in every
local hour from 09:00 to 20:59 for the eight weeks before `TODAY`, and on
`TODAY` (a Wednesday) orders only in the 09:00 hour: at 14:30 that is 4 orders
where the same hours on the last eight Wednesdays had 20 each, the incident the
hourly scan finds. Built once per test session into a template file; each
test copies it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from bot.services import AdvisorLike, BotOptions, Services
from storage.db import make_engine, session_factory
from storage.models import Order, OrderItem, Product, Seller
from storage.rollups import refresh_rollups
from storage.settings import Settings
from storage.writes import Line, order_totals
from tests.telegram import EmulatorClient
from tools.prompts import PromptStore

SEOUL = ZoneInfo("Asia/Seoul")
TODAY = dt.date(2026, 11, 25)  # a Wednesday
HISTORY_DAYS = 57  # eight weeks of baseline and a day
OPEN_HOURS = range(9, 21)
ORDERS_PER_HOUR = 4
# 14:30 in Seoul: the hourly scan checks [00:00, 14:00)
NOW = dt.datetime(2026, 11, 25, 14, 30, tzinfo=SEOUL).astimezone(dt.UTC)


@dataclass
class Clock:
    """The bot's clock in tests: set it to move time."""

    now: dt.datetime = NOW

    def __call__(self) -> dt.datetime:
        return self.now


def build_store(session: Session) -> Seller:
    seller = Seller(slug="moon", name="달빛상회", timezone="Asia/Seoul", currency="KRW")
    session.add(seller)
    session.flush()
    products = [
        Product(
            seller_id=seller.id,
            sku="JAM-500",
            name="딸기잼 500g",
            name_en="Strawberry jam",
            price=12000,
            stock=80,
        ),
        Product(
            seller_id=seller.id,
            sku="TUM-500",
            name="스테인리스 텀블러 500ml",
            name_en="Steel tumbler",
            price=25000,
            stock=40,
        ),
        Product(
            seller_id=seller.id,
            sku="TEA-20",
            name="유자차 세트",
            name_en="Yuja tea set",
            price=18000,
            stock=60,
        ),
    ]
    session.add_all(products)
    session.flush()
    orders: list[dict[str, object]] = []
    items: list[dict[str, object]] = []
    for back in range(HISTORY_DAYS, -1, -1):
        day = TODAY - dt.timedelta(days=back)
        for hour in [9] if day == TODAY else OPEN_HOURS:
            for slot in range(ORDERS_PER_HOUR):
                number = len(orders) + 1
                product = products[number % len(products)]
                quantity = 1 + number % 2
                revenue, units = order_totals(
                    [Line(product_id=product.id, quantity=quantity, unit_price=product.price)]
                )
                at = dt.datetime(day.year, day.month, day.day, hour, 5 + 15 * slot, tzinfo=SEOUL)
                orders.append(
                    {
                        "id": number,
                        "seller_id": seller.id,
                        "external_id": f"O{number}",
                        "ordered_at": at,
                        "status": "paid",
                        "revenue": revenue,
                        "units": units,
                    }
                )
                items.append(
                    {
                        "order_id": number,
                        "line_no": 1,
                        "product_id": product.id,
                        "quantity": quantity,
                        "unit_price": product.price,
                    }
                )
    session.execute(insert(Order), orders)
    session.execute(insert(OrderItem), items)
    session.flush()
    refresh_rollups(session, seller.id)  # a bulk write keeps the daily rollups in step
    return seller


def store_template(sqlite_template: Path, folder: Path) -> Path:
    path = folder / "botstore.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with session_factory(engine).begin() as session:
        build_store(session)
    engine.dispose()
    return path


def bot_settings(telegram: EmulatorClient, *, operators: tuple[int, ...] = ()) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=SecretStr(telegram.token),
        telegram_base_url=telegram.base_url,
        telegram_base_file_url=telegram.base_file_url,
        operator_chat_ids=list(operators),
        database_url="sqlite://",
    )


def bot_services(
    settings: Settings,
    sessions: sessionmaker[Session],
    advisor_factory: Callable[[sessionmaker[Session], Settings, PromptStore], AdvisorLike],
    clock: Clock,
    **options: object,
) -> Services:
    prompts = PromptStore(settings.prompts_dir)
    return Services(
        settings=settings,
        sessions=sessions,
        advisor=advisor_factory(sessions, settings, prompts),
        prompts=prompts,
        options=BotOptions(**options),  # type: ignore[arg-type]
        clock=clock,
    )
