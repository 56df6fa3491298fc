"""The approval workflow: submit a request, decide it, and tell everyone who needs to know.

The domain decides what is legal; the repository's conditional update decides races. Each
submission or move is written in one transaction with the messages it causes (the outbox);
the relay (services/outbox.py) delivers them afterwards, rendering cards from the request as it
is then, through `compose`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

from cards.approval import approval_card
from cards.reminders import PARTNER_CONTACT_CHOICES, reminder_card, reminder_text
from domain import requests as lifecycle
from domain.account_team import Mail, mail_lane, mail_recipients
from domain.deadlines import (
    Deadline,
    DeadlineKind,
    DeadlineRules,
    PartnerContact,
    Reminder,
    reminder_of,
    stand_ins,
)
from domain.out_of_office import Absence
from domain.outbox import (
    CardMessage,
    ClaimedMessage,
    Composed,
    DeliveryRecord,
    Message,
    MessageKind,
    NoChat,
    SendOutcome,
    Unreachable,
)
from domain.questionnaire import Question, Step, questions_of
from domain.requests import Move, MoveError, Request, RequestKind, Status
from domain.roster import Person, Roster
from notices import moves as notices
from notices.absence import absence_note
from notices.mail import approval_mail, not_opened_yet, notice_mail, waits_on_you
from services.deadlines import DeadlineRecords
from services.graph_ports import AppInstaller, GraphUnavailable
from services.reminders import Timetable

log = logging.getLogger(__name__)


# Builds a submission once its request id is known: the request, its audit entry, its
# deadlines and the messages it causes.
BuildSubmission = Callable[
    [str], tuple[Request, lifecycle.AuditEntry, Sequence[Deadline], Sequence[Message]]
]


class Requests(Protocol):
    """Where requests live. `submit` and `save_move` are each one transaction: the request
    change, its audit entry, its deadlines and its messages (plus, for a move, an update of
    every card of the request) are written together or not at all."""

    async def submit(
        self, kind: RequestKind, build: BuildSubmission, submission_key: str
    ) -> Request | None:
        """Number the request, build and store it; None (nothing written, no number used)
        when the submission key is taken."""

    async def by_submission_key(self, submission_key: str) -> Request | None: ...

    async def get(self, request_id: str) -> Request | None: ...

    async def save_move(
        self,
        updated: Request,
        audit: lifecycle.AuditEntry,
        expected_version: int,
        *,
        deadlines: Sequence[Deadline] = (),
        closes: Collection[DeadlineKind] = (),
        messages: Sequence[Message] = (),
    ) -> list[lifecycle.AuditEntry] | None:
        """The audit trail; None (nothing written) when the version moved on meanwhile."""

    async def audit_trail(self, request_id: str) -> list[lifecycle.AuditEntry]: ...

    async def requested_by(self, aad_object_id: str) -> list[Request]: ...

    async def waiting_on(self, aad_object_id: str) -> list[Request]: ...

    async def record_card(
        self,
        request_id: str,
        recipient_aad_object_id: str,
        conversation_id: str,
        activity_id: str,
        service_url: str,
        shown_version: int,
    ) -> None: ...

    async def card_message(self, card_message_id: int) -> CardMessage | None: ...

    async def shown_in(
        self, conversation_id: str, recipient_aad_object_id: str, *, personal: bool
    ) -> set[str]:
        """The requests whose card this person was sent in this conversation; in their
        personal chat, also the cards still on their way there."""


class Outbox(Protocol):
    """The relay's side of the outbox, as the services see it."""

    def wake(self) -> None:
        """Messages were committed: deliver them now."""

    def person_returned(self, aad_object_id: str) -> None:
        """What waited for this person is due now (without holding up the turn)."""


class MessageQueue(Protocol):
    """Adds messages no other change causes (e.g. reaching someone another way)."""

    async def add(self, messages: list[Message], now: datetime) -> None: ...


class DeliveryLog(Protocol):
    async def deliveries(self, request_ids: list[str]) -> list[DeliveryRecord]: ...


class Absences(Protocol):
    """Who of the given approvers is out of office at `now` (services/people.py)."""

    async def away(self, people: Sequence[Person], now: datetime) -> list[Absence]: ...


class TeamsIds(Protocol):
    async def teams_user_id(self, person: Person) -> str | None:
        """The person's Teams user id (for a card's refresh), when the bot has met them."""


