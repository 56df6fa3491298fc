"""The request life cycle: who a request waits on, which moves are legal, and who may make them.

Pure: no I/O. The service layer loads a request, asks `apply` for the next state and stores it
with a conditional update on `version`, so the database decides races.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from domain.out_of_office import Absence
from domain.roster import Area, Person, Roster


class Status(StrEnum):
    SUBMITTED = "submitted"
    MORE_INFO_REQUESTED = "more_info_requested"
    DIRECTOR_REVIEW = "director_review"
    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            "submitted": "Waiting for the liaison",
            "more_info_requested": "More information requested",
            "director_review": "Waiting for the regional director",
            "approved": "Approved",
            "declined": "Declined",
            "cancelled": "Cancelled",
            "closed": "Closed",
        }[self.value]


class Move(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"
    ASK_MORE_INFO = "ask_more_info"
    ANSWER_MORE_INFO = "answer_more_info"
    CANCEL = "cancel"
    RECORD_OUTCOME = "record_outcome"
    # After an ACM referral: did the partners contact the customer? (the comment: the answer)
    RECORD_PARTNER_CONTACT = "record_partner_contact"


COMMENT_REQUIRED = frozenset(
    {Move.DECLINE, Move.ASK_MORE_INFO, Move.ANSWER_MORE_INFO, Move.RECORD_PARTNER_CONTACT}
)


class MoveError(Exception):
    """A move that the life cycle or the authorisation rule forbids; the message says why."""


class IllegalMove(MoveError):
    pass


class NotAllowed(MoveError):
    pass


class CommentRequired(MoveError):
    pass


# Compared by identity (each workflow is stated once), so that kinds naming one are hashable.
@dataclass(frozen=True, eq=False)
class ApprovalWorkflow:
    """Approval by the area liaison (the backup, or the regional director, standing in while
    they are away), then a review by the regional director when the request is flagged: the
    one place this life cycle is stated. The moves, the cards, `my requests` and the
    repository's "what waits on whom" read it."""

    # status x move -> the status it leads to (an approval of a flagged request: `target`).
    legal: Mapping[tuple[Status, Move], Status]
    # The moves the person a request waits on makes; the others are the requester's.
    decisions: frozenset[Move]
    # What the person a request waits on is offered on its card, by status. A request waits
    # on someone (it is open) in exactly these statuses.
    offered: Mapping[Status, tuple[Move, ...]]

    @property
    def awaiting(self) -> frozenset[Status]:
        return frozenset(self.offered)

    def allows(self, status: Status, move: Move) -> bool:
        return (status, move) in self.legal

    def target(self, request: Request, actor: Person, move: Move) -> Status | None:
        """The status `move` leads to; None when it is not legal now."""
        target = self.legal.get((request.status, move))
        if (
            target is Status.APPROVED
            and request.status is Status.SUBMITTED
            and request.needs_director
            # Routed to the director (liaison and backup out of office): their approval is
            # the director's review.
            and actor.aad_object_id != request.area.director.aad_object_id
        ):
            return Status.DIRECTOR_REVIEW
        return target

    def first_approver(self, area: Area, requester: Person, away: Iterable[Absence] = ()) -> Person:
        """The area liaison; the backup while the liaison is away or out of office, or when
        the liaison is asking; the regional director when the backup is out of office too."""
        absent = {a.person.aad_object_id for a in away}
        if (
            area.liaison_away
            or area.liaison.aad_object_id == requester.aad_object_id
            or area.liaison.aad_object_id in absent
        ):
            if area.backup.aad_object_id in absent:
                return area.director
            return area.backup
        return area.liaison

    def waiting_on(self, request: Request, status: Status) -> Person | None:
        """Whom a request in `status` waits on."""
        if status is Status.SUBMITTED:
            # Back from the requester: to whoever it went to at submission, so one approver
            # sees it through even when the liaison is back meanwhile.
            return self.first_approver(request.area, request.requester, request.passed_over)
        if status is Status.DIRECTOR_REVIEW:
            return request.area.director
        if status is Status.MORE_INFO_REQUESTED:
            return request.requester
        return None


