"""Business days: weekends and the public holidays of an area's countries and subdivisions.

`add_business_days` is pure and takes the holidays explicitly. A `BusinessCalendar` names the
holiday calendars of an area (countries, and subdivisions such as DE-BY) and reads them from the
`holidays` package, whose data ships with it (no network). `business_days_after` moves an
instant by business days in a time zone, so a due time keeps its wall-clock time across a DST
change and is returned in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays as _holidays

SATURDAY = 5


def is_business_day(day: date, holidays: set[date] | frozenset[date]) -> bool:
    return day.weekday() < SATURDAY and day not in holidays


def add_business_days(
    start: date, days: int, holidays: set[date] | frozenset[date] = frozenset()
) -> date:
    """The date `days` business days after `start`: weekends and `holidays` are not counted.

    Counting starts the day after `start`, so from a Friday (or a Saturday) one business day is
    the Monday. Zero days is `start` itself.
    """
    if days < 0:
        raise ValueError("days must be zero or more")
    day = start
    remaining = days
    while remaining:
        day += timedelta(days=1)
        if is_business_day(day, holidays):
            remaining -= 1
    return day


def supports_country(code: str) -> bool:
    """True when the holiday data knows this ISO 3166-1 alpha-2 country."""
    return code in _holidays.list_supported_countries()


def supports_subdivision(country: str, subdivision: str) -> bool:
    """True when the holiday data knows this subdivision (e.g. BY) of `country` (e.g. DE)."""
    return subdivision in _holidays.list_supported_countries().get(country, ())


@dataclass(frozen=True)
class BusinessCalendar:
    """The days on which an area works: Monday to Friday, except a public holiday in any of
    its countries or subdivisions (a day off for anyone involved is not counted).

    `subdivisions` are ISO 3166-2 style codes, e.g. "DE-BY": Bavaria's calendar (Germany's
    national holidays and Bavaria's own) joins the area's.
    """

    countries: tuple[str, ...]
    subdivisions: tuple[str, ...] = ()

    def holidays(self, year: int) -> frozenset[date]:
        return _calendar_year(self.countries, self.subdivisions, year)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < SATURDAY and day not in self.holidays(day.year)

    def add_business_days(self, start: date, days: int) -> date:
        """The date `days` business days after `start` (see `add_business_days`)."""
        if days < 0:
            raise ValueError("days must be zero or more")
        day = start
        remaining = days
        while remaining:
            day += timedelta(days=1)
            if self.is_business_day(day):
                remaining -= 1
        return day

    def next_business_day(self, day: date) -> date:
        """`day` itself when it is a business day, else the first one after it."""
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Business days after `start` up to and including `end`; negative when `end` is
        earlier, so `add_business_days(start, n)` is `end` for n = this count."""
        if end < start:
            return -self.business_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_business_day(day):
                count += 1
        return count


def business_days_after(
    at: datetime, days: int, calendar: BusinessCalendar, zone: ZoneInfo
) -> datetime:
    """The instant `days` business days after `at`, at the same wall-clock time in `zone`,
    in UTC. The date is counted in `zone` (it is already Tuesday in Sydney while it is still
    Monday in Seattle); a wall-clock time that a DST change skips moves past the gap."""
    local = at.astimezone(zone)
    due_day = calendar.add_business_days(local.date(), days)
    wall_clock = datetime.combine(due_day, local.time(), tzinfo=zone)
    return wall_clock.astimezone(UTC)


@cache
def _calendar_year(
    countries: tuple[str, ...], subdivisions: tuple[str, ...], year: int
) -> frozenset[date]:
    days: set[date] = set()
    for country in countries:
        days |= _holidays.country_holidays(country, years=year).keys()
    for code in subdivisions:
        country, _, subdivision = code.partition("-")
        days |= _holidays.country_holidays(country, subdiv=subdivision, years=year).keys()
    return frozenset(days)
