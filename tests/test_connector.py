"""The pooled Bot Connector client, its wire format and the bot's token provider."""

from __future__ import annotations

import asyncio
import socket
import time
from datetime import UTC, datetime, timedelta, timezone

import aiohttp
import pytest
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.core.serializer_helper import serializer_helper
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    CardAction,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    Mention,
    SuggestedActions,
    TextFormatTypes,
)
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials

import bot.connector as connector_module
from bot.auth import BotTokenProvider
from bot.card_activity import card_invoke_response
from bot.connector import (
    BotConnectorClient,
    BotConnectorError,
    RetryPolicy,
    activity_from_json,
    activity_to_json,
    model_to_json,
    retry_after_seconds,
)
from tests.fakes import activities
from tests.fakes.connector import DEFAULT_MEMBER, FakeBotConnector
from tests.fakes.identity import FakeTokenCredential

FAST_RETRY = RetryPolicy(base_delay=0.01, max_delay=0.05)
CONVERSATION = activities.PERSONAL_CONVERSATION_ID
ENCODED_CONVERSATION = CONVERSATION.replace(":", "%3A")


@pytest.fixture
async def connector():
    async with FakeBotConnector() as fake:
        yield fake


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as session:
        yield session


def reply_to(incoming: dict, text: str) -> Activity:
    """The reply botbuilder builds for `incoming` (what TurnContext.send_activity sends)."""
    activity = Activity.deserialize(incoming)
    reply = MessageFactory.text(text)
    return TurnContext.apply_conversation_reference(
        reply, TurnContext.get_conversation_reference(activity)
    )


# --- REST calls ---------------------------------------------------------------------------


async def test_reply_posts_to_the_activity_path_with_the_json_botbuilder_would_send(
    connector, session
):
    incoming = activities.message("hello", service_url=connector.service_url)
    reply = reply_to(incoming, "You said hello")
    client = BotConnectorClient(session, connector.service_url)

    response = await client.conversations.reply_to_activity(CONVERSATION, incoming["id"], reply)

    [call] = connector.posts()
    assert call.raw_path == f"/v3/conversations/{ENCODED_CONVERSATION}/activities/{incoming['id']}"
    assert call.headers["Content-Type"] == "application/json; charset=utf-8"
    assert call.headers["x-ms-conversation-id"] == CONVERSATION
    assert call.authorization is None  # anonymous: no token source
    msrest = ConnectorClient(MicrosoftAppCredentials.empty(), base_url=connector.service_url)
    assert call.body == msrest.conversations._serialize.body(reply, "Activity")
    assert call.body["text"] == "You said hello"
    assert call.body["replyToId"] == incoming["id"]
    assert response.id == "1"


async def test_channel_thread_ids_are_percent_encoded_like_msrest(connector, session):
    incoming = activities.channel_message("help", service_url=connector.service_url)
    conversation_id = incoming["conversation"]["id"]
    client = BotConnectorClient(session, connector.service_url)

    await client.conversations.reply_to_activity(
        conversation_id, incoming["id"], reply_to(incoming, "hi")
    )

    [call] = connector.posts()
    encoded = conversation_id.replace(":", "%3A").replace("@", "%40").replace(";", "%3B")
    assert (
        call.raw_path
        == f"/v3/conversations/{encoded.replace('=', '%3D')}/activities/{incoming['id']}"
    )
    assert call.conversation_id == conversation_id


async def test_send_update_delete_create_and_members(connector, session):
    client = BotConnectorClient(session, connector.service_url)
    proactive = Activity(
        type=ActivityTypes.message,
        text="Your request was approved",
        conversation=ConversationAccount(id=CONVERSATION),
    )

    sent = await client.conversations.send_to_conversation(CONVERSATION, proactive)
    updated = await client.conversations.update_activity(CONVERSATION, sent.id, proactive)
    await client.conversations.delete_activity(CONVERSATION, sent.id)
    parameters = ConversationParameters(
        bot=ChannelAccount(id=activities.BOT["id"]),
        members=[ChannelAccount(id=DEFAULT_MEMBER["id"])],
        tenant_id=activities.TENANT_ID,
        channel_data={"tenant": {"id": activities.TENANT_ID}},
    )
    created = await client.conversations.create_conversation(parameters)
    members = await client.conversations.get_conversation_members(CONVERSATION)
    member = await client.conversations.get_conversation_member(CONVERSATION, DEFAULT_MEMBER["id"])

    methods = [(call.method, call.raw_path) for call in connector.calls]
    base = f"/v3/conversations/{ENCODED_CONVERSATION}"
    assert methods[:4] == [
        ("POST", f"{base}/activities"),
        ("PUT", f"{base}/activities/{sent.id}"),
        ("DELETE", f"{base}/activities/{sent.id}"),
        ("POST", "/v3/conversations"),
    ]
    assert connector.calls[1].body["text"] == "Your request was approved"
    msrest = ConnectorClient(MicrosoftAppCredentials.empty(), base_url=connector.service_url)
    assert connector.calls[3].body == msrest.conversations._serialize.body(
        parameters, "ConversationParameters"
    )
    assert updated.id == sent.id
    assert created.id.startswith("a:new-conversation-")
    assert created.activity_id
    assert [m.id for m in members] == [DEFAULT_MEMBER["id"]]
    # Teams' extra member fields survive for TeamsInfo to fold into a TeamsChannelAccount.
    assert member.additional_properties["email"] == DEFAULT_MEMBER["email"]
    assert member.aad_object_id == DEFAULT_MEMBER["aadObjectId"]


