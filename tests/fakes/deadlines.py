"""An in-memory deadline store (the scheduler's DeadlineStore and the services'
DeadlineRecords) with the repository's claim, advance and replace rules, and an outbox that
keeps one message per reminder key, as the real one's unique dedupe key does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from domain.deadlines import Deadline, DeadlineState, Reminder


@dataclass
class FakeDeadlineStore:
    rows: dict[str, Deadline] = field(default_factory=dict)
    claims: dict[str, str] = field(default_factory=dict)  # deadline key -> claim token
    outbox: dict[str, Reminder] = field(default_factory=dict)

    def add(self, *deadlines: Deadline) -> None:
        for deadline in deadlines:
            self.rows[deadline.key] = deadline

    async def claim_due(
        self, now: datetime, *, lease: timedelta, limit: int, token: str
    ) -> list[Deadline]:
        due = sorted(
            (
                d
                for d in self.rows.values()
                if d.state is DeadlineState.OPEN and d.remind_at is not None and d.remind_at <= now
            ),
            key=lambda d: d.remind_at or now,
        )[:limit]
        for deadline in due:
            self.rows[deadline.key] = replace(deadline, remind_at=now + lease)
            self.claims[deadline.key] = token
        return [replace(deadline, remind_at=now) for deadline in due]

    async def advance(
        self,
        claimed: Deadline,
        token: str,
        after: Deadline,
        now: datetime,
        reminder: Reminder | None,
    ) -> bool:
        stored = self.rows[claimed.key]
        if self.claims.get(claimed.key) != token or stored.step != claimed.step:
            return False
        self.rows[claimed.key] = after
        del self.claims[claimed.key]
        if reminder is not None:
            self.outbox.setdefault(reminder.key, reminder)
        return True

    async def next_reminder_at(self) -> datetime | None:
        times = [
            d.remind_at
            for d in self.rows.values()
            if d.state is DeadlineState.OPEN and d.remind_at is not None
        ]
        return min(times, default=None)

    async def pending_for(self, request_id: str) -> list[Deadline]:
        return sorted(
            (d for d in self.rows.values() if d.request_id == request_id and d.is_pending),
            key=lambda d: d.due_at,
        )

    async def next_due_of(self, request_ids: Sequence[str]) -> dict[str, Deadline]:
        found: dict[str, Deadline] = {}
        for request_id in request_ids:
            pending = await self.pending_for(request_id)
            if pending:
                found[request_id] = pending[0]
        return found

    async def replace(self, before: Deadline, after: Deadline, now: datetime) -> bool:
        if self.rows.get(before.key) != before or before.key in self.claims:
            return False
        self.rows[before.key] = after
        return True
