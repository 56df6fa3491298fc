"""The form of one conversation step: its questions as Adaptive Card inputs, each with the reason
its last answer was refused beside it, and the card that replaces the form once it is answered."""

from __future__ import annotations

from datetime import date

from cards.elements import adaptive_card
from domain.questionnaire import AnswerKind, Question, render_answer

# The Action.Execute verb of every step form; its data names the step.
FORM_VERB = "answer_step"
STEP_FIELD = "step"

_PLACEHOLDERS = {
    AnswerKind.EMAILS: "name@contoso.com, other@contoso.com",
    AnswerKind.URL: "https://",
}


def step_form(
    heading: str,
    step_key: str,
    questions: list[Question],
    *,
    required: set[str],
    values: dict[str, str],
    errors: dict[str, str],
    today: date,
    submit_title: str = "Next",
) -> dict:
    """`values` are what the inputs show (the person's last entries, or the answers so far);
    `errors` the reason beside each refused field."""
    body: list[dict] = [
        {"type": "TextBlock", "text": heading, "size": "Medium", "weight": "Bolder", "wrap": True}
    ]
    for question in questions:
        body.append(_input(question, question.key in required, values.get(question.key, ""), today))
        if question.key in errors:
            body.append(
                {
                    "type": "TextBlock",
                    "text": errors[question.key],
                    "color": "Attention",
                    "size": "Small",
                    "wrap": True,
                    "spacing": "None",
                }
            )
    return adaptive_card(
        body,
        [
            {
                "type": "Action.Execute",
                "title": submit_title,
                "verb": FORM_VERB,
                "data": {STEP_FIELD: step_key},
                "style": "positive",
            }
        ],
    )


def answered_step(heading: str, questions: list[Question], answers: dict) -> dict:
    """What the form becomes once its answers are taken: the answers, no inputs."""
    return adaptive_card(
        [
            {
                "type": "TextBlock",
                "text": f"{heading} ✓",
                "size": "Medium",
                "weight": "Bolder",
                "wrap": True,
            },
            {
                "type": "FactSet",
                "facts": [
                    {"title": q.label, "value": render_answer(q, answers.get(q.key))}
                    for q in questions
                    if q.key in answers
                ],
            },
        ]
    )


def field_value(question: Question, value: object) -> str:
    """An answer as its input shows it (choices by their option number)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if question.kind is AnswerKind.CHOICE and value in question.choices:
        return str(question.choices.index(value) + 1)
    if isinstance(value, list):
        if question.kind is AnswerKind.CHOICES:
            return ",".join(
                str(question.choices.index(v) + 1) for v in value if v in question.choices
            )
        separator = "; " if question.date_parser is not None else ", "
        return separator.join(str(v) for v in value)
    return str(value)


def _input(question: Question, required: bool, value: str, today: date) -> dict:
    label = question.label
    if question.when:
        label += f" ({question.when})"
    elif question.optional:
        label += " (optional)"
    field: dict = {"id": question.key, "label": label, "isRequired": required}
    if required:
        field["errorMessage"] = "An answer is needed here."
    if question.kind in (AnswerKind.CHOICE, AnswerKind.CHOICES, AnswerKind.YES_NO):
        choices = (
            [{"title": "Yes", "value": "yes"}, {"title": "No", "value": "no"}]
            if question.kind is AnswerKind.YES_NO
            else [{"title": c, "value": str(i)} for i, c in enumerate(question.choices, 1)]
        )
        many = question.kind is AnswerKind.CHOICE and len(choices) > 4
        field |= {
            "type": "Input.ChoiceSet",
            "choices": choices,
            "style": "compact" if many else "expanded",
            "isMultiSelect": question.kind is AnswerKind.CHOICES,
        }
        if many:
            field["placeholder"] = "Pick one"
    elif question.kind is AnswerKind.NUMBER:
        field |= {"type": "Input.Number", "min": 0, "placeholder": "e.g. 250"}
    elif question.kind is AnswerKind.DATE:
        field["type"] = "Input.Date"
    else:
        placeholder = (
            question.example(today)
            if question.example
            else question.placeholder or _PLACEHOLDERS.get(question.kind, question.prompt)
        )
        field |= {"type": "Input.Text", "placeholder": placeholder}
        if question.kind is AnswerKind.URL:
            field["style"] = "Url"
        elif question.kind is AnswerKind.TEXT and question.parser is None:
            field["isMultiline"] = question.date_parser is not None or len(question.prompt) > 60
    if value and field["type"] == "Input.Number":
        if value.isdigit():
            field["value"] = int(value)
    elif value:
        field["value"] = value
    return field
