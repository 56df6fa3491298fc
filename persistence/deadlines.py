"""Deadlines as rows: written with the move that opens them, closed by the move that answers
them, and claimed by the reminder scheduler under a lease.

A claim moves `remind_at` to the end of the lease and stamps a token in one statement
(PostgreSQL `FOR UPDATE SKIP LOCKED`, so instances claim different rows; SQLite has one writer
at a time). Only the token's holder can advance the row to its next step, and a crashed
holder's rows come due again when the lease ends. The claim reads the partial index on
`remind_at` of open rows, so its cost does not grow with the closed and escalated ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, insert, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.deadlines import Deadline, DeadlineKind, DeadlineState, Reminder, reminder_message
from domain.roster import Person, Roster
from persistence.database import Statements
from persistence.models import DeadlineRow
from persistence.outbox import add_messages, message_rows

PENDING_STATES = (DeadlineState.OPEN.value, DeadlineState.ESCALATED.value)
_COLUMNS = DeadlineRow.__table__.c
# A literal, not a bound parameter: PostgreSQL uses the partial index only when the query's
# condition visibly matches the index's.
_IS_OPEN = DeadlineRow.state == literal_column("'open'")


def add_deadlines(connection: Connection, deadlines: Sequence[Deadline], now: datetime) -> None:
    """Within the transaction of the move that opens them."""
    if deadlines:
        connection.execute(insert(DeadlineRow), deadline_rows(deadlines, now))


def close_deadlines(
    connection: Connection, request_id: str, kinds: Iterable[DeadlineKind], now: datetime
) -> None:
    """Within the transaction of the move that answers them: nobody is reminded of what is
    done."""
    values = [kind.value for kind in kinds]
    if values:
        connection.execute(
            update(DeadlineRow)
            .where(
                DeadlineRow.request_id == request_id,
                DeadlineRow.kind.in_(values),
                DeadlineRow.state.in_(PENDING_STATES),
            )
            .values(state=DeadlineState.CLOSED.value, remind_at=None, updated_at=now)
        )


# The scheduler's claim, built once. The inner query walks the partial index.
_DUE = (
    select(DeadlineRow.id)
    .where(_IS_OPEN, DeadlineRow.remind_at <= bindparam("now"))
    .order_by(DeadlineRow.remind_at)
    .limit(bindparam("limit"))
)


def _claim_statement(dialect: str) -> Any:
    due = _DUE.with_for_update(skip_locked=True) if dialect == "postgresql" else _DUE
    return (
        update(DeadlineRow)
        .where(DeadlineRow.id.in_(due.scalar_subquery()))
        .values(
            remind_at=bindparam("lease_end"),
            claim_token=bindparam("token"),
            updated_at=bindparam("now"),
        )
        .returning(*_COLUMNS)
    )


class DeadlineRepository:
    def __init__(
        self, engine: AsyncEngine, roster: Roster, statements: Statements | None = None
    ) -> None:
        self._statements = statements or Statements(engine)
        # Rows store only the area code; the area comes from the current roster.
        self._roster = roster
        self._dialect = engine.dialect.name
        self._claim = _claim_statement(self._dialect)

    async def add(self, deadlines: Sequence[Deadline], now: datetime) -> None:
        await self._statements.transaction(
            lambda connection: add_deadlines(connection, deadlines, now)
        )

    async def pending_for(self, request_id: str) -> list[Deadline]:
        """What is still owed on the request, soonest due first."""
        return await self._fetch(
            select(DeadlineRow.__table__)
            .where(DeadlineRow.request_id == request_id, DeadlineRow.state.in_(PENDING_STATES))
            .order_by(DeadlineRow.due_at, DeadlineRow.id)
        )

    async def all_for(self, request_id: str) -> list[Deadline]:
        return await self._fetch(
            select(DeadlineRow.__table__)
            .where(DeadlineRow.request_id == request_id)
            .order_by(DeadlineRow.due_at, DeadlineRow.id)
        )

    async def overdue(
        self, kind: DeadlineKind, owner_aad_object_id: str, now: datetime
    ) -> list[Deadline]:
        """What a person owes of one kind and is past due, soonest due first."""
        return await self._fetch(
            select(DeadlineRow.__table__)
            .where(
                DeadlineRow.kind == kind.value,
                DeadlineRow.owner_aad_object_id == owner_aad_object_id,
                DeadlineRow.state.in_(PENDING_STATES),
                DeadlineRow.due_at <= now,
            )
            .order_by(DeadlineRow.due_at, DeadlineRow.id)
        )

    async def next_due_of(self, request_ids: Sequence[str]) -> dict[str, Deadline]:
        """Each request's soonest pending deadline, for lists such as `my approvals`."""
        if not request_ids:
            return {}
        found: dict[str, Deadline] = {}
        for deadline in await self._fetch(
            select(DeadlineRow.__table__)
            .where(DeadlineRow.request_id.in_(request_ids), DeadlineRow.state.in_(PENDING_STATES))
            .order_by(DeadlineRow.due_at.desc(), DeadlineRow.id.desc())
        ):
            found[deadline.request_id] = deadline  # the soonest comes last and stays
        return found

    async def claim_due(
        self, now: datetime, *, lease: timedelta, limit: int, token: str
    ) -> list[Deadline]:
        """Claim up to `limit` open deadlines whose reminder is due, for `lease`; they come
        back as due at `now` (the row holds the lease's end meanwhile)."""
        parameters = {"now": now, "limit": limit, "lease_end": now + lease, "token": token}
        rows = (await self._statements.write(self._claim, parameters)).rows
        claimed = (replace(self._deadline(row), remind_at=now) for row in rows)
        return sorted(claimed, key=lambda d: d.due_at)

    async def advance(
        self,
        claimed: Deadline,
        token: str,
        after: Deadline,
        now: datetime,
        reminder: Reminder | None,
    ) -> bool:
        """Store the claimed deadline's next state and put `reminder` in the outbox, in one
        transaction, if this claim still holds the deadline."""

        def write(connection: Connection) -> bool:
            matched = connection.execute(
                update(DeadlineRow)
                .where(
                    DeadlineRow.key == claimed.key,
                    DeadlineRow.claim_token == token,
                    DeadlineRow.step == claimed.step,
                )
                .values(_changes(after, now))
            ).rowcount
            if matched != 1:
                return False
            if reminder is not None:
                # Due at once by the outbox's own clock, the real one (the scheduler's may be
                # driven by a test or a benchmark).
                message = message_rows([reminder_message(reminder)], datetime.now(UTC))
                connection.execute(add_messages(self._dialect), message)
            return True

        return await self._statements.transaction(write)

    async def replace(self, before: Deadline, after: Deadline, now: datetime) -> bool:
        """Store `after` if the row is still as `before` was read (e.g. a snooze, an answer):
        a claim or another change in between wins, and the caller reads again."""
        condition = and_(
            DeadlineRow.key == before.key,
            DeadlineRow.step == before.step,
            DeadlineRow.state == before.state.value,
            DeadlineRow.remind_at.is_(None)
            if before.remind_at is None
            else DeadlineRow.remind_at == before.remind_at,
            DeadlineRow.claim_token.is_(None),
        )
        written = await self._statements.write(
            update(DeadlineRow).where(condition).values(_changes(after, now))
        )
        return written.rowcount == 1

    async def next_reminder_at(self) -> datetime | None:
        """When the soonest open deadline's reminder is due (or its claim's lease ends)."""
        rows = await self._statements.read(
            select(DeadlineRow.remind_at).where(_IS_OPEN).order_by(DeadlineRow.remind_at).limit(1)
        )
        return rows[0].remind_at if rows else None

    async def _fetch(self, query: Any) -> list[Deadline]:
        return [self._deadline(row) for row in await self._statements.read(query)]

    def _deadline(self, row: Row[Any]) -> Deadline:
        return Deadline(
            key=row.key,
            request_id=row.request_id,
            kind=DeadlineKind(row.kind),
            area=self._roster.area(row.area_code),
            owner=Person(row.owner_name, row.owner_aad_object_id, row.owner_email),
            due_at=row.due_at,
            target=Person(row.target_name, row.target_aad_object_id, row.target_email),
            remind_at=row.remind_at,
            step=row.step,
            state=DeadlineState(row.state),
            subject=row.subject,
        )


def _changes(deadline: Deadline, now: datetime) -> dict[str, Any]:
    """What moves between steps: the target, the time, the step and the state."""
    return {
        "target_aad_object_id": deadline.target.aad_object_id,
        "target_name": deadline.target.display_name,
        "target_email": deadline.target.email,
        "remind_at": deadline.remind_at,
        "step": deadline.step,
        "state": deadline.state.value,
        "claim_token": None,
        "updated_at": now,
    }


def deadline_rows(deadlines: Sequence[Deadline], now: datetime) -> list[dict[str, Any]]:
    """The rows of new deadlines (every column but the id)."""
    return [_row(deadline, now) for deadline in deadlines]


def _row(deadline: Deadline, now: datetime) -> dict[str, Any]:
    return {
        "key": deadline.key,
        "request_id": deadline.request_id,
        "kind": deadline.kind.value,
        "area_code": deadline.area.code,
        "owner_aad_object_id": deadline.owner.aad_object_id,
        "owner_name": deadline.owner.display_name,
        "owner_email": deadline.owner.email,
        "subject": deadline.subject,
        "due_at": deadline.due_at,
        "created_at": now,
        **_changes(deadline, now),
    }
