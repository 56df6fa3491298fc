"""The approval card: a request as its approver sees it, with Approve / Decline / Ask buttons.

Pure functions of domain objects. Buttons are Action.Execute (Universal Actions) with an
Action.Submit fallback carrying the same verb and data, for clients without Universal Actions.
`refresh` lists the Teams user ids that see the buttons; everyone else gets the read-only card.
"""

from __future__ import annotations

from collections.abc import Sequence

from cards.elements import adaptive_card, attention
from domain.questionnaire import Question, render_answer
from domain.requests import AuditEntry, Move, Request, Status

REFRESH_VERB = "refresh"
COMMENT_INPUT = "comment"
HIDDEN = "(hidden: only the requester and the approvers see personal data)"
# What the person a request waits on can do, by status: (input label, buttons).
_CHOICES = {
    Status.SUBMITTED: (
        "Comment (required to decline or to ask for more information)",
        (
            (Move.APPROVE, "Approve", "positive"),
            (Move.DECLINE, "Decline", "destructive"),
            (Move.ASK_MORE_INFO, "Ask for more information", "default"),
        ),
    ),
    Status.DIRECTOR_REVIEW: (
        "Comment (required to decline)",
        ((Move.APPROVE, "Approve", "positive"), (Move.DECLINE, "Decline", "destructive")),
    ),
    Status.MORE_INFO_REQUESTED: (
        "Your answer",
        (
            (Move.ANSWER_MORE_INFO, "Send answer", "positive"),
            (Move.CANCEL, "Cancel the request", "destructive"),
        ),
    ),
}


def action_data(request: Request, move: Move) -> dict:
    return {"verb": move.value, "requestId": request.id, "version": request.version}


def approval_card(
    request: Request,
    questions: list[Question],
    history: list[AuditEntry],
    *,
    notes: Sequence[str] = (),
    highlights: Sequence[tuple[str, str]] = (),
    actionable: bool = False,
    approver_user_ids: Sequence[str] = (),
    notice: str | None = None,
    show_personal: bool = True,
) -> dict:
    """`actionable`: the buttons are on this copy (it is for the person the request waits on:
    the approver, or the requester when more information was asked for). `show_personal`:
    answers to personal questions are shown (to the requester and the approvers only)."""
    body: list[dict] = []
    if notice:
        body.append(
            {
                "type": "TextBlock",
                "text": notice,
                "wrap": True,
                "color": "Attention",
                "weight": "Bolder",
            }
        )
    body += [
        {
            "type": "TextBlock",
            "text": f"{request.kind.label} request {request.id}",
            "size": "Large",
            "weight": "Bolder",
            "wrap": True,
        },
        {
            "type": "TextBlock",
            "text": f"Status: {request.status.label}",
            "color": _status_colour(request.status),
            "weight": "Bolder",
            "wrap": True,
        },
        {
            "type": "FactSet",
            "facts": [
                {"title": "Customer", "value": request.customer},
                {"title": "Area", "value": request.area.name},
                {"title": "Requested by", "value": request.requester.display_name},
                {"title": "Submitted", "value": _when(request.submitted_at)},
                *(
                    [{"title": "Waiting on", "value": request.waiting_on.display_name}]
                    if request.waiting_on and request.is_open
                    else []
                ),
                {
                    "title": "Regional director review",
                    "value": "Yes (funding, a partner or considerable effort)"
                    if request.needs_director
                    else "No",
                },
            ],
        },
        *(
            [
                {
                    "type": "Container",
                    "separator": True,
                    "style": "emphasis",
                    "items": [
                        {
                            "type": "FactSet",
                            "facts": [{"title": t, "value": v} for t, v in highlights],
                        }
                    ],
                }
            ]
            if highlights
            else []
        ),
        {
            "type": "Container",
            "separator": True,
            "items": [
                {"type": "TextBlock", "text": "Answers", "weight": "Bolder", "wrap": True},
                {
                    "type": "FactSet",
                    "facts": [
                        {"title": q.label, "value": _answer(q, request.answers, show_personal)}
                        for q in questions
                        if q.applies_to(request.answers)
                    ],
                },
            ],
        },
    ]
    body += [{"type": "TextBlock", "text": f"ℹ️ {note}", "wrap": True} for note in notes]
    decisions = [entry for entry in history if entry.move is not None]
    if decisions:
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [
                    {"type": "TextBlock", "text": "History", "weight": "Bolder", "wrap": True},
                    *(_history_line(entry) for entry in decisions),
                ],
            }
        )
    card = adaptive_card(body)
    if request.is_open and approver_user_ids:
        card["refresh"] = {
            "action": {
                "type": "Action.Execute",
                "verb": REFRESH_VERB,
                "data": {"verb": REFRESH_VERB, "requestId": request.id},
            },
            "userIds": list(approver_user_ids),
        }
    if actionable and request.status in _CHOICES:
        label, buttons = _CHOICES[request.status]
        if request.status is Status.MORE_INFO_REQUESTED:
            body.append(_question_asked(history))
        body.append(
            {
                "type": "Input.Text",
                "id": COMMENT_INPUT,
                "label": label,
                "isMultiline": True,
                "maxLength": 2000,
            }
        )
        card["actions"] = [
            execute_button(request, move, title, style) for move, title, style in buttons
        ]
    return card


def execute_button(
    request: Request, move: Move, title: str, style: str, data: dict | None = None
) -> dict:
    """Action.Execute with an Action.Submit fallback carrying the same verb and data."""
    data = data or action_data(request, move)
    return {
        "type": "Action.Execute",
        "title": title,
        "verb": move.value,
        "style": style,
        "data": data,
        "fallback": {"type": "Action.Submit", "title": title, "style": style, "data": data},
    }


def notice_card(text: str) -> dict:
    return adaptive_card([attention(text)])


def _answer(question: Question, answers: dict, show_personal: bool) -> str:
    if question.personal and not show_personal:
        return HIDDEN
    return render_answer(question, answers.get(question.key))


def _question_asked(history: list[AuditEntry]) -> dict:
    asked = [entry for entry in history if entry.move is Move.ASK_MORE_INFO][-1]
    return {
        "type": "TextBlock",
        "wrap": True,
        "weight": "Bolder",
        "text": f"{asked.actor.display_name} asks: “{asked.comment}”",
    }


def _history_line(entry: AuditEntry) -> dict:
    what = {
        None: "submitted the request",
        Move.APPROVE: "approved",
        Move.DECLINE: "declined",
        Move.ASK_MORE_INFO: "asked for more information",
        Move.ANSWER_MORE_INFO: "answered",
        Move.CANCEL: "cancelled the request",
        Move.RECORD_OUTCOME: "recorded the outcome",
    }[entry.move]
    text = f"**{entry.actor.display_name}** {what} on {_when(entry.at)}"
    if entry.comment:
        text += f": “{entry.comment}”"
    return {"type": "TextBlock", "text": text, "wrap": True}


def _when(moment) -> str:
    return moment.strftime("%d %b %Y %H:%M UTC")


def _status_colour(status: Status) -> str:
    if status in (Status.APPROVED, Status.CLOSED):
        return "Good"
    if status in (Status.DECLINED, Status.CANCELLED):
        return "Attention"
    return "Accent"
