"""The activities that carry an Adaptive Card: a message, or the answer to a card action."""

from __future__ import annotations

from botbuilder.core import CardFactory, InvokeResponse, MessageFactory
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse

CARD = "application/vnd.microsoft.card.adaptive"


class UnchangingCard(dict):
    """A card is never changed once built. botbuilder deep-copies every outgoing activity
    (TurnContext.send_activities); for a card that copy was a good part of a turn's CPU."""

    def __deepcopy__(self, memo: dict) -> UnchangingCard:
        return self


def card_activity(card: dict) -> Activity:
    return MessageFactory.attachment(CardFactory.adaptive_card(UnchangingCard(card)))


def card_invoke_response(card: dict) -> InvokeResponse:
    """The answer to an Action.Execute: `card` replaces the clicked one.

    The body is the model itself, serialised once by the adapter: ActivityHandler's own path
    serialises it there and CloudAdapter again (and costs a msrest pass on the card).
    """
    return InvokeResponse(
        status=200,
        body=AdaptiveCardInvokeResponse(status_code=200, type=CARD, value=UnchangingCard(card)),
    )
