"""Whether a person is out of office now, from their Outlook automatic-replies setting.

Pure: the Graph adapter reads the setting; routing (domain/requests.py) goes around whoever
is away.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.roster import Person


class AutoReplyStatus(StrEnum):
    DISABLED = "disabled"
    ALWAYS_ENABLED = "alwaysEnabled"
    SCHEDULED = "scheduled"

    @classmethod
    def parse(cls, text: str) -> AutoReplyStatus:
        """Microsoft's examples spell the status in several cases ("AlwaysEnabled")."""
        for status in cls:
            if status.value.casefold() == text.strip().casefold():
                return status
        raise ValueError(f"unknown automatic-replies status {text!r}")


@dataclass(frozen=True)
class AutomaticReplies:
    status: AutoReplyStatus
    # Aware datetimes; set when the status is scheduled.
    scheduled_start: datetime | None = None
    scheduled_end: datetime | None = None

    def away_at(self, now: datetime) -> bool:
        """Always on, or scheduled with `now` inside [start, end)."""
        if self.status is AutoReplyStatus.ALWAYS_ENABLED:
            return True
        if self.status is AutoReplyStatus.SCHEDULED:
            if self.scheduled_start is None or self.scheduled_end is None:
                return False
            return self.scheduled_start <= now < self.scheduled_end
        return False


@dataclass(frozen=True)
class Absence:
    """Someone a request was routed around."""

    person: Person
    # When they are back, in their own zone; None when their automatic replies have no end.
    until: datetime | None


def absence(person: Person, replies: AutomaticReplies, now: datetime) -> Absence | None:
    if not replies.away_at(now):
        return None
    until = replies.scheduled_end if replies.status is AutoReplyStatus.SCHEDULED else None
    return Absence(person, until)
