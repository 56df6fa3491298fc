"""ConversationState on DatabaseStorage: one encoding per turn, and a conversation that cannot be
read starts over instead of failing the turn.

botbuilder's BotState detects a change by serialising the whole state with jsonpickle when it
is loaded and again when it is saved, then the storage serialises it a third time to write it.
Here the state is encoded once, when saved, and compared with the document it was read from.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from botbuilder.core import ConversationState, TurnContext

from bot.state_codec import E_TAG, StateFormatError, encode_document
from bot.storage import DatabaseStorage, decode_stored_document

log = logging.getLogger(__name__)

# Set in turn_state when this turn found the conversation's state unreadable and started over.
STARTED_OVER = "fasttrack.state_started_over"

_NOTHING_STORED = encode_document({})


class _CachedState:
    """The turn's state and the document it was read from (what a save compares with)."""

    def __init__(self, state: dict[str, Any], document: dict[str, Any] | None) -> None:
        self.state = state
        self.document = document


class DatabaseConversationState(ConversationState):
    """`property_types`: what each property must be when read (e.g. "DialogState": DialogState);
    a document holding something else there is unreadable too."""

    def __init__(self, storage: DatabaseStorage, property_types: Mapping[str, type]) -> None:
        super().__init__(storage)
        self._database = storage
        self._property_types = property_types

    async def load(self, turn_context: TurnContext, force: bool = False) -> None:
        cached = self.get_cached_state(turn_context)
        if cached is not None and cached.state and not force:
            return
        key = self.get_storage_key(turn_context)
        stored = await self._database.read_document(key)
        document: dict[str, Any] | None = stored.document if stored else _NOTHING_STORED
        try:
            state = self._decode(document)
        except StateFormatError as error:
            # Someone wrote it who is not this bot, or a version of it that did not know the
            # types it holds now: nothing in it is used, and the person is told.
            log.warning("Conversation state %r cannot be read, starting over: %s", key, error)
            turn_context.turn_state[STARTED_OVER] = True
            state, document = {}, None
        if stored:
            state[E_TAG] = stored.etag
        turn_context.turn_state[self._context_service_key] = _CachedState(state, document)

    def _decode(self, document: Any) -> dict[str, Any]:
        state = decode_stored_document(document)
        if type(state) is not dict:
            raise StateFormatError("conversation state is not a dict")
        for name, kind in self._property_types.items():
            if name in state and type(state[name]) is not kind:
                raise StateFormatError(f"conversation state's {name} is not a {kind.__name__}")
        return state

    async def save_changes(self, turn_context: TurnContext, force: bool = False) -> None:
        cached = self.get_cached_state(turn_context)
        if cached is None:
            return
        document = encode_document(cached.state)
        if force or document != cached.document:
            key = self.get_storage_key(turn_context)
            e_tag = cached.state.get(E_TAG)
            cached.state[E_TAG] = await self._database.write_document(key, document, e_tag)
            cached.document = document

    async def clear_state(self, turn_context: TurnContext) -> None:
        turn_context.turn_state[self._context_service_key] = _CachedState({}, None)
