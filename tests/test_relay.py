"""The outbox relay in the running app against the fake Bot Connector: Teams' retry rules, chats
Teams refuses, and one stalled chat that must not hold up anyone else."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app import ENGINE, RELAY
from domain.outbox import Message, MessageKind
from domain.roster import Person
from persistence.models import ConversationReferenceRow, OutboxRow
from persistence.outbox import OutboxRepository
from tests.fakes.connector import most_in_one_second
from tests.harness import Chat, RunningBot, make_settings, teams_user

FAST_RETRIES = {
    "outbox_send_timeout": 0.5,
    "outbox_lease": 2.0,
    "outbox_first_backoff": 0.05,
    "outbox_max_backoff": 0.4,
    "outbox_max_attempts": 6,
}


@pytest.fixture
async def bot(database_url, connector):
    async with RunningBot(make_settings(database_url, **FAST_RETRIES), connector) as running:
        yield running


async def people(bot: RunningBot, count: int) -> list[Chat]:
    """`count` people who have opened the bot (so their chats are known)."""
    chats = [
        Chat(bot, teams_user(f"Person {n}", f"00000000-0000-4000-8000-{n:012d}", 100 + n))
        for n in range(count)
    ]
    for chat in chats:
        await chat.open()
    return chats


def person(chat: Chat) -> Person:
    return Person(chat.user["name"], chat.user["aadObjectId"], "")


async def tell(bot: RunningBot, chat: Chat, text: str) -> None:
    """Commit a notice to the outbox, as a service call would, and wake the relay."""
    message = Message(MessageKind.TEXT, person(chat), None, f"test:{text}", text)
    await OutboxRepository(bot.app[ENGINE]).add([message], datetime.now(UTC))
    bot.app[RELAY].wake()


async def row(bot: RunningBot, text: str) -> OutboxRow:
    async with bot.app[ENGINE].connect() as connection:
        result = await connection.execute(
            select(OutboxRow.__table__).where(OutboxRow.dedupe_key == f"test:{text}")
        )
        return result.one()


async def settled(bot: RunningBot, text: str, state: str, timeout: float = 5) -> OutboxRow:
    async with asyncio.timeout(timeout):
        while (found := await row(bot, text)).state != state:
            await asyncio.sleep(0.02)
    return found


def delivered(chat: Chat, text: str) -> int:
    return sum(a.get("text") == text for a in chat.received())


async def test_a_throttled_notice_waits_for_retry_after_then_goes(bot):
    (chat,) = await people(bot, 1)
    bot.connector.fail_next(1, 429, retry_after="1", conversation_id=chat.conversation_id)
    began = time.monotonic()

    await tell(bot, chat, "throttled")
    await chat.wait_for_text("throttled")

    assert time.monotonic() - began >= 0.95
    assert (await row(bot, "throttled")).attempts == 2
    assert delivered(chat, "throttled") == 1


@pytest.mark.parametrize(("status", "failures"), [(503, 3), (412, 1), (502, 2), (504, 1)])
async def test_server_errors_are_retried_with_backoff(bot, status, failures):
    (chat,) = await people(bot, 1)
    bot.connector.fail_next(failures, status, conversation_id=chat.conversation_id)

    await tell(bot, chat, "retried")
    await chat.wait_for_text("retried")

    sent = await settled(bot, "retried", "sent")
    assert sent.attempts == failures + 1
    assert len(bot.connector.rejected) == failures
    assert delivered(chat, "retried") == 1


def refusal(status: int, code: str) -> str:
    if code == "MessageWritesBlocked":  # the sub-code sits inside a JSON string
        inner = json.dumps({"subCode": code, "message": "Thread is blocked"})
        return json.dumps({"errorCode": 209, "message": inner})
    return json.dumps({"error": {"code": code, "message": "refused"}})


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (403, "BotDisabledByAdmin"),
        (403, "ConversationBlockedByUser"),
        (403, "BotNotInConversationRoster"),
        (403, "ForbiddenOperationException"),
        (403, "MessageWritesBlocked"),
        (404, "ConversationNotFound"),
    ],
)
async def test_a_refusing_chat_fails_the_message_and_holds_the_next_until_the_person_writes(
    bot, status, code
):
    chat, other = await people(bot, 2)
    bot.connector.fail_next(
        1, status, body=refusal(status, code), conversation_id=chat.conversation_id
    )

    await tell(bot, chat, "refused")
    failed = await settled(bot, "refused", "failed")
    assert (failed.attempts, failed.last_error) == (1, f"HTTP {status} {code}")

    # Teams said to stop: the next message waits, without a call to Teams.
    await tell(bot, chat, "later")
    await settled(bot, "later", "waiting")
    await tell(bot, other, "meanwhile")
    await other.wait_for_text("meanwhile")
    assert len(bot.connector.rejected) == 1
    assert delivered(chat, "later") == 0

    await chat.say("help")  # they write to the bot again
    await chat.wait_for_text("later")
    assert (await row(bot, "refused")).state == "failed"  # failed stays failed
    async with bot.app[ENGINE].connect() as connection:
        reasons = await connection.scalars(select(ConversationReferenceRow.unreachable_reason))
        assert set(reasons) == {None}


@pytest.mark.parametrize(("status", "code"), [(400, "BadArgument"), (413, "MessageSizeTooBig")])
async def test_other_refusals_fail_at_once_and_are_never_retried(bot, status, code):
    (chat,) = await people(bot, 1)
    bot.connector.fail_next(
        1, status, body=refusal(status, code), conversation_id=chat.conversation_id
    )

    await tell(bot, chat, "refused")

    failed = await settled(bot, "refused", "failed")
    assert failed.attempts == 1
    assert failed.last_error.startswith(f"HTTP {status}: ")
    await tell(bot, chat, "next")  # the chat itself is fine
    await chat.wait_for_text("next")
    assert len(bot.connector.rejected) == 1


async def test_a_hanging_chat_delays_no_one_else_and_gets_its_notice_when_it_recovers(bot):
    stalled, *others = await people(bot, 6)
    bot.connector.hang(stalled.conversation_id)

    await tell(bot, stalled, "to the stalled chat")
    await asyncio.sleep(0.05)  # its send is under way
    began = time.monotonic()
    for n, chat in enumerate(others):
        await tell(bot, chat, f"to chat {n}")
    for n, chat in enumerate(others):
        await chat.wait_for_text(f"to chat {n}", timeout=1)
    assert time.monotonic() - began < 1

    await asyncio.sleep(1.0)  # several timed-out attempts
    assert (await row(bot, "to the stalled chat")).attempts >= 2
    bot.connector.release(stalled.conversation_id)
    await stalled.wait_for_text("to the stalled chat", timeout=5)
    await settled(bot, "to the stalled chat", "sent")
    # Attempts that timed out were abandoned by the bot before the chat answered.
    assert bot.connector.abandoned
    assert delivered(stalled, "to the stalled chat") == 1


async def test_a_chat_gets_its_messages_in_order_and_within_its_rate(bot):
    (chat,) = await people(bot, 1)
    texts = [f"notice {n}" for n in range(12)]
    for text in texts:
        await tell(bot, chat, text)

    await chat.wait_for_text("notice 11", timeout=10)

    posts = [c for c in bot.connector.posts(chat.conversation_id) if c.body.get("text") in texts]
    assert [c.body["text"] for c in posts] == texts
    assert most_in_one_second(posts) <= bot.settings.outbox_rate_per_conversation == 5