@dataclass(frozen=True)
class RequestKindSpec:
    """What the workflow needs to know of one kind of request."""

    kind: RequestKind
    steps: list[Step]  # the conversation that raises it, one step per topic
    needs_director: Callable[[dict], bool]
    notes: Callable[[dict], list[str]]
    # Told to the requester once the request is approved: what they do or can expect next.
    after_approval: str
    # The account team's mail on approval: the next steps, from the answers.
    mail_next_steps: Callable[[dict], list[str]]
    outcomes: tuple[str, ...] = ()  # what the FM may record once approved
    # The kind's own section on the approval card: (title, value) facts from the answers.
    highlights: Callable[[dict], list[tuple[str, str]]] = lambda answers: []
    # What sends a request on to the regional director (funding, a partner), for the card's
    # first line.
    flags: Callable[[dict], list[str]] = lambda answers: []
    # The notes are a checklist (COVID's FTOP tasks, which the highlights sum up): folded on the
    # approval card, so that it reads in one screen.
    notes_are_a_checklist: bool = False
    # The kind's own deadlines, opened on submission and on approval (when it was approved).
    deadlines_at_submission: Callable[[Request, DeadlineRules], list[Deadline]] = (
        lambda request, rules: []
    )
    deadlines_at_approval: Callable[[Request, DeadlineRules, datetime], list[Deadline]] = (
        lambda request, rules, at: []
    )
    # Answers the kind adds at submission, fixed from then on (e.g. partners matched from the
    # roster as it is now, who recorded the customer's consent and when).
    derive: Callable[[dict, Person, datetime], dict] = lambda answers, requester, at: {}

    @property
    def questions(self) -> list[Question]:
        return questions_of(self.steps)


@dataclass(frozen=True)
class DecisionResult:
    request: Request
    card: dict  # what the person who clicked should now see
    moved: bool
    notice: str | None = None  # why nothing moved


