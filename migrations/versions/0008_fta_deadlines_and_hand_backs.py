"""FTA requests' hand backs (who, why, to whom) and their assignment deadlines

A deadline's request is an approval request or an FTA request, so `deadlines.request_id` no
longer references `requests` alone.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fta_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hand_backs", sa.JSON(), server_default="[]", nullable=False))
        # "My approvals": the assignments waiting on an FTA.
        batch_op.create_index(
            batch_op.f("ix_fta_requests_fta_aad_object_id"), ["fta_aad_object_id"]
        )
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_deadlines_request_id_requests"), type_="foreignkey")


def downgrade() -> None:
    # FTA requests' deadlines would break the reference to `requests`: they go first.
    op.execute(sa.text("DELETE FROM deadlines WHERE request_id NOT IN (SELECT id FROM requests)"))
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.create_foreign_key(
            op.f("fk_deadlines_request_id_requests"), "requests", ["request_id"], ["id"]
        )
    with op.batch_alter_table("fta_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fta_requests_fta_aad_object_id"))
        batch_op.drop_column("hand_backs")
