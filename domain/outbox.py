"""What the outbox holds and what a delivery attempt gives: plain values, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.account_team import Mail
from domain.roster import Person


class MessageKind(StrEnum):
    CARD = "card"  # a request's card, to a person
    CARD_UPDATE = "card_update"  # a posted card, brought to the request's current state
    TEXT = "text"  # a notice
    REMINDER = "reminder"  # of a deadline: a card rendered at delivery time, or nothing
    MAIL = "mail"  # a mail through Graph, e.g. to an account-team address
    FTA_CARD = "fta_card"  # an FTA request's card, to its FTA, rendered at delivery time
    FTA_CARD_UPDATE = "fta_card_update"  # a posted FTA card, brought to the request's state
    FTA_MAIL = "fta_mail"  # an FTA request for FTCHelp, mailed to its mailbox through Graph


class MessageState(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"  # being delivered, until the lease (next_attempt_at) ends
    WAITING = "waiting"  # for the recipient to write to the bot
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True)
class Message:
    """A message a service call causes, written in its transaction."""

    kind: MessageKind
    recipient: Person
    request_id: str | None
    # Unique in the outbox: the same message enqueued twice is one row.
    dedupe_key: str
    text: str = ""  # a notice's text; cards are rendered at delivery time
    # What a card rendered at delivery time needs besides the request (a reminder's reason).
    payload: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, kw_only=True)
class ClaimedMessage:
    id: int
    kind: MessageKind
    recipient_aad_object_id: str
    recipient_name: str
    request_id: str | None
    card_message_id: int | None
    dedupe_key: str
    payload: dict[str, Any]
    attempts: int  # including the one now under way
    claim_token: str


@dataclass(frozen=True)
class PostedCard:
    """Where a card was posted, to update it in place."""

    id: int
    conversation_id: str
    activity_id: str
    service_url: str


@dataclass(frozen=True)
class Composed:
    """What to send for a claimed message, rendered now."""

    card: dict | None = None
    text: str = ""
    update: PostedCard | None = None  # update this posted card with `card`
    version: int = 0  # the request version a card shows
    mail: Mail | None = None  # sent by mail instead of in Teams


# --- what a delivery attempt gave --------------------------------------------------------


@dataclass(frozen=True)
class Delivered:
    conversation_id: str
    activity_id: str
    service_url: str


@dataclass(frozen=True)
class Mailed:
    """Graph accepted the mail (202), or dry-run recorded it: `rendered` is kept on the row."""

    rendered: dict[str, Any]
    dry_run: bool


@dataclass(frozen=True)
class NoChat:
    """No personal chat with the recipient is known (or it is marked unreachable)."""


@dataclass(frozen=True)
class Unreachable:
    """Teams refuses this chat until the person writes again (blocked, uninstalled...)."""

    reason: str


@dataclass(frozen=True)
class TryAgain:
    reason: str
    retry_after: float | None = None  # seconds, from the service


@dataclass(frozen=True)
class Refused:
    """Failed for good: retrying cannot help."""

    reason: str


SendOutcome = Delivered | Mailed | NoChat | Unreachable | TryAgain | Refused


@dataclass(frozen=True, kw_only=True)
class CardMessage:
    """A request's card sent to a person: where it was posted (none yet while on the way),
    enough to update that very message later."""

    id: int
    request_id: str
    recipient_aad_object_id: str
    conversation_id: str | None
    activity_id: str | None
    service_url: str | None
    created_at: datetime
    shown_version: int  # the request version the card shows

    def to_update(self, version: int) -> PostedCard | None:
        """Where to show `version` of the request instead; None when the card was never
        posted (when it is, it shows the state of then) or already shows this version or a
        later one (coalesced)."""
        if self.conversation_id is None or self.activity_id is None or self.service_url is None:
            return None
        if self.shown_version >= version:
            return None
        return PostedCard(self.id, self.conversation_id, self.activity_id, self.service_url)


@dataclass(frozen=True)
class DeliveryRecord:
    """One outbox message about a request, as `my requests` reports it."""

    request_id: str
    kind: MessageKind
    recipient_aad_object_id: str
    recipient_name: str
    state: MessageState
    last_error: str | None
    dry_run: bool = False  # a mail recorded, not sent (MAIL_DRY_RUN)
