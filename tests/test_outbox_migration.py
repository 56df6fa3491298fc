"""Migration 0004: what waited in `pending_messages` keeps waiting, in the outbox."""

from __future__ import annotations

import json

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, select, text

from persistence.database import MIGRATIONS_DIR, create_engine
from persistence.models import OutboxRow

LIAISON = "22222222-2222-4222-8222-222222222222"
FM = "11111111-1111-4111-8111-111111111111"


def _upgrade(connection: Connection, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def test_pending_messages_become_waiting_outbox_rows(database_url):
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade, "0003")
            for recipient, payload in (
                (LIAISON, {"kind": "card", "request_id": "NSD-0001"}),
                (FM, {"kind": "text", "request_id": "NSD-0001", "text": "NSD-0001 was approved"}),
            ):
                await connection.execute(
                    text(
                        "INSERT INTO pending_messages"
                        " (recipient_aad_object_id, payload, created_at)"
                        " VALUES (:recipient, :payload, CURRENT_TIMESTAMP)"
                    ),
                    {"recipient": recipient, "payload": json.dumps(payload)},
                )
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade, "head")
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(
                        OutboxRow.kind,
                        OutboxRow.recipient_aad_object_id,
                        OutboxRow.request_id,
                        OutboxRow.payload,
                        OutboxRow.state,
                    ).order_by(OutboxRow.id)
                )
            ).all()
    finally:
        await engine.dispose()

    assert [tuple(row) for row in rows] == [
        ("card", LIAISON, "NSD-0001", {}, "waiting"),
        ("text", FM, "NSD-0001", {"text": "NSD-0001 was approved"}, "waiting"),
    ]
