"""Where a person's working hours come from: the roster now; Graph's mailboxSettings
(`timeZone`, `workingHours`) can stand in behind the same port."""

from __future__ import annotations

from typing import Protocol

from domain.roster import Person, Roster
from domain.working_hours import WorkingHours


class WorkingHoursSource(Protocol):
    async def working_hours(self, person: Person) -> WorkingHours: ...


class RosterWorkingHours:
    """The roster's hours for the people it lists, its default for everyone else."""

    def __init__(self, roster: Roster) -> None:
        self._roster = roster

    async def working_hours(self, person: Person) -> WorkingHours:
        return self._roster.working_hours_of(person)
