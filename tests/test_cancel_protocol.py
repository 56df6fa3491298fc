"""Cancelling from `my requests`, over HTTP: the card asks for confirmation before anything
moves, and the approver the request waited on is told."""

from __future__ import annotations

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
