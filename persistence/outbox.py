"""The outbox table: messages written with the change that causes them, claimed under a lease.

Claiming is one conditional `UPDATE ... RETURNING` over the due rows: SQLite runs it under its
single write lock; on PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED` and an advisory
lock serialises the claimers of every instance, so the rate limits, counted from the rows
attempted in the last second, hold across instances. Every later change of a claimed row is
conditional on its claim token: a relay whose lease ran out cannot overwrite its successor.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Insert,
    Row,
    Update,
    and_,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.outbox import (
    CardMessage,
    ClaimedMessage,
    Composed,
    Delivered,
    DeliveryRecord,
    Mailed,
    Message,
    MessageKind,
    MessageState,
)
from persistence.conversation_references import PERSONAL
from persistence.database import Statements, dialect_insert
from persistence.models import CardMessageRow, ConversationReferenceRow, OutboxRow

# Any constant shared by every instance: holders claim one at a time.
_CLAIM_LOCK_ID = 7_311_946_202

_OUTBOX = OutboxRow.__table__
_EARLIER = _OUTBOX.alias("earlier")
_RECENT = _OUTBOX.alias("recent")


def _due_states(column: Any) -> Any:
    # Literals, not bound parameters: the partial index's condition must match the query's.
    return column.in_([literal_column("'pending'"), literal_column("'claimed'")])


# Nothing older for the same recipient still to go: each chat gets its messages in order,
# and one stalled chat holds back only its own.
_FIRST_FOR_RECIPIENT = ~exists().where(
    _EARLIER.c.recipient_aad_object_id == _OUTBOX.c.recipient_aad_object_id,
    _EARLIER.c.id < _OUTBOX.c.id,
    _due_states(_EARLIER.c.state),
)


def _attempts_in_window(rows: Any, *conditions: Any) -> Any:
    """How many of `rows` (meeting `conditions`) count against a rate now: every attempt under
    way, and those that ended within the last second (an attempt is stamped when it ends,
    which is after Teams received it)."""
    claimed = rows.c.state == literal_column("'claimed'")  # the partial index's condition
    under_way = select(func.count()).select_from(rows).where(*conditions, claimed)
    ended = (
        select(func.count())
        .select_from(rows)
        .where(*conditions, rows.c.attempted_at > bindparam("window_start"), ~claimed)
    )
    return under_way.scalar_subquery() + ended.scalar_subquery()


def _claim_statement(dialect: str) -> Update:
    attempted_in_window = _attempts_in_window(
        _RECENT, _RECENT.c.recipient_aad_object_id == _OUTBOX.c.recipient_aad_object_id
    )
    due = (
        select(_OUTBOX.c.id)
        .where(
            _OUTBOX.c.next_attempt_at <= bindparam("now"),
            _due_states(_OUTBOX.c.state),
            _FIRST_FOR_RECIPIENT,
            attempted_in_window < bindparam("per_conversation"),
        )
        .order_by(_OUTBOX.c.next_attempt_at)
        .limit(bindparam("limit"))
    )
    if dialect == "postgresql":
        due = due.with_for_update(skip_locked=True, of=_OUTBOX)
    return (
        update(OutboxRow)
        .where(OutboxRow.id.in_(due.scalar_subquery()))
        .values(
            state=MessageState.CLAIMED.value,
            claim_token=bindparam("token"),
            attempts=OutboxRow.attempts + 1,
            attempted_at=bindparam("now"),
            next_attempt_at=bindparam("lease_end"),
        )
        .returning(
            OutboxRow.id,
            OutboxRow.kind,
            OutboxRow.recipient_aad_object_id,
            OutboxRow.recipient_name,
            OutboxRow.request_id,
            OutboxRow.card_message_id,
            OutboxRow.dedupe_key,
            OutboxRow.payload,
            OutboxRow.attempts,
            OutboxRow.claim_token,
        )
    )


_ATTEMPTED_IN_WINDOW = select(_attempts_in_window(_RECENT))
_NEXT_DUE = select(func.min(_OUTBOX.c.next_attempt_at)).where(
    _OUTBOX.c.next_attempt_at.is_not(None), _due_states(_OUTBOX.c.state), _FIRST_FOR_RECIPIENT
)


# The statements that end an attempt, built once. Each changes the row only while it is still
# claimed with the token of this attempt: a relay whose lease ran out cannot overwrite its
# successor. An attempt is stamped when it ends (see _attempts_in_window).
_STILL_OURS = and_(
    OutboxRow.id == bindparam("p_id"),
    OutboxRow.claim_token == bindparam("p_token"),
    OutboxRow.state == MessageState.CLAIMED.value,
)
_MARK_SENT = (
    update(OutboxRow)
    .where(_STILL_OURS)
    .values(
        state=MessageState.SENT.value,
        sent_at=bindparam("p_now"),
        attempted_at=bindparam("p_now"),
        next_attempt_at=None,
        last_error=None,
    )
)
# Sent, keeping the mail as it was rendered (or recorded, in dry run) on its row.
_MARK_MAILED = _MARK_SENT.values(payload=bindparam("p_payload", type_=OutboxRow.payload.type))
_RETRY = (
    update(OutboxRow)
    .where(_STILL_OURS)
    .values(
        state=MessageState.PENDING.value,
        attempted_at=bindparam("p_now"),
        next_attempt_at=bindparam("p_at"),
        last_error=bindparam("p_error"),
    )
)
_FAIL = (
    update(OutboxRow)
    .where(_STILL_OURS)
    .values(
        state=MessageState.FAILED.value,
        attempted_at=bindparam("p_now"),
        next_attempt_at=None,
        last_error=bindparam("p_error"),
    )
)
_PERSONAL_CHATS = and_(
    ConversationReferenceRow.aad_object_id == bindparam("p_recipient"),
    ConversationReferenceRow.conversation_type == PERSONAL,
)
_STOP_SENDING = (
    update(ConversationReferenceRow)
    .where(_PERSONAL_CHATS)
    .values(unreachable_reason=bindparam("p_error"))
)
_REACHABLE = (
    select(ConversationReferenceRow.id)
    .where(_PERSONAL_CHATS, ConversationReferenceRow.unreachable_reason.is_(None))
    .exists()
)
_WAIT = (
    update(OutboxRow)
    .where(_STILL_OURS)
    .values(
        state=case((_REACHABLE, MessageState.PENDING.value), else_=MessageState.WAITING.value),
        next_attempt_at=case(
            (_REACHABLE, bindparam("p_now", type_=OutboxRow.__table__.c.next_attempt_at.type)),
            else_=None,
        ),
        attempted_at=bindparam("p_now"),
        # Not an attempt: nothing was sent.
        attempts=OutboxRow.attempts - 1,
    )
)
_CARD_POSTED = (
    update(CardMessageRow)
    .where(CardMessageRow.id == bindparam("p_card"))
    .values(
        conversation_id=bindparam("p_conversation"),
        activity_id=bindparam("p_activity"),
        service_url=bindparam("p_service_url"),
        shown_version=bindparam("p_version"),
    )
)
_CARD_SHOWS = (
    update(CardMessageRow)
    .where(
        CardMessageRow.id == bindparam("p_card"),
        CardMessageRow.shown_version < bindparam("p_version"),
    )
    .values(shown_version=bindparam("p_version"))
)


def _ours(message: ClaimedMessage) -> dict[str, Any]:
    return {"p_id": message.id, "p_token": message.claim_token}


def message_rows(messages: list[Message], now: datetime) -> list[dict[str, Any]]:
    """Outbox rows for `messages`, due now (for a repository's transaction)."""
    return [
        {
            "kind": message.kind.value,
            "recipient_aad_object_id": message.recipient.aad_object_id,
            "recipient_name": message.recipient.display_name,
            "request_id": message.request_id,
            "card_message_id": None,
            "dedupe_key": message.dedupe_key,
            "payload": {"text": message.text} if message.text else dict(message.payload),
            "state": MessageState.PENDING.value,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for message in messages
    ]


# The messages that post a request's card: each gets its card row in the transaction that
# causes it, to be filled in when it is posted, so every later move finds it to update.
_POSTS_A_CARD = frozenset({MessageKind.CARD.value, MessageKind.FTA_CARD.value})
_ADD_CARD = insert(CardMessageRow).returning(CardMessageRow.id)
POSTED_CARDS = select(
    CardMessageRow.id, CardMessageRow.request_id, CardMessageRow.recipient_aad_object_id
).where(CardMessageRow.request_id == bindparam("request_id"))


def add_messages_and_cards(
    connection: Connection, dialect: str, messages: list[Message], now: datetime
) -> None:
    """Insert the messages' outbox rows, and a card row for each that posts a card."""
    if not messages:
        return
    rows = message_rows(messages, now)
    for row in rows:
        if row["kind"] in _POSTS_A_CARD:
            row["card_message_id"] = connection.execute(
                _ADD_CARD,
                {
                    "request_id": row["request_id"],
                    "recipient_aad_object_id": row["recipient_aad_object_id"],
                    "created_at": now,
                    "shown_version": 0,
                },
            ).scalar_one()
    connection.execute(add_messages(dialect), rows)


CARD_MESSAGE_COLUMNS = (
    CardMessageRow.id,
    CardMessageRow.request_id,
    CardMessageRow.recipient_aad_object_id,
    CardMessageRow.conversation_id,
    CardMessageRow.activity_id,
    CardMessageRow.service_url,
    CardMessageRow.created_at,
    CardMessageRow.shown_version,
)


async def record_card(
    statements: Statements,
    dialect: str,
    request_id: str,
    recipient_aad_object_id: str,
    conversation_id: str,
    activity_id: str,
    service_url: str,
    shown_version: int,
) -> None:
    """Remember where a card was posted (e.g. shown again in a reply), to update it with the
    others; recording the same message again is a no-op."""
    statement = (
        dialect_insert(dialect, CardMessageRow)
        .values(
            request_id=request_id,
            recipient_aad_object_id=recipient_aad_object_id,
            conversation_id=conversation_id,
            activity_id=activity_id,
            service_url=service_url,
            created_at=datetime.now(UTC),
            shown_version=shown_version,
        )
        .on_conflict_do_nothing(
            index_elements=["request_id", "recipient_aad_object_id", "activity_id"]
        )
    )
    await statements.write(statement)


async def card_message(statements: Statements, card_message_id: int) -> CardMessage | None:
    query = select(*CARD_MESSAGE_COLUMNS).where(CardMessageRow.id == card_message_id)
    rows = await statements.read(query)
    return CardMessage(**rows[0]._mapping) if rows else None


def card_update_rows(
    cards: Sequence[Row], version: int, now: datetime, kind: MessageKind
) -> list[dict[str, Any]]:
    """An update of each of `cards` (rows of POSTED_CARDS) to the request's `version`."""
    return [
        {
            "kind": kind.value,
            "recipient_aad_object_id": card.recipient_aad_object_id,
            "recipient_name": "",
            "request_id": card.request_id,
            "card_message_id": card.id,
            "dedupe_key": f"card_update:{card.id}:{version}",
            "payload": {},
            "state": MessageState.PENDING.value,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for card in cards
    ]


@functools.cache  # built once per dialect: SQLAlchemy then reuses its compiled form
def add_messages(dialect: str) -> Insert:
    """Insert outbox rows; a dedupe key already there (a retried call) adds nothing."""
    return dialect_insert(dialect, OutboxRow).on_conflict_do_nothing(index_elements=["dedupe_key"])


class OutboxRepository:
    def __init__(self, engine: AsyncEngine, statements: Statements | None = None) -> None:
        self._engine = engine
        self._dialect = engine.dialect.name
        self._statements = statements or Statements(engine)
        self._claim = _claim_statement(self._dialect)

    async def claim(
        self,
        *,
        limit: int,
        lease: timedelta,
        token: str,
        per_conversation: int,
        per_tenant: int,
    ) -> list[ClaimedMessage]:
        """Up to `limit` due messages, each the oldest due for its recipient, within the rates
        (counted from the messages attempted in the last second, by every instance)."""

        def claim(connection: Connection) -> Sequence[Row]:
            if self._dialect == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:lock_id)"), {"lock_id": _CLAIM_LOCK_ID}
                )
            # Read once the lock is held: the window must end when these claims are made.
            now = datetime.now(UTC)
            window_start = now - timedelta(seconds=1)
            attempted = connection.execute(
                _ATTEMPTED_IN_WINDOW, {"window_start": window_start}
            ).scalar_one()
            budget = min(limit, per_tenant - attempted)
            if budget <= 0:
                return []
            parameters = {
                "now": now,
                "window_start": window_start,
                "per_conversation": per_conversation,
                "token": token,
                "lease_end": now + lease,
                "limit": budget,
            }
            return connection.execute(self._claim, parameters).all()

        rows = await self._statements.transaction(claim)
        return sorted(
            (
                ClaimedMessage(
                    id=row.id,
                    kind=MessageKind(row.kind),
                    recipient_aad_object_id=row.recipient_aad_object_id,
                    recipient_name=row.recipient_name,
                    request_id=row.request_id,
                    card_message_id=row.card_message_id,
                    dedupe_key=row.dedupe_key,
                    payload=row.payload,
                    attempts=row.attempts,
                    claim_token=row.claim_token,
                )
                for row in rows
            ),
            key=lambda message: message.id,
        )

    async def sent(
        self,
        message: ClaimedMessage,
        now: datetime,
        composed: Composed | None,
        delivered: Delivered | None,
        mailed: Mailed | None = None,
    ) -> bool:
        """`mailed`: the mail as Graph got it (or dry-run recorded it), kept on the row."""
        ours = _ours(message)
        mark = {**ours, "p_now": now}
        if mailed is not None:
            payload = {**message.payload, "mail": mailed.rendered, "dry_run": mailed.dry_run}
            return (
                await self._statements.write(_MARK_MAILED, {**mark, "p_payload": payload})
            ).rowcount == 1
        posted: dict[str, Any] | None = None
        if composed is not None and delivered is not None and message.request_id:
            if composed.update is not None:
                posted = {"p_card": composed.update.id, "p_version": composed.version}
            elif message.kind in (MessageKind.CARD, MessageKind.FTA_CARD):
                posted = {
                    "p_card": message.card_message_id,
                    "p_conversation": delivered.conversation_id,
                    "p_activity": delivered.activity_id,
                    "p_service_url": delivered.service_url,
                    "p_version": composed.version,
                }
        if posted is None:  # one statement: no transaction needed
            return (await self._statements.write(_MARK_SENT, mark)).rowcount == 1

        def record(connection: Connection) -> bool:
            # Where a delivered card now is (and what it shows) is kept even when another
            # relay took the message over meanwhile: that card exists in the chat.
            if "p_activity" not in posted:
                connection.execute(_CARD_SHOWS, posted)
            elif posted["p_card"] is not None:
                connection.execute(_CARD_POSTED, posted)
            else:  # a card queued before its card row was written with it (0004, 0009)
                connection.execute(
                    insert(CardMessageRow).values(
                        request_id=message.request_id,
                        recipient_aad_object_id=message.recipient_aad_object_id,
                        conversation_id=posted["p_conversation"],
                        activity_id=posted["p_activity"],
                        service_url=posted["p_service_url"],
                        shown_version=posted["p_version"],
                        created_at=now,
                    )
                )
            return connection.execute(_MARK_SENT, mark).rowcount == 1

        return await self._statements.transaction(record)

    async def retry(self, message: ClaimedMessage, at: datetime, error: str) -> bool:
        parameters = {**_ours(message), "p_now": datetime.now(UTC), "p_at": at, "p_error": error}
        return (await self._statements.write(_RETRY, parameters)).rowcount == 1

    async def wait(self, message: ClaimedMessage) -> bool:
        """No chat to deliver in: wait for the person to write to the bot. Checked in the same
        statement, so a chat saved meanwhile (whose wake-up found nothing waiting yet) makes
        the message due at once instead."""
        parameters = {
            **_ours(message),
            "p_now": datetime.now(UTC),
            "p_recipient": message.recipient_aad_object_id,
        }
        return (await self._statements.write(_WAIT, parameters)).rowcount == 1

    async def fail(self, message: ClaimedMessage, error: str, *, unreachable: bool) -> bool:
        parameters = {
            **_ours(message),
            "p_now": datetime.now(UTC),
            "p_error": error,
            "p_recipient": message.recipient_aad_object_id,
        }
        if not unreachable:
            return (await self._statements.write(_FAIL, parameters)).rowcount == 1

        def record(connection: Connection) -> bool:
            connection.execute(_STOP_SENDING, parameters)
            return connection.execute(_FAIL, parameters).rowcount == 1

        return await self._statements.transaction(record)

    async def wake_recipient(self, aad_object_id: str, now: datetime) -> int:
        """The person wrote to the bot: their chats take messages again, and what waited for
        them is due now. Returns how many messages were waiting."""
        reachable = (
            update(ConversationReferenceRow)
            .where(
                ConversationReferenceRow.aad_object_id == aad_object_id,
                ConversationReferenceRow.unreachable_reason.is_not(None),
            )
            .values(unreachable_reason=None)
        )
        due = (
            update(OutboxRow)
            .where(
                OutboxRow.recipient_aad_object_id == aad_object_id,
                OutboxRow.state == literal_column("'waiting'"),  # the partial index's condition
            )
            .values(state=MessageState.PENDING.value, next_attempt_at=now)
        )

        def wake(connection: Connection) -> int:
            connection.execute(reachable)
            return int(connection.execute(due).rowcount)

        return await self._statements.transaction(wake)

    async def next_due(self) -> datetime | None:
        rows = await self._statements.read(_NEXT_DUE)
        due = rows[0][0] if rows else None
        if due is not None and due.tzinfo is None:  # SQLite's min() loses the column type
            due = due.replace(tzinfo=UTC)
        return due

    async def deliveries(self, request_ids: list[str]) -> list[DeliveryRecord]:
        if not request_ids:
            return []
        rows = await self._statements.read(
            select(
                OutboxRow.request_id,
                OutboxRow.kind,
                OutboxRow.recipient_aad_object_id,
                OutboxRow.recipient_name,
                OutboxRow.state,
                OutboxRow.last_error,
                OutboxRow.payload,
            )
            .where(OutboxRow.request_id.in_(request_ids))
            .order_by(OutboxRow.id)
        )
        return [
            DeliveryRecord(
                request_id=row.request_id,
                kind=MessageKind(row.kind),
                recipient_aad_object_id=row.recipient_aad_object_id,
                recipient_name=row.recipient_name,
                state=MessageState(row.state),
                last_error=row.last_error,
                dry_run=bool(row.payload.get("dry_run")),
            )
            for row in rows
        ]

    async def add(self, messages: list[Message], now: datetime) -> None:
        """Messages caused by nothing else written (e.g. tests, tools)."""
        if messages:
            await self._statements.write(add_messages(self._dialect), message_rows(messages, now))
