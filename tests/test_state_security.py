"""Rows planted in `state_documents` by someone with write access to the database never run code
in the bot: the conversation starts over, the person is told, and the key is logged.

The payloads are what jsonpickle (the format before stateFormat 1) would have run or imported,
and the same ideas in the current format. Each would create the marker directory if anything
in it were called.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from app import ENGINE
from dialogs.main_dialog import STARTED_OVER_NOTICE
from persistence.state_store import StateStore, WriteRequest
from tests.harness import FM, Chat

MKDIR = {"py/reduce": [{"py/function": "os.mkdir"}, {"py/tuple": ["{marker}"]}]}
PAYLOADS = {
    # A dictionary key jsonpickle decodes as JSON (keys=True).
    "json-key": {"DialogState": {"json://" + json.dumps(MKDIR): 1}},
    # A dotted path that starts in botbuilder and walks to os.
    "botbuilder-path": {
        "x": {
            "py/reduce": [
                {"py/type": "botbuilder.core.about.os.mkdir"},
                {"py/tuple": ["{marker}"]},
            ]
        }
    },
    "reduce-function": {"DialogState": MKDIR},
    "function": {"DialogState": {"py/function": "os.mkdir"}},
    "module": {"DialogState": {"py/mod": "os"}},
    "repr": {"DialogState": {"py/repr": "os/os.mkdir('{marker}')"}},
    "type": {"DialogState": {"py/type": "os.mkdir"}},
    "object": {"DialogState": {"py/object": "subprocess.Popen", "args": ["mkdir", "{marker}"]}},
    "newobj": {
        "DialogState": {
            "py/object": "subprocess.Popen",
            "py/newargs": {"py/tuple": [["mkdir", "{marker}"]]},
        }
    },
    "initargs": {
        "DialogState": {
            "py/object": "subprocess.Popen",
            "py/initargs": {"py/tuple": [["mkdir", "{marker}"]]},
        }
    },
    # Inside what the old format held: a card on the stack, an enum written as a call.
    "reduce-in-card": {
        "DialogState": {
            "py/object": "botbuilder.dialogs.dialog_state.DialogState",
            "_dialog_stack": [{"py/object": "bot.card_activity._Unchanging", "x": MKDIR}],
        }
    },
    "enum-path": {
        "DialogState": {
            "py/reduce": [
                {"py/type": "botbuilder.schema._connector_client_enums.os.mkdir"},
                {"py/tuple": ["{marker}"]},
            ]
        }
    },
    # The current format: a Python path where a tag goes, a call where a value goes.
    "tag-path": {"stateFormat": 1, "item": {"x": {"@type": "os.mkdir", "value": "{marker}"}}},
    "reduce-in-current": {"stateFormat": 1, "item": {"DialogState": MKDIR}},
}


@pytest.mark.parametrize("payload", list(PAYLOADS))
async def test_a_planted_state_document_never_runs_and_the_conversation_starts_over(
    bot, tmp_path: Path, caplog: pytest.LogCaptureFixture, payload: str
):
    marker = tmp_path / "planted-proof"
    planted = json.loads(json.dumps(PAYLOADS[payload]).replace("{marker}", str(marker)))
    fm = Chat(bot, FM)
    await fm.open()
    key = f"msteams/conversations/{fm.conversation_id}"
    await StateStore(bot.app[ENGINE]).write({key: WriteRequest(planted)})

    with caplog.at_level(logging.WARNING, logger="bot.conversation_state"):
        (notice,) = await fm.say("yes")

    assert notice["text"] == STARTED_OVER_NOTICE
    assert not marker.exists()
    assert key in caplog.text
    assert "starting over" in caplog.text
    # The planted row was replaced: the person carries on as usual.
    (first_question,) = await fm.say("non-standard delivery")
    assert first_question["text"].startswith("**Step 1 of")
    assert not marker.exists()
