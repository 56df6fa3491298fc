"""Business days: weekends and the given holidays are skipped; holidays come per country."""

from datetime import date

import pytest

from domain.business_days import (
    add_business_days,
    add_business_days_in,
    holidays_in,
    supports_country,
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
    days = holidays_in(["US", "GB"], [2026])
    assert date(2026, 7, 3) in days  # US Independence Day, observed (the 4th is a Saturday)
    assert date(2026, 4, 3) in days  # Good Friday in the UK, not in the US
    assert date(2026, 3, 10) not in days


def test_the_area_calendar_moves_a_deadline_past_a_holiday():
    # Thanksgiving (Thu 26 Nov 2026) in the US; not in Germany.
    assert add_business_days_in(date(2026, 11, 24), 3, ["US"]) == date(2026, 11, 30)
    assert add_business_days_in(date(2026, 11, 24), 3, ["DE"]) == date(2026, 11, 27)
    # Christmas and New Year in Germany, across the year end.
    assert add_business_days_in(date(2026, 12, 23), 3, ["DE"]) == date(2026, 12, 29)
    assert add_business_days_in(date(2026, 12, 30), 3, ["DE"]) == date(2027, 1, 5)


def test_countries_without_holiday_data_are_known():
    assert supports_country("US")
    assert supports_country("JP")
    assert not supports_country("XX")
