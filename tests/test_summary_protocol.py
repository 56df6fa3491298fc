"""No stale buttons on the summary card, over HTTP: once submitted, cancelled or superseded by a
newer summary, it is replaced in place by that state; a press on an old one says what happened."""

from __future__ import annotations

from tests.fakes.connector import RecordedCall
from tests.harness import FM, LIAISON, Chat, RunningBot, card_of, card_text
from tests.schemas import assert_valid_card
from tests.test_approval_protocol import ANSWERS_FASTTRACK
from tests.test_double_submit import requests_in


async def at_the_summary(bot: RunningBot) -> tuple[Chat, dict]:
    """The FM at the summary of a non-standard delivery request: (FM's chat, summary card)."""
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await liaison.open()
    await fm.open()
    (summary,) = await fm.walk("non-standard delivery", ANSWERS_FASTTRACK)
    return fm, card_of(summary)


def summary_posts(bot: RunningBot, fm: Chat) -> list[RecordedCall]:
    return [
        call
        for call in bot.connector.posts(fm.conversation_id)
        if call.body.get("attachments") and "Check your answers" in card_text(card_of(call.body))
    ]


def replacements(bot: RunningBot, post: RecordedCall) -> list[dict]:
    """The cards the summary sent by `post` was replaced with, in order."""
    return [
        card_of(call.body)
        for call in bot.connector.calls
        if call.method == "PUT" and call.activity_id == post.created_id
    ]


def button(card: dict, title: str) -> dict:
    return next(action["data"] for action in card["actions"] if action["title"] == title)


async def test_a_submitted_summary_becomes_its_submitted_state(bot: RunningBot, database_url):
    fm, summary = await at_the_summary(bot)
    submit = button(summary, "Submit request")

    (confirmation,) = await fm.say(value=submit)

    assert "Submitted **NSD-0001**" in confirmation["text"]
    (post,) = summary_posts(bot, fm)
    (submitted,) = replacements(bot, post)
    assert_valid_card(submitted)
    assert "Submitted as NSD-0001" in card_text(submitted)
    assert "Contoso" in card_text(submitted)  # the answers stay as a record
    assert "actions" not in submitted
    assert not any(item["type"].startswith("Input.") for item in submitted["body"])

    # The same button pressed again (a copy of the card not yet replaced) says what happened.
    (again,) = await fm.say(value=submit)
    assert "submitted already, as **NSD-0001**" in again["text"]
    assert "didn't understand" not in again["text"]
    assert await requests_in(database_url) == 1


async def test_a_summary_superseded_by_a_changed_answer_is_replaced(bot: RunningBot, database_url):
    fm, first = await at_the_summary(bot)

    await fm.say(value={**button(first, "Change this answer"), "question": "customer"})
    (first_post,) = summary_posts(bot, fm)
    (superseded,) = replacements(bot, first_post)
    assert "Replaced: you are changing “Customer”" in card_text(superseded)
    assert "actions" not in superseded

    (second,) = await fm.say("Fabrikam")
    assert "Fabrikam" in card_text(card_of(second))
    (old,) = await fm.say(value=button(first, "Submit request"))
    assert "out of date" in old["text"]
    assert await requests_in(database_url) == 0

    (confirmation,) = await fm.say(value=button(card_of(second), "Submit request"))
    assert "Submitted **NSD-0001**" in confirmation["text"]


async def test_a_summary_left_by_typing_cancel_becomes_cancelled(bot: RunningBot, database_url):
    fm, summary = await at_the_summary(bot)

    await fm.say("cancel")

    (post,) = summary_posts(bot, fm)
    (cancelled,) = replacements(bot, post)
    assert "Cancelled: nothing was submitted." in card_text(cancelled)
    assert "actions" not in cancelled
    (old,) = await fm.say(value=button(summary, "Submit request"))
    assert "out of date" in old["text"]
    assert await requests_in(database_url) == 0


async def test_a_summary_from_an_earlier_conversation_never_submits_the_current_one(
    bot: RunningBot, database_url
):
    fm, old_summary = await at_the_summary(bot)
    await fm.say("cancel")
    (new_summary,) = await fm.walk("non-standard delivery", ANSWERS_FASTTRACK)

    (old,) = await fm.say(value=button(old_summary, "Submit request"))

    assert "out of date" in old["text"]
    assert await requests_in(database_url) == 0
    assert "actions" in card_of(new_summary)
