"""Migration 0004: what waited in `pending_messages` keeps waiting, in the outbox."""

from __future__ import annotations

import json

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, select, text

from persistence.database import MIGRATIONS_DIR, create_engine, upgrade_schema
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


async def test_a_database_holding_requests_upgrades_at_start_up(database_url):
    """SQLite rebuilds `requests` for its new unique column; the rows that refer to it (audit
    entries, posted cards) must not stop the rebuild, and must still refer to it after."""
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade, "0003")
            await connection.execute(
                text(
                    "INSERT INTO requests (id, kind, status, version, requester_aad_object_id,"
                    " requester_name, requester_email, area_code, customer, answers,"
                    " needs_director, waiting_on_aad_object_id, waiting_on_name,"
                    " waiting_on_email, outcome, submitted_at, updated_at) VALUES ('NSD-0001',"
                    " 'non_standard_delivery', 'submitted', 1, :fm, 'Alex Wilber', '',"
                    " 'americas', 'Contoso', '{}', false, :liaison, 'Adele Vance', '', '',"
                    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"fm": FM, "liaison": LIAISON},
            )
            await connection.execute(
                text(
                    "INSERT INTO audit_entries (request_id, actor_aad_object_id, actor_name,"
                    " actor_email, at, to_status, comment) VALUES ('NSD-0001', :fm,"
                    " 'Alex Wilber', '', CURRENT_TIMESTAMP, 'submitted', '')"
                ),
                {"fm": FM},
            )
            await connection.execute(
                text(
                    "INSERT INTO card_messages (request_id, recipient_aad_object_id,"
                    " conversation_id, activity_id, service_url, created_at) VALUES"
                    " ('NSD-0001', :liaison, 'a:chat', 'card-1', 'http://127.0.0.1/', "
                    " CURRENT_TIMESTAMP)"
                ),
                {"liaison": LIAISON},
            )
        await upgrade_schema(engine)
        async with engine.connect() as connection:
            trail = (await connection.execute(text("SELECT request_id FROM audit_entries"))).all()
            cards = (await connection.execute(text("SELECT request_id FROM card_messages"))).all()
            if connection.dialect.name == "sqlite":
                enforced = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
                assert enforced == 1, "foreign keys are enforced again after the upgrade"
    finally:
        await engine.dispose()
    assert [tuple(row) for row in trail] == [("NSD-0001",)]
    assert [tuple(row) for row in cards] == [("NSD-0001",)]
