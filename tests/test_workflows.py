"""Each kind's workflow as a pure domain object, and the places that read it: what it offers is
legal and works for whoever holds the buttons, a request waits on someone exactly while open,
and a card or `my requests` shows what the workflow says, not a copy of it."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from cards.approval import approval_card
from cards.fta import ACCEPT_VERB, HAND_BACK_VERB, fta_card
from cards.my_requests import my_requests_card
from domain import acm_referral, covid_triage, non_standard_delivery
from domain.fta_assignment import (
    ASSIGNMENT,
    FtaLoad,
    FtaMove,
    FtaMoveError,
    FtaRequest,
    FtaRequestType,
    FtaStatus,
    accept,
    hand_back,
    place,
)
from domain.out_of_office import Absence
from domain.requests import (
    APPROVAL,
    ApprovalWorkflow,
    IllegalMove,
    Move,
    Request,
    RequestKind,
    Status,
    apply,
    may_move,
    submit,
)
from domain.roster import Fta, Mailbox, Person
from tests.cast import AMERICAS, BACKUP, DIRECTOR, FM, LIAISON
from tests.harness import card_actions, card_text
from tests.schemas import assert_valid_card

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
APPROVAL_KINDS = [non_standard_delivery.KIND, covid_triage.KIND, acm_referral.KIND]


def new_request(kind: RequestKind, needs_director: bool = False, away=()) -> Request:
    request, _ = submit(
        request_id=f"{kind.prefix}-0001",
        kind=kind,
        requester=FM,
        area=AMERICAS,
        customer="Contoso",
        answers={},
        needs_director=needs_director,
        at=NOW,
        away=away,
    )
    return request


def in_status(kind: RequestKind, status: Status) -> Request:
    request = new_request(kind)
    return replace(request, status=status, waiting_on=kind.workflow.waiting_on(request, status))


@pytest.mark.parametrize("kind", APPROVAL_KINDS, ids=lambda kind: kind.name)
def test_approval_kinds_follow_the_approval_workflow(kind: RequestKind) -> None:
    assert kind.workflow is APPROVAL
    assert {kind: "a kind keys its outcomes and its spec"}[kind]


@pytest.mark.parametrize("kind", APPROVAL_KINDS, ids=lambda kind: kind.name)
def test_what_a_card_offers_is_legal_and_works_for_whom_the_request_waits_on(kind) -> None:
    workflow = kind.workflow
    for status, moves in workflow.offered.items():
        request = in_status(kind, status)
        assert request.waiting_on is not None
        for move in moves:
            assert workflow.allows(status, move), (status, move)
            assert may_move(request, request.waiting_on, move), (status, move)


@pytest.mark.parametrize("kind", APPROVAL_KINDS, ids=lambda kind: kind.name)
@pytest.mark.parametrize("status", list(Status))
def test_a_request_waits_on_someone_exactly_while_it_is_open(kind, status) -> None:
    request = in_status(kind, status)
    assert request.is_open is (status in kind.workflow.awaiting)
    assert (request.waiting_on is not None) is request.is_open


@pytest.mark.parametrize("kind", APPROVAL_KINDS, ids=lambda kind: kind.name)
def test_the_director_stage_is_taken_only_by_a_flagged_request(kind) -> None:
    plain = apply(new_request(kind), LIAISON, Move.APPROVE, at=NOW)[0]
    assert (plain.status, plain.waiting_on) == (Status.APPROVED, None)
    flagged = apply(new_request(kind, needs_director=True), LIAISON, Move.APPROVE, at=NOW)[0]
    assert (flagged.status, flagged.waiting_on) == (Status.DIRECTOR_REVIEW, DIRECTOR)
    reviewed = apply(flagged, DIRECTOR, Move.APPROVE, at=NOW)[0]
    assert (reviewed.status, reviewed.waiting_on) == (Status.APPROVED, None)


@pytest.mark.parametrize("kind", APPROVAL_KINDS, ids=lambda kind: kind.name)
def test_a_flagged_request_routed_to_the_director_is_approved_once(kind) -> None:
    away = [Absence(LIAISON, None), Absence(BACKUP, None)]
    request = new_request(kind, needs_director=True, away=away)
    assert request.waiting_on == DIRECTOR
    assert apply(request, DIRECTOR, Move.APPROVE, at=NOW)[0].status is Status.APPROVED


@pytest.mark.parametrize("kind", APPROVAL_KINDS, ids=lambda kind: kind.name)
def test_an_answered_question_goes_back_to_the_approver_it_went_to(kind) -> None:
    request = new_request(kind, away=[Absence(LIAISON, None)])
    asked = apply(request, BACKUP, Move.ASK_MORE_INFO, at=NOW, comment="Which tenant?")[0]
    assert asked.waiting_on == FM
    answered = apply(asked, FM, Move.ANSWER_MORE_INFO, at=NOW, comment="The main one")[0]
    assert (answered.status, answered.waiting_on) == (Status.SUBMITTED, BACKUP)


# A workflow other than the kinds' own: approve or decline only, no question, no cancelling.
APPROVE_OR_DECLINE = ApprovalWorkflow(
    legal={
        (Status.SUBMITTED, Move.APPROVE): Status.APPROVED,
        (Status.SUBMITTED, Move.DECLINE): Status.DECLINED,
    },
    decisions=frozenset({Move.APPROVE, Move.DECLINE}),
    offered={Status.SUBMITTED: (Move.APPROVE, Move.DECLINE)},
)
STRICT = RequestKind("strict", "STR", "Strict request", APPROVE_OR_DECLINE)


def test_the_approval_card_offers_what_the_workflow_offers() -> None:
    request = new_request(STRICT)
    card = approval_card(request, [], [], actionable=True)
    assert_valid_card(card)
    assert [action["verb"] for action in card_actions(card)] == ["approve", "decline"]
    (comment,) = [e for e in card["body"] if e.get("id") == "comment"]
    assert comment["label"] == "Comment (required to decline)"
    usual = approval_card(new_request(non_standard_delivery.KIND), [], [], actionable=True)
    assert [a["verb"] for a in card_actions(usual)] == ["approve", "decline", "ask_more_info"]


def test_a_move_the_workflow_does_not_have_is_refused() -> None:
    with pytest.raises(IllegalMove):
        apply(new_request(STRICT), LIAISON, Move.ASK_MORE_INFO, at=NOW, comment="Why?")


def test_my_requests_offers_cancel_only_where_the_workflow_allows_it() -> None:
    strict, usual = new_request(STRICT), new_request(non_standard_delivery.KIND)
    card = my_requests_card([strict, usual], {}, reader_id=FM.aad_object_id)
    assert_valid_card(card)
    text = card_text(card)
    assert f"Cancel {usual.id}" in text
    assert f"Cancel {strict.id}" not in text


# --- the assignment workflow (FTA requests) -------------------------------------------------

MEGAN = Person("Megan Bowen", "55555555-5555-4555-8555-555555555555", "megan@contoso.com")
ISAIAH = Person("Isaiah Langer", "66666666-6666-4666-8666-666666666666", "isaiah@contoso.com")
FTC_HELP = Mailbox("ftchelp@contoso.com")
AREA_WITH_FTAS = replace(AMERICAS, ftas=(Fta(MEGAN), Fta(ISAIAH)))


def fta_request(request_type: FtaRequestType, *ftas: Person) -> FtaRequest:
    loads = [FtaLoad(fta, 0, None) for fta in ftas]
    return place("FTA-0001", request_type, AREA_WITH_FTAS, FM, {"customer": "Contoso"}, loads)


def test_an_assignment_waits_on_its_fta_until_accepted() -> None:
    request = fta_request(FtaRequestType.DISCOVERY_WORKSHOP, MEGAN)
    assert ASSIGNMENT.waiting_on(request, FTC_HELP) == MEGAN
    assert ASSIGNMENT.waiting_on(accept(request, MEGAN), FTC_HELP) is None


def test_an_assignment_nobody_can_take_waits_on_the_area_liaison() -> None:
    assert ASSIGNMENT.waiting_on(fta_request(FtaRequestType.ECIF_DWR_REVIEW), FTC_HELP) == LIAISON
    handed_back = hand_back(
        fta_request(FtaRequestType.ECIF_DWR_REVIEW, MEGAN), MEGAN, "On leave", [], NOW
    )
    assert ASSIGNMENT.waiting_on(handed_back, FTC_HELP) == LIAISON


def test_a_request_for_ftchelp_waits_on_its_mailbox_not_a_person() -> None:
    request = fta_request(FtaRequestType.SALES_SUPPORT, MEGAN)
    assert ASSIGNMENT.waiting_on(request, FTC_HELP) == Mailbox("ftchelp@contoso.com")


@pytest.mark.parametrize("status", list(FtaStatus))
def test_accept_and_hand_back_only_where_the_workflow_offers_them(status: FtaStatus) -> None:
    request = replace(fta_request(FtaRequestType.DISCOVERY_WORKSHOP, MEGAN), status=status)
    offered = ASSIGNMENT.offered.get(status, ())
    card = fta_card(request, MEGAN)
    assert_valid_card(card)
    verbs = {FtaMove.ACCEPT: ACCEPT_VERB, FtaMove.HAND_BACK: HAND_BACK_VERB}
    assert [action["verb"] for action in card_actions(card)] == [verbs[m] for m in offered]
    moves = {
        FtaMove.ACCEPT: lambda: accept(request, MEGAN),
        FtaMove.HAND_BACK: lambda: hand_back(request, MEGAN, "On leave", [], NOW),
    }
    for move, make in moves.items():
        if move in offered:
            make()
        else:
            with pytest.raises(FtaMoveError):
                make()
    # Only the FTA it is assigned to holds the buttons.
    assert card_actions(fta_card(request, ISAIAH)) == []
