"""A Bot Connector REST v3 client on one shared aiohttp session.

botbuilder's `ConnectorClient` is rebuilt for every turn (msrest pipelines cost ~3 ms each to
build) and sends with `requests` from a thread pool over a fresh TCP connection. This client is
built once per (service URL, audience), reuses pooled connections, retries throttling and
server errors, and offers the subset of `ConnectorClient` that `CloudAdapterBase`, `TurnContext`
and `TeamsInfo` call: `client.conversations.<operation>(...)` returning botbuilder-schema models.
"""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import inspect
import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import quote

import aiohttp
import botbuilder.schema
import botbuilder.schema.teams
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationParameters,
    ConversationResourceResponse,
    ResourceResponse,
)
from botframework.connector import models as connector_models
from botframework.connector.about import __version__ as _BOTFRAMEWORK_VERSION
from msrest.serialization import Deserializer, Model, Serializer
from yarl import URL

from bot.card_activity import UnchangingCard

logger = logging.getLogger(__name__)

USER_AGENT = f"Microsoft-BotFramework/3.1 (BotBuilder Python/{_BOTFRAMEWORK_VERSION})"

# Gives the bearer token for each outgoing call. A client without one calls anonymously,
# which only a bot without an app id does (locally, or with the Agents Playground).
TokenSource = Callable[[], Awaitable[str]]


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep trying a Bot Connector call that was throttled or failed on the server."""

    max_attempts: int = 4
    base_delay: float = 0.5  # first backoff when the server gives no Retry-After
    max_delay: float = 8.0  # cap on one computed backoff
    max_retry_after: float = 60.0  # a longer Retry-After gives up rather than hold the turn

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter for the wait after failed attempt `attempt` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        # Half fixed, half random: spreads out many turns throttled at the same moment.
        return ceiling / 2 + random.uniform(0, ceiling / 2)


DEFAULT_RETRY = RetryPolicy()
DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=30)  # per attempt


class BotConnectorError(Exception):
    """A Bot Connector call failed for good (non-retryable status, or retries used up)."""

    def __init__(
        self,
        method: str,
        path: str,
        status: int | None,
        detail: str,
        attempts: int,
        retry_after: float | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.detail = detail
        self.attempts = attempts
        self.retry_after = retry_after  # seconds, when the service said
        outcome = f"HTTP {status}" if status is not None else "no response"
        super().__init__(
            f"Bot Connector {method} {path} failed with {outcome} after {attempts} "
            f"attempt(s): {detail}"
        )


@dataclass(frozen=True)
class ConnectorConfig:
    """What botbuilder code may read from `ConnectorClient.config`."""

    base_url: str


class BotConnectorClient:
    """Duck-type stand-in for `botframework.connector.aio.ConnectorClient`."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        service_url: str,
        token_source: TokenSource | None = None,
        *,
        retry: RetryPolicy = DEFAULT_RETRY,
        timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
    ) -> None:
        if not service_url:
            raise ValueError("service_url is required: it comes from the incoming activity")
        self.config = ConnectorConfig(base_url=service_url)
        self.conversations = ConversationsOperations(self)
        self._session = session
        self._base = service_url.rstrip("/")
        self._token_source = token_source
        self._retry = retry
        self._timeout = timeout

    async def request(
        self, method: str, path: str, body: Any = None, conversation_id: str | None = None
    ) -> Any:
        """Send one REST call with retries; return the parsed JSON answer (None when empty)."""
        # encoded=True: the path is already percent-encoded the way msrest encodes it.
        url = URL(self._base + path, encoded=True)
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        data = None
        if body is not None:
            data = json.dumps(body, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        if conversation_id is not None:
            headers["x-ms-conversation-id"] = conversation_id

        attempt = 0
        while True:
            attempt += 1
            if self._token_source is not None:
                headers["Authorization"] = "Bearer " + await self._token_source()
            try:
                async with self._session.request(
                    method, url, data=data, headers=headers, timeout=self._timeout
                ) as response:
                    payload = await response.read()
                    status = response.status
                    retry_after = response.headers.get("Retry-After")
            except (
                aiohttp.ClientConnectionError,
                aiohttp.ClientPayloadError,
                TimeoutError,
            ) as error:
                # A retried POST duplicates the message if the lost attempt had arrived;
                # a reply that never arrives is the worse outcome.
                failure = f"{type(error).__name__}: {error}"
                if attempt >= self._retry.max_attempts:
                    raise BotConnectorError(method, path, None, failure, attempt) from error
                delay = self._retry.backoff(attempt)
                logger.warning(
                    "Bot Connector %s %s: %s; retry %d of %d in %.2fs",
                    method,
                    path,
                    failure,
                    attempt,
                    self._retry.max_attempts - 1,
                    delay,
                )
                await asyncio.sleep(delay)
                continue

            if status < 300:
                return _parse_json(payload)
            excerpt = payload[:300].decode("utf-8", "replace")
            if status != 429 and status < 500:
                raise BotConnectorError(method, path, status, excerpt, attempt)
            wait = retry_after_seconds(retry_after, time.time())
            if attempt >= self._retry.max_attempts:
                raise BotConnectorError(method, path, status, excerpt, attempt, wait)
            if wait is None:
                wait = self._retry.backoff(attempt)
            elif wait > self._retry.max_retry_after:
                raise BotConnectorError(
                    method,
                    path,
                    status,
                    f"Retry-After {retry_after!r} is too long; {excerpt}",
                    attempt,
                    wait,
                )
            logger.warning(
                "Bot Connector %s %s answered HTTP %d; retry %d of %d in %.2fs",
                method,
                path,
                status,
                attempt,
                self._retry.max_attempts - 1,
                wait,
            )
            await asyncio.sleep(wait)


class ConversationsOperations:
    """The `conversations` operations of the Bot Connector REST v3 API that the bot uses."""

    def __init__(self, client: BotConnectorClient) -> None:
        self._client = client

    async def reply_to_activity(
        self, conversation_id: str, activity_id: str, activity: Activity
    ) -> ResourceResponse | None:
        path = f"/v3/conversations/{_segment(conversation_id)}/activities/{_segment(activity_id)}"
        answer = await self._client.request(
            "POST", path, activity_to_json(activity), conversation_id
        )
        return _resource_response(answer)

    async def send_to_conversation(
        self, conversation_id: str, activity: Activity
    ) -> ResourceResponse | None:
        path = f"/v3/conversations/{_segment(conversation_id)}/activities"
        answer = await self._client.request(
            "POST", path, activity_to_json(activity), conversation_id
        )
        return _resource_response(answer)

    async def update_activity(
        self, conversation_id: str, activity_id: str, activity: Activity
    ) -> ResourceResponse | None:
        path = f"/v3/conversations/{_segment(conversation_id)}/activities/{_segment(activity_id)}"
        answer = await self._client.request(
            "PUT", path, activity_to_json(activity), conversation_id
        )
        return _resource_response(answer)

    async def delete_activity(self, conversation_id: str, activity_id: str) -> None:
        path = f"/v3/conversations/{_segment(conversation_id)}/activities/{_segment(activity_id)}"
        await self._client.request("DELETE", path)

    async def create_conversation(
        self, parameters: ConversationParameters
    ) -> ConversationResourceResponse:
        answer = await self._client.request(
            "POST", "/v3/conversations", _request_body(parameters, "ConversationParameters")
        )
        return ConversationResourceResponse.deserialize(answer or {})

    async def get_conversation_member(self, conversation_id: str, member_id: str) -> ChannelAccount:
        path = f"/v3/conversations/{_segment(conversation_id)}/members/{_segment(member_id)}"
        # Model.deserialize keeps Teams' extra fields (email, userPrincipalName, ...) in
        # additional_properties, which TeamsInfo folds into a TeamsChannelAccount.
        return ChannelAccount.deserialize(await self._client.request("GET", path))

    async def get_conversation_members(self, conversation_id: str) -> list[ChannelAccount]:
        path = f"/v3/conversations/{_segment(conversation_id)}/members"
        answer = await self._client.request("GET", path)
        return [ChannelAccount.deserialize(member) for member in answer or []]


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or HTTP-date); None if absent."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return max(0.0, when.timestamp() - now)


