"""ConversationReferenceStore against SQLite and PostgreSQL."""

import asyncio
from dataclasses import replace
from datetime import UTC

import pytest

from persistence.conversation_references import (
    ConversationReferenceRecord,
    ConversationReferenceStore,
)
from persistence.database import create_engine, upgrade_schema

AAD_ID = "6f1c2a4e-0000-4000-8000-00000000a11c"
USER_ID = "29:1alice"


def reference_for(conversation_id: str, conversation_type: str = "personal", **changes):
    service_url = changes.pop("service_url", "https://smba.trafficmanager.net/emea/")
    record = ConversationReferenceRecord(
        conversation_id=conversation_id,
        user_id=USER_ID,
        aad_object_id=AAD_ID,
        tenant_id="tenant-1",
        service_url=service_url,
        channel_id="msteams",
        conversation_type=conversation_type,
        bot_id="28:bot",
        reference={
            "bot": {"id": "28:bot"},
            "conversation": {"id": conversation_id, "conversationType": conversation_type},
            "serviceUrl": service_url,
        },
    )
    return replace(record, **changes)


@pytest.fixture
def store(engine):
    return ConversationReferenceStore(engine)


async def test_saved_reference_is_found_by_aad_object_id(store):
    saved = reference_for("a:personal")
    await store.save(saved)

    found = await store.personal_conversation_for(AAD_ID)

    assert found is not None
    assert replace(found, updated_at=None) == saved
    assert found.updated_at.tzinfo == UTC


async def test_saving_the_same_conversation_again_updates_it(store):
    assert await store.save(reference_for("a:personal")) is True

    moved = reference_for("a:personal", service_url="https://smba.example/amer/")
    assert await store.save(moved) is False

    [record] = await store.for_user_id(USER_ID)
    assert record.service_url == "https://smba.example/amer/"
    assert record.reference["serviceUrl"] == "https://smba.example/amer/"


async def test_personal_conversation_is_the_latest_1_to_1_chat(store):
    await store.save(reference_for("a:old-personal"))
    await store.save(reference_for("a:new-personal"))
    await store.save(reference_for("19:team@thread.tacv2", conversation_type="channel"))

    found = await store.personal_conversation_for(AAD_ID)

    assert found is not None
    assert found.conversation_id == "a:new-personal"
    assert await store.personal_conversation_for("someone-else") is None


async def test_for_user_id_lists_conversations_newest_first(store):
    await store.save(reference_for("a:personal"))
    await store.save(reference_for("19:group@thread.v2", conversation_type="groupChat"))

    records = await store.for_user_id(USER_ID)

    assert [r.conversation_id for r in records] == ["19:group@thread.v2", "a:personal"]
    assert await store.for_user_id("29:nobody") == []


async def test_exactly_one_of_concurrent_first_saves_is_the_first_contact(database_url):
    # One engine per writer, like replicas of the bot receiving the same person's messages.
    engines = [create_engine(database_url) for _ in range(10)]
    await upgrade_schema(engines[0])
    try:
        first_contacts = await asyncio.gather(
            *(
                ConversationReferenceStore(writer).save(reference_for("a:personal"))
                for writer in engines
            )
        )
    finally:
        await asyncio.gather(*(writer.dispose() for writer in engines))

    assert sorted(first_contacts) == [False] * 9 + [True]
