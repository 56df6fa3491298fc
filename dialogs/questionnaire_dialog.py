"""A conversation led step by step, one step per topic, then a summary to submit.

Each step comes as one message: "Step n of N", the first question to type an answer to, and a
form (Adaptive Card, Action.Execute) with all the step's questions. The person fills in the form,
or types the answers one at a time. A refused form comes back with the reason beside each refused
field and the other entries kept; a refused typed answer is asked again with its reason, under
the same step number. Steps count topics, not questions; when a branch adds steps (or drops
them) the next prompt says so. From the summary the person changes any answer (and is asked what
that change makes newly relevant) or submits. A summary left behind (submitted, cancelled, or
replaced by a newer one) is replaced in place by a card saying so, with no buttons; a press on
an old one that was not replaced is told what became of it.

The dialog's state holds only plain JSON values (the answers, step keys), never botbuilder
objects.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.dialogs import (
    Dialog,
    DialogContext,
    DialogInstance,
    DialogReason,
    DialogTurnResult,
)
from botbuilder.schema import Activity, ActivityTypes, CardAction, SuggestedActions, TextFormatTypes

from bot.card_activity import card_activity
from bot.connector import BotConnectorError
from cards import summary
from cards.elements import adaptive_card
from cards.step_form import FORM_VERB, STEP_FIELD, answered_step, field_value, step_form
from dialogs.messages import markdown
from dialogs.wording import describe
from domain.questionnaire import (
    AnswerKind,
    InvalidAnswer,
    Question,
    Step,
    applicable,
    applicable_steps,
    next_step,
    questions_of,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submitted:
    reference: str  # what the submission made, as the person reads it (NSD-0001)
    confirmation: str  # what they are told (Markdown)


# Called with the answers and the submission key when the person submits.
Submit = Callable[[TurnContext, dict, str], Awaitable[Submitted]]
# The reference of what a submission key made for the person in this turn, if anything.
SubmittedBefore = Callable[[TurnContext, str], Awaitable[str | None]]
# Notes for the summary card, derived from the answers (e.g. playbook hints).
Notes = Callable[[dict], list[str]]
# Of the addresses typed, those the directory says no one has.
UnknownAddresses = Callable[[list[str]], Awaitable[list[str]]]
# For a conversation that submits nothing (e.g. a check ending in a verdict): the card its
# answers end in, shown instead of the summary.
Conclude = Callable[[dict], dict]

SUMMARY_WORDS = {"submit": summary.SUBMIT, "send": summary.SUBMIT}
# Where a form submitted by Action.Execute leaves the card that replaces it (the invoke answer).
FORM_REPLY = "questionnaire.form_reply"

_ANSWERS = "answers"
_SHOWN_STEPS = "shown_steps"  # the steps counted in the last "Step n of N"
_FORM_SHOWN = "form_shown"  # the step whose form was last sent
_ASKING = "asking"  # the question a typed answer answers
_EDITING = "editing"  # the step being changed from the summary
_AT_SUMMARY = "at_summary"
_SUBMISSION_KEY = "submission_key"
_SUMMARY_ID = "summary_id"  # the activity showing the live summary, replaced once it is left

CANCELLED_SUMMARY = "Cancelled: nothing was submitted."


class QuestionnaireDialog(Dialog):
    def __init__(
        self,
        dialog_id: str,
        title: str,
        steps: list[Step],
        submit: Submit | None,
        notes: Notes = lambda answers: [],
        unknown_addresses: UnknownAddresses | None = None,
        conclude: Conclude | None = None,
        submitted_before: SubmittedBefore | None = None,
    ) -> None:
        """Either `submit` (a summary, then a submission) or `conclude` (a card, nothing
        submitted); `submitted_before` says what a summary pressed after it was left made."""
        if (submit is None) == (conclude is None):
            raise ValueError("a conversation either submits or concludes")
        super().__init__(dialog_id)
        self._unknown_addresses = unknown_addresses
        self._title = title
        self._steps = steps
        self._ordered = questions_of(steps)
        self._questions = {q.key: q for q in self._ordered}
        self._step_of = {q.key: step for step in steps for q in step.questions}
        self._submit = submit
        self._submitted_before = submitted_before
        self._notes = notes
        self._conclude = conclude

    # --- the Dialog interface ---------------------------------------------------------------

    async def begin_dialog(
        self, dialog_context: DialogContext, options: object = None
    ) -> DialogTurnResult:
        """`options`: answers given with the command, as typed ({"customer": "Contoso"})."""
        state = dialog_context.active_dialog.state
        state.update(
            {
                _ANSWERS: self._prefilled(options),
                _SHOWN_STEPS: [],
                _FORM_SHOWN: None,
                _ASKING: None,
                _EDITING: None,
                _AT_SUMMARY: False,
            }
        )
        return await self._ask(dialog_context, state)

    def _prefilled(self, options: object) -> dict:
        answers: dict = {}
        for key, text in (options if isinstance(options, dict) else {}).items():
            if key in self._questions:
                try:
                    answers[key] = self._questions[key].parse(str(text), _today())
                except InvalidAnswer:
                    continue  # asked like any other
        return answers

    async def continue_dialog(self, dialog_context: DialogContext) -> DialogTurnResult:
        state = dialog_context.active_dialog.state
        activity = dialog_context.context.activity
        form = _form_data(activity)
        click = summary.summary_click(activity.value)
        if click is not None and not (
            state[_AT_SUMMARY] and click.key in (None, state.get(_SUBMISSION_KEY))
        ):
            await dialog_context.context.send_activity(
                markdown(
                    await old_summary_text(
                        self._submitted_before, dialog_context.context, click.key
                    )
                )
            )
            return Dialog.end_of_turn
        if state[_AT_SUMMARY]:
            if form is not None:
                _reply_to_form(dialog_context.context, _answered_already())
                return Dialog.end_of_turn
            return await self._on_summary_choice(dialog_context, state)
        if form is not None:
            return await self._on_form(dialog_context, state, form)
        if activity.type != ActivityTypes.message:
            return Dialog.end_of_turn
        return await self._on_typed(dialog_context, state, activity.text or "")

    async def end_dialog(
        self, context: TurnContext, instance: DialogInstance, reason: DialogReason
    ) -> None:
        if reason == DialogReason.CancelCalled:  # typed `cancel`, `restart`, another menu item
            await self._close_summary(context, instance.state, CANCELLED_SUMMARY, good=False)

    async def reprompt_dialog(self, context: TurnContext, instance: DialogInstance) -> None:
        state = instance.state
        if state[_AT_SUMMARY]:
            await self._send_summary(context, state)
            return
        state[_FORM_SHOWN] = None  # the form again: the last one may be far up the chat
        await self._send_prompt(context, state)

    # --- asking -------------------------------------------------------------------------------

    def _current_step(self, state: dict, applying: list[Question] | None = None) -> Step | None:
        """`applying`: the questions that apply to the answers, when worked out already."""
        if state[_EDITING]:
            return self._step_of[state[_EDITING]]
        answers = state[_ANSWERS]
        if applying is None:
            return next_step(self._steps, answers)
        # In step order: the first that is not answered is in the next step.
        return next((self._step_of[q.key] for q in applying if q.key not in answers), None)

    async def _ask(
        self, dialog_context: DialogContext, state: dict, applying: list[Question] | None = None
    ) -> DialogTurnResult:
        """`applying`: the questions that apply to the answers, when worked out already."""
        step = self._current_step(state, applying)
        if step is None and self._conclude is not None:
            card = self._conclude(state[_ANSWERS])
            await dialog_context.context.send_activity(card_activity(card))
            return await dialog_context.end_dialog(state[_ANSWERS])
        if step is None:
            state[_AT_SUMMARY] = True
            # Fixed now and kept in the dialog state: pressing Submit twice, on two instances,
            # or again after a crash during the submission, submits once.
            state[_SUBMISSION_KEY] = uuid.uuid4().hex
            await self._send_summary(dialog_context.context, state, applying)
        else:
            await self._send_prompt(dialog_context.context, state)
        return Dialog.end_of_turn

    def _heading(self, step: Step, state: dict) -> str:
        if state[_EDITING]:
            return f"Changing your answers · {step.title}"
        steps = applicable_steps(self._steps, state[_ANSWERS])
        number = steps.index(step) + 1 if step in steps else len(steps)
        return f"Step {number} of {len(steps)} · {step.title}"

    def _count_change(self, state: dict, applying: list[Question] | None) -> str | None:
        """Why the number of steps changed since the last prompt, or None. `applying`: the
        questions that apply to the answers, when worked out already."""
        if applying is None:
            steps = applicable_steps(self._steps, state[_ANSWERS])
        else:
            keys = {q.key for q in applying}
            steps = [s for s in self._steps if any(q.key in keys for q in s.questions)]
        now = [s.key for s in steps]
        before = state[_SHOWN_STEPS]
        state[_SHOWN_STEPS] = now
        if not before or state[_EDITING]:
            return None
        reasons: list[str] = []
        added = [s for s in self._steps if s.key in now and s.key not in before]
        for because in dict.fromkeys(s.added_because or f"{s.title} applies" for s in added):
            count = sum(1 for s in added if (s.added_because or f"{s.title} applies") == because)
            reasons.append(f"{because}, so {_steps_word(count)} {_was(count)} added")
        dropped = [s for s in self._steps if s.key in before and s.key not in now]
        if dropped:
            names = ", ".join(s.title for s in dropped)
            reasons.append(
                f"{_steps_word(len(dropped))} no longer {_applies(len(dropped))} ({names})"
            )
        return "; ".join(reasons) or None

    async def _send_prompt(
        self,
        context: TurnContext,
        state: dict,
        reason: str | None = None,
        applying: list[Question] | None = None,
    ) -> None:
        """`applying`: the questions that apply to the answers, when worked out already."""
        step = self._current_step(state)
        assert step is not None
        answers = state[_ANSWERS]
        question = self._question_to_type(step, state)
        state[_ASKING] = question.key
        heading = self._heading(step, state)
        change = self._count_change(state, applying)
        lead = f"**{heading}**: {change}." if change else f"**{heading}.**"
        if state[_FORM_SHOWN] != step.key:
            state[_FORM_SHOWN] = step.key
            intro = (
                "Change what you need in the form, or type the new answer here."
                if state[_EDITING]
                else "Fill in the form, or type the answers here one at a time."
            )
            text = f"{lead} {intro}\n\n{_question_text(question, reason)}"
            values = {
                q.key: field_value(q, answers[q.key]) for q in step.questions if q.key in answers
            }
            card = self._form(step, heading, answers, values, {})
            activity = card_activity(card)
            activity.text = text
        else:
            activity = markdown(f"{lead} {_question_text(question, reason)}")
        activity.text_format = TextFormatTypes.markdown
        activity.suggested_actions = _suggested_actions(question)
        await context.send_activity(activity)

    def _question_to_type(self, step: Step, state: dict) -> Question:
        asking = state[_ASKING]
        answers = state[_ANSWERS]
        if state[_EDITING]:
            return self._questions[state[_EDITING]]
        unanswered = step.unanswered(answers)
        if asking in {q.key for q in unanswered}:
            return self._questions[asking]
        return unanswered[0]

    def _form(
        self,
        step: Step,
        heading: str,
        answers: dict,
        values: dict[str, str],
        errors: dict[str, str],
    ) -> dict:
        before = _without(answers, step)
        shown = step.asked(before)
        required = {q.key for q in shown if not q.optional and q.when is None}
        return step_form(
            heading,
            step.key,
            shown,
            required=required,
            values=values,
            errors=errors,
            today=_today(),
            submit_title="Save changes" if not step.unanswered(answers) else "Next",
        )

    # --- answers ------------------------------------------------------------------------------

    async def _on_typed(
        self, dialog_context: DialogContext, state: dict, text: str
    ) -> DialogTurnResult:
        context = dialog_context.context
        step = self._current_step(state)
        assert step is not None
        question = self._question_to_type(step, state)
        try:
            value = question.parse(text, _today())
            await self._check_in_directory(question, value)
        except InvalidAnswer as reason:
            await self._send_prompt(context, state, str(reason))
            return Dialog.end_of_turn
        state[_ANSWERS][question.key] = value
        state[_EDITING] = None
        return await self._after_answers(dialog_context, state, [question])

    async def _on_form(
        self, dialog_context: DialogContext, state: dict, data: dict
    ) -> DialogTurnResult:
        context = dialog_context.context
        step = self._current_step(state)
        if step is None or data.get(STEP_FIELD) != step.key:
            _reply_to_form(context, _answered_already())
            return Dialog.end_of_turn
        answers = state[_ANSWERS]
        shown = step.asked(_without(answers, step))
        typed = {q.key: _input_text(data.get(q.key)) for q in shown}
        parsed: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for question in shown:
            if not typed[question.key]:
                # Typed in the chat after this form was sent, so the form does not hold it.
                if question.key in answers and not state[_EDITING]:
                    parsed[question.key] = answers[question.key]
                continue
            try:
                parsed[question.key] = question.parse(typed[question.key], _today())
                await self._check_in_directory(question, parsed[question.key])
            except InvalidAnswer as reason:
                parsed.pop(question.key, None)
                errors[question.key] = str(reason)
        merged = {**_without(answers, step), **parsed}
        for question in shown:
            if not question.applies_to(merged):
                parsed.pop(question.key, None)
                errors.pop(question.key, None)
            elif question.key not in parsed and question.key not in errors:
                if question.optional:
                    parsed[question.key] = None
                else:
                    errors[question.key] = "An answer is needed here."
        heading = self._heading(step, state)
        if errors:
            _reply_to_form(context, self._form(step, heading, answers, typed, errors))
            return Dialog.end_of_turn
        state[_ANSWERS] = {**_without(answers, step), **parsed}
        state[_EDITING] = None
        _reply_to_form(
            context, answered_step(heading, step.asked(state[_ANSWERS]), state[_ANSWERS])
        )
        return await self._after_answers(
            dialog_context, state, [q for q in step.questions if q.key in parsed]
        )

    async def _check_in_directory(self, question: Question, value: object) -> None:
        """Addresses no one in the directory has are refused with the reason (when the bot may
        look them up; otherwise, or when the directory does not answer in time, they stand)."""
        if (
            self._unknown_addresses is None
            or question.kind is not AnswerKind.EMAILS
            or not isinstance(value, list)
        ):
            return
        unknown = await self._unknown_addresses(value)
        if len(unknown) == 1:
            raise InvalidAnswer(
                f"No one in the directory has the address {unknown[0]}: check its spelling."
            )
        if unknown:
            raise InvalidAnswer(
                f"No one in the directory has the addresses {', '.join(unknown)}: check them."
            )

    async def _after_answers(
        self, dialog_context: DialogContext, state: dict, answered: list[Question]
    ) -> DialogTurnResult:
        """Stop when an answer ends the conversation; otherwise say what the answers mean and
        go on to what is still to ask."""
        context = dialog_context.context
        answers = state[_ANSWERS]
        for question in answered:
            stop = question.stop(answers) if question.stop else None
            if stop:
                await context.send_activity(markdown(describe(stop)))
                return await dialog_context.end_dialog()
        infos = [question.info(answers) for question in answered if question.info]
        said = list(dict.fromkeys(describe(info) for info in infos if info))
        if said:
            await context.send_activity(markdown("\n\n".join(said)))
        # Drop answers to questions that no longer apply (e.g. artifacts when no partner delivers).
        applying = applicable(self._ordered, answers)
        relevant = {q.key for q in applying}
        state[_ANSWERS] = {k: v for k, v in answers.items() if k in relevant}
        # With none dropped, the same questions apply to what is left.
        unchanged = len(state[_ANSWERS]) == len(answers)
        return await self._ask(dialog_context, state, applying if unchanged else None)

    # --- summary ------------------------------------------------------------------------------

    async def _send_summary(
        self, context: TurnContext, state: dict, applying: list[Question] | None = None
    ) -> None:
        await self._close_summary(context, state, "Replaced by a newer summary, below.", good=False)
        answers = state[_ANSWERS]
        card = summary.summary_card(
            self._title,
            applicable(self._ordered, answers) if applying is None else applying,
            answers,
            self._notes(answers),
            state.get(_SUBMISSION_KEY),
        )
        sent = await context.send_activity(card_activity(card))
        state[_SUMMARY_ID] = sent.id if sent else None

    async def _close_summary(
        self,
        context: TurnContext,
        state: dict,
        outcome: str,
        *,
        good: bool,
        applying: list[Question] | None = None,
    ) -> None:
        """The live summary, if one was sent, becomes `outcome` with no buttons. `applying`:
        the questions that apply to the answers, when worked out already."""
        summary_id = state.pop(_SUMMARY_ID, None)
        if not summary_id:
            return
        answers = state[_ANSWERS]
        if applying is None:
            applying = applicable(self._ordered, answers)
        closed = card_activity(
            summary.closed_summary_card(self._title, applying, answers, outcome, good=good)
        )
        closed.id = summary_id
        try:
            await context.update_activity(closed)
        except BotConnectorError as error:
            # Its buttons stay; a press on them is told what became of it.
            log.warning("Could not replace the summary %s: %s", summary_id, error)

    async def _on_summary_choice(
        self, dialog_context: DialogContext, state: dict
    ) -> DialogTurnResult:
        context = dialog_context.context
        choice = _summary_choice(context)
        if choice is None:
            await context.send_activity(
                markdown(
                    "Press **Submit request** on the card above, pick an answer to change, or "
                    "type `cancel`."
                )
            )
            return Dialog.end_of_turn
        action, question_key = choice
        if action == summary.CANCEL:
            await context.send_activity(markdown("Cancelled. Nothing was submitted."))
            await self._close_summary(context, state, CANCELLED_SUMMARY, good=False)
            return await dialog_context.end_dialog()
        if action == summary.CHANGE and question_key in self._questions:
            label = self._questions[question_key].label
            # The summary closed and the step counted are of the same answers.
            applying = applicable(self._ordered, state[_ANSWERS])
            await self._close_summary(
                context,
                state,
                f"Replaced: you are changing “{label}”; a new summary follows your answer.",
                good=False,
                applying=applying,
            )
            state[_AT_SUMMARY] = False
            state[_EDITING] = question_key
            state[_FORM_SHOWN] = None
            await self._send_prompt(context, state, applying=applying)
            return Dialog.end_of_turn
        # A summary shown before submission keys existed gets its key now.
        key = state.get(_SUBMISSION_KEY) or uuid.uuid4().hex
        # Only a conversation that submits reaches its summary.
        assert self._submit is not None
        submitted = await self._submit(context, state[_ANSWERS], key)
        await context.send_activity(markdown(submitted.confirmation))
        await self._close_summary(
            context, state, f"Submitted as {submitted.reference} ✓", good=True
        )
        return await dialog_context.end_dialog(state[_ANSWERS])


def _today() -> date:
    return datetime.now(UTC).date()


def _without(answers: dict, step: Step) -> dict:
    keys = {q.key for q in step.questions}
    return {k: v for k, v in answers.items() if k not in keys}


def _steps_word(count: int) -> str:
    return "one step" if count == 1 else f"{count} steps"


def _was(count: int) -> str:
    return "was" if count == 1 else "were"


def _applies(count: int) -> str:
    return "applies" if count == 1 else "apply"


def _form_data(activity: Activity) -> dict | None:
    """The inputs of a step form, submitted with Action.Execute (an adaptiveCard/action invoke)."""
    if activity.type != ActivityTypes.invoke or activity.name != "adaptiveCard/action":
        return None
    action = activity.value.get("action") if isinstance(activity.value, dict) else None
    if not isinstance(action, dict) or action.get("verb") != FORM_VERB:
        return None
    data = action.get("data")
    return data if isinstance(data, dict) else {}


def _reply_to_form(context: TurnContext, card: dict) -> None:
    context.turn_state[FORM_REPLY] = card


def _answered_already() -> dict:
    return adaptive_card(
        [
            {
                "type": "TextBlock",
                "text": "This step is already answered; carry on with the latest message.",
                "wrap": True,
            }
        ]
    )


async def old_summary_text(
    submitted_before: SubmittedBefore | None, context: TurnContext, key: str | None
) -> str:
    """What became of a summary pressed after it was left."""
    reference = await submitted_before(context, key) if key and submitted_before else None
    if reference:
        return (
            f"That summary was submitted already, as **{reference}**; nothing more was sent. "
            "Type `my requests` to follow it."
        )
    return (
        "That summary is out of date: it was cancelled, replaced by a newer one after a "
        "change, or submitted (`my requests` lists what you submitted). Nothing was sent from "
        "this press. Carry on with the latest message, or type `help`."
    )


def _summary_choice(turn_context: TurnContext) -> tuple[str, str | None] | None:
    click = summary.summary_click(turn_context.activity.value)
    if click is not None:
        return click.action, click.question
    typed = (turn_context.activity.text or "").strip().lower()
    if typed in SUMMARY_WORDS:
        return SUMMARY_WORDS[typed], None
    return None


def _question_text(question: Question, reason: str | None) -> str:
    """The question, its example and its options, once; after the reason a typed answer was
    refused, when it was."""
    text = question.prompt
    if question.example:
        text += f" For example: {question.example(_today())}."
    if reason:
        text = f"{reason} {text}"
    if question.kind in (AnswerKind.CHOICE, AnswerKind.CHOICES):
        how = (
            "one or more numbers or names"
            if question.kind is AnswerKind.CHOICES
            else "a number or a name"
        )
        text += "\n\n" + "\n".join(f"{i}. {c}" for i, c in enumerate(question.choices, 1))
        text += f"\n\nType {how}" + (", or `skip` if none." if question.optional else ".")
    return text


def _suggested_actions(question: Question) -> SuggestedActions | None:
    """Buttons only for short answers: yes or no, and `skip`. Options are numbered in the text
    (long ones were cut off on buttons)."""
    options = (
        ["Yes", "No"]
        if question.kind is AnswerKind.YES_NO
        else ["skip"]
        if question.optional
        else []
    )
    if not options:
        return None
    return SuggestedActions(actions=[CardAction(type="imBack", title=o, value=o) for o in options])


def _input_text(value: object) -> str:
    """An input's value as text: clients send strings, some send numbers for Input.Number."""
    return "" if value is None else str(value).strip()
