"""The approval card: a request as its approver sees it, with Approve / Decline / Ask buttons.

Pure functions of domain objects. Buttons are Action.Execute (Universal Actions) with an
Action.Submit fallback carrying the same verb and data, for clients without Universal Actions.
`refresh` lists the Teams user ids that see the buttons; everyone else gets the read-only card.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from cards.elements import (
    adaptive_card,
    attention,
    cancel_confirmation,
    execute_action,
    toggle_action,
)
from domain.questionnaire import Question, render_answer
from domain.requests import AuditEntry, Move, Request, Status

REFRESH_VERB = "refresh"
COMMENT_INPUT = "comment"
COMMENT_MAX_LENGTH = 2000
ANSWERS_ID = "allAnswers"
HISTORY_ID = "earlierHistory"
CHECKLIST_ID = "checklist"
# A key fact longer than this is cut, at a word, with "…": the whole answer is under "Show all
# answers", and the card stays one screen tall whatever was typed (answers take 2,000 chars).
FACT_LENGTH = 130
# Every request names these; the card's first line says them.
_SHOWN_ABOVE = frozenset({"customer", "area"})
_URL = re.compile(r"https?://\S+")
_LINK_TEXT_LENGTH = 48
HIDDEN = "(hidden: only the requester and the approvers see personal data)"
# The buttons of the moves the request's workflow offers the person it waits on.
_BUTTONS = {
    Move.APPROVE: ("Approve", "positive"),
    Move.DECLINE: ("Decline", "destructive"),
    Move.ASK_MORE_INFO: ("Ask for more info", "default"),  # one row with the others
    Move.ANSWER_MORE_INFO: ("Send answer", "positive"),
    Move.CANCEL: ("Cancel the request", "destructive"),
}
# The moves that need the comment, as the comment box's label names them.
_COMMENT_NEEDED_TO = {Move.DECLINE: "decline", Move.ASK_MORE_INFO: "ask for more information"}


def action_data(request: Request, move: Move) -> dict:
    return {"verb": move.value, "requestId": request.id, "version": request.version}


def approval_card(
    request: Request,
    questions: list[Question],
    history: list[AuditEntry],
    *,
    notes: Sequence[str] = (),
    checklist: Sequence[str] = (),
    highlights: Sequence[tuple[str, str]] = (),
    flags: Sequence[str] = (),
    actionable: bool = False,
    approver_user_ids: Sequence[str] = (),
    notice: str | None = None,
    show_personal: bool = True,
) -> dict:
    """`flags`: what the request involves that sends it on to the director (funding, a
    partner), said in its first line. `highlights`: the key facts, each cut to FACT_LENGTH.
    `notes`: what the approver should read beside the facts; `checklist`: a longer list (e.g.
    the FTOP tasks and what to record where), folded. `actionable`: the buttons are on this
    copy (it is for the person the request waits on: the approver, or the requester when more
    information was asked for). `show_personal`: answers to personal questions are shown (to
    the requester and the approvers only).

    Read in one screen: what is asked and the key facts first, then the comment box and the
    buttons; the full answers, the checklist and the older history sit behind toggles.
    `notice` (why nothing changed, what is missing) sits right above the buttons, where the
    click was."""
    offered = request.kind.workflow.offered.get(request.status, ()) if actionable else ()
    body: list[dict] = [
        _header(request),
        {"type": "TextBlock", "text": _asked(request, flags, bool(offered)), "wrap": True},
        _key_facts(request, highlights),
    ]
    body += [
        {"type": "TextBlock", "text": f"ℹ️ {note}", "wrap": True, "spacing": "Small"}
        for note in notes
    ]
    body += _folded(
        ("Show all answers", ANSWERS_ID, _answers(request, questions, show_personal)),
        (
            f"Show the checklist ({len(checklist)})",
            CHECKLIST_ID,
            [
                {"type": "TextBlock", "text": f"ℹ️ {line}", "wrap": True, "spacing": "Small"}
                for line in checklist
            ],
        ),
    )
    asks_the_viewer = Move.ANSWER_MORE_INFO in offered
    question = _last_question(history) if asks_the_viewer else None
    # The question is said once, above the answer box, not also as the last move.
    body += _history_section([entry for entry in history if entry is not question])
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
    confirm: dict | None = None
    if offered:
        if question is not None:
            body.append(_question_asked(question))
        body.append(
            {
                "type": "Input.Text",
                "id": COMMENT_INPUT,
                "label": _comment_label(offered),
                "isMultiline": True,
                "maxLength": COMMENT_MAX_LENGTH,
                "separator": True,
            }
        )
        actions: list[dict] = []
        for move in offered:
            title, style = _BUTTONS[move]
            if move is Move.CANCEL:
                # Like `my requests`: the click only asks; the move is behind "Yes, cancel".
                yes = execute_button(request, move, f"Yes, cancel {request.id}", style)
                confirm = cancel_confirmation(request.id, yes)
                actions.append(toggle_action(title, confirm["id"]))
            else:
                actions.append(execute_button(request, move, title, style))
        card["actions"] = actions
    if notice:
        body.append(_notice(notice))
    if confirm:
        body.append(confirm)  # last: it opens right above the buttons
    return card


def execute_button(
    request: Request, move: Move, title: str, style: str, data: dict | None = None
) -> dict:
    """A move's button, carrying the request and the version the card shows."""
    return execute_action(move.value, title, style, data or action_data(request, move))


