"""The lines the bot sends a person when a request moves: what happened, and what comes next."""

from __future__ import annotations

from domain.requests import Request, Status

_AFTER_DECLINE = "Nothing more happens with it; raise a new request if things change."


def _said(comment: str) -> str:
    return f": “{comment}”." if comment else "."


def to_director(request: Request, actor: str, comment: str) -> str:
    """To the requester, once an approval sends a flagged request to the regional director."""
    return (
        f"{request.id} for {request.customer} was approved by {actor}{_said(comment)} "
        f"Next: the regional director, {request.area.director.display_name}, reviews it; I "
        "will tell you of their decision."
    )


def decided(request: Request, actor: str, comment: str, after_approval: str) -> str:
    """To the requester, once the request is approved or declined for good; `after_approval`:
    what the kind says comes next once approved."""
    approved = request.status is Status.APPROVED
    word = "approved" if approved else "declined"
    after = after_approval if approved else _AFTER_DECLINE
    return f"{request.id} for {request.customer} was {word} by {actor}{_said(comment)} {after}"


def cancelled(request: Request, actor: str) -> str:
    """To the approver a cancelled request waited on."""
    return (
        f"{request.id} for {request.customer} was cancelled by {actor}, who raised it; nothing "
        "more is needed from you."
    )


def answered(request: Request, actor: str, answer: str) -> str:
    """To the approver, once the requester answered their question."""
    return (
        f"{actor} answered your question on {request.id} for {request.customer}: “{answer}”. "
        "It waits on your decision again; the card follows."
    )
