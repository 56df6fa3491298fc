"""Requests, their audit trail and deadlines, where their cards were posted; each submission
or move is written in one transaction with the outbox messages it causes.

Every race (two approvers deciding at once, two replicas allocating an id) is decided by the
database in a single statement or a conditional update, never by reading and then writing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Insert,
    Row,
    Select,
    String,
    and_,
    bindparam,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.deadlines import Deadline, DeadlineKind, DeadlineState
from domain.out_of_office import Absence
from domain.outbox import CardMessage, Message, MessageKind, MessageState
from domain.requests import AuditEntry, Move, Request, RequestKind, Status
from domain.roster import Person, Roster
from persistence.database import Statements, dialect_insert
from persistence.deadlines import (
    PENDING_STATES,
    add_deadlines,
    close_deadlines,
    deadline_rows,
)
from persistence.models import (
    AuditEntryRow,
    CardMessageRow,
    DeadlineRow,
    OutboxRow,
    RequestCounter,
    RequestRow,
)
from persistence.outbox import (
    CARD_MESSAGE_COLUMNS,
    POSTED_CARDS,
    add_messages,
    add_messages_and_cards,
    card_message,
    card_update_rows,
    message_rows,
    record_card,
)

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


# The outbox columns a service's messages and the card updates of a move fill in.
_OUTBOX_COLUMNS = [
    "kind",
    "recipient_aad_object_id",
    "recipient_name",
    "request_id",
    "card_message_id",
    "dedupe_key",
    "payload",
    "state",
    "attempts",
    "next_attempt_at",
    "created_at",
]


@functools.cache
def _move_and_trail_in_one_statement(
    kinds: tuple[MessageKind, ...], closes: tuple[DeadlineKind, ...] = (), opens: int = 0
) -> Select:
    """PostgreSQL: the conditional update, its audit entry, its outbox messages (one update
    per card of the request, and one per kind in `kinds`), the deadlines it closes (of the
    kinds in `closes`) and opens (`opens` of them) and the request's audit trail in one
    statement, so a decision costs one round trip instead of seven (BEGIN, UPDATE, three
    INSERTs, COMMIT, SELECT). A single statement is atomic; when the version no longer
    matches, nothing is inserted and no row comes back."""
    audit = AuditEntryRow.__table__
    outbox = OutboxRow.__table__
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
    now = bindparam("now", type_=outbox.c.created_at.type)
    cards = CardMessageRow.__table__
    card_updates = (
        insert(OutboxRow)
        .from_select(
            _OUTBOX_COLUMNS,
            select(
                literal(MessageKind.CARD_UPDATE.value),
                cards.c.recipient_aad_object_id,
                literal(""),
                cards.c.request_id,
                cards.c.id,
                func.concat(
                    "card_update:", cards.c.id, ":", bindparam("card_version", type_=String)
                ),
                literal({}, type_=JSON),
                literal(MessageState.PENDING.value),
                literal(0),
                now,
                now,
            ).select_from(cards.join(moved, cards.c.request_id == moved.c.id)),
        )
        .cte("card_updates")
    )
    ctes = [card_updates]
    rows = []
    for number, kind in enumerate(kinds):
        values: dict[str, Any] = {
            name: bindparam(f"m{number}_{name}", type_=outbox.c[name].type)
            for name in _OUTBOX_COLUMNS
        }
        if kind is MessageKind.CARD:
            # The card's row, to be filled in when it is posted.
            card = (
                insert(CardMessageRow)
                .from_select(
                    ["request_id", "recipient_aad_object_id", "created_at", "shown_version"],
                    select(moved.c.id, values["recipient_aad_object_id"], now, literal(0)),
                )
                .returning(CardMessageRow.id)
                .cte(f"card_{number}")
            )
            values["card_message_id"] = card.c.id
            rows.append(select(*values.values()).select_from(card))
        else:
            rows.append(select(*values.values()).where(select(moved.c.id).exists()))
    if rows:
        ctes.append(
            insert(OutboxRow)
            .from_select(_OUTBOX_COLUMNS, union_all(*rows) if len(rows) > 1 else rows[0])
            .cte("messages")
        )
    if closes:
        # Textual: an UPDATE construct would also SET every column named like a parameter of
        # the statement (request_id). All parts of the statement see the rows as they were
        # before it: a deadline opened below is not closed here even when of a kind closed.
        closed_kinds = ", ".join(f"'{kind.value}'" for kind in closes)  # enum values
        pending = ", ".join(f"'{state}'" for state in PENDING_STATES)
        ctes.append(
            text(
                f"UPDATE deadlines SET state = '{DeadlineState.CLOSED.value}', remind_at = NULL,"
                f" updated_at = :now WHERE request_id IN (SELECT id FROM moved)"
                f" AND kind IN ({closed_kinds}) AND state IN ({pending}) RETURNING deadlines.id"
            )
            .bindparams(bindparam("now", type_=DeadlineRow.__table__.c.updated_at.type))
            .columns(DeadlineRow.__table__.c.id)
            .cte("closed_deadlines")
        )
    if opens:
        columns = [column for column in DeadlineRow.__table__.c if column.name != "id"]
        opened = [
            select(
                *(bindparam(f"d{number}_{column.name}", type_=column.type) for column in columns)
            ).where(select(moved.c.id).exists())
            for number in range(opens)
        ]
        ctes.append(
            insert(DeadlineRow)
            .from_select(
                [column.name for column in columns],
                union_all(*opened) if len(opened) > 1 else opened[0],
            )
            .cte("opened_deadlines")
        )
    # The main query's snapshot does not see the row inserted by `added`: it joins in below.
    earlier = select(*audit.c).where(
        audit.c.request_id == bindparam("request_id"), select(moved.c.id).exists()
    )
    trail = union_all(earlier, select(*added.c)).subquery()
    return select(*trail.c).order_by(trail.c.id).add_cte(*ctes)


_BY_SUBMISSION_KEY = select(RequestRow.__table__).where(
    RequestRow.submission_key == bindparam("submission_key")
)
# Builds a submission once its request id is known: the request, its audit entry, its
# deadlines and the messages it causes.
BuildSubmission = Callable[[str], tuple[Request, AuditEntry, Sequence[Deadline], Sequence[Message]]]


class _AlreadySubmitted(Exception):
    """The submission key is taken: the transaction is rolled back."""


class RequestRepository:
    def __init__(
        self,
        engine: AsyncEngine,
        roster: Roster,
        statements: Statements | None = None,
        *,
        kinds: Iterable[RequestKind],
    ):
        """`kinds`: every kind of request stored, to read them back by name."""
        self._kinds = {kind.name: kind for kind in kinds}
        # What waits on a person: a decision, or the requester's answer to a question, in the
        # statuses each kind's workflow says.
        self._awaiting = or_(
            *(
                and_(
                    RequestRow.kind == kind.name,
                    RequestRow.status.in_(sorted(s.value for s in kind.workflow.awaiting)),
                )
                for kind in self._kinds.values()
            )
        )
        self._engine = engine
        self._dialect = engine.dialect.name
        self._statements = statements or Statements(engine)
        # Requests store only the area code; the area's people come from the current roster.
        self._roster = roster

    async def next_request_id(self, kind: RequestKind) -> str:
        """A new id such as "NSD-0001": numbered per kind, never handed out twice."""
        [(number,)] = (await self._statements.write(self._next_number(kind))).rows
        return f"{kind.prefix}-{number:04d}"

    def _next_number(self, kind: RequestKind) -> Insert:
        # One upsert statement: the database serialises concurrent callers on the counter row,
        # including the very first ones, which would otherwise both try to insert it.
        upsert = dialect_insert(self._dialect, RequestCounter).values(kind=kind.name, last_number=1)
        return upsert.on_conflict_do_update(
            index_elements=[RequestCounter.kind],
            set_={"last_number": RequestCounter.last_number + 1},
        ).returning(RequestCounter.last_number)

    async def submit(
        self, kind: RequestKind, build: BuildSubmission, submission_key: str
    ) -> Request | None:
        """Number a new request, `build(request_id)` it and store it with its audit entry,
        deadlines and messages, in one transaction; None (nothing written, no number used)
        when a request with this submission key exists already. Concurrent submissions of one
        kind queue on the counter row until the first commits."""

        def submit(connection: Connection) -> Request:
            [(number,)] = connection.execute(self._next_number(kind)).all()
            request, audit, deadlines, messages = build(f"{kind.prefix}-{number:04d}")
            self._insert(connection, request, audit, deadlines, messages, submission_key)
            return request

        try:
            return await self._statements.transaction(submit)
        except _AlreadySubmitted:
            return None

    async def add(
        self,
        request: Request,
        audit: AuditEntry,
        *,
        deadlines: Sequence[Deadline] = (),
        messages: Sequence[Message] = (),
        submission_key: str | None = None,
    ) -> bool:
        """Store a newly submitted request with its submission audit entry, its deadlines and
        the messages it causes, in one transaction. False (nothing written) when a request
        with this submission key exists already."""
        try:
            await self._statements.transaction(
                lambda connection: self._insert(
                    connection, request, audit, deadlines, messages, submission_key
                )
            )
        except _AlreadySubmitted:
            return False
        return True

    def _insert(
        self,
        connection: Connection,
        request: Request,
        audit: AuditEntry,
        deadlines: Sequence[Deadline],
        messages: Sequence[Message],
        submission_key: str | None,
    ) -> None:
        add_request = (
            dialect_insert(self._dialect, RequestRow)
            .values(
                id=request.id,
                kind=request.kind.name,
                status=request.status.value,
                version=request.version,
                requester_aad_object_id=request.requester.aad_object_id,
                requester_name=request.requester.display_name,
                requester_email=request.requester.email,
                area_code=request.area.code,
                customer=request.customer,
                answers=request.answers,
                passed_over=[_absence_columns(a) for a in request.passed_over],
                needs_director=request.needs_director,
                outcome=request.outcome,
                submitted_at=request.submitted_at,
                updated_at=audit.at,
                submission_key=submission_key,
                **_waiting_on_columns(request.waiting_on),
            )
            .on_conflict_do_nothing(index_elements=["submission_key"])
        )
        if connection.execute(add_request).rowcount != 1:
            raise _AlreadySubmitted
        connection.execute(insert(AuditEntryRow).values(_audit_columns(request, audit)))
        self._add_consequences(connection, deadlines, messages, audit.at)

    async def by_submission_key(self, submission_key: str) -> Request | None:
        requests = await self._fetch(_BY_SUBMISSION_KEY, {"submission_key": submission_key})
        return requests[0] if requests else None

    async def get(self, request_id: str) -> Request | None:
        requests = await self._fetch(_GET, {"id": request_id})
        return requests[0] if requests else None

    async def save_move(
        self,
        updated: Request,
        audit: AuditEntry,
        expected_version: int,
        *,
        deadlines: Sequence[Deadline] = (),
        closes: Collection[DeadlineKind] = (),
        messages: Sequence[Message] = (),
    ) -> list[AuditEntry] | None:
        """Store `updated`, its audit entry, the deadlines it opens and closes and its messages
        (plus an update of every posted card of the request) if the stored request is still at
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
        if self._dialect == "postgresql":
            parameters |= {"now": audit.at, "card_version": str(updated.version)}
            for number, row in enumerate(message_rows(list(messages), audit.at)):
                parameters |= {f"m{number}_{name}": value for name, value in row.items()}
            for number, row in enumerate(deadline_rows(deadlines, audit.at)):
                parameters |= {f"d{number}_{name}": value for name, value in row.items()}
            statement = _move_and_trail_in_one_statement(
                tuple(m.kind for m in messages),
                tuple(sorted(closes)),
                len(deadlines),
            )
            rows: Sequence[Row] = (await self._statements.write(statement, parameters)).rows
        else:

            def write(connection: Connection) -> Sequence[Row[Any]]:
                # The version check is in the WHERE clause, so of concurrent moves based on
                # the same version exactly one matches the row.
                if connection.execute(_MOVE, parameters).rowcount != 1:
                    return []
                connection.execute(_ADD_AUDIT, parameters)
                cards = connection.execute(POSTED_CARDS, parameters).all()
                updates = card_update_rows(
                    cards, updated.version, audit.at, MessageKind.CARD_UPDATE
                )
                if updates:
                    connection.execute(add_messages(self._dialect), updates)
                close_deadlines(connection, updated.id, closes, audit.at)
                self._add_consequences(connection, deadlines, messages, audit.at)
                return connection.execute(_AUDIT_TRAIL, parameters).all()

            rows = await self._statements.transaction(write)
        return [_audit_entry(row) for row in rows] or None

    def _add_consequences(
        self,
        connection: Connection,
        deadlines: Sequence[Deadline],
        messages: Sequence[Message],
        now: datetime,
    ) -> None:
        add_deadlines(connection, deadlines, now)
        add_messages_and_cards(connection, self._dialect, list(messages), now)

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
        """Requests awaiting this person's decision or answer, oldest first."""
        return await self._fetch(
            select(RequestRow.__table__)
            .where(
                RequestRow.waiting_on_aad_object_id == aad_object_id,
                self._awaiting,
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
        shown_version: int,
    ) -> None:
        """Remember where a card was posted; recording the same message again is a no-op."""
        await record_card(
            self._statements,
            self._dialect,
            request_id,
            recipient_aad_object_id,
            conversation_id,
            activity_id,
            service_url,
            shown_version,
        )

    async def cards_for(self, request_id: str) -> list[CardMessage]:
        """The request's posted cards, in the order they were recorded."""
        query = (
            select(*CARD_MESSAGE_COLUMNS)
            .where(CardMessageRow.request_id == request_id, CardMessageRow.activity_id.is_not(None))
            .order_by(CardMessageRow.created_at, CardMessageRow.id)
        )
        return [CardMessage(**row._mapping) for row in await self._statements.read(query)]

    async def shown_in(
        self, conversation_id: str, recipient_aad_object_id: str, *, personal: bool
    ) -> set[str]:
        """The requests whose card this person was sent in this conversation; in their
        personal chat, also the cards still on their way there."""
        posted_here = CardMessageRow.conversation_id == conversation_id
        query = select(CardMessageRow.request_id).where(
            or_(posted_here, CardMessageRow.conversation_id.is_(None)) if personal else posted_here,
            CardMessageRow.recipient_aad_object_id == recipient_aad_object_id,
        )
        return {row.request_id for row in await self._statements.read(query)}

    async def card_message(self, card_message_id: int) -> CardMessage | None:
        return await card_message(self._statements, card_message_id)

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
            kind=self._kinds[row.kind],
            requester=Person(row.requester_name, row.requester_aad_object_id, row.requester_email),
            area=self._roster.area(row.area_code),
            customer=row.customer,
            answers=row.answers,
            passed_over=tuple(_absence(item) for item in row.passed_over),
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


def _absence_columns(absence: Absence) -> dict[str, str | None]:
    return {
        "name": absence.person.display_name,
        "aad_object_id": absence.person.aad_object_id,
        "email": absence.person.email,
        "until": absence.until.isoformat() if absence.until else None,
    }


def _absence(item: dict[str, Any]) -> Absence:
    until = datetime.fromisoformat(item["until"]) if item["until"] else None
    return Absence(Person(item["name"], item["aad_object_id"], item["email"]), until)


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
