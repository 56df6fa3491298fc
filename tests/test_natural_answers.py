"""Answers as people type them are understood, and what must stay refused is refused."""

from datetime import date
from pathlib import Path

import pytest

from config.roster import load_roster
from domain import acm_referral as acm
from domain import covid_parsing, wvd
from domain import covid_triage as covid
from domain import non_standard_delivery as nsd
from domain.identifiers import parse_tpid
from domain.questionnaire import (
    AnswerKind,
    InvalidAnswer,
    Question,
    example_date,
    parse_date,
    parse_whole_number,
)

ROSTER = load_roster(Path(__file__).resolve().parents[1] / "config" / "roster.sample.yaml")
TODAY = date(2026, 11, 29)  # a Sunday
YES_NO = Question("flag", "Flag", "?", AnswerKind.YES_NO)
NSD_SCENARIOS = next(q for q in nsd.questions(ROSTER) if q.key == "scenarios")
WVD_IN_SCOPE = next(q for q in covid.questions(ROSTER) if q.key == "wvd_in_scope")
SERVICE_TYPE = next(q for q in acm.questions(ROSTER) if q.key == "service_type")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2 and 4", [nsd.SCENARIOS[1], nsd.SCENARIOS[3]]),
        ("blocker, compete", [nsd.SCENARIOS[1], nsd.SCENARIOS[3]]),
        ("the second and the fourth", [nsd.SCENARIOS[1], nsd.SCENARIOS[3]]),
        ("1, 2", [nsd.SCENARIOS[0], nsd.SCENARIOS[1]]),
        ("Outcome-based agreement", [nsd.SCENARIOS[6]]),
    ],
)
def test_several_choices_by_numbers_words_or_names(typed, expected):
    assert NSD_SCENARIOS.parse(typed) == expected


def test_an_option_name_holding_a_comma_or_and_is_one_option():
    assert SERVICE_TYPE.parse("Advisory & Planning") == "Advisory & Planning"
    assert NSD_SCENARIOS.parse("Remove a blocker (technical, organisational or financial)") == [
        nsd.SCENARIOS[1]
    ]
    assert WVD_IN_SCOPE.parse("3 and 4") == [wvd.WVD_IN_SCOPE[2], wvd.WVD_IN_SCOPE[3]]


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("9", "There is no option 9"),
        ("purple", "“purple” is not one of the options"),
        ("banana", "“banana” is not one of the options"),
        ("costs, banana", "“banana” is not one of the options"),
    ],
)
def test_choices_that_are_not_options_stay_refused(typed, reason):
    with pytest.raises(InvalidAnswer, match=reason):
        NSD_SCENARIOS.parse(typed)


def test_a_single_choice_takes_one_option_only():
    with pytest.raises(InvalidAnswer, match="Pick only one option"):
        SERVICE_TYPE.parse("1 and 2")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("No, they don't", False),
        ("no, a few weeks at most", False),
        ("Yes, they do", True),
        ("yep", True),
        ("n", False),
    ],
)
def test_yes_or_no_in_a_sentence(typed, expected):
    assert YES_NO.parse(typed) is expected


@pytest.mark.parametrize("typed", ["maybe", "I don't know", "not sure", "no idea"])
def test_neither_yes_nor_no_stays_refused(typed):
    with pytest.raises(InvalidAnswer, match="Please answer yes or no"):
        YES_NO.parse(typed)


@pytest.mark.parametrize(
    ("typed", "expected"), [("about 9,000", 9000), ("1,500", 1500), ("two hundred", 200)]
)
def test_numbers_as_people_write_them(typed, expected):
    assert parse_whole_number(typed) == expected


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("lots", "is not a number"),
        ("between 100 and 200", "Give one number"),
        ("2.5", "is not a whole number"),
    ],
)
def test_what_is_not_one_whole_number_stays_refused(typed, reason):
    with pytest.raises(InvalidAnswer, match=reason):
        parse_whole_number(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("next Friday", date(2026, 12, 4)),
        ("15 March", date(2027, 3, 15)),  # the next 15 March
        ("2026-12-15", date(2026, 12, 15)),
        ("30 June 2027", date(2027, 6, 30)),
    ],
)
def test_dates_as_people_write_them(typed, expected):
    assert parse_date(typed, TODAY, future_only=True) == expected


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("31 February 2027", "is not a date I can read"),
        ("soon", "is not a date I can read"),
        ("2026-11-01", "is not in the future"),
    ],
)
def test_what_is_not_a_future_date_stays_refused(typed, reason):
    with pytest.raises(InvalidAnswer, match=reason):
        parse_date(typed, TODAY, future_only=True)


def test_examples_are_computed_from_today():
    assert example_date(TODAY) == "29 December 2026"
    assert covid_parsing.target_dates_example(TODAY).startswith("Teams pilot: 29 December 2026")


def test_target_dates_read_natural_dates():
    assert covid_parsing.parse_target_dates(
        "Teams pilot: next Friday; All staff by 15 March", TODAY
    ) == [
        "Teams pilot: 2026-12-04",
        "All staff: 2027-03-15",
    ]


@pytest.mark.parametrize(
    ("typed", "region", "region_class"),
    [
        ("United States", "United States", wvd.RegionClass.SUPPORTED),
        ("Seattle", "United States", wvd.RegionClass.SUPPORTED),
        ("Germany", "Germany", wvd.RegionClass.SUPPORTED),
        ("Mumbai", "India", wvd.RegionClass.BY_EXCEPTION),
        ("Moscow, Russia", "Russia", wvd.RegionClass.BY_EXCEPTION),
        ("Hong Kong", "Hong Kong", wvd.RegionClass.BY_EXCEPTION),
        ("Shanghai", wvd.MAINLAND_CHINA, wvd.RegionClass.NOT_AVAILABLE),
        ("a sovereign cloud", wvd.NO_COMMERCIAL_AZURE, wvd.RegionClass.NOT_AVAILABLE),
        ("Anywhere else", wvd.ELSEWHERE, wvd.RegionClass.SUPPORTED),
    ],
)
def test_countries_and_cities_map_to_the_wvd_region_classes(typed, region, region_class):
    assert covid_parsing.parse_region(typed) == region
    assert wvd.region_class(region) is region_class


def test_a_place_nobody_knows_stays_refused():
    with pytest.raises(InvalidAnswer, match="I don't know where “Atlantis” is"):
        covid_parsing.parse_region("Atlantis")


@pytest.mark.parametrize("typed", ["1234567", "TPID 1234567", "tpid: 1234567"])
def test_a_tpid_is_a_number(typed):
    assert parse_tpid(typed) == "1234567"


@pytest.mark.parametrize("typed", ["I don't have it handy", "123", "TPID abc"])
def test_what_is_not_a_tpid_stays_refused(typed):
    with pytest.raises(InvalidAnswer, match="is not a TPID"):
        parse_tpid(typed)
