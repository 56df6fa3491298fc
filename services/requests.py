"""The approval workflow: submit a request, decide it, and tell everyone who needs to know.

The domain decides what is legal; the repository's conditional update decides races; the
Messenger (implemented in bot/) reaches people in Teams.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

from cards.approval import approval_card
from cards.welcome import MenuItem
from domain import requests as lifecycle
from domain.deadlines import Deadline
from domain.questionnaire import Question, Step, questions_of
from domain.requests import Move, MoveError, Request, RequestKind, Status
from domain.roster import Person, Roster
from persistence.requests import RequestRepository
from services.background import BackgroundWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SentMessage:
    conversation_id: str
    activity_id: str
    service_url: str


class Messenger(Protocol):
    """Reaches a person in their personal chat with the bot."""

    async def teams_user_id(self, person: Person) -> str | None: ...

    async def send_card(self, recipient: Person, card: dict) -> SentMessage | None:
        """None when the person never opened the bot: the caller queues it."""

    async def send_text(self, recipient: Person, text: str) -> bool: ...

    async def update_card(self, sent: SentMessage, card: dict) -> None: ...


@dataclass(frozen=True)
class RequestKindSpec:
    """What the workflow needs to know of one kind of request."""

    kind: RequestKind
    steps: list[Step]  # the conversation that raises it, one step per topic
    needs_director: Callable[[dict], bool]
    notes: Callable[[dict], list[str]]
    menu_item: MenuItem  # the typed command that starts the conversation
    confirmation: str  # said after the request id on submission
    outcomes: tuple[str, ...] = ()  # what the FM may record once approved
    # The kind's own section on the approval card: (title, value) facts from the answers.
    highlights: Callable[[dict], list[tuple[str, str]]] = lambda answers: []
    # Dates kept for the reminders, once submitted and once approved (the date of approval).
    deadlines_at_submission: Callable[[Request], list[Deadline]] = lambda request: []
    deadlines_at_approval: Callable[[Request, date], list[Deadline]] = lambda request, on: []
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
        repository: RequestRepository,
        roster: Roster,
        messenger: Messenger,
        kinds: list[RequestKindSpec],
        background: BackgroundWork,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._repository = repository
        self._roster = roster
        self._messenger = messenger
        self._kinds = {spec.kind: spec for spec in kinds}
        self._clock = clock
        self._background = background

    # --- the requester ------------------------------------------------------------------------

    async def submit(self, kind: RequestKind, requester: Person, answers: dict) -> Request:
        spec = self._kinds[kind]
        area = next(a for a in self._roster.areas if a.name == answers["area"])
        at = self._clock()
        answers = {**answers, **spec.derive(answers, requester, at)}
        request, audit = lifecycle.submit(
            request_id=await self._repository.next_request_id(kind),
            kind=kind,
            requester=requester,
            area=area,
            customer=answers["customer"],
            answers=answers,
            needs_director=spec.needs_director(answers),
            at=at,
        )
        await self._repository.add(request, audit)
        await self._repository.add_deadlines(spec.deadlines_at_submission(request))
        log.info("%s submitted; waiting on %s", request.id, request.waiting_on.aad_object_id)
        await self._send_card_to_waiting_on(request)
        return request

    async def my_requests(self, person: Person) -> list[Request]:
        return await self._repository.requested_by(person.aad_object_id)

    async def my_approvals(self, person: Person) -> list[Request]:
        return await self._repository.waiting_on(person.aad_object_id)

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
                request, actor, move, at=self._clock(), comment=comment
            )
        except MoveError as refusal:
            return await self._unchanged(request, actor, str(refusal))
        history = await self._repository.save_move(updated, audit, request.version)
        if history is None:
            current = await self._repository.get(request_id)
            return await self._unchanged(
                current,
                actor,
                f"Someone else acted first: {current.id} is {current.status.label.lower()}.",
            )
        if updated.status is Status.APPROVED:
            spec = self._kinds[updated.kind]
            await self._repository.add_deadlines(
                spec.deadlines_at_approval(updated, audit.at.date())
            )
        log.info(
            "%s: %s by %s -> %s", updated.id, move.value, actor.aad_object_id, updated.status.value
        )
        # The decision is recorded; the person who clicked gets the new card now and the
        # others are told in the background, so an invoke never waits on other chats.
        self._background.submit(self._after_move(updated, audit, history))
        return DecisionResult(updated, await self._card(updated, actor, history), moved=True)

    async def card_for(self, request: Request, viewer: Person, notice: str | None = None) -> dict:
        return await self._card(
            request, viewer, await self._repository.audit_trail(request.id), notice
        )

    async def _card(
        self,
        request: Request,
        viewer: Person,
        history: list[lifecycle.AuditEntry],
        notice: str | None = None,
    ) -> dict:
        spec = self._kinds[request.kind]
        waiting = request.waiting_on if request.is_open else None
        approver_ids = []
        if waiting:
            user_id = await self._messenger.teams_user_id(waiting)
            approver_ids = [user_id] if user_id else []
        return approval_card(
            request,
            spec.questions,
            history,
            notes=spec.notes(request.answers),
            highlights=spec.highlights(request.answers),
            actionable=bool(waiting and viewer.aad_object_id == waiting.aad_object_id),
            approver_user_ids=approver_ids,
            notice=notice,
            show_personal=lifecycle.may_see_personal_data(request, viewer, self._roster, history),
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
            request.id, viewer.aad_object_id, conversation_id, activity_id, service_url
        )

    def person_returned(self, person: Person) -> None:
        """Someone the bot had not reached yet (or not since it started) is here: what waited
        for them follows, after the turn that brought them."""
        self._background.submit(self._deliver_pending(person))

    async def _deliver_pending(self, person: Person) -> None:
        for payload in await self._repository.take_pending(person.aad_object_id):
            request = await self._repository.get(payload["request_id"])
            if request is None:
                continue
            if (
                payload["kind"] == "card"
                and request.waiting_on
                and (request.waiting_on.aad_object_id == person.aad_object_id)
            ):
                await self._send_card_to_waiting_on(request)
            elif payload["kind"] == "text":
                await self._messenger.send_text(person, payload["text"])

    # --- internals ----------------------------------------------------------------------------

    async def _unchanged(self, request: Request, actor: Person, notice: str) -> DecisionResult:
        card = await self.card_for(request, actor, notice)
        return DecisionResult(request, card, moved=False, notice=notice)

    async def _send_card_to_waiting_on(self, request: Request) -> None:
        approver = request.waiting_on
        card = await self.card_for(request, approver)
        sent = await self._messenger.send_card(approver, card)
        if sent is None:
            await self._repository.add_pending(
                approver.aad_object_id, {"kind": "card", "request_id": request.id}
            )
            log.info("%s queued for %s until first contact", request.id, approver.aad_object_id)
            return
        await self._repository.record_card(
            request.id,
            approver.aad_object_id,
            sent.conversation_id,
            sent.activity_id,
            sent.service_url,
        )

    async def _tell(self, person: Person, request: Request, text: str) -> None:
        if not await self._messenger.send_text(person, text):
            await self._repository.add_pending(
                person.aad_object_id, {"kind": "text", "request_id": request.id, "text": text}
            )

    async def _after_move(
        self, request: Request, audit: lifecycle.AuditEntry, history: list[lifecycle.AuditEntry]
    ) -> None:
        # Every copy of the card shows the new state.
        for copy in await self._repository.cards_for(request.id):
            viewer = Person("", copy.recipient_aad_object_id, "")
            await self._messenger.update_card(
                SentMessage(copy.conversation_id, copy.activity_id, copy.service_url),
                await self._card(request, viewer, history),
            )
        comment = f": “{audit.comment}”" if audit.comment else "."
        actor = audit.actor.display_name
        if audit.move is Move.ASK_MORE_INFO:
            # The requester answers on the card, which carries the question and an answer box.
            await self._send_card_to_waiting_on(request)
        elif request.status is Status.DIRECTOR_REVIEW:
            await self._tell(
                request.requester,
                request,
                f"{request.id} was approved by {actor} and now goes to the regional "
                f"director, {request.area.director.display_name}, for review"
                f"{comment}",
            )
            await self._send_card_to_waiting_on(request)
        elif request.status is Status.SUBMITTED:  # the requester answered
            await self._send_card_to_waiting_on(request)
        elif request.status in (Status.APPROVED, Status.DECLINED):
            word = "approved" if request.status is Status.APPROVED else "declined"
            await self._tell(
                request.requester,
                request,
                f"{request.id} for {request.customer} was {word} by {actor}{comment}",
            )
