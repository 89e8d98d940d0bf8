"""Lists in answers (top products, campaigns) as monospace tables for a phone, through the
Bot API emulator: the name on its own line, the figures under it right-aligned by display
width (Hangul is two columns), and a table longer than Telegram's 4,096 characters split
between rows, each part's <pre> closed in that part.

/top on the bot's store (tests/test_bot_telegram.py): the last 7 days (Nov 18-24) are
7 × 1,320,000원 = 9,240,000원; each product sells 3 units in every six orders, so 168
units a week: the tumbler 168 × 25,000원 = 4,200,000원 (45.5%), 유자차 세트
168 × 18,000원 = 3,024,000원, 딸기잼 168 × 12,000원 = 2,016,000원; the week before
sold the same (+0.0%).
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.context import BotApplication
from bot.replies import send_answer
from bot.services import Services
from bot.telegram_text import MESSAGE_LIMIT, answer_chunks, display_width, visible_length
from tests.telegram import EmulatorClient
from tests.test_bot_telegram import ALICE, bot, clock, db, link, store_file
from tools.answer import Answer

__all__ = ["bot", "clock", "db", "store_file"]  # fixtures shared with tests/test_bot_telegram.py

TOP_CAPTION = (
    "최근 7일(11월 18일~24일) 매출 상위 상품이에요.\n"
    "1. 스테인리스 텀블러 500ml\n"
    "   4,200,000원 · 168개 (+0.0%)\n"
    "2. 유자차 세트\n"
    "   3,024,000원 · 168개 (+0.0%)\n"
    "3. 딸기잼 500g\n"
    "   2,016,000원 · 168개 (+0.0%)\n"
    "전체 3개 상품 매출 9,240,000원, 1위 매출 비중 45.5%\n"
    "괄호 안 변화율은 이전 기간(11월 11일~17일) 대비예요."
)


async def test_top_products_come_as_a_table_under_the_chart(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services], db: sessionmaker[Session]
) -> None:
    await link(telegram, db, ALICE, "ko")
    await telegram.send_user_message(ALICE, "/top")
    photo = (await telegram.wait_for_messages(ALICE, 2))[1]

    assert photo.kind == "photo" and photo.parse_mode == "HTML"
    assert photo.plain_text == TOP_CAPTION
    rows = "\n".join(TOP_CAPTION.split("\n")[1:7])
    assert photo.caption == TOP_CAPTION.replace(rows, f"<pre>{rows}</pre>")


def test_columns_align_by_display_width() -> None:
    text = (
        "캠페인별:\n"
        "• 브랜드검색: 광고비 120,000원 · ROAS 350.0%\n"
        "• Tumbler PL: 광고비 1,020,000원 · ROAS 80.0% (손익분기 200% 미달)\n"
        "돈이 새는 캠페인: Tumbler PL"
    )
    (chunk,) = answer_chunks(text)
    table = (
        "• 브랜드검색\n"
        "    광고비 120,000원 · ROAS 350.0%\n"
        "• Tumbler PL\n"
        "  광고비 1,020,000원 ·  ROAS 80.0% (손익분기 200% 미달)"
    )
    assert chunk.plain == f"캠페인별:\n{table}\n돈이 새는 캠페인: Tumbler PL"
    assert chunk.html == f"캠페인별:\n<pre>{table}</pre>\n돈이 새는 캠페인: Tumbler PL"
    # "광고비 120,000원": 3 + 1 + 7 + 1 Hangul = 4 × 2 + 8 = 16 columns, 2 fewer than
    # "광고비 1,020,000원" (18): two spaces before it
    assert (display_width("광고비 120,000원"), display_width("광고비 1,020,000원")) == (16, 18)


def test_a_single_row_or_rows_of_different_shapes_stay_lines() -> None:
    text = "1. 텀블러: 75,000원 · 3개\n• 잼: 36,000원 · 3개 · 12건\n오늘 14:30까지: 49,000원"
    (chunk,) = answer_chunks(text)
    assert (chunk.html, chunk.plain) == (text, text)


async def test_a_table_longer_than_a_message_is_split_between_rows(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services]
) -> None:
    application, services = bot
    await telegram.add_chats([ALICE])
    rows = [
        f"{n}. 한정판 선물 세트 {n}호 <A&B>: 1,234,000원 · 12개 (+5.0%)" for n in range(10, 100)
    ]
    text = "\n".join(["상위 상품이에요.", *rows, "끝"])
    await send_answer(services, application.bot, ALICE, Answer(text, "offline", "ko"), "ko")
    messages = await telegram.messages(ALICE)

    # a row: "NN. 한정판 선물 세트 NN호 <A&B>" (23) + "\n" + "    1,234,000원 · 12개 (+5.0%)" (28)
    # = 52 characters, 53 with its line break; "상위 상품이에요." is 9: 9 + 77 × 53 = 4,090
    # fits 4,096 and a 78th row would not; the other 13 rows and "끝" follow
    row_length = len("10. 한정판 선물 세트 10호 <A&B>\n    1,234,000원 · 12개 (+5.0%)")
    assert row_length == 52
    assert [visible_length(m.plain_text or "") for m in messages] == [
        9 + 77 * 53,
        13 * 53 - 1 + 2,
    ]
    assert all(m.parse_mode == "HTML" for m in messages)  # every part's HTML parsed
    first, second = (m.text or "" for m in messages)
    assert first.startswith("상위 상품이에요.\n<pre>10. 한정판 선물 세트 10호 &lt;A&amp;B&gt;\n")
    assert first.endswith(
        "86. 한정판 선물 세트 86호 &lt;A&amp;B&gt;\n    1,234,000원 · 12개 (+5.0%)</pre>"
    )
    assert second.startswith("<pre>87. 한정판 선물 세트 87호")
    assert second.endswith("99호 &lt;A&amp;B&gt;\n    1,234,000원 · 12개 (+5.0%)</pre>\n끝")
    assert max(visible_length(m.plain_text or "") for m in messages) <= MESSAGE_LIMIT


async def test_an_english_list_is_a_table_too(
    telegram: EmulatorClient, bot: tuple[BotApplication, Services], db: sessionmaker[Session]
) -> None:
    await link(telegram, db, ALICE, "en")
    await telegram.send_user_message(ALICE, "best sellers last 7 days by units", language_code="en")
    answer = (await telegram.wait_for_messages(ALICE, 2))[1]
    # by units the three tie at 168 (504 in all, 33.3% each), listed as the tool ranks them
    rows = (
        "1. Strawberry jam\n"
        "   168 units · ₩2,016,000 (+0.0%)\n"
        "2. Steel tumbler\n"
        "   168 units · ₩4,200,000 (+0.0%)\n"
        "3. Yuja tea set\n"
        "   168 units · ₩3,024,000 (+0.0%)"
    )
    head = "Top products by units sold for the last 7 days (Nov 18-24):"
    tail = (
        "All 3 products sold: 504 units; the top one is 33.3% of the units\n"
        "Changes in brackets are vs the previous period (Nov 11-17)."
    )
    assert answer.plain_text == f"{head}\n{rows}\n{tail}"
    assert answer.text == f"{head}\n<pre>{rows}</pre>\n{tail}"
