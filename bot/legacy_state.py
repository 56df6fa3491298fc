"""Reads the conversation state documents written before `stateFormat` 1, in jsonpickle's format.

Those were written by the previous dialogs (waterfalls and prompts), which are gone: a
conversation paused in them cannot be resumed by the current ones. So an old document is
converted only when no conversation was under way, `{"DialogState": {"py/object":
"botbuilder.dialogs.dialog_state.DialogState", "_dialog_stack": []}}`, as every finished,
cancelled or never-started conversation left it; any other raises StateFormatError and the
conversation starts over. Nothing in the document is imported or called: it is only compared.
This module can go once no such document is left.
"""

from __future__ import annotations

from typing import Any

from bot import state_codec

_IDLE = {"py/object": "botbuilder.dialogs.dialog_state.DialogState", "_dialog_stack": []}


def upgrade(document: dict[str, Any]) -> dict[str, Any]:
    """The old document in the current format (its eTag was already left out when written)."""
    if document == {} or document == {"DialogState": _IDLE}:
        item = {name: {state_codec.TAG: "dialog_state", "stack": []} for name in document}
        return {state_codec.FORMAT_KEY: state_codec.FORMAT, "item": item}
    raise state_codec.StateFormatError(
        "an old-format document with a conversation under way (or anything else), which the "
        "current dialogs cannot resume"
    )
