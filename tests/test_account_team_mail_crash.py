"""SIGKILL the bot after an approval is committed and while its mail to the account team is on
its way to Graph (not yet accepted); start it again: each address gets exactly one mail."""

from __future__ import annotations

import asyncio
from collections import Counter

from tests.fakes.connector import FakeBotConnector
from tests.fakes.graph import IDENTITY_HEADER, SEND_MAIL, FakeGraph, sent_message
from tests.harness import FM, LIAISON, SAMPLE_ROSTER, Chat
from tests.processes import BotProcess
from tests.test_approval_protocol import submit_request

TEAM = ["ae@contoso.com", "ats@contoso.com"]


def graph_environment(graph: FakeGraph) -> dict[str, str]:
    return {
        # A managed identity whose token endpoint is the fake's: the real azure-identity
        # credential runs in the bot process.
        "GRAPH_CREDENTIAL": "managed_identity",
        "IDENTITY_ENDPOINT": graph.identity_endpoint,
        "IDENTITY_HEADER": IDENTITY_HEADER,
        "GRAPH_BASE_URL": graph.base_url,
        "MAIL_DRY_RUN": "false",
        "MAIL_SENDER": "fasttrack@contoso.com",
        "GRAPH_SEND_TIMEOUT": "30",
        # A killed instance's claims are taken over quickly.
        "OUTBOX_LEASE_SECONDS": "2",
        "OUTBOX_SEND_TIMEOUT_SECONDS": "0.5",
    }


async def test_a_mail_in_flight_when_the_bot_is_killed_is_sent_once_after_restart(
    database_url, connector: FakeBotConnector, tmp_path
):
    log = tmp_path / "bot.log"
    async with FakeGraph() as graph:
        graph.hang(SEND_MAIL)
        env = graph_environment(graph)
        first = await BotProcess(database_url, SAMPLE_ROSTER, connector, log, **env).start()
        try:
            fm, liaison = Chat(first, FM), Chat(first, LIAISON)
            await liaison.open()
            await fm.open()
            await submit_request(fm)
            card = await liaison.latest_card(2)
            status, _ = await liaison.click(card, "approve", comment="Go ahead")
            assert status == 200
            async with asyncio.timeout(15):
                while len(graph.hung) < len(TEAM):
                    await asyncio.sleep(0.05)
            first.kill()
            await first.wait()
        finally:
            await first.stop()
        assert graph.mail == []

        graph.answer(SEND_MAIL)
        second = await BotProcess(database_url, SAMPLE_ROSTER, connector, log, **env).start()
        try:
            async with asyncio.timeout(20):
                while len(graph.mail) < len(TEAM):
                    await asyncio.sleep(0.05)
            await asyncio.sleep(1.0)  # room for a duplicate to show up
        finally:
            await second.stop()

    addresses = Counter(
        sent_message(call)["toRecipients"][0]["emailAddress"]["address"] for call in graph.mail
    )
    assert addresses == Counter(TEAM)
    # The same outbox rows as the attempts the killed bot made.
    assert {sent_message(c)["internetMessageHeaders"][0]["value"] for c in graph.mail} == {
        sent_message(c)["internetMessageHeaders"][0]["value"] for c in graph.hung
    }
