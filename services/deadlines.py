"""What people do with deadlines: snooze a request's reminders, see each request's next one."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

from cards.reminders import next_deadline_text
from domain.deadlines import Deadline, SnoozeError
from domain.fta_assignment import FtaRequest
from domain.requests import Request
from domain.roster import Person
from services.reminders import Timetable

log = logging.getLogger(__name__)


class Identified(Protocol):
    """A request of any kind (approval or FTA): its deadlines are found by its id."""

    @property
    def id(self) -> str: ...


class DeadlineRecords(Protocol):
    async def pending_for(self, request_id: str) -> list[Deadline]: ...

    async def next_due_of(self, request_ids: Sequence[str]) -> dict[str, Deadline]: ...

    async def replace(self, before: Deadline, after: Deadline, now: datetime) -> bool: ...


@dataclass(frozen=True)
class NextDeadline:
    deadline: Deadline
    business_days_left: int  # in the viewer's calendar; negative when overdue


class SnoozeRefused(SnoozeError):
    pass


class DeadlineService:
    def __init__(
        self,
        records: DeadlineRecords,
        timetable: Timetable,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._records = records
        self._timetable = timetable
        self._clock = clock

    async def snooze(self, request: Request | FtaRequest, person: Person, until: date) -> int:
        """Hold the request's reminders until the start of `until` (each recipient's working
        day); returns how many deadlines were held. Raises SnoozeError (and SnoozeRefused for
        someone the reminders are not about)."""
        if not _concerns(request, person):
            raise SnoozeRefused(f"Only the people {request.id}'s reminders reach can snooze them.")
        held = 0
        # A claim or another change in between wins; the deadline is read again, once.
        for _ in range(2):
            pending = [d for d in await self._records.pending_for(request.id) if d.remind_at]
            now = self._clock()
            retry = False
            for deadline in pending:
                rules = await self._timetable.rules_for_deadline(deadline)
                snoozed = rules.snooze(deadline, until, now)
                if snoozed == deadline:
                    continue
                if await self._records.replace(deadline, snoozed, now):
                    held += 1
                else:
                    retry = True
            if not retry:
                break
        log.info("%s: reminders snoozed by %s", request.id, person.aad_object_id)
        return held

    async def next_deadlines(
        self, requests: Sequence[Identified], viewer: Person
    ) -> dict[str, NextDeadline]:
        """Each request's soonest pending deadline, counted in the viewer's calendar."""
        found = await self._records.next_due_of([r.id for r in requests])
        now = self._clock()
        rules = await self._timetable.rules_for([viewer])
        return {
            request_id: NextDeadline(deadline, rules.business_days_left(deadline, now, viewer))
            for request_id, deadline in found.items()
        }

    async def next_deadline_texts(
        self, requests: Sequence[Identified], viewer: Person
    ) -> dict[str, str]:
        """Each request's next deadline in words, in the viewer's time zone and calendar."""
        found = await self.next_deadlines(requests, viewer)
        now = self._clock()
        zone = (await self._timetable.rules_for([viewer])).hours_of(viewer).zone
        return {
            request_id: next_deadline_text(found.deadline, found.business_days_left, now, zone)
            for request_id, found in found.items()
        }


def _concerns(request: Request | FtaRequest, person: Person) -> bool:
    """Everyone a request's reminders may reach: the area's approvers; for an approval
    request, its requester and whoever it waits on too."""
    area = request.area
    people: list[Person | None] = [area.liaison, area.backup, area.director]
    if isinstance(request, Request):
        people += [request.requester, request.waiting_on]
    return any(p is not None and p.aad_object_id == person.aad_object_id for p in people)