class RequestService:
    def __init__(
        self,
        repository: Requests,
        roster: Roster,
        teams_ids: TeamsIds,
        kinds: list[RequestKindSpec],
        outbox: Outbox,
        delivery_log: DeliveryLog,
        deadlines: DeadlineRecords,
        timetable: Timetable,
        out_of_office: Absences,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        bot_app_id: str = "",
        installer: AppInstaller | None = None,
        queue: MessageQueue | None = None,
    ) -> None:
        self._bot_app_id = bot_app_id  # for the link to the bot in mails
        self._installer = installer
        self._queue = queue
        self._out_of_office = out_of_office
        self._repository = repository
        self._deadlines = deadlines
        self._timetable = timetable
        self._roster = roster
        self._teams_ids = teams_ids
        self._kinds = {spec.kind: spec for spec in kinds}
        self._outbox = outbox
        self._delivery_log = delivery_log
        self._clock = clock

    # --- the requester ------------------------------------------------------------------------

    async def submit(
        self,
        kind: RequestKind,
        requester: Person,
        answers: dict,
        submission_key: str,
    ) -> Request:
        """Store the request and queue its card to the approver. A submission key already used
        (a second press, a retry after a crash) gives the request it made, and nothing more."""
        existing = await self._repository.by_submission_key(submission_key)
        if existing is not None:
            log.info("%s submitted already; submission repeated", existing.id)
            return existing
        spec = self._kinds[kind]
        area = next(a for a in self._roster.areas if a.name == answers["area"])
        at = self._clock()
        # Bounded by the read timeout; who Graph cannot tell about in time counts as present.
        away = await self._out_of_office.away(
            [p for p in (area.liaison, area.backup) if p.aad_object_id != requester.aad_object_id],
            at,
        )
        answers = {**answers, **spec.derive(answers, requester, at)}
        rules = await self._timetable.rules_for(
            [requester, area.liaison, area.backup, area.director]
        )

        def build(
            request_id: str,
        ) -> tuple[Request, lifecycle.AuditEntry, list[Deadline], list[Message]]:
            request, audit = lifecycle.submit(
                request_id=request_id,
                kind=kind,
                requester=requester,
                area=area,
                customer=answers["customer"],
                answers=answers,
                needs_director=spec.needs_director(answers),
                at=at,
                away=away,
            )
            return (
                request,
                audit,
                [
                    *rules.after_submission(request, at),
                    *spec.deadlines_at_submission(request, rules),
                ],
                [_card_to_waiting_on(request)],
            )

        request = await self._repository.submit(kind, build, submission_key)
        if request is None:
            # The same submission committed in the meantime (a double press, another
            # instance): that one stands.
            existing = await self._repository.by_submission_key(submission_key)
            if existing is None:
                raise LookupError(f"submission {submission_key} is neither new nor stored")
            return existing
        self._outbox.wake()
        log.info("%s submitted", request.id)
        return request

    async def submitted(self, submission_key: str, requester: Person) -> Request | None:
        """The request `requester` made with this submission key, if any."""
        request = await self._repository.by_submission_key(submission_key)
        if request is None or request.requester.aad_object_id != requester.aad_object_id:
            return None
        return request

    async def my_requests(self, person: Person) -> list[Request]:
        return await self._repository.requested_by(person.aad_object_id)

    async def decisions(self, requests: list[Request]) -> dict[str, lifecycle.AuditEntry]:
        """The move that approved or declined each request that stands approved or declined
        (the last one: a flagged request is approved by the liaison, then by the director)."""
        decided: dict[str, lifecycle.AuditEntry] = {}
        for request in requests:
            if request.status not in (Status.APPROVED, Status.DECLINED):
                continue
            trail = await self._repository.audit_trail(request.id)
            moves = [e for e in trail if e.move in (Move.APPROVE, Move.DECLINE)]
            if moves:
                decided[request.id] = moves[-1]
        return decided

    async def deliveries(self, requests: list[Request]) -> dict[str, list[DeliveryRecord]]:
        """What became of each request's messages, with every recipient named."""
        by_request: dict[str, list[DeliveryRecord]] = {request.id: [] for request in requests}
        names = {
            person.aad_object_id: person.display_name
            for request in requests
            for person in _people_of(request)
        }
        for record in await self._delivery_log.deliveries(list(by_request)):
            if not record.recipient_name:
                name = names.get(record.recipient_aad_object_id, "someone")
                record = replace(record, recipient_name=name)
            by_request[record.request_id].append(record)
        return by_request

    async def my_approvals(self, person: Person) -> list[Request]:
        """What waits on the person: decisions, and answers to questions on their requests."""
        return await self._repository.waiting_on(person.aad_object_id)

    async def shown_in(self, conversation_id: str, person: Person, *, personal: bool) -> set[str]:
        """Ids of the requests whose card the person has (or is being sent) in this chat."""
        return await self._repository.shown_in(
            conversation_id, person.aad_object_id, personal=personal
        )

    async def readable(self, request_id: str, viewer: Person) -> Request | None:
        """The request if `viewer` may read it; None too when there is no such request."""
        request = await self._repository.get(request_id)
        if request is None:
            return None
        # The audit trail is read only when the request's parties do not include the viewer.
        if lifecycle.is_party(request, viewer, self._roster) or lifecycle.may_read(
            request, viewer, self._roster, await self._repository.audit_trail(request.id)
        ):
            return request
        return None

    # --- moves --------------------------------------------------------------------------------

    async def move(
        self,
        request_id: str,
        actor: Person,
        move: Move,
        *,
        comment: str = "",
        card_version: int | None = None,
    ) -> DecisionResult:
        """Make `move`; a refused or late move changes nothing and says why on the card."""
        request = await self._repository.get(request_id)
        if request is None:
            raise LookupError(f"There is no request {request_id}.")
        if card_version is not None and card_version != request.version and request.is_open:
            return await self._unchanged(
                request, actor, "This card was out of date; here is the request as it is now."
            )
        try:
            updated, audit = lifecycle.apply(
                request,
                actor,
                move,
                at=self._clock(),
                comment=comment,
                stand_ins=await self._stand_ins(request, actor, move),
            )
        except MoveError as refusal:
            return await self._unchanged(request, actor, str(refusal))
        # Told of a cancellation: whoever was to decide, or had asked the requester a question.
        approver = await self._approver_of(request) if move is Move.CANCEL else None
        rules = await self.deadline_rules(updated)
        change = rules.after_move(updated, move, audit.at)
        opens = list(change.opens)
        if updated.status is Status.APPROVED:
            opens += self._kinds[updated.kind].deadlines_at_approval(updated, rules, audit.at)
        history = await self._repository.save_move(
            updated,
            audit,
            request.version,
            deadlines=opens,
            closes=change.closes,
            messages=_messages_after(
                updated, audit, self._kinds[updated.kind].after_approval, approver
            ),
        )
        if history is None:
            current = await self._repository.get(request_id)
            if current is None:
                raise LookupError(f"There is no request {request_id}.")
            return await self._unchanged(
                current,
                actor,
                f"Someone else acted first: {current.id} is {current.status.label.lower()}.",
            )
        log.info(
            "%s: %s by %s -> %s", updated.id, move.value, actor.aad_object_id, updated.status.value
        )
        # Committed: the clicker gets the new card now; the relay tells the others.
        self._outbox.wake()
        return DecisionResult(updated, await self._card(updated, actor, history), moved=True)

    async def answer_partner_contact(
        self, request_id: str, actor: Person, answer: PartnerContact
    ) -> DecisionResult:
        """Record the FM's answer on the request (audited); Yes or No ends the question, Not
        yet has it asked again later."""
        label = next(title for choice, title, _ in PARTNER_CONTACT_CHOICES if choice is answer)
        result = await self.move(request_id, actor, Move.RECORD_PARTNER_CONTACT, comment=label)
        if not result.moved:
            return result
        at = self._clock()
        # A claim in between wins, and the deadline is read again, once.
        for _ in range(2):
            pending = [
                d
                for d in await self._deadlines.pending_for(request_id)
                if d.kind is DeadlineKind.PARTNER_CONTACT
            ]
            rules = await self.deadline_rules(result.request)
            written = [
                await self._deadlines.replace(d, rules.answer_partner_contact(d, answer, at), at)
                for d in pending
            ]
            if all(written):
                break
        return result

    async def deadline_rules(self, request: Request) -> DeadlineRules:
        """The deadline rules with the working hours of everyone a request's reminders may
        reach: its requester and its area's approvers."""
        area = request.area
        people = [request.requester, area.liaison, area.backup, area.director]
        if request.waiting_on is not None:
            people.append(request.waiting_on)
        return await self._timetable.rules_for(people)

    async def _stand_ins(self, request: Request, actor: Person, move: Move) -> frozenset[str]:
        """Who may decide in the place of the person the request waits on; read only when
        someone else tries to decide."""
        waiting = request.waiting_on
        if move not in request.kind.workflow.decisions or (
            waiting is not None and waiting.aad_object_id == actor.aad_object_id
        ):
            return frozenset()
        return stand_ins(await self._deadlines.pending_for(request.id))

    async def card_for(self, request: Request, viewer: Person, notice: str | None = None) -> dict:
        return await self._card(
            request, viewer, await self._repository.audit_trail(request.id), notice
        )

    async def record_copy(
        self,
        request: Request,
        viewer: Person,
        conversation_id: str,
        activity_id: str,
        service_url: str,
    ) -> None:
        """A card shown in a reply (e.g. `my approvals`) is kept up to date like the others."""
        await self._repository.record_card(
            request.id,
            viewer.aad_object_id,
            conversation_id,
            activity_id,
            service_url,
            request.version,
        )

    def person_returned(self, person: Person) -> None:
        """Someone the bot could not reach (or has not seen since it started) is here: what
        waited for them is delivered now."""
        self._outbox.person_returned(person.aad_object_id)

    # --- delivery (called by the relay) -------------------------------------------------------

    async def compose(self, message: ClaimedMessage) -> Composed | None:
        """What to send for `message`, from the request as it is now; None when nothing is
        left to send (a later update showed the card's state already, or the request no
        longer waits on the card's recipient)."""
        if message.kind is MessageKind.TEXT:
            return Composed(text=str(message.payload.get("text", "")))
        request = await self._repository.get(message.request_id or "")
        if request is None:
            return None
        if message.kind is MessageKind.MAIL:
            return await self._mail(request, message)
        viewer = Person(message.recipient_name, message.recipient_aad_object_id, "")
        if message.kind is MessageKind.REMINDER:
            return await self._reminder(request, reminder_of(message.payload, request.id, viewer))
        if message.kind is MessageKind.CARD:
            waiting = request.waiting_on if request.is_open else None
            if waiting is None or waiting.aad_object_id != viewer.aad_object_id:
                return None
            return Composed(card=await self.card_for(request, viewer), version=request.version)
        posted = await self._repository.card_message(message.card_message_id or 0)
        update = posted.to_update(request.version) if posted else None
        if update is None:
            return None
        return Composed(
            card=await self.card_for(request, viewer),
            update=update,
            version=request.version,
        )

    async def undelivered(self, message: ClaimedMessage, outcome: SendOutcome) -> None:
        """Teams could not take a message (called by the relay once it is recorded). A card for
        someone who never opened the bot: install the bot for them when permitted (Teams then
        opens the chat, whose first turn brings the card), or else tell the requester. Someone
        Teams refuses (blocked, uninstalled) gets the card's gist, the reminder or the notice by
        mail."""
        if self._queue is None or message.request_id is None:
            return
        request = await self._repository.get(message.request_id)
        if request is None:
            return
        recipient = message.recipient_aad_object_id
        person = next((p for p in _people_of(request) if p.aad_object_id == recipient), None)
        name = person.display_name if person else message.recipient_name
        found: list[Message] = []
        if isinstance(outcome, NoChat) and message.kind is MessageKind.CARD:
            if self._installer is not None:
                try:
                    await self._installer.install_for(recipient)
                except GraphUnavailable as error:
                    log.warning("installing for %s failed: %s", recipient, error)
                else:
                    log.info("installed for %s, who had not opened the bot", recipient)
                    return
            found.append(
                Message(
                    MessageKind.TEXT,
                    request.requester,
                    request.id,
                    f"not-opened:{request.id}:{request.version}:{recipient}",
                    not_opened_yet(name, request.id),
                )
            )
        elif isinstance(outcome, Unreachable) and person is not None and person.email:
            text = await self._text_for_mail(request, message)
            if text:
                found.append(
                    Message(
                        MessageKind.MAIL,
                        Person(person.email, mail_lane(person.email), person.email),
                        request.id,
                        f"mail-for:{message.dedupe_key}",
                        text,
                    )
                )
        if found:
            await self._queue.add(found, self._clock())
            self._outbox.wake()

    # --- internals ----------------------------------------------------------------------------

    async def _reminder(self, request: Request, reminder: Reminder) -> Composed | None:
        """The reminder card, unless what it reminds of was done since it fell due."""
        if not await self._still_owed(request, reminder):
            return None
        due, today = await self._timetable.due_for_reader(
            reminder, request.area.calendar, self._clock()
        )
        card = reminder_card(
            reminder, request, await self.card_for(request, reminder.recipient), due, today
        )
        return Composed(card=card, version=request.version)

    async def _still_owed(self, request: Request, reminder: Reminder) -> bool:
        if reminder.kind is DeadlineKind.ROLLOUT_TARGET:
            # Sent on its date and closed with that: only a request ended since stops it.
            return request.status not in (Status.DECLINED, Status.CANCELLED, Status.CLOSED)
        key = reminder.key.rpartition("#")[0]
        return key in {d.key for d in await self._deadlines.pending_for(request.id)}

    async def _text_for_mail(self, request: Request, message: ClaimedMessage) -> str:
        """What a message Teams refused says by mail; empty when nothing is left to say."""
        if message.kind is MessageKind.CARD:
            return waits_on_you(request.id, request.customer)
        if message.kind is MessageKind.REMINDER:
            viewer = Person(message.recipient_name, message.recipient_aad_object_id, "")
            reminder = reminder_of(message.payload, request.id, viewer)
            if not await self._still_owed(request, reminder):
                return ""
            due, _ = await self._timetable.due_for_reader(
                reminder, request.area.calendar, self._clock()
            )
            return reminder_text(reminder, request, due)
        return str(message.payload.get("text", ""))

    async def _mail(self, request: Request, message: ClaimedMessage) -> Composed:
        address = message.recipient_name
        text = str(message.payload.get("text", ""))
        if text:  # a notice Teams could not deliver
            content = notice_mail(request, text, self._bot_app_id)
            return Composed(
                mail=Mail((address,), content.subject, content.html_body, str(message.id))
            )
        return await self._account_team_mail(request, message)

    async def _account_team_mail(self, request: Request, message: ClaimedMessage) -> Composed:
        approvals = [
            entry
            for entry in await self._repository.audit_trail(request.id)
            if entry.to_status is Status.APPROVED
        ]
        approved_by = approvals[-1].actor.display_name if approvals else ""
        next_steps = self._kinds[request.kind].mail_next_steps(request.answers)
        content = approval_mail(request, approved_by, next_steps, self._bot_app_id)
        address = message.recipient_name
        return Composed(mail=Mail((address,), content.subject, content.html_body, str(message.id)))

    async def _approver_of(self, request: Request) -> Person | None:
        """The approver an open request waits on; for a question to the requester, who asked."""
        if request.status is not Status.MORE_INFO_REQUESTED:
            return request.waiting_on
        trail = await self._repository.audit_trail(request.id)
        asked = [entry for entry in trail if entry.move is Move.ASK_MORE_INFO]
        return asked[-1].actor if asked else None

    async def _unchanged(self, request: Request, actor: Person, notice: str) -> DecisionResult:
        card = await self.card_for(request, actor, notice)
        return DecisionResult(request, card, moved=False, notice=notice)

    async def _card(
        self,
        request: Request,
        viewer: Person,
        history: list[lifecycle.AuditEntry],
        notice: str | None = None,
    ) -> dict:
        spec = self._kinds[request.kind]
        notes = spec.notes(request.answers)
        waiting = request.waiting_on if request.is_open else None
        approver_ids = []
        if waiting:
            user_id = await self._teams_ids.teams_user_id(waiting)
            approver_ids = [user_id] if user_id else []
        # The backup or the director may hold the buttons too, once an overdue liaison
        # decision was escalated to them.
        may_stand_in = request.status is Status.SUBMITTED and viewer.aad_object_id in (
            request.area.backup.aad_object_id,
            request.area.director.aad_object_id,
        )
        actionable = bool(waiting and viewer.aad_object_id == waiting.aad_object_id) or (
            may_stand_in
            and viewer.aad_object_id in await self._stand_ins(request, viewer, Move.APPROVE)
        )
        return approval_card(
            request,
            spec.questions,
            history,
            notes=[
                *(f"{absence_note(a)}." for a in request.passed_over),
                *([] if spec.notes_are_a_checklist else notes),
            ],
            checklist=notes if spec.notes_are_a_checklist else [],
            highlights=spec.highlights(request.answers),
            flags=spec.flags(request.answers),
            actionable=actionable,
            approver_user_ids=approver_ids,
            notice=notice,
            show_personal=lifecycle.may_see_personal_data(request, viewer, self._roster, history),
        )


