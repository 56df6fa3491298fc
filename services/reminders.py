"""The reminder scheduler: due deadlines become reminders, each step once.

One task per process claims due deadlines under a lease, asks the domain what each gives now
(a reminder, or a wait for its recipient's working hours) and stores the next step together
with the reminder's message, conditional on the claim, in one transaction. A crashed
process's claims come due again when the lease ends, and the reminder's key (deadline and
step) keeps a repeated step from becoming a second message. Between passes it sleeps until
the next reminder is due, or until this process opens a deadline: no busy poll. The clock is
injected, so tests and the benchmark drive time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from cards.reminders import due_phrase
from domain.business_days import BusinessCalendar
from domain.deadlines import Deadline, DeadlineRules, Fired, Reminder, SlaPolicy
from domain.roster import Person
from services.working_hours import WorkingHoursSource

log = logging.getLogger(__name__)


class DeadlineStore(Protocol):
    async def claim_due(
        self, now: datetime, *, lease: timedelta, limit: int, token: str
    ) -> list[Deadline]:
        """Due open deadlines, claimed for `lease`; returned as due at `now`."""

    async def advance(
        self,
        claimed: Deadline,
        token: str,
        after: Deadline,
        now: datetime,
        reminder: Reminder | None,
    ) -> bool:
        """Store `after` and enqueue `reminder` in one transaction, if the claim still holds."""

    async def next_reminder_at(self) -> datetime | None: ...


class Timetable:
    """The deadline rules with the working hours of the people concerned, fetched first (the
    domain does no I/O; the hours may come from Graph)."""

    def __init__(self, policy: SlaPolicy, working_hours: WorkingHoursSource) -> None:
        self._policy = policy
        self._working_hours = working_hours

    async def rules_for(self, people: Iterable[Person]) -> DeadlineRules:
        hours = {p.aad_object_id: await self._working_hours.working_hours(p) for p in people}
        return DeadlineRules(self._policy, lambda person: hours[person.aad_object_id])

    async def due_for_reader(
        self, reminder: Reminder, calendar: BusinessCalendar, now: datetime
    ) -> tuple[str, date]:
        """When the reminder's deadline is due, and today's date, in its reader's time zone
        (business days in the area's calendar)."""
        reader = reminder.recipient
        zone = (await self.rules_for([reader])).hours_of(reader).zone
        today = now.astimezone(zone).date()
        left = calendar.business_days_between(today, reminder.due_at.astimezone(zone).date())
        return due_phrase(reminder.due_at, left, now, zone), today

    async def rules_for_deadline(self, deadline: Deadline) -> DeadlineRules:
        """Everyone its next steps may reach: whoever owes it, its target, the area's
        approvers."""
        area = deadline.area
        return await self.rules_for(
            [deadline.owner, deadline.target, area.liaison, area.backup, area.director]
        )


@dataclass(frozen=True)
class SchedulerPolicy:
    lease: timedelta = timedelta(minutes=2)  # a claim older than this is taken over
    batch: int = 100  # deadlines claimed at a time
    idle_check: float = 60.0  # seconds: look for other instances' deadlines at least this often


class ReminderScheduler:
    def __init__(
        self,
        store: DeadlineStore,
        timetable: Timetable,
        policy: SchedulerPolicy,
        on_reminders: Callable[[], None] = lambda: None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._timetable = timetable
        self._policy = policy
        # Reminders were enqueued: the outbox relay can look now instead of at its next pass.
        self._on_reminders = on_reminders
        self._clock = clock
        self._woken = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """A deadline was opened or moved in this process: its time may be the soonest."""
        self._woken.set()

    async def send_due(self) -> list[Reminder]:
        """One pass: every deadline due now gives its reminder (or waits for working
        hours), once. Returns the reminders enqueued."""
        sent: list[Reminder] = []
        while True:
            now = self._clock()
            token = str(uuid.uuid4())
            claimed = await self._store.claim_due(
                now, lease=self._policy.lease, limit=self._policy.batch, token=token
            )
            for deadline in claimed:
                rules = await self._timetable.rules_for_deadline(deadline)
                result = rules.fire(deadline, now)
                reminder = result.reminder if isinstance(result, Fired) else None
                if await self._store.advance(deadline, token, result.deadline, now, reminder):
                    if reminder is not None:
                        sent.append(reminder)
                        log.info("%s: reminder %s", deadline.request_id, reminder.key)
                else:
                    log.info("%s: claim on %s lost", deadline.request_id, deadline.key)
            if len(claimed) < self._policy.batch:
                break
        if sent:
            self._on_reminders()
        return sent

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="reminder scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            self._woken.clear()
            try:
                await self.send_due()
                delay = await self._until_next()
            except Exception:  # a database outage must not end reminders for good
                log.exception("reminder pass failed; trying again later")
                delay = self._policy.idle_check
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), timeout=delay)

    async def _until_next(self) -> float:
        next_at = await self._store.next_reminder_at()
        if next_at is None:
            return self._policy.idle_check
        seconds = (next_at - self._clock()).total_seconds()
        return min(max(seconds, 0.0), self._policy.idle_check)
