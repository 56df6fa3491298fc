"""Conversation state is stored as plain JSON with type tags of our own.

Each of the three conversations is walked over HTTP to its summary, its stored document checked
after every turn, and submitted by a bot started afresh on the same database. Documents written
before the format had a version (jsonpickle's, captured in tests/fixtures/jsonpickle_state.json
from the bot before this format: after `help`, and in a non-standard delivery with
ANSWERS_FASTTRACK asking the TPID and at the summary) are converted when no conversation was
under way; a conversation paused in the previous dialogs starts over, and the person is told.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botbuilder.dialogs import DialogInstance, DialogState

from app import ENGINE
from bot.state_codec import StateFormatError, decode_document, encode_document
from bot.storage import decode_stored_document
from dialogs.main_dialog import STARTED_OVER_NOTICE
from persistence.state_store import StateStore, WriteRequest
from tests import test_acm_protocol, test_approval_protocol, test_covid_protocol
from tests.harness import FM, Chat, RunningBot, make_settings

OLD_FORMAT = json.loads((Path(__file__).parent / "fixtures" / "jsonpickle_state.json").read_text())
TAGS = {"dialog_state", "dialog_instance", "dict"}


def state_key(chat: Chat) -> str:
    return f"msteams/conversations/{chat.conversation_id}"


async def stored_document(chat: Chat) -> dict[str, Any]:
    stored = await StateStore(chat.bot.app[ENGINE]).read([state_key(chat)])
    return stored[state_key(chat)].document


def tags_in(node: Any) -> set[str]:
    if isinstance(node, dict):
        own = {node["@type"]} if "@type" in node else set()
        return own.union(*(tags_in(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(tags_in(value) for value in node))
    return set()


async def assert_stored_as_plain_json(chat: Chat) -> dict[str, Any]:
    document = await stored_document(chat)
    text = json.dumps(document)
    for python_name in ("py/", "botbuilder", "card_activity"):
        assert python_name not in text
    assert document["stateFormat"] == 1
    assert tags_in(document) <= TAGS
    # What is read back encodes to the same document: nothing is lost or changed on the way.
    assert encode_document(decode_document(document)) == document
    return document


CONVERSATIONS = {
    "non-standard delivery": (
        test_approval_protocol.ANSWERS_FASTTRACK,
        "no commitment to the customer",
    ),
    "covid triage": (
        test_covid_protocol.START + test_covid_protocol.WVD + test_covid_protocol.REST,
        "remind you on each rollout target date",
    ),
    "acm referral": (test_acm_protocol.ANSWERS, "within three business days"),
}


@pytest.mark.parametrize("command", list(CONVERSATIONS))
async def test_each_conversation_is_stored_as_plain_json_and_resumes_after_a_restart(
    database_url, connector, command
):
    answers, confirmed = CONVERSATIONS[command]
    settings = make_settings(database_url)
    async with RunningBot(settings, connector) as bot:
        fm = Chat(bot, FM)
        await fm.open()
        await fm.say(command)
        await assert_stored_as_plain_json(fm)
        for answer in answers:
            await fm.say(answer)
            await assert_stored_as_plain_json(fm)
        await fm.wait_for_card("Check your answers")
        await assert_stored_as_plain_json(fm)

    # Only the stored document carries the dialog on in the new bot process.
    async with RunningBot(settings, connector) as restarted:
        fm = Chat(restarted, FM)
        (confirmation,) = await fm.say(value={"summary": "submit"})
        assert confirmed in confirmation["text"]
        assert (await stored_document(fm))["item"]["DialogState"]["stack"] == []


async def plant(bot: RunningBot, chat: Chat, document: dict) -> None:
    await StateStore(bot.app[ENGINE]).write({state_key(chat): WriteRequest(document)})


async def test_an_old_format_document_without_a_conversation_under_way_is_converted(bot):
    fm = Chat(bot, FM)
    await fm.open()
    await plant(bot, fm, OLD_FORMAT["no_conversation_under_way"])

    (first_question,) = await fm.say("non-standard delivery")

    assert "Step 1 of" in first_question["text"]
    assert (await assert_stored_as_plain_json(fm))["item"]["DialogState"]["stack"]


@pytest.mark.parametrize("paused", ["asking_step_2", "at_the_summary"])
async def test_an_old_format_conversation_under_way_starts_over_and_says_so(bot, paused):
    # Its waterfalls and prompts are gone: the current dialogs cannot resume it.
    fm = Chat(bot, FM)
    await fm.open()
    await plant(bot, fm, OLD_FORMAT[paused])

    (notice,) = await fm.say("skip")
    (first_question,) = await fm.say("non-standard delivery")

    assert notice["text"] == STARTED_OVER_NOTICE
    assert "Step 1 of" in first_question["text"]
    await assert_stored_as_plain_json(fm)


def test_tags_not_class_names_are_stored():
    answers = {"customer": "Contoso", "@type": "a plain key"}
    state = {"DialogState": DialogState([DialogInstance("nsd", {"answers": answers})])}

    document = encode_document(state)

    assert document == {
        "stateFormat": 1,
        "item": {
            "DialogState": {
                "@type": "dialog_state",
                "stack": [
                    {
                        "@type": "dialog_instance",
                        "id": "nsd",
                        "state": {"answers": {"@type": "dict", "value": answers}},
                    }
                ],
            }
        },
    }
    (instance,) = decode_document(document)["DialogState"].dialog_stack
    assert instance.state == {"answers": answers}


def nested_lists(depth: int) -> list:
    nested: list = []
    for _ in range(depth):
        nested = [nested]
    return nested


@pytest.mark.parametrize(
    "document",
    [
        {"stateFormat": 2, "item": {}},
        {"stateFormat": 1, "item": {}, "more": 1},
        {"stateFormat": 1, "item": {"@type": "dialog_instance", "id": 3}},
        {"stateFormat": 1, "item": {"@type": "dialog_state", "stack": [{"id": "x"}]}},
        {"stateFormat": 1, "item": {"@type": "activity", "__class__": "x"}},
        {"stateFormat": 1, "item": {"@type": "store_item", "value": {"__class__": 1}}},
        {"stateFormat": 1, "item": {"@type": ["dict"]}},
        ["not", "an", "object"],
        {"DialogState": {"py/object": ["botbuilder.dialogs.dialog_state.DialogState"]}},
        {"stateFormat": 1, "item": nested_lists(5000)},
        {"DialogState": nested_lists(5000)},
    ],
    ids=[
        "future-version",
        "extra-key",
        "bad-instance",
        "bad-stack",
        "unknown-field",
        "private-attribute",
        "unhashable-tag",
        "list",
        "old-unhashable-class",
        "deep",
        "old-deep",
    ],
)
def test_documents_of_another_shape_are_refused(document):
    with pytest.raises(StateFormatError):
        decode_stored_document(document)
