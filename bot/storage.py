"""Bot Framework `Storage` kept in our database, with real eTag concurrency.

Items are stored as plain JSON documents by bot/state_codec.py: reading one builds only the
types of its closed table, so write access to the database is not code execution in the bot.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from botbuilder.core import Storage

from bot import legacy_state
from bot.state_codec import E_TAG, FORMAT_KEY, StateFormatError, decode_document, encode_document
from persistence.state_store import (
    EtagConflictError,
    StateStore,
    StoredDocument,
    WriteRequest,
)


class StateConflictError(KeyError):
    """Another turn saved this state since it was read.

    A KeyError, like botbuilder's MemoryStorage raises on an eTag conflict.
    """

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key

    def __str__(self) -> str:
        return f"eTag conflict on state key {self.key!r}: it was saved by someone else first"


def decode_stored_document(document: Any) -> Any:
    """The item a stored document holds, in the current format or the one before it.

    Raises StateFormatError when it holds anything bot state does not.
    """
    if type(document) is dict and FORMAT_KEY not in document:
        document = legacy_state.upgrade(document)
    return decode_document(document)


class DatabaseStorage(Storage):
    def __init__(self, store: StateStore):
        self._store = store

    async def read(self, keys: Iterable[str]) -> dict[str, Any]:
        """Stored items for `keys`, each carrying its current `e_tag`; missing keys are absent.

        Raises StateFormatError, naming the key, for a document bot state never wrote.
        """
        items = {}
        for key, stored in (await self._store.read(keys)).items():
            try:
                item = decode_stored_document(stored.document)
            except StateFormatError as error:
                raise StateFormatError(f"state {key!r}: {error}") from None
            _set_e_tag(item, stored.etag)
            items[key] = item
        return items

    async def write(self, changes: dict[str, Any]) -> None:
        """Save dicts or StoreItems; an item's `e_tag` must match the stored one ("*": any).

        Raises StateConflictError, writing nothing, when any item is stale.
        """
        if not changes:
            return
        new_etags = await self._write(
            {
                key: WriteRequest(encode_document(item), expected_etag=_e_tag_of(item))
                for key, item in changes.items()
            }
        )
        # BotState keeps using the same state object for the rest of the turn; without the new
        # eTag a second save in that turn would conflict with our own first save.
        for key, item in changes.items():
            _set_e_tag(item, new_etags[key])

    async def delete(self, keys: Iterable[str]) -> None:
        await self._store.delete(keys)

    # For a BotState that encodes once per turn (bot/conversation_state.py).

    async def read_document(self, key: str) -> StoredDocument | None:
        return (await self._store.read([key])).get(key)

    async def write_document(self, key: str, document: dict[str, Any], e_tag: str | None) -> str:
        """Save an encoded document; returns its new eTag. Raises StateConflictError."""
        return (await self._write({key: WriteRequest(document, expected_etag=e_tag)}))[key]

    async def _write(self, requests: dict[str, WriteRequest]) -> dict[str, str]:
        try:
            return await self._store.write(requests)
        except EtagConflictError as conflict:
            raise StateConflictError(conflict.key) from conflict


def _e_tag_of(item: Any) -> str | None:
    if isinstance(item, dict):
        return item.get(E_TAG)
    return getattr(item, E_TAG, None)


def _set_e_tag(item: Any, e_tag: str) -> None:
    if isinstance(item, dict):
        item[E_TAG] = e_tag
    else:
        setattr(item, E_TAG, e_tag)
