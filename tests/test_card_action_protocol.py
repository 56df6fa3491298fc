"""Card actions over HTTP: who may read a request, stale cards, senders without an identity."""

import pytest
from sqlalchemy import func, select

from app import ENGINE
from bot.teams_bot import UNIDENTIFIED
from persistence.models import ConversationReferenceRow
from tests.fakes import activities
from tests.harness import (
    BACKUP,
    DIRECTOR,
    FM,
    LIAISON,
    STRANGER,
    Chat,
    card_actions,
    card_of,
    card_text,
    teams_user,
)
from tests.test_approval_protocol import submit_request, submitted_to_the_liaison


async def act(chat: Chat, verb: object, data: object) -> tuple[int, dict]:
    """An `adaptiveCard/action` invoke with any verb and data, as anyone could send it."""
    invoke = activities.card_action(
        "x",
        service_url=chat.bot.connector.service_url,
        conversation_id=chat.conversation_id,
    )
    invoke["value"]["action"].update(verb=verb, data=data)
    invoke["from"] = chat.user
    async with chat.bot.http.post(f"{chat.bot.url}/api/messages", json=invoke) as response:
        return response.status, await response.json()


def only_text(card: dict) -> str:
    (block,) = card["body"]
    return block["text"]


@pytest.mark.parametrize("reader", [FM, LIAISON, BACKUP, DIRECTOR])
async def test_the_requester_and_the_areas_approvers_read_the_request(bot, reader):
    await submitted_to_the_liaison(bot)

    status, response = await act(Chat(bot, reader), "refresh", {"requestId": "NSD-0001"})

    assert status == 200
    assert "Non-standard delivery · NSD-0001" in card_text(response["value"])


async def test_anyone_else_learns_nothing_not_even_whether_the_request_exists(bot):
    await submitted_to_the_liaison(bot)
    stranger = Chat(bot, STRANGER)

    answers = {}
    for request_id in ("NSD-0001", "NSD-0999"):
        for verb, data in [
            ("refresh", {"requestId": request_id}),
            ("approve", {"requestId": request_id, "version": 1}),
            ("cancel", {"requestId": request_id, "version": 1}),
            ("record_outcome", {"requestId": request_id, "list": True}),
        ]:
            status, response = await act(stranger, verb, data)
            assert status == 200
            answers[request_id, verb] = only_text(response["value"])

    assert set(answers.values()) == {
        "There is no request NSD-0001 that you can see.",
        "There is no request NSD-0999 that you can see.",
    }
    status, response = await act(stranger, "teleport", {"requestId": "NSD-0001", "version": 1})
    assert "Contoso" not in card_text(response["value"])
    (mine,) = await Chat(bot, FM).say("my requests")
    assert "Waiting for the liaison" in card_text(card_of(mine))


async def test_the_action_submit_fallback_refuses_a_stranger_the_same_way(bot):
    await submitted_to_the_liaison(bot)
    stranger = Chat(bot, STRANGER)

    (reply,) = await stranger.say(value={"verb": "refresh", "requestId": "NSD-0001"})

    assert card_text(card_of(reply)) == "There is no request NSD-0001 that you can see."


async def test_after_a_round_trip_the_first_card_cannot_approve_whatever_its_version_says(bot):
    fm, liaison, first_card = await submitted_to_the_liaison(bot)
    await liaison.click(first_card, "ask_more_info", comment="Which workloads?")
    question = await fm.wait_for_card("asks:")
    await fm.click(question, "answer_more_info", comment="Teams")
    await liaison.wait_for_card("Teams")
    approve = next(a for a in card_actions(first_card) if a["verb"] == "approve")["data"]
    assert approve["version"] == 1

    for version in ["abc", [3], True, None, "3"]:
        status, response = await act(liaison, "approve", approve | {"version": version})
        assert status == 200
        assert "the card has no valid version" in card_text(response["value"])
    without = {key: value for key, value in approve.items() if key != "version"}
    status, response = await act(liaison, "approve", without)
    assert "the card has no valid version" in card_text(response["value"])
    status, response = await act(liaison, "approve", without | {"list": True})
    assert "list flag is not valid" in card_text(response["value"])
    status, response = await act(liaison, "approve", approve)
    assert "This card was out of date" in card_text(response["value"])

    (mine,) = await fm.say("my requests")
    assert "Waiting for the liaison" in card_text(card_of(mine))


@pytest.mark.parametrize(
    "data",
    ["NSD-0001", ["NSD-0001"], {"requestId": "NSD-0001", "version": 1, "comment": ["x"]}],
)
async def test_malformed_card_data_gets_a_card_saying_what_was_wrong(bot, data):
    _fm, liaison, _card = await submitted_to_the_liaison(bot)

    status, response = await act(liaison, "approve", data)

    assert status == 200
    assert card_text(response["value"]).startswith("I could not read that card action: ")


NO_ID_ONE = teams_user("Guest One", "", 8)
NO_ID_TWO = {
    key: value for key, value in teams_user("Guest Two", "", 9).items() if key != "aadObjectId"
}


async def test_senders_without_an_aad_object_id_are_told_and_change_nothing(bot):
    fm = Chat(bot, FM)
    await fm.open()
    await submit_request(fm)
    # The liaison never opened the bot: the FM is told so, apart from the replies below.
    await fm.wait_for_text("has not opened the FastTrack bot")
    for user in (NO_ID_ONE, NO_ID_TWO):
        guest = Chat(bot, user)
        for text in ("non-standard delivery", "my requests", "cancel", "help"):
            (reply,) = await guest.say(text)
            assert reply["text"] == UNIDENTIFIED
        (reply,) = await guest.say(value={"verb": "cancel", "requestId": "NSD-0001", "list": True})
        assert reply["text"] == UNIDENTIFIED
        status, response = await act(guest, "cancel", {"requestId": "NSD-0001", "list": True})
        assert status == 200
        assert card_text(response["value"]) == UNIDENTIFIED

    (mine,) = await fm.say("my requests")
    assert "Waiting for the liaison" in card_text(card_of(mine))
    async with bot.app[ENGINE].connect() as connection:
        remembered = await connection.scalar(
            select(func.count()).select_from(ConversationReferenceRow.__table__)
        )
    assert remembered == 1  # the FM's chat only
