"""The storage contract, run against SQLite and PostgreSQL.

Mostly through botbuilder's `Storage` interface (what BotState uses), plus the eTag semantics
of the underlying StateStore.
"""

import asyncio
from datetime import UTC, datetime

import pytest
from botbuilder.core import StoreItem, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import (
    Dialog,
    DialogInstance,
    DialogSet,
    DialogState,
    DialogTurnStatus,
    WaterfallDialog,
    WaterfallStepContext,
)

from bot.conversation_state import DatabaseConversationState
from bot.state_codec import StateFormatError, UnsupportedStateError
from bot.storage import DatabaseStorage, StateConflictError
from persistence.database import create_engine
from persistence.state_store import EtagConflictError, StateStore, WriteRequest

KEY = "msteams/conversations/a:1"
OTHER_KEY = "msteams/users/29:1"


@pytest.fixture
def storage(engine):
    return DatabaseStorage(StateStore(engine))


async def current_e_tag(storage: DatabaseStorage, key: str = KEY) -> str:
    return (await storage.read([key]))[key]["e_tag"]


async def test_reading_missing_keys_returns_nothing(storage):
    assert await storage.read([KEY, OTHER_KEY]) == {}
    assert await storage.read([]) == {}


async def test_written_dict_reads_back_with_an_e_tag(storage):
    written = {"name": "Ada", "score": 9.5, "done": False, "by_week": {"1": ["a"], "2": []}}
    await storage.write({KEY: dict(written)})

    item = (await storage.read([KEY]))[KEY]

    assert item.pop("e_tag")
    assert item == written


async def test_a_dict_with_a_type_tag_of_its_own_reads_back_as_that_dict(storage):
    await storage.write({KEY: {"card": {"@type": "activity", "text": "just data"}}})

    item = (await storage.read([KEY]))[KEY]

    assert item["card"] == {"@type": "activity", "text": "just data"}


@pytest.mark.parametrize(
    "value",
    [{1: "a"}, object(), (1, 2), {"a", "b"}, datetime(2025, 3, 1, tzinfo=UTC)],
    ids=["int-key", "object", "tuple", "set", "datetime"],
)
async def test_writing_what_bot_state_never_holds_fails_and_writes_nothing(storage, value):
    with pytest.raises(UnsupportedStateError):
        await storage.write({KEY: {"value": value}})

    assert await storage.read([KEY]) == {}


async def test_written_store_item_reads_back_as_a_store_item(storage):
    await storage.write({KEY: StoreItem(counter=3)})

    item = (await storage.read([KEY]))[KEY]

    assert isinstance(item, StoreItem)
    assert item.counter == 3
    assert item.e_tag


async def test_dialog_state_round_trips(storage):
    stack = [
        DialogInstance(id="request", state={"stepIndex": 1, "values": {"site": "Bern"}}),
        DialogInstance(id="text_prompt", state={"options": None}),
    ]
    await storage.write({KEY: {"DialogState": DialogState(stack)}})

    restored = (await storage.read([KEY]))[KEY]["DialogState"]

    assert isinstance(restored, DialogState)
    assert [(i.id, i.state) for i in restored.dialog_stack] == [
        ("request", {"stepIndex": 1, "values": {"site": "Bern"}}),
        ("text_prompt", {"options": None}),
    ]


async def test_a_document_naming_an_unknown_type_is_refused_naming_its_key(storage, engine):
    # Someone with write access to the database, not the bot, wrote this (more kinds, and what
    # the person sees, in test_state_security.py).
    planted = {"stateFormat": 1, "item": {"x": {"@type": "os.system", "value": "touch /tmp/x"}}}
    await StateStore(engine).write({KEY: WriteRequest(planted)})

    with pytest.raises(StateFormatError, match=f"{KEY}.*unknown type tag 'os.system'"):
        await storage.read([KEY])


async def test_waterfall_dialog_resumes_after_a_restart(database_url, engine):
    async def ask_name(step: WaterfallStepContext):
        step.values["greeting"] = "Hello"
        await step.context.send_activity("What is your name?")
        return Dialog.end_of_turn

    async def greet(step: WaterfallStepContext):
        await step.context.send_activity(f"{step.values['greeting']} {step.context.activity.text}")
        return await step.end_dialog()

    async def one_turn(turn_engine, user_says: str, expected_reply: str) -> None:
        # Everything is built afresh, so the dialog can only continue from what was stored.
        conversation_state = DatabaseConversationState(
            DatabaseStorage(StateStore(turn_engine)), {"DialogState": DialogState}
        )
        dialogs = DialogSet(conversation_state.create_property("DialogState"))
        dialogs.add(WaterfallDialog("greet", [ask_name, greet]))

        async def logic(turn_context: TurnContext):
            dialog_context = await dialogs.create_context(turn_context)
            result = await dialog_context.continue_dialog()
            if result.status == DialogTurnStatus.Empty:
                await dialog_context.begin_dialog("greet")
            await conversation_state.save_changes(turn_context)

        await TestAdapter(logic).test(user_says, expected_reply)

    await one_turn(engine, "hi", "What is your name?")
    restarted = create_engine(database_url)
    try:
        await one_turn(restarted, "Ada", "Hello Ada")
    finally:
        await restarted.dispose()


