"""`request fta` over HTTP: the balancer's choice reaches the FTA's chat through the outbox and
the requester is told who it is; an area without FTAs alerts the liaison; FTCHelp types are
recorded with the mailbox to write to."""

import asyncio

from sqlalchemy import select

from app import ENGINE
from cards.fta import ACCEPT_VERB, HAND_BACK_VERB, REASON_INPUT
from persistence.models import OutboxRow
from tests.fakes.graph import sent_message
from tests.fakes.identity import FakeTokenCredential
from tests.harness import (
    FM,
    LIAISON,
    STRANGER,
    Chat,
    RunningBot,
    card_actions,
    card_of,
    card_text,
    teams_user,
)
from tests.schemas import assert_valid_card
from tests.test_account_team_mail_protocol import (  # noqa: F401  (the fake Graph fixture)
    SENDER,
    graph,
    mail_settings,
    wait_for_mail,
)

MEGAN = STRANGER
ACCOUNT_TEAM = ["ae@contoso.com", "csm@contoso.com"]
ISAIAH = teams_user("Isaiah Langer", "66666666-6666-4666-8666-666666666666", 6)
WORKSHOP = [
    "Discovery workshop",
    "Contoso",
    "Americas",
    "https://contoso.sharepoint.com/sow",
    "https://contoso.sharepoint.com/wbs",
    "https://contoso.sharepoint.com/costs",
    ", ".join(ACCOUNT_TEAM),
]


async def request_fta(fm: Chat, answers: list[str]) -> str:
    replies = await fm.walk("I need an architect", answers)
    assert "Check your answers" in card_text(card_of(replies[-1]))
    (confirmation,) = await fm.say(value={"summary": "submit"})
    return confirmation["text"]


async def test_requests_go_to_the_fta_with_the_fewest_open_assignments(bot):
    fm, megan, isaiah = Chat(bot, FM), Chat(bot, MEGAN), Chat(bot, ISAIAH)
    for chat in (fm, megan, isaiah):
        await chat.open()
    # Nobody has an assignment yet: the tie goes by name.
    first = await request_fta(fm, WORKSHOP)
    assert first.startswith("Submitted **FTA-0001**: Isaiah Langer is your FastTrack Architect")
    card = await isaiah.wait_for_card("FTA request · FTA-0001")
    assert_valid_card(card)
    text = card_text(card)
    assert "Discovery workshop" in text
    assert "Alex Wilber" in text
    assert "https://contoso.sharepoint.com/sow" in text
    # Megan now has fewer open assignments.
    second = await request_fta(fm, ["ECIF/DWR review", *WORKSHOP[1:]])
    assert "Megan Bowen is your FastTrack Architect" in second
    await megan.wait_for_card("FTA request · FTA-0002")
    # One each: the one assigned longest ago (Isaiah) is next.
    third = await request_fta(fm, WORKSHOP)
    assert "Isaiah Langer is your FastTrack Architect" in third


async def test_a_migration_exception_asks_only_its_own_inputs(bot):
    fm = Chat(bot, FM)
    await fm.open()
    await fm.say("assign an FTA")
    await fm.say("Migration exception")
    await fm.say("Contoso")
    (asked,) = await fm.say("Americas")
    assert "mailbox details" in asked["text"]
    assert "Statement of Work" not in card_text(card_of(asked))
    await fm.say("5,000 mailboxes")
    await fm.say("Domino")
    (asked,) = await fm.say("A merger")
    assert "should be told which FTA is assigned" in asked["text"]
    (summary,) = await fm.say("ae@contoso.com")
    text = card_text(card_of(summary))
    assert "Business justification" in text
    assert "Staffing plan" not in text


async def test_an_area_without_ftas_tells_the_requester_and_alerts_the_liaison(bot):
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await fm.open()
    await liaison.open()
    answers = [
        "Migration exception",
        "Contoso",
        "Asia Pacific and Japan",
        "10",
        "Notes",
        "Why",
        "ae@contoso.com",
    ]
    confirmation = await request_fta(fm, answers)
    assert "no FTA of Asia Pacific and Japan is available now" in confirmation
    assert "I have alerted the area liaison, Adele Vance" in confirmation
    alert = await liaison.wait_for_text("FTA-0001")
    assert "nobody is assigned" in alert["text"]


