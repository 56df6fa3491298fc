"""Proactive messages: reach a person in their personal chat through the stored reference."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity, ConversationAccount, ConversationReference

from bot.adapter import TeamsBotAdapter
from bot.card_activity import card_activity
from bot.connector import BotConnectorError
from domain.roster import Person
from services.conversations import ConversationDirectory
from services.requests import SentMessage

log = logging.getLogger(__name__)

# Bot Connector answers for a conversation that cannot take messages (bot removed, chat gone).
_UNREACHABLE = frozenset({403, 404})


class TeamsMessenger:
    """The services' Messenger, over the adapter's proactive `continue_conversation`."""

    def __init__(
        self, adapter: TeamsBotAdapter, directory: ConversationDirectory, app_id: str
    ) -> None:
        self._adapter = adapter
        self._directory = directory
        self._app_id = app_id

    async def teams_user_id(self, person: Person) -> str | None:
        record = await self._directory.personal_conversation_for(person.aad_object_id)
        return record.user_id if record else None

    async def send_card(self, recipient: Person, card: dict) -> SentMessage | None:
        activity = card_activity(card)
        return await self._send(recipient, activity)

    async def send_text(self, recipient: Person, text: str) -> bool:
        return await self._send(recipient, MessageFactory.text(text)) is not None

    async def update_card(self, sent: SentMessage, card: dict) -> None:
        reference = ConversationReference(
            conversation=ConversationAccount(id=sent.conversation_id),
            service_url=sent.service_url,
            channel_id="msteams",
        )
        activity = card_activity(card)
        activity.id = sent.activity_id

        async def update(turn_context: TurnContext) -> None:
            await turn_context.update_activity(activity)

        try:
            await self._adapter.continue_conversation(reference, update, self._app_id)
        except BotConnectorError as error:
            if error.status not in _UNREACHABLE:
                raise
            # The old copy is gone with its chat; the person gets the current card on return.
            log.warning("card %s can no longer be updated: HTTP %s", sent.activity_id, error.status)

    async def in_personal_chat(
        self, person: Person, logic: Callable[[TurnContext], Awaitable[None]]
    ) -> bool:
        """Run `logic` as a turn in the person's personal chat; False when none is known."""
        record = await self._directory.personal_conversation_for(person.aad_object_id)
        if record is None:
            return False
        reference = ConversationReference().deserialize(record.reference)
        try:
            await self._adapter.continue_conversation(reference, logic, self._app_id)
        except BotConnectorError as error:
            if error.status not in _UNREACHABLE:
                raise
            # They removed the bot, or the chat is gone: keep the message for their return.
            log.warning("cannot reach %s: HTTP %s", person.aad_object_id, error.status)
            self._directory.forget(person.aad_object_id)
            return False
        return True

    async def _send(self, recipient: Person, activity: Activity) -> SentMessage | None:
        sent: list[str] = []

        async def send(turn_context: TurnContext) -> None:
            response = await turn_context.send_activity(activity)
            sent.append(response.id if response else "")

        if not await self.in_personal_chat(recipient, send):
            return None
        if not sent:
            raise RuntimeError(f"the message to {recipient.aad_object_id} was not sent")
        log.info("sent a proactive message to %s", recipient.aad_object_id)
        record = await self._directory.personal_conversation_for(recipient.aad_object_id)
        return SentMessage(record.conversation_id, sent[0], record.service_url)
