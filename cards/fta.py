"""What the people around an FTA request read: the FTA assigned, the liaison when nobody is
available, and the requester's confirmation."""

from __future__ import annotations

from cards.elements import adaptive_card, attention, execute_action
from domain.fta_assignment import (
    REQUEST_TYPE_LABELS,
    FtaRequest,
    FtaStatus,
    KeyInput,
    key_input_label,
)
from domain.roster import Person

ACCEPT_VERB = "fta_accept"
HAND_BACK_VERB = "fta_hand_back"
REASON_INPUT = "handBackReason"
REASON_MAX_LENGTH = 2000


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


def fta_card(request: FtaRequest, viewer: Person, notice: str | None = None) -> dict:
    """The request as its FTA sees it: Accept, or Hand back with a reason, while it waits on
    them; read-only otherwise."""
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
    waiting_on_viewer = (
        request.status is FtaStatus.ASSIGNED
        and request.fta is not None
        and request.fta.aad_object_id == viewer.aad_object_id
    )
    if not waiting_on_viewer:
        return adaptive_card(body)
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
    return adaptive_card(
        body,
        [
            execute_action(ACCEPT_VERB, "Accept", "positive", {"verb": ACCEPT_VERB, **data}),
            execute_action(
                HAND_BACK_VERB, "Hand back", "destructive", {"verb": HAND_BACK_VERB, **data}
            ),
        ],
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
