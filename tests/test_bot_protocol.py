"""The bot over HTTP: real Bot Framework activities in, replies captured by a fake Bot Connector."""

import asyncio

import asyncpg
import pytest
from sqlalchemy import make_url

from persistence.conversation_references import ConversationReferenceStore
from persistence.database import create_engine
from tests.db_fixtures import POSTGRES_URL
from tests.fakes import activities
from tests.fakes.connector import FakeBotConnector, StalledBotConnector
from tests.harness import RunningBot, card_of, card_text, make_settings
from tests.schemas import assert_valid_card

PERSONAL = activities.PERSONAL_CONVERSATION_ID


@pytest.fixture
async def connector():
    async with FakeBotConnector() as fake:
        yield fake


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite+aiosqlite:///{tmp_path}/bot.db"


@pytest.fixture
async def bot(sqlite_url, connector):
    async with RunningBot(make_settings(sqlite_url), connector) as running:
        yield running


async def test_installing_the_app_greets_with_the_welcome_card(bot, connector):
    (reply,) = await bot.say(activities.members_added(service_url=connector.service_url))
    card = card_of(reply)
    assert_valid_card(card)
    text = card_text(card)
    assert "Hi Ada, I'm the FastTrack Bot" in text
    assert "area liaison FastTrack Architect" in text
    assert "`help` shows this card again" in text
    assert connector.posts()[-1].conversation_id == activities.PERSONAL_CONVERSATION_ID
    rows = [element["actions"] for element in card["body"] if element["type"] == "ActionSet"]
    assert all(len(row) <= 6 for row in rows), "Teams hides a seventh button"
    assert [action["title"] for action in rows[-1]] == ["My requests", "My approvals", "Help"]
    assert {action["data"]["command"] for row in rows for action in row} >= {
        "non-standard delivery",
        "covid triage",
        "acm referral",
        "help",
    }


async def test_help_shows_the_welcome_card_again(bot, connector):
    await bot.say(activities.members_added(service_url=connector.service_url))
    (reply,) = await bot.say(activities.message("help", service_url=connector.service_url))
    assert "I'm the FastTrack Bot" in card_text(card_of(reply))


async def test_first_contact_without_an_install_event_still_gets_the_welcome(bot, connector):
    welcome, hint = await bot.say(
        activities.message("what is this?", service_url=connector.service_url), replies=2
    )
    assert "I'm the FastTrack Bot" in card_text(card_of(welcome))
    assert "Type `help`" in hint["text"]


async def test_anything_not_understood_gets_a_hint(bot, connector):
    await bot.say(activities.members_added(service_url=connector.service_url))
    (reply,) = await bot.say(activities.message("blorp", service_url=connector.service_url))
    assert reply["text"] == "Sorry, I didn't understand that. Type `help` to see what I can do."


async def say(bot, connector, text=None, value=None, replies=1):
    message = activities.message(text or "", service_url=connector.service_url)
    if value is not None:
        message["value"] = value
    return await bot.say(message, replies=replies)


@pytest.mark.parametrize(
    ("typed", "heading"),
    [
        ("nsd", "Step 1 of 4 · Customer"),
        ("Non standard delivery", "Step 1 of 4 · Customer"),
        ("exception", "Step 1 of 4 · Customer"),
        ("covid", "Step 1 of 6 · Customer and account team"),
        ("ACM", "Step 1 of 3 · Customer and current partners"),
        ("partner referral", "Step 1 of 3 · Customer and current partners"),
    ],
)
async def test_conversations_start_from_their_common_names(bot, connector, typed, heading):
    await bot.say(activities.members_added(service_url=connector.service_url))
    (reply,) = await say(bot, connector, typed)
    assert heading in reply["text"]


@pytest.mark.parametrize(
    ("typed", "reply_text"), [("my requests", "not raised any"), ("approvals", "Nothing waits")]
)
async def test_commands_by_their_common_names(bot, connector, typed, reply_text):
    await bot.say(activities.members_added(service_url=connector.service_url))
    (reply,) = await say(bot, connector, typed)
    assert reply_text in reply["text"]


async def test_a_sentence_naming_a_request_starts_it_with_the_customer(bot, connector):
    await bot.say(activities.members_added(service_url=connector.service_url))
    (reply,) = await say(bot, connector, "I need an exception for Contoso")
    assert "Step 1 of 4 · Customer" in reply["text"]
    assert "What is the customer's TPID?" in reply["text"]  # the customer is known
    fields = {e["id"]: e.get("value") for e in card_of(reply)["body"] if "id" in e}
    assert fields["customer"] == "Contoso"


async def test_an_unclear_message_gets_did_you_mean_buttons(bot, connector):
    await bot.say(activities.members_added(service_url=connector.service_url))
    (reply,) = await say(bot, connector, "covd")
    card = card_of(reply)
    assert_valid_card(card)
    assert "Did you mean" in card_text(card)
    assert {"command": "covid triage"} in [a["data"] for a in card["actions"]]


