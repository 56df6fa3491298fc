"""Partner matching for ACM referrals: pure, by location and specialty, in a stable order."""

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from config.roster import load_roster
from domain import acm_referral
from domain import acm_referral as acm
from domain.acm_referral import match_partners, parse_location, specialties_for
from domain.deadlines import DeadlineKind, DeadlineRules, SlaPolicy
from domain.questionnaire import InvalidAnswer
from domain.requests import submit
from domain.roster import Location, Partner, Person, Specialty

PARTNER_CONTACT = DeadlineKind.PARTNER_CONTACT
ROSTER = load_roster(Path(__file__).resolve().parents[1] / "config" / "roster.sample.yaml")
ADVISORY = Specialty.ADVISORY_AND_PLANNING
TRAINING = Specialty.TRAINING_AND_ENABLEMENT
BOTH = (ADVISORY, TRAINING)


def partner(name: str, *offices: str, offers=BOTH) -> Partner:
    return Partner(name, tuple(parse_location(o) for o in offices), frozenset(offers))


def names(matches) -> list[str]:
    return [m.partner.name for m in matches]


def test_the_customers_city_comes_before_the_rest_of_the_country():
    directory = [
        partner("Alpha", "Chicago, US"),
        partner("Bravo", "Seattle, US"),
        partner("Charlie", "New York, US"),
        partner("Delta", "Seattle, US"),
    ]
    matches = match_partners(directory, Location("Seattle", "US"), BOTH)
    assert names(matches) == ["Bravo", "Delta", "Alpha"]
    assert [m.same_city for m in matches] == [True, True, False]
    assert matches[0].reasons[0] == "same city as the customer"
    assert matches[2].reasons[0] == "same country as the customer"


def test_partners_abroad_or_without_the_specialty_do_not_match():
    directory = [
        partner("Abroad", "Toronto, CA"),
        partner("Trainers", "Seattle, US", offers=[TRAINING]),
        partner("Advisors", "Portland, US", offers=[ADVISORY]),
    ]
    matches = match_partners(directory, Location("Seattle", "US"), [ADVISORY])
    assert names(matches) == ["Advisors"]
    assert matches[0].reasons == (
        "same country as the customer",
        "offers Advisory & Planning",
    )


def test_more_of_the_wanted_specialties_rank_first_within_a_location():
    directory = [
        partner("Aardvark Training", "Seattle, US", offers=[TRAINING]),
        partner("Zebra Full Service", "Seattle, US"),
        partner("Full Service Elsewhere", "Boston, US"),
    ]
    matches = match_partners(directory, Location("Seattle", "US"), BOTH)
    assert names(matches) == ["Zebra Full Service", "Aardvark Training", "Full Service Elsewhere"]
    assert matches[1].reasons[1] == "offers Training & Enablement (not Advisory & Planning)"
    assert matches[0].reasons[1] == "offers Advisory & Planning and Training & Enablement"


def test_at_most_three_and_ties_are_broken_by_name_whatever_the_directory_order():
    directory = [partner(n, "Berlin, DE") for n in ("delta", "Bravo", "alpha", "Charlie", "Echo")]
    expected = ["alpha", "Bravo", "Charlie"]
    assert names(match_partners(directory, Location("Berlin", "DE"), BOTH)) == expected
    assert names(match_partners(directory[::-1], Location("Berlin", "DE"), BOTH)) == expected


def test_city_names_match_ignoring_case_and_spacing():
    directory = [partner("Alpha", "New York, US"), partner("Bravo", "Austin, US")]
    matches = match_partners(directory, Location("new  york", "US"), BOTH)
    assert names(matches) == ["Alpha", "Bravo"]
    assert matches[0].same_city


def test_a_partner_with_several_offices_matches_on_the_nearest():
    directory = [partner("Northwind", "Chicago, US", "Seattle, US")]
    (match,) = match_partners(directory, Location("Seattle", "US"), BOTH)
    assert match.same_city
    assert str(match.office) == "Seattle, US"


def test_specialties_may_be_any_iterable():
    directory = [partner("Alpha", "Oslo, NO", offers=[TRAINING])]
    assert names(match_partners(directory, Location("Oslo", "NO"), iter(BOTH))) == ["Alpha"]


