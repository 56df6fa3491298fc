"""Business days: weekends and the given holidays are skipped; an area's calendar combines
its countries' and subdivisions' holidays; instants move by business days in a time zone."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.business_days import (
    BusinessCalendar,
    add_business_days,
    business_days_after,
    supports_country,
    supports_subdivision,
)

MON, TUE, WED, THU, FRI, SAT, SUN = (date(2026, 3, d) for d in range(9, 16))


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (MON, 1, TUE),
        (MON, 3, THU),
        (WED, 3, date(2026, 3, 16)),  # Thu, Fri, Mon
        (FRI, 1, date(2026, 3, 16)),
        (FRI, 3, date(2026, 3, 18)),
        (SAT, 1, date(2026, 3, 16)),
        (SUN, 3, date(2026, 3, 18)),
        (MON, 0, MON),
        (SAT, 0, SAT),
        (MON, 10, date(2026, 3, 23)),
    ],
)
def test_weekends_are_skipped(start, days, due):
    assert add_business_days(start, days, set()) == due


def test_holidays_are_skipped_like_weekends():
    assert add_business_days(MON, 3, {TUE}) == FRI
    assert add_business_days(MON, 3, {TUE, WED}) == date(2026, 3, 16)
    # A holiday on a weekend, or before the start, changes nothing.
    assert add_business_days(MON, 3, {SAT, date(2026, 3, 2)}) == THU
    # A holiday on the start day itself is not counted either way.
    assert add_business_days(MON, 1, {MON}) == TUE


def test_the_count_crosses_the_year_end():
    holidays = {date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1)}
    assert add_business_days(date(2025, 12, 24), 3, holidays) == date(2025, 12, 31)
    assert add_business_days(date(2025, 12, 24), 5, holidays) == date(2026, 1, 5)


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError, match="zero or more"):
        add_business_days(MON, -1, set())


def test_holidays_of_several_countries_are_combined():
    days = BusinessCalendar(("US", "GB")).holidays(2026)
    assert date(2026, 7, 3) in days  # US Independence Day, observed (the 4th is a Saturday)
    assert date(2026, 4, 3) in days  # Good Friday in the UK, not in the US
    assert date(2026, 3, 10) not in days


def test_a_subdivision_adds_its_own_holidays_to_the_national_ones():
    germany = BusinessCalendar(("DE",))
    bavaria = BusinessCalendar(("DE",), ("DE-BY",))
    epiphany = date(2026, 1, 6)  # a Tuesday; a holiday in Bavaria, not in Berlin
    assert germany.is_business_day(epiphany)
    assert not bavaria.is_business_day(epiphany)
    assert not bavaria.is_business_day(date(2026, 10, 3))  # German Unity Day, national
    assert bavaria.add_business_days(date(2026, 1, 5), 1) == date(2026, 1, 7)
    assert germany.add_business_days(date(2026, 1, 5), 1) == epiphany


def test_a_subdivision_alone_brings_its_country_calendar():
    assert not BusinessCalendar((), ("US-WA",)).is_business_day(date(2026, 11, 26))


def test_the_area_calendar_moves_a_deadline_past_a_holiday():
    # Thanksgiving (Thu 26 Nov 2026) in the US; not in Germany.
    assert BusinessCalendar(("US",)).add_business_days(date(2026, 11, 24), 3) == date(2026, 11, 30)
    germany = BusinessCalendar(("DE",))
    assert germany.add_business_days(date(2026, 11, 24), 3) == date(2026, 11, 27)
    # Christmas and New Year in Germany, across the year end.
    assert germany.add_business_days(date(2026, 12, 23), 3) == date(2026, 12, 29)
    assert germany.add_business_days(date(2026, 12, 30), 3) == date(2027, 1, 5)


def test_business_days_between_counts_like_adding_them():
    germany = BusinessCalendar(("DE",))
    assert germany.business_days_between(date(2026, 12, 23), date(2026, 12, 29)) == 3
    assert germany.business_days_between(date(2026, 12, 29), date(2026, 12, 23)) == -3
    assert germany.business_days_between(MON, MON) == 0
    assert germany.business_days_between(FRI, SUN) == 0
    assert germany.business_days_between(FRI, date(2026, 3, 16)) == 1
    assert germany.next_business_day(date(2026, 12, 25)) == date(2026, 12, 28)
    assert germany.next_business_day(MON) == MON


LOS_ANGELES = ZoneInfo("America/Los_Angeles")
SYDNEY = ZoneInfo("Australia/Sydney")
BERLIN = ZoneInfo("Europe/Berlin")


def test_an_instant_keeps_its_wall_clock_time_across_a_dst_change():
    us = BusinessCalendar(("US",))
    # Fri 6 Mar 2026 10:00 PST; clocks go forward on Sun 8 Mar; Tue 10 Mar 10:00 PDT.
    friday = datetime(2026, 3, 6, 18, 0, tzinfo=UTC)
    due = business_days_after(friday, 2, us, LOS_ANGELES)
    assert due == datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
    assert due - friday == timedelta(hours=95)
    # And back in the autumn: Fri 23 Oct 10:00 CEST, Tue 27 Oct 10:00 CET in Berlin.
    germany = BusinessCalendar(("DE",))
    autumn = business_days_after(datetime(2026, 10, 23, 8, 0, tzinfo=UTC), 2, germany, BERLIN)
    assert autumn == datetime(2026, 10, 27, 9, 0, tzinfo=UTC)


def test_the_date_is_counted_in_the_given_time_zone():
    calendar = BusinessCalendar(("US", "AU"))
    monday_evening_in_seattle = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)  # 16:30 PDT
    # Tuesday 10:30 in Sydney already: one business day later is Wednesday there.
    assert business_days_after(monday_evening_in_seattle, 1, calendar, SYDNEY) == datetime(
        2026, 3, 10, 23, 30, tzinfo=UTC
    )
    assert business_days_after(monday_evening_in_seattle, 1, calendar, LOS_ANGELES) == datetime(
        2026, 3, 10, 23, 30, tzinfo=UTC
    )
    # Friday evening in Seattle is Saturday in Sydney: one business day is Monday there.
    friday = datetime(2026, 3, 13, 23, 30, tzinfo=UTC)
    assert business_days_after(friday, 1, calendar, SYDNEY) == datetime(
        2026, 3, 15, 23, 30, tzinfo=UTC
    )
    assert business_days_after(friday, 1, calendar, LOS_ANGELES) == datetime(
        2026, 3, 16, 23, 30, tzinfo=UTC
    )


def test_an_instant_moves_past_holidays_and_the_year_end():
    germany = BusinessCalendar(("DE",))
    christmas_eve = datetime(2026, 12, 24, 14, 0, tzinfo=UTC)  # 15:00 CET
    assert business_days_after(christmas_eve, 2, germany, BERLIN) == datetime(
        2026, 12, 29, 14, 0, tzinfo=UTC
    )
    assert business_days_after(christmas_eve, 5, germany, BERLIN) == datetime(
        2027, 1, 4, 14, 0, tzinfo=UTC
    )


def test_countries_without_holiday_data_are_known():
    assert supports_country("US")
    assert supports_country("JP")
    assert not supports_country("XX")
    assert supports_subdivision("DE", "BY")
    assert not supports_subdivision("DE", "XX")
    assert not supports_subdivision("XX", "BY")
