"""Business-day arithmetic for deadlines, and the public holidays of an area's countries.

`add_business_days` is pure and takes the holidays explicitly; `holidays_in` reads them from the
`holidays` package (bundled data, no network) for the countries an area lists in the roster.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache

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


def holidays_in(countries: Iterable[str], years: Iterable[int]) -> frozenset[date]:
    """The national public holidays (observed days included) of any of `countries` in `years`.

    An area spans several countries; a day off in any of them is not counted, so a deadline is
    never due on a day someone involved is off.
    """
    days: set[date] = set()
    for country in countries:
        for year in years:
            days |= _country_year(country, year)
    return frozenset(days)


def add_business_days_in(start: date, days: int, countries: Iterable[str]) -> date:
    """`add_business_days` with the holidays of `countries`, for as many years as it spans."""
    countries = tuple(countries)
    # Three business days rarely span more than a week or two; the calendar years around
    # `start` always cover them. Longer spans take in more years.
    years = range(start.year, start.year + 2 + days // 200)
    return add_business_days(start, days, holidays_in(countries, years))


@cache
def _country_year(country: str, year: int) -> frozenset[date]:
    return frozenset(_holidays.country_holidays(country, years=year).keys())
