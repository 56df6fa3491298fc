"""Deadlines on requests and the reminders they give: a pure state machine.

A deadline is opened by the move that makes something owed (a submission owes the liaison's
decision), and closed by the move that answers it. While open it has a next reminder: a time,
a person and a step. `DeadlineRules.fire` turns a due deadline into one `Reminder`, keyed per
deadline and step so it is sent once, and schedules the next step from the moment it fired;
so after downtime each due reminder goes once, not once per missed interval. Reminders wait
for their recipient's working hours and skip the area's public holidays.

Times are UTC instants; business days are counted in the area's calendar and in the time zone
of the person concerned. The words of a reminder are the cards' business, not this module's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

from domain.business_days import business_days_after
from domain.fta_assignment import FtaRequest
from domain.outbox import Message, MessageKind
from domain.requests import Move, Request, Status
from domain.roster import Area, Person
from domain.working_hours import WorkingHours


class DeadlineKind(StrEnum):
    LIAISON_DECISION = "liaison_decision"
    DIRECTOR_REVIEW = "director_review"
    MORE_INFO_ANSWER = "more_info_answer"
    PARTNER_CONTACT = "partner_contact"  # did the ACM partners contact the customer?
    ROLLOUT_TARGET = "rollout_target"  # a COVID rollout target date
    FTA_ASSIGNMENT = "fta_assignment"


class DeadlineState(StrEnum):
    OPEN = "open"  # a reminder is scheduled at `remind_at`
    ESCALATED = "escalated"  # every step was sent; still owed until answered
    CLOSED = "closed"  # answered, or nothing more to remind of


class Reason(StrEnum):
    """Why a reminder goes to its recipient (the card says so)."""

    DUE = "due"  # what they owe is due
    STILL_OVERDUE = "still_overdue"  # again, a business day later
    BACKUP = "backup"  # the liaison has not decided; the recipient is their backup
    DIRECTOR = "director"  # neither the liaison nor the backup decided
    PARTNER_CONTACT_QUESTION = "partner_contact_question"  # did the partners call?
    TARGET_DATE = "target_date"  # a rollout target is today


class PartnerContact(StrEnum):
    """The FM's answer to "did the partners contact the customer?"."""

    YES = "yes"
    NO = "no"
    NOT_YET = "not_yet"


class SnoozeError(ValueError):
    pass


@dataclass(frozen=True)
class SlaPolicy:
    """How many business days each thing may take, and the reminder rhythm."""

    liaison_decision_days: int = 2
    escalation_days: int = 1  # from the liaison's reminder to the backup's, then the director's
    director_review_days: int = 2
    more_info_answer_days: int = 1
    repeat_days: int = 1  # overdue reviews and answers: every business day
    partner_contact_again_days: int = 2  # after "not yet", or no answer
    fta_assignment_days: int = 2


@dataclass(frozen=True)
class Deadline:
    key: str  # unique per deadline: the request, the kind and what opened it
    request_id: str
    kind: DeadlineKind
    area: Area
    owner: Person  # who owes the decision or the answer
    due_at: datetime
    target: Person  # who the next reminder goes to
    remind_at: datetime | None  # when it goes; None once nothing more is to be sent
    step: int = 0  # reminders sent so far
    state: DeadlineState = DeadlineState.OPEN
    subject: str = ""  # what is due beyond the kind, e.g. a rollout target's name

    @property
    def step_key(self) -> str:
        """Unique per deadline and step: the next reminder's identity, sent once."""
        return f"{self.key}#{self.step}"

    @property
    def is_pending(self) -> bool:
        """Still owed: shown as due or overdue."""
        return self.state is not DeadlineState.CLOSED

    def closed(self) -> Deadline:
        return replace(self, state=DeadlineState.CLOSED, remind_at=None)


@dataclass(frozen=True)
class Reminder:
    key: str  # the deadline's step key
    request_id: str
    kind: DeadlineKind
    reason: Reason
    recipient: Person
    owner: Person
    due_at: datetime
    subject: str = ""


