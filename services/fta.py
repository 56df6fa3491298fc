"""FTA requests (seed 001): place each by its type (the workload balancer, or FTCHelp) and tell
the people concerned (the FTA, the requester, the account team by mail, the liaison when
nobody is free or nobody accepted in time), through the outbox, in the transaction that
stores it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Protocol

from cards.approval import notice_card
from cards.fta import (
    accepted,
    assigned_to_you,
    fta_card,
    fta_reminder_card,
    fta_reminder_text,
    handed_back,
    nobody_available,
)
from domain import fta_assignment
from domain.account_team import Mail, mail_lane
from domain.deadlines import (
    Deadline,
    DeadlineChange,
    DeadlineKind,
    Reminder,
    after_fta_move,
    reminder_of,
)
from domain.fta_assignment import (
    FtaLoad,
    FtaMoveError,
    FtaRequest,
    account_team,
    place,
    request_type_of,
)
from domain.outbox import (
    CardMessage,
    ClaimedMessage,
    Composed,
    DeliveryRecord,
    Message,
    MessageKind,
    SendOutcome,
    Unreachable,
)
from domain.roster import Area, Mailbox, Person, Roster
from notices.fta_mail import TeamNews, account_team_mail, fta_notice_mail, ftc_help_mail
from services.reminders import Timetable
from services.requests import Absences, DeliveryLog, MessageQueue, TeamsIds

# Builds the request once its id and the area's FTA loads are known: the request, its
# messages and the deadlines it opens.
BuildFtaRequest = Callable[
    [str, Sequence[FtaLoad]], tuple[FtaRequest, Sequence[Message], Sequence[Deadline]]
]
# A move on a stored request, given the area's loads: the request after it, its messages and
# what it does to its deadlines.
MoveFtaRequest = Callable[
    [FtaRequest, Sequence[FtaLoad]], tuple[FtaRequest, Sequence[Message], DeadlineChange]
]


class FtaRequests(Protocol):
    async def submit(
        self, area: Area, build: BuildFtaRequest, submission_key: str, at: datetime
    ) -> FtaRequest:
        """Number the request, read the area's loads, build it and store it with its messages
        and the chosen FTA's raised load, in one transaction (read again when that load moved
        meanwhile); the request stored under `submission_key` when there is one."""

    async def move(self, request_id: str, change: MoveFtaRequest, at: datetime) -> FtaRequest:
        """Read the request and its area's loads, change it and save it with its messages in
        one transaction, only if its version is still the one read (else read again); loads
        follow the FTA it leaves and the one it goes to. KeyError: no such request."""

    async def get(self, request_id: str) -> FtaRequest | None: ...

    async def requested_by(self, aad_object_id: str) -> list[FtaRequest]: ...

    async def waiting_on(self, fta_aad_object_id: str) -> list[FtaRequest]: ...

    async def record_card(
        self,
        request_id: str,
        recipient_aad_object_id: str,
        conversation_id: str,
        activity_id: str,
        service_url: str,
        shown_version: int,
    ) -> None:
        """Remember where a copy of the request's card was posted: every later move updates
        it (in the move's transaction, like the copies the outbox posted)."""

    async def card_message(self, card_message_id: int) -> CardMessage | None: ...


class Outbox(Protocol):
    def wake(self) -> None: ...


class AssignmentDeadlines(Protocol):
    async def pending_for(self, request_id: str) -> list[Deadline]: ...

    async def overdue(
        self, kind: DeadlineKind, owner_aad_object_id: str, now: datetime
    ) -> list[Deadline]: ...


class FtaService:
    def __init__(
        self,
        repository: FtaRequests,
        roster: Roster,
        outbox: Outbox,
        out_of_office: Absences,
        timetable: Timetable,
        deadlines: AssignmentDeadlines,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        delivery_log: DeliveryLog,
        queue: MessageQueue,
        teams_ids: TeamsIds,
        bot_app_id: str = "",
    ) -> None:
        self._teams_ids = teams_ids
        self._delivery_log = delivery_log
        self._queue = queue
        self._timetable = timetable
        self._deadlines = deadlines
        self._bot_app_id = bot_app_id  # for the link to the bot in mails
        self._out_of_office = out_of_office
        self._repository = repository
        self._roster = roster
        self._outbox = outbox
        self._clock = clock

    async def submit(
        self, requester: Person, answers: Mapping[str, object], submission_key: str
    ) -> FtaRequest:
        request_type = request_type_of(answers)
        if request_type is None:
            raise ValueError("an FTA request names its type")
        area = next(a for a in self._roster.areas if a.name == answers["area"])

        mailbox = self._roster.ftc_help_mailbox
        at = self._clock()
        # Besides the roster's flag, whoever Graph says is out of office now is passed over
        # (bounded by the read timeout; who Graph cannot tell about in time counts as present).
        absent = {
            absence.person.aad_object_id
            for absence in await self._out_of_office.away([f.person for f in area.ftas], at)
        }

        rules = await self._timetable.rules_for([area.liaison])

        def build(
            request_id: str, loads: Sequence[FtaLoad]
        ) -> tuple[FtaRequest, list[Message], tuple[Deadline, ...]]:
            loads = [
                replace(load, away=True) if load.fta.aad_object_id in absent else load
                for load in loads
            ]
            request = place(request_id, request_type, area, requester, answers, loads)
            messages = [*_messages(request, mailbox), *_to_account_team(request)]
            return request, messages, rules.at_fta_submission(request, at)

        request = await self._repository.submit(area, build, submission_key, at)
        self._outbox.wake()
        return request

    async def accept(self, request_id: str, actor: Person, version: int) -> dict:
        """Accept on the FTA's card: the card that replaces it. Clicked twice (or on two
        copies), the request is accepted once; the second click is told so."""

        def change(
            request: FtaRequest, loads: Sequence[FtaLoad]
        ) -> tuple[FtaRequest, list[Message], DeadlineChange]:
            _check_version(request, version)
            after = fta_assignment.accept(request, actor)
            messages = [
                _text(after, after.requester, "accepted", accepted(after)),
                *_to_account_team(after),
            ]
            return after, messages, after_fta_move(after)

        return await self._move(request_id, actor, change)

    async def hand_back(self, request_id: str, actor: Person, version: int, reason: str) -> dict:
        at = self._clock()

        def change(
            request: FtaRequest, loads: Sequence[FtaLoad]
        ) -> tuple[FtaRequest, list[Message], DeadlineChange]:
            _check_version(request, version)
            after = fta_assignment.hand_back(request, actor, reason, loads, at)
            notice = handed_back(after, actor.display_name, reason.strip())
            step = f"back-{after.version}"
            messages = [
                _text(after, after.requester, step, notice),
                *_messages(after, self._roster.ftc_help_mailbox),
                *_to_account_team(after),
            ]
            return after, messages, after_fta_move(after)

        return await self._move(request_id, actor, change)

    # --- reading ------------------------------------------------------------------------------

    async def my_requests(self, person: Person) -> list[FtaRequest]:
        return await self._repository.requested_by(person.aad_object_id)

    async def my_approvals(self, person: Person) -> list[FtaRequest]:
        """The assignments waiting on the person to accept or hand back."""
        return await self._repository.waiting_on(person.aad_object_id)

    async def overdue_for(self, liaison: Person) -> list[FtaRequest]:
        """The assignments of the liaison's areas that no FTA accepted in time: the liaison
        was reminded of them and chases the FTA, or assigns another by hand. They leave the
        list once an FTA accepts."""
        found = []
        now = self._clock()
        kind = DeadlineKind.FTA_ASSIGNMENT
        for deadline in await self._deadlines.overdue(kind, liaison.aad_object_id, now):
            request = await self._repository.get(deadline.request_id)
            if request is not None and request.waits_on_fta:
                found.append(request)
        return found

    async def deliveries(self, requests: Sequence[FtaRequest]) -> dict[str, list[DeliveryRecord]]:
        """What became of each request's messages (the FTA's card, reminders, mail)."""
        by_request: dict[str, list[DeliveryRecord]] = {request.id: [] for request in requests}
        for record in await self._delivery_log.deliveries(list(by_request)):
            by_request[record.request_id].append(record)
        return by_request

    async def card_for(
        self, request: FtaRequest, viewer: Person, notice: str | None = None
    ) -> dict:
        """The request's card as `viewer` sees it, which Teams refreshes for the FTA it waits
        on whenever it is shown."""
        fta_user_ids: list[str] = []
        if request.fta is not None and request.waits_on_fta:
            user_id = await self._teams_ids.teams_user_id(request.fta)
            fta_user_ids = [user_id] if user_id else []
        return fta_card(request, viewer, notice, fta_user_ids)

    async def refreshed(self, request_id: str, viewer: Person) -> dict | None:
        """The card as it is now, for Teams' refresh of a shown card (Accept / Hand back only
        while it waits on the viewer); None when `request_id` is no FTA request the viewer
        may read."""
        request = await self.readable(request_id, viewer)
        return None if request is None else await self.card_for(request, viewer)

    async def record_copy(
        self,
        request: FtaRequest,
        viewer: Person,
        conversation_id: str,
        activity_id: str,
        service_url: str,
    ) -> None:
        """A card shown in a reply (`my approvals`) is kept up to date like the others."""
        await self._repository.record_card(
            request.id,
            viewer.aad_object_id,
            conversation_id,
            activity_id,
            service_url,
            request.version,
        )

    async def readable(self, request_id: str, viewer: Person) -> FtaRequest | None:
        """The request if `viewer` may read it; None too when there is no such request."""
        request = await self._repository.get(request_id)
        if request is None or not fta_assignment.may_read(request, viewer, self._roster):
            return None
        return request

    # --- delivery (called by the relay) -------------------------------------------------------

    async def compose(self, message: ClaimedMessage) -> Composed | None:
        """The FTA's card as the request is now (nothing once it no longer waits on them), an
        update of a posted copy of it, the mail to FTCHelp or to the account team, or the
        liaison's reminder (nothing once an FTA accepted)."""
        request = await self._repository.get(message.request_id or "")
        if request is None:
            return None
        if message.kind is MessageKind.FTA_MAIL:
            news = TeamNews.of(message.payload)
            text = str(message.payload.get("text", ""))
            if text:  # a card or reminder Teams would not take
                content = fta_notice_mail(request, text, self._bot_app_id)
            elif news:
                content = account_team_mail(request, news, self._bot_app_id)
            else:
                content = ftc_help_mail(request)
            address = message.recipient_name
            return Composed(
                mail=Mail((address,), content.subject, content.html_body, str(message.id))
            )
        if message.kind is MessageKind.REMINDER:
            return await self._reminder(request, message)
        if message.kind is MessageKind.FTA_CARD_UPDATE:
            return await self._update(request, message)
        if request.fta is None or not request.waits_on_fta:
            return None
        if request.fta.aad_object_id != message.recipient_aad_object_id:
            return None
        return Composed(card=await self.card_for(request, request.fta), version=request.version)

    async def undelivered(self, message: ClaimedMessage, outcome: SendOutcome) -> None:
        """Teams refuses the FTA's card or the liaison's reminder (blocked, uninstalled): its
        gist goes by mail to their roster address. (No chat yet: it waits for them.)"""
        if not isinstance(outcome, Unreachable) or message.request_id is None:
            return
        request = await self._repository.get(message.request_id)
        if request is None:
            return
        area = request.area
        recipient = message.recipient_aad_object_id
        people = [f.person for f in area.ftas] + [area.liaison, area.backup, area.director]
        person = next((p for p in people if p.aad_object_id == recipient and p.email), None)
        if person is None:
            return
        text = ""
        if message.kind is MessageKind.FTA_CARD and request.waits_on_fta and request.fta == person:
            text = assigned_to_you(request)
        elif message.kind is MessageKind.REMINDER:
            reminder = await self._still_owed(request, message)
            if reminder is not None:
                due, _ = await self._timetable.due_for_reader(
                    reminder, request.area.calendar, self._clock()
                )
                text = fta_reminder_text(reminder, request, due)
        if text:
            mailbox = Person(person.email, mail_lane(person.email), person.email)
            key = f"mail-for:{message.dedupe_key}"
            mail = Message(MessageKind.FTA_MAIL, mailbox, request.id, key, payload={"text": text})
            await self._queue.add([mail], self._clock())
            self._outbox.wake()

    async def _update(self, request: FtaRequest, message: ClaimedMessage) -> Composed | None:
        posted = await self._repository.card_message(message.card_message_id or 0)
        update = posted.to_update(request.version) if posted else None
        if update is None:
            return None
        viewer = Person(message.recipient_name, message.recipient_aad_object_id, "")
        return Composed(
            card=await self.card_for(request, viewer),
            update=update,
            version=request.version,
        )

    async def _reminder(self, request: FtaRequest, message: ClaimedMessage) -> Composed | None:
        reminder = await self._still_owed(request, message)
        if reminder is None:
            return None
        due, today = await self._timetable.due_for_reader(
            reminder, request.area.calendar, self._clock()
        )
        card = fta_reminder_card(reminder, request, reminder.recipient, due, today)
        return Composed(card=card, version=request.version)

    async def _still_owed(self, request: FtaRequest, message: ClaimedMessage) -> Reminder | None:
        """The liaison's reminder, unless an FTA accepted (or nobody is left to) since it fell
        due: its deadline is closed then."""
        viewer = Person(message.recipient_name, message.recipient_aad_object_id, "")
        reminder = reminder_of(message.payload, request.id, viewer)
        key = reminder.key.rpartition("#")[0]
        pending = {d.key for d in await self._deadlines.pending_for(request.id)}
        if key not in pending or not request.waits_on_fta:
            return None
        return reminder

    async def _move(self, request_id: str, actor: Person, change: MoveFtaRequest) -> dict:
        unknown = notice_card(f"There is no request {request_id} that you can see.")
        try:
            request = await self._repository.move(request_id, change, self._clock())
        except KeyError:
            return unknown
        except FtaMoveError as refusal:
            # The same words whether it does not exist or is not theirs: ids are sequential.
            current = await self.readable(request_id, actor)
            if current is None:
                return unknown
            return await self.card_for(current, actor, str(refusal))
        self._outbox.wake()
        return await self.card_for(request, actor)


def _check_version(request: FtaRequest, version: int) -> None:
    if request.version != version:
        raise FtaMoveError(f"{request.id} changed since this card was sent; here it is now.")


def _text(request: FtaRequest, to: Person, step: str, text: str) -> Message:
    return Message(MessageKind.TEXT, to, None, f"fta:{request.id}:{step}:{to.aad_object_id}", text)


def _to_account_team(request: FtaRequest) -> list[Message]:
    """The account team is told who is assigned, who accepted, or that nobody is free: one
    mail per address and version, each address its own outbox lane."""
    news = TeamNews.after(request)
    if news is None:
        return []
    return [
        Message(
            MessageKind.FTA_MAIL,
            Person(address, mail_lane(address), address),
            request.id,
            f"fta:{request.id}:team:{request.version}:{address}",
            payload=news.payload(),
        )
        for address in account_team(request)
    ]


def _messages(request: FtaRequest, ftc_help_mailbox: str) -> list[Message]:
    """Whom the request now waits on is told: the FTCHelp mailbox by mail, the FTA by the card
    to accept or hand back, the area liaison (no FTA available) by a line."""
    waiting = fta_assignment.ASSIGNMENT.waiting_on(request, Mailbox(ftc_help_mailbox))
    if isinstance(waiting, Mailbox):
        # Keyed by the address, like every mail: each address is its own outbox lane.
        lane = Person(waiting.address, mail_lane(waiting.address), waiting.address)
        return [Message(MessageKind.FTA_MAIL, lane, request.id, f"fta:{request.id}:ftchelp")]
    if waiting is None:
        return []
    if waiting == request.fta:
        return [
            Message(
                MessageKind.FTA_CARD,
                waiting,
                request.id,
                f"fta:{request.id}:card:{request.version}:{waiting.aad_object_id}",
            )
        ]
    return [_text(request, waiting, "nobody", nobody_available(request))]
