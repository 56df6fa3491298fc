"""The account team told by mail who was assigned to an FTA request, through the outbox: on
submission, the next FTA after a hand back, the FTA who accepts; against the fake Graph server
and in dry run. The requester is told in Teams."""

import asyncio

from sqlalchemy import select

from app import ENGINE
from cards.fta import ACCEPT_VERB, HAND_BACK_VERB, REASON_INPUT
from domain.fta_assignment import FtaRequestType, place
from notices.fta_mail import TeamEvent, TeamNews, account_team_mail
from persistence.models import OutboxRow
from tests.fakes.graph import sent_message
from tests.fakes.identity import FakeTokenCredential
from tests.harness import FM, Chat, RunningBot
from tests.test_account_team_mail_protocol import (  # noqa: F401  (the fake Graph fixture)
    SENDER,
    graph,
    mail_settings,
    wait_for_mail,
)
from tests.test_fta_repository import FM as REQUESTER
from tests.test_fta_repository import ROSTER
from tests.test_fta_request_protocol import ACCOUNT_TEAM, ISAIAH, MEGAN, WORKSHOP, request_fta


def subjects_to(mails, address: str) -> list[str]:
    messages = [sent_message(call) for call in mails]
    return [
        m["subject"]
        for m in messages
        if m["toRecipients"] == [{"emailAddress": {"address": address}}]
    ]


async def test_the_account_team_hears_of_each_assignment_and_the_accept_through_graph(
    database_url,
    connector,
    graph,  # noqa: F811  (the fixture)
):
    settings = mail_settings(database_url, graph)
    async with RunningBot(settings, connector, graph_credential=FakeTokenCredential()) as bot:
        fm, isaiah, megan = Chat(bot, FM), Chat(bot, ISAIAH), Chat(bot, MEGAN)
        for chat in (fm, isaiah, megan):
            await chat.open()
        await request_fta(fm, WORKSHOP)
        await wait_for_mail(graph, 2)
        card = await isaiah.wait_for_card("FTA request · FTA-0001")
        await isaiah.click(card, HAND_BACK_VERB, **{REASON_INPUT: "On leave"})
        await wait_for_mail(graph, 4)
        card = await megan.wait_for_card("FTA request · FTA-0001")
        await megan.click(card, ACCEPT_VERB)
        mails = await wait_for_mail(graph, 6)
        # The requester hears it in Teams.
        await fm.wait_for_text("Megan Bowen accepted **FTA-0001**")

    assert len(mails) == 6
    assert {call.user for call in mails} == {SENDER}
    what = "Discovery workshop FTA-0001 for Contoso"
    for address in ACCOUNT_TEAM:
        assert subjects_to(mails, address) == [
            f"FTA assigned: Isaiah Langer for {what}",
            f"FTA assigned: Megan Bowen for {what}",
            f"FTA accepted: Megan Bowen for {what}",
        ]
    handed = sent_message(mails[2])["body"]["content"]
    assert "Isaiah Langer handed it back (“On leave”)" in handed
    assert "assigned Megan Bowen of Americas as the FastTrack Architect" in handed
    assert "named on the request by Alex Wilber" in handed


async def test_in_dry_run_the_account_teams_mail_is_recorded_and_never_sent(
    database_url,
    connector,
    graph,  # noqa: F811  (the fixture)
):
    settings = mail_settings(database_url, graph, mail_dry_run=True)
    async with RunningBot(settings, connector, graph_credential=FakeTokenCredential()) as bot:
        fm = Chat(bot, FM)
        await fm.open()
        await request_fta(fm, WORKSHOP)
        async with asyncio.timeout(5):
            while len(rows := await _team_rows(bot)) < 2 or any(r.state != "sent" for r in rows):
                await asyncio.sleep(0.05)
    assert graph.mail == []
    assert all(row.payload["dry_run"] for row in rows)
    messages = [row.payload["mail"]["message"] for row in rows]
    assert sorted(m["toRecipients"][0]["emailAddress"]["address"] for m in messages) == sorted(
        ACCOUNT_TEAM
    )
    assert {m["subject"] for m in messages} == {
        "FTA assigned: Isaiah Langer for Discovery workshop FTA-0001 for Contoso"
    }


def test_nobody_free_tells_the_account_team_who_assigns_one():
    area = ROSTER.area("apj")  # no FTAs
    answers = {"customer": "Contoso"}
    request = place("FTA-0002", FtaRequestType.MIGRATION_EXCEPTION, area, REQUESTER, answers, [])
    news = TeamNews.after(request)
    assert news == TeamNews(TeamEvent.UNASSIGNED)
    mail = account_team_mail(request, news, "bot-app-id")
    assert mail.subject == "No FTA free yet for Migration exception FTA-0002 for Contoso"
    assert "the area liaison, Adele Vance, assigns one by hand" in mail.html_body
    assert "https://teams.microsoft.com/l/chat/0/0?users=28:bot-app-id" in mail.html_body


async def _team_rows(bot):
    async with bot.app[ENGINE].connect() as connection:
        query = select(OutboxRow.state, OutboxRow.payload).where(OutboxRow.kind == "fta_mail")
        return (await connection.execute(query)).all()
