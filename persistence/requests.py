"""Requests, their audit trail, where their approval cards were posted, and notifications
waiting for people the bot cannot reach yet.

Every race (two approvers deciding at once, two replicas allocating an id) is decided by the
database in a single statement or a conditional update, never by reading and then writing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    Select,
    bindparam,
    delete,
    insert,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.deadlines import Deadline
from domain.requests import AuditEntry, Move, Request, RequestKind, Status
from domain.roster import Person, Roster
from persistence.database import Statements, dialect_insert
from persistence.models import (
    AuditEntryRow,
    CardMessageRow,
    DeadlineRow,
    PendingMessageRow,
    RequestCounter,
    RequestRow,
)

# Statuses in which a request waits on an approver (MORE_INFO_REQUESTED waits on the requester).
_AWAITING_DECISION = (Status.SUBMITTED.value, Status.DIRECTOR_REVIEW.value)


@dataclass(frozen=True, kw_only=True)
class CardMessage:
    """An approval card as posted: enough to update that very message later."""

    request_id: str
    recipient_aad_object_id: str
    conversation_id: str
    activity_id: str
    service_url: str
    created_at: datetime


# The statements of a decision, built once so that SQLAlchemy reuses their cache keys.
_GET = select(RequestRow.__table__).where(RequestRow.id == bindparam("id"))
_MOVE = (
    update(RequestRow)
    .where(
        RequestRow.id == bindparam("request_id"),
        RequestRow.version == bindparam("expected_version"),
    )
    .values(
        status=bindparam("status"),
        version=bindparam("version"),
        outcome=bindparam("outcome"),
        updated_at=bindparam("updated_at"),
        waiting_on_aad_object_id=bindparam("waiting_on_aad_object_id"),
        waiting_on_name=bindparam("waiting_on_name"),
        waiting_on_email=bindparam("waiting_on_email"),
    )
)
_ADD_AUDIT = insert(AuditEntryRow)
_AUDIT_TRAIL = (
    select(AuditEntryRow.__table__)
    .where(AuditEntryRow.request_id == bindparam("request_id"))
    # Moves on one request are serialised by its version, so the id is their true order even
    # when replicas' clocks disagree.
    .order_by(AuditEntryRow.id)
)


def _move_and_trail_in_one_statement():
    """PostgreSQL: the conditional update, its audit entry and the request's audit trail in
    one statement, so a decision costs one round trip instead of five (BEGIN, UPDATE, INSERT,
    COMMIT, SELECT). A single statement is atomic; when the version no longer matches, nothing
    is inserted and no row comes back."""
    audit = AuditEntryRow.__table__
    moved = _MOVE.returning(RequestRow.id).cte("moved")
    entry_columns = [column for column in audit.c if column.name not in ("id", "request_id")]
    added = (
        insert(AuditEntryRow)
        .from_select(
            ["request_id", *(column.name for column in entry_columns)],
            select(
                moved.c.id,
                *(bindparam(column.name, type_=column.type) for column in entry_columns),
            ),
        )
        .returning(*audit.c)
        .cte("added")
    )
    # The main query's snapshot does not see the row inserted by `added`: it joins in below.
    earlier = select(*audit.c).where(
        audit.c.request_id == bindparam("request_id"), select(moved.c.id).exists()
    )
    trail = union_all(earlier, select(*added.c)).subquery()
    return select(*trail.c).order_by(trail.c.id)


_MOVE_AND_TRAIL = _move_and_trail_in_one_statement()


class RequestRepository:
    def __init__(self, engine: AsyncEngine, roster: Roster, statements: Statements | None = None):
        self._engine = engine
        self._statements = statements or Statements(engine)
        # Requests store only the area code; the area's people come from the current roster.
        self._roster = roster

    async def next_request_id(self, kind: RequestKind) -> str:
        """A new id such as "NSD-0001": numbered per kind, never handed out twice."""
        # One upsert statement: the database serialises concurrent callers on the counter row,
        # including the very first ones, which would otherwise both try to insert it.
        insert_first = dialect_insert(self._engine.dialect.name, RequestCounter).values(
            kind=kind.value, last_number=1
        )
        upsert = insert_first.on_conflict_do_update(
            index_elements=[RequestCounter.kind],
            set_={"last_number": RequestCounter.last_number + 1},
        ).returning(RequestCounter.last_number)
        [(number,)] = (await self._statements.write(upsert)).rows
        return f"{kind.prefix}-{number:04d}"

    async def add(self, request: Request, audit: AuditEntry) -> None:
        """Store a newly submitted request together with its submission audit entry."""
        add_request = insert(RequestRow).values(
            id=request.id,
            kind=request.kind.value,
            status=request.status.value,
            version=request.version,
            requester_aad_object_id=request.requester.aad_object_id,
            requester_name=request.requester.display_name,
            requester_email=request.requester.email,
            area_code=request.area.code,
            customer=request.customer,
            answers=request.answers,
            needs_director=request.needs_director,
            outcome=request.outcome,
            submitted_at=request.submitted_at,
            updated_at=audit.at,
            **_waiting_on_columns(request.waiting_on),
        )
        add_submission = insert(AuditEntryRow).values(_audit_columns(request, audit))

        def add(connection: Connection) -> None:
            connection.execute(add_request)
            connection.execute(add_submission)

        await self._statements.transaction(add)

    async def get(self, request_id: str) -> Request | None:
        requests = await self._fetch(_GET, {"id": request_id})
        return requests[0] if requests else None

    async def save_move(
        self, updated: Request, audit: AuditEntry, expected_version: int
    ) -> list[AuditEntry] | None:
        """Store `updated` and its audit entry if the stored request is still at
        `expected_version`, and return the audit trail as it now is; None (nothing written)
        when someone else moved it first."""
        parameters = {
            **_audit_columns(updated, audit),
            "expected_version": expected_version,
            "status": updated.status.value,
            "version": updated.version,
            "outcome": updated.outcome,
            "updated_at": audit.at,
            **_waiting_on_columns(updated.waiting_on),
        }
        if self._engine.dialect.name == "postgresql":
            rows = (await self._statements.write(_MOVE_AND_TRAIL, parameters)).rows
        else:

            def write(connection: Connection) -> Sequence[Row[Any]]:
                # The version check is in the WHERE clause, so of concurrent moves based on
                # the same version exactly one matches the row.
                if connection.execute(_MOVE, parameters).rowcount != 1:
                    return []
                connection.execute(_ADD_AUDIT, parameters)
                return connection.execute(_AUDIT_TRAIL, parameters).all()

            rows = await self._statements.transaction(write)
        return [_audit_entry(row) for row in rows] or None

    async def audit_trail(self, request_id: str) -> list[AuditEntry]:
        """Every move on the request, oldest first, starting with its submission."""
        rows = await self._statements.read(_AUDIT_TRAIL, {"request_id": request_id})
        return [_audit_entry(row) for row in rows]

    async def requested_by(self, aad_object_id: str) -> list[Request]:
        """Everything this person has raised, newest first."""
        return await self._fetch(
            select(RequestRow.__table__)
            .where(RequestRow.requester_aad_object_id == aad_object_id)
            .order_by(RequestRow.submitted_at.desc(), RequestRow.id.desc())
        )

    async def waiting_on(self, aad_object_id: str) -> list[Request]:
        """Requests awaiting this person's decision, oldest first."""
        return await self._fetch(
            select(RequestRow.__table__)
            .where(
                RequestRow.waiting_on_aad_object_id == aad_object_id,
                RequestRow.status.in_(_AWAITING_DECISION),
            )
            .order_by(RequestRow.submitted_at, RequestRow.id)
        )

    async def record_card(
        self,
        request_id: str,
        recipient_aad_object_id: str,
        conversation_id: str,
        activity_id: str,
        service_url: str,
    ) -> None:
        """Remember where a card was posted; recording the same message again is a no-op."""
        statement = (
            dialect_insert(self._engine.dialect.name, CardMessageRow)
            .values(
                request_id=request_id,
                recipient_aad_object_id=recipient_aad_object_id,
                conversation_id=conversation_id,
                activity_id=activity_id,
                service_url=service_url,
                created_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing(
                index_elements=["request_id", "recipient_aad_object_id", "activity_id"]
            )
        )
        await self._statements.write(statement)

    async def cards_for(self, request_id: str) -> list[CardMessage]:
        """The request's posted cards, in the order they were recorded."""
        query = (
            select(
                CardMessageRow.request_id,
                CardMessageRow.recipient_aad_object_id,
                CardMessageRow.conversation_id,
                CardMessageRow.activity_id,
                CardMessageRow.service_url,
                CardMessageRow.created_at,
            )
            .where(CardMessageRow.request_id == request_id)
            .order_by(CardMessageRow.created_at, CardMessageRow.id)
        )
        return [CardMessage(**row._mapping) for row in await self._statements.read(query)]

    async def add_pending(self, recipient_aad_object_id: str, payload: dict[str, Any]) -> None:
        """Keep a notification until the recipient can be reached."""
        statement = insert(PendingMessageRow).values(
            recipient_aad_object_id=recipient_aad_object_id,
            payload=payload,
            created_at=datetime.now(UTC),
        )
        await self._statements.write(statement)

    async def take_pending(self, recipient_aad_object_id: str) -> list[dict[str, Any]]:
        """Remove and return the recipient's pending notifications, oldest first.

        A single DELETE ... RETURNING: of two concurrent takers, each message goes to one.
        """
        statement = (
            delete(PendingMessageRow)
            .where(PendingMessageRow.recipient_aad_object_id == recipient_aad_object_id)
            .returning(
                PendingMessageRow.id, PendingMessageRow.payload, PendingMessageRow.created_at
            )
        )
        rows = (await self._statements.write(statement)).rows
        # RETURNING has no defined order.
        return [row.payload for row in sorted(rows, key=lambda row: (row.created_at, row.id))]

    async def add_deadlines(self, deadlines: list[Deadline]) -> None:
        if not deadlines:
            return
        now = datetime.now(UTC)
        rows = [
            {
                "request_id": d.request_id,
                "what": d.what,
                "due_on": d.due_on,
                "remind_aad_object_id": d.remind.aad_object_id,
                "remind_name": d.remind.display_name,
                "remind_email": d.remind.email,
                "created_at": now,
            }
            for d in deadlines
        ]
        await self._statements.write(insert(DeadlineRow), rows)

    async def deadlines_for(self, request_id: str) -> list[Deadline]:
        rows = await self._statements.read(
            select(DeadlineRow.__table__)
            .where(DeadlineRow.request_id == request_id)
            .order_by(DeadlineRow.due_on, DeadlineRow.id)
        )
        return [
            Deadline(
                row.request_id,
                row.what,
                row.due_on,
                Person(row.remind_name, row.remind_aad_object_id, row.remind_email),
            )
            for row in rows
        ]

    async def _fetch(self, query: Select, parameters: dict | None = None) -> list[Request]:
        return [self._request(row) for row in await self._statements.read(query, parameters)]

    def _request(self, row: Row) -> Request:
        waiting_on = None
        if row.waiting_on_aad_object_id is not None:
            waiting_on = Person(
                row.waiting_on_name, row.waiting_on_aad_object_id, row.waiting_on_email
            )
        return Request(
            id=row.id,
            kind=RequestKind(row.kind),
            requester=Person(row.requester_name, row.requester_aad_object_id, row.requester_email),
            area=self._roster.area(row.area_code),
            customer=row.customer,
            answers=row.answers,
            needs_director=row.needs_director,
            status=Status(row.status),
            waiting_on=waiting_on,
            submitted_at=row.submitted_at,
            version=row.version,
            outcome=row.outcome,
        )


def _waiting_on_columns(person: Person | None) -> dict[str, str | None]:
    return {
        "waiting_on_aad_object_id": person.aad_object_id if person else None,
        "waiting_on_name": person.display_name if person else None,
        "waiting_on_email": person.email if person else None,
    }


def _audit_columns(request: Request, audit: AuditEntry) -> dict[str, Any]:
    return {
        "request_id": request.id,
        "actor_aad_object_id": audit.actor.aad_object_id,
        "actor_name": audit.actor.display_name,
        "actor_email": audit.actor.email,
        "at": audit.at,
        "move": audit.move.value if audit.move else None,
        "from_status": audit.from_status.value if audit.from_status else None,
        "to_status": audit.to_status.value,
        "comment": audit.comment,
    }


def _audit_entry(row: Row) -> AuditEntry:
    return AuditEntry(
        actor=Person(row.actor_name, row.actor_aad_object_id, row.actor_email),
        at=row.at,
        move=Move(row.move) if row.move else None,
        from_status=Status(row.from_status) if row.from_status else None,
        to_status=Status(row.to_status),
        comment=row.comment,
    )
