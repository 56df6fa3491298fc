"""Script a conversation with the main dialog turn by turn, with botbuilder's TestAdapter."""

from __future__ import annotations

import json
from collections.abc import Callable

from botbuilder.core import ConversationState, MemoryStorage, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes

from cards.welcome import MenuItem
from dialogs.main_dialog import Conversation, MainDialog
from dialogs.questionnaire_dialog import QuestionnaireDialog
from domain.questionnaire import Question
from tests.harness import card_text


class ScriptedChat:
    """A person typing to the main dialog, which offers one questionnaire under `command`.

    `submitted` holds the answers that reached the submit step; `cards` every card shown.
    """

    def __init__(
        self,
        command: str,
        title: str,
        questions: list[Question],
        notes: Callable[[dict], list[str]] = lambda answers: [],
        confirmation: str = "Submitted.",
    ) -> None:
        self.submitted: list[dict] = []
        self.cards: list[dict] = []
        self.storage = MemoryStorage()

        async def submit(turn_context: TurnContext, answers: dict) -> str:
            self.submitted.append(answers)
            return confirmation

        state = ConversationState(self.storage)
        dialog = QuestionnaireDialog(command.replace(" ", "_"), title, questions, submit, notes)
        main = MainDialog(state, [Conversation(MenuItem(command, title, "test"), dialog)])

        async def logic(turn_context: TurnContext) -> None:
            await main.on_message(turn_context, turn_context.activity.text)
            await state.save_changes(turn_context)

        self.adapter = TestAdapter(logic)

    async def say(self, text: str | None = None, value: dict | None = None) -> list[Activity]:
        """Send one message; the bot's replies to it."""
        await self.adapter.receive_activity(
            Activity(type=ActivityTypes.message, text=text, value=value)
        )
        replies = []
        while (reply := self.adapter.get_next_activity()) is not None:
            if reply.attachments:
                self.cards.append(reply.attachments[0].content)
            replies.append(reply)
        return replies

    async def text_after(self, text: str | None = None, value: dict | None = None) -> str:
        """What a person reads after sending this: texts and the text on cards."""
        replies = await self.say(text, value)
        return "\n".join(
            card_text(r.attachments[0].content) if r.attachments else r.text for r in replies
        )

    async def answer(self, answers: list[str]) -> list[str]:
        return [await self.text_after(answer) for answer in answers]

    def stored(self) -> str:
        """Everything the conversation state holds, as text."""
        return json.dumps(self.storage.memory, default=str)
