"""Who is who: areas with their liaison FTA, backup and regional director; the partner directory.

Plain values built once at start-up from configuration (see config/roster.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property


class Specialty(StrEnum):
    ADVISORY_AND_PLANNING = "Advisory & Planning"
    TRAINING_AND_ENABLEMENT = "Training & Enablement"


@dataclass(frozen=True)
class Person:
    display_name: str
    aad_object_id: str
    email: str


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
