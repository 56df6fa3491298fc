"""Every copy of an FTA request's card shows the request as it is, over HTTP: the card the
outbox delivered and the copy `my approvals` shows are both recorded, and Accept or Hand back
on one replaces the others at the Bot Connector (a PUT with the read-only card); Teams
refreshes a shown card for the FTA it waits on; a click on a stale copy is answered with the
card as it is now, saying why."""

from cards.approval import REFRESH_VERB
from cards.fta import ACCEPT_VERB, HAND_BACK_VERB, REASON_INPUT
from tests.fakes import activities
from tests.fakes.connector import RecordedCall
from tests.harness import FM, Chat, RunningBot, card_actions, card_of, card_text
from tests.schemas import assert_valid_card
from tests.test_fta_request_protocol import ISAIAH, MEGAN, WORKSHOP, request_fta


def posted_card_call(bot: RunningBot, chat: Chat, fragment: str) -> RecordedCall:
    """The activity POSTed to `chat` whose card contains `fragment` (one only)."""
    (call,) = [
        call
        for call in bot.connector.posts(chat.conversation_id)
        if call.body.get("attachments") and fragment in card_text(card_of(call.body))
    ]
    return call


def updates_of(bot: RunningBot, activity_id: str | None) -> list[dict]:
    """The cards PUT in place of the activity `activity_id`, oldest first."""
    return [
        card_of(call.body)
        for call in bot.connector.calls
        if call.method == "PUT" and call.activity_id == activity_id
    ]


async def wait_for_update(bot: RunningBot, activity_id: str | None, fragment: str) -> dict:
    """The newest card PUT in place of `activity_id`, once one contains `fragment`."""
    await bot.connector.wait_until(
        lambda: any(fragment in card_text(card) for card in updates_of(bot, activity_id))
    )
    card = updates_of(bot, activity_id)[-1]
    assert_valid_card(card)
    return card


async def refresh(chat: Chat, card: dict) -> dict:
    """What Teams asks for when it shows `card` to this chat's user: the card's refresh."""
    action = card["refresh"]["action"]
    invoke = activities.card_action(
        action["verb"],
        action["data"],
        service_url=chat.bot.connector.service_url,
        conversation_id=chat.conversation_id,
    )
    invoke["from"] = chat.user
    async with chat.bot.http.post(f"{chat.bot.url}/api/messages", json=invoke) as response:
        assert response.status == 200
        refreshed = (await response.json())["value"]
    assert_valid_card(refreshed)
    return refreshed


def buttons(card: dict) -> list[str]:
    return [action["title"] for action in card_actions(card)]


async def the_fta_has_two_copies(
    bot: RunningBot,
) -> tuple[Chat, Chat, Chat, RecordedCall, RecordedCall]:
    """Isaiah's card, delivered by the outbox, and the copy `my approvals` shows him (the
    same card: told apart by their activities)."""
    fm, isaiah, megan = Chat(bot, FM), Chat(bot, ISAIAH), Chat(bot, MEGAN)
    for chat in (fm, isaiah, megan):
        await chat.open()
    await request_fta(fm, WORKSHOP)
    await isaiah.wait_for_card("FTA request · FTA-0001")
    delivered = posted_card_call(bot, isaiah, "FTA request · FTA-0001")
    await isaiah.say("my approvals", replies=2)
    copy = bot.connector.posts(isaiah.conversation_id)[-1]
    assert copy.created_id != delivered.created_id
    for call in (delivered, copy):
        assert_valid_card(card_of(call.body))
        assert buttons(card_of(call.body)) == ["Accept", "Hand back"]
    return fm, isaiah, megan, delivered, copy


async def test_accept_on_one_copy_replaces_the_other_with_the_read_only_card(bot):
    fm, isaiah, _, delivered, copy_call = await the_fta_has_two_copies(bot)
    copy = card_of(copy_call.body)
    # Teams asks the FTA's client (only) for the card as it is whenever it shows it.
    first = card_of(delivered.body)
    assert first["refresh"]["userIds"] == [ISAIAH["id"]]
    assert first["refresh"]["action"]["verb"] == REFRESH_VERB
    assert buttons(await refresh(isaiah, first)) == ["Accept", "Hand back"]
    assert buttons(await refresh(fm, first)) == []  # the requester reads it

    status, accepted = await isaiah.click(copy, ACCEPT_VERB)
    assert status == 200
    assert "Accepted by Isaiah Langer" in card_text(accepted["value"])

    # The copy the outbox delivered is replaced in place: read-only, accepted.
    card = await wait_for_update(bot, delivered.created_id, "Accepted by Isaiah Langer")
    assert buttons(card) == []
    assert "refresh" not in card  # nothing waits on anyone any more
    assert buttons(await refresh(isaiah, first)) == []

    # A click on the stale copy is answered with the card as it is now, saying why.
    status, stale = await isaiah.click(first, ACCEPT_VERB)
    assert status == 200
    assert_valid_card(stale["value"])
    text = card_text(stale["value"])
    assert "FTA-0001 changed since this card was sent; here it is now." in text
    assert "Accepted by Isaiah Langer" in text
    assert buttons(stale["value"]) == []


async def test_after_a_hand_back_the_old_ftas_copies_are_read_only_and_the_next_is_live(bot):
    _, isaiah, megan, delivered, reply = await the_fta_has_two_copies(bot)
    copy = card_of(reply.body)
    first = card_of(delivered.body)
    status, handed = await isaiah.click(first, HAND_BACK_VERB, **{REASON_INPUT: "On leave"})
    assert status == 200
    assert buttons(handed["value"]) == []

    # Isaiah's `my approvals` copy says who has it now, without buttons.
    card = await wait_for_update(bot, reply.created_id, "Assigned to Megan Bowen")
    assert buttons(card) == []

    # Megan's card is the live one, refreshed for her only.
    live = await megan.wait_for_card("FTA request · FTA-0001")
    assert_valid_card(live)
    assert buttons(live) == ["Accept", "Hand back"]
    assert live["refresh"]["userIds"] == [MEGAN["id"]]
    assert buttons(await refresh(isaiah, live)) == []

    # Isaiah's stale copy: the card as it is now, and why.
    status, stale = await isaiah.click(copy, ACCEPT_VERB)
    assert status == 200
    assert_valid_card(stale["value"])
    assert "changed since this card was sent" in card_text(stale["value"])
    assert "Assigned to Megan Bowen" in card_text(stale["value"])
    assert buttons(stale["value"]) == []

    # Megan accepts: her card and Isaiah's copies all come to say so.
    status, _ = await megan.click(live, ACCEPT_VERB)
    assert status == 200
    for activity_id in (delivered.created_id, reply.created_id):
        await wait_for_update(bot, activity_id, "Accepted by Megan Bowen")