async def test_accept_decides_once_and_the_requester_is_told(bot):
    fm, isaiah = Chat(bot, FM), Chat(bot, ISAIAH)
    await fm.open()
    await isaiah.open()
    await request_fta(fm, WORKSHOP)
    card = await isaiah.wait_for_card("FTA request · FTA-0001")
    # Two clicks at once on the same card: one accepts, the other is told it already is.
    (status, first), (_, second) = await asyncio.gather(
        isaiah.click(card, ACCEPT_VERB), isaiah.click(card, ACCEPT_VERB)
    )
    assert status == 200
    replies = sorted(card_text(reply["value"]) for reply in (first, second))
    assert all("Accepted by Isaiah Langer" in reply for reply in replies)
    assert sum("accepted already" in reply or "changed since" in reply for reply in replies) == 1
    assert not card_actions(first["value"])
    await fm.wait_for_text("Isaiah Langer accepted **FTA-0001**")
    texts = [a.get("text") or "" for a in fm.received()]
    assert sum("accepted **FTA-0001**" in text for text in texts) == 1


async def test_hand_back_needs_a_reason_and_goes_to_the_next_fta(bot):
    fm, isaiah, megan = Chat(bot, FM), Chat(bot, ISAIAH), Chat(bot, MEGAN)
    for chat in (fm, isaiah, megan):
        await chat.open()
    await request_fta(fm, WORKSHOP)
    card = await isaiah.wait_for_card("FTA request · FTA-0001")
    _, refused = await isaiah.click(card, HAND_BACK_VERB)
    assert "the reason is needed" in card_text(refused["value"])
    _, handed = await isaiah.click(card, HAND_BACK_VERB, **{REASON_INPUT: "On leave next week"})
    assert "Assigned to Megan Bowen" in card_text(handed["value"])
    megans = await megan.wait_for_card("FTA request · FTA-0001")
    assert [a["title"] for a in card_actions(megans)] == ["Accept", "Hand back"]
    told = await fm.wait_for_text("handed back **FTA-0001**")
    assert "(“On leave next week”): it is now assigned to Megan Bowen" in told["text"]
    # Megan hands it back too: nobody is left, the liaison is alerted.
    liaison = Chat(bot, LIAISON)
    await liaison.open()
    _, last = await megan.click(megans, HAND_BACK_VERB, **{REASON_INPUT: "Conflict"})
    assert "No FTA available" in card_text(last["value"])
    await liaison.wait_for_text("nobody is assigned")


async def test_a_sales_support_question_is_mailed_to_ftchelp_in_dry_run(bot):
    fm = Chat(bot, FM)
    await fm.open()
    answers = ["Sales-support question", "Contoso", "EMEA", "GCC", "Blocks a deal"]
    confirmation = await request_fta(fm, answers)
    assert "This type is for the FTCHelp team, not an FTA" in confirmation
    assert (
        "mailed it to ftchelp@contoso.com, naming the FAQ topic “GCC/GCC High Tenant "
        "Requirements”" in confirmation
    )
    # Without Graph, mail is recorded on its outbox row as it would have gone, never sent.
    async with asyncio.timeout(5):
        while not (rows := await _ftc_help_rows(bot)) or rows[0].state != "sent":
            await asyncio.sleep(0.05)
    (row,) = rows
    assert row.payload["dry_run"] is True
    message = row.payload["mail"]["message"]
    assert message["toRecipients"] == [{"emailAddress": {"address": "ftchelp@contoso.com"}}]
    assert message["subject"] == (
        "FTCHelp: Sales-support question FTA-0001 for Contoso · FAQ topic: GCC/GCC High Tenant "
        "Requirements"
    )
    assert "Blocks a deal" in message["body"]["content"]


async def test_landing_the_benefit_is_mailed_to_ftchelp_through_graph(
    database_url,
    connector,
    graph,  # noqa: F811  (the fixture)
):
    settings = mail_settings(database_url, graph)
    async with RunningBot(settings, connector, graph_credential=FakeTokenCredential()) as bot:
        fm = Chat(bot, FM)
        await fm.open()
        csp = "https://contoso.sharepoint.com/csp"
        confirmation = await request_fta(
            fm, ["Landing the FastTrack benefit", "Contoso", "Americas", csp]
        )
        assert "I have mailed it to ftchelp@contoso.com." in confirmation
        (mail,) = await wait_for_mail(graph, 1)
    message = sent_message(mail)
    assert mail.user == SENDER
    assert message["toRecipients"] == [{"emailAddress": {"address": "ftchelp@contoso.com"}}]
    assert message["subject"] == "FTCHelp: Landing the FastTrack benefit FTA-0001 for Contoso"
    assert csp in message["body"]["content"]
    assert "Alex Wilber" in message["body"]["content"]


async def _ftc_help_rows(bot):
    async with bot.app[ENGINE].connect() as connection:
        query = select(OutboxRow.state, OutboxRow.payload).where(OutboxRow.kind == "fta_mail")
        return (await connection.execute(query)).all()
