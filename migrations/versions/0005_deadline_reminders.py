"""Deadlines with a kind, a state and an escalation step, for the reminders

The dated deadlines of 0003 (COVID rollout targets, ACM partner follow-ups) carry over: those
of requests still open or approved stay open, reminded at 09:00 UTC on their date.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROLLOUT_PREFIX = "Rollout target: "
_LIVE_STATUSES = ("submitted", "more_info_requested", "director_review", "approved")


def upgrade() -> None:
    connection = op.get_bind()
    old = connection.execute(
        sa.text(
            "SELECT d.id, d.request_id, d.what, d.due_on, d.remind_aad_object_id, d.remind_name,"
            " d.remind_email, d.created_at, r.area_code, r.status"
            " FROM deadlines d JOIN requests r ON r.id = d.request_id"
        )
    ).all()
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadlines_request_id"))
        batch_op.drop_index(batch_op.f("ix_deadlines_due_on"))
    op.drop_table("deadlines")

    deadlines = op.create_table(
        "deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("area_code", sa.String(length=64), nullable=False),
        sa.Column("owner_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("owner_name", sa.String(length=256), nullable=False),
        sa.Column("owner_email", sa.String(length=320), nullable=False),
        sa.Column("target_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("target_name", sa.String(length=256), nullable=False),
        sa.Column("target_email", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("claim_token", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_deadlines_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadlines")),
        sa.UniqueConstraint("key", name=op.f("uq_deadlines_key")),
    )
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadlines_request_id"), ["request_id"], unique=False)
        batch_op.create_index(
            "ix_deadlines_due",
            ["remind_at"],
            unique=False,
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )

    now = datetime.now(UTC)
    rows = []
    for row in old:
        due_on = row.due_on if not isinstance(row.due_on, str) else _date(row.due_on)
        rollout = row.what.startswith(_ROLLOUT_PREFIX)
        kind = "rollout_target" if rollout else "partner_contact"
        due_at = datetime.combine(due_on, time(9), tzinfo=UTC)
        live = row.status in _LIVE_STATUSES
        rows.append(
            {
                "key": f"{row.request_id}/{kind}/0003-{row.id}",
                "request_id": row.request_id,
                "kind": kind,
                "area_code": row.area_code,
                "owner_aad_object_id": row.remind_aad_object_id,
                "owner_name": row.remind_name,
                "owner_email": row.remind_email,
                "target_aad_object_id": row.remind_aad_object_id,
                "target_name": row.remind_name,
                "target_email": row.remind_email,
                "subject": row.what.removeprefix(_ROLLOUT_PREFIX) if rollout else "",
                "due_at": due_at,
                "remind_at": due_at if live else None,
                "step": 0,
                "state": "open" if live else "closed",
                "claim_token": None,
                "created_at": now,
                "updated_at": now,
            }
        )
    if rows:
        op.bulk_insert(deadlines, rows)


def downgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_deadlines_due")
        batch_op.drop_index(batch_op.f("ix_deadlines_request_id"))
    op.drop_table("deadlines")
    op.create_table(
        "deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("remind_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("remind_name", sa.String(length=256), nullable=False),
        sa.Column("remind_email", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_deadlines_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadlines")),
    )
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadlines_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_deadlines_request_id"), ["request_id"], unique=False)


def _date(text: str) -> date:
    # SQLite hands dates back as text.
    return datetime.strptime(text[:10], "%Y-%m-%d").date()