async def test_stale_e_tag_raises_and_changes_nothing(storage):
    await storage.write({KEY: {"version": 1}})
    stale = await current_e_tag(storage)
    await storage.write({KEY: {"version": 2, "e_tag": stale}})

    with pytest.raises(StateConflictError) as raised:
        await storage.write({KEY: {"version": 3, "e_tag": stale}})

    assert isinstance(raised.value, KeyError)
    assert raised.value.key == KEY
    assert KEY in str(raised.value)
    assert (await storage.read([KEY]))[KEY]["version"] == 2


async def test_one_stale_item_stops_the_whole_write(storage):
    await storage.write({KEY: {"version": 1}, OTHER_KEY: {"version": 1}})
    fresh = await current_e_tag(storage, OTHER_KEY)
    stale = "0" * 32

    with pytest.raises(StateConflictError):
        await storage.write(
            {OTHER_KEY: {"version": 2, "e_tag": fresh}, KEY: {"version": 2, "e_tag": stale}}
        )

    stored = await storage.read([KEY, OTHER_KEY])
    assert stored[OTHER_KEY]["version"] == 1
    assert stored[OTHER_KEY]["e_tag"] == fresh
    assert stored[KEY]["version"] == 1


async def test_star_e_tag_overwrites(storage):
    await storage.write({KEY: {"version": 1}})

    await storage.write({KEY: {"version": 2, "e_tag": "*"}})

    assert (await storage.read([KEY]))[KEY]["version"] == 2


async def test_item_without_e_tag_overwrites(storage):
    await storage.write({KEY: {"version": 1}})

    await storage.write({KEY: {"version": 2}})

    assert (await storage.read([KEY]))[KEY]["version"] == 2


async def test_writing_a_deleted_item_with_its_old_e_tag_conflicts(storage):
    await storage.write({KEY: {"version": 1}})
    e_tag = await current_e_tag(storage)
    await storage.delete([KEY])

    with pytest.raises(StateConflictError):
        await storage.write({KEY: {"version": 2, "e_tag": e_tag}})

    assert await storage.read([KEY]) == {}


async def test_delete_removes_only_the_given_keys(storage):
    await storage.write({KEY: {"a": 1}, OTHER_KEY: {"b": 2}})

    await storage.delete({KEY, "never/written"})

    assert list(await storage.read([KEY, OTHER_KEY])) == [OTHER_KEY]


async def test_saving_twice_in_one_turn_does_not_conflict_with_itself(storage):
    state = {"step": 1}
    await storage.write({KEY: state})
    state["step"] = 2

    await storage.write({KEY: state})

    assert (await storage.read([KEY]))[KEY] == state


async def test_only_one_of_concurrent_writers_with_the_same_e_tag_wins(
    database_url,
    storage,
):
    await storage.write({KEY: {"writer": None}})
    e_tag = await current_e_tag(storage)
    engines = [create_engine(database_url) for _ in range(20)]
    try:
        results = await asyncio.gather(
            *(
                DatabaseStorage(StateStore(writer_engine)).write(
                    {KEY: {"writer": writer, "e_tag": e_tag}}
                )
                for writer, writer_engine in enumerate(engines)
            ),
            return_exceptions=True,
        )
    finally:
        await asyncio.gather(*(writer_engine.dispose() for writer_engine in engines))

    winners = [writer for writer, result in enumerate(results) if result is None]
    assert len(winners) == 1, results
    losers = [result for result in results if result is not None]
    assert all(isinstance(result, StateConflictError) for result in losers), losers
    assert (await storage.read([KEY]))[KEY]["writer"] == winners[0]


async def test_concurrent_first_writes_of_one_key_all_succeed(engine):
    store = StateStore(engine)

    await asyncio.gather(*(store.write({KEY: WriteRequest({"n": n})}) for n in range(20)))

    assert (await store.read([KEY]))[KEY].document["n"] in range(20)


async def test_data_survives_a_restart(database_url, storage):
    await storage.write({KEY: {"kept": True}})
    e_tag = await current_e_tag(storage)

    restarted = create_engine(database_url)
    try:
        stored = await DatabaseStorage(StateStore(restarted)).read([KEY])
    finally:
        await restarted.dispose()

    assert stored == {KEY: {"kept": True, "e_tag": e_tag}}


async def test_state_store_returns_new_e_tags_and_names_the_conflicting_key(engine):
    store = StateStore(engine)

    first = await store.write({KEY: WriteRequest({"v": 1})})
    second = await store.write({KEY: WriteRequest({"v": 2}, expected_etag=first[KEY])})

    assert first[KEY] != second[KEY]
    stored = (await store.read([KEY]))[KEY]
    assert (stored.document, stored.etag) == ({"v": 2}, second[KEY])
    with pytest.raises(EtagConflictError, match="msteams/conversations/a:1"):
        await store.write({KEY: WriteRequest({"v": 3}, expected_etag=first[KEY])})
