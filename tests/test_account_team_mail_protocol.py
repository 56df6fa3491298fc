"""The account team's mail through the outbox and the real Graph client, against the local fake
Graph server: sent once per address after an approval, retried as Graph says, failed with
Graph's reason, and each address's state shown on the request."""

import asyncio
import logging

import pytest
from sqlalchemy import select

from app import ENGINE
from config.settings import GraphCredential
from persistence.models import OutboxRow
from tests.fakes.graph import SEND_MAIL, FakeGraph, sent_message
from tests.fakes.identity import FakeTokenCredential
from tests.harness import FM, LIAISON, Chat, RunningBot, card_of, card_text, make_settings
from tests.test_approval_protocol import submit_request, submitted_to_the_liaison

TEAM = ["ae@contoso.com", "ats@contoso.com"]  # as ANSWERS_FASTTRACK names them
SENDER = "fasttrack@contoso.com"


@pytest.fixture
async def graph():
    async with FakeGraph() as fake:
        yield fake


def mail_settings(database_url, graph, **overrides):
    settings = {
        "graph_credential": GraphCredential.CLIENT_SECRET,
        "graph_tenant_id": "tenant",
        "graph_client_id": "client",
        "graph_client_secret": "secret",
        "graph_base_url": graph.base_url,
        "mail_dry_run": False,
        "mail_sender": SENDER,
        "outbox_first_backoff": 0.05,
        "outbox_max_backoff": 0.2,
    }
    return make_settings(database_url, **(settings | overrides))


@pytest.fixture
async def mail_bot(database_url, connector, graph):
    settings = mail_settings(database_url, graph)
    async with RunningBot(settings, connector, graph_credential=FakeTokenCredential()) as bot:
        yield bot


async def approved(bot) -> Chat:
    fm, liaison, card = await submitted_to_the_liaison(bot)
    status, _ = await liaison.click(card, "approve", comment="Go ahead")
    assert status == 200
    await fm.wait_for_text("was approved by Adele Vance")
    return fm


async def wait_for_mail(graph, count, timeout=10.0):
    async with asyncio.timeout(timeout):
        while len(graph.mail) < count:
            await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)  # room for a duplicate to show up
    return graph.mail


async def mail_line(fm: Chat) -> str:
    (reply,) = await fm.say("my requests")
    return next(
        line for line in card_text(card_of(reply)).splitlines() if line.startswith("Mail: ")
    )


async def test_an_approval_mails_each_account_team_address_once_from_the_service_mailbox(
    mail_bot, graph
):
    fm = await approved(mail_bot)

    mails = await wait_for_mail(graph, 2)

    assert len(mails) == 2
    assert {call.user for call in mails} == {SENDER}
    messages = [sent_message(call) for call in mails]
    assert sorted(m["toRecipients"][0]["emailAddress"]["address"] for m in messages) == TEAM
    for message in messages:
        assert message["subject"] == "Approved: Non-standard delivery NSD-0001 for Contoso"
        assert "Build the deal" in message["body"]["content"]
        assert (
            "Nothing may be committed to the customer before approval"
            in (message["body"]["content"])
        )
    outbox_ids = {m["internetMessageHeaders"][0]["value"] for m in messages}
    assert len(outbox_ids) == 2
    assert {m["internetMessageHeaders"][0]["name"] for m in messages} == {"x-fasttrack-outbox-id"}
    assert await mail_line(fm) == f"Mail: sent to {', '.join(TEAM)}"


async def test_throttled_then_accepted_is_one_mail_per_address(mail_bot, graph):
    graph.fail_next(SEND_MAIL, 1, 429, retry_after="1")

    await approved(mail_bot)
    mails = await wait_for_mail(graph, 2)

    assert len(mails) == 2
    assert len(graph.rejected) == 1
    assert graph.rejected[0].body["Message"]["internetMessageHeaders"][0]["value"] in {
        sent_message(call)["internetMessageHeaders"][0]["value"] for call in mails
    }


async def test_unavailable_three_times_then_one_mail_per_address(mail_bot, graph):
    graph.fail_next(SEND_MAIL, 3, 503)

    await approved(mail_bot)
    mails = await wait_for_mail(graph, 2)

    assert len(mails) == 2
    assert len(graph.rejected) == 3


async def test_a_refused_mail_fails_for_good_and_the_request_says_why(mail_bot, graph):
    graph.fail_next(SEND_MAIL, 1, 403, code="ErrorAccessDenied")

    fm = await approved(mail_bot)
    await wait_for_mail(graph, 1)

    line = await mail_line(fm)
    assert "sent to " in line
    assert "failed for " in line
    assert "(ErrorAccessDenied" in line
    assert len(graph.rejected) == 1


async def test_a_declined_request_mails_nobody(mail_bot, graph):
    fm, liaison, card = await submitted_to_the_liaison(mail_bot)
    await liaison.click(card, "decline", comment="Out of scope")
    await fm.wait_for_text("was declined by Adele Vance")
    await asyncio.sleep(0.3)
    assert graph.mail == []
    assert graph.rejected == []


async def test_in_dry_run_the_mail_is_recorded_and_never_sent(
    database_url, connector, graph, caplog
):
    caplog.set_level(logging.INFO)
    settings = mail_settings(database_url, graph, mail_dry_run=True)
    async with RunningBot(settings, connector, graph_credential=FakeTokenCredential()) as bot:
        fm = await approved(bot)
        async with asyncio.timeout(5):
            while "dry run" not in (line := await mail_line(fm)):
                await asyncio.sleep(0.05)
        async with bot.app[ENGINE].connect() as connection:
            rows = (
                await connection.execute(select(OutboxRow.payload).where(OutboxRow.kind == "mail"))
            ).all()
    assert line == f"Mail: recorded, not sent (dry run), for {', '.join(TEAM)}"
    assert graph.calls == []
    # Kept on the outbox rows as it would have gone to Graph.
    kept = sorted(
        row.payload["mail"]["message"]["toRecipients"][0]["emailAddress"]["address"] for row in rows
    )
    assert kept == TEAM
    assert all(row.payload["dry_run"] for row in rows)
    # Logged, without the addresses.
    logged = [r.getMessage() for r in caplog.records if "dry run" in r.getMessage()]
    assert len(logged) == 2
    assert not any("contoso.com" in message for message in logged)


async def test_an_approver_teams_will_not_reach_gets_their_card_by_mail(mail_bot, graph):
    fm, liaison = Chat(mail_bot, FM), Chat(mail_bot, LIAISON)
    await liaison.open()
    await fm.open()
    blocked = '{"error": {"code": "ConversationBlockedByUser", "message": "User blocked"}}'
    mail_bot.connector.fail_next(1, 403, body=blocked, conversation_id=liaison.conversation_id)

    await submit_request(fm)
    (mail,) = await wait_for_mail(graph, 1)

    message = sent_message(mail)
    assert message["toRecipients"] == [{"emailAddress": {"address": "adele.vance@contoso.com"}}]
    assert "NSD-0001 for Contoso waits on your decision" in message["body"]["content"]
    assert message["subject"] == "NSD-0001: Non-standard delivery for Contoso"
