"""Two bot processes on one PostgreSQL database share the outbox: every message goes once, and
the rates hold across both."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import select

from bench.outbox_rates import queue
from persistence.database import create_engine
from persistence.models import OutboxRow
from tests.db_fixtures import POSTGRES_URL
from tests.fakes.connector import FakeBotConnector, most_in_one_second
from tests.harness import SAMPLE_ROSTER
from tests.processes import BotProcess

PEOPLE = 50
MESSAGES = 500
# Teams' own limits; the bots run on their defaults below them.
TEAMS_PER_CONVERSATION, TEAMS_PER_TENANT = 7, 50


@pytest.mark.postgres
async def test_two_instances_deliver_500_queued_messages_once_each_within_the_rates(
    require_postgres, connector: FakeBotConnector, tmp_path
):
    await queue(POSTGRES_URL, connector.service_url, PEOPLE, MESSAGES)
    log = tmp_path / "bots.log"
    bots = [BotProcess(POSTGRES_URL, SAMPLE_ROSTER, connector, log) for _ in range(2)]
    try:
        await asyncio.gather(*(bot.start() for bot in bots))
        await connector.wait_for_activities(MESSAGES, timeout=60)
        await asyncio.sleep(1)  # room for a duplicate to show up
    finally:
        await asyncio.gather(*(bot.stop() for bot in bots))

    posts = connector.posts()
    assert Counter(call.body["text"] for call in posts) == {
        f"notice {n}": 1 for n in range(MESSAGES)
    }
    # Both instances delivered (a claim token starts with its relay's own prefix) ...
    engine = create_engine(POSTGRES_URL)
    async with engine.connect() as connection:
        tokens = await connection.scalars(select(OutboxRow.claim_token))
        relays = {token.split("-")[0] for token in tokens}
    await engine.dispose()
    assert len(relays) == 2
    # ... and together they kept within the rates.
    by_chat: dict[str, list] = {}
    for call in posts:
        by_chat.setdefault(call.conversation_id, []).append(call)
    assert max(most_in_one_second(calls) for calls in by_chat.values()) <= TEAMS_PER_CONVERSATION
    assert most_in_one_second(posts) <= TEAMS_PER_TENANT
    # Each chat got its notices in the order they were queued.
    for calls in by_chat.values():
        numbers = [int(call.body["text"].split()[1]) for call in calls]
        assert numbers == sorted(numbers)
