"""Load and validate the roster file (areas, people, FTCHelp mailbox, ACM partner directory).

Errors name the entry and the field, e.g. `areas[1] (EMEA).backup.email: not an email address`.
"""

from __future__ import annotations

import re
import uuid
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from config.settings import ConfigurationError
from domain.business_days import supports_country, supports_subdivision
from domain.roster import Area, Fta, Location, Partner, Person, Roster, Specialty
from domain.time_zones import zone_named
from domain.working_hours import WorkingHours

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("not an email address")
    return value.lower()


def _guid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError("not an AAD object id (a GUID)") from None


def _country(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{2}", value):
        raise ValueError("not an ISO 3166 two-letter country code, e.g. US")
    return value


def _holiday_country(value: str) -> str:
    if not supports_country(value):
        raise ValueError(f"no public holiday calendar is known for {value!r}")
    return value


def _holiday_subdivision(value: str) -> str:
    country, _, subdivision = value.partition("-")
    if not re.fullmatch(r"[A-Z]{2}", country) or not subdivision:
        raise ValueError("not a subdivision code such as DE-BY (country, dash, subdivision)")
    if not supports_subdivision(country, subdivision):
        raise ValueError(f"no public holiday calendar is known for {value!r}")
    return value


def _time_zone(value: str) -> str:
    """The IANA name of an IANA or a Windows zone name (Graph's mailboxSettings give the
    latter, e.g. "Pacific Standard Time")."""
    try:
        return ZoneInfo(value).key
    except (ZoneInfoNotFoundError, ValueError):
        zone = zone_named(value)
    if zone is None:
        raise ValueError(
            "not a time zone such as Europe/Berlin (IANA) or Pacific Standard Time (Windows): "
            f"{value!r}"
        )
    return zone.key


Email = Annotated[str, AfterValidator(_email)]
Guid = Annotated[str, AfterValidator(_guid)]
Country = Annotated[str, AfterValidator(_country)]
HolidayCountry = Annotated[str, AfterValidator(_country), AfterValidator(_holiday_country)]
HolidaySubdivision = Annotated[str, AfterValidator(_holiday_subdivision)]
TimeZone = Annotated[str, AfterValidator(_time_zone)]
Text = Annotated[str, Field(min_length=1)]
Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_WEEKDAYS: tuple[Weekday, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _WorkingHours(_Strict):
    time_zone: TimeZone
    start: time = time(9)
    end: time = time(17)
    days: list[Weekday] = Field(default_factory=lambda: list(_WEEKDAYS[:5]), min_length=1)

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> _WorkingHours:
        if not self.start < self.end:
            raise ValueError("must end after they start")
        return self

    def build(self) -> WorkingHours:
        return WorkingHours(
            zone=ZoneInfo(self.time_zone),
            start=self.start,
            end=self.end,
            weekdays=frozenset(_WEEKDAYS.index(day) for day in self.days),
        )


class _Person(_Strict):
    name: Text
    aad_object_id: Guid
    email: Email
    # Reminders wait for them; without it, the roster's default_working_hours.
    working_hours: _WorkingHours | None = None

    def build(self) -> Person:
        return Person(display_name=self.name, aad_object_id=self.aad_object_id, email=self.email)


class _Fta(_Person):
    away: bool = False

    def build_fta(self) -> Fta:
        return Fta(self.build(), self.away)


class _Area(_Strict):
    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
    name: Text
    liaison: _Person
    backup: _Person
    director: _Person
    holiday_countries: list[HolidayCountry] = Field(min_length=1)
    holiday_subdivisions: list[HolidaySubdivision] = Field(default_factory=list)
    liaison_away: bool = False
    ftas: list[_Fta] = Field(default_factory=list)


class _Location(_Strict):
    city: Text
    country: Country


class _Partner(_Strict):
    name: Text
    locations: list[_Location] = Field(min_length=1)
    specialties: list[Specialty] = Field(min_length=1)


class _Roster(_Strict):
    areas: list[_Area] = Field(min_length=1)
    ftc_help_mailbox: Email
    partners: list[_Partner] = Field(default_factory=list)
    default_working_hours: _WorkingHours = _WorkingHours(time_zone="UTC")


def parse_roster(data: object) -> Roster:
    """Validate a roster document (already parsed YAML) and build the domain Roster."""
    try:
        raw = _Roster.model_validate(data)
    except ValidationError as error:
        raise ConfigurationError(_describe(error, data)) from None
    _check_consistency(raw)
    return Roster(
        areas=tuple(
            Area(
                code=area.code,
                name=area.name,
                liaison=area.liaison.build(),
                backup=area.backup.build(),
                director=area.director.build(),
                holiday_countries=tuple(area.holiday_countries),
                liaison_away=area.liaison_away,
                holiday_subdivisions=tuple(area.holiday_subdivisions),
                ftas=tuple(fta.build_fta() for fta in area.ftas),
            )
            for area in raw.areas
        ),
        ftc_help_mailbox=raw.ftc_help_mailbox,
        partners=tuple(
            Partner(
                name=partner.name,
                locations=tuple(Location(loc.city, loc.country) for loc in partner.locations),
                specialties=frozenset(partner.specialties),
            )
            for partner in raw.partners
        ),
        working_hours=_working_hours(raw),
        default_working_hours=raw.default_working_hours.build(),
    )


def load_roster(path: Path) -> Roster:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"ROSTER_PATH: cannot read roster {path}: {error}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigurationError(f"roster {path}: not valid YAML: {error}") from None
    try:
        return parse_roster(data)
    except ConfigurationError as error:
        raise ConfigurationError(f"roster {path}: {error}") from None


def _check_consistency(raw: _Roster) -> None:
    seen_codes: set[str] = set()
    for index, area in enumerate(raw.areas):
        where = f"areas[{index}] ({area.name})"
        if area.code in seen_codes:
            raise ConfigurationError(f"{where}.code: {area.code!r} is used by another area")
        seen_codes.add(area.code)
        if area.liaison.aad_object_id == area.backup.aad_object_id:
            raise ConfigurationError(
                f"{where}.backup: must be someone other than the liaison, "
                "or no one can decide the liaison's own requests"
            )
        seen_ftas: set[str] = set()
        for number, fta in enumerate(area.ftas):
            if fta.aad_object_id in seen_ftas:
                raise ConfigurationError(f"{where}.ftas[{number}] ({fta.name}): listed twice")
            seen_ftas.add(fta.aad_object_id)
    seen_partners: set[str] = set()
    for index, partner in enumerate(raw.partners):
        if partner.name.casefold() in seen_partners:
            raise ConfigurationError(f"partners[{index}] ({partner.name}).name: listed twice")
        seen_partners.add(partner.name.casefold())


def _working_hours(raw: _Roster) -> dict[str, WorkingHours]:
    """Each person's hours, given once or the same wherever they are listed."""
    found: dict[str, tuple[_WorkingHours, str]] = {}
    for index, area in enumerate(raw.areas):
        people: list[tuple[str, _Person]] = [
            (role, getattr(area, role)) for role in ("liaison", "backup", "director")
        ]
        people += [(f"ftas[{number}]", fta) for number, fta in enumerate(area.ftas)]
        for role, person in people:
            where = f"areas[{index}] ({area.name}).{role}.working_hours"
            if person.working_hours is None:
                continue
            earlier = found.setdefault(person.aad_object_id, (person.working_hours, where))
            if earlier[0] != person.working_hours:
                raise ConfigurationError(
                    f"{where}: {person.name} has other working hours at {earlier[1]}"
                )
    return {who: hours.build() for who, (hours, _) in found.items()}


def _describe(error: ValidationError, data: object) -> str:
    return "; ".join(
        f"{_path(item['loc'], data)}: {item['msg'].removeprefix('Value error, ')}"
        for item in error.errors()
    )


def _path(loc: tuple[int | str, ...], data: object) -> str:
    """`('areas', 1, 'backup', 'email')` -> `areas[1] (EMEA).backup.email`."""
    text = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            label = node.get("name") if isinstance(node, dict) else None
            if isinstance(label, str):
                text += f" ({label})"
        else:
            text += f".{part}" if text else part
            node = node.get(part) if isinstance(node, dict) else None
    return text or "roster"
