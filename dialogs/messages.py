"""Text messages with their format said explicitly: the Agents Playground shows Markdown raw
when an activity does not say it is Markdown (and carries buttons)."""

from __future__ import annotations

from botbuilder.core import MessageFactory
from botbuilder.schema import Activity, TextFormatTypes


def markdown(text: str) -> Activity:
    activity = MessageFactory.text(text)
    activity.text_format = TextFormatTypes.markdown
    return activity