def _card_to_waiting_on(request: Request) -> Message:
    recipient = request.waiting_on
    if recipient is None:
        raise ValueError(f"{request.id} waits on no one: there is no card to send")
    return Message(
        MessageKind.CARD,
        recipient,
        request.id,
        f"card:{request.id}:{request.version}:{recipient.aad_object_id}",
    )


def _notice(request: Request, recipient: Person, text: str) -> Message:
    key = f"text:{request.id}:{request.version}:{recipient.aad_object_id}"
    return Message(MessageKind.TEXT, recipient, request.id, key, text)


def _messages_after(
    request: Request,
    audit: lifecycle.AuditEntry,
    after_approval: str,
    approver: Person | None = None,
) -> list[Message]:
    """Who is told what after a move (every posted card is updated besides); `after_approval`:
    what the requester hears comes next once approved; `approver`: the approver a cancelled
    request waited on."""
    actor = audit.actor.display_name
    if audit.move is Move.CANCEL:
        if approver is None or approver.aad_object_id == audit.actor.aad_object_id:
            return []
        return [_notice(request, approver, notices.cancelled(request, actor))]
    if audit.move is Move.ASK_MORE_INFO:
        # The requester answers on the card, which carries the question and an answer box.
        return [_card_to_waiting_on(request)]
    if request.status is Status.DIRECTOR_REVIEW:
        return [
            _notice(request, request.requester, notices.to_director(request, actor, audit.comment)),
            _card_to_waiting_on(request),
        ]
    if request.status is Status.SUBMITTED and request.waiting_on:  # the requester answered
        # A line first: the card alone may arrive far down a long chat, unnoticed.
        return [
            _notice(request, request.waiting_on, notices.answered(request, actor, audit.comment)),
            _card_to_waiting_on(request),
        ]
    if (
        request.status in (Status.APPROVED, Status.DECLINED)
        and audit.move in request.kind.workflow.decisions
    ):
        # Not after an answer recorded on an approved request (the partner-contact question):
        # the approval was told, and its mail written, once.
        return [
            _notice(
                request,
                request.requester,
                notices.decided(request, actor, audit.comment, after_approval),
            ),
            *(_mail(request, address) for address in mail_recipients(request)),
        ]
    return []


def _mail(request: Request, address: str) -> Message:
    """The account team's mail, one per address, so each has its own state and retries."""
    recipient = Person(address, mail_lane(address), address)
    return Message(MessageKind.MAIL, recipient, request.id, f"mail:{request.id}:{address}")


def _people_of(request: Request) -> list[Person]:
    area = request.area
    people = [request.requester, area.liaison, area.backup, area.director]
    if request.waiting_on is not None:
        people.append(request.waiting_on)
    return people
