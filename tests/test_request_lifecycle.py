"""The request life cycle as a pure state machine: every allowed and every forbidden move."""

from dataclasses import replace
from datetime import UTC, datetime
from itertools import product

import pytest

from domain import non_standard_delivery
from domain.requests import (
    APPROVAL,
    AuditEntry,
    CommentRequired,
    IllegalMove,
    Move,
    NotAllowed,
    Status,
    apply,
    is_party,
    may_read,
    may_see_personal_data,
    submit,
)
from domain.roster import Area, Person, Roster
from tests.cast import AMERICAS, BACKUP, DIRECTOR, FM, LIAISON, STRANGER

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

LEGAL = {
    (Status.SUBMITTED, Move.APPROVE): Status.APPROVED,
    (Status.SUBMITTED, Move.DECLINE): Status.DECLINED,
    (Status.SUBMITTED, Move.ASK_MORE_INFO): Status.MORE_INFO_REQUESTED,
    (Status.SUBMITTED, Move.CANCEL): Status.CANCELLED,
    (Status.MORE_INFO_REQUESTED, Move.ANSWER_MORE_INFO): Status.SUBMITTED,
    (Status.MORE_INFO_REQUESTED, Move.CANCEL): Status.CANCELLED,
    (Status.DIRECTOR_REVIEW, Move.APPROVE): Status.APPROVED,
    (Status.DIRECTOR_REVIEW, Move.DECLINE): Status.DECLINED,
    (Status.APPROVED, Move.RECORD_OUTCOME): Status.CLOSED,
    (Status.APPROVED, Move.RECORD_PARTNER_CONTACT): Status.APPROVED,
}
WAITING_ON = {
    Status.SUBMITTED: LIAISON,
    Status.MORE_INFO_REQUESTED: FM,
    Status.DIRECTOR_REVIEW: DIRECTOR,
}


def new_request(requester=FM, area=AMERICAS, needs_director=False):
    request, _ = submit(
        request_id="NSD-0001",
        kind=non_standard_delivery.KIND,
        requester=requester,
        area=area,
        customer="Contoso",
        answers={},
        needs_director=needs_director,
        at=NOW,
    )
    return request


def in_status(status):
    return replace(new_request(), status=status, waiting_on=WAITING_ON.get(status))


def rightful_actor(move):
    requesters = {
        Move.CANCEL,
        Move.ANSWER_MORE_INFO,
        Move.RECORD_OUTCOME,
        Move.RECORD_PARTNER_CONTACT,
    }
    return FM if move in requesters else None


@pytest.mark.parametrize(("status", "move"), sorted(LEGAL))
def test_every_allowed_move(status, move):
    request = in_status(status)
    actor = rightful_actor(move) or request.waiting_on
    moved, audit = apply(request, actor, move, at=NOW, comment="because")
    assert moved.status is LEGAL[(status, move)]
    assert moved.version == request.version + 1
    assert (audit.actor, audit.from_status, audit.to_status, audit.comment) == (
        actor,
        status,
        moved.status,
        "because",
    )


FORBIDDEN = [pair for pair in product(Status, Move) if pair not in LEGAL]


@pytest.mark.parametrize(("status", "move"), FORBIDDEN)
def test_every_forbidden_move_raises(status, move):
    request = in_status(status)
    actor = rightful_actor(move) or request.waiting_on or LIAISON
    with pytest.raises(IllegalMove):
        apply(request, actor, move, at=NOW, comment="because")


def test_a_new_request_waits_on_the_area_liaison():
    request = new_request()
    assert (request.status, request.waiting_on) == (Status.SUBMITTED, LIAISON)


def test_the_backup_decides_while_the_liaison_is_away():
    away = replace(AMERICAS, liaison_away=True)
    assert new_request(area=away).waiting_on == BACKUP


def test_no_one_decides_their_own_request_the_backup_gets_the_liaisons():
    assert APPROVAL.first_approver(AMERICAS, LIAISON) == BACKUP
    request = new_request(requester=LIAISON)
    with pytest.raises(NotAllowed, match="you cannot decide it"):
        apply(request, LIAISON, Move.APPROVE, at=NOW)
    assert apply(request, BACKUP, Move.APPROVE, at=NOW)[0].status is Status.APPROVED


@pytest.mark.parametrize("move", [Move.APPROVE, Move.DECLINE, Move.ASK_MORE_INFO])
@pytest.mark.parametrize("someone", [STRANGER, FM, BACKUP, DIRECTOR])
def test_only_the_person_it_waits_on_decides(move, someone):
    with pytest.raises(NotAllowed):
        apply(new_request(), someone, move, at=NOW, comment="x")


def test_someone_asked_to_stand_in_decides_too_but_never_their_own_request():
    escalated = frozenset({BACKUP.aad_object_id})
    decided, audit = apply(new_request(), BACKUP, Move.APPROVE, at=NOW, stand_ins=escalated)
    assert decided.status is Status.APPROVED
    assert audit.actor == BACKUP
    # The liaison can still decide; others cannot; the requester never decides their own.
    assert apply(new_request(), LIAISON, Move.APPROVE, at=NOW, stand_ins=escalated)
    with pytest.raises(NotAllowed):
        apply(new_request(), DIRECTOR, Move.APPROVE, at=NOW, stand_ins=escalated)
    with pytest.raises(NotAllowed):
        apply(new_request(), FM, Move.APPROVE, at=NOW, stand_ins=frozenset({FM.aad_object_id}))
    # Standing in is for decisions: the requester's moves stay the requester's.
    with pytest.raises(NotAllowed):
        apply(new_request(), BACKUP, Move.CANCEL, at=NOW, stand_ins=escalated)


