"""Bot state as plain JSON: the objects dialog state holds, under type tags of our own.

A stored document is `{"stateFormat": 1, "item": ...}`. Plain JSON values (str, int, float,
bool, None, lists, dicts with str keys) are stored as they are. The objects bot state holds
(botbuilder's dialog stack and the dialogs on it; a StoreItem, which botbuilder's Storage may be
given) are dicts with an `"@type"` from `_DECODERS`, a closed table of names of our own, never a
Python path: renaming or moving a class does not break a paused conversation, and reading a
document only ever builds these types from plain values. Anything else is refused with
StateFormatError when read and UnsupportedStateError when written. A plain dict that has an
`"@type"` key of its own is stored as `{"@type": "dict", "value": {...}}`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botbuilder.core import StoreItem
from botbuilder.dialogs import DialogInstance, DialogState

FORMAT_KEY = "stateFormat"
FORMAT = 1
TAG = "@type"
E_TAG = "e_tag"

_PLAIN = (str, int, float, bool, type(None))


class StateFormatError(ValueError):
    """A stored document is not one this bot reads (unknown type, version or shape)."""


class UnsupportedStateError(TypeError):
    """Bot state holds a value the codec has no tag for: a programming error, found by tests."""


def encode_document(item: dict[str, Any] | StoreItem) -> dict[str, Any]:
    """The JSON document for a state item (a dict, or a StoreItem); its eTag is left out."""
    if type(item) is dict:
        encoded: Any = _encode_dict({k: v for k, v in item.items() if k != E_TAG})
    else:
        encoded = _encode(item)
    return {FORMAT_KEY: FORMAT, "item": encoded}


def decode_document(document: Any) -> Any:
    """The state item a document holds. Raises StateFormatError for anything else."""
    if type(document) is not dict or set(document) != {FORMAT_KEY, "item"}:
        raise StateFormatError("not a versioned state document")
    if document[FORMAT_KEY] != FORMAT:
        raise StateFormatError(f"state format {str(document[FORMAT_KEY])[:20]!r} is not known")
    try:
        return _decode(document["item"])
    except (TypeError, ValueError, RecursionError) as error:
        if isinstance(error, StateFormatError):
            raise
        raise StateFormatError(f"malformed state document ({type(error).__name__})") from None


# --- writing -------------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return _encode_dict(value)
    if kind is list:
        return [_encode(item) for item in value]
    encoder = _ENCODERS.get(kind)
    if encoder is None:
        raise UnsupportedStateError(
            f"bot state holds a {kind.__module__}.{kind.__qualname__}, which bot/state_codec.py "
            "has no type tag for"
        )
    return encoder(value)


def _encode_dict(value: dict) -> dict[str, Any]:
    encoded = {}
    for key, item in value.items():
        if type(key) is not str:
            raise UnsupportedStateError(f"bot state holds a dict key {key!r}; keys are strings")
        encoded[key] = _encode(item)
    return {TAG: "dict", "value": encoded} if TAG in encoded else encoded


def _encode_dialog_instance(value: DialogInstance) -> dict[str, Any]:
    return {TAG: "dialog_instance", "id": value.id, "state": _encode(value.state)}


def _encode_store_item(value: StoreItem) -> dict[str, Any]:
    attributes = {k: v for k, v in vars(value).items() if k != E_TAG}
    return {TAG: "store_item", "value": _encode_dict(attributes)}


# --- reading -------------------------------------------------------------------------------------


def _decode(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        if TAG not in value:
            return {key: _decode(item) for key, item in value.items()}
        tag = value[TAG]
        decoder = _DECODERS.get(tag) if type(tag) is str else None
        if decoder is None:
            raise StateFormatError(f"unknown type tag {str(tag)[:80]!r}")
        return decoder(value)
    if kind is list:
        return [_decode(item) for item in value]
    return value


def _fields_of(tag: str, value: dict, fields: tuple[str, ...]) -> dict[str, Any]:
    unknown = value.keys() - fields - {TAG}
    if unknown:
        raise StateFormatError(f"a {tag} has no field {sorted(unknown)[0][:80]!r}")
    return {name: _decode(item) for name, item in value.items() if name != TAG}


def _decode_dialog_state(value: dict) -> DialogState:
    stack = _fields_of("dialog_state", value, ("stack",)).get("stack", [])
    if type(stack) is not list or not all(type(i) is DialogInstance for i in stack):
        raise StateFormatError("a dialog_state's stack holds something else than dialogs")
    return DialogState(stack)


def _decode_dialog_instance(value: dict) -> DialogInstance:
    fields = _fields_of("dialog_instance", value, ("id", "state"))
    if type(fields.get("id")) is not str or type(fields.get("state", {})) is not dict:
        raise StateFormatError("a dialog_instance needs a string id and a dict state")
    return DialogInstance(**fields)


def _decode_single(tag: str, build: Callable[[dict], Any]) -> Callable[[dict], Any]:
    def decode(value: dict) -> Any:
        if value.keys() != {TAG, "value"} or type(value["value"]) is not dict:
            raise StateFormatError(f"a {tag} holds a single dict value")
        return build(value["value"])

    return decode


def _store_item(attributes: dict) -> StoreItem:
    if not all(name.isidentifier() and not name.startswith("_") for name in attributes):
        raise StateFormatError("a store_item's attribute is not a public name")
    return StoreItem(**{name: _decode(item) for name, item in attributes.items()})


# Our tag for each type; the tags are stored in documents, so they never change.
_ENCODERS: dict[type, Callable[[Any], dict[str, Any]]] = {
    DialogState: lambda value: {TAG: "dialog_state", "stack": _encode(value.dialog_stack)},
    DialogInstance: _encode_dialog_instance,
    StoreItem: _encode_store_item,
}

_DECODERS: dict[str, Callable[[dict], Any]] = {
    "dict": _decode_single("dict", lambda value: {k: _decode(v) for k, v in value.items()}),
    "dialog_state": _decode_dialog_state,
    "dialog_instance": _decode_dialog_instance,
    "store_item": _decode_single("store_item", _store_item),
}