APPROVAL = ApprovalWorkflow(
    legal={
        (Status.SUBMITTED, Move.APPROVE): Status.APPROVED,  # or DIRECTOR_REVIEW when flagged
        (Status.SUBMITTED, Move.DECLINE): Status.DECLINED,
        (Status.SUBMITTED, Move.ASK_MORE_INFO): Status.MORE_INFO_REQUESTED,
        (Status.SUBMITTED, Move.CANCEL): Status.CANCELLED,
        (Status.MORE_INFO_REQUESTED, Move.ANSWER_MORE_INFO): Status.SUBMITTED,
        (Status.MORE_INFO_REQUESTED, Move.CANCEL): Status.CANCELLED,
        (Status.DIRECTOR_REVIEW, Move.APPROVE): Status.APPROVED,
        (Status.DIRECTOR_REVIEW, Move.DECLINE): Status.DECLINED,
        (Status.APPROVED, Move.RECORD_OUTCOME): Status.CLOSED,
        (Status.APPROVED, Move.RECORD_PARTNER_CONTACT): Status.APPROVED,
    },
    decisions=frozenset({Move.APPROVE, Move.DECLINE, Move.ASK_MORE_INFO}),
    offered={
        Status.SUBMITTED: (Move.APPROVE, Move.DECLINE, Move.ASK_MORE_INFO),
        Status.DIRECTOR_REVIEW: (Move.APPROVE, Move.DECLINE),
        # The requester, asked a question: answer it, or withdraw the request.
        Status.MORE_INFO_REQUESTED: (Move.ANSWER_MORE_INFO, Move.CANCEL),
    },
)


@dataclass(frozen=True)
class RequestKind:
    """A kind of request and the workflow it follows. Each kind's module defines its own
    (e.g. `non_standard_delivery.KIND`); the kinds the bot offers are registered in app.py."""

    name: str  # stored with each request
    prefix: str  # of its ids: NSD-0001
    label: str  # what people call it, on cards and in mail
    workflow: ApprovalWorkflow


@dataclass(frozen=True)
class AuditEntry:
    actor: Person
    at: datetime
    move: Move | None  # None for the submission itself
    from_status: Status | None
    to_status: Status
    comment: str = ""


