"""The account team named on a request (ATS, AE, TAM, CSM, SSP): told by mail once it is
approved, never asked anything. Every kind asks for their addresses under one key."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from domain.requests import Request, Status


@dataclass(frozen=True)
class Mail:
    to: tuple[str, ...]
    subject: str
    html_body: str
    # The outbox message this mail delivers: sent as an `x-` internet message header, so a
    # copy found in a mailbox can be traced to its row.
    outbox_id: str


def mail_lane(address: str) -> str:
    """The outbox recipient key of an address (the outbox keys people by a 64-character id):
    each address is its own lane, so one refused address delays no other."""
    return "mail:" + hashlib.sha256(address.lower().encode()).hexdigest()[:40]


def account_team(request: Request) -> tuple[str, ...]:
    return tuple(request.answers.get("account_team") or ())


def mail_recipients(request: Request) -> tuple[str, ...]:
    """Whom to mail about the request as it now is: the account team once it is approved;
    nobody for a request declined, cancelled or still open."""
    return account_team(request) if request.status is Status.APPROVED else ()
