"""FTA requests (seed 001): place each by its type (the workload balancer, or FTCHelp) and tell
the people concerned, through the outbox, in the transaction that stores it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Protocol

from cards.fta import assigned_to_you, nobody_available
from domain.fta_assignment import FtaLoad, FtaRequest, FtaStatus, place, request_type_of
from domain.outbox import Message, MessageKind
from domain.roster import Area, Person, Roster

# Builds the request once its id and the area's FTA loads are known.
BuildFtaRequest = Callable[[str, Sequence[FtaLoad]], tuple[FtaRequest, Sequence[Message]]]


class FtaRequests(Protocol):
    async def submit(
        self, area: Area, build: BuildFtaRequest, submission_key: str, at: datetime
    ) -> FtaRequest:
        """Number the request, read the area's loads, build it and store it with its messages
        and the chosen FTA's raised load, in one transaction (read again when that load moved
        meanwhile); the request stored under `submission_key` when there is one."""


class Outbox(Protocol):
    def wake(self) -> None: ...


class FtaService:
    def __init__(
        self,
        repository: FtaRequests,
        roster: Roster,
        outbox: Outbox,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
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

        def build(request_id: str, loads: Sequence[FtaLoad]) -> tuple[FtaRequest, list[Message]]:
            request = place(request_id, request_type, area, requester, answers, loads)
            return request, _messages(request)

        request = await self._repository.submit(area, build, submission_key, self._clock())
        self._outbox.wake()
        return request


def _messages(request: FtaRequest) -> list[Message]:
    if request.status is FtaStatus.ASSIGNED and request.fta is not None:
        return [
            Message(
                MessageKind.TEXT,
                request.fta,
                None,
                f"fta:{request.id}:assigned:{request.fta.aad_object_id}",
                assigned_to_you(request),
            )
        ]
    if request.status is FtaStatus.UNASSIGNED:
        liaison = request.area.liaison
        return [
            Message(
                MessageKind.TEXT,
                liaison,
                None,
                f"fta:{request.id}:nobody:{liaison.aad_object_id}",
                nobody_available(request),
            )
        ]
    return []
