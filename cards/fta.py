"""What the people around an FTA request read: the FTA assigned, the liaison when nobody is
available or nobody accepted in time, and the requester's confirmation and `my requests`."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import date

from cards.approval import REFRESH_VERB
from cards.elements import adaptive_card, attention, execute_action
from cards.my_requests import delivery_summary, mail_summary
from cards.reminders import snooze_section
from domain.deadlines import Reason, Reminder
from domain.fta_assignment import (
    ASSIGNMENT,
    REQUEST_TYPE_LABELS,
    FtaMove,
    FtaRequest,
    FtaStatus,
    KeyInput,
    key_input_label,
)
from domain.outbox import DeliveryRecord, MessageKind
from domain.roster import Mailbox, Person

ACCEPT_VERB = "fta_accept"
HAND_BACK_VERB = "fta_hand_back"
REASON_INPUT = "handBackReason"
REASON_MAX_LENGTH = 2000
# The buttons of the moves the assignment workflow offers the FTA: (verb, title, style).
_BUTTONS = {
    FtaMove.ACCEPT: (ACCEPT_VERB, "Accept", "positive"),
    FtaMove.HAND_BACK: (HAND_BACK_VERB, "Hand back", "destructive"),
}


def _what(request: FtaRequest) -> str:
    return (
        f"**{request.id}** · {REQUEST_TYPE_LABELS[request.request_type]} for "
        f"{request.customer} ({request.area.name}), requested by "
        f"{request.requester.display_name}"
    )


def _status(request: FtaRequest) -> str:
    fta = request.fta.display_name if request.fta else ""
    return {
        FtaStatus.ASSIGNED: f"Assigned to {fta}, waiting for them to accept",
        FtaStatus.ACCEPTED: f"Accepted by {fta}",
        FtaStatus.UNASSIGNED: "No FTA available: the area liaison assigns one",
        FtaStatus.FTC_HELP: "For the FTCHelp team",
    }[request.status]


def fta_card(
    request: FtaRequest,
    viewer: Person,
    notice: str | None = None,
    fta_user_ids: Sequence[str] = (),
) -> dict:
    """The request as its FTA sees it: Accept, or Hand back with a reason, while it waits on
    them; read-only otherwise. `fta_user_ids`: the Teams user id of the FTA it waits on, whose
    Teams asks for the card as it is now whenever it is shown (Universal Actions' refresh), so
    a copy left behind never offers a stale Accept."""
    body: list[dict] = [
        {
            "type": "TextBlock",
            "text": f"FTA request · {request.id}",
            "size": "Large",
            "weight": "Bolder",
            "wrap": True,
        },
        {
            "type": "FactSet",
            "facts": [
                {"title": "Type", "value": REQUEST_TYPE_LABELS[request.request_type]},
                {"title": "Customer", "value": request.customer},
                {"title": "Area", "value": request.area.name},
                {"title": "Requested by", "value": request.requester.display_name},
                {"title": "Status", "value": _status(request)},
                *(
                    {"title": key_input_label(key), "value": str(request.answers[key])}
                    for key in request.request_type.key_inputs
                    if request.answers.get(key) not in (None, "")
                ),
            ],
        },
    ]
    if notice:
        body.append(attention(notice))
    assigned_to_viewer = (
        request.fta is not None and request.fta.aad_object_id == viewer.aad_object_id
    )
    offered = ASSIGNMENT.offered.get(request.status, ()) if assigned_to_viewer else ()
    refresh: dict = {}
    if request.waits_on_fta and fta_user_ids:
        refresh = {
            "refresh": {
                "action": {
                    "type": "Action.Execute",
                    "verb": REFRESH_VERB,
                    "data": {"verb": REFRESH_VERB, "requestId": request.id},
                },
                "userIds": list(fta_user_ids),
            }
        }
    if not offered:
        return adaptive_card(body) | refresh
    body += [
        {
            "type": "TextBlock",
            "text": "The workload balancer assigned it to you. Accept it, or hand it back "
            "(it then goes to the next FTA of the area by the same rule).",
            "wrap": True,
        },
        {
            "type": "Input.Text",
            "id": REASON_INPUT,
            "label": "Why you hand it back (needed to hand it back)",
            "isMultiline": True,
            "maxLength": REASON_MAX_LENGTH,
        },
    ]
    data = {"requestId": request.id, "version": request.version}
    return (
        adaptive_card(
            body,
            [
                execute_action(verb, title, style, {"verb": verb, **data})
                for verb, title, style in (_BUTTONS[move] for move in offered)
            ],
        )
        | refresh
    )


def handed_back(request: FtaRequest, by: str, reason: str) -> str:
    now = (
        f"it is now assigned to {request.fta.display_name}"
        if request.fta
        else f"no other FTA of {request.area.name} is available, so the area liaison "
        f"{request.area.liaison.display_name} is alerted"
    )
    return f"{by} handed back **{request.id}** for {request.customer} (“{reason}”): {now}."


def accepted(request: FtaRequest) -> str:
    fta = request.fta.display_name if request.fta else ""
    return f"{fta} accepted **{request.id}** for {request.customer}: they will contact you."


def nobody_available(request: FtaRequest) -> str:
    return (
        f"{_what(request)}: no FTA of {request.area.name} is available (all away, handed it "
        "back, or none in the roster), so nobody is assigned. Please assign an FTA by hand "
        "within 2 business days, and add the area's FTAs to the roster."
    )


def confirmation(request: FtaRequest, ftc_help_mailbox: str) -> str:
    if request.status is FtaStatus.ASSIGNED and request.fta is not None:
        return (
            f"Submitted **{request.id}**: {request.fta.display_name} is your FastTrack "
            f"Architect for {request.customer}. I have sent them the request; I will tell you "
            "when they accept it."
        )
    if request.status is FtaStatus.UNASSIGNED:
        return (
            f"Submitted **{request.id}**, but no FTA of {request.area.name} is available now. "
            f"I have alerted the area liaison, {request.area.liaison.display_name}, who will "
            "assign one."
        )
    topic = request.answers.get(KeyInput.FAQ_TOPIC)
    about = f", naming the FAQ topic “{topic}”" if topic else ""
    return (
        f"Submitted **{request.id}**. This type is for the FTCHelp team, not an FTA: I have "
        f"mailed it to {ftc_help_mailbox}{about}. They will reply to you."
    )


def fta_reminder_text(reminder: Reminder, request: FtaRequest, due: str) -> str:
    """Why the liaison is reminded: no FTA accepted in time."""
    what = f"{request.id} ({REQUEST_TYPE_LABELS[request.request_type]}, {request.customer})"
    fta = request.fta.display_name if request.fta else "nobody"
    lead = "Still no FTA has" if reminder.reason is Reason.STILL_OVERDUE else "No FTA has"
    return (
        f"⏰ {lead} accepted {what}: the FTA assignment is {due}. It waits on {fta}; chase "
        f"them, or assign another FTA of {request.area.name} by hand."
    )


def fta_reminder_card(
    reminder: Reminder, request: FtaRequest, viewer: Person, due: str, today: date
) -> dict:
    """The liaison's reminder: the request's card (read-only: the liaison chases the FTA, or
    assigns another by hand) under a line saying why, with a snooze below."""
    card = copy.deepcopy(fta_card(request, viewer))
    card["body"] = [
        {
            "type": "TextBlock",
            "text": fta_reminder_text(reminder, request, due),
            "wrap": True,
            "weight": "Bolder",
        },
        *card["body"],
        *snooze_section(request.id, today),
    ]
    return card


def assigned_to_you(request: FtaRequest) -> str:
    """Mailed to an FTA Teams will not let the bot reach."""
    return (
        f"{request.id} ({REQUEST_TYPE_LABELS[request.request_type]} for {request.customer}, "
        f"requested by {request.requester.display_name}) is assigned to you by the workload "
        "balancer and waits for you to accept it or hand it back. The FastTrack bot cannot "
        "reach you in Teams: open it there to answer."
    )


def my_fta_requests(
    requests: Sequence[FtaRequest],
    *,
    reader_id: str,
    ftc_help_mailbox: str,
    deadlines: Mapping[str, str],
    deliveries: Mapping[str, list[DeliveryRecord]],
) -> list[dict]:
    """The reader's FTA requests as entries of `my requests`: where each went, who has it,
    accepted or waiting (on whom), each hand back and to whom; `deadlines`: the next
    deadline of each in words; `deliveries`: what became of each one's messages."""
    entries = []
    for request in requests:
        items: list[dict] = [
            {
                "type": "TextBlock",
                "wrap": True,
                "weight": "Bolder",
                "text": f"{request.id} · FTA: {REQUEST_TYPE_LABELS[request.request_type]} · "
                f"{request.customer} ({request.area.name})",
            },
            _line(_status_for(request, reader_id, ftc_help_mailbox)),
            *(
                _line(
                    f"Handed back by {_name(back.by, reader_id)} (“{back.reason}”), then "
                    + (f"to {_name(back.to, reader_id)}" if back.to else "to nobody")
                )
                for back in request.hand_backs
            ),
        ]
        if request.id in deadlines:
            items.append(_line(f"⏰ {deadlines[request.id]}"))
        records = deliveries.get(request.id, [])
        for summary in (
            delivery_summary(
                [r for r in records if r.kind is not MessageKind.FTA_MAIL], reader_id=reader_id
            ),
            mail_summary([r for r in records if r.kind is MessageKind.FTA_MAIL]),
        ):
            if summary:
                items.append(_line(summary) | {"isSubtle": True, "size": "Small"})
        entries.append({"type": "Container", "separator": True, "items": items})
    return entries


def _status_for(request: FtaRequest, reader_id: str, ftc_help_mailbox: str) -> str:
    waiting = ASSIGNMENT.waiting_on(request, Mailbox(ftc_help_mailbox))
    if isinstance(waiting, Mailbox):
        return f"For the FTCHelp team: mailed to {waiting.address}, who reply by mail"
    if waiting is None:
        fta = request.fta
        assert fta is not None  # an accepted request has its FTA
        return f"Accepted by {_name(fta, reader_id)}"
    if waiting != request.fta:
        return (
            f"No FTA of {request.area.name} available · waiting on "
            + _name(waiting, reader_id, "the area liaison, ")
            + " to assign one"
        )
    if waiting.aad_object_id == reader_id:
        return "Assigned to you · waiting on you to accept"
    return f"Assigned to {waiting.display_name} · waiting for them to accept"


def _name(person: Person, reader_id: str, role: str = "") -> str:
    return "you" if person.aad_object_id == reader_id else f"{role}{person.display_name}"


def _line(text: str) -> dict:
    return {"type": "TextBlock", "wrap": True, "spacing": "None", "text": text}
