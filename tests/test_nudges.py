"""The nudge service (tools/nudges): scan planning, findings, digests and delivery
bookkeeping, on a small hand-built store, on both backends.

The store, by hand: the Seoul shop sells one tea (12,000원) an hour at 10:00-17:00,
8 orders and 96,000원 a day, for eight weeks; yesterday (Wed 2025-03-19) one order
at 10:15 and a cancelled one at 14:00, so 12,000원, -87.5 % against the Wednesday
before. Its campaign "tea search" has 60,000 impressions and 1,200 clicks a day
(CTR 2 %), yesterday 600 (1 %). "calm" is linked with alerts and digest off; "loose"
has no chat; "gone" is linked but inactive.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from analytics.detectors.alerts import AdDropEvidence, SalesDropEvidence
from storage.models import Alert, AlertStatus, ChatLink, Seller
from storage.outbox import record_alert
from tests.factories import (
    local,
    make_ad_day,
    make_campaign,
    make_order,
    make_product,
    make_seller,
)
from tools.nudges import (
    DeliveryReport,
    DigestAlert,
    DigestEvidence,
    DigestOff,
    Nudge,
    NudgeHours,
    Outcome,
    Recipient,
    UnknownNudge,
    assemble_digest,
    claim,
    detect,
    in_morning,
    in_quiet_hours,
    plan_scan,
    record,
    record_outcomes,
)

HOURS = NudgeHours()
SEOUL = ZoneInfo("Asia/Seoul")
TODAY = dt.date(2025, 3, 20)
YESTERDAY = dt.date(2025, 3, 19)
MORNING = local(2025, 3, 20, 9, 1)  # the first scan at or after 09:00 in Seoul


def _link(session: Session, seller: Seller, chat_id: int, language: str | None = "ko") -> None:
    session.add(ChatLink(chat_id=chat_id, seller_id=seller.id, language=language))
    session.flush()


def _store(session: Session, currency: str = "KRW") -> dict[str, int]:
    shop = make_seller(session, "shop", name="Tea & Co", currency=currency)
    tea = make_product(session, shop, "tea", 12_000)
    for back in range(1, 58):
        day = TODAY - dt.timedelta(days=back)
        for hour in [10] if day == YESTERDAY else range(10, 18):
            make_order(session, shop, local(day.year, day.month, day.day, hour, 15), [(tea, 1)])
    make_order(session, shop, local(2025, 3, 19, 14), [(tea, 5)], status="cancelled")
    campaign = make_campaign(session, shop, "tea search")
    for back in range(1, 16):
        day = TODAY - dt.timedelta(days=back)
        clicks = 600 if day == YESTERDAY else 1_200
        make_ad_day(session, campaign, day, impressions=60_000, clicks=clicks,
                    spend=clicks * 300, conversions=clicks // 25,
                    conversion_revenue=clicks // 25 * 12_000)  # fmt: skip
    _link(session, shop, 101, "ko")
    _link(session, shop, 102, "en-US")
    calm = make_seller(session, "calm", alerts_enabled=False, digest_enabled=False)
    _link(session, calm, 201)
    loose = make_seller(session, "loose")
    gone = make_seller(session, "gone", active=False)
    _link(session, gone, 401)
    return {"shop": shop.id, "calm": calm.id, "loose": loose.id, "gone": gone.id,
            "campaign": campaign.id}  # fmt: skip


@pytest.mark.parametrize(
    ("hour", "quiet", "morning"),
    [(7, True, False), (8, False, False), (9, False, True), (21, False, True), (22, True, False)],
)
def test_hours_are_the_sellers_local_hours(hour: int, quiet: bool, morning: bool) -> None:
    now = local(2025, 3, 20, hour, 30).astimezone(dt.UTC)
    assert in_quiet_hours(now, SEOUL, HOURS) is quiet
    assert in_morning(now, SEOUL, HOURS) is morning
    assert in_quiet_hours(now, SEOUL, NudgeHours(quiet_start=8, quiet_end=8)) is False


def test_the_plan_says_who_is_checked_for_what(session: Session) -> None:
    ids = _store(session)
    shop, calm = ids["shop"], ids["calm"]

    early = plan_scan(session, now=local(2025, 3, 20, 8, 1), hours=HOURS)
    assert [s.id for s in early.sellers] == [shop, calm]  # linked and active only
    assert (early.watched, early.morning, early.ads, early.digests) == ([shop], frozenset(), [], [])

    morning = plan_scan(session, now=MORNING, hours=HOURS)
    assert morning.morning == {shop, calm}
    assert (morning.watched, morning.ads) == ([shop], [shop])
    assert [s.id for s in morning.digests] == [shop, calm]

    # the shop's digest row marks its morning scan as done; calm's is still due at 10:01
    record_alert(session, seller_id=shop, kind="digest", dedupe_key=f"digest:{shop}:2025-03-19",
                 evidence={}, detected_at=MORNING)  # fmt: skip
    later = plan_scan(session, now=local(2025, 3, 20, 10, 1), hours=HOURS)
    assert (later.morning, later.ads) == ({calm}, [])
    assert plan_scan(session, now=local(2025, 3, 20, 22, 1), hours=HOURS).morning == frozenset()


def test_the_digest_is_yesterday_in_figures_with_the_days_alerts(session: Session) -> None:
    ids = _store(session)
    shop = ids["shop"]
    # for yesterday: an intraday alert sent yesterday and an ad alert detected this
    # morning, still pending (both named); a skipped ad alert (not sent: not named),
    # the day before's digest and the day before's sales alert, detected just before
    # midnight (other days)
    record_alert(session, seller_id=shop, kind="sales_drop_intraday",
                 dedupe_key=f"sales_drop:{shop}:2025-03-19", evidence=_intraday("2025-03-19"),
                 detected_at=local(2025, 3, 19, 15, 1))  # fmt: skip
    _set_status(session, f"sales_drop:{shop}:2025-03-19", AlertStatus.SENT)
    record_alert(session, seller_id=shop, kind="ad_ctr_drop", dedupe_key="ctr:19",
                 evidence=_ad("2025-03-19"), detected_at=local(2025, 3, 20, 9, 0))  # fmt: skip
    record_alert(session, seller_id=shop, kind="ad_cvr_drop", dedupe_key="cvr:19",
                 evidence={**_ad("2025-03-19"), "kind": "ad_cvr_drop", "metric": "cvr"},
                 detected_at=local(2025, 3, 20, 9, 0))  # fmt: skip
    _set_status(session, "cvr:19", AlertStatus.SKIPPED)
    record_alert(session, seller_id=shop, kind="digest", dedupe_key=f"digest:{shop}:2025-03-18",
                 evidence=_digest("2025-03-18"), detected_at=local(2025, 3, 19, 9, 1))  # fmt: skip
    record_alert(session, seller_id=shop, kind="sales_drop_day",
                 dedupe_key=f"sales_drop:{shop}:2025-03-18", evidence=_drop("2025-03-18"),
                 detected_at=local(2025, 3, 18, 23, 59))  # fmt: skip

    digest = assemble_digest(
        session, seller_id=shop, zone=SEOUL, currency="KRW", day=YESTERDAY, now=MORNING
    )

    assert digest == DigestEvidence(
        revenue=12_000,
        orders=1,
        change=-0.875,  # 12,000 against 96,000 on Wed 2025-03-12
        top_product="tea",
        top_revenue=12_000,
        top_units=1,
        alerts=2,
        day_alerts=(
            DigestAlert(kind="sales_drop_intraday", actual=1, expected=8.0, change=-0.875,
                        until_hour=15),
            DigestAlert(kind="ad_ctr_drop", actual=0.01, expected=0.02, change=-0.5,
                        campaign="tea search", metric="ctr"),
        ),
    )  # fmt: skip
    empty = assemble_digest(
        session, seller_id=ids["loose"], zone=SEOUL, currency="KRW", day=YESTERDAY,
        now=MORNING,
    )  # fmt: skip
    assert empty == DigestEvidence()


def test_the_morning_scan_records_alerts_and_digests_once(session: Session) -> None:
    ids = _store(session)
    shop, calm = ids["shop"], ids["calm"]

    findings = detect(session, now=MORNING, hours=HOURS)

    assert (findings.sellers, findings.morning) == (2, 2)
    assert [(f.kind, f.dedupe_key) for f in findings.alerts] == [  # sales first, then ads
        ("sales_drop_day", f"sales_drop:{shop}:2025-03-19"),
        ("ad_ctr_drop", f"ad_ctr_drop:{shop}:{ids['campaign']}:2025-03-19"),
    ]
    day, ad = (f.evidence for f in findings.alerts)
    assert isinstance(ad, AdDropEvidence) and isinstance(day, SalesDropEvidence)
    assert (ad.campaign_name, ad.expected, ad.actual, ad.change) == ("tea search", 0.02, 0.01, -0.5)
    assert (day.expected, day.actual, day.actual_revenue, day.expected_revenue) == (
        8.0,
        1,
        12_000,
        96_000,
    )
    assert [(f.seller_id, f.dedupe_key, f.local_date) for f in findings.digests] == [
        (shop, f"digest:{shop}:2025-03-19", YESTERDAY),
        (calm, f"digest:{calm}:2025-03-19", YESTERDAY),
    ]
    # the digest names the two alerts the same scan found for its day (recorded just
    # before it), never "nothing unusual" beside them
    assert findings.digests[0].evidence == DigestEvidence(
        revenue=12_000, orders=1, change=-0.875, top_product="tea", top_revenue=12_000,
        top_units=1, alerts=2, day_alerts=(
            DigestAlert(kind="sales_drop_day", actual=1, expected=8.0, change=-0.875),
            DigestAlert(kind="ad_ctr_drop", actual=0.01, expected=0.02, change=-0.5,
                        campaign="tea search", metric="ctr"),
        ),
    )  # fmt: skip
    assert findings.digests[1].evidence == DigestOff()

    report = record(session, findings)
    assert (report.sellers, report.morning, report.found, report.recorded, report.digests) == (
        2,
        2,
        2,
        2,
        2,
    )
    stored: dict[str, Any] = dict(
        session.execute(
            select(Alert.dedupe_key, Alert.evidence).where(Alert.kind == "digest")
        ).all()
    )
    assert stored == {
        f"digest:{shop}:2025-03-19": {
            "revenue": 12_000, "orders": 1, "change": -0.875, "top_product": "tea",
            "top_revenue": 12_000, "top_units": 1, "alerts": 2, "day_alerts": [
                {"kind": "sales_drop_day", "actual": 1.0, "expected": 8.0, "change": -0.875,
                 "until_hour": None, "campaign": None, "metric": None},
                {"kind": "ad_ctr_drop", "actual": 0.01, "expected": 0.02, "change": -0.5,
                 "until_hour": None, "campaign": "tea search", "metric": "ctr"},
            ], "kind": "digest", "local_date": "2025-03-19", "currency": "KRW",
        },
        f"digest:{calm}:2025-03-19": {"off": True, "kind": "digest", "local_date": "2025-03-19",
                                      "currency": "KRW"},
    }  # fmt: skip
    # the rows read back as the same typed evidence, and render from the stored JSON
    rows = {row.dedupe_key: row for row in session.scalars(select(Alert))}
    for finding in findings.alerts + findings.digests:
        nudge = Nudge.of_row(rows[finding.dedupe_key])
        assert (nudge.kind, nudge.local_date, nudge.evidence) == (
            finding.kind,
            finding.local_date,
            finding.evidence,
        )
        assert nudge.template_context() == rows[finding.dedupe_key].evidence

    # the next scan finds the same day again and records nothing; no morning work is left
    again = record(session, detect(session, now=MORNING + dt.timedelta(hours=1), hours=HOURS))
    assert (again.morning, again.found, again.recorded, again.digests) == (0, 0, 0, 0)


def test_an_outbox_row_of_no_known_kind_is_no_nudge(session: Session) -> None:
    seller = make_seller(session)
    record_alert(session, seller_id=seller.id, kind="x", dedupe_key="x:1",
                 evidence={"local_date": "2025-03-19"}, detected_at=MORNING)  # fmt: skip
    (row,) = session.scalars(select(Alert))
    with pytest.raises(UnknownNudge):
        Nudge.of_row(row)


def _drop(day: str) -> dict[str, Any]:
    return {
        "kind": "sales_drop_day", "local_date": day, "family": "sales", "from_hour": 0,
        "to_hour": 24, "expected": 8.0, "actual": 1, "change": -0.875, "p_value": 1e-4,
        "baseline": [8] * 8, "baseline_dates": [], "dispersion": 0.0,
        "expected_revenue": 96_000, "actual_revenue": 12_000, "quiet_since_hour": 11,
        "expected_since_quiet": 7.0,
    }  # fmt: skip


def _intraday(day: str) -> dict[str, Any]:
    return {**_drop(day), "kind": "sales_drop_intraday", "to_hour": 15}


def _ad(day: str) -> dict[str, Any]:
    return {
        "kind": "ad_ctr_drop", "local_date": day, "family": "ads", "campaign_id": 1,
        "campaign_name": "tea search", "metric": "ctr", "expected": 0.02, "actual": 0.01,
        "change": -0.5, "p_value": 1e-9, "count_expected": 1_200.0, "count_actual": 600,
        "exposure": 60_000, "baseline_count": 16_800, "baseline_exposure": 840_000,
        "baseline_days": 14, "baseline_start": "2025-03-05", "baseline_end": "2025-03-18",
        "dispersion": 0.0,
    }  # fmt: skip


def _set_status(session: Session, key: str, status: AlertStatus) -> None:
    session.execute(update(Alert).where(Alert.dedupe_key == key).values(status=status))


def _digest(day: str) -> dict[str, Any]:
    return {"kind": "digest", "local_date": day, "revenue": 96_000, "orders": 8}


def _statuses(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Alert.dedupe_key, Alert.status)).all())  # type: ignore[arg-type]


def test_claim_holds_skips_and_claims_and_the_outcomes_are_recorded(session: Session) -> None:
    ids = _store(session)
    shop = ids["shop"]
    york = make_seller(session, "york", timezone="America/New_York")
    _link(session, york, 501)
    rows = {
        "shop": (shop, "sales_drop_day", _drop("2025-03-19")),
        "shop-off": (shop, "digest", {"off": True, "kind": "digest", "local_date": "2025-03-19"}),
        "york": (york.id, "sales_drop_day", _drop("2025-03-19")),
        "calm": (ids["calm"], "sales_drop_day", _drop("2025-03-19")),
        "loose": (ids["loose"], "sales_drop_day", _drop("2025-03-19")),
        "gone": (ids["gone"], "sales_drop_day", _drop("2025-03-19")),
    }
    for key, (seller_id, kind, evidence) in rows.items():
        record_alert(session, seller_id=seller_id, kind=kind, dedupe_key=key, evidence=evidence,
                     detected_at=MORNING)  # fmt: skip
    noon = local(2025, 3, 20, 12, 30)  # 23:30 of the 19th in New York: quiet hours there
    report = DeliveryReport()

    (due,) = claim(session, now=noon, hours=HOURS, report=report)

    assert (report.held, report.skipped) == (1, 4)
    assert (due.nudge.dedupe_key, due.nudge.kind, due.seller_name) == (
        "shop",
        "sales_drop_day",
        "Tea & Co",
    )
    assert [(r.chat_id, r.lang) for r in due.recipients] == [(101, "ko"), (102, "en")]
    assert isinstance(due.nudge.evidence, SalesDropEvidence)
    assert due.nudge.evidence.quiet_since_hour == 11
    assert _statuses(session) == {
        "shop": "sending",  # a delivery per linked chat, not tried yet
        "shop-off": "skipped",  # the digest was off at the morning scan
        "york": "held",
        "calm": "skipped",  # alerts off
        "loose": "skipped",  # no chat
        "gone": "skipped",  # inactive
    }
    assert all(chat.claim(session, at=noon) for chat in due.recipients)  # just before each send
    assert not due.recipients[0].claim(session, at=noon)  # nobody else takes a claimed one
    assert claim(session, now=noon, hours=HOURS, report=report) == []
    assert report.held == 1  # held once

    first = record_outcomes(session, due, {101: Outcome.SENT}, at=noon)
    assert (first.sent, _statuses(session)["shop"]) == (0, "sending")  # chat 102 not done
    done = record_outcomes(session, due, {102: Outcome.SENT}, at=noon)
    assert (done.sent, done.retry, done.blocked_sellers) == (1, 0, [])
    sent = session.scalars(select(Alert).where(Alert.dedupe_key == "shop")).one()
    assert (sent.status, sent.sent_at) == (AlertStatus.SENT, noon.astimezone(dt.UTC))

    # morning in New York: the held nudge is claimed; a send that never left goes back
    # to be tried again, a block ends the seller's nudges
    york_morning = local(2025, 3, 20, 8, 0, tz=ZoneInfo("America/New_York"))
    (held,) = claim(session, now=york_morning, hours=HOURS, report=DeliveryReport())
    (york_chat,) = held.recipients
    assert (held.nudge.dedupe_key, york_chat.chat_id, york_chat.lang) == ("york", 501, "ko")
    assert york_chat.claim(session, at=york_morning)
    retry = record_outcomes(session, held, {501: Outcome.RETRY}, at=york_morning)
    assert (retry.retry, _statuses(session)["york"]) == (1, "sending")
    (held,) = claim(session, now=york_morning, hours=HOURS, report=DeliveryReport())
    assert held.recipients == (Recipient(501, "ko", york_chat.delivery_id),)
    assert york_chat.claim(session, at=york_morning)
    blocked = record_outcomes(session, held, {501: Outcome.BLOCKED}, at=york_morning)
    assert (blocked.blocked, blocked.blocked_sellers) == (1, [york.id])
    assert _statuses(session)["york"] == "blocked"
    session.expire_all()
    assert session.get(Seller, york.id).active is False  # type: ignore[union-attr]
