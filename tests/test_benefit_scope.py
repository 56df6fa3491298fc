"""Seed 002's benefit-scope check: every answer combination, and customers under 150 licences."""

from itertools import product

import pytest

from domain.benefit_scope import (
    MINIMUM_LICENCES,
    OutOfScope,
    ScopeQuestion,
    ValueAddedService,
    assess,
)

ALL_YES = dict.fromkeys(ScopeQuestion, True)


@pytest.mark.parametrize("answers", list(product([True, False], repeat=3)))
def test_each_no_is_a_gap_that_value_added_services_fill(answers: tuple[bool, ...]) -> None:
    given = dict(zip(ScopeQuestion, answers, strict=True))
    verdict = assess(500, given)
    assert verdict.eligible
    assert [gap.question for gap in verdict.gaps] == [q for q, yes in given.items() if not yes]
    assert verdict.benefit_only is all(answers)
    assert bool(verdict.services_to_offer) is not all(answers)
    assert verdict.out_of_scope == (OutOfScope.MIGRATION, OutOfScope.BEYOND_GUIDANCE)


def test_all_yes_is_benefit_only_assistance() -> None:
    verdict = assess(MINIMUM_LICENCES, ALL_YES)
    assert verdict.benefit_only
    assert verdict.services_to_offer == ()


def test_no_sponsorship_calls_for_project_management() -> None:
    verdict = assess(1000, {**ALL_YES, ScopeQuestion.SPONSORSHIP: False})
    assert verdict.services_to_offer == (
        ValueAddedService.PROJECT_MANAGEMENT,
        ValueAddedService.ONSITE_RESOURCES,
    )


def test_services_called_for_by_several_gaps_are_offered_once() -> None:
    verdict = assess(1000, dict.fromkeys(ScopeQuestion, False))
    offered = verdict.services_to_offer
    assert len(offered) == len(set(offered)) == len(ValueAddedService)


def test_under_150_licences_is_not_eligible_whatever_the_answers() -> None:
    verdict = assess(MINIMUM_LICENCES - 1, {})
    assert not verdict.eligible
    assert not verdict.benefit_only
    assert verdict.gaps == ()


def test_an_eligible_customer_needs_all_three_answers() -> None:
    with pytest.raises(ValueError, match="unanswered: sponsorship"):
        assess(200, {ScopeQuestion.REMOTE_GUIDANCE: True, ScopeQuestion.SELF_REMEDIATION: True})


def test_a_negative_licence_count_is_refused() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        assess(-1, ALL_YES)
