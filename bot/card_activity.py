"""The activities the bot sends, and those that carry an Adaptive Card: a message, or the answer
to a card action."""

from __future__ import annotations

import copy

from botbuilder.core import CardFactory, InvokeResponse
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    AttachmentLayoutTypes,
    InputHints,
)

CARD = "application/vnd.microsoft.card.adaptive"


class UnchangingCard(dict):
    """A card is never changed once built. botbuilder deep-copies every outgoing activity
    (TurnContext.send_activities); for a card that copy was a good part of a turn's CPU."""

    def __deepcopy__(self, memo: dict) -> UnchangingCard:
        return self


class OutgoingActivity(Activity):
    """A message built to be sent. TurnContext.send_activities deep-copies every activity it
    sends so that addressing it (conversation, sender, recipient, reply-to) leaves the caller's
    unchanged; addressing only sets top-level attributes, so a shallow copy keeps that promise
    at a tenth of the cost (the deep copy of a reply's ~45 attributes was ~40 us a send)."""

    def __deepcopy__(self, memo: dict) -> OutgoingActivity:
        return copy.copy(self)


def message_activity(text: str | None = None) -> OutgoingActivity:
    """What botbuilder's MessageFactory.text makes, as an OutgoingActivity."""
    return OutgoingActivity(
        type=ActivityTypes.message, text=text, input_hint=InputHints.accepting_input
    )


def card_activity(card: dict) -> OutgoingActivity:
    """What botbuilder's MessageFactory.attachment makes of the card, as an OutgoingActivity."""
    activity = message_activity()
    activity.attachment_layout = AttachmentLayoutTypes.list
    activity.attachments = [CardFactory.adaptive_card(UnchangingCard(card))]
    return activity


def card_invoke_response(card: dict) -> InvokeResponse:
    """The answer to an Action.Execute: `card` replaces the clicked one.

    The body is the model itself, serialised once by the adapter: ActivityHandler's own path
    serialises it there and CloudAdapter again (and costs a msrest pass on the card).
    """
    return InvokeResponse(
        status=200,
        body=AdaptiveCardInvokeResponse(status_code=200, type=CARD, value=UnchangingCard(card)),
    )
