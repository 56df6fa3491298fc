"""Where the bot can reach a person proactively (one record per conversation and user)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Select, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.database import Statements, dialect_insert
from persistence.models import ConversationReferenceRow

PERSONAL = "personal"


@dataclass(frozen=True, kw_only=True)
class ConversationReferenceRecord:
    conversation_id: str
    # Bot Framework user id, e.g. "29:1abc...".
    user_id: str
    aad_object_id: str | None
    tenant_id: str | None
    service_url: str
    channel_id: str
    # "personal", "channel" or "groupChat".
    conversation_type: str | None
    bot_id: str
    # The serialized ConversationReference, ready for continue_conversation.
    reference: dict[str, Any]
    # Set by the store when the record is saved.
    updated_at: datetime | None = None
    # Why Teams refused the last message here; saving the record again (the person wrote to
    # the bot) clears it.
    unreachable_reason: str | None = None


# The record mirrors the row, field for field (without the surrogate id).
_RECORD_COLUMNS = [
    ConversationReferenceRow.__table__.c[field.name]
    for field in fields(ConversationReferenceRecord)
]

# Built once, so that SQLAlchemy neither rebuilds nor re-keys it on every turn.
_GET = select(*_RECORD_COLUMNS).where(
    ConversationReferenceRow.conversation_id == bindparam("conversation_id"),
    ConversationReferenceRow.user_id == bindparam("user_id"),
)


class ConversationReferenceStore:
    def __init__(self, engine: AsyncEngine, statements: Statements | None = None):
        self._engine = engine
        self._statements = statements or Statements(engine)

    async def save(self, record: ConversationReferenceRecord) -> bool:
        """Store the record, replacing the one for the same conversation and user.

        Returns True when this person was not yet known in this conversation (first contact).
        """
        values = {**asdict(record), "updated_at": datetime.now(UTC)}
        # INSERT ... ON CONFLICT DO NOTHING decides atomically which of two concurrent first
        # saves is the first contact; the other one then updates.
        insert = (
            dialect_insert(self._engine.dialect.name, ConversationReferenceRow)
            .values(values)
            .on_conflict_do_nothing(index_elements=["conversation_id", "user_id"])
        )
        replace = (
            update(ConversationReferenceRow)
            .where(
                ConversationReferenceRow.conversation_id == record.conversation_id,
                ConversationReferenceRow.user_id == record.user_id,
            )
            .values(values)
        )

        def save(connection: Connection) -> bool:
            if connection.execute(insert).rowcount == 1:
                return True
            connection.execute(replace)
            return False

        return await self._statements.transaction(save)

    async def get(self, conversation_id: str, user_id: str) -> ConversationReferenceRecord | None:
        records = await self._fetch(_GET, {"conversation_id": conversation_id, "user_id": user_id})
        return records[0] if records else None

    async def personal_conversation_for(
        self, aad_object_id: str
    ) -> ConversationReferenceRecord | None:
        """The most recently saved 1:1 conversation with this Entra ID (AAD) user."""
        query = _newest_first(
            select(*_RECORD_COLUMNS).where(
                ConversationReferenceRow.aad_object_id == aad_object_id,
                ConversationReferenceRow.conversation_type == PERSONAL,
            )
        ).limit(1)
        records = await self._fetch(query)
        return records[0] if records else None

    async def for_user_id(self, user_id: str) -> list[ConversationReferenceRecord]:
        """Every conversation with this Bot Framework user id, most recently saved first."""
        return await self._fetch(
            _newest_first(
                select(*_RECORD_COLUMNS).where(ConversationReferenceRow.user_id == user_id)
            )
        )

    async def _fetch(
        self, query: Select, parameters: dict | None = None
    ) -> list[ConversationReferenceRecord]:
        rows = await self._statements.read(query, parameters)
        return [ConversationReferenceRecord(**row._mapping) for row in rows]


def _newest_first(query: Select) -> Select:
    # id keeps the order deterministic when two saves share a timestamp.
    return query.order_by(
        ConversationReferenceRow.updated_at.desc(), ConversationReferenceRow.id.desc()
    )
