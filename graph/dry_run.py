"""The mailer for local runs and until an operator turns sending on: renders, records, logs."""

from __future__ import annotations

import logging

from graph.mail_body import send_mail_body
from services.graph_ports import Mail, MailAccepted

log = logging.getLogger(__name__)


class DryRunMailer:
    """The rendered mail goes back to the outbox, which keeps it on the message's row."""

    async def send(self, mail: Mail) -> MailAccepted:
        accepted = MailAccepted(send_mail_body(mail), dry_run=True)
        # Counts only: addresses and content are personal or the customer's.
        log.info(
            "mail for outbox message %s recorded, not sent (dry run): %d recipient(s)",
            mail.outbox_id,
            len(mail.to),
        )
        return accepted
