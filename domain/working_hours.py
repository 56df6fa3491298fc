"""A person's working hours, and the next moment within them, computed in UTC.

Wall-clock arithmetic within one zone goes wrong across a DST change ("+24 h" is 23 or 25 real
hours), so instants stay in UTC and are converted to the person's zone only to ask whether they
fall within the working day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.business_days import BusinessCalendar

MONDAY_TO_FRIDAY = frozenset(range(5))


@dataclass(frozen=True)
class WorkingHours:
    """When a person works: from `start` to `end` (wall clock in `zone`) on `weekdays`
    (0 is Monday)."""

    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    start: time = time(9)
    end: time = time(17)
    weekdays: frozenset[int] = MONDAY_TO_FRIDAY

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError("working hours must end after they start")
        if not self.weekdays or not self.weekdays <= frozenset(range(7)):
            raise ValueError("working days are weekdays 0 (Monday) to 6 (Sunday), at least one")

    def is_working(self, at: datetime, calendar: BusinessCalendar | None = None) -> bool:
        """True when `at` falls within these hours (and, given a calendar, on a business day
        of it: a public holiday is not a working day)."""
        local = at.astimezone(self.zone)
        return (
            local.weekday() in self.weekdays
            and self.start <= local.time() < self.end
            and (calendar is None or calendar.is_business_day(local.date()))
        )

    def next_working_moment(
        self, at: datetime, calendar: BusinessCalendar | None = None
    ) -> datetime:
        """`at` itself (in UTC) when it is within working hours, else the start of the next
        working day's hours, in UTC."""
        if self.is_working(at, calendar):
            return at.astimezone(UTC)
        local = at.astimezone(self.zone)
        day = local.date()
        if local.time() >= self.start:
            day += timedelta(days=1)
        # A year of days off in a row is not a calendar anyone has.
        for _ in range(366):
            if day.weekday() in self.weekdays and (
                calendar is None or calendar.is_business_day(day)
            ):
                # A start time that a DST change skips is read with the offset before the
                # change, which lands just after the gap.
                return datetime.combine(day, self.start, tzinfo=self.zone).astimezone(UTC)
            day += timedelta(days=1)
        raise ValueError("no working day within a year")
