"""What the people around an FTA request read: the FTA assigned, the liaison when nobody is
available, and the requester's confirmation."""

from __future__ import annotations

from domain.fta_assignment import (
    REQUEST_TYPE_LABELS,
    FtaRequest,
    FtaStatus,
    KeyInput,
    key_input_label,
)


def _inputs(request: FtaRequest) -> str:
    given = [
        f"- {key_input_label(key)}: {request.answers[key]}"
        for key in request.request_type.key_inputs
        if request.answers.get(key) not in (None, "")
    ]
    return "\n".join(given)


def _what(request: FtaRequest) -> str:
    return (
        f"**{request.id}** · {REQUEST_TYPE_LABELS[request.request_type]} for "
        f"{request.customer} ({request.area.name}), requested by "
        f"{request.requester.display_name}"
    )


def assigned_to_you(request: FtaRequest) -> str:
    return (
        f"{_what(request)}, is assigned to you by the workload balancer (you had the fewest "
        f"open assignments in the area). Please contact {request.requester.display_name} "
        "within 2 business days.\n\n" + _inputs(request)
    )


def nobody_available(request: FtaRequest) -> str:
    return (
        f"{_what(request)}: no FTA of {request.area.name} is available (all away, or none in "
        "the roster), so nobody is assigned. Please assign an FTA by hand within 2 business "
        "days, and add the area's FTAs to the roster."
    )


def confirmation(request: FtaRequest, ftc_help_mailbox: str) -> str:
    if request.status is FtaStatus.ASSIGNED and request.fta is not None:
        return (
            f"Submitted **{request.id}**: {request.fta.display_name} is your FastTrack "
            f"Architect for {request.customer}. I have told them; they will contact you."
        )
    if request.status is FtaStatus.UNASSIGNED:
        return (
            f"Submitted **{request.id}**, but no FTA of {request.area.name} is available now. "
            f"I have alerted the area liaison, {request.area.liaison.display_name}, who will "
            "assign one."
        )
    topic = request.answers.get(KeyInput.FAQ_TOPIC)
    about = f" about “{topic}”" if topic else ""
    return (
        f"Recorded **{request.id}**. This type goes to the FTCHelp team, not an FTA: I do not "
        f"send it for you yet, so please write to {ftc_help_mailbox}{about}, quoting "
        f"{request.id}."
    )
