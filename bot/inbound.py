"""What a request to the messaging endpoint must be before the bot reads it deeply.

Anyone can POST anything to the endpoint. The body is decoded and its envelope (the few
fields authentication and routing need) checked here, without botbuilder; only after
authentication is the rest checked (nesting depth, text the databases cannot store) and the
activity deserialised. Each check names what was wrong, for a 4xx answer.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import String

from persistence.models import Base, CardMessageRow, ConversationReferenceRow, RequestRow

# Deeper JSON than this is refused: a real activity is a handful of levels deep, and msrest
# and botbuilder walk it recursively.
MAX_JSON_DEPTH = 32
MAX_SERVICE_URL_LENGTH = 2048
# A NUL or half of a surrogate pair can only come as a \u escape once the body is valid UTF-8.
_ESCAPED_NUL_OR_SURROGATE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


class BadRequest(ValueError):
    """The request is refused before any turn; the message says why."""


def _length(model: type[Base], column: str) -> int:
    column_type = model.__table__.c[column].type
    if not isinstance(column_type, String) or column_type.length is None:
        raise TypeError(f"{model.__name__}.{column} has no length")
    return column_type.length


# (path in the activity, longest value kept): what is stored, bounded by its column.
_BOUNDED_IDS = (
    (("id",), _length(CardMessageRow, "activity_id")),
    (("replyToId",), _length(CardMessageRow, "activity_id")),
    (("channelId",), _length(ConversationReferenceRow, "channel_id")),
    (("conversation", "id"), _length(ConversationReferenceRow, "conversation_id")),
    (("conversation", "conversationType"), _length(ConversationReferenceRow, "conversation_type")),
    (("conversation", "tenantId"), _length(ConversationReferenceRow, "tenant_id")),
    (("channelData", "tenant", "id"), _length(ConversationReferenceRow, "tenant_id")),
    (("from", "id"), _length(ConversationReferenceRow, "user_id")),
    (("from", "aadObjectId"), _length(ConversationReferenceRow, "aad_object_id")),
    (("from", "name"), _length(RequestRow, "requester_name")),
    (("recipient", "id"), _length(ConversationReferenceRow, "bot_id")),
)


def decode_json(raw: bytes) -> tuple[str, Any]:
    """The body as text and as JSON; BadRequest when it is neither."""
    try:
        text = raw.decode("utf-8")  # strict: encoded surrogates are refused here
        return text, json.loads(text)
    except ValueError:
        raise BadRequest("The body is not valid JSON") from None
    except RecursionError:
        raise BadRequest(f"The body is nested deeper than {MAX_JSON_DEPTH} levels") from None


def envelope_problem(body: Any) -> str | None:
    """Why `body` cannot be an activity the bot can authenticate and answer, or None."""
    if not isinstance(body, dict):
        return "The body must be a JSON object (an activity)"
    activity_type = body.get("type")
    if not isinstance(activity_type, str) or not activity_type:
        return "The activity has no type"
    service_url = body.get("serviceUrl")
    if not isinstance(service_url, str) or not service_url:
        return "The activity has no serviceUrl to reply to"
    if len(service_url) > MAX_SERVICE_URL_LENGTH or not service_url.startswith(
        ("https://", "http://")
    ):
        return "The activity's serviceUrl is not an http(s) URL"
    for field in ("conversation", "from", "recipient"):
        if not isinstance(body.get(field), dict) or not body[field].get("id"):
            return f"The activity has no {field} id"
    if not body.get("channelId"):
        return "The activity has no channelId"
    channel_data = body.get("channelData")
    if channel_data is not None and not isinstance(channel_data, dict):
        return "The activity's channelData is not an object"
    for path, longest in _BOUNDED_IDS:
        where = ".".join(path)
        try:
            value = _at(body, path)
        except TypeError as error:
            return f"The activity's {error} is not an object"
        if value is None:
            continue
        if not isinstance(value, str):
            return f"The activity's {where} is not a string"
        if len(value) > longest:
            return f"The activity's {where} is longer than {longest} characters"
    if body.get("name") is not None and not isinstance(body["name"], str):
        return "The activity's name is not a string"
    return None


def content_problem(text: str, body: Any) -> str | None:
    """Why the activity's content cannot be handled: too deep, or text with a NUL or a lone
    surrogate (neither database stores them); None when it can."""
    # Cheap tests on the raw text first: most activities need no walk at all.
    too_many_brackets = text.count("{") + text.count("[") > MAX_JSON_DEPTH
    suspect_text = _ESCAPED_NUL_OR_SURROGATE.search(text) is not None
    if not (too_many_brackets or suspect_text):
        return None
    pending: list[tuple[Any, int]] = [(body, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            pending += ((key, depth) for key in value)
            pending += ((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending += ((item, depth + 1) for item in value)
        elif isinstance(value, str) and not _storable(value):
            return "The activity holds text with a NUL character or a lone surrogate"
        if depth > MAX_JSON_DEPTH:
            return f"The activity is nested deeper than {MAX_JSON_DEPTH} levels"
    return None


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a surrogate left unpaired
        return False
    return True


def _at(body: dict, path: tuple[str, ...]) -> Any:
    """The value at `path`, None when absent; TypeError naming a part that is not an object."""
    value: Any = body
    for depth, key in enumerate(path):
        if value is None:
            return None
        if not isinstance(value, dict):
            raise TypeError(".".join(path[:depth]))
        value = value.get(key)
    return value
