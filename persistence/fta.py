"""FTA requests and the FTAs' loads. A submission is one transaction: the request, its
assignment (the chosen FTA's load raised only if it is still the one read), its deadline and
its messages; so is each move, with an update of every posted copy of the request's card."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.dml import ReturningInsert

from domain.deadlines import Deadline, DeadlineChange
from domain.fta_assignment import (
    ASSIGNMENT,
    FtaLoad,
    FtaRequest,
    FtaRequestType,
    FtaStatus,
    HandBack,
)
from domain.outbox import CardMessage, Message, MessageKind
from domain.roster import Area, Person, Roster
from persistence.database import Statements, dialect_insert
from persistence.deadlines import add_deadlines, close_deadlines
from persistence.models import FtaLoadRow, FtaRequestRow, RequestCounter
from persistence.outbox import (
    POSTED_CARDS,
    add_messages,
    add_messages_and_cards,
    card_message,
    card_update_rows,
    record_card,
)

PREFIX = "FTA"
# A load or version that moved between reading and writing it: read again. More than a few in
# a row would mean a storm of assignments in one area; the last attempt's error is raised.
_ATTEMPTS = 5

# Builds the request once its id and the area's FTA loads are known: the request, the
# messages it causes and the deadlines it opens.
BuildFtaRequest = Callable[
    [str, Sequence[FtaLoad]], tuple[FtaRequest, Sequence[Message], Sequence[Deadline]]
]
# A move on a stored request, given the area's loads read in the move's transaction: the
# request after it, the messages it causes and what it does to the request's deadlines.
MoveFtaRequest = Callable[
    [FtaRequest, Sequence[FtaLoad]], tuple[FtaRequest, Sequence[Message], DeadlineChange]
]


class Stale(Exception):
    """What the transaction read (a load, the request's version) changed before it wrote:
    it is rolled back and done again."""


class _AlreadySubmitted(Exception):
    pass


class FtaRepository:
    def __init__(self, engine: AsyncEngine, roster: Roster, statements: Statements | None = None):
        self._dialect = engine.dialect.name
        self._statements = statements or Statements(engine)
        self._roster = roster

    async def submit(
        self, area: Area, build: BuildFtaRequest, submission_key: str, at: datetime
    ) -> FtaRequest:
        """Number, place and store a request, in one transaction; the request already stored
        under `submission_key` when there is one."""

        def submit(connection: Connection) -> FtaRequest:
            [(number,)] = connection.execute(self._next_number()).all()
            loads = self._loads(connection, area)
            request, messages, deadlines = build(f"{PREFIX}-{number:04d}", loads)
            self._insert(connection, request, submission_key, at)
            add_deadlines(connection, deadlines, at)
            if request.fta is not None:
                chosen = request.fta.aad_object_id
                read = next(load for load in loads if load.fta.aad_object_id == chosen)
                self._raise_load(connection, read, at)
            add_messages_and_cards(connection, self._dialect, list(messages), at)
            return request

        for attempt in range(_ATTEMPTS):
            try:
                return await self._statements.transaction(submit)
            except _AlreadySubmitted:
                break
            except Stale:
                if attempt == _ATTEMPTS - 1:
                    raise
        existing = await self.by_submission_key(submission_key)
        assert existing is not None  # the key is taken by a committed request
        return existing

    async def move(self, request_id: str, change: MoveFtaRequest, at: datetime) -> FtaRequest:
        """Read the request and its area's loads, `change` it and save it with its messages,
        in one transaction: saved only if the request is still at the version read (two
        clicks on Accept decide once), the FTA who lets it go loses an open assignment and
        the one it goes to gains one if their load is still the one read. `change` raises to
        refuse the move (nothing is written)."""

        def move(connection: Connection) -> FtaRequest:
            rows = connection.execute(
                select(FtaRequestRow).where(FtaRequestRow.id == request_id)
            ).all()
            if not rows:
                raise KeyError(request_id)
            before = self._request(rows[0])
            loads = self._loads(connection, before.area)
            after, messages, deadlines = change(before, loads)
            saved = connection.execute(
                update(FtaRequestRow)
                .where(FtaRequestRow.id == request_id, FtaRequestRow.version == before.version)
                .values(
                    status=after.status.value,
                    version=after.version,
                    passed_over=list(after.passed_over),
                    fta_aad_object_id=after.fta.aad_object_id if after.fta else None,
                    fta_name=after.fta.display_name if after.fta else None,
                    hand_backs=[_hand_back_columns(h) for h in after.hand_backs],
                )
            )
            if saved.rowcount != 1:
                raise Stale(request_id)
            close_deadlines(connection, request_id, deadlines.closes, at)
            add_deadlines(connection, deadlines.opens, at)
            if before.fta is not None and before.fta != after.fta:
                connection.execute(
                    update(FtaLoadRow)
                    .where(FtaLoadRow.fta_aad_object_id == before.fta.aad_object_id)
                    .values(open_assignments=FtaLoadRow.open_assignments - 1)
                )
            if after.fta is not None and before.fta != after.fta:
                chosen = after.fta.aad_object_id
                read = next(load for load in loads if load.fta.aad_object_id == chosen)
                self._raise_load(connection, read, at)
            # Every copy of the request's card posted so far shows the request as it now is
            # (the buttons gone once it no longer waits on that copy's reader).
            cards = connection.execute(POSTED_CARDS, {"request_id": request_id}).all()
            updates = card_update_rows(cards, after.version, at, MessageKind.FTA_CARD_UPDATE)
            if updates:
                connection.execute(add_messages(self._dialect), updates)
            add_messages_and_cards(connection, self._dialect, list(messages), at)
            return after

        for _ in range(_ATTEMPTS - 1):
            try:
                return await self._statements.transaction(move)
            except Stale:
                continue
        return await self._statements.transaction(move)

    async def by_submission_key(self, submission_key: str) -> FtaRequest | None:
        rows = await self._statements.read(
            select(FtaRequestRow).where(FtaRequestRow.submission_key == submission_key)
        )
        return self._request(rows[0]) if rows else None

    async def get(self, request_id: str) -> FtaRequest | None:
        rows = await self._statements.read(
            select(FtaRequestRow).where(FtaRequestRow.id == request_id)
        )
        return self._request(rows[0]) if rows else None

    async def requested_by(self, aad_object_id: str) -> list[FtaRequest]:
        """The requests a person raised, newest first."""
        rows = await self._statements.read(
            select(FtaRequestRow)
            .where(FtaRequestRow.requester_aad_object_id == aad_object_id)
            .order_by(FtaRequestRow.submitted_at.desc(), FtaRequestRow.id.desc())
        )
        return [self._request(row) for row in rows]

    async def waiting_on(self, fta_aad_object_id: str) -> list[FtaRequest]:
        """The assignments a person has not accepted yet, oldest first."""
        rows = await self._statements.read(
            select(FtaRequestRow)
            .where(
                FtaRequestRow.fta_aad_object_id == fta_aad_object_id,
                FtaRequestRow.status.in_([status.value for status in ASSIGNMENT.offered]),
            )
            .order_by(FtaRequestRow.submitted_at, FtaRequestRow.id)
        )
        return [self._request(row) for row in rows]

    async def record_card(
        self,
        request_id: str,
        recipient_aad_object_id: str,
        conversation_id: str,
        activity_id: str,
        service_url: str,
        shown_version: int,
    ) -> None:
        """Remember where a copy of a request's card was posted (e.g. by `my approvals`):
        each later move updates it with the others."""
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

    async def card_message(self, card_message_id: int) -> CardMessage | None:
        return await card_message(self._statements, card_message_id)

    async def loads(self, area: Area) -> list[FtaLoad]:
        return await self._statements.transaction(lambda c: self._loads(c, area))

    def _next_number(self) -> ReturningInsert[tuple[int]]:
        upsert = dialect_insert(self._dialect, RequestCounter).values(kind="fta", last_number=1)
        return upsert.on_conflict_do_update(
            index_elements=[RequestCounter.kind],
            set_={"last_number": RequestCounter.last_number + 1},
        ).returning(RequestCounter.last_number)

    def _loads(self, connection: Connection, area: Area) -> list[FtaLoad]:
        ids = [fta.person.aad_object_id for fta in area.ftas]
        rows = {
            row.fta_aad_object_id: row
            for row in connection.execute(
                select(FtaLoadRow).where(FtaLoadRow.fta_aad_object_id.in_(ids))
            ).all()
        }
        loads = []
        for fta in area.ftas:
            row = rows.get(fta.person.aad_object_id)
            loads.append(
                FtaLoad(
                    fta.person,
                    row.open_assignments if row else 0,
                    row.last_assigned_at if row else None,
                    fta.away,
                )
            )
        return loads

    def _raise_load(self, connection: Connection, load: FtaLoad, at: datetime) -> None:
        """One more open assignment for the FTA, only if their count is still the one the
        balancer read."""
        fta, read = load.fta, load.open_assignments
        if read == 0:
            first = (
                dialect_insert(self._dialect, FtaLoadRow)
                .values(
                    fta_aad_object_id=fta.aad_object_id, open_assignments=1, last_assigned_at=at
                )
                .on_conflict_do_nothing(index_elements=["fta_aad_object_id"])
            )
            if connection.execute(first).rowcount == 1:
                return
        raised = connection.execute(
            update(FtaLoadRow)
            .where(
                FtaLoadRow.fta_aad_object_id == fta.aad_object_id,
                FtaLoadRow.open_assignments == read,
            )
            .values(open_assignments=read + 1, last_assigned_at=at)
        )
        if raised.rowcount != 1:
            raise Stale(fta.aad_object_id)

    def _insert(
        self, connection: Connection, request: FtaRequest, submission_key: str, at: datetime
    ) -> None:
        add = (
            dialect_insert(self._dialect, FtaRequestRow)
            .values(
                id=request.id,
                request_type=request.request_type.value,
                route=request.request_type.route.value,
                status=request.status.value,
                requester_aad_object_id=request.requester.aad_object_id,
                requester_name=request.requester.display_name,
                area_code=request.area.code,
                customer=request.customer,
                answers=dict(request.answers),
                fta_aad_object_id=request.fta.aad_object_id if request.fta else None,
                fta_name=request.fta.display_name if request.fta else None,
                version=request.version,
                passed_over=list(request.passed_over),
                hand_backs=[_hand_back_columns(h) for h in request.hand_backs],
                submitted_at=at,
                submission_key=submission_key,
            )
            .on_conflict_do_nothing(index_elements=["submission_key"])
        )
        if connection.execute(add).rowcount != 1:
            raise _AlreadySubmitted

    def _request(self, row: Row[Any]) -> FtaRequest:
        area = self._roster.area(row.area_code)
        fta = _fta(area, row.fta_name or "", row.fta_aad_object_id or "")
        return FtaRequest(
            id=row.id,
            request_type=FtaRequestType(row.request_type),
            customer=row.customer,
            area=area,
            requester=Person(row.requester_name, row.requester_aad_object_id, ""),
            answers=row.answers,
            status=FtaStatus(row.status),
            fta=fta if row.fta_aad_object_id else None,
            version=row.version,
            passed_over=tuple(row.passed_over),
            hand_backs=tuple(_hand_back(area, columns) for columns in row.hand_backs),
        )


def _fta(area: Area, name: str, aad_object_id: str) -> Person:
    """The FTA as the roster knows them now (their email for mail); as stored if they left."""
    return next(
        (f.person for f in area.ftas if f.person.aad_object_id == aad_object_id),
        Person(name, aad_object_id, ""),
    )


def _hand_back_columns(hand_back: HandBack) -> dict[str, Any]:
    to = hand_back.to
    return {
        "by": [hand_back.by.display_name, hand_back.by.aad_object_id],
        "at": hand_back.at.isoformat(),
        "reason": hand_back.reason,
        "to": [to.display_name, to.aad_object_id] if to else None,
    }


def _hand_back(area: Area, columns: dict[str, Any]) -> HandBack:
    to = columns["to"]
    return HandBack(
        by=_fta(area, *columns["by"]),
        at=datetime.fromisoformat(columns["at"]),
        reason=columns["reason"],
        to=_fta(area, *to) if to else None,
    )
