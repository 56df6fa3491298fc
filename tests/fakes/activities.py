"""Bot Framework activities as Microsoft Teams sends them (JSON dicts, camelCase).

Shapes follow what Teams posts to a bot's messaging endpoint: `from` carries the user's Teams id
("29:...") and Entra object id, `recipient` is the bot ("28:<app id>"), `conversation` and
`channelData.tenant` carry the tenant, and a clientInfo entity rides along on user actions.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

TENANT_ID = "5d9d7f41-7c3f-4a4e-9a8e-0d2b7c1f6a11"
BOT_APP_ID = "3f1e2b7c-9a4d-4e0b-8c6f-2d5a7b9c1e03"
BOT = {"id": f"28:{BOT_APP_ID}", "name": "FastTrack"}
USER = {
    "id": "29:1GcS4EyB_oSI8A88XmWBN7NJFyMqe3QGnJdgLfFGkJnVelzRGos0bPbpsfJjcbAD22bmKc4GMbrY2g4"
    "JDrrA8vM06X1-cHHle4zOE6U4ttcc",
    "name": "Ada Lovelace",
    "aadObjectId": "6b8fb9a3-3fd3-4c84-9a3a-2f52d8f3e1a7",
}
PERSONAL_CONVERSATION_ID = (
    "a:1WkPvQpWZJtLr6yTr5m0H1YkQF5o8c9dFfC1cBpx8mZq0s3K2hG7yJ4nV6tR9uE2wA5zX8bD3fH1jL7pN0qS4vY"
)
TEAM_ID = "19:4bXq1Zp3mK7sT9vW2yA5cE8gJ0lN6oR@thread.tacv2"
CHANNEL_ID = "19:8dFh2Jk5Lm9Np1Qr4St7Uv0Wx3Yz6Ab@thread.tacv2"
GROUP_CHAT_ID = "19:meeting_7Hq2Lk9Xv4Tr1Np6Ws3Zy8Bc5Df0Gj@thread.v2"

_ids = itertools.count(1_714_564_800_000)


def _timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _client_info() -> dict:
    return {
        "type": "clientInfo",
        "locale": "en-GB",
        "country": "GB",
        "platform": "Web",
        "timezone": "Europe/London",
    }


def _personal_conversation(conversation_id: str) -> dict:
    return {"conversationType": "personal", "tenantId": TENANT_ID, "id": conversation_id}


def _envelope(
    activity_type: str,
    service_url: str,
    conversation: dict,
    *,
    sender: dict | None = None,
    channel_data: dict | None = None,
    activity_id: str | None = None,
) -> dict:
    return {
        "type": activity_type,
        "id": activity_id or str(next(_ids)),
        "timestamp": _timestamp(),
        "localTimestamp": _timestamp().replace("Z", "+00:00"),
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": dict(sender or USER),
        "conversation": conversation,
        "recipient": dict(BOT),
        "channelData": channel_data or {"tenant": {"id": TENANT_ID}},
        "locale": "en-GB",
        "localTimezone": "Europe/London",
    }


def message(
    text: str,
    *,
    service_url: str,
    conversation_id: str = PERSONAL_CONVERSATION_ID,
    sender: dict | None = None,
    activity_id: str | None = None,
) -> dict:
    """A user typing `text` in their personal chat with the bot."""
    activity = _envelope(
        "message",
        service_url,
        _personal_conversation(conversation_id),
        sender=sender,
        activity_id=activity_id,
    )
    activity.update(text=text, textFormat="plain", entities=[_client_info()])
    return activity


def channel_message(text: str, *, service_url: str, message_id: str | None = None) -> dict:
    """A user @mentioning the bot in a team channel, followed by `text`."""
    message_id = message_id or str(next(_ids))
    mention_text = f"<at>{BOT['name']}</at>"
    activity = _envelope(
        "message",
        service_url,
        {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": TENANT_ID,
            "id": f"{CHANNEL_ID};messageid={message_id}",
        },
        channel_data={
            "teamsChannelId": CHANNEL_ID,
            "teamsTeamId": TEAM_ID,
            "channel": {"id": CHANNEL_ID},
            "team": {"id": TEAM_ID},
            "tenant": {"id": TENANT_ID},
        },
        activity_id=message_id,
    )
    activity.update(
        text=f"{mention_text} {text}",
        textFormat="plain",
        attachments=[{"contentType": "text/html", "content": f"<p>{mention_text} {text}</p>"}],
        entities=[
            {"type": "mention", "text": mention_text, "mentioned": dict(BOT)},
            _client_info(),
        ],
    )
    return activity


def group_chat_message(text: str, *, service_url: str) -> dict:
    """A user @mentioning the bot in a group chat (no team, no channel), followed by `text`."""
    mention_text = f"<at>{BOT['name']}</at>"
    activity = _envelope(
        "message",
        service_url,
        {
            "isGroup": True,
            "conversationType": "groupChat",
            "tenantId": TENANT_ID,
            "id": GROUP_CHAT_ID,
        },
    )
    activity.update(
        text=f"{mention_text} {text}",
        textFormat="plain",
        entities=[
            {"type": "mention", "text": mention_text, "mentioned": dict(BOT)},
            _client_info(),
        ],
    )
    return activity


def members_added(
    *,
    service_url: str,
    members: list[dict] | None = None,
    conversation_id: str = PERSONAL_CONVERSATION_ID,
) -> dict:
    """conversationUpdate with membersAdded; by default the bot joining a personal chat."""
    activity = _envelope(
        "conversationUpdate",
        service_url,
        _personal_conversation(conversation_id),
        activity_id=f"f:{next(_ids)}",
    )
    activity["membersAdded"] = members if members is not None else [{"id": BOT["id"]}]
    return activity


def installation_add(*, service_url: str, conversation_id: str = PERSONAL_CONVERSATION_ID) -> dict:
    """installationUpdate sent when a user installs the app for themselves."""
    activity = _envelope(
        "installationUpdate",
        service_url,
        _personal_conversation(conversation_id),
        channel_data={"tenant": {"id": TENANT_ID}, "source": {"name": "message"}},
        activity_id=f"f:{next(_ids)}",
    )
    activity.update(action="add", entities=[_client_info()])
    return activity


def card_action(
    verb: str,
    data: dict[str, Any] | None = None,
    *,
    service_url: str,
    reply_to_id: str = "1714564799000",
    conversation_id: str = PERSONAL_CONVERSATION_ID,
    action_type: str = "Action.Execute",
) -> dict:
    """invoke `adaptiveCard/action`: the user pressed an Action.Execute button on a card."""
    activity = _envelope(
        "invoke",
        service_url,
        _personal_conversation(conversation_id),
        channel_data={
            "tenant": {"id": TENANT_ID},
            "source": {"name": "message"},
            "legacy": {"replyToId": reply_to_id},
        },
        activity_id=f"f:{next(_ids)}",
    )
    activity.update(
        name="adaptiveCard/action",
        replyToId=reply_to_id,
        entities=[_client_info()],
        value={
            "action": {"type": action_type, "title": verb, "verb": verb, "data": data or {}},
            "trigger": "manual",
        },
    )
    return activity
