"""Dates by which something must have happened, kept for the reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.roster import Person


@dataclass(frozen=True)
class Deadline:
    request_id: str
    what: str  # what is due, in words for the reminder, e.g. "Rollout target: Teams pilot"
    due_on: date
    remind: Person  # who gets the reminder when it passes
