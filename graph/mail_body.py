"""A mail as Graph's sendMail body, in its documented JSON: what is sent, or in dry-run
recorded, for the outbox row. No msgraph import: dry-run runs without the SDK."""

from __future__ import annotations

from typing import Any

from services.graph_ports import Mail

# Custom internet message headers must start with "x-" (Graph refuses others).
OUTBOX_HEADER = "x-fasttrack-outbox-id"


def send_mail_body(mail: Mail) -> dict[str, Any]:
    return {
        "message": {
            "subject": mail.subject,
            "body": {"contentType": "html", "content": mail.html_body},
            "toRecipients": [{"emailAddress": {"address": address}} for address in mail.to],
            "internetMessageHeaders": [{"name": OUTBOX_HEADER, "value": mail.outbox_id}],
        },
        "saveToSentItems": True,
    }