async def test_a_token_source_puts_a_bearer_token_on_every_call(connector, session):
    async def token() -> str:
        return "token-for-api.botframework.com"

    client = BotConnectorClient(session, connector.service_url, token)
    await client.conversations.get_conversation_members(CONVERSATION)

    assert connector.calls[0].authorization == "Bearer token-for-api.botframework.com"


# --- Retries ------------------------------------------------------------------------------


async def test_throttling_waits_for_retry_after_then_delivers_once(connector, session):
    incoming = activities.message("hello", service_url=connector.service_url)
    connector.fail_next(1, status=429, retry_after="1")
    client = BotConnectorClient(session, connector.service_url)

    started = time.monotonic()
    await client.conversations.reply_to_activity(
        CONVERSATION, incoming["id"], reply_to(incoming, "hi")
    )

    assert time.monotonic() - started >= 1.0
    assert len(connector.rejected) == 1
    assert len(connector.posts()) == 1


async def test_server_errors_are_retried_then_delivered(connector, session):
    connector.fail_next(2, status=503)
    client = BotConnectorClient(session, connector.service_url, retry=FAST_RETRY)

    await client.conversations.send_to_conversation(
        CONVERSATION, Activity(type="message", text="hi")
    )

    assert len(connector.rejected) == 2
    assert len(connector.posts()) == 1


async def test_server_errors_beyond_the_attempt_limit_raise_with_status_and_body(
    connector, session
):
    connector.fail_next(5, status=503, body='{"error": {"message": "Service unavailable"}}')
    client = BotConnectorClient(session, connector.service_url, retry=FAST_RETRY)

    with pytest.raises(BotConnectorError) as raised:
        await client.conversations.send_to_conversation(
            CONVERSATION, Activity(type="message", text="hi")
        )

    assert raised.value.status == 503
    assert raised.value.attempts == FAST_RETRY.max_attempts
    assert "Service unavailable" in str(raised.value)
    assert len(connector.rejected) == FAST_RETRY.max_attempts
    assert connector.posts() == []


async def test_client_errors_are_not_retried(connector, session):
    connector.fail_next(1, status=400, body='{"error": {"code": "BadArgument"}}')
    client = BotConnectorClient(session, connector.service_url, retry=FAST_RETRY)

    with pytest.raises(BotConnectorError) as raised:
        await client.conversations.send_to_conversation(
            CONVERSATION, Activity(type="message", text="hi")
        )

    assert raised.value.status == 400
    assert "BadArgument" in str(raised.value)
    assert len(connector.rejected) == 1


async def test_a_retry_after_beyond_the_limit_fails_at_once(connector, session):
    connector.fail_next(1, status=429, retry_after="3600")
    client = BotConnectorClient(session, connector.service_url, retry=FAST_RETRY)

    with pytest.raises(BotConnectorError, match="Retry-After '3600' is too long"):
        await client.conversations.send_to_conversation(
            CONVERSATION, Activity(type="message", text="hi")
        )
    assert len(connector.rejected) == 1


async def test_connection_failures_are_retried_then_reported(session):
    with socket.socket() as placeholder:  # a loopback port nobody listens on
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
    client = BotConnectorClient(session, f"http://127.0.0.1:{port}/", retry=FAST_RETRY)

    with pytest.raises(BotConnectorError) as raised:
        await client.conversations.send_to_conversation(
            CONVERSATION, Activity(type="message", text="hi")
        )

    assert raised.value.status is None
    assert raised.value.attempts == FAST_RETRY.max_attempts


