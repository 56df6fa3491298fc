"""Seed 001: completeness per request type, routing, and the workload balancer."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config.roster import load_roster
from domain.fta_assignment import (
    FtaLoad,
    FtaMoveError,
    FtaRequest,
    FtaRequestType,
    FtaStatus,
    HandBack,
    KeyInput,
    Route,
    accept,
    choose_fta,
    hand_back,
    may_read,
    missing_inputs,
    place,
)
from domain.roster import Person

MEGAN = Person("Megan Bowen", "55555555-5555-4555-8555-555555555555", "megan@contoso.com")
ISAIAH = Person("Isaiah Langer", "66666666-6666-4666-8666-666666666666", "isaiah@contoso.com")
JONI = Person("Joni Sherman", "77777777-7777-4777-8777-777777777777", "joni@contoso.com")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def load(fta: Person, open_assignments: int, days_ago: int | None = None, away: bool = False):
    last = None if days_ago is None else MONDAY - timedelta(days=days_ago)
    return FtaLoad(fta, open_assignments, last, away)


def test_the_fewest_open_assignments_wins() -> None:
    chosen = choose_fta([load(MEGAN, 3, 1), load(ISAIAH, 1, 0), load(JONI, 2, 9)])
    assert chosen is not None
    assert chosen.fta == ISAIAH


def test_a_tie_goes_to_whoever_was_assigned_longest_ago() -> None:
    chosen = choose_fta([load(MEGAN, 1, 1), load(ISAIAH, 1, 5), load(JONI, 1, 2)])
    assert chosen is not None
    assert chosen.fta == ISAIAH


def test_never_assigned_comes_before_assigned_long_ago() -> None:
    chosen = choose_fta([load(MEGAN, 0, 400), load(ISAIAH, 0)])
    assert chosen is not None
    assert chosen.fta == ISAIAH


def test_ftas_who_are_away_are_skipped() -> None:
    chosen = choose_fta([load(MEGAN, 0, away=True), load(ISAIAH, 4, 1)])
    assert chosen is not None
    assert chosen.fta == ISAIAH


def test_a_hand_back_goes_to_the_next_by_the_same_rule() -> None:
    loads = [load(MEGAN, 0), load(ISAIAH, 1, 3), load(JONI, 1, 1)]
    first = choose_fta(loads)
    assert first is not None
    second = choose_fta(loads, passed_over=[first.fta.aad_object_id])
    assert (first.fta, second.fta if second else None) == (MEGAN, ISAIAH)


def test_nobody_available_is_none() -> None:
    assert choose_fta([load(MEGAN, 0, away=True)], passed_over=[]) is None
    assert choose_fta([load(MEGAN, 0)], passed_over=[MEGAN.aad_object_id]) is None
    assert choose_fta([]) is None


@pytest.mark.parametrize(
    ("request_type", "route"),
    [
        (FtaRequestType.DISCOVERY_WORKSHOP, Route.FTA),
        (FtaRequestType.ECIF_DWR_REVIEW, Route.FTA),
        (FtaRequestType.MIGRATION_EXCEPTION, Route.FTA),
        (FtaRequestType.BEFORE_LICENCE_PURCHASE, Route.FTA),
        (FtaRequestType.LAND_BENEFIT, Route.FTC_HELP),
        (FtaRequestType.SALES_SUPPORT, Route.FTC_HELP),
    ],
)
def test_funding_and_migration_exceptions_go_to_ftas_the_rest_to_ftchelp(
    request_type: FtaRequestType, route: Route
) -> None:
    assert request_type.route is route


def test_a_funding_request_needs_sow_staffing_plan_and_cost_breakdown() -> None:
    given = {"sow": "https://contoso.sharepoint.com/sow.docx", "cost_breakdown": "  "}
    assert missing_inputs(FtaRequestType.ECIF_DWR_REVIEW, given) == (
        KeyInput.STAFFING_PLAN,
        KeyInput.COST_BREAKDOWN,
    )


def test_a_migration_exception_needs_mailboxes_source_and_justification() -> None:
    assert missing_inputs(FtaRequestType.MIGRATION_EXCEPTION, {"mailbox_details": "900"}) == (
        KeyInput.SOURCE_ENVIRONMENT,
        KeyInput.BUSINESS_JUSTIFICATION,
    )


def test_landing_the_benefit_needs_a_customer_success_plan() -> None:
    assert missing_inputs(FtaRequestType.LAND_BENEFIT, {}) == (KeyInput.CUSTOMER_SUCCESS_PLAN,)
    assert missing_inputs(FtaRequestType.LAND_BENEFIT, {"customer_success_plan": "CSP"}) == ()


# --- accept and hand back ------------------------------------------------------------------


ROSTER = load_roster(Path(__file__).resolve().parents[1] / "config" / "roster.sample.yaml")
REQUESTER = Person("Alex Wilber", "11111111-1111-4111-8111-111111111111", "")


def _assigned_request(loads: list[FtaLoad]) -> FtaRequest:
    answers = {"customer": "Contoso"}
    area = ROSTER.area("americas")
    return place("FTA-0001", FtaRequestType.DISCOVERY_WORKSHOP, area, REQUESTER, answers, loads)


def test_only_the_assigned_fta_accepts_and_only_once() -> None:
    request = _assigned_request([load(MEGAN, 0), load(ISAIAH, 1)])
    assert request.fta == MEGAN
    with pytest.raises(FtaMoveError, match="assigned to Megan Bowen, not you"):
        accept(request, ISAIAH)
    accepted = accept(request, MEGAN)
    assert (accepted.status, accepted.version) == (FtaStatus.ACCEPTED, 2)
    with pytest.raises(FtaMoveError, match="accepted already"):
        accept(accepted, MEGAN)


def test_hand_back_needs_a_reason_and_goes_to_the_next_by_the_same_rule() -> None:
    loads = [load(MEGAN, 0), load(ISAIAH, 2), load(JONI, 1)]
    request = _assigned_request(loads)
    with pytest.raises(FtaMoveError, match="reason is needed"):
        hand_back(request, MEGAN, "  ", loads, MONDAY)
    to_joni = hand_back(request, MEGAN, " On leave ", loads, MONDAY)
    assert (to_joni.fta, to_joni.passed_over) == (JONI, (MEGAN.aad_object_id,))
    assert to_joni.hand_backs == (HandBack(MEGAN, MONDAY, "On leave", JONI),)
    to_isaiah = hand_back(to_joni, JONI, "Conflict", loads, MONDAY)
    assert to_isaiah.fta == ISAIAH
    nobody = hand_back(to_isaiah, ISAIAH, "Too busy", loads, MONDAY)
    assert (nobody.status, nobody.fta) == (FtaStatus.UNASSIGNED, None)
    # Who handed it back to whom, in order; the last went to nobody.
    assert [(h.by, h.to) for h in nobody.hand_backs] == [
        (MEGAN, JONI),
        (JONI, ISAIAH),
        (ISAIAH, None),
    ]


def test_an_fta_request_is_read_by_its_parties_only() -> None:
    loads = [load(MEGAN, 0), load(ISAIAH, 2)]
    request = _assigned_request(loads)
    americas = ROSTER.area("americas")
    nordics = replace(americas, code="nordics", name="Nordics", liaison=JONI)
    roster = replace(ROSTER, areas=(americas, nordics))
    handed_back = hand_back(request, MEGAN, "On leave", loads, MONDAY)
    readers = [REQUESTER, ISAIAH, MEGAN, americas.liaison, americas.backup, americas.director]
    assert all(may_read(handed_back, person, roster) for person in readers)
    # An FTA it was not (yet) assigned to, another area's liaison, nobody in particular.
    assert not may_read(request, ISAIAH, roster)
    assert not may_read(handed_back, JONI, roster)
    assert not may_read(handed_back, Person("", "", ""), roster)
