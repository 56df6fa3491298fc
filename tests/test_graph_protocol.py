"""Graph in the running bot: the real GraphServiceClient against the local fake Graph server.

Before a card goes to the liaison the bot reads their automatic replies; account-team
addresses are looked up as the FM types them. Neither may hold up a turn longer than the read
timeout, whatever Graph does.
"""

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from config.settings import GraphCredential
from tests.fakes.graph import INSTALLED_APPS, MAILBOX_SETTINGS, USERS, FakeGraph, GraphUser
from tests.fakes.identity import FakeTokenCredential
from tests.harness import (
    BACKUP,
    DIRECTOR,
    FM,
    LIAISON,
    Chat,
    RunningBot,
    card_text,
    make_settings,
)
from tests.test_approval_protocol import ANSWERS_FASTTRACK, submit_request

READ_TIMEOUT = 0.5
PACIFIC = ZoneInfo("America/Los_Angeles")


@pytest.fixture
async def graph():
    async with FakeGraph() as fake:
        for person in (LIAISON, BACKUP, DIRECTOR, FM):
            upn = person["name"].split()[0].lower() + "@contoso.com"
            fake.add_user(GraphUser(person["aadObjectId"], person["name"], upn))
        for address in ("ats@contoso.com", "ae@contoso.com"):
            fake.add_user(GraphUser(f"id-{address}", address, address))
        yield fake


def graph_settings(database_url, graph, **permissions):
    return make_settings(
        database_url,
        graph_credential=GraphCredential.CLIENT_SECRET,
        graph_tenant_id="tenant",
        graph_client_id="client",
        graph_client_secret="secret",
        graph_base_url=graph.base_url,
        graph_read_timeout=READ_TIMEOUT,
        **permissions,
    )


@pytest.fixture
async def ooo_bot(database_url, connector, graph):
    settings = graph_settings(database_url, graph, graph_read_mailbox_settings=True)
    async with RunningBot(settings, connector, graph_credential=FakeTokenCredential()) as bot:
        yield bot


async def approvers_open_the_bot(bot) -> tuple[Chat, Chat, Chat, Chat]:
    fm, liaison, backup, director = [Chat(bot, p) for p in (FM, LIAISON, BACKUP, DIRECTOR)]
    for chat in (liaison, backup, director, fm):
        await chat.open()
    return fm, liaison, backup, director


def user(graph, person) -> GraphUser:
    return graph.users[person["aadObjectId"]]


async def test_the_backup_gets_the_card_of_a_liaison_whose_replies_are_always_on(ooo_bot, graph):
    user(graph, LIAISON).automatic_replies = {"status": "alwaysEnabled"}
    fm, liaison, backup, _ = await approvers_open_the_bot(ooo_bot)

    await submit_request(fm)

    card = await backup.wait_for_card("NSD-0001")
    assert "Adele Vance is out of office." in card_text(card)
    assert len(liaison.received()) == 1  # the welcome, no card
    confirmation = fm.received()[-1]["text"]
    assert "waits on Diego Siciliani (Americas), as Adele Vance is out of office;" in confirmation
    (call,) = [
        c
        for c in graph.calls
        if c.endpoint == MAILBOX_SETTINGS and c.user == LIAISON["aadObjectId"]
    ]
    assert call.authorization.startswith("Bearer fake-token-")


async def test_a_scheduled_absence_in_a_windows_zone_names_the_day_they_are_back(ooo_bot, graph):
    now = datetime.now(UTC)
    back = (now + timedelta(days=2)).astimezone(PACIFIC).replace(hour=8, minute=0, second=0)
    user(graph, LIAISON).automatic_replies = {
        "status": "scheduled",
        "scheduledStartDateTime": {
            "dateTime": (now - timedelta(days=1))
            .astimezone(PACIFIC)
            .strftime("%Y-%m-%dT%H:%M:%S.0000000"),
            "timeZone": "Pacific Standard Time",
        },
        "scheduledEndDateTime": {
            "dateTime": back.strftime("%Y-%m-%dT%H:%M:%S.0000000"),
            "timeZone": "Pacific Standard Time",
        },
    }
    fm, _, backup, _ = await approvers_open_the_bot(ooo_bot)

    await submit_request(fm)

    card = await backup.wait_for_card("NSD-0001")
    assert f"Adele Vance is out of office until {back:%a} {back.day} {back:%b}." in card_text(card)