def test_retry_after_accepts_seconds_and_http_dates():
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC).timestamp()
    assert retry_after_seconds("7", now) == 7
    assert retry_after_seconds("Wed, 01 May 2024 12:00:30 GMT", now) == 30
    assert retry_after_seconds("Wed, 01 May 2024 11:00:00 GMT", now) == 0  # in the past
    assert retry_after_seconds(None, now) is None
    assert retry_after_seconds("soon", now) is None


def test_backoff_grows_is_capped_and_jittered():
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (9, 4.0)]:
        waits = {policy.backoff(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= wait <= ceiling for wait in waits)
        assert len(waits) > 1


# --- Wire format --------------------------------------------------------------------------


def outgoing_examples() -> list[Activity]:
    incoming = activities.message("hello", service_url="https://smba.trafficmanager.net/emea/")
    card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "Pick one", "wrap": True, "isSubtle": None}],
        "actions": [{"type": "Action.Execute", "verb": "pick", "data": {"n": 1, "ok": True}}],
    }
    with_card = reply_to(incoming, "")
    with_card.text = None
    with_card.attachments = [CardFactory.adaptive_card(card)]
    suggested = MessageFactory.suggested_actions(
        [
            CardAction(type="imBack", title="Yes", value="yes"),
            CardAction(type="imBack", title="No"),
        ],
        "Continue?",
    )
    mention = MessageFactory.text("<at>Ada</at> your request is in")
    mention.entities = [
        Mention(
            mentioned=ChannelAccount(id=DEFAULT_MEMBER["id"], name="Ada"),
            text="<at>Ada</at>",
            type="mention",
        )
    ]
    mention.text_format = TextFormatTypes.markdown
    stamped = Activity(
        type=ActivityTypes.message,
        text="stamped",
        timestamp=datetime(2024, 5, 1, 12, 0, 0, 123000, tzinfo=timezone(timedelta(hours=2))),
        channel_data={"notification": {"alert": True}, "nested": [1, None, {"x": None}]},
        suggested_actions=SuggestedActions(to=["29:a"], actions=[]),
    )
    # Values msrest handles its own way: the fast path must hand these over.
    odd_channel_data = Activity(type="message", channel_data={"tuple": (1, 2)})
    dict_attachment = Activity(
        type="message", attachments=[{"contentType": "text/plain", "content": "x"}]
    )
    number_text = Activity(type="message", text=42)
    return [
        reply_to(incoming, "You said hello"),
        with_card,
        suggested,
        mention,
        stamped,
        odd_channel_data,
        dict_attachment,
        number_text,
        Activity(type="typing"),
        Activity(
            type=ActivityTypes.message, attachments=[Attachment(content_type="x", content=None)]
        ),
    ]


@pytest.mark.parametrize(
    "activity", outgoing_examples(), ids=lambda a: str(a.type) + ":" + str(a.text)[:12]
)
def test_activity_json_matches_what_botbuilders_connector_sends(activity):
    msrest = ConnectorClient(MicrosoftAppCredentials.empty(), base_url="http://x")

    ours = activity_to_json(activity)
    expected = msrest.conversations._serialize.body(activity, "Activity")

    assert ours == expected
    assert None not in ours.values()


def test_a_card_invoke_response_is_written_like_botbuilder_without_falling_back_to_msrest(
    monkeypatch,
):
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "x"}]}
    body = card_invoke_response(card).body
    expected = serializer_helper(body)

    def msrest_fallback(*args):  # a card on every click: it must stay on the fast path
        raise AssertionError("model_to_json fell back to msrest")

    monkeypatch.setattr(connector_module._MSREST, "_serialize", msrest_fallback)
    assert model_to_json(body) == expected


def incoming_examples() -> list[dict]:
    url = "https://smba.trafficmanager.net/emea/"
    odd_types = activities.message("hi", service_url=url)
    odd_types["id"] = 12345  # a number where msrest expects a string
    odd_types["from"]["unknownField"] = {"deep": [1, None]}
    with_extras = activities.message("hi", service_url=url)
    with_extras.update(
        suggestedActions={
            "to": ["29:x"],
            "actions": [{"type": "imBack", "title": "Yes", "value": "y"}],
        },
        attachments=[
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": {"a": None}}
        ],
        topLevelExtra=True,
        value=None,
    )
    return [
        activities.message("hello", service_url=url),
        activities.channel_message("help", service_url=url),
        activities.members_added(service_url=url),
        activities.installation_add(service_url=url),
        activities.card_action("submit", {"answer": 3, "notes": None}, service_url=url),
        odd_types,
        with_extras,
        {"type": "message"},
    ]


