"""FTA requests (seed 001): place each by its type (the workload balancer, or FTCHelp) and tell
the people concerned, through the outbox, in the transaction that stores it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Protocol

from cards.approval import notice_card
from cards.fta import accepted, fta_card, handed_back, nobody_available
from domain import fta_assignment
from domain.account_team import Mail, mail_lane
from domain.fta_assignment import (
    FtaLoad,
    FtaMoveError,
    FtaRequest,
    FtaStatus,
    place,
    request_type_of,
)
from domain.outbox import ClaimedMessage, Composed, Message, MessageKind
from domain.roster import Area, Person, Roster
from notices.fta_mail import ftc_help_mail
from services.requests import Absences

# Builds the request once its id and the area's FTA loads are known.
BuildFtaRequest = Callable[[str, Sequence[FtaLoad]], tuple[FtaRequest, Sequence[Message]]]
# A move on a stored request, given the area's loads: the request after it, its messages.
MoveFtaRequest = Callable[[FtaRequest, Sequence[FtaLoad]], tuple[FtaRequest, Sequence[Message]]]


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


class Outbox(Protocol):
    def wake(self) -> None: ...


class FtaService:
    def __init__(
        self,
        repository: FtaRequests,
        roster: Roster,
        outbox: Outbox,
        out_of_office: Absences,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
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

        def build(request_id: str, loads: Sequence[FtaLoad]) -> tuple[FtaRequest, list[Message]]:
            loads = [
                replace(load, away=True) if load.fta.aad_object_id in absent else load
                for load in loads
            ]
            request = place(request_id, request_type, area, requester, answers, loads)
            return request, _messages(request, mailbox)

        request = await self._repository.submit(area, build, submission_key, at)
        self._outbox.wake()
        return request

    async def accept(self, request_id: str, actor: Person, version: int) -> dict:
        """Accept on the FTA's card: the card that replaces it. Clicked twice (or on two
        copies), the request is accepted once; the second click is told so."""

        def change(
            request: FtaRequest, loads: Sequence[FtaLoad]
        ) -> tuple[FtaRequest, list[Message]]:
            _check_version(request, version)
            after = fta_assignment.accept(request, actor)
            return after, [_text(after, after.requester, "accepted", accepted(after))]

        return await self._move(request_id, actor, change)

    async def hand_back(self, request_id: str, actor: Person, version: int, reason: str) -> dict:
        def change(
            request: FtaRequest, loads: Sequence[FtaLoad]
        ) -> tuple[FtaRequest, list[Message]]:
            _check_version(request, version)
            after = fta_assignment.hand_back(request, actor, reason, loads)
            notice = handed_back(after, actor.display_name, reason.strip())
            step = f"back-{after.version}"
            messages = _messages(after, self._roster.ftc_help_mailbox)
            return after, [_text(after, after.requester, step, notice), *messages]

        return await self._move(request_id, actor, change)

    async def compose(self, message: ClaimedMessage) -> Composed | None:
        """The FTA's card as the request is now (nothing once it no longer waits on them), or
        the mail to FTCHelp."""
        request = await self._repository.get(message.request_id or "")
        if request is None:
            return None
        if message.kind is MessageKind.FTA_MAIL:
            content = ftc_help_mail(request)
            address = message.recipient_name
            return Composed(
                mail=Mail((address,), content.subject, content.html_body, str(message.id))
            )
        if request.fta is None or request.status is not FtaStatus.ASSIGNED:
            return None
        if request.fta.aad_object_id != message.recipient_aad_object_id:
            return None
        return Composed(card=fta_card(request, request.fta), version=request.version)

    async def _move(self, request_id: str, actor: Person, change: MoveFtaRequest) -> dict:
        try:
            request = await self._repository.move(request_id, change, self._clock())
        except KeyError:
            return notice_card(f"There is no request {request_id} that you can see.")
        except FtaMoveError as refusal:
            current = await self._repository.get(request_id)
            if current is None:
                return notice_card(str(refusal))
            return fta_card(current, actor, str(refusal))
        self._outbox.wake()
        return fta_card(request, actor)


def _check_version(request: FtaRequest, version: int) -> None:
    if request.version != version:
        raise FtaMoveError(f"{request.id} changed since this card was sent; here it is now.")


def _text(request: FtaRequest, to: Person, step: str, text: str) -> Message:
    return Message(MessageKind.TEXT, to, None, f"fta:{request.id}:{step}:{to.aad_object_id}", text)


def _messages(request: FtaRequest, ftc_help_mailbox: str) -> list[Message]:
    if request.status is FtaStatus.ASSIGNED and request.fta is not None:
        return [
            Message(
                MessageKind.FTA_CARD,
                request.fta,
                request.id,
                f"fta:{request.id}:card:{request.version}:{request.fta.aad_object_id}",
            )
        ]
    if request.status is FtaStatus.UNASSIGNED:
        return [_text(request, request.area.liaison, "nobody", nobody_available(request))]
    if request.status is FtaStatus.FTC_HELP:
        # Keyed by the address, like every mail: each address is its own outbox lane.
        mailbox = Person(ftc_help_mailbox, mail_lane(ftc_help_mailbox), ftc_help_mailbox)
        return [Message(MessageKind.FTA_MAIL, mailbox, request.id, f"fta:{request.id}:ftchelp")]
    return []
