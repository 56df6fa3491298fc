"""Requests, their id counters, audit trail, posted approval cards and pending notifications.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "requests",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("requester_aad_object_id", sa.String(64), nullable=False),
        sa.Column("requester_name", sa.String(256), nullable=False),
        sa.Column("requester_email", sa.String(320), nullable=False),
        sa.Column("area_code", sa.String(64), nullable=False),
        sa.Column("customer", sa.Text(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("needs_director", sa.Boolean(), nullable=False),
        sa.Column("waiting_on_aad_object_id", sa.String(64), nullable=True),
        sa.Column("waiting_on_name", sa.String(256), nullable=True),
        sa.Column("waiting_on_email", sa.String(320), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_requests"),
    )
    op.create_index("ix_requests_requester_aad_object_id", "requests", ["requester_aad_object_id"])
    op.create_index(
        "ix_requests_waiting_on_aad_object_id_status",
        "requests",
        ["waiting_on_aad_object_id", "status"],
    )

    op.create_table(
        "request_counters",
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name="pk_request_counters"),
    )

    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(32), nullable=False),
        sa.Column("actor_aad_object_id", sa.String(64), nullable=False),
        sa.Column("actor_name", sa.String(256), nullable=False),
        sa.Column("actor_email", sa.String(320), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("move", sa.String(32), nullable=True),
        sa.Column("from_status", sa.String(32), nullable=True),
        sa.Column("to_status", sa.String(32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_entries"),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name="fk_audit_entries_request_id_requests"
        ),
    )
    op.create_index("ix_audit_entries_request_id", "audit_entries", ["request_id"])

    op.create_table(
        "card_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(32), nullable=False),
        sa.Column("recipient_aad_object_id", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.String(512), nullable=False),
        sa.Column("activity_id", sa.String(512), nullable=False),
        sa.Column("service_url", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_card_messages"),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name="fk_card_messages_request_id_requests"
        ),
        sa.UniqueConstraint(
            "request_id",
            "recipient_aad_object_id",
            "activity_id",
            name="uq_card_messages_request_id_recipient_aad_object_id_activity_id",
        ),
    )

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


def downgrade() -> None:
    op.drop_table("pending_messages")
    op.drop_table("card_messages")
    op.drop_table("audit_entries")
    op.drop_table("request_counters")
    op.drop_table("requests")
