"""FTA requests and the FTAs' loads for the workload balancer

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fta_requests",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_type", sa.String(length=32), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requester_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("requester_name", sa.String(length=256), nullable=False),
        sa.Column("area_code", sa.String(length=64), nullable=False),
        sa.Column("customer", sa.Text(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("fta_aad_object_id", sa.String(length=64), nullable=True),
        sa.Column("fta_name", sa.String(length=256), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("passed_over", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fta_requests")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_fta_requests_submission_key")),
    )
    op.create_index(
        op.f("ix_fta_requests_requester_aad_object_id"),
        "fta_requests",
        ["requester_aad_object_id"],
    )
    op.create_table(
        "fta_loads",
        sa.Column("fta_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("open_assignments", sa.Integer(), nullable=False),
        sa.Column("last_assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("fta_aad_object_id", name=op.f("pk_fta_loads")),
    )


def downgrade() -> None:
    op.drop_table("fta_loads")
    op.drop_index(op.f("ix_fta_requests_requester_aad_object_id"), table_name="fta_requests")
    op.drop_table("fta_requests")