async def test_a_menu_button_mid_conversation_asks_before_leaving_it(bot, connector):
    await bot.say(activities.members_added(service_url=connector.service_url))
    await say(bot, connector, "nsd")
    await say(bot, connector, "Contoso")
    (question,) = await say(bot, connector, value={"command": "acm referral"})
    card = card_of(question)
    assert_valid_card(card)
    assert "in the middle of the Non-standard delivery" in card_text(card)
    stay, leave = sorted(card["actions"], key=lambda a: a["title"] != "Stay")
    (again,) = await say(bot, connector, value=stay["data"])
    assert "What is the customer's TPID?" in again["text"]  # the same question, nothing lost
    await say(bot, connector, value={"command": "acm referral"})
    (started,) = await say(bot, connector, value=leave["data"])
    assert "Step 1 of 3 · Customer and current partners" in started["text"]


async def test_cancel_outside_a_conversation_says_there_is_nothing_to_cancel(bot, connector):
    await bot.say(activities.members_added(service_url=connector.service_url))
    (reply,) = await bot.say(activities.message("Cancel", service_url=connector.service_url))
    assert reply["text"].startswith("There is nothing to cancel")


async def test_in_a_channel_the_bot_answers_only_when_mentioned(bot, connector):
    (reply,) = await bot.say(activities.channel_message("help", service_url=connector.service_url))
    assert "I'm the FastTrack Bot" in card_text(card_of(reply))
    assert connector.posts()[-1].conversation_id.startswith(activities.CHANNEL_ID)

    unmentioned = activities.channel_message("help", service_url=connector.service_url)
    unmentioned["entities"] = [e for e in unmentioned["entities"] if e["type"] != "mention"]
    unmentioned["text"] = "help"
    before = len(connector.calls)
    assert (await bot.post(unmentioned)).status == 201
    await asyncio.sleep(0.2)
    assert len(connector.calls) == before


async def test_conversation_references_are_kept_for_proactive_messages(bot, connector, sqlite_url):
    await bot.say(activities.installation_add(service_url=connector.service_url), replies=0)
    engine = create_engine(sqlite_url)
    try:
        record = await ConversationReferenceStore(engine).personal_conversation_for(
            activities.USER["aadObjectId"]
        )
    finally:
        await engine.dispose()
    assert record is not None
    assert (record.conversation_id, record.user_id, record.service_url, record.tenant_id) == (
        activities.PERSONAL_CONVERSATION_ID,
        activities.USER["id"],
        connector.service_url,
        activities.TENANT_ID,
    )
    assert record.reference["conversation"]["id"] == activities.PERSONAL_CONVERSATION_ID


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"not json", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'{"text": "no type"}', "application/json", 400),
        (b'{"type": "message"}', "text/plain", 415),
    ],
)
async def test_malformed_requests_get_a_4xx(bot, body, content_type, status):
    async with bot.http.post(
        f"{bot.url}/api/messages", data=body, headers={"Content-Type": content_type}
    ) as response:
        assert response.status == status


async def test_only_post_is_accepted_on_the_messaging_endpoint(bot):
    async with bot.http.get(f"{bot.url}/api/messages") as response:
        assert response.status == 405


async def test_with_an_app_id_a_request_without_a_token_is_refused(sqlite_url, connector):
    settings = make_settings(
        sqlite_url,
        microsoft_app_id="3f1e2b7c-9a4d-4e0b-8c6f-2d5a7b9c1e03",
        microsoft_app_password="secret",
    )
    async with RunningBot(settings, connector) as secured:
        message = activities.message("help", service_url=connector.service_url)
        assert (await secured.post(message)).status == 401
        assert (await secured.post(message, Authorization="Bearer not-a-jwt")).status == 401
    assert connector.calls == []


async def test_health_is_ok_with_the_database_reachable(bot):
    async with bot.http.get(f"{bot.url}/healthz") as response:
        assert (response.status, await response.json()) == (200, {"status": "ok"})


@pytest.mark.postgres
async def test_health_is_503_when_the_database_goes_away(connector, require_postgres):
    admin_url = make_url(POSTGRES_URL)
    health_db = f"{admin_url.database}_health"
    admin = await asyncpg.connect(admin_url.set(drivername="postgresql").render_as_string(False))
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {health_db} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {health_db}")
        settings = make_settings(admin_url.set(database=health_db).render_as_string(False))
        async with RunningBot(settings, connector) as running:
            async with running.http.get(f"{running.url}/healthz") as response:
                assert response.status == 200
            await admin.execute(f"DROP DATABASE {health_db} WITH (FORCE)")
            async with running.http.get(f"{running.url}/healthz") as response:
                assert response.status == 503
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {health_db} WITH (FORCE)")
        await admin.close()


