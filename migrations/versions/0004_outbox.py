"""The outbox: every message sent after a commit, replacing pending_messages; idempotent submit

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DUE = sa.text("state IN ('pending', 'claimed')")
_CLAIMED = sa.text("state = 'claimed'")
_WAITING = sa.text("state = 'waiting'")


def upgrade() -> None:
    outbox = op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("recipient_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("recipient_name", sa.String(length=256), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=True),
        sa.Column("card_message_id", sa.Integer(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=256), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claim_token", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
    )
    op.create_index(
        "ix_outbox_next_attempt_at",
        "outbox",
        ["next_attempt_at"],
        sqlite_where=_DUE,
        postgresql_where=_DUE,
    )
    op.create_index(
        "ix_outbox_open_by_recipient",
        "outbox",
        ["recipient_aad_object_id", "id"],
        sqlite_where=_DUE,
        postgresql_where=_DUE,
    )
    op.create_index("ix_outbox_attempted_at", "outbox", ["attempted_at"])
    op.create_index(
        "ix_outbox_under_way",
        "outbox",
        ["recipient_aad_object_id", "attempted_at"],
        sqlite_where=_CLAIMED,
        postgresql_where=_CLAIMED,
    )
    op.create_index(
        "ix_outbox_waiting",
        "outbox",
        ["recipient_aad_object_id"],
        sqlite_where=_WAITING,
        postgresql_where=_WAITING,
    )
    op.create_index(op.f("ix_outbox_request_id"), "outbox", ["request_id"])

    # What waited for people the bot could not reach yet keeps waiting, now in the outbox.
    pending_messages = sa.table(
        "pending_messages",
        sa.column("id", sa.Integer()),
        sa.column("recipient_aad_object_id", sa.String()),
        sa.column("payload", sa.JSON()),
    )
    pending = op.get_bind().execute(sa.select(pending_messages).order_by(pending_messages.c.id))
    now = datetime.now(UTC)
    rows = []
    for row in pending.all():
        payload = row.payload
        kind = "card" if payload.get("kind") == "card" else "text"
        rows.append(
            {
                "kind": kind,
                "recipient_aad_object_id": row.recipient_aad_object_id,
                "recipient_name": "",
                "request_id": payload.get("request_id"),
                "card_message_id": None,
                "dedupe_key": f"pending_messages:{row.id}",
                "payload": {"text": payload["text"]} if kind == "text" else {},
                "state": "waiting",
                "attempts": 0,
                "created_at": now,
            }
        )
    if rows:
        op.bulk_insert(outbox, rows)
    op.drop_index("ix_pending_messages_recipient_aad_object_id", table_name="pending_messages")
    op.drop_table("pending_messages")

    with op.batch_alter_table("requests") as batch_op:
        batch_op.add_column(sa.Column("submission_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(op.f("uq_requests_submission_key"), ["submission_key"])
    with op.batch_alter_table("card_messages") as batch_op:
        batch_op.add_column(
            sa.Column("shown_version", sa.Integer(), nullable=False, server_default="0")
        )
        for column, kind in (
            ("conversation_id", sa.String(length=512)),
            ("activity_id", sa.String(length=512)),
            ("service_url", sa.Text()),
        ):
            batch_op.alter_column(column, existing_type=kind, nullable=True)
    with op.batch_alter_table("conversation_references") as batch_op:
        batch_op.add_column(sa.Column("unreachable_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversation_references") as batch_op:
        batch_op.drop_column("unreachable_reason")
    op.execute("DELETE FROM card_messages WHERE activity_id IS NULL")
    with op.batch_alter_table("card_messages") as batch_op:
        batch_op.drop_column("shown_version")
        for column, kind in (
            ("conversation_id", sa.String(length=512)),
            ("activity_id", sa.String(length=512)),
            ("service_url", sa.Text()),
        ):
            batch_op.alter_column(column, existing_type=kind, nullable=False)
    with op.batch_alter_table("requests") as batch_op:
        batch_op.drop_constraint(op.f("uq_requests_submission_key"), type_="unique")
        batch_op.drop_column("submission_key")
    op.create_table(
        "pending_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_aad_object_id", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pending_messages"),
    )
    op.create_index(
        "ix_pending_messages_recipient_aad_object_id",
        "pending_messages",
        ["recipient_aad_object_id"],
    )
    op.drop_table("outbox")
