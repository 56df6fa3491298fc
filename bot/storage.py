"""Bot Framework `Storage` kept in our database, with real eTag concurrency.

ConversationState holds objects such as `DialogState`, which plain JSON cannot represent, so
items are stored in jsonpickle's JSON-able form (`keys=True` keeps non-string dict keys).
jsonpickle imports and builds whatever type a document names, and calls what it names in a
`py/reduce`: a document naming anything but the types bot state holds is refused on reading,
so that write access to the database is not code execution in the bot.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from botbuilder.core import Storage
from jsonpickle.pickler import Pickler
from jsonpickle.unpickler import Unpickler

from persistence.state_store import EtagConflictError, StateStore, WriteRequest

E_TAG = "e_tag"

# What dialog state holds: botbuilder's dialog, prompt and activity models, our card dicts.
_ALLOWED_TYPE_PREFIXES = ("botbuilder.",)
_ALLOWED_TYPES = frozenset(
    {
        "bot.card_activity._Unchanging",
        "datetime.date",
        "datetime.datetime",
        "datetime.timedelta",
        "datetime.timezone",
    }
)
_TYPE_TAGS = ("py/object", "py/type")
# Functions, modules and eval'd code: never part of bot state.
_REFUSED_TAGS = ("py/function", "py/mod", "py/repr")


class UnsafeStateError(ValueError):
    """A stored state document names something bot state never holds."""


class StateConflictError(KeyError):
    """Another turn saved this state since it was read.

    A KeyError, like botbuilder's MemoryStorage raises on an eTag conflict.
    """

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key

    def __str__(self) -> str:
        return f"eTag conflict on state key {self.key!r}: it was saved by someone else first"


class DatabaseStorage(Storage):
    def __init__(self, store: StateStore):
        self._store = store

    async def read(self, keys: Iterable[str]) -> dict[str, Any]:
        """Stored items for `keys`, each carrying its current `e_tag`; missing keys are absent."""
        items = {}
        for key, stored in (await self._store.read(keys)).items():
            _refuse_unknown_types(stored.document, key)
            item = Unpickler(keys=True, safe=True).restore(stored.document)
            _set_e_tag(item, stored.etag)
            items[key] = item
        return items

    async def write(self, changes: dict[str, Any]) -> None:
        """Save dicts or StoreItems; an item's `e_tag` must match the stored one ("*": any).

        Raises StateConflictError, writing nothing, when any item is stale.
        """
        if not changes:
            return
        requests = {
            key: WriteRequest(document=_to_document(item), expected_etag=_e_tag_of(item))
            for key, item in changes.items()
        }
        try:
            new_etags = await self._store.write(requests)
        except EtagConflictError as conflict:
            raise StateConflictError(conflict.key) from conflict
        # BotState keeps using the same state object for the rest of the turn; without the new
        # eTag a second save in that turn would conflict with our own first save.
        for key, item in changes.items():
            _set_e_tag(item, new_etags[key])

    async def delete(self, keys: Iterable[str]) -> None:
        await self._store.delete(keys)


def _to_document(item: Any) -> dict[str, Any]:
    document = Pickler(unpicklable=True, keys=True).flatten(item)
    # The eTag lives in its own column. jsonpickle keeps a dict's keys and an object's
    # attributes at the top level, so this strips it from both.
    document.pop(E_TAG, None)
    return document


def _refuse_unknown_types(node: Any, key: str) -> None:
    if isinstance(node, dict):
        for tag, value in node.items():
            named = tag in _TYPE_TAGS and not (
                isinstance(value, str)
                and (value in _ALLOWED_TYPES or value.startswith(_ALLOWED_TYPE_PREFIXES))
            )
            if named or tag in _REFUSED_TAGS:
                raise UnsafeStateError(
                    f"The stored state {key!r} holds {tag} {str(value)[:80]!r}, which bot "
                    "state never holds; it is not loaded. Delete the row if it is corrupt."
                )
            _refuse_unknown_types(value, key)
    elif isinstance(node, list):
        for value in node:
            _refuse_unknown_types(value, key)


def _e_tag_of(item: Any) -> str | None:
    if isinstance(item, dict):
        return item.get(E_TAG)
    return getattr(item, E_TAG, None)


def _set_e_tag(item: Any, e_tag: str) -> None:
    if isinstance(item, dict):
        item[E_TAG] = e_tag
    else:
        setattr(item, E_TAG, e_tag)