def test_fewer_than_three_and_none():
    directory = [partner("Only", "Paris, FR")]
    assert len(match_partners(directory, Location("Lyon", "FR"), BOTH)) == 1
    assert match_partners(directory, Location("Madrid", "ES"), BOTH) == []


def test_the_sample_directory():
    seattle = match_partners(ROSTER.partners, Location("Seattle", "US"), [TRAINING])
    assert names(seattle) == [
        "Fabrikam Adoption Services",
        "Northwind Change Partners",
    ]
    advisory = match_partners(ROSTER.partners, Location("Boston", "US"), [ADVISORY])
    assert names(advisory) == ["Northwind Change Partners", "Tailspin Advisory"]
    assert names(match_partners(ROSTER.partners, Location("Manchester", "GB"), BOTH)) == [
        "Litware Transformation"
    ]


def test_the_proposal_is_described_plainly():
    answers = {"service_type": "Both", "location": "Seattle, US"}
    text = acm.describe_matches(acm.proposal(ROSTER, answers), answers)
    assert text.startswith(
        "The 3 partners proposed for Advisory & Planning and Training & Enablement near "
        "Seattle, US:"
    )
    assert "1. **Northwind Change Partners** (Seattle, US): same city as the customer" in text

    answers = {"service_type": "Advisory & Planning", "location": "Chicago, US"}
    text = acm.describe_matches(acm.proposal(ROSTER, answers), answers)
    assert text.startswith(
        "Only 2 partners in the directory match Advisory & Planning near Chicago, US, fewer "
        "than the 3 a referral offers"
    )
    answers = {"service_type": "Both", "location": "Toronto, CA"}
    text = acm.describe_matches(acm.proposal(ROSTER, answers), answers)
    assert text.startswith("Only one partner in the directory matches")
    assert "**Contoso Learning Group** (Toronto, CA)" in text

    answers = {"service_type": "Training & Enablement", "location": "Lyon, FR"}
    text = acm.describe_matches(acm.proposal(ROSTER, answers), answers)
    assert text.startswith(
        "No partner in the directory offers Training & Enablement in the customer's country"
    )


@pytest.mark.parametrize(
    ("text", "location"),
    [
        ("Seattle, US", Location("Seattle", "US")),
        ("  new   york ,us ", Location("new york", "US")),
        ("London, UK", Location("London", "GB")),
        ("Washington, D.C., US", Location("Washington, D.C.", "US")),
        ("Seattle, United States", Location("Seattle", "US")),
        ("Seattle, USA", Location("Seattle", "US")),
        ("Lyon, France", Location("Lyon", "FR")),
        ("Seattle", Location("Seattle", "US")),  # a well-known city alone
    ],
)
def test_a_location_is_a_city_and_its_country(text, location):
    assert parse_location(text) == location


@pytest.mark.parametrize("text", [", US", "Seattle US", "Springfield", "Springfield, Narnia"])
def test_a_location_without_a_country_is_refused(text):
    with pytest.raises(InvalidAnswer, match="write the city, a comma and the country"):
        parse_location(text)


def test_service_types_map_to_specialties():
    assert specialties_for("Both") == BOTH
    assert specialties_for("Training & Enablement") == (TRAINING,)


def test_the_follow_up_is_three_business_days_after_approval_in_the_area_calendar():
    fm = Person("Alex Wilber", "11111111-1111-4111-8111-111111111111", "")
    request, _ = submit(
        request_id="ACM-0001",
        kind=acm_referral.KIND,
        requester=fm,
        area=ROSTER.area("americas"),
        customer="Contoso",
        answers={},
        needs_director=False,
        at=datetime(2026, 11, 23, tzinfo=UTC),
    )
    rules = DeadlineRules(SlaPolicy(), ROSTER.working_hours_of)
    approved_at = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # Tuesday 10:00 in New York
    (deadline,) = acm.deadlines_at_approval(request, rules, approved_at)
    # Thanksgiving (US) is skipped.
    assert deadline.due_at == datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    assert (deadline.kind, deadline.owner, deadline.target) == (PARTNER_CONTACT, fm, fm)
    assert deadline.request_id == "ACM-0001"
    (in_emea,) = acm.deadlines_at_approval(
        replace(request, area=ROSTER.area("emea")), rules, approved_at
    )
    assert in_emea.due_at == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
