"""The message activity that carries an Adaptive Card."""

from __future__ import annotations

from botbuilder.core import CardFactory, MessageFactory
from botbuilder.schema import Activity


class _Unchanging(dict):
    """A card is never changed once built. botbuilder deep-copies every outgoing activity
    (TurnContext.send_activities); for a card that copy was a good part of a turn's CPU."""

    def __deepcopy__(self, memo: dict) -> _Unchanging:
        return self


def card_activity(card: dict) -> Activity:
    return MessageFactory.attachment(CardFactory.adaptive_card(_Unchanging(card)))
