"""The account team named on a request (ATS, AE, TAM, CSM, SSP): told by mail once it is
approved, never asked anything. Every kind asks for their addresses under one key."""

from __future__ import annotations

from domain.requests import Request, Status


def account_team(request: Request) -> tuple[str, ...]:
    return tuple(request.answers.get("account_team") or ())


def mail_recipients(request: Request) -> tuple[str, ...]:
    """Whom to mail about the request as it now is: the account team once it is approved;
    nobody for a request declined, cancelled or still open."""
    return account_team(request) if request.status is Status.APPROVED else ()
