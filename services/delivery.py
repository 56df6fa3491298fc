"""One courier for the relay: Teams for cards and notices, Graph for mail."""

from __future__ import annotations

from domain.outbox import Composed, Mailed, Refused, SendOutcome, TryAgain
from services.graph_ports import Mailer, MailFailed, MailRetryLater
from services.outbox import Courier


class Couriers:
    def __init__(self, teams: Courier, mailer: Mailer) -> None:
        self._teams = teams
        self._mailer = mailer

    async def deliver(self, recipient_aad_object_id: str, composed: Composed) -> SendOutcome:
        if composed.mail is None:
            return await self._teams.deliver(recipient_aad_object_id, composed)
        result = await self._mailer.send(composed.mail)
        if isinstance(result, MailRetryLater):
            return TryAgain(result.reason, result.retry_after)
        if isinstance(result, MailFailed):
            return Refused(result.reason)
        return Mailed(result.rendered, result.dry_run)