def model_state(value):
    """A comparable form of a model tree, additional_properties included."""
    if hasattr(value, "_attribute_map"):
        return (type(value).__name__, {k: model_state(v) for k, v in vars(value).items()})
    if isinstance(value, list):
        return [model_state(v) for v in value]
    if isinstance(value, dict):
        return {k: model_state(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return (value.isoformat(), value.utcoffset())
    return (type(value).__name__, value)


@pytest.mark.parametrize("body", incoming_examples(), ids=lambda b: b["type"])
def test_activity_from_json_matches_msrest(body):
    assert model_state(activity_from_json(body)) == model_state(Activity.deserialize(body))


@pytest.mark.parametrize(
    "timestamp",
    [
        "2024-05-01T12:00:00.123Z",
        "2024-05-01T12:00:00Z",
        "2024-05-01T12:00:00.1234567Z",  # .NET's seven decimals: msrest keeps six
        "2024-05-01T23:59:59.5Z",
        "2024-05-01T12:00:00.123+02:00",
        "2024-05-01t12:00:00z",
        "9999-12-31T23:59:59.9999999Z",
    ],
)
def test_activity_timestamps_are_read_as_msrest_reads_them(timestamp):
    body = {"type": "message", "timestamp": timestamp, "localTimestamp": timestamp}
    ours, theirs = activity_from_json(body), Activity.deserialize(body)
    for read, expected in (
        (ours.timestamp, theirs.timestamp),
        (ours.local_timestamp, theirs.local_timestamp),
    ):
        assert read == expected
        assert (read.isoformat(), type(read.tzinfo)) == (
            expected.isoformat(),
            type(expected.tzinfo),
        )


def test_activity_from_json_keeps_mention_fields_in_additional_properties():
    body = activities.channel_message("help", service_url="http://x/")

    mention = activity_from_json(body).entities[0]

    assert mention.type == "mention"
    assert mention.additional_properties["mentioned"]["id"] == activities.BOT["id"]


def test_activity_from_json_rejects_what_msrest_rejects():
    with pytest.raises(ValueError, match="Invalid datetime string"):
        activity_from_json({"type": "message", "timestamp": "yesterday-ish"})


# --- Token provider -----------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_token_is_fetched_once_then_refreshed_near_expiry():
    clock = Clock()
    credential = FakeTokenCredential(lifetime=3600, clock=clock)
    provider = BotTokenProvider("app-id", credential, clock=clock)

    tokens = [await provider.get_token("https://api.botframework.com") for _ in range(20)]
    clock.now += 3600 - 301  # still more than the 5 minute margin left
    tokens.append(await provider.get_token("https://api.botframework.com"))
    clock.now += 2  # now inside the margin
    refreshed = await provider.get_token("https://api.botframework.com")

    assert set(tokens) == {"fake-token-1"}
    assert refreshed == "fake-token-2"
    assert credential.calls == [("https://api.botframework.com/.default",)] * 2


async def test_concurrent_first_calls_share_one_fetch():
    credential = FakeTokenCredential(delay=0.05)
    provider = BotTokenProvider("app-id", credential)

    tokens = await asyncio.gather(
        *(provider.get_token("https://api.botframework.com") for _ in range(25))
    )

    assert set(tokens) == {"fake-token-1"}
    assert len(credential.calls) == 1


async def test_each_audience_has_its_own_token():
    credential = FakeTokenCredential()
    provider = BotTokenProvider("app-id", credential)

    first = await provider.get_token("https://api.botframework.com")
    second = await provider.get_token("api://skill-app-id")

    assert first != second
    assert credential.calls == [
        ("https://api.botframework.com/.default",),
        ("api://skill-app-id/.default",),
    ]


async def test_a_failed_fetch_reaches_every_waiter_and_the_next_call_retries():
    class FlakyCredential(FakeTokenCredential):
        async def get_token(self, *scopes, **kwargs):
            if not self.calls:
                self.calls.append(scopes)
                await asyncio.sleep(0.01)
                raise RuntimeError("AADSTS7000215: Invalid client secret provided")
            return await super().get_token(*scopes, **kwargs)

    credential = FlakyCredential()
    provider = BotTokenProvider("app-id", credential)

    results = await asyncio.gather(
        *(provider.get_token("https://api.botframework.com") for _ in range(5)),
        return_exceptions=True,
    )
    assert all(isinstance(result, RuntimeError) for result in results)
    assert await provider.get_token("https://api.botframework.com") == "fake-token-2"
    assert len(credential.calls) == 2