async def test_a_schedule_that_has_ended_leaves_the_card_with_the_liaison(ooo_bot, graph):
    now = datetime.now(UTC)
    user(graph, LIAISON).automatic_replies = {
        "status": "scheduled",
        "scheduledStartDateTime": {
            "dateTime": (now - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S"),
            "timeZone": "UTC",
        },
        "scheduledEndDateTime": {
            "dateTime": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S"),
            "timeZone": "UTC",
        },
    }
    fm, liaison, _, _ = await approvers_open_the_bot(ooo_bot)

    await submit_request(fm)

    assert "out of office" not in card_text(await liaison.wait_for_card("NSD-0001"))


async def test_the_director_gets_it_when_liaison_and_backup_are_both_away(ooo_bot, graph):
    user(graph, LIAISON).automatic_replies = {"status": "alwaysEnabled"}
    user(graph, BACKUP).automatic_replies = {"status": "alwaysEnabled"}
    fm, _, _, director = await approvers_open_the_bot(ooo_bot)

    await submit_request(fm)

    text = card_text(await director.wait_for_card("NSD-0001"))
    assert "Adele Vance is out of office." in text
    assert "Diego Siciliani is out of office." in text


async def test_graph_hanging_routing_uses_the_roster_within_the_timeout(ooo_bot, graph):
    user(graph, LIAISON).automatic_replies = {"status": "alwaysEnabled"}
    graph.hang(MAILBOX_SETTINGS)
    fm, liaison, _, _ = await approvers_open_the_bot(ooo_bot)
    await fm.walk("non-standard delivery", ANSWERS_FASTTRACK)

    started = time.monotonic()
    (confirmation,) = await fm.say(value={"summary": "submit"})
    took = time.monotonic() - started

    assert "waits on Adele Vance" in confirmation["text"]
    assert took < READ_TIMEOUT + 1.0
    assert "NSD-0001" in card_text(await liaison.wait_for_card("NSD-0001"))


async def test_graph_throttling_routing_uses_the_roster(ooo_bot, graph):
    user(graph, LIAISON).automatic_replies = {"status": "alwaysEnabled"}
    graph.fail_next(MAILBOX_SETTINGS, 2, 429, retry_after="30")
    fm, liaison, _, _ = await approvers_open_the_bot(ooo_bot)

    await submit_request(fm)

    assert "NSD-0001" in card_text(await liaison.wait_for_card("NSD-0001"))


async def test_without_the_permission_graph_is_not_asked(bot, graph):
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await liaison.open()
    await fm.open()
    await submit_request(fm)
    await liaison.wait_for_card("NSD-0001")
    assert graph.calls == []


# --- account team addresses -------------------------------------------------------------------


@pytest.fixture
async def lookup_bot(database_url, connector, graph):
    settings = graph_settings(database_url, graph, graph_look_up_users=True)
    async with RunningBot(settings, connector, graph_credential=FakeTokenCredential()) as bot:
        yield bot


async def test_an_address_no_one_has_is_asked_again_with_the_reason(lookup_bot, graph):
    fm = Chat(lookup_bot, FM)
    await fm.open()
    await fm.say("non-standard delivery")
    for answer in ANSWERS_FASTTRACK[:3]:
        await fm.say(answer)

    (again,) = await fm.say("ats@contoso.com, nobody@contoso.com")
    assert "No one in the directory has the address nobody@contoso.com" in again["text"]
    (next_question,) = await fm.say("ats@contoso.com, ae@contoso.com")
    assert "Which scenarios apply?" in next_question["text"]
    looked_up = sorted(c.user for c in graph.calls if c.endpoint == USERS)
    # ats@ was answered from the cache the second time.
    assert looked_up == ["ae@contoso.com", "ats@contoso.com", "nobody@contoso.com"]


async def test_addresses_are_taken_as_typed_when_the_directory_does_not_answer(lookup_bot, graph):
    graph.fail_next(USERS, 5, 403, code="Authorization_RequestDenied")
    fm = Chat(lookup_bot, FM)
    await fm.open()
    await fm.say("non-standard delivery")
    for answer in ANSWERS_FASTTRACK[:3]:
        await fm.say(answer)

    (next_question,) = await fm.say("someone@contoso.com")

    assert "Which scenarios apply?" in next_question["text"]


# --- msgraph only when configured -------------------------------------------------------------


def test_msgraph_is_not_imported_when_graph_is_not_configured(tmp_path):
    script = f"""
import asyncio, sys
from aiohttp import web
from app import create_app
from tests.harness import make_settings

async def main():
    app = create_app(make_settings("sqlite+aiosqlite:///{tmp_path}/bot.db"))
    runner = web.AppRunner(app)
    await runner.setup()
    await runner.cleanup()
    print(sorted(m for m in sys.modules if m.split(".")[0] in ("msgraph", "msgraph_core")))

asyncio.run(main())
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


# --- approvers who never opened the bot -------------------------------------------------------

CATALOG_APP_ID = "e4b3f8a2-5c1d-4f6e-9a7b-0c1d2e3f4a5b"


@pytest.fixture
async def install_bot(database_url, connector, graph):
    settings = graph_settings(
        database_url, graph, graph_install_app=True, teams_app_catalog_id=CATALOG_APP_ID
    )
    async with RunningBot(settings, connector, graph_credential=FakeTokenCredential()) as bot:
        yield bot


async def test_an_approver_who_never_opened_the_bot_gets_it_installed_and_the_card(
    install_bot, graph
):
    liaison = Chat(install_bot, LIAISON)

    async def teams_opens_the_chat(person: GraphUser) -> None:
        assert person.id == LIAISON["aadObjectId"]
        await liaison.open()

    graph.on_install = teams_opens_the_chat
    fm = Chat(install_bot, FM)
    await fm.open()

    await submit_request(fm)

    card = await liaison.wait_for_card("NSD-0001")
    assert "Approve" in card_text(card)
    assert user(graph, LIAISON).installed_app_ids == {CATALOG_APP_ID}
    assert not any("has not opened" in (a.get("text") or "") for a in fm.received())


async def test_when_installing_is_refused_the_requester_is_told_the_card_waits(install_bot, graph):
    graph.fail_next(INSTALLED_APPS, 1, 403, code="Forbidden")
    fm = Chat(install_bot, FM)
    await fm.open()

    await submit_request(fm)

    told = await fm.wait_for_text("has not opened")
    assert told["text"].startswith("Adele Vance has not opened the FastTrack bot in Teams yet")
    assert "NSD-0001 waits for them" in told["text"]
    # When she does open it, the card is there.
    liaison = Chat(install_bot, LIAISON)
    await liaison.open()
    assert "NSD-0001" in card_text(await liaison.wait_for_card("NSD-0001"))


async def test_without_the_permission_the_requester_is_told_at_once(bot, graph):
    fm = Chat(bot, FM)
    await fm.open()

    await submit_request(fm)

    await fm.wait_for_text("Adele Vance has not opened the FastTrack bot in Teams yet")
    assert graph.calls == []