def reminder_message(reminder: Reminder) -> Message:
    """The outbox message of a reminder: its key is the deadline's step, so a step repeated
    by a scheduler that lost its claim is still one message."""
    return Message(
        MessageKind.REMINDER,
        reminder.recipient,
        reminder.request_id,
        f"reminder:{reminder.key}",
        payload={
            "key": reminder.key,
            "kind": reminder.kind.value,
            "reason": reminder.reason.value,
            "owner": [
                reminder.owner.display_name,
                reminder.owner.aad_object_id,
                reminder.owner.email,
            ],
            "due_at": reminder.due_at.isoformat(),
            "subject": reminder.subject,
        },
    )


def reminder_of(payload: Mapping[str, Any], request_id: str, recipient: Person) -> Reminder:
    """The reminder a message's payload describes (see `reminder_message`)."""
    name, aad_object_id, email = payload["owner"]
    return Reminder(
        key=str(payload["key"]),
        request_id=request_id,
        kind=DeadlineKind(payload["kind"]),
        reason=Reason(payload["reason"]),
        recipient=recipient,
        owner=Person(name, aad_object_id, email),
        due_at=datetime.fromisoformat(payload["due_at"]),
        subject=str(payload.get("subject", "")),
    )


@dataclass(frozen=True)
class Fired:
    reminder: Reminder
    deadline: Deadline  # with its next step scheduled, or escalated or closed


@dataclass(frozen=True)
class Postponed:
    """Due, but outside the recipient's working hours: it waits for them."""

    deadline: Deadline


@dataclass(frozen=True)
class DeadlineChange:
    """What a move does to a request's deadlines."""

    closes: frozenset[DeadlineKind]
    opens: tuple[Deadline, ...]


def stand_ins(deadlines: Iterable[Deadline]) -> frozenset[str]:
    """Who has been asked to decide in the owner's place (AAD object ids): the backup and
    then the director, once an overdue liaison decision was escalated to them."""
    asked: set[str] = set()
    for deadline in deadlines:
        if deadline.kind is DeadlineKind.LIAISON_DECISION and deadline.is_pending:
            asked |= {p.aad_object_id for p in _escalation(deadline)[1 : deadline.step]}
    return frozenset(asked)


def _escalation(deadline: Deadline) -> tuple[Person, ...]:
    """Who a liaison decision's reminders go to, step by step."""
    chain = [deadline.owner]
    for person in (deadline.area.backup, deadline.area.director):
        if all(person.aad_object_id != p.aad_object_id for p in chain):
            chain.append(person)
    return tuple(chain)


# Which deadlines each move answers. A decline, a cancel or a closing outcome leaves nothing
# owed on the request.
_ANSWERED_BY: dict[Move, frozenset[DeadlineKind]] = {
    Move.APPROVE: frozenset({DeadlineKind.LIAISON_DECISION, DeadlineKind.DIRECTOR_REVIEW}),
    Move.ASK_MORE_INFO: frozenset({DeadlineKind.LIAISON_DECISION}),
    Move.ANSWER_MORE_INFO: frozenset({DeadlineKind.MORE_INFO_ANSWER}),
    Move.DECLINE: frozenset(DeadlineKind),
    Move.CANCEL: frozenset(DeadlineKind),
    Move.RECORD_OUTCOME: frozenset(DeadlineKind),
    # The answer decides: see `DeadlineRules.answer_partner_contact`.
    Move.RECORD_PARTNER_CONTACT: frozenset(),
}


def after_fta_move(request: FtaRequest) -> DeadlineChange:
    """`request` as an Accept or a Hand back left it. Accepted: nothing is owed any more.
    Handed back to the next FTA: the deadline stands, due when it was. The 2 business days
    are the requester's wait for an FTA (seed 001: assigned within 2 business days of the
    request), not each FTA's turn: the liaison expects to hear of a request still without
    an FTA 2 business days after it was made, however many hand backs came between; a
    clock started again on every hand back would keep a twice handed back request from
    them for up to 6 days. Handed back with nobody left: closed, as at submission."""
    if request.waits_on_fta:
        return DeadlineChange(frozenset(), ())
    return DeadlineChange(frozenset({DeadlineKind.FTA_ASSIGNMENT}), ())


