"""SIGKILL the bot right after it answered N decisions, start it again: every notice and card
update the decisions caused is delivered, once (counted at the fake Bot Connector)."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from bench.approvals import click, invoke, seed, write_roster
from config.roster import load_roster
from persistence.database import create_engine
from persistence.models import OutboxRow
from persistence.requests import RequestRepository
from tests.db_fixtures import STORED_KINDS
from tests.fakes.connector import FakeBotConnector
from tests.processes import BotProcess

DECISIONS = 30
# Fast takeover of what the killed process had claimed.
RELAY = {"OUTBOX_LEASE_SECONDS": "2", "OUTBOX_SEND_TIMEOUT_SECONDS": "0.5"}


async def liaison_cards(database_url: str, roster_path: Path, service_url: str) -> dict[str, str]:
    """Each seeded request's card as posted in its liaison's chat: {request id: activity id}."""
    engine = create_engine(database_url)
    repository = RequestRepository(engine, load_roster(roster_path), kinds=STORED_KINDS)
    cards = {}
    try:
        for n in range(DECISIONS):
            request_id = f"NSD-{n + 1:04d}"
            activity_id = f"card-{n}"
            await repository.record_card(
                request_id,
                (await repository.get(request_id)).waiting_on.aad_object_id,
                f"a:chat-29:liaison-{n}",
                activity_id,
                service_url,
                1,
            )
            cards[request_id] = activity_id
    finally:  # a failed statement must not leave a connection for a later test to trip on
        await engine.dispose()
    return cards


async def outbox(database_url: str) -> list:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(select(OutboxRow.__table__))).all())
    finally:
        await engine.dispose()


async def test_nothing_is_lost_or_repeated_when_the_bot_is_killed_after_its_decisions(
    database_url, connector: FakeBotConnector, tmp_path
):
    roster_path = tmp_path / "roster.yaml"
    write_roster(roster_path, DECISIONS)
    seeded = await seed(database_url, roster_path, connector.service_url)
    cards = await liaison_cards(database_url, roster_path, connector.service_url)
    connector.delay = 0.05  # a slow service: the relay is mid-way when the bot dies
    log = tmp_path / "bot.log"

    first = await BotProcess(database_url, roster_path, connector, log, **RELAY).start()
    try:
        url = f"{first.url}/api/messages"
        answers = await asyncio.gather(
            *(click(first.http, url, invoke(a, r, connector.service_url)) for a, r in seeded)
        )
        assert [status for _, status, _ in answers] == [200] * DECISIONS
        first.kill()
        await first.wait()
    finally:
        await first.stop()
    at_kill = await outbox(database_url)
    # Claimed at the kill, or an attempt that timed out (on a loaded machine): Teams may
    # have taken either without the bot knowing.
    in_flight = {
        row.dedupe_key
        for row in at_kill
        if row.state == "claimed" or (row.state != "sent" and row.attempts > 0)
    }
    assert len(at_kill) == 2 * DECISIONS  # a notice and a card update per decision
    assert sum(row.state == "sent" for row in at_kill) < 2 * DECISIONS, "nothing left to test"

    second = await BotProcess(database_url, roster_path, connector, log, **RELAY).start()
    try:
        async with asyncio.timeout(30):
            while any(row.state != "sent" for row in await outbox(database_url)):
                await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # room for a duplicate to show up
    finally:
        await second.stop()

    notices = Counter(
        call.body["text"].split()[0]
        for call in connector.calls
        if call.method == "POST" and "was approved by" in (call.body.get("text") or "")
    )
    updates = Counter(call.activity_id for call in connector.calls if call.method == "PUT")
    assert set(notices) == set(cards)
    assert set(updates) == set(cards.values())
    # Exactly once, except a message the killed bot was sending at that very moment or had
    # timed out on, which Teams may have taken before the bot could record it (at most
    # twice, then).
    rows = {row.dedupe_key: row for row in at_kill}
    for key, row in rows.items():
        count = notices[row.request_id] if row.kind == "text" else updates[cards[row.request_id]]
        assert count == 1 or (key in in_flight and count == 2), (key, count)