def _comment_label(offered: Sequence[Move]) -> str:
    """The comment box's label: the requester's answer, or what the comment is needed for."""
    if Move.ANSWER_MORE_INFO in offered:
        return "Your answer"
    needed = [_COMMENT_NEEDED_TO[move] for move in offered if move in _COMMENT_NEEDED_TO]
    return f"Comment (required to {' or to '.join(needed)})" if needed else "Comment"


def notice_card(text: str) -> dict:
    return adaptive_card([attention(text)])


def _header(request: Request) -> dict:
    """Title and status on a band coloured by status: default text on a light tint, so the
    status reads at a glance with WCAG AA contrast (coloured text on white did not)."""
    return {
        "type": "Container",
        "style": _status_style(request.status),
        "bleed": True,
        "items": [
            {
                "type": "TextBlock",
                "text": f"{request.kind.label} · {request.id}",
                "size": "Large",
                "weight": "Bolder",
                "wrap": True,
            },
            {
                "type": "TextBlock",
                "text": f"Status: {request.status.label}",
                "weight": "Bolder",
                "spacing": "None",
                "wrap": True,
            },
        ],
    }


def _asked(request: Request, flags: Sequence[str], for_the_viewer: bool) -> str:
    """One line: what this request asks, of whom, what it involves, and what follows."""
    requester = request.requester.display_name
    what = f"**{_clipped(request.customer)}** ({request.area.name}), raised by {requester}"
    if flags:
        what += "; " + _in_words(flags)
    if request.needs_director:
        what += (", so " if flags else "; ") + "the regional director reviews it after the liaison"
    if not request.is_open or request.waiting_on is None:
        return what + "."
    if for_the_viewer and request.status is Status.MORE_INFO_REQUESTED:
        return what + ". **Your answer is needed** to go on."
    if for_the_viewer:
        return what + ". **Your decision is needed.**"
    return what + f". Waiting on {request.waiting_on.display_name}."


def _in_words(items: Sequence[str]) -> str:
    """The items joined as in a sentence: a; a and b; a, b and c."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _key_facts(request: Request, highlights: Sequence[tuple[str, str]]) -> dict:
    """One line per fact, its title in bold before it: across the card's whole width, a long
    value takes fewer lines than in a FactSet's narrow value column."""
    facts = [("Submitted", _when(request.submitted_at))]
    facts += [(title, _linked(_clipped(value))) for title, value in highlights]
    return {
        "type": "Container",
        "items": [
            {"type": "TextBlock", "text": f"**{title}**: {value}", "wrap": True, "spacing": "Small"}
            for title, value in facts
        ],
    }


