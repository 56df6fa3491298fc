"""Turn an incoming activity into the conversation reference we keep for proactive messages."""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.connector import model_to_json
from persistence.conversation_references import PERSONAL, ConversationReferenceRecord


def conversation_type(activity: Activity) -> str:
    """ "personal", "groupChat" or "channel"."""
    kind = activity.conversation.conversation_type if activity.conversation else None
    # Emulators and the Playground may omit it; only channel and group chats set it otherwise.
    return kind or PERSONAL


def conversation_record(activity: Activity) -> ConversationReferenceRecord | None:
    """None for activities that do not come from a person in a conversation."""
    user = activity.from_property
    if not (user and user.id and activity.conversation and activity.service_url):
        return None
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant_id = (channel_data.get("tenant") or {}).get("id") or activity.conversation.tenant_id
    reference = TurnContext.get_conversation_reference(activity)
    return ConversationReferenceRecord(
        conversation_id=activity.conversation.id,
        user_id=user.id,
        aad_object_id=user.aad_object_id,
        tenant_id=tenant_id,
        service_url=activity.service_url,
        channel_id=activity.channel_id,
        conversation_type=conversation_type(activity),
        bot_id=activity.recipient.id if activity.recipient else "",
        reference=model_to_json(reference),
    )
