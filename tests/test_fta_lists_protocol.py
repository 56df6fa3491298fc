"""FTA requests in `my requests` and `my approvals`, over HTTP: the requester reads where each
went, who has it, accepted or waiting, each hand back and to whom, and the due date, worded to
them; the FTA finds the assignments waiting on them with Accept and Hand back."""

import asyncio

from cards.fta import ACCEPT_VERB, HAND_BACK_VERB, REASON_INPUT
from tests.harness import FM, LIAISON, Chat, card_actions, card_of, card_text
from tests.schemas import assert_valid_card
from tests.test_approval_protocol import submit_request
from tests.test_fta_request_protocol import ISAIAH, MEGAN, WORKSHOP, request_fta


async def my_requests(chat: Chat) -> str:
    (reply,) = await chat.say("my requests")
    card = card_of(reply)
    assert_valid_card(card)
    return card_text(card)


async def test_the_requester_follows_an_fta_request_from_assignment_to_accept(bot):
    fm, isaiah, megan = Chat(bot, FM), Chat(bot, ISAIAH), Chat(bot, MEGAN)
    for chat in (fm, isaiah, megan):
        await chat.open()
    await request_fta(fm, WORKSHOP)
    await request_fta(fm, ["Sales-support question", "Contoso", "EMEA", "GCC", "Blocks a deal"])

    text = await my_requests(fm)
    assert "FTA-0001 · FTA: Discovery workshop · Contoso (Americas)" in text
    assert "Assigned to Isaiah Langer · waiting for them to accept" in text
    assert "⏰ FTA assignment due " in text
    assert "FTA-0002 · FTA: Sales-support question · Contoso (EMEA)" in text
    assert "For the FTCHelp team: mailed to ftchelp@contoso.com, who reply by mail" in text

    card = await isaiah.wait_for_card("FTA request · FTA-0001")
    await isaiah.click(card, HAND_BACK_VERB, **{REASON_INPUT: "On leave"})
    await fm.wait_for_text("handed back **FTA-0001**")
    text = await my_requests(fm)
    assert "Handed back by Isaiah Langer (“On leave”), then to Megan Bowen" in text
    assert "Assigned to Megan Bowen · waiting for them to accept" in text

    card = await megan.wait_for_card("FTA request · FTA-0001")
    await megan.click(card, ACCEPT_VERB)
    await fm.wait_for_text("accepted **FTA-0001**")
    text = await my_requests(fm)
    assert "Accepted by Megan Bowen" in text
    assert "⏰" not in text  # nothing is due any more

    # What became of the messages: the FTAs' cards and their updates, the account team's and
    # FTCHelp's mail.
    team = "Mail: recorded, not sent (dry run), for ae@contoso.com, csm@contoso.com"
    async with asyncio.timeout(5):
        while (
            team not in (text := await my_requests(fm))
            or "waiting to be sent" in text
            or "on the way" in text
        ):
            await asyncio.sleep(0.05)
    # Isaiah's card, updated after his hand back and after Megan's accept; Megan's card,
    # updated after her accept.
    assert "Messages: 5 delivered" in text
    assert "Mail: recorded, not sent (dry run), for ftchelp@contoso.com" in text


async def test_the_fta_finds_the_assignment_in_my_approvals_and_accepts_it_there(bot):
    fm, isaiah, megan = Chat(bot, FM), Chat(bot, ISAIAH), Chat(bot, MEGAN)
    for chat in (fm, isaiah, megan):
        await chat.open()
    await request_fta(fm, WORKSHOP)
    await isaiah.wait_for_card("FTA request · FTA-0001")

    intro, reply = await isaiah.say("my approvals", replies=2)
    assert intro["text"].startswith("1 FTA assignment waits on you to accept or hand back:")
    assert "- FTA-0001: FTA assignment due " in intro["text"]
    card = card_of(reply)
    assert_valid_card(card)
    assert [a["title"] for a in card_actions(card)] == ["Accept", "Hand back"]
    status, accepted = await isaiah.click(card, ACCEPT_VERB)
    assert status == 200
    assert "Accepted by Isaiah Langer" in card_text(accepted["value"])

    # Accepted, it waits on nobody; it never waited on Megan.
    for chat in (isaiah, megan):
        (nothing,) = await chat.say("my approvals")
        assert nothing["text"] == "Nothing waits on you."


async def test_approval_requests_and_fta_requests_are_listed_together(bot):
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await liaison.open()
    await fm.open()
    await submit_request(fm)
    await request_fta(fm, WORKSHOP)
    text = await my_requests(fm)
    assert text.index("NSD-0001") < text.index("FTA-0001")
    assert "waiting on Adele Vance" in text
    assert "Assigned to Isaiah Langer" in text