def _segment(value: str) -> str:
    # Same quoting as msrest: Teams ids such as "19:x@thread.tacv2;messageid=1" keep nothing raw.
    return quote(str(value), safe="")


def _parse_json(payload: bytes) -> Any:
    if not payload:
        return None
    try:
        return json.loads(payload)
    except ValueError:
        return None


def _resource_response(answer: Any) -> ResourceResponse | None:
    if isinstance(answer, dict):
        return ResourceResponse(id=answer.get("id"))
    return None


# --- Wire format ---------------------------------------------------------------------------
#
# msrest converts between models and JSON through several layers of generic dispatch per
# attribute: `Serializer.body(activity, "Activity")` (what ConnectorClient sends) and
# `Activity.deserialize(body)` (what CloudAdapter does with a request) cost more CPU than the
# rest of an echo turn. The fast paths below give the same results for what actually travels
# (JSON values, models, datetimes) and hand anything else (tuples, enums in free-form objects,
# dicts where a model belongs, numbers where a string belongs, ...) to msrest, so unusual input
# still gets msrest's exact output or error.

_MODELS = {
    name: cls
    for module in (connector_models, botbuilder.schema, botbuilder.schema.teams)
    for name, cls in vars(module).items()
    if isinstance(cls, type)
}
_MSREST = Serializer(_MODELS)
# What `Activity.deserialize` builds on every call: the models of botbuilder.schema.
_SCHEMA_MODELS = Activity._infer_class_models()  # noqa: SLF001
_MSREST_READER = Deserializer(_SCHEMA_MODELS)


