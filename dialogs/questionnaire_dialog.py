"""A waterfall that asks a list of Questions, one step at a time, then shows a summary to submit.

Each prompt shows "step n of N"; a bad answer re-prompts with the reason. From the summary the
person changes any answer (and is asked whatever that change makes newly relevant) or submits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.dialogs import (
    ComponentDialog,
    DialogTurnResult,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.prompts import PromptOptions, PromptValidatorContext, TextPrompt
from botbuilder.schema import CardAction, SuggestedActions

from bot.card_activity import card_activity
from cards import summary
from domain.questionnaire import AnswerKind, InvalidAnswer, Question, applicable

# Called with the answers when the person submits; returns the confirmation to show.
Submit = Callable[[TurnContext, dict], Awaitable[str]]
# Notes for the summary card, derived from the answers (e.g. playbook hints).
Notes = Callable[[dict], list[str]]

SUMMARY_WORDS = {"submit": summary.SUBMIT, "send": summary.SUBMIT}


class QuestionnaireDialog(ComponentDialog):
    def __init__(
        self,
        dialog_id: str,
        title: str,
        questions: list[Question],
        submit: Submit,
        notes: Notes = lambda answers: [],
    ) -> None:
        super().__init__(dialog_id)
        self._title = title
        self._questions = {q.key: q for q in questions}
        self._ordered = questions
        self._submit = submit
        self._notes = notes
        self._ask_id = f"{dialog_id}.ask"
        self._answer_prompt_id = f"{dialog_id}.answer"
        self._summary_id = f"{dialog_id}.summary"
        self._summary_prompt_id = f"{dialog_id}.summary_choice"
        self.add_dialog(WaterfallDialog(self._ask_id, [self._ask, self._collect]))
        self.add_dialog(WaterfallDialog(self._summary_id, [self._show_summary, self._decide]))
        self.add_dialog(TextPrompt(self._answer_prompt_id, self._validate_answer))
        self.add_dialog(TextPrompt(self._summary_prompt_id, self._validate_summary_choice))
        self.initial_dialog_id = self._ask_id

    # --- asking -------------------------------------------------------------------------------

    def _next_question(self, state: dict) -> Question | None:
        if state.get("editing"):
            return self._questions[state["editing"]]
        for question in applicable(self._ordered, state["answers"]):
            if question.key not in state["answers"]:
                return question
        return None

    async def _ask(self, step: WaterfallStepContext) -> DialogTurnResult:
        state = step.options or {"answers": {}, "editing": None}
        step.values["state"] = state
        question = self._next_question(state)
        if question is None:
            return await step.replace_dialog(self._summary_id, state)
        asked = applicable(self._ordered, state["answers"])
        number = asked.index(question) + 1 if question in asked else len(asked)
        prompt = _prompt_activity(question, f"Step {number} of {len(asked)}")
        return await step.prompt(
            self._answer_prompt_id,
            PromptOptions(prompt=prompt, retry_prompt=prompt, validations=question.key),
        )

    async def _validate_answer(self, prompt_context: PromptValidatorContext) -> bool:
        question = self._questions[prompt_context.options.validations]
        try:
            question.parse(prompt_context.recognized.value, _today())
        except InvalidAnswer as reason:
            prompt_context.options.retry_prompt = _prompt_activity(question, str(reason))
            return False
        return True

    async def _collect(self, step: WaterfallStepContext) -> DialogTurnResult:
        state = step.values["state"]
        question = self._next_question(state)
        state["answers"][question.key] = question.parse(step.result, _today())
        stop = question.stop(state["answers"]) if question.stop else None
        if stop:
            await step.context.send_activity(stop)
            return await step.end_dialog()
        info = question.info(state["answers"]) if question.info else None
        if info:
            await step.context.send_activity(info)
        # Drop answers to questions that no longer apply (e.g. artifacts when no partner delivers).
        relevant = {q.key for q in applicable(self._ordered, state["answers"])}
        state["answers"] = {k: v for k, v in state["answers"].items() if k in relevant}
        state["editing"] = None
        return await step.replace_dialog(self._ask_id, state)

    # --- summary ------------------------------------------------------------------------------

    async def _show_summary(self, step: WaterfallStepContext) -> DialogTurnResult:
        state = step.options
        step.values["state"] = state
        card = summary.summary_card(
            self._title,
            applicable(self._ordered, state["answers"]),
            state["answers"],
            self._notes(state["answers"]),
        )
        retry = MessageFactory.text(
            "Press **Submit request** on the card above, pick an answer to change, or type "
            "`cancel`."
        )
        return await step.prompt(
            self._summary_prompt_id,
            PromptOptions(
                prompt=card_activity(card),
                retry_prompt=retry,
            ),
        )

    async def _validate_summary_choice(self, prompt_context: PromptValidatorContext) -> bool:
        return _summary_choice(prompt_context.context) is not None

    async def _decide(self, step: WaterfallStepContext) -> DialogTurnResult:
        state = step.values["state"]
        choice, question_key = _summary_choice(step.context)
        if choice == summary.CANCEL:
            await step.context.send_activity("Cancelled. Nothing was submitted.")
            return await step.end_dialog()
        if choice == summary.CHANGE and question_key in self._questions:
            state["editing"] = question_key
            return await step.replace_dialog(self._ask_id, state)
        confirmation = await self._submit(step.context, state["answers"])
        await step.context.send_activity(confirmation)
        return await step.end_dialog(state["answers"])


def _today() -> date:
    return datetime.now(UTC).date()


def _summary_choice(turn_context: TurnContext) -> tuple[str, str | None] | None:
    value = turn_context.activity.value
    if isinstance(value, dict) and value.get("summary") in (
        summary.SUBMIT,
        summary.CHANGE,
        summary.CANCEL,
    ):
        return value["summary"], value.get("question")
    typed = (turn_context.activity.text or "").strip().lower()
    if typed in SUMMARY_WORDS:
        return SUMMARY_WORDS[typed], None
    return None


def _prompt_activity(question: Question, lead: str):
    text = f"**{lead.rstrip('.')}.** {question.prompt}"
    if question.kind is AnswerKind.CHOICES:
        text += "\n\n" + "\n".join(f"{i}. {c}" for i, c in enumerate(question.choices, 1))
    activity = MessageFactory.text(text)
    options = (
        question.choices
        if question.kind is AnswerKind.CHOICE
        else ("Yes", "No")
        if question.kind is AnswerKind.YES_NO
        else ("skip",)
        if question.optional
        else ()
    )
    if options:
        activity.suggested_actions = SuggestedActions(
            actions=[CardAction(type="imBack", title=o, value=o) for o in options]
        )
    return activity