async def test_a_request_asked_for_in_a_channel_continues_in_the_personal_chat(bot, connector):
    await bot.say(activities.members_added(service_url=connector.service_url))
    await bot.say(
        activities.channel_message("non-standard delivery", service_url=connector.service_url),
        replies=2,
    )
    (in_channel,) = [c.body for c in connector.posts()[-2:] if c.conversation_id != PERSONAL]
    (in_personal,) = [c.body for c in connector.posts()[-2:] if c.conversation_id == PERSONAL]
    assert "started “non-standard delivery” in our personal chat" in in_channel["text"]
    assert "Step 1 of" in in_personal["text"]
    (second,) = await bot.say(activities.message("Contoso", service_url=connector.service_url))
    assert "Step 1 of 4 · Customer" in second["text"]
    assert "TPID" in second["text"]


@pytest.mark.parametrize(
    ("command", "personal_answer"),
    [("my requests", "You have not raised any requests yet."), ("my approvals", "Nothing waits")],
)
async def test_my_commands_in_a_channel_are_answered_in_the_personal_chat(
    bot, connector, command, personal_answer
):
    await bot.say(activities.members_added(service_url=connector.service_url))
    await bot.say(activities.channel_message(command, service_url=connector.service_url), replies=2)
    (in_channel,) = [c.body for c in connector.posts()[-2:] if c.conversation_id != PERSONAL]
    (in_personal,) = [c.body for c in connector.posts()[-2:] if c.conversation_id == PERSONAL]
    assert in_channel["text"] == (
        f"I have answered “{command}” in our personal chat: what is yours stays between us."
    )
    assert in_personal["text"].startswith(personal_answer)


@pytest.mark.parametrize(
    ("command", "personal_answer"),
    [("my requests", "You have not raised any requests yet."), ("my approvals", "Nothing waits")],
)
async def test_my_commands_in_a_group_chat_are_answered_in_the_personal_chat(
    bot, connector, command, personal_answer
):
    await bot.say(activities.members_added(service_url=connector.service_url))
    await bot.say(
        activities.group_chat_message(command, service_url=connector.service_url), replies=2
    )
    (in_group,) = [c.body for c in connector.posts()[-2:] if c.conversation_id != PERSONAL]
    (in_personal,) = [c.body for c in connector.posts()[-2:] if c.conversation_id == PERSONAL]
    assert in_group["conversation"]["id"] == activities.GROUP_CHAT_ID
    assert in_group["text"] == (
        f"I have answered “{command}” in our personal chat: what is yours stays between us."
    )
    assert in_personal["text"].startswith(personal_answer)


async def test_help_in_a_group_chat_is_the_welcome_card_there(bot, connector):
    (reply,) = await bot.say(
        activities.group_chat_message("help", service_url=connector.service_url)
    )
    assert reply["conversation"]["id"] == activities.GROUP_CHAT_ID
    assert "FastTrack Bot" in card_text(card_of(reply))


async def test_help_in_a_channel_is_the_welcome_card_there(bot, connector):
    (reply,) = await bot.say(activities.channel_message("help", service_url=connector.service_url))
    assert reply["conversation"]["id"] != PERSONAL
    assert "FastTrack Bot" in card_text(card_of(reply))


async def test_without_a_personal_chat_the_channel_reply_says_how_to_open_one(bot, connector):
    (reply,) = await bot.say(
        activities.channel_message("non-standard delivery", service_url=connector.service_url)
    )
    assert "open a chat with me" in reply["text"]
    assert connector.posts()[-1].conversation_id.startswith(activities.CHANNEL_ID)


async def test_a_turn_is_answered_within_the_reply_time_limit_when_the_connector_stalls(
    sqlite_url, connector, caplog
):
    settings = make_settings(sqlite_url, reply_time_limit_seconds=0.5)
    async with StalledBotConnector() as stalled, RunningBot(settings, connector) as bot:
        started = asyncio.get_running_loop().time()
        response = await bot.post(activities.message("help", service_url=stalled.service_url))
        elapsed = asyncio.get_running_loop().time() - started
        later = await bot.post(activities.message("help", service_url=stalled.service_url))

    assert response.status == 201
    assert later.status == 201
    assert 0.5 <= elapsed < 2
    assert stalled.requests >= 1
    assert "Dropped" in caplog.text
    assert "Turn failed" not in caplog.text


async def test_a_channel_request_continued_in_the_personal_chat_keeps_the_reply_time_limit(
    sqlite_url, connector
):
    settings = make_settings(sqlite_url, reply_time_limit_seconds=0.5)
    async with StalledBotConnector() as stalled, RunningBot(settings, connector) as bot:
        # The personal chat is known, behind the stalled connector (its welcome was dropped).
        await bot.post(activities.members_added(service_url=stalled.service_url))
        requests_before = stalled.requests
        started = asyncio.get_running_loop().time()
        response = await bot.post(
            activities.channel_message("non-standard delivery", service_url=stalled.service_url)
        )
        elapsed = asyncio.get_running_loop().time() - started

    assert response.status == 201
    assert stalled.requests > requests_before  # the personal chat was tried
    assert 0.5 <= elapsed < 2
