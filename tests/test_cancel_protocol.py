"""Cancelling a request, over HTTP, from `my requests` or from the FM's own card (the question
waiting on their answer): the card asks for confirmation before anything moves, and the approver
the request waited on is told."""

from __future__ import annotations

import asyncio

from tests.harness import FM, LIAISON, Chat, RunningBot, card_actions, card_of, card_text
from tests.schemas import assert_valid_card
from tests.test_approval_protocol import submit_request, submitted_to_the_liaison


def elements(card: dict) -> list[dict]:
    """The card (or element) and every element and button in it."""
    found: list[dict] = []
    stack = [card]
    while stack:
        node = stack.pop()
        found.append(node)
        stack += [*node.get("body", []), *node.get("items", []), *node.get("actions", [])]
    return found


async def test_cancel_asks_for_confirmation_on_the_card_and_tells_the_approver(bot: RunningBot):
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await liaison.open()
    await fm.open()
    await submit_request(fm)
    (listing,) = await fm.say("my requests")
    card = card_of(listing)
    assert_valid_card(card)

    # The one visible Cancel only shows the question; the move is behind it.
    (cancel,) = [e for e in elements(card) if e.get("title") == "Cancel NSD-0001"]
    assert cancel["type"] == "Action.ToggleVisibility"
    (confirmation,) = [e for e in elements(card) if e.get("id") in cancel["targetElements"]]
    assert confirmation["isVisible"] is False
    assert "Cancel NSD-0001 for good? The approver is told." in card_text(confirmation)
    titles = {a["title"]: a for a in elements(confirmation) if a.get("title")}
    assert titles["Keep it"]["type"] == "Action.ToggleVisibility"
    assert titles["Keep it"]["targetElements"] == cancel["targetElements"]
    (move,) = card_actions(card)
    assert move is titles["Yes, cancel NSD-0001"]
    assert move["verb"] == "cancel"

    _status, response = await fm.click(card, "cancel")

    assert "Cancelled" in card_text(response["value"])
    told = await liaison.wait_for_text("NSD-0001 for Contoso was cancelled by Alex Wilber")
    assert "nothing more is needed from you" in told["text"]


async def test_a_cancelled_question_tells_the_approver_who_asked_it(bot: RunningBot):
    fm, liaison, card = await submitted_to_the_liaison(bot)
    await liaison.click(card, "ask_more_info", comment="Which workloads?")
    await fm.wait_for_card("asks:")
    (listing,) = await fm.say("my requests")

    _status, response = await fm.click(card_of(listing), "cancel")

    assert "Cancelled" in card_text(response["value"])
    await liaison.wait_for_text("NSD-0001 for Contoso was cancelled by Alex Wilber")


async def asked_the_fm(bot: RunningBot) -> tuple[Chat, Chat, dict]:
    """NSD-0001 waits on the FM's answer to the liaison's question: (FM, liaison, FM's card)."""
    fm, liaison, card = await submitted_to_the_liaison(bot)
    await liaison.click(card, "ask_more_info", comment="Which workloads?")
    return fm, liaison, await fm.wait_for_card("asks:")


def cancelled_notices(liaison: Chat) -> list[dict]:
    return [
        a for a in liaison.received() if "was cancelled by Alex Wilber" in (a.get("text") or "")
    ]


async def test_cancel_on_the_fms_own_card_first_asks_for_confirmation(bot: RunningBot):
    fm, liaison, card = await asked_the_fm(bot)
    assert_valid_card(card)

    # The card's Cancel button only shows the question, right above the buttons.
    cancel = next(a for a in card["actions"] if a["title"] == "Cancel the request")
    assert cancel["type"] == "Action.ToggleVisibility"
    confirmation = card["body"][-1]
    assert cancel["targetElements"] == [confirmation["id"]]
    assert confirmation["isVisible"] is False
    assert "Cancel NSD-0001 for good? The approver is told." in card_text(confirmation)
    titles = {a["title"]: a for a in elements(confirmation) if a.get("title")}
    assert titles["Keep it"]["type"] == "Action.ToggleVisibility"
    assert titles["Keep it"]["targetElements"] == cancel["targetElements"]
    # The only button that cancels is the one behind the question, for the version shown.
    (move,) = [a for a in card_actions(card) if a["verb"] == "cancel"]
    assert move is titles["Yes, cancel NSD-0001"]
    assert move["data"] == {"verb": "cancel", "requestId": "NSD-0001", "version": 2}

    # Showing and hiding the question sends nothing: the request still waits on the FM.
    (listing,) = await fm.say("my requests")
    assert "More information requested · waiting on you" in card_text(card_of(listing))
    assert cancelled_notices(liaison) == []


async def test_confirming_cancels_once_replaces_the_card_and_tells_the_approver(bot: RunningBot):
    fm, liaison, card = await asked_the_fm(bot)

    results = await asyncio.gather(fm.click(card, "cancel"), fm.click(card, "cancel"))

    assert [status for status, _ in results] == [200, 200]
    replies = [response["value"] for _, response in results]
    for reply in replies:
        assert_valid_card(reply)
        assert "Status: Cancelled" in card_text(reply)
        assert "actions" not in reply, "the replaced card has nothing left to press"
    # Sequential or simultaneous, the second click is told why nothing moved.
    refused = [
        r
        for r in replies
        if "NSD-0001 is cancelled; it cannot be cancelled now." in card_text(r)
        or "Someone else acted first: NSD-0001 is cancelled." in card_text(r)
    ]
    assert len(refused) == 1, "two clicks cancel once"
    told = await liaison.wait_for_text("NSD-0001 for Contoso was cancelled by Alex Wilber")
    assert "nothing more is needed from you" in told["text"]
    await asyncio.sleep(0.3)  # time for a wrong second notice to show up
    assert len(cancelled_notices(liaison)) == 1


async def test_a_stale_confirmation_after_a_decision_says_why_and_moves_nothing(bot: RunningBot):
    fm, liaison, card = await asked_the_fm(bot)
    await fm.click(card, "answer_more_info", comment="Teams and OneDrive")
    back = await liaison.wait_for_card("Teams and OneDrive")
    await liaison.click(back, "decline", comment="Out of scope")
    await fm.wait_for_text("declined by Adele Vance")

    # The question card as it was before the answer (a copy not yet updated, or a replay).
    status, response = await fm.click(card, "cancel")

    assert status == 200
    text = card_text(response["value"])
    assert "NSD-0001 is declined; it cannot be cancelled now." in text
    assert "Status: Declined" in text
    (listing,) = await fm.say("my requests")
    assert "Declined by Adele Vance: “Out of scope”" in card_text(card_of(listing))
    assert cancelled_notices(liaison) == []
