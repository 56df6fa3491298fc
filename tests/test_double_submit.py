"""Pressing Submit twice, with or without a crash in between, gives one request and one card."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from app import ENGINE
from persistence.database import create_engine
from persistence.models import RequestRow
from tests.harness import FM, LIAISON, SAMPLE_ROSTER, Chat, RunningBot, card_of, card_text
from tests.processes import BotProcess
from tests.test_approval_protocol import ANSWERS_FASTTRACK

SUBMIT = {"summary": "submit"}


async def at_the_summary(bot) -> tuple[Chat, Chat]:
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await liaison.open()
    await fm.open()
    (summary,) = await fm.walk("non-standard delivery", ANSWERS_FASTTRACK)
    assert "Check your answers" in card_text(card_of(summary))
    return fm, liaison


async def requests_in(database_url: str) -> int:
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        count = await connection.scalar(select(func.count()).select_from(RequestRow))
    await engine.dispose()
    return count


def liaison_cards(liaison: Chat) -> list[dict]:
    return [card_of(a) for a in liaison.received() if a.get("attachments")][1:]  # not the welcome


async def one_card_arrives(liaison: Chat) -> None:
    await liaison.wait_for_card("NSD-0001")
    await asyncio.sleep(0.5)  # room for a second one
    assert len(liaison_cards(liaison)) == 1


async def test_two_simultaneous_presses_submit_once(bot: RunningBot, database_url):
    fm, liaison = await at_the_summary(bot)

    await asyncio.gather(bot.post(fm.activity(value=SUBMIT)), bot.post(fm.activity(value=SUBMIT)))

    await one_card_arrives(liaison)
    assert await requests_in(database_url) == 1
    async with bot.app[ENGINE].connect() as connection:
        assert await connection.scalar(select(RequestRow.id)) == "NSD-0001"


async def test_a_second_press_while_the_first_is_slow_submits_once(bot: RunningBot, database_url):
    fm, liaison = await at_the_summary(bot)
    # The FM's chat answers slowly: the first press's turn is still going on (its dialog
    # state not yet saved) when the second arrives.
    bot.connector.hang(fm.conversation_id)

    first = asyncio.create_task(bot.post(fm.activity(value=SUBMIT)))
    await asyncio.sleep(0.15)
    second = asyncio.create_task(bot.post(fm.activity(value=SUBMIT)))
    await asyncio.sleep(0.5)
    bot.connector.release(fm.conversation_id)
    await asyncio.gather(first, second)

    await one_card_arrives(liaison)
    assert await requests_in(database_url) == 1
    confirmations = [a for a in fm.received() if "Submitted **NSD-0001**" in (a.get("text") or "")]
    assert confirmations
    assert not any("NSD-0002" in (a.get("text") or "") for a in fm.received())


async def test_pressing_submit_again_after_a_crash_during_the_submission_submits_once(
    database_url, connector, tmp_path
):
    log = tmp_path / "bot.log"
    first = await BotProcess(database_url, SAMPLE_ROSTER, connector, log).start()
    try:
        fm, liaison = await at_the_summary(first)
        # The confirmation hangs: the request is committed, the turn not finished (its
        # dialog state not saved) when the bot dies.
        connector.hang(fm.conversation_id)
        pressed = asyncio.create_task(first.post(fm.activity(value=SUBMIT)))
        async with asyncio.timeout(10):
            while await requests_in(database_url) == 0:
                await asyncio.sleep(0.05)
        await liaison.wait_for_card("NSD-0001")
        first.kill()
        await first.wait()
        connector.release(fm.conversation_id)
        await asyncio.gather(pressed, return_exceptions=True)
    finally:
        await first.stop()

    second = await BotProcess(database_url, SAMPLE_ROSTER, connector, log).start()
    try:
        fm.bot = liaison.bot = second
        (confirmation,) = await fm.say(value=SUBMIT)
        assert "Submitted **NSD-0001**" in confirmation["text"]
        await one_card_arrives(liaison)
        assert await requests_in(database_url) == 1
    finally:
        await second.stop()
