"""The main dialog: routes typed commands to conversations, with global interruptions.

`help`, `cancel` and `restart` work at any step of any conversation. Anything not understood
gets a short hint. Dialog state lives in ConversationState, i.e. in the database.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from botbuilder.core import ConversationState, TurnContext
from botbuilder.dialogs import Dialog, DialogContext, DialogSet, DialogState, DialogTurnStatus

from bot.card_activity import card_activity
from cards.approval import notice_card
from cards.welcome import MenuItem, welcome_card
from dialogs.questionnaire_dialog import FORM_REPLY

HELP_WORDS = frozenset({"help", "menu", "?", "hi", "hello", "start"})
CANCEL_WORDS = frozenset({"cancel", "quit", "stop", "exit"})
RESTART_WORDS = frozenset({"restart", "start over"})

CANCELLED = "Cancelled. Nothing was submitted. Type `help` to see what I can do."
NOTHING_TO_CANCEL = "There is nothing to cancel. Type `help` to see what I can do."


@dataclass(frozen=True)
class Conversation:
    """A waterfall the main dialog can start, and the menu entry that starts it."""

    menu_item: MenuItem
    dialog: Dialog


@dataclass(frozen=True)
class Command:
    """A one-turn command (no questions), and its menu entry."""

    menu_item: MenuItem
    run: Callable[[TurnContext], Awaitable[None]]


def normalise_command(text: str | None) -> str:
    """'  Non-standard   Delivery! ' -> 'non-standard delivery'."""
    text = re.sub(r"\s+", " ", (text or "").strip().lower())
    return text.rstrip(".!")


class MainDialog:
    def __init__(
        self,
        conversation_state: ConversationState,
        conversations: list[Conversation],
        commands: list[Command] = (),
    ) -> None:
        self._dialog_state = conversation_state.create_property("DialogState")
        self._dialogs = DialogSet(self._dialog_state)
        self._starts: dict[str, str] = {}
        for conversation in conversations:
            self._dialogs.add(conversation.dialog)
            self._starts[conversation.menu_item.command] = conversation.dialog.id
        self._commands = {command.menu_item.command: command.run for command in commands}
        self.menu = [item.menu_item for item in [*conversations, *commands]] + [
            MenuItem("help", "Help", "Show this card again"),
        ]

    def starts_conversation(self, text: str | None) -> bool:
        return normalise_command(text) in self._starts

    async def send_welcome(self, turn_context: TurnContext, first_name: str | None = None) -> None:
        card = welcome_card(self.menu, first_name=first_name)
        await turn_context.send_activity(card_activity(card))

    async def on_message(self, turn_context: TurnContext, text: str | None) -> None:
        command = normalise_command(text)
        # Only a conversation under way needs a DialogContext (costly to build every turn).
        stack = await self._dialog_state.get(turn_context, DialogState)
        in_conversation = bool(stack.dialog_stack)

        async def dialog_context() -> DialogContext:
            return await self._dialogs.create_context(turn_context)

        if command in CANCEL_WORDS:
            if in_conversation:
                await (await dialog_context()).cancel_all_dialogs()
                await turn_context.send_activity(CANCELLED)
            else:
                await turn_context.send_activity(NOTHING_TO_CANCEL)
            return
        if command in RESTART_WORDS:
            if in_conversation:
                await (await dialog_context()).cancel_all_dialogs()
            await self.send_welcome(turn_context)
            return
        if command in HELP_WORDS:
            await self.send_welcome(turn_context)
            if in_conversation:
                await turn_context.send_activity(
                    "You are in the middle of a conversation; answer the question below to go "
                    "on, or type `cancel` to leave it."
                )
                await (await dialog_context()).reprompt_dialog()
            return

        if command in self._commands:
            await self._commands[command](turn_context)
            if in_conversation:
                await (await dialog_context()).reprompt_dialog()
            return

        if in_conversation:
            result = await (await dialog_context()).continue_dialog()
            if result.status != DialogTurnStatus.Empty:
                return
        if command in self._starts:
            await (await dialog_context()).begin_dialog(self._starts[command])
            return
        await turn_context.send_activity(
            "Sorry, I didn't understand that. Type `help` to see what I can do."
        )

    async def on_form(self, turn_context: TurnContext) -> dict:
        """A step form submitted with Action.Execute: the card that replaces it."""
        stack = await self._dialog_state.get(turn_context, DialogState)
        if stack.dialog_stack:
            await (await self._dialogs.create_context(turn_context)).continue_dialog()
        return turn_context.turn_state.get(FORM_REPLY) or notice_card(
            "This form belongs to a conversation that is over. Type `help` to start again."
        )
