"""TeamsBotAdapter over HTTP: real activities in, real Bot Connector calls out."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import socket
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
import jwt
import pytest
from aiohttp import web
from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import AdaptiveCardInvokeResponse, ChannelAccount
from botframework.connector.auth import AuthenticationConstants, ChannelValidation
from cryptography.hazmat.primitives.asymmetric import rsa

import bot.auth as bot_auth
from bot.adapter import APOLOGY, build_adapter
from config.settings import load_settings
from tests.fakes import activities
from tests.fakes.connector import DEFAULT_MEMBER, FakeBotConnector, StalledBotConnector
from tests.fakes.identity import CHANNEL_ISSUER, FakeTokenCredential, LocalOpenIdMetadata

CARD = {
    "type": "AdaptiveCard",
    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": "Request saved", "wrap": True}],
}
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


class EchoBot(ActivityHandler):
    def __init__(self) -> None:
        self.turns: list[str] = []

    async def on_turn(self, turn_context: TurnContext) -> None:
        self.turns.append(turn_context.activity.type)
        await super().on_turn(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        text = (turn_context.activity.text or "").strip()
        if text.startswith("boom"):
            raise RuntimeError("the dialog broke")
        if text == "whoami":
            member = await TeamsInfo.get_member(
                turn_context, turn_context.activity.from_property.id
            )
            await turn_context.send_activity(f"You are {member.email}")
            return
        await turn_context.send_activity(f"You said {text}")

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        if any(m.id == turn_context.activity.recipient.id for m in members_added):
            await turn_context.send_activity("Welcome")

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity("Thanks for installing")

    async def on_adaptive_card_invoke(self, turn_context: TurnContext, invoke_value):
        if invoke_value.action["verb"] == "explode":
            raise RuntimeError("the card handler broke")
        card = dict(
            CARD, body=[{"type": "TextBlock", "text": f"Done: {invoke_value.action['verb']}"}]
        )
        return AdaptiveCardInvokeResponse(status_code=200, type=CARD_CONTENT_TYPE, value=card)

    async def on_invoke_activity(self, turn_context: TurnContext):
        if turn_context.activity.name == "test/model-body":
            # A model body, not yet serialised: the adapter must serialise it exactly once.
            body = AdaptiveCardInvokeResponse(status_code=200, type=CARD_CONTENT_TYPE, value=CARD)
            return InvokeResponse(status=200, body=body)
        return await super().on_invoke_activity(turn_context)


@dataclass
class RunningBot:
    url: str
    bot: EchoBot
    connector: FakeBotConnector
    session: aiohttp.ClientSession

    async def post(self, activity, *, authorization: str | None = None) -> aiohttp.ClientResponse:
        headers = {"Authorization": authorization} if authorization else {}
        async with self.session.post(self.url, json=activity, headers=headers) as response:
            await response.read()
            return response


@asynccontextmanager
async def running_bot(settings, credential=None):
    async with FakeBotConnector() as connector, aiohttp.ClientSession() as session:
        adapter = build_adapter(settings, session, credential)
        bot = EchoBot()

        async def messages(request: web.Request) -> web.Response:
            return await adapter.process(request, bot)

        app = web.Application()
        app.router.add_route("*", "/api/messages", messages)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        try:
            url = f"http://127.0.0.1:{runner.addresses[0][1]}/api/messages"
            yield RunningBot(url, bot, connector, session)
        finally:
            await runner.cleanup()
            await adapter.close()


ANONYMOUS = {"microsoft_app_id": "", "microsoft_app_password": "", "host": "127.0.0.1"}
WITH_APP_ID = {
    "microsoft_app_id": activities.BOT_APP_ID,
    "microsoft_app_password": "test-secret",
    "microsoft_app_type": "MultiTenant",
}


@pytest.fixture
async def anonymous_bot():
    async with running_bot(load_settings(**ANONYMOUS)) as bot:
        yield bot


def closed_port() -> int:
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        return placeholder.getsockname()[1]


@pytest.fixture
def openid(monkeypatch):
    """botbuilder validates channel tokens against local signing keys, never the internet."""
    with LocalOpenIdMetadata() as metadata:
        monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", metadata.metadata_url)
        yield metadata


@pytest.fixture
def credential():
    return FakeTokenCredential()


@pytest.fixture
async def secured_bot(openid, credential):
    async with running_bot(load_settings(**WITH_APP_ID), credential) as bot:
        yield bot


# --- Anonymous (local, Playground) ----------------------------------------------------------


async def test_a_message_gets_its_reply_on_the_activity_path(anonymous_bot):
    incoming = activities.message("hello", service_url=anonymous_bot.connector.service_url)

    response = await anonymous_bot.post(incoming)

    assert response.status == 201
    [call] = anonymous_bot.connector.posts()
    conversation = incoming["conversation"]["id"].replace(":", "%3A")
    assert call.raw_path == f"/v3/conversations/{conversation}/activities/{incoming['id']}"
    assert call.authorization is None
    reply = call.body
    assert reply["type"] == "message"
    assert reply["text"] == "You said hello"
    assert reply["replyToId"] == incoming["id"]
    assert reply["conversation"]["id"] == incoming["conversation"]["id"]
    assert reply["from"] == incoming["recipient"]
    assert reply["recipient"] == incoming["from"]
    assert reply["serviceUrl"] == incoming["serviceUrl"]
    assert reply["channelId"] == "msteams"


async def test_a_channel_mention_is_answered_in_its_thread(anonymous_bot):
    incoming = activities.channel_message("help", service_url=anonymous_bot.connector.service_url)

    await anonymous_bot.post(incoming)

    [call] = anonymous_bot.connector.posts()
    assert call.conversation_id == incoming["conversation"]["id"]
    assert ";messageid=" in call.conversation_id
    assert "%3Bmessageid%3D" in call.raw_path
    assert call.body["text"] == "You said <at>FastTrack</at> help"


async def test_conversation_update_and_installation_update_are_answered(anonymous_bot):
    url = anonymous_bot.connector.service_url

    await anonymous_bot.post(activities.members_added(service_url=url))
    await anonymous_bot.post(activities.installation_add(service_url=url))

    assert [a["text"] for a in anonymous_bot.connector.activities()] == [
        "Welcome",
        "Thanks for installing",
    ]


async def test_teams_info_reads_members_through_the_pooled_connector(anonymous_bot):
    incoming = activities.message("whoami", service_url=anonymous_bot.connector.service_url)

    await anonymous_bot.post(incoming)

    assert anonymous_bot.connector.activities()[0]["text"] == f"You are {DEFAULT_MEMBER['email']}"


async def test_card_action_returns_the_card_body_once_as_json(anonymous_bot):
    incoming = activities.card_action(
        "saveRequest", {"site": "Leeds"}, service_url=anonymous_bot.connector.service_url
    )

    async with anonymous_bot.session.post(anonymous_bot.url, json=incoming) as response:
        body = await response.json()

    assert response.status == 200
    assert body == {
        "statusCode": 200,
        "type": CARD_CONTENT_TYPE,
        "value": dict(CARD, body=[{"type": "TextBlock", "text": "Done: saveRequest"}]),
    }


async def test_an_invoke_body_given_as_a_model_is_serialised_once(anonymous_bot):
    incoming = activities.card_action("x", service_url=anonymous_bot.connector.service_url)
    incoming["name"] = "test/model-body"

    async with anonymous_bot.session.post(anonymous_bot.url, json=incoming) as response:
        body = await response.json()

    assert response.status == 200
    assert body == {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": CARD}


async def test_an_unsupported_card_action_gets_a_universal_actions_error_body(anonymous_bot):
    incoming = activities.card_action(
        "x", service_url=anonymous_bot.connector.service_url, action_type="Action.Submit"
    )

    async with anonymous_bot.session.post(anonymous_bot.url, json=incoming) as response:
        body = await response.json()

    assert response.status == 400
    assert body == {
        "statusCode": 400,
        "type": "application/vnd.microsoft.error",
        "value": {
            "code": "NotSupported",
            "message": "The action 'Action.Submit' is not supported.",
        },
    }


@pytest.mark.parametrize(
    ("method", "content_type", "payload", "status"),
    [
        ("GET", None, None, 405),
        ("PUT", "application/json", b"{}", 405),
        ("POST", "text/plain", b'{"type": "message"}', 415),
        ("POST", None, b'{"type": "message"}', 415),
        ("POST", "application/json", b"{not json", 400),
        ("POST", "application/json", b"\xff\xfe", 400),
        ("POST", "application/json", b"[]", 400),
        ("POST", "application/json", b'"message"', 400),
        ("POST", "application/json", b'{"text": "no type"}', 400),
        ("POST", "application/json", b'{"type": 7}', 400),
    ],
)
async def test_bad_requests_get_a_4xx_and_never_reach_the_bot(
    anonymous_bot, method, content_type, payload, status
):
    headers = {"Content-Type": content_type} if content_type else {}
    async with anonymous_bot.session.request(
        method, anonymous_bot.url, data=payload, headers=headers
    ) as response:
        assert response.status == status
    assert anonymous_bot.bot.turns == []


@pytest.mark.parametrize(
    "change",
    [
        {"serviceUrl": None},
        {"conversation": None},
        {"conversation": {"conversationType": "personal"}},
        {"timestamp": "not a time"},
        {"from": "29:someone"},
        {"entities": "mention"},
    ],
)
async def test_activities_the_bot_cannot_answer_get_400(anonymous_bot, change):
    incoming = activities.message("hello", service_url=anonymous_bot.connector.service_url)
    incoming.update(change)
    incoming = {key: value for key, value in incoming.items() if value is not None}

    response = await anonymous_bot.post(incoming)

    assert response.status == 400
    assert anonymous_bot.bot.turns == []


async def test_throttled_reply_is_sent_once_after_retry_after(anonymous_bot):
    anonymous_bot.connector.fail_next(1, status=429, retry_after="1")
    incoming = activities.message("hello", service_url=anonymous_bot.connector.service_url)

    started = time.monotonic()
    response = await anonymous_bot.post(incoming)

    assert response.status == 201
    assert time.monotonic() - started >= 1.0
    assert len(anonymous_bot.connector.rejected) == 1
    assert [a["text"] for a in anonymous_bot.connector.activities()] == ["You said hello"]


async def test_a_reply_that_keeps_failing_is_logged_and_the_user_gets_the_apology(
    anonymous_bot, caplog
):
    # Four attempts at the reply fail, then the first attempt at the apology; the retry works.
    anonymous_bot.connector.fail_next(5, status=503, retry_after="0")
    incoming = activities.message(
        "my salary is 12345", service_url=anonymous_bot.connector.service_url
    )

    with caplog.at_level(logging.ERROR, logger="bot.adapter"):
        response = await anonymous_bot.post(incoming)

    assert response.status == 201
    assert [a["text"] for a in anonymous_bot.connector.activities()] == [APOLOGY]
    [record] = [r for r in caplog.records if r.name == "bot.adapter"]
    assert "activity type message" in record.getMessage()
    assert incoming["conversation"]["id"] in record.getMessage()
    assert "HTTP 503" in str(record.exc_info[1])
    assert "12345" not in caplog.text


async def test_a_failing_turn_logs_without_the_text_and_apologises(anonymous_bot, caplog):
    incoming = activities.message(
        "boom, my password is hunter2", service_url=anonymous_bot.connector.service_url
    )

    with caplog.at_level(logging.ERROR, logger="bot.adapter"):
        response = await anonymous_bot.post(incoming)

    assert response.status == 201
    assert [a["text"] for a in anonymous_bot.connector.activities()] == [APOLOGY]
    assert "the dialog broke" in caplog.text
    assert "hunter2" not in caplog.text


async def test_a_failing_card_action_answers_500_and_apologises(anonymous_bot):
    incoming = activities.card_action("explode", service_url=anonymous_bot.connector.service_url)

    response = await anonymous_bot.post(incoming)

    assert response.status == 500
    assert [a["text"] for a in anonymous_bot.connector.activities()] == [APOLOGY]


# --- With an app id: inbound JWT validation, outbound tokens ----------------------------------


async def test_a_valid_channel_token_is_accepted_and_replies_carry_the_bot_token(
    secured_bot, openid, credential
):
    service_url = secured_bot.connector.service_url
    token = openid.channel_token(activities.BOT_APP_ID, service_url)

    for number in range(5):
        incoming = activities.message(f"hello {number}", service_url=service_url)
        response = await secured_bot.post(incoming, authorization=token)
        assert response.status == 201

    posts = secured_bot.connector.posts()
    assert [call.body["text"] for call in posts] == [f"You said hello {n}" for n in range(5)]
    assert {call.authorization for call in posts} == {"Bearer fake-token-1"}
    assert credential.calls == [("https://api.botframework.com/.default",)]


async def test_no_authorization_header_is_401(secured_bot):
    incoming = activities.message("hello", service_url=secured_bot.connector.service_url)

    response = await secured_bot.post(incoming)

    assert response.status == 401
    assert secured_bot.bot.turns == []
    assert secured_bot.connector.calls == []


def bad_tokens(openid: LocalOpenIdMetadata, service_url: str) -> dict[str, str]:
    now = int(time.time())
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    unsigned = jwt.encode(
        {"iss": CHANNEL_ISSUER, "aud": activities.BOT_APP_ID, "serviceurl": service_url},
        None,
        algorithm="none",
        headers={"kid": openid.key_id},
    )
    return {
        "garbage": "Bearer garbage",
        "not bearer": "Basic dXNlcjpwYXNz",
        "unknown issuer": openid.channel_token(
            activities.BOT_APP_ID, service_url, iss="https://evil.example"
        ),
        "unsigned": f"Bearer {unsigned}",
        "signed by someone else": openid.channel_token(
            activities.BOT_APP_ID, service_url, signing_key=stranger
        ),
        "expired": openid.channel_token(
            activities.BOT_APP_ID, service_url, exp=now - 3600, nbf=now - 7200
        ),
        "for another bot": openid.channel_token(
            "11111111-2222-3333-4444-555555555555", service_url
        ),
        "for another service url": openid.channel_token(
            activities.BOT_APP_ID, "https://smba.trafficmanager.net/emea/"
        ),
    }


@pytest.mark.parametrize(
    "kind",
    [
        "garbage",
        "not bearer",
        "unknown issuer",
        "unsigned",
        "signed by someone else",
        "expired",
        "for another bot",
        "for another service url",
    ],
)
async def test_bad_tokens_are_401(secured_bot, openid, kind):
    service_url = secured_bot.connector.service_url
    incoming = activities.message("hello", service_url=service_url)

    response = await secured_bot.post(incoming, authorization=bad_tokens(openid, service_url)[kind])

    assert response.status == 401
    assert secured_bot.bot.turns == []
    assert secured_bot.connector.calls == []


async def test_an_accepted_token_is_still_checked_against_channel_and_service_url(
    secured_bot, openid
):
    service_url = secured_bot.connector.service_url
    token = openid.channel_token(activities.BOT_APP_ID, service_url)
    first = await secured_bot.post(
        activities.message("hi", service_url=service_url), authorization=token
    )
    assert first.status == 201

    other_service = activities.message("hi", service_url="http://127.0.0.1:9/")
    other_channel = activities.message("hi", service_url=service_url)
    other_channel["channelId"] = "webchat"  # the signing key is endorsed for msteams only

    assert (await secured_bot.post(other_service, authorization=token)).status == 401
    assert (await secured_bot.post(other_channel, authorization=token)).status == 401


async def test_garbage_tokens_fail_fast_without_any_key_download(monkeypatch, credential):
    # No metadata server at all: these must be refused before botbuilder looks for keys.
    monkeypatch.setattr(
        ChannelValidation,
        "open_id_metadata_endpoint",
        f"http://127.0.0.1:{closed_port()}/v1/.well-known/openidconfiguration",
    )
    async with running_bot(load_settings(**WITH_APP_ID), credential) as bot:
        incoming = activities.message("hello", service_url=bot.connector.service_url)
        for header in ["Bearer garbage", "Bearer a.b.c", "Bearer " + "x" * 4000]:
            started = time.monotonic()
            assert (await bot.post(incoming, authorization=header)).status == 401
            assert time.monotonic() - started < 1


async def test_unreachable_signing_keys_are_503_not_a_hang(monkeypatch, credential):
    monkeypatch.setattr(
        ChannelValidation,
        "open_id_metadata_endpoint",
        f"http://127.0.0.1:{closed_port()}/v1/.well-known/openidconfiguration",
    )
    async with running_bot(load_settings(**WITH_APP_ID), credential) as bot:
        service_url = bot.connector.service_url
        with LocalOpenIdMetadata() as keys_nobody_serves:
            token = keys_nobody_serves.channel_token(activities.BOT_APP_ID, service_url)
        response = await bot.post(
            activities.message("hi", service_url=service_url), authorization=token
        )

    assert response.status == 503
    assert bot.bot.turns == []


async def test_a_stalled_signing_key_download_is_shared_bounded_and_blocks_no_other_turn(
    monkeypatch, credential
):
    metadata_requests = 0

    async def never_answer(request: web.Request) -> web.Response:
        nonlocal metadata_requests
        metadata_requests += 1
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    stalled = web.Application()
    stalled.router.add_get("/{tail:.*}", never_answer)
    runner = web.AppRunner(stalled, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    monkeypatch.setattr(
        ChannelValidation,
        "open_id_metadata_endpoint",
        f"http://127.0.0.1:{port}/v1/.well-known/openidconfiguration",
    )
    monkeypatch.setattr(bot_auth, "SIGNING_KEYS_TIMEOUT_SECONDS", 0.5)
    try:
        settings = load_settings(**WITH_APP_ID)
        async with asyncio.timeout(10), running_bot(settings, credential) as bot:
            service_url = bot.connector.service_url
            incoming = activities.message("hi", service_url=service_url)
            with LocalOpenIdMetadata() as keys_elsewhere:
                token = keys_elsewhere.channel_token(activities.BOT_APP_ID, service_url)
            started = time.monotonic()
            waiting = [
                asyncio.create_task(bot.post(incoming, authorization=token)) for _ in range(5)
            ]
            await asyncio.sleep(0.1)

            # The event loop is free meanwhile: another request is answered at once.
            refused = await bot.post(incoming, authorization="Bearer garbage")
            assert refused.status == 401
            assert time.monotonic() - started < 0.4

            statuses = [response.status for response in await asyncio.gather(*waiting)]
            elapsed = time.monotonic() - started
    finally:
        await runner.cleanup()

    assert statuses == [503] * 5
    assert 0.5 <= elapsed < 3
    assert metadata_requests == 1
    assert bot.bot.turns == []


# --- Malformed input: a 4xx before any turn -------------------------------------------------


def nested(depth: int) -> bytes:
    return b'{"type": "message", "value": ' + b"[" * depth + b"]" * depth + b"}"


def with_path(activity: dict, path: tuple[str, ...], value: object) -> dict:
    """`activity` with the field at `path` set to `value` (removed when value is None)."""
    changed = json.loads(json.dumps(activity))
    node = changed
    for key in path[:-1]:
        node = node[key]
    if value is None:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    return changed


@pytest.mark.parametrize("depth", [40, 1_000, 100_000])
async def test_deeply_nested_json_is_400(anonymous_bot, depth):
    incoming = activities.message("hi", service_url=anonymous_bot.connector.service_url)
    body = json.dumps(incoming)[:-1].encode() + b', "value": ' + nested(depth) + b"}"

    async with anonymous_bot.session.post(
        anonymous_bot.url, data=body, headers={"Content-Type": "application/json"}
    ) as response:
        assert response.status == 400
        assert "nested deeper" in await response.text()
    assert anonymous_bot.bot.turns == []


async def test_with_an_app_id_a_body_is_not_parsed_without_a_token(secured_bot):
    async with secured_bot.session.post(
        secured_bot.url, data=nested(100_000), headers={"Content-Type": "application/json"}
    ) as response:
        assert response.status == 401


async def test_content_encoding_gzip_on_a_plain_body_is_400(anonymous_bot):
    incoming = activities.message("hi", service_url=anonymous_bot.connector.service_url)
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    async with aiohttp.ClientSession() as fresh:  # the server closes this connection
        async with fresh.post(
            anonymous_bot.url, data=json.dumps(incoming).encode(), headers=headers
        ) as response:
            assert response.status == 400
        async with fresh.post(
            anonymous_bot.url, data=gzip.compress(json.dumps(incoming).encode()), headers=headers
        ) as response:
            assert response.status == 201
    assert anonymous_bot.bot.turns == ["message"]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("from",), None),
        (("recipient",), None),
        (("channelId",), None),
        (("channelId",), ["msteams"]),
        (("from", "id"), ""),
        (("conversation", "id"), "a:" + "x" * 600),
        (("from", "aadObjectId"), "1" * 65),
        (("from", "name"), "N" * 257),
        (("recipient", "id"), 28),
        (("channelData", "tenant"), "contoso"),
        (("channelData",), ["tenant"]),
        (("serviceUrl",), "ftp://127.0.0.1/"),
        (("name",), ["adaptiveCard/action"]),
    ],
)
async def test_activities_without_a_usable_envelope_are_400(anonymous_bot, path, value):
    incoming = activities.message("hello", service_url=anonymous_bot.connector.service_url)

    response = await anonymous_bot.post(with_path(incoming, path, value))

    assert response.status == 400
    assert anonymous_bot.bot.turns == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("text",), "nul \u0000 byte"),
        (("text",), "lone \ud800 surrogate"),
        (("from", "id"), "29:\udfff"),
        (("conversation", "id"), "a:\u0000"),
        (("value",), {"requestId": "NSD-0001\u0000"}),
        (("value",), {"\ud83d": "a key"}),
    ],
)
async def test_text_no_database_can_store_is_400(anonymous_bot, path, value):
    incoming = activities.message("hello", service_url=anonymous_bot.connector.service_url)
    # json.dumps writes lone surrogates and NUL as \u escapes, as an attacker would.
    body = json.dumps(with_path(incoming, path, value)).encode()

    async with anonymous_bot.session.post(
        anonymous_bot.url, data=body, headers={"Content-Type": "application/json"}
    ) as response:
        assert response.status == 400
        assert "NUL character or a lone surrogate" in await response.text()
    assert anonymous_bot.bot.turns == []


async def test_escaped_emoji_and_backslashes_are_welcome(anonymous_bot):
    incoming = activities.message(
        "thanks \U0001f600 C:\\u0000dir", service_url=anonymous_bot.connector.service_url
    )
    body = json.dumps(incoming).encode()  # the emoji as a \ud83d\ude00 pair
    assert b"\\ud83d\\ude00" in body

    async with anonymous_bot.session.post(
        anonymous_bot.url, data=body, headers={"Content-Type": "application/json"}
    ) as response:
        assert response.status == 201
    assert anonymous_bot.connector.activities()[0]["text"] == (
        "You said thanks \U0001f600 C:\\u0000dir"
    )


# --- Where replies may go, and for how long ---------------------------------------------------


async def test_without_an_app_id_only_loopback_service_urls_are_answered(anonymous_bot):
    for service_url in [
        "https://smba.trafficmanager.net/emea/",
        "http://10.0.0.7/",
        "http://127.0.0.1.evil.example/",
        "http://[::1",
    ]:
        response = await anonymous_bot.post(activities.message("hi", service_url=service_url))
        assert response.status == 401, service_url
    assert anonymous_bot.bot.turns == []

    local = anonymous_bot.connector.service_url.replace("127.0.0.1", "localhost")
    response = await anonymous_bot.post(activities.message("hi", service_url=local))
    assert response.status == 201
    assert [a["text"] for a in anonymous_bot.connector.activities()] == ["You said hi"]


def emulator_token(openid: LocalOpenIdMetadata) -> str:
    """A token as the Bot Framework Emulator gets one for the bot's app id (v1.0)."""
    return openid.channel_token(
        activities.BOT_APP_ID,
        "",
        iss="https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/",
        ver="1.0",
        appid=activities.BOT_APP_ID,
    )


async def test_an_emulator_token_is_refused_on_the_msteams_channel(
    secured_bot, openid, monkeypatch
):
    # The Emulator's signing keys are the local ones: botbuilder alone would accept the token.
    monkeypatch.setattr(
        AuthenticationConstants, "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL", openid.metadata_url
    )
    token = emulator_token(openid)
    incoming = activities.message("hi", service_url=secured_bot.connector.service_url)

    assert (await secured_bot.post(incoming, authorization=token)).status == 401
    assert secured_bot.bot.turns == []
    assert secured_bot.connector.calls == []


@pytest.mark.parametrize("text", ["hello", "boom"])
async def test_a_stalled_connector_holds_a_turn_no_longer_than_the_reply_time_limit(text, caplog):
    settings = load_settings(**ANONYMOUS, reply_time_limit_seconds=0.5)
    async with StalledBotConnector() as stalled, running_bot(settings) as bot:
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="bot.adapter"):
            response = await bot.post(activities.message(text, service_url=stalled.service_url))
        elapsed = time.monotonic() - started

    assert response.status == 201
    assert 0.5 <= elapsed < 2
    assert "Dropped 1 reply" in caplog.text
    assert "did not take it within the turn's 0.5 s" in caplog.text
