"""The main dialog: routes commands to conversations, with global interruptions.

A command is found by its name, an alias ("nsd", "partner referral") or a sentence naming one
("I need an exception for Contoso", which also gives the customer). `help`, `cancel` and
`restart` work at any step of any conversation; a menu button pressed in the middle of one asks
before leaving it. A message close to a command gets "Did you mean" buttons, anything else a
short hint. Dialog state lives in ConversationState, i.e. in the database.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from botbuilder.core import ConversationState, TurnContext
from botbuilder.dialogs import Dialog, DialogContext, DialogSet, DialogState, DialogTurnStatus
from botbuilder.dialogs.memory import DialogStateManagerConfiguration

from bot.card_activity import card_activity
from bot.conversation_state import STARTED_OVER
from cards.approval import notice_card
from cards.summary import summary_click
from cards.welcome import (
    LEAVE_FIELD,
    STAY_COMMAND,
    MenuItem,
    did_you_mean_card,
    leave_conversation_card,
    welcome_card,
)
from dialogs.messages import markdown
from dialogs.questionnaire_dialog import FORM_REPLY, SubmittedBefore, old_summary_text

# The conversation state property holding the dialog stack.
DIALOG_STATE = "DialogState"

HELP_WORDS = frozenset({"help", "menu", "?", "hi", "hello", "start"})
CANCEL_WORDS = frozenset({"cancel", "quit", "stop", "exit"})
RESTART_WORDS = frozenset({"restart", "start over"})
# The last button of the menu, and the command that leaves any conversation (not a button).
HELP_ITEM = MenuItem("help", "Help", "What I can do, and how to start each request")
CANCEL_ITEM = MenuItem("cancel", "Cancel", "Leave the current conversation")

CANCELLED = "Cancelled. Nothing was submitted. Type `help` to see what I can do."
NOTHING_TO_CANCEL = "There is nothing to cancel. Type `help` to see what I can do."
NOTHING_TO_GO_BACK_TO = "That conversation is over. Type `help` to see what I can do."
STARTED_OVER_NOTICE = (
    "Sorry, I could not pick up our conversation where we left it, so it has started over and "
    "nothing was submitted. Type `help` to see what I can do, or start your request again."
)


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


@dataclass(frozen=True)
class Recognised:
    """What a message asks for: a command, and the customer it names, if any."""

    command: str
    customer: str | None = None


# "... for Contoso": the customer a request is for, named with the command.
_FOR_CUSTOMER = re.compile(r"\bfor\s+(?:the\s+customer\s+)?(.+?)[.!?]*$", re.IGNORECASE)


class MainDialog:
    def __init__(
        self,
        conversation_state: ConversationState,
        conversations: list[Conversation],
        commands: Sequence[Command] = (),
        submitted_before: SubmittedBefore | None = None,
    ) -> None:
        """`submitted_before` says what a summary pressed after its conversation ended made."""
        self._submitted_before = submitted_before
        self._dialog_state = conversation_state.create_property(DIALOG_STATE)
        self._dialogs = DialogSet(self._dialog_state)
        self._memory_scopes: DialogStateManagerConfiguration | None = None
        self._starts: dict[str, str] = {}
        self._titles: dict[str, str] = {}
        for conversation in conversations:
            self._dialogs.add(conversation.dialog)
            self._starts[conversation.menu_item.command] = conversation.dialog.id
            self._titles[conversation.dialog.id] = conversation.menu_item.title
        self._commands = {command.menu_item.command: command.run for command in commands}
        self._request_items = [conversation.menu_item for conversation in conversations]
        self._your_items = [
            *(command.menu_item for command in commands),
            HELP_ITEM,
        ]
        self.menu = [*self._request_items, *self._your_items]
        self._items = {item.command: item for item in self.menu}
        # Every name of every command, longest first (so "my requests" wins over "requests").
        self._names = sorted(
            (
                (normalise_command(name), item.command)
                for item in self.menu
                if item.command != "help"
                for name in (item.command, *item.aliases)
            ),
            key=lambda pair: -len(pair[0]),
        )
        # Each name as a whole word in a sentence; compiled once, every message is searched.
        self._name_patterns = {
            name: re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])") for name, _ in self._names
        }

    def starts_conversation(self, text: str | None) -> bool:
        recognised = self.recognise(text)
        return recognised is not None and recognised.command in self._starts

    def recognise(self, text: str | None) -> Recognised | None:
        """A command by its name or an alias ("nsd", "partner referral"), alone or in a
        sentence ("I need an exception for Contoso")."""
        wanted = normalise_command(text)
        exact = next((command for name, command in self._names if name == wanted), None)
        if exact:
            return Recognised(exact)
        named = [
            (name, command)
            for name, command in self._names
            if self._name_patterns[name].search(wanted)
        ]
        if len({command for _, command in named}) != 1:
            return None
        command = named[0][1]
        said = _FOR_CUSTOMER.search((text or "").strip())
        customer = said.group(1).strip() if said and command in self._starts else None
        # "an exception for non-standard delivery" names no customer.
        if customer and any(name == normalise_command(customer) for name, _ in self._names):
            customer = None
        return Recognised(command, customer)

    def close_to(self, text: str | None) -> list[MenuItem]:
        """The commands a message may have meant (a typo, a word of theirs): at most three."""
        wanted = normalise_command(text)
        names = [name for name, _ in self._names]
        close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.6)
        for word in wanted.split():
            close += difflib.get_close_matches(word, names, n=1, cutoff=0.75)
        commands = dict.fromkeys(command for name, command in self._names if name in close)
        return [self._items[command] for command in commands][:3]

    async def send_welcome(self, turn_context: TurnContext, first_name: str | None = None) -> None:
        card = welcome_card(self._request_items, self._your_items, first_name=first_name)
        await turn_context.send_activity(card_activity(card))

    async def on_message(
        self, turn_context: TurnContext, text: str | None, button: dict | None = None
    ) -> None:
        """`button`: the data of the menu button pressed, when the message is one."""
        command = normalise_command(text)
        # Only a conversation under way needs a DialogContext (costly to build every turn).
        stack = await self._dialog_state.get(turn_context, DialogState)
        in_conversation = bool(stack.dialog_stack)
        if turn_context.turn_state.pop(STARTED_OVER, False):
            await turn_context.send_activity(markdown(STARTED_OVER_NOTICE))
            # What was typed answered a question that is gone; a command still runs.
            if not (command in HELP_WORDS or self.recognise(text)):
                return

        async def dialog_context() -> DialogContext:
            return await self._dialog_context(turn_context)

        if command in CANCEL_WORDS:
            if in_conversation:
                await (await dialog_context()).cancel_all_dialogs()
                await turn_context.send_activity(markdown(CANCELLED))
            else:
                await turn_context.send_activity(markdown(NOTHING_TO_CANCEL))
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
                    markdown(
                        "You are in the middle of a conversation; answer the question below to "
                        "go on, or type `cancel` to leave it."
                    )
                )
                await (await dialog_context()).reprompt_dialog()
            return

        if button is not None and command == STAY_COMMAND:
            if in_conversation:
                await (await dialog_context()).reprompt_dialog()
            else:
                await turn_context.send_activity(markdown(NOTHING_TO_GO_BACK_TO))
            return
        click = summary_click(turn_context.activity.value)
        if click is not None and not in_conversation:
            await turn_context.send_activity(
                markdown(await old_summary_text(self._submitted_before, turn_context, click.key))
            )
            return
        recognised = self.recognise(text)
        # A menu button that starts a conversation while another is under way: leave it?
        if (
            button is not None
            and in_conversation
            and recognised
            and recognised.command in self._starts
        ):
            if not button.get(LEAVE_FIELD):
                current = self._titles.get(stack.dialog_stack[-1].id, "current conversation")
                card = leave_conversation_card(current, self._items[recognised.command])
                await turn_context.send_activity(card_activity(card))
                return
            await (await dialog_context()).cancel_all_dialogs()
            in_conversation = False

        if (
            recognised
            and recognised.command in self._commands
            and (button is not None or not in_conversation or command in self._commands)
        ):
            await self._commands[recognised.command](turn_context)
            if in_conversation:
                await (await dialog_context()).reprompt_dialog()
            return

        if in_conversation:
            result = await (await dialog_context()).continue_dialog()
            if result.status != DialogTurnStatus.Empty:
                return
        if recognised and recognised.command in self._starts:
            prefilled = {"customer": recognised.customer} if recognised.customer else None
            await (await dialog_context()).begin_dialog(self._starts[recognised.command], prefilled)
            return
        close = self.close_to(text) if command else []
        if close:
            await turn_context.send_activity(card_activity(did_you_mean_card(close)))
            return
        await turn_context.send_activity(
            markdown("Sorry, I didn't understand that. Type `help` to see what I can do.")
        )

    async def _dialog_context(self, turn_context: TurnContext) -> DialogContext:
        # botbuilder builds a DialogContext's memory scopes afresh unless the turn holds them
        # (as botbuilder's DialogManager does); they keep nothing between calls, so the first
        # turn's serve every turn.
        if self._memory_scopes is not None:
            turn_context.turn_state.setdefault(
                DialogStateManagerConfiguration.__name__, self._memory_scopes
            )
        dialog_context = await self._dialogs.create_context(turn_context)
        self._memory_scopes = dialog_context.state.configuration
        return dialog_context

    async def on_form(self, turn_context: TurnContext) -> dict:
        """A step form submitted with Action.Execute: the card that replaces it."""
        stack = await self._dialog_state.get(turn_context, DialogState)
        if turn_context.turn_state.pop(STARTED_OVER, False):
            return notice_card(STARTED_OVER_NOTICE)
        if stack.dialog_stack:
            await (await self._dialog_context(turn_context)).continue_dialog()
        return turn_context.turn_state.get(FORM_REPLY) or notice_card(
            "This form belongs to a conversation that is over. Type `help` to start again."
        )