class _NeedsMsrest(Exception):
    """The fast path met a value that msrest treats in its own way."""


_BASIC_TYPES = {"str": str, "bool": bool, "int": int, "long": int, "float": float}
# (attribute name, JSON key, declared msrest type) per model class.
_PLANS: dict[type, tuple[tuple[str, str, str], ...]] = {}


def activity_to_json(activity: Activity) -> dict:
    """The Bot Framework JSON of an outgoing activity: camelCase keys, None values left out."""
    return _request_body(activity, "Activity")


def model_to_json(model: Model) -> dict:
    """What botbuilder's `serializer_helper` makes of a model (e.g. an invoke response body)."""
    try:
        return _model(model)
    except _NeedsMsrest:
        return _MSREST._serialize(model)  # noqa: SLF001 - exactly serializer_helper's call


def _request_body(model: Model, type_name: str) -> dict:
    """What ConnectorClient sends for `model` as a request body of type `type_name`."""
    try:
        return _model(model)
    except _NeedsMsrest:
        return _MSREST.body(model, type_name)


def _plan(cls: type[Model]) -> tuple[tuple[str, str, str], ...]:
    plan = _PLANS.get(cls)
    if plan is None:
        validation = getattr(cls, "_validation", {}) or {}
        entries = []
        for attr, desc in cls._attribute_map.items():
            key = desc["key"]
            if validation.get(attr, {}).get("readonly") or "." in key or key == "":
                # Read-only, flattened or additional-properties attributes: msrest-only rules.
                entries.append((attr, key, "?"))
            else:
                entries.append((attr, key, desc["type"]))
        plan = _PLANS[cls] = tuple(entries)
    return plan


def _model(model: Model) -> dict:
    out = {}
    for attr, key, type_name in _plan(type(model)):
        value = getattr(model, attr, None)
        if value is not None:
            out[key] = _typed(value, type_name)
    return out


def _typed(value: Any, type_name: str) -> Any:
    basic = _BASIC_TYPES.get(type_name)
    if basic is not None:
        if type(value) is basic:
            return value
        if basic is str and isinstance(value, Enum):
            return value.value  # ActivityTypes.message, InputHints.accepting_input, ...
        raise _NeedsMsrest
    if type_name == "object":
        return _free_form(value)
    if type_name == "iso-8601":
        if isinstance(value, datetime.datetime):
            return Serializer.serialize_iso(value)
        raise _NeedsMsrest
    if type_name[0] == "[" and type(value) is list:
        item_type = type_name[1:-1]
        return [None if item is None else _typed(item, item_type) for item in value]
    if type_name[0] == "{" and isinstance(value, dict):  # cards are sent as a dict subclass
        item_type = type_name[1:-1]
        return {
            _key(key): None if item is None else _typed(item, item_type)
            for key, item in value.items()
        }
    if isinstance(_MODELS.get(type_name), type) and isinstance(value, Model):
        return _model(value)
    raise _NeedsMsrest


def _free_form(value: Any) -> Any:
    kind = type(value)
    if value is None or kind is str or kind is int or kind is float or kind is bool:
        return value
    if kind is UnchangingCard:  # plain JSON already (cards/ builds it): not walked again
        return value
    if kind is dict or isinstance(value, dict):  # cards are sent as a dict subclass
        return {_key(key): _free_form(item) for key, item in value.items()}
    if kind is list:
        return [_free_form(item) for item in value]
    if isinstance(value, Model):
        return _model(value)
    if kind is datetime.datetime:
        return Serializer.serialize_iso(value)
    raise _NeedsMsrest