@dataclass(frozen=True)
class Request:
    id: str  # e.g. NSD-0001
    kind: RequestKind
    requester: Person
    area: Area
    customer: str
    answers: dict = field(hash=False)
    needs_director: bool  # funding, a partner or considerable effort
    status: Status
    waiting_on: Person | None
    submitted_at: datetime
    version: int = 1
    outcome: str = ""
    # Approvers out of office at submission, whom the request went around (liaison, backup).
    passed_over: tuple[Absence, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status in self.kind.workflow.awaiting


def routed_around(area: Area, approver: Person, away: Iterable[Absence]) -> tuple[Absence, ...]:
    """Of those out of office, the ones the request went around on its way to `approver`."""
    before = []
    for person in (area.liaison, area.backup):
        if person.aad_object_id == approver.aad_object_id:
            break
        before.append(person.aad_object_id)
    return tuple(a for a in away if a.person.aad_object_id in before)


def submit(
    *,
    request_id: str,
    kind: RequestKind,
    requester: Person,
    area: Area,
    customer: str,
    answers: dict,
    needs_director: bool,
    at: datetime,
    away: Iterable[Absence] = (),
) -> tuple[Request, AuditEntry]:
    """`away`: approvers out of office now (liaison, backup), routed around."""
    away = tuple(away)
    approver = kind.workflow.first_approver(area, requester, away)
    request = Request(
        id=request_id,
        kind=kind,
        requester=requester,
        area=area,
        customer=customer,
        answers=answers,
        needs_director=needs_director,
        status=Status.SUBMITTED,
        waiting_on=approver,
        submitted_at=at,
        passed_over=routed_around(area, approver, away),
    )
    return request, AuditEntry(requester, at, None, None, Status.SUBMITTED)


def may_move(
    request: Request, actor: Person, move: Move, stand_ins: frozenset[str] = frozenset()
) -> bool:
    """Only the person the request waits on decides, or someone asked to stand in for them
    (`stand_ins`: AAD object ids, e.g. the backup once an overdue decision was escalated);
    only the requester cancels, answers and records the outcome."""
    if move in request.kind.workflow.decisions:
        deciders = set(stand_ins)
        if request.waiting_on is not None:
            deciders.add(request.waiting_on.aad_object_id)
        return (
            actor.aad_object_id in deciders
            and actor.aad_object_id != request.requester.aad_object_id
        )
    return actor.aad_object_id == request.requester.aad_object_id


def apply(
    request: Request,
    actor: Person,
    move: Move,
    *,
    at: datetime,
    comment: str = "",
    stand_ins: frozenset[str] = frozenset(),
) -> tuple[Request, AuditEntry]:
    """The request after `move`, and the audit entry recording it; raises MoveError."""
    workflow = request.kind.workflow
    target = workflow.target(request, actor, move)
    if target is None:
        raise IllegalMove(
            f"{request.id} is {request.status.label.lower()}; it cannot be {_past_tense(move)} now."
        )
    if not may_move(request, actor, move, stand_ins):
        raise NotAllowed(_refusal(request, actor, move))
    comment = comment.strip()
    if move in COMMENT_REQUIRED and not comment:
        raise CommentRequired(f"A comment is required to {move.value.replace('_', ' ')}.")

    outcome = request.outcome
    if move is Move.RECORD_OUTCOME:
        outcome = comment
    updated = replace(
        request,
        status=target,
        waiting_on=workflow.waiting_on(request, target),
        version=request.version + 1,
        outcome=outcome,
    )
    return updated, AuditEntry(actor, at, move, request.status, target, comment)


def is_party(request: Request, viewer: Person, roster: Roster) -> bool:
    """The requester, the person the request waits on now, or one of the area's liaison,
    backup and director: those who may read it whatever its audit trail says."""
    who = viewer.aad_object_id
    if not who:
        return False
    if who == request.requester.aad_object_id:
        return True
    if request.waiting_on is not None and who == request.waiting_on.aad_object_id:
        return True
    return any(area.code == request.area.code for _, area in roster.roles_of(who))


def may_read(
    request: Request, viewer: Person, roster: Roster, history: Iterable[AuditEntry]
) -> bool:
    """Who may see a request at all: its parties (`is_party`) and anyone it waited on, as
    the audit trail shows (whoever acted on it, should the roster have changed since).
    Anyone else learns nothing, not even that the request exists."""
    if is_party(request, viewer, roster):
        return True
    return bool(viewer.aad_object_id) and any(
        entry.actor.aad_object_id == viewer.aad_object_id for entry in history
    )


def may_see_personal_data(
    request: Request, viewer: Person, roster: Roster, history: Iterable[AuditEntry]
) -> bool:
    """Personal answers (e.g. a customer's contact): today for everyone who may read the
    request; the account team, who will read requests too, will not see them."""
    return may_read(request, viewer, roster, history)


def _refusal(request: Request, actor: Person, move: Move) -> str:
    if move in request.kind.workflow.decisions:
        if actor.aad_object_id == request.requester.aad_object_id:
            return f"You raised {request.id}, so you cannot decide it."
        waiting = request.waiting_on.display_name if request.waiting_on else "no one"
        return f"{request.id} waits on {waiting}; only they can decide it."
    return f"Only {request.requester.display_name}, who raised {request.id}, can do that."


def _past_tense(move: Move) -> str:
    return {
        Move.APPROVE: "approved",
        Move.DECLINE: "declined",
        Move.ASK_MORE_INFO: "sent back for more information",
        Move.ANSWER_MORE_INFO: "answered",
        Move.CANCEL: "cancelled",
        Move.RECORD_OUTCOME: "closed with an outcome",
        Move.RECORD_PARTNER_CONTACT: "followed up",
    }[move]
