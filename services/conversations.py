"""Where each person can be reached: conversation references kept for proactive messages."""

from __future__ import annotations

from enum import Enum

from persistence.conversation_references import (
    PERSONAL,
    ConversationReferenceRecord,
    ConversationReferenceStore,
)


def _fingerprint(record: ConversationReferenceRecord) -> tuple[str, str | None, str | None]:
    return (record.service_url, record.aad_object_id, record.tenant_id)


class Contact(Enum):
    FIRST = "never seen in this conversation"
    RETURNING = "known, but not yet seen by this process (or since a message to them failed)"
    KNOWN = "seen by this process"


class ConversationDirectory:
    def __init__(self, store: ConversationReferenceStore) -> None:
        self._store = store
        # What this process knows is stored per (conversation, user): an unchanged reference is
        # not written again, so an ordinary message costs no database write.
        self._known: dict[tuple[str, str], tuple[str, str | None, str | None]] = {}
        # Personal chats found so far, by AAD object id. Never "not found": another instance
        # may meet the person first.
        self._personal: dict[str, ConversationReferenceRecord] = {}

    async def remember(self, record: ConversationReferenceRecord) -> Contact:
        """Save the reference if it is new or changed, and say how well we know this person."""
        key = (record.conversation_id, record.user_id)
        fingerprint = _fingerprint(record)
        if self._known.get(key) == fingerprint:
            return Contact.KNOWN
        stored = await self._store.get(*key)
        first_contact = False
        if stored is None or _fingerprint(stored) != fingerprint or stored.unreachable_reason:
            first_contact = await self._store.save(record)
        self._known[key] = fingerprint
        if record.conversation_type == PERSONAL and record.aad_object_id:
            self._personal[record.aad_object_id] = record
        return Contact.FIRST if first_contact else Contact.RETURNING

    def forget(self, aad_object_id: str) -> None:
        """A message to this person failed: look their chat up afresh, and treat their next
        turn as a return (what waits for them is then delivered)."""
        self._personal.pop(aad_object_id, None)
        for key, (_, known_aad, _) in list(self._known.items()):
            if known_aad == aad_object_id:
                del self._known[key]

    async def personal_conversation_for(
        self, aad_object_id: str
    ) -> ConversationReferenceRecord | None:
        if aad_object_id in self._personal:
            return self._personal[aad_object_id]
        record = await self._store.personal_conversation_for(aad_object_id)
        if record is not None:
            self._personal[aad_object_id] = record
        return record
