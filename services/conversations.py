"""Where each person can be reached: conversation references kept for proactive messages."""

from __future__ import annotations

from persistence.conversation_references import (
    ConversationReferenceRecord,
    ConversationReferenceStore,
)


class ConversationDirectory:
    def __init__(self, store: ConversationReferenceStore) -> None:
        self._store = store
        # What this process last wrote per (conversation, user): an unchanged reference is not
        # written again, so an ordinary message costs no database write.
        self._written: dict[tuple[str, str], tuple[str, str | None, str | None]] = {}

    async def remember(self, record: ConversationReferenceRecord) -> bool:
        """Save the reference; True when this person was never seen in this conversation."""
        key = (record.conversation_id, record.user_id)
        fingerprint = (record.service_url, record.aad_object_id, record.tenant_id)
        if self._written.get(key) == fingerprint:
            return False
        first_contact = await self._store.save(record)
        self._written[key] = fingerprint
        return first_contact

    async def personal_conversation_for(
        self, aad_object_id: str
    ) -> ConversationReferenceRecord | None:
        return await self._store.personal_conversation_for(aad_object_id)
