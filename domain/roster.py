"""Who is who: areas with their liaison FTA, backup and regional director; the partner directory.

Plain values built once at start-up from configuration (see config/roster.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from domain.business_days import BusinessCalendar
from domain.working_hours import WorkingHours


class Specialty(StrEnum):
    ADVISORY_AND_PLANNING = "Advisory & Planning"
    TRAINING_AND_ENABLEMENT = "Training & Enablement"


@dataclass(frozen=True)
class Person:
    display_name: str
    aad_object_id: str
    email: str


@dataclass(frozen=True)
class Mailbox:
    """A shared mailbox (FTCHelp's): what a request may wait on instead of a person."""

    address: str


# Whom a request waits on: a person, or a team's mailbox.
WaitingOn = Person | Mailbox


@dataclass(frozen=True)
class Fta:
    """A FastTrack Architect of an area, whom the workload balancer may assign requests to."""

    person: Person
    # Set while they are away: the balancer passes them over.
    away: bool = False


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    liaison: Person
    backup: Person
    director: Person
    holiday_countries: tuple[str, ...]
    # Set while the liaison is away: their approvals go to the backup.
    liaison_away: bool = False
    # ISO 3166-2 style, e.g. "DE-BY": regional holidays that are days off in the area too.
    holiday_subdivisions: tuple[str, ...] = ()
    # Who FTA requests (seed 001) are assigned to; none: the requester is told no one is free.
    ftas: tuple[Fta, ...] = ()

    @property
    def calendar(self) -> BusinessCalendar:
        return BusinessCalendar(self.holiday_countries, self.holiday_subdivisions)


@dataclass(frozen=True)
class Location:
    city: str
    country: str  # ISO 3166-1 alpha-2

    def __str__(self) -> str:
        return f"{self.city}, {self.country}"


@dataclass(frozen=True)
class Partner:
    name: str
    locations: tuple[Location, ...]
    specialties: frozenset[Specialty]


@dataclass(frozen=True)
class Roster:
    areas: tuple[Area, ...]
    ftc_help_mailbox: str
    partners: tuple[Partner, ...]
    # By AAD object id; everyone else (the FMs, for now) works the default hours.
    working_hours: Mapping[str, WorkingHours] = field(default_factory=dict, hash=False)
    default_working_hours: WorkingHours = field(default_factory=WorkingHours)

    def working_hours_of(self, person: Person) -> WorkingHours:
        return self.working_hours.get(person.aad_object_id, self.default_working_hours)

    def area(self, code: str) -> Area:
        try:
            return self._areas_by_code[code]
        except KeyError:
            raise KeyError(f"no area {code!r} in the roster") from None

    def roles_of(self, aad_object_id: str) -> list[tuple[str, Area]]:
        """The approval roles a person holds, e.g. [("liaison", <Area americas>)]."""
        return self._roles_by_person.get(aad_object_id, [])

    # Looked up on every card; built once, as the roster never changes while the bot runs.
    @cached_property
    def _areas_by_code(self) -> dict[str, Area]:
        return {area.code: area for area in self.areas}

    @cached_property
    def _roles_by_person(self) -> dict[str, list[tuple[str, Area]]]:
        roles: dict[str, list[tuple[str, Area]]] = {}
        for area in self.areas:
            for role in ("liaison", "backup", "director"):
                roles.setdefault(getattr(area, role).aad_object_id, []).append((role, area))
        return roles