@pytest.mark.parametrize("move", [Move.CANCEL])
@pytest.mark.parametrize("someone", [LIAISON, STRANGER])
def test_only_the_requester_cancels(move, someone):
    with pytest.raises(NotAllowed, match="Only Alex Wilber"):
        apply(new_request(), someone, move, at=NOW)


def test_a_flagged_request_goes_to_the_director_after_the_liaison_approves():
    request = new_request(needs_director=True)
    at_director, _audit = apply(request, LIAISON, Move.APPROVE, at=NOW)
    assert (at_director.status, at_director.waiting_on) == (Status.DIRECTOR_REVIEW, DIRECTOR)
    with pytest.raises(NotAllowed):
        apply(at_director, LIAISON, Move.APPROVE, at=NOW)
    final, _ = apply(at_director, DIRECTOR, Move.DECLINE, at=NOW, comment="no budget")
    assert (final.status, final.waiting_on) == (Status.DECLINED, None)


def test_more_information_goes_to_the_requester_and_back_to_the_liaison():
    asked, _ = apply(new_request(), LIAISON, Move.ASK_MORE_INFO, at=NOW, comment="Which SKU?")
    assert asked.waiting_on == FM
    answered, audit = apply(asked, FM, Move.ANSWER_MORE_INFO, at=NOW, comment="E5")
    assert (answered.status, answered.waiting_on, audit.comment) == (
        Status.SUBMITTED,
        LIAISON,
        "E5",
    )


@pytest.mark.parametrize("move", [Move.DECLINE, Move.ASK_MORE_INFO])
def test_declining_or_asking_needs_a_comment(move):
    with pytest.raises(CommentRequired):
        apply(new_request(), LIAISON, move, at=NOW, comment="   ")


def test_approval_needs_no_comment():
    assert apply(new_request(), LIAISON, Move.APPROVE, at=NOW)[0].status is Status.APPROVED


def test_the_outcome_is_recorded_when_closing():
    approved = apply(new_request(), LIAISON, Move.APPROVE, at=NOW)[0]
    closed, _ = apply(approved, FM, Move.RECORD_OUTCOME, at=NOW, comment="Unblocked")
    assert (closed.status, closed.outcome) == (Status.CLOSED, "Unblocked")


def test_a_decided_request_refuses_a_second_decision_with_its_state():
    approved = apply(new_request(), LIAISON, Move.APPROVE, at=NOW)[0]
    with pytest.raises(IllegalMove, match="NSD-0001 is approved"):
        apply(approved, LIAISON, Move.APPROVE, at=NOW)


ROSTER = Roster(areas=(AMERICAS,), ftc_help_mailbox="ftchelp@contoso.com", partners=())


@pytest.mark.parametrize("viewer", [FM, LIAISON, BACKUP, DIRECTOR])
def test_the_requester_and_the_areas_approvers_see_personal_answers(viewer):
    assert may_see_personal_data(new_request(), viewer, ROSTER, history=[])


def test_someone_else_does_not_see_personal_answers():
    assert not may_see_personal_data(new_request(), STRANGER, ROSTER, history=[])


def test_whoever_acted_on_a_request_still_sees_it_after_a_roster_change():
    request = new_request()
    _, audit = apply(request, LIAISON, Move.APPROVE, at=NOW)
    empty_roster = Roster(areas=(), ftc_help_mailbox="ftchelp@contoso.com", partners=())
    assert may_see_personal_data(request, LIAISON, empty_roster, history=[audit])


# --- who may read a request ---------------------------------------------------------------

EMEA_LIAISON = Person("Pradeep Gupta", "66666666-6666-4666-8666-666666666666", "pg@contoso.com")
EMEA = Area("emea", "EMEA", EMEA_LIAISON, BACKUP, DIRECTOR, ("GB",))
TWO_AREAS = Roster(areas=(AMERICAS, EMEA), ftc_help_mailbox="ftchelp@contoso.com", partners=())
NOBODY = Person("", "", "")


@pytest.mark.parametrize("viewer", [FM, LIAISON, BACKUP, DIRECTOR])
def test_the_requester_and_the_areas_liaison_backup_and_director_may_read(viewer):
    assert is_party(new_request(), viewer, TWO_AREAS)
    assert may_read(new_request(), viewer, TWO_AREAS, history=[])


@pytest.mark.parametrize("viewer", [STRANGER, EMEA_LIAISON, NOBODY])
def test_anyone_else_may_not_read_not_even_another_areas_liaison(viewer):
    assert not may_read(new_request(), viewer, TWO_AREAS, history=[])


def test_someone_without_an_aad_object_id_reads_nothing_even_where_ids_are_empty():
    anonymous_request = new_request(requester=NOBODY)
    history = [AuditEntry(NOBODY, NOW, None, None, Status.SUBMITTED)]
    assert not may_read(anonymous_request, NOBODY, TWO_AREAS, history)


def test_the_person_it_waits_on_may_read_it_though_not_in_the_roster():
    outsider_area = Area("americas", "Americas", STRANGER, BACKUP, DIRECTOR, ("US",))
    request = new_request(area=outsider_area)
    assert request.waiting_on == STRANGER
    assert may_read(request, STRANGER, ROSTER, history=[])  # ROSTER names Adele, not Megan


def test_whoever_the_request_waited_on_may_read_it_after_the_roster_changed():
    request = new_request()
    asked, audit = apply(request, LIAISON, Move.ASK_MORE_INFO, at=NOW, comment="Which?")
    empty_roster = Roster(areas=(), ftc_help_mailbox="ftchelp@contoso.com", partners=())
    assert not is_party(asked, LIAISON, empty_roster)
    assert may_read(asked, LIAISON, empty_roster, history=[audit])
    assert not may_read(asked, STRANGER, empty_roster, history=[audit])
