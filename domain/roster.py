"""Who is who: areas with their liaison FTA, backup and regional director; the partner directory.

Plain values built once at start-up from configuration (see config/roster.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
        for area in self.areas:
            if area.code == code:
                return area
        raise KeyError(f"no area {code!r} in the roster")

    def roles_of(self, aad_object_id: str) -> list[tuple[str, Area]]:
        """The approval roles a person holds, e.g. [("liaison", <Area americas>)]."""
        roles = []
        for area in self.areas:
            for role in ("liaison", "backup", "director"):
                if getattr(area, role).aad_object_id == aad_object_id:
                    roles.append((role, area))
        return roles
