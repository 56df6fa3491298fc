"""Reaching people in their personal chat: a reply in another chat during a turn, and the
outbox relay's deliveries (one attempt each, classified by Teams' rules)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import ConversationAccount, ConversationReference

from bot.adapter import TeamsBotAdapter
from bot.card_activity import card_activity
from bot.connector import BotConnectorError
from domain.outbox import (
    Composed,
    Delivered,
    NoChat,
    Refused,
    SendOutcome,
    TryAgain,
    Unreachable,
)
from domain.roster import Person
from services.conversations import ConversationDirectory

log = logging.getLogger(__name__)

# Teams' answers worth another attempt (with backoff; 429 with its Retry-After).
_RETRYABLE = frozenset({412, 429, 502, 503, 504})
# Error codes by which Teams says "stop sending to this chat until the person writes again".
# MessageWritesBlocked arrives as a sub-code inside a JSON string, so codes are looked for in
# the answer's text rather than in one field.
_STOP_CODES = {
    403: (
        "BotDisabledByAdmin",
        "ConversationBlockedByUser",
        "BotNotInConversationRoster",
        "ForbiddenOperationException",
        "MessageWritesBlocked",
    ),
    404: ("ConversationNotFound",),
}


def outcome_of(error: BotConnectorError) -> SendOutcome:
    """What a failed Bot Connector call means for the outbox."""
    if error.status is None:  # timed out or the connection failed
        return TryAgain(error.detail)
    if error.status in _RETRYABLE:
        return TryAgain(f"HTTP {error.status}", error.retry_after)
    code = next((c for c in _STOP_CODES.get(error.status, ()) if c in error.detail), None)
    if code is not None:
        return Unreachable(f"HTTP {error.status} {code}")
    return Refused(f"HTTP {error.status}: {error.detail[:200]}")


class TeamsMessenger:
    """Runs a turn in a person's personal chat, and knows their Teams user id."""

    def __init__(
        self, adapter: TeamsBotAdapter, directory: ConversationDirectory, app_id: str
    ) -> None:
        self._adapter = adapter
        self._directory = directory
        self._app_id = app_id

    async def teams_user_id(self, person: Person) -> str | None:
        record = await self._directory.personal_conversation_for(person.aad_object_id)
        return record.user_id if record else None

    async def in_personal_chat(
        self, person: Person, logic: Callable[[TurnContext], Awaitable[None]]
    ) -> bool:
        """Run `logic` as a turn in the person's personal chat; False when none is known or
        Teams refuses it."""
        record = await self._directory.personal_conversation_for(person.aad_object_id)
        if record is None:
            return False
        reference = ConversationReference().deserialize(record.reference)
        try:
            await self._adapter.continue_conversation(reference, logic, self._app_id)
        except BotConnectorError as error:
            if error.status not in _STOP_CODES:
                raise
            log.warning("cannot reach %s: HTTP %s", person.aad_object_id, error.status)
            self._directory.forget(person.aad_object_id)
            return False
        return True


class TeamsCourier:
    """The relay's courier: one attempt to post or update a message in a personal chat."""

    def __init__(self, adapter: TeamsBotAdapter, directory: ConversationDirectory) -> None:
        self._adapter = adapter
        self._directory = directory

    async def deliver(self, recipient_aad_object_id: str, composed: Composed) -> SendOutcome:
        if composed.update is not None and composed.card is not None:
            posted = composed.update
            activity = card_activity(composed.card)
            activity.id = posted.activity_id
            TurnContext.apply_conversation_reference(
                activity,
                ConversationReference(
                    conversation=ConversationAccount(id=posted.conversation_id),
                    service_url=posted.service_url,
                    channel_id="msteams",
                ),
            )
            client = await self._adapter.proactive_client(posted.service_url)
            try:
                await client.conversations.update_activity(
                    posted.conversation_id, posted.activity_id, activity
                )
            except BotConnectorError as error:
                return self._failed(recipient_aad_object_id, error)
            return Delivered(posted.conversation_id, posted.activity_id, posted.service_url)

        # From this process's cache: a chat this process marked unreachable was dropped from
        # it (and is read again, marked), and the person's next turn here replaces it.
        record = await self._directory.personal_conversation_for(recipient_aad_object_id)
        if record is None or record.unreachable_reason:
            return NoChat()
        activity = (
            card_activity(composed.card)
            if composed.card is not None
            else MessageFactory.text(composed.text)
        )
        TurnContext.apply_conversation_reference(
            activity, ConversationReference().deserialize(record.reference)
        )
        client = await self._adapter.proactive_client(record.service_url)
        try:
            response = await client.conversations.send_to_conversation(
                record.conversation_id, activity
            )
        except BotConnectorError as error:
            return self._failed(recipient_aad_object_id, error)
        return Delivered(
            record.conversation_id, response.id if response else "", record.service_url
        )

    def _failed(self, recipient_aad_object_id: str, error: BotConnectorError) -> SendOutcome:
        outcome = outcome_of(error)
        if isinstance(outcome, Unreachable):
            # Their next turn counts as a return, which wakes what waits for them.
            self._directory.forget(recipient_aad_object_id)
        return outcome