def _key(key: Any) -> str:
    if type(key) is str:
        return key
    raise _NeedsMsrest


def activity_from_json(body: dict) -> Activity:
    """The Activity that `Activity.deserialize(body)` returns, for a JSON object `body`."""
    try:
        return _read_model(Activity, body)
    except Exception:  # noqa: BLE001 - let msrest decide: same result, or its own error
        return _MSREST_READER("Activity", body)


# Per model class: JSON key -> (attribute name, declared msrest type).
_READ_PLANS: dict[type, dict[str, tuple[str, str]]] = {}


def _read_plan(cls: type[Model]) -> dict[str, tuple[str, str]]:
    plan = _READ_PLANS.get(cls)
    if plan is None:
        validation = getattr(cls, "_validation", {}) or {}
        if (
            validation
            or cls.__dict__.get("_subtype_map")
            or any("." in desc["key"] or desc["key"] == "" for desc in cls._attribute_map.values())
            or _has_defaults(cls)
        ):
            raise _NeedsMsrest  # read-only/constant, polymorphic or flattened models
        plan = _READ_PLANS[cls] = {
            desc["key"]: (attr, desc["type"]) for attr, desc in cls._attribute_map.items()
        }
    return plan


def _has_defaults(cls: type[Model]) -> bool:
    """Whether an attribute left out of the constructor would be other than None."""
    parameters = inspect.signature(cls.__init__).parameters.values()
    return any(parameter.default not in (None, inspect.Parameter.empty) for parameter in parameters)


def _read_model(cls: type, data: Any) -> Model:
    if type(data) is not dict:
        raise _NeedsMsrest
    plan = _read_plan(cls)
    values = {}
    # Keys the model does not know (Teams' tenantId, aadObjectId on mentions, ...) are kept.
    extra = {}
    # An activity has a few of its model's ~45 attributes: read those it has, the rest are None.
    for key, raw in data.items():
        field = plan.get(key)
        if field is None:
            extra[key] = raw
        elif raw is not None:
            values[field[0]] = _read_typed(raw, field[1])
    model = cls(**values)
    if extra:
        model.additional_properties = extra
    return model


def _read_typed(raw: Any, type_name: str) -> Any:
    basic = _BASIC_TYPES.get(type_name)
    if basic is not None:
        if type(raw) is basic:
            return raw
        raise _NeedsMsrest
    if type_name == "object":
        return _copy_json(raw)
    if type_name == "iso-8601":
        if type(raw) is str:
            return _utc_timestamp(raw) or Deserializer.deserialize_iso(raw)
        raise _NeedsMsrest
    if type_name[0] == "[" and type(raw) is list:
        item_type = type_name[1:-1]
        return [None if item is None else _read_typed(item, item_type) for item in raw]
    if type_name[0] == "{" and type(raw) is dict:
        item_type = type_name[1:-1]
        return {
            key: None if item is None else _read_typed(item, item_type) for key, item in raw.items()
        }
    cls = _SCHEMA_MODELS.get(type_name)
    if isinstance(cls, type) and issubclass(cls, Model):
        return _read_model(cls, raw)
    raise _NeedsMsrest


# The form Bot Framework channels write timestamps in: UTC, "Z", .NET's up to 7 decimals.
_UTC_TIMESTAMP = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,7}))?Z", re.ASCII
)


# The tzinfo msrest gives UTC timestamps (isodate's).
_MSREST_UTC = Deserializer.deserialize_iso("2000-01-01T00:00:00Z").tzinfo


def _utc_timestamp(text: str) -> datetime.datetime | None:
    """What msrest's deserialize_iso makes of a timestamp in that form (its isodate parse is
    a good part of reading an activity); None for any other form, which msrest reads."""
    found = _UTC_TIMESTAMP.fullmatch(text)
    if found is None:
        return None
    year, month, day, hour, minute, second = map(int, found.groups()[:6])
    # msrest keeps 6 decimals, cutting the rest off.
    microsecond = int((found[7] or "0")[:6].ljust(6, "0"))
    try:
        return datetime.datetime(year, month, day, hour, minute, second, microsecond, _MSREST_UTC)
    except ValueError:
        return None  # e.g. 30 February: msrest's error


def _copy_json(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return {key: _copy_json(item) for key, item in value.items()}
    if kind is list:
        return [_copy_json(item) for item in value]
    if value is None or kind is str or kind is int or kind is float or kind is bool:
        return value
    raise _NeedsMsrest