@dataclass(frozen=True)
class DeadlineRules:
    """The deadline rules with the policy and each person's working hours (from the roster,
    or Graph, fetched before the rules are asked)."""

    policy: SlaPolicy
    hours_of: Callable[[Person], WorkingHours]

    # --- opening ------------------------------------------------------------------------------

    def after_submission(self, request: Request, at: datetime) -> tuple[Deadline, ...]:
        return (self._decision(request, at),)

    def after_move(self, request: Request, move: Move, at: datetime) -> DeadlineChange:
        """`request` as the move left it."""
        opens: tuple[Deadline, ...] = ()
        if request.status in (Status.SUBMITTED, Status.DIRECTOR_REVIEW):
            opens = (self._decision(request, at),)
        elif request.status is Status.MORE_INFO_REQUESTED:
            opens = (
                self._open(
                    request,
                    DeadlineKind.MORE_INFO_ANSWER,
                    request.requester,
                    at,
                    self.policy.more_info_answer_days,
                ),
            )
        return DeadlineChange(_ANSWERED_BY[move], opens)

    def partner_contact(
        self, request: Request, approved_at: datetime, within_days: int
    ) -> Deadline:
        """The requester is asked whether the partners made contact `within_days` after the
        approval (the kind's own rule)."""
        return self._open(
            request, DeadlineKind.PARTNER_CONTACT, request.requester, approved_at, within_days
        )

    def rollout_target(self, request: Request, name: str, on: date, number: int) -> Deadline:
        """A reminder to the requester on the date (at the start of their working hours)."""
        owner = request.requester
        hours = self.hours_of(owner)
        due_at = datetime.combine(on, time(0), tzinfo=hours.zone)
        return Deadline(
            key=f"{request.id}/{DeadlineKind.ROLLOUT_TARGET}/{number}",
            request_id=request.id,
            kind=DeadlineKind.ROLLOUT_TARGET,
            area=request.area,
            owner=owner,
            due_at=due_at.astimezone(UTC),
            target=owner,
            remind_at=hours.next_working_moment(due_at, request.area.calendar),
            subject=name,
        )

    def fta_assignment(self, request: FtaRequest, at: datetime) -> Deadline:
        """An FTA request the balancer assigned: the area liaison, who owes the assignment,
        is reminded when no FTA has accepted it within the business days allowed (and every
        business day after, until one does)."""
        liaison = request.area.liaison
        calendar = request.area.calendar
        hours = self.hours_of(liaison)
        due_at = business_days_after(at, self.policy.fta_assignment_days, calendar, hours.zone)
        return Deadline(
            key=f"{request.id}/{DeadlineKind.FTA_ASSIGNMENT}/v{request.version}",
            request_id=request.id,
            kind=DeadlineKind.FTA_ASSIGNMENT,
            area=request.area,
            owner=liaison,
            due_at=due_at,
            target=liaison,
            remind_at=hours.next_working_moment(due_at, calendar),
        )

    def at_fta_submission(self, request: FtaRequest, at: datetime) -> tuple[Deadline, ...]:
        """Only an assignment waits on an FTA; with nobody available the liaison is alerted
        at once and assigns by hand, which the bot does not see, so nothing is reminded of."""
        return (self.fta_assignment(request, at),) if request.waits_on_fta else ()

    # --- reminding ----------------------------------------------------------------------------

    def fire(self, deadline: Deadline, now: datetime) -> Fired | Postponed:
        """The reminder a due deadline gives now, and the deadline's next step."""
        if deadline.state is not DeadlineState.OPEN or deadline.remind_at is None:
            raise ValueError(f"{deadline.key} has no reminder to send")
        if now < deadline.remind_at:
            raise ValueError(f"{deadline.key} is not due until {deadline.remind_at}")
        hours = self.hours_of(deadline.target)
        calendar = deadline.area.calendar
        if not hours.is_working(now, calendar):
            return Postponed(replace(deadline, remind_at=hours.next_working_moment(now, calendar)))
        reminder = Reminder(
            key=deadline.step_key,
            request_id=deadline.request_id,
            kind=deadline.kind,
            reason=self._reason(deadline),
            recipient=deadline.target,
            owner=deadline.owner,
            due_at=deadline.due_at,
            subject=deadline.subject,
        )
        return Fired(reminder, self._next_step(deadline, now))

    def snooze(self, deadline: Deadline, until: date, now: datetime) -> Deadline:
        """No reminder before the start of the target's working hours on `until`."""
        hours = self.hours_of(deadline.target)
        if until <= now.astimezone(hours.zone).date():
            raise SnoozeError("Pick a date after today.")
        if deadline.state is not DeadlineState.OPEN or deadline.remind_at is None:
            return deadline
        resume = hours.next_working_moment(
            datetime.combine(until, time(0), tzinfo=hours.zone), deadline.area.calendar
        )
        return replace(deadline, remind_at=max(deadline.remind_at, resume))

    def answer_partner_contact(
        self, deadline: Deadline, answer: PartnerContact, at: datetime
    ) -> Deadline:
        """Yes or No closes the question; Not yet asks again a little later."""
        if deadline.kind is not DeadlineKind.PARTNER_CONTACT:
            raise ValueError(f"{deadline.key} is not a partner contact question")
        if answer is not PartnerContact.NOT_YET:
            return deadline.closed()
        return replace(
            deadline,
            state=DeadlineState.OPEN,
            remind_at=self._remind_at(
                deadline.area, deadline.target, at, self.policy.partner_contact_again_days
            ),
        )

    def business_days_left(self, deadline: Deadline, now: datetime, viewer: Person) -> int:
        """Business days from today to the due date in the viewer's zone: 0 when due today,
        negative when overdue (by that many business days)."""
        zone = self.hours_of(viewer).zone
        return deadline.area.calendar.business_days_between(
            now.astimezone(zone).date(), deadline.due_at.astimezone(zone).date()
        )

    # --- internals ----------------------------------------------------------------------------

    def _decision(self, request: Request, at: datetime) -> Deadline:
        if request.status is Status.DIRECTOR_REVIEW:
            kind, days = DeadlineKind.DIRECTOR_REVIEW, self.policy.director_review_days
        else:
            kind, days = DeadlineKind.LIAISON_DECISION, self.policy.liaison_decision_days
        if request.waiting_on is None:
            raise ValueError(f"{request.id} waits on no one")
        return self._open(request, kind, request.waiting_on, at, days)

    def _open(
        self, request: Request, kind: DeadlineKind, owner: Person, at: datetime, days: int
    ) -> Deadline:
        calendar = request.area.calendar
        due_at = business_days_after(at, days, calendar, self.hours_of(owner).zone)
        return Deadline(
            # A request version is unique per move, so a deadline opened again (a second
            # round after more information) is a new deadline with reminders of its own.
            key=f"{request.id}/{kind}/v{request.version}",
            request_id=request.id,
            kind=kind,
            area=request.area,
            owner=owner,
            due_at=due_at,
            target=owner,
            remind_at=self.hours_of(owner).next_working_moment(due_at, calendar),
        )

    def _remind_at(self, area: Area, target: Person, after: datetime, days: int) -> datetime:
        hours = self.hours_of(target)
        due = business_days_after(after, days, area.calendar, hours.zone)
        return hours.next_working_moment(due, area.calendar)

    def _reason(self, deadline: Deadline) -> Reason:
        if deadline.kind is DeadlineKind.ROLLOUT_TARGET:
            return Reason.TARGET_DATE
        if deadline.kind is DeadlineKind.PARTNER_CONTACT:
            return Reason.PARTNER_CONTACT_QUESTION
        if deadline.step == 0:
            return Reason.DUE
        if deadline.kind is DeadlineKind.LIAISON_DECISION:
            target = deadline.target.aad_object_id
            if target == deadline.area.director.aad_object_id:
                return Reason.DIRECTOR
            return Reason.BACKUP
        return Reason.STILL_OVERDUE

    def _next_step(self, deadline: Deadline, fired_at: datetime) -> Deadline:
        step = deadline.step + 1
        if deadline.kind is DeadlineKind.ROLLOUT_TARGET:
            return replace(deadline, step=step).closed()
        if deadline.kind is DeadlineKind.LIAISON_DECISION:
            chain = _escalation(deadline)
            if step >= len(chain):
                return replace(deadline, step=step, state=DeadlineState.ESCALATED, remind_at=None)
            target = chain[step]
            days = self.policy.escalation_days
        elif deadline.kind is DeadlineKind.PARTNER_CONTACT:
            target, days = deadline.target, self.policy.partner_contact_again_days
        else:
            target, days = deadline.target, self.policy.repeat_days
        # From the moment it fired, not from when it was due: after downtime the next step
        # comes a full interval later instead of at once.
        return replace(
            deadline,
            step=step,
            target=target,
            remind_at=self._remind_at(deadline.area, target, fired_at, days),
        )