def _clipped(text: str) -> str:
    """At most FACT_LENGTH characters, cut at a word; a link is left whole (it is shortened
    where it is shown)."""
    if len(text) <= FACT_LENGTH or _URL.fullmatch(text):
        return text
    cut = text[: FACT_LENGTH - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def _folded(*sections: tuple[str, str, list[dict]]) -> list[dict]:
    """Each (toggle title, element id, items) hidden behind its toggle, the toggles side by side
    in one row; a section without items is left out."""
    present = [section for section in sections if section[2]]
    if not present:
        return []
    return [
        {
            "type": "ActionSet",
            "spacing": "Small",
            "actions": [toggle_action(title, element_id) for title, element_id, _ in present],
        },
        *(
            {"type": "Container", "id": element_id, "isVisible": False, "items": items}
            for _, element_id, items in present
        ),
    ]


def _answers(request: Request, questions: list[Question], show_personal: bool) -> list[dict]:
    """Every answer: customer and area are already in the line at the top."""
    facts = [
        {"title": q.label, "value": _linked(_answer(q, request.answers, show_personal))}
        for q in questions
        if q.applies_to(request.answers) and q.key not in _SHOWN_ABOVE
    ]
    return [{"type": "FactSet", "facts": facts}] if facts else []


def _history_section(history: list[AuditEntry]) -> list[dict]:
    """The last move in sight; the earlier ones behind a toggle."""
    decisions = [entry for entry in history if entry.move is not None]
    if not decisions:
        return []
    section: list[dict] = [{**_history_line(decisions[-1]), "separator": True}]
    if len(decisions) > 1:
        section += [
            _toggle(f"Show earlier history ({len(decisions) - 1})", HISTORY_ID),
            {
                "type": "Container",
                "id": HISTORY_ID,
                "isVisible": False,
                "items": [_history_line(entry) for entry in decisions[:-1]],
            },
        ]
    return section


def _toggle(title: str, target: str) -> dict:
    return {
        "type": "ActionSet",
        "spacing": "Small",
        "actions": [toggle_action(title, target)],
    }


def _notice(text: str) -> dict:
    return {
        "type": "Container",
        "style": "attention",
        "items": [{"type": "TextBlock", "text": text, "wrap": True, "weight": "Bolder"}],
    }


def _linked(value: str) -> str:
    """A bare URL as a short Markdown link: it wraps and can be clicked (a long one was cut at
    the card's edge)."""
    if not _URL.fullmatch(value):
        return value
    shown = value.split("://", 1)[1]
    if len(shown) > _LINK_TEXT_LENGTH:
        shown = shown[: _LINK_TEXT_LENGTH - 1] + "…"
    return f"[{shown}]({value})"


def _answer(question: Question, answers: dict, show_personal: bool) -> str:
    if question.personal and not show_personal:
        return HIDDEN
    return render_answer(question, answers.get(question.key))


def _last_question(history: list[AuditEntry]) -> AuditEntry:
    return [entry for entry in history if entry.move is Move.ASK_MORE_INFO][-1]


def _question_asked(asked: AuditEntry) -> dict:
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
        Move.RECORD_PARTNER_CONTACT: "answered whether the partners made contact",
    }[entry.move]
    text = f"**{entry.actor.display_name}** {what} on {_when(entry.at)}"
    if entry.comment:
        text += f": “{entry.comment}”"
    return {"type": "TextBlock", "text": text, "wrap": True}


def _when(moment: datetime) -> str:
    return moment.strftime("%d %b %Y %H:%M UTC")


def _status_style(status: Status) -> str:
    if status in (Status.APPROVED, Status.CLOSED):
        return "good"
    if status in (Status.DECLINED, Status.CANCELLED):
        return "attention"
    if status is Status.MORE_INFO_REQUESTED:
        return "warning"
    return "accent"
