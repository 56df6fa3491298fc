"""FTA requests' posted cards are recorded like approval cards, to update every copy

A posted card's request is an approval request or an FTA request, so `card_messages.request_id`
no longer references `requests` alone (as 0008 did for deadlines).

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("card_messages", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_card_messages_request_id_requests"), type_="foreignkey")


def downgrade() -> None:
    # FTA requests' cards would break the reference to `requests`: they go first.
    op.execute(
        sa.text("DELETE FROM card_messages WHERE request_id NOT IN (SELECT id FROM requests)")
    )
    with op.batch_alter_table("card_messages", schema=None) as batch_op:
        batch_op.create_foreign_key(
            op.f("fk_card_messages_request_id_requests"), "requests", ["request_id"], ["id"]
        )
