"""What the bot asks of Microsoft 365, as small interfaces the services use.

graph/ implements them with msgraph-sdk; tests use a local fake Graph server or hand-written
fakes. Nothing here imports msgraph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from domain.account_team import Mail
from domain.out_of_office import AutomaticReplies

__all__ = ["Mail"]  # a port's value, kept in the domain

# --- mail -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MailAccepted:
    """Graph answered 202 (accepted, not yet delivered), or dry-run recorded it."""

    rendered: dict[str, Any]  # the sendMail body, to keep on the outbox row
    dry_run: bool


@dataclass(frozen=True)
class MailRetryLater:
    """429, 503, 504 or no answer in time: the outbox tries again, after `retry_after`
    seconds when Graph said so."""

    reason: str
    retry_after: float | None = None


@dataclass(frozen=True)
class MailFailed:
    """Refused for good (another 4xx): retrying cannot help. `code` is Graph's error code."""

    code: str
    reason: str


MailResult = MailAccepted | MailRetryLater | MailFailed


class Mailer(Protocol):
    async def send(self, mail: Mail) -> MailResult:
        """One attempt, never retried inside: the outbox is the only retrier."""
        ...


# --- reads ----------------------------------------------------------------------------------


class GraphUnavailable(Exception):
    """A read failed (unreachable, throttled, refused): callers fall back to the roster or
    take what was typed."""


@dataclass(frozen=True)
class DirectoryUser:
    aad_object_id: str
    display_name: str
    mail: str


class Directory(Protocol):
    async def user(self, address: str) -> DirectoryUser | None:
        """The user with this UPN or mail address; None when the directory has none. Raises
        GraphUnavailable."""
        ...


class OutOfOfficeReader(Protocol):
    async def automatic_replies(self, aad_object_id: str) -> AutomaticReplies:
        """The person's automatic-replies setting, scheduled times as aware datetimes in
        their own zone. Raises GraphUnavailable."""
        ...


# --- reaching people who never opened the bot -------------------------------------------


class AppInstaller(Protocol):
    async def install_for(self, aad_object_id: str) -> str:
        """Install the bot in the person's personal scope (already installed is fine) and
        return the id of their chat with it. Raises GraphUnavailable."""
        ...


@dataclass(frozen=True)
class GraphPorts:
    """What create_app builds from the settings; None where Graph is not permitted."""

    mailer: Mailer
    out_of_office: OutOfOfficeReader | None = None
    directory: Directory | None = None
    installer: AppInstaller | None = None
