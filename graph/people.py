"""Reads about people: a user in the directory, a mailbox's automatic replies."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
from kiota_abstractions.api_error import APIError
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphServiceClient
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.users.item.mailbox_settings.mailbox_settings_request_builder import (
    MailboxSettingsRequestBuilder,
)
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder

from domain.out_of_office import AutomaticReplies, AutoReplyStatus
from domain.time_zones import zone_named
from graph.errors import error_reason
from services.graph_ports import DirectoryUser, GraphUnavailable

_UTC = ZoneInfo("UTC")


class GraphDirectory:
    def __init__(self, client: GraphServiceClient) -> None:
        self._client = client

    async def user(self, address: str) -> DirectoryUser | None:
        config = RequestConfiguration(
            query_parameters=UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(
                select=["id", "displayName", "mail", "userPrincipalName"]
            )
        )
        try:
            user = await self._client.users.by_user_id(address).get(config)
        except APIError as error:
            if error.response_status_code == 404:
                return None
            raise GraphUnavailable(error_reason(error)) from error
        except httpx.HTTPError as error:
            raise GraphUnavailable(type(error).__name__) from error
        if user is None or not user.id:
            return None
        return DirectoryUser(
            user.id, user.display_name or "", user.mail or user.user_principal_name or address
        )


class GraphOutOfOfficeReader:
    def __init__(self, client: GraphServiceClient) -> None:
        self._client = client

    async def automatic_replies(self, aad_object_id: str) -> AutomaticReplies:
        query = MailboxSettingsRequestBuilder.MailboxSettingsRequestBuilderGetQueryParameters(
            # workingHours too: its zone names the person's zone when timeZone is empty.
            select=["automaticRepliesSetting", "timeZone", "workingHours"]
        )
        try:
            settings = await self._client.users.by_user_id(aad_object_id).mailbox_settings.get(
                RequestConfiguration(query_parameters=query)
            )
        except APIError as error:
            raise GraphUnavailable(error_reason(error)) from error
        except httpx.HTTPError as error:
            raise GraphUnavailable(type(error).__name__) from error
        replies = settings.automatic_replies_setting if settings else None
        if settings is None or replies is None or replies.status is None:
            raise GraphUnavailable("mailboxSettings without automaticRepliesSetting.status")
        working_hours_zone = settings.working_hours and settings.working_hours.time_zone
        own_zone_name = settings.time_zone or (working_hours_zone and working_hours_zone.name)
        own_zone = zone_named(own_zone_name or "UTC") or _UTC
        try:
            status = AutoReplyStatus.parse(str(replies.status.value))
        except ValueError as error:
            raise GraphUnavailable(str(error)) from error
        return AutomaticReplies(
            status,
            _moment(replies.scheduled_start_date_time, own_zone),
            _moment(replies.scheduled_end_date_time, own_zone),
        )


def _moment(value: DateTimeTimeZone | None, own_zone: ZoneInfo) -> datetime | None:
    """Graph's {"dateTime": "2026-03-19T02:00:00.0000000", "timeZone": "UTC"} as an aware
    datetime in the person's own zone (Windows zone names included)."""
    if value is None or not value.date_time:
        return None
    zone = zone_named(value.time_zone or "UTC")
    if zone is None:
        raise GraphUnavailable(f"unknown time zone {value.time_zone!r}")
    # Graph writes seven fractional digits; datetime takes six.
    text = value.date_time
    if "." in text:
        whole, fraction = text.split(".", 1)
        text = f"{whole}.{fraction[:6]}"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(own_zone)
