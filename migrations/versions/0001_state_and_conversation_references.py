"""Bot state documents and conversation references.

Revision ID: 0001
Revises:
Create Date: 2025-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "state_documents",
        sa.Column("key", sa.String(1024), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("etag", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_state_documents"),
    )
    op.create_table(
        "conversation_references",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(512), nullable=False),
        sa.Column("user_id", sa.String(512), nullable=False),
        sa.Column("aad_object_id", sa.String(64), nullable=True),
        sa.Column("tenant_id", sa.String(64), nullable=True),
        sa.Column("service_url", sa.Text(), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("conversation_type", sa.String(32), nullable=True),
        sa.Column("bot_id", sa.String(512), nullable=False),
        sa.Column("reference", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_conversation_references"),
        sa.UniqueConstraint(
            "conversation_id",
            "user_id",
            name="uq_conversation_references_conversation_id_user_id",
        ),
    )
    op.create_index(
        "ix_conversation_references_aad_object_id", "conversation_references", ["aad_object_id"]
    )
    op.create_index("ix_conversation_references_user_id", "conversation_references", ["user_id"])


def downgrade() -> None:
    op.drop_table("conversation_references")
    op.drop_table("state_documents")
