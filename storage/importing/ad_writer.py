"""Parsed campaign-days -> ad_campaigns and ad_stats_daily.

A campaign is matched within the seller by its id (external_id), else by its
name; a missing one is created. A campaign-day the seller already has with the
same figures is left alone (so re-importing a file changes nothing); with other
figures it is updated, since ad platforms restate recent days.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.importing.ad_rows import ParsedAdDay, ParsedAds
from storage.importing.report import AdsReport, RowError
from storage.models import AdCampaign, AdStatDaily


class _Campaigns:
    def __init__(self, session: Session, seller_id: int) -> None:
        self.session, self.seller_id = session, seller_id
        campaigns = list(
            session.scalars(select(AdCampaign).where(AdCampaign.seller_id == seller_id))
        )
        self.by_external = {campaign.external_id: campaign.id for campaign in campaigns}
        self.by_name: dict[str, list[int]] = {}
        for campaign in campaigns:
            self.by_name.setdefault(campaign.name, []).append(campaign.id)
        self.created: list[int] = []

    def resolve(self, day: ParsedAdDay) -> int | str:
        """The campaign's id, or why it cannot be told apart from another."""
        if day.campaign_key in self.by_external:
            return self.by_external[day.campaign_key]
        if day.campaign_id is None:
            named = self.by_name.get(day.campaign, [])
            if len(named) > 1:
                return (
                    f"{len(named)} campaigns are named '{day.campaign}': add a campaign_id column"
                )
            if named:
                return named[0]
        campaign = AdCampaign(
            seller_id=self.seller_id,
            external_id=day.campaign_key,
            name=day.campaign,
            channel=day.channel,
        )
        self.session.add(campaign)
        self.session.flush()
        self.by_external[campaign.external_id] = campaign.id
        self.by_name.setdefault(campaign.name, []).append(campaign.id)
        self.created.append(campaign.id)
        return campaign.id


def write_ads(session: Session, seller_id: int, parsed: ParsedAds) -> AdsReport:
    """Add or update the seller's campaign-days; the caller owns the transaction (and rolls
    back when the report has errors)."""
    if parsed.errors:
        raise ValueError("refusing to write ad stats from a file with errors")
    campaigns = _Campaigns(session, seller_id)
    resolved: list[tuple[ParsedAdDay, int]] = []
    errors: list[RowError] = []
    for day in parsed.days:
        found = campaigns.resolve(day)
        if isinstance(found, str):
            errors.append(RowError(parsed.source, day.line, found))
        else:
            resolved.append((day, found))
    if errors:
        return AdsReport(source=parsed.source, errors=tuple(errors))
    if not resolved:
        return AdsReport(source=parsed.source)
    first = min(day.date for day, _ in resolved)
    last = max(day.date for day, _ in resolved)
    stored: dict[tuple[int, dt.date], AdStatDaily] = {
        (stat.campaign_id, stat.date): stat
        for stat in session.scalars(
            select(AdStatDaily).where(
                AdStatDaily.seller_id == seller_id,
                AdStatDaily.date >= first,
                AdStatDaily.date <= last,
            )
        )
    }
    added = updated = unchanged = 0
    for day, campaign_id in resolved:
        stat = stored.get((campaign_id, day.date))
        if stat is None:
            session.add(
                AdStatDaily(
                    seller_id=seller_id,
                    campaign_id=campaign_id,
                    date=day.date,
                    impressions=day.impressions,
                    clicks=day.clicks,
                    spend=day.spend,
                    conversions=day.conversions,
                    conversion_revenue=day.conversion_revenue,
                )
            )
            added += 1
        elif (
            stat.impressions,
            stat.clicks,
            stat.spend,
            stat.conversions,
            stat.conversion_revenue,
        ) == day.figures():
            unchanged += 1
        else:
            stat.impressions, stat.clicks, stat.spend = day.impressions, day.clicks, day.spend
            stat.conversions, stat.conversion_revenue = day.conversions, day.conversion_revenue
            updated += 1
    session.flush()
    return AdsReport(
        source=parsed.source,
        added=added,
        updated=updated,
        unchanged=unchanged,
        new_campaigns=len(campaigns.created),
        campaign_ids=tuple(sorted({campaign_id for _, campaign_id in resolved})),
    )
