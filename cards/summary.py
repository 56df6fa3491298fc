"""The summary card at the end of a conversation: every answer, change one, or submit."""

from __future__ import annotations

from cards.elements import adaptive_card
from domain.questionnaire import Question, render_answer

SUBMIT = "submit"
CHANGE = "change"
CANCEL = "cancel"


def summary_card(title: str, questions: list[Question], answers: dict, notes: list[str]) -> dict:
    body: list[dict] = [
        {"type": "TextBlock", "text": title, "size": "Large", "weight": "Bolder", "wrap": True},
        {
            "type": "TextBlock",
            "text": "Check your answers. Nothing is sent until you press Submit.",
            "isSubtle": True,
            "wrap": True,
        },
        {
            "type": "FactSet",
            "facts": [
                {"title": q.label, "value": render_answer(q, answers.get(q.key))} for q in questions
            ],
        },
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
    return adaptive_card(
        body,
        [
            {
                "type": "Action.Submit",
                "title": "Submit request",
                "style": "positive",
                "data": {"summary": SUBMIT},
            },
            {"type": "Action.Submit", "title": "Change this answer", "data": {"summary": CHANGE}},
            {"type": "Action.Submit", "title": "Cancel", "data": {"summary": CANCEL}},
        ],
    )
