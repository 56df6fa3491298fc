"""Text messages with their format said explicitly: the Agents Playground shows Markdown raw
when an activity does not say it is Markdown (and carries buttons)."""

from __future__ import annotations

from botbuilder.schema import TextFormatTypes

from bot.card_activity import OutgoingActivity, message_activity


def markdown(text: str) -> OutgoingActivity:
    activity = message_activity(text)
    activity.text_format = TextFormatTypes.markdown
    return activity
