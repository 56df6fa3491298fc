"""Script a conversation with the main dialog turn by turn, with botbuilder's TestAdapter."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from botbuilder.core import ConversationState, MemoryStorage, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes

from cards.step_form import FORM_VERB
from cards.welcome import MenuItem
from dialogs.main_dialog import Conversation, MainDialog
from dialogs.questionnaire_dialog import Conclude, QuestionnaireDialog, Submitted
from domain.questionnaire import Step
from tests.harness import card_actions, card_text
from tests.schemas import assert_valid_card


class ScriptedChat:
    """A person typing to the main dialog, which offers one questionnaire under `command`.

    `conclude`, when given, ends the conversation in its card instead of a summary.
    `submitted` holds the answers that reached the submit step; `cards` every card shown and
    `form_replies` the cards that replaced the forms submitted (the invoke answers), each
    checked against the Adaptive Card 1.5 schema; `sent` counts the messages and card
    submissions the person sent.
    """

    def __init__(
        self,
        command: str,
        title: str,
        steps: list[Step],
        notes: Callable[[dict], list[str]] = lambda answers: [],
        confirmation: str = "Submitted.",
        unknown_addresses: Callable[[list[str]], Awaitable[list[str]]] | None = None,
        conclude: Conclude | None = None,
    ) -> None:
        self.submitted: list[dict] = []
        self.submission_keys: list[str] = []
        self.cards: list[dict] = []
        self.form_replies: list[dict] = []
        self.sent = 0
        self.storage = MemoryStorage()

        async def submit(
            turn_context: TurnContext, answers: dict, submission_key: str
        ) -> Submitted:
            self.submitted.append(answers)
            self.submission_keys.append(submission_key)
            return Submitted(f"REQ-{len(self.submitted):04d}", confirmation)

        async def submitted_before(turn_context: TurnContext, submission_key: str) -> str | None:
            if submission_key not in self.submission_keys:
                return None
            return f"REQ-{self.submission_keys.index(submission_key) + 1:04d}"

        state = ConversationState(self.storage)
        dialog = QuestionnaireDialog(
            command.replace(" ", "_"),
            title,
            steps,
            None if conclude else submit,
            notes,
            unknown_addresses,
            conclude,
            submitted_before,
        )
        main = MainDialog(
            state, [Conversation(MenuItem(command, title, "test"), dialog)], [], submitted_before
        )

        async def logic(turn_context: TurnContext) -> None:
            if turn_context.activity.type == ActivityTypes.invoke:
                reply = await main.on_form(turn_context)
                assert_valid_card(reply)
                self.form_replies.append(reply)
            else:
                await main.on_message(turn_context, turn_context.activity.text)
            await state.save_changes(turn_context)

        self.adapter = TestAdapter(logic)

    async def say(self, text: str | None = None, value: dict | None = None) -> list[Activity]:
        """Send one message; the bot's replies to it."""
        return await self._send(Activity(type=ActivityTypes.message, text=text, value=value))

    async def submit_form(self, **inputs: str) -> list[Activity]:
        """Fill in the latest card's form with `inputs` and press its button (Action.Execute);
        the bot's messages. The card that replaces the form is `form_replies[-1]`."""
        (action,) = [a for a in card_actions(self.cards[-1]) if a.get("verb") == FORM_VERB]
        return await self._send(
            Activity(
                type=ActivityTypes.invoke,
                name="adaptiveCard/action",
                value={
                    "action": {
                        "type": "Action.Execute",
                        "verb": FORM_VERB,
                        "data": {**action["data"], **inputs},
                    }
                },
            )
        )

    async def form_text_after(self, **inputs: str) -> str:
        return _read(await self.submit_form(**inputs))

    async def _send(self, activity: Activity) -> list[Activity]:
        self.sent += 1
        await self.adapter.receive_activity(activity)
        replies = []
        while (reply := self.adapter.get_next_activity()) is not None:
            if reply.attachments:
                assert_valid_card(reply.attachments[0].content)
                self.cards.append(reply.attachments[0].content)
            replies.append(reply)
        return replies

    async def text_after(self, text: str | None = None, value: dict | None = None) -> str:
        """What a person reads after sending this: texts and the text on cards."""
        return _read(await self.say(text, value))

    async def answer(self, answers: list[str]) -> list[str]:
        return [await self.text_after(answer) for answer in answers]

    def stored(self) -> str:
        """Everything the conversation state holds, as text."""
        return json.dumps(self.storage.memory, default=str)


def _read(replies: list[Activity]) -> str:
    """What a person reads: each message's text, then the text on its card."""
    parts: list[str] = []
    for reply in replies:
        if reply.text:
            parts.append(reply.text)
        if reply.attachments:
            parts.append(card_text(reply.attachments[0].content))
    return "\n".join(parts)
