"""Mail from the service mailbox: one sendMail attempt, its outcome for the outbox to act on."""

from __future__ import annotations

import asyncio
import logging

import httpx
from kiota_abstractions.api_error import APIError
from msgraph import GraphServiceClient
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.internet_message_header import InternetMessageHeader
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.message import Message
from msgraph.generated.models.recipient import Recipient
from msgraph.generated.users.item.send_mail.send_mail_post_request_body import (
    SendMailPostRequestBody,
)

from graph.errors import RETRY_LATER, error_code, error_reason, retry_after
from graph.mail_body import OUTBOX_HEADER, send_mail_body
from services.graph_ports import Mail, MailAccepted, MailFailed, MailResult, MailRetryLater

log = logging.getLogger(__name__)


class GraphMailer:
    def __init__(self, client: GraphServiceClient, sender: str, timeout: float) -> None:
        self._client = client
        self._sender = sender
        self._timeout = timeout

    async def send(self, mail: Mail) -> MailResult:
        body = SendMailPostRequestBody(
            message=Message(
                subject=mail.subject,
                body=ItemBody(content_type=BodyType.Html, content=mail.html_body),
                to_recipients=[
                    Recipient(email_address=EmailAddress(address=address)) for address in mail.to
                ],
                internet_message_headers=[
                    InternetMessageHeader(name=OUTBOX_HEADER, value=mail.outbox_id)
                ],
            ),
            save_to_sent_items=True,
        )
        try:
            async with asyncio.timeout(self._timeout):
                await self._client.users.by_user_id(self._sender).send_mail.post(body)
        except APIError as error:
            status = error.response_status_code or 0
            if status in RETRY_LATER or status >= 500:
                return MailRetryLater(error_reason(error), retry_after(error))
            log.warning("mail for outbox message %s refused: %s", mail.outbox_id, status)
            return MailFailed(error_code(error), error_reason(error))
        except TimeoutError:
            # Perhaps accepted all the same: the outbox id header tells a duplicate apart.
            return MailRetryLater(f"no answer from Graph within {self._timeout:g} s")
        except httpx.HTTPError as error:
            return MailRetryLater(f"Graph unreachable: {type(error).__name__}")
        log.info(
            "mail for outbox message %s accepted (%d recipient(s))", mail.outbox_id, len(mail.to)
        )
        return MailAccepted(send_mail_body(mail), dry_run=False)
