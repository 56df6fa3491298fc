"""The summary card at the end of a conversation: every answer, change one, or submit; and what
it becomes once left (submitted, cancelled, or replaced by a newer summary), with no buttons."""

from __future__ import annotations

from dataclasses import dataclass

from cards.elements import adaptive_card
from domain.questionnaire import Question, render_answer

SUBMIT = "submit"
CHANGE = "change"
CANCEL = "cancel"
# The button data naming the summary's submission: a click on an older summary is told apart.
# Not "key": the Agents Playground then sends nothing when the button is pressed.
KEY_FIELD = "submission"


@dataclass(frozen=True)
class SummaryClick:
    """A press on a summary's button: what it asks for, the answer to change, its summary."""

    action: str
    question: str | None
    key: str | None  # None on summaries sent before their buttons carried it


def summary_click(value: object) -> SummaryClick | None:
    """The summary button pressed, when a message's value is one."""
    if not isinstance(value, dict) or value.get("summary") not in (SUBMIT, CHANGE, CANCEL):
        return None
    question, key = value.get("question"), value.get(KEY_FIELD)
    return SummaryClick(
        value["summary"],
        question if isinstance(question, str) else None,
        key if isinstance(key, str) else None,
    )


def summary_card(
    title: str,
    questions: list[Question],
    answers: dict,
    notes: list[str],
    submission_key: str | None = None,
) -> dict:
    body: list[dict] = [
        _title(title),
        {
            "type": "TextBlock",
            "text": "Check your answers. Nothing is sent until you press Submit.",
            "isSubtle": True,
            "wrap": True,
        },
        _facts(questions, answers),
    ]
    body += [{"type": "TextBlock", "text": f"ℹ️ {note}", "wrap": True} for note in notes]
    body.append(
        {
            "type": "Input.ChoiceSet",
            "id": "question",
            "label": "Change an answer",
            "style": "compact",
            "value": questions[0].key,
            "choices": [{"title": q.label, "value": q.key} for q in questions],
        }
    )
    key = {KEY_FIELD: submission_key} if submission_key else {}
    return adaptive_card(
        body,
        [
            {
                "type": "Action.Submit",
                "title": "Submit request",
                "style": "positive",
                "data": {"summary": SUBMIT, **key},
            },
            {
                "type": "Action.Submit",
                "title": "Change this answer",
                "data": {"summary": CHANGE, **key},
            },
            {"type": "Action.Submit", "title": "Cancel", "data": {"summary": CANCEL, **key}},
        ],
    )


def closed_summary_card(
    title: str, questions: list[Question], answers: dict, outcome: str, *, good: bool
) -> dict:
    """What a summary becomes once left: `outcome` on a band at the top, the answers kept as a
    record, and nothing to press."""
    band = {
        "type": "Container",
        "style": "good" if good else "emphasis",
        "bleed": True,
        "items": [{"type": "TextBlock", "text": outcome, "weight": "Bolder", "wrap": True}],
    }
    return adaptive_card([_title(title), band, _facts(questions, answers)])


def _title(title: str) -> dict:
    return {"type": "TextBlock", "text": title, "size": "Large", "weight": "Bolder", "wrap": True}


def _facts(questions: list[Question], answers: dict) -> dict:
    return {
        "type": "FactSet",
        "facts": [
            {"title": q.label, "value": render_answer(q, answers.get(q.key))} for q in questions
        ],
    }
