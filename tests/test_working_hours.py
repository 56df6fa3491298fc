"""The next moment within a person's working hours, in UTC, across weekends, holidays, DST
changes and time zones."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from domain.business_days import BusinessCalendar
from domain.working_hours import WorkingHours

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
TOKYO = ZoneInfo("Asia/Tokyo")

IN_BERLIN = WorkingHours(BERLIN, time(8, 30), time(17, 30))
IN_NEW_YORK = WorkingHours(NEW_YORK)
IN_LOS_ANGELES = WorkingHours(LOS_ANGELES, time(8), time(17))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_moment_within_working_hours_is_now():
    tuesday_noon_in_berlin = utc(2026, 3, 10, 11, 0)
    assert IN_BERLIN.is_working(tuesday_noon_in_berlin)
    assert IN_BERLIN.next_working_moment(tuesday_noon_in_berlin) == tuesday_noon_in_berlin


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (utc(2026, 3, 10, 6, 0), utc(2026, 3, 10, 7, 30)),  # 07:00, before the day starts
        (utc(2026, 3, 10, 16, 30), utc(2026, 3, 11, 7, 30)),  # 17:30, the day has ended
        (utc(2026, 3, 10, 23, 30), utc(2026, 3, 11, 7, 30)),  # just after midnight
        (utc(2026, 3, 13, 17, 0), utc(2026, 3, 16, 7, 30)),  # Friday evening: Monday
        (utc(2026, 3, 14, 11, 0), utc(2026, 3, 16, 7, 30)),  # Saturday noon: Monday
    ],
)
def test_outside_working_hours_it_waits_for_the_next_working_morning(at, expected):
    assert IN_BERLIN.next_working_moment(at) == expected


def test_the_end_of_the_day_is_not_within_it():
    assert not IN_BERLIN.is_working(utc(2026, 3, 10, 16, 30))  # 17:30 in Berlin
    assert IN_BERLIN.is_working(utc(2026, 3, 10, 16, 29))


def test_a_public_holiday_of_the_calendar_is_not_a_working_day():
    germany = BusinessCalendar(("DE",))
    new_years_eve_evening = utc(2026, 12, 31, 18, 0)  # Thursday 19:00 in Berlin
    # Friday 1 January is a holiday; Monday 4 January 08:30 CET.
    assert IN_BERLIN.next_working_moment(new_years_eve_evening, germany) == utc(2027, 1, 4, 7, 30)
    assert IN_BERLIN.next_working_moment(new_years_eve_evening) == utc(2027, 1, 1, 7, 30)
    assert not IN_BERLIN.is_working(utc(2027, 1, 1, 10, 0), germany)


def test_the_same_instant_is_working_time_for_one_and_night_for_another():
    monday = utc(2026, 3, 9, 15, 0)  # 16:00 in Berlin, 11:00 in New York, 08:00 in LA
    assert IN_BERLIN.next_working_moment(monday) == monday
    assert IN_NEW_YORK.next_working_moment(monday) == monday
    assert IN_LOS_ANGELES.next_working_moment(monday) == monday
    evening = utc(2026, 3, 9, 20, 0)  # 21:00 in Berlin, 16:00 in New York, 13:00 in LA
    assert IN_BERLIN.next_working_moment(evening) == utc(2026, 3, 10, 7, 30)
    assert IN_NEW_YORK.next_working_moment(evening) == evening
    # Tuesday 05:00 in Tokyo: the day starts at 09:00 JST, 00:00 UTC.
    assert WorkingHours(TOKYO).next_working_moment(evening) == utc(2026, 3, 10, 0, 0)


def test_the_working_day_starts_at_the_local_time_across_a_dst_change():
    # New York moves its clocks forward on Sunday 8 March 2026: 09:00 is 14:00 UTC on the
    # Friday before and 13:00 UTC on the Monday after.
    friday_night = utc(2026, 3, 6, 23, 0)
    assert IN_NEW_YORK.next_working_moment(friday_night) == utc(2026, 3, 9, 13, 0)
    assert IN_NEW_YORK.next_working_moment(utc(2026, 3, 5, 23, 0)) == utc(2026, 3, 6, 14, 0)
    # Berlin moves them back on Sunday 25 October 2026: 08:30 is 07:30 UTC after it.
    assert IN_BERLIN.next_working_moment(utc(2026, 10, 23, 20, 0)) == utc(2026, 10, 26, 7, 30)
    assert IN_BERLIN.next_working_moment(utc(2026, 10, 22, 20, 0)) == utc(2026, 10, 23, 6, 30)


def test_a_start_time_that_the_clocks_skip_lands_just_after_the_gap():
    # Someone working Sundays from 02:30, in Berlin, on the night clocks skip 02:00-03:00.
    night_owl = WorkingHours(BERLIN, time(2, 30), time(6), frozenset({6}))
    at = utc(2026, 3, 29, 0, 0)  # 01:00 CET
    moment = night_owl.next_working_moment(at)
    assert moment == utc(2026, 3, 29, 1, 30)  # 03:30 CEST
    assert night_owl.is_working(moment)


def test_working_days_other_than_monday_to_friday():
    sunday_to_thursday = WorkingHours(
        ZoneInfo("Asia/Jerusalem"), weekdays=frozenset({6, 0, 1, 2, 3})
    )
    thursday_evening = utc(2026, 3, 12, 18, 0)  # 20:00 in Jerusalem
    assert sunday_to_thursday.next_working_moment(thursday_evening) == utc(2026, 3, 15, 7, 0)


@pytest.mark.parametrize(
    "broken",
    [
        lambda: WorkingHours(start=time(17), end=time(9)),
        lambda: WorkingHours(start=time(9), end=time(9)),
        lambda: WorkingHours(weekdays=frozenset()),
        lambda: WorkingHours(weekdays=frozenset({7})),
    ],
)
def test_impossible_hours_are_refused(broken):
    with pytest.raises(ValueError, match="working"):
        broken()
