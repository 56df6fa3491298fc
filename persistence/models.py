"""Database tables. Every schema change also needs a migration in `migrations/versions/`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class Base(DeclarativeBase):
    # Named constraints, so migrations (and SQLite batch mode) can refer to them by name.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out; SQLite would otherwise hand back naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class StateDocument(Base):
    """One Bot Framework state item (conversation, user, ...) with its eTag."""

    __tablename__ = "state_documents"

    key: Mapped[str] = mapped_column(String(1024), primary_key=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    etag: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ConversationReferenceRow(Base):
    """Where the bot can reach a person proactively."""

    __tablename__ = "conversation_references"
    __table_args__ = (UniqueConstraint("conversation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(512))
    # Bot Framework user id, e.g. "29:1abc...".
    user_id: Mapped[str] = mapped_column(String(512), index=True)
    aad_object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    service_url: Mapped[str] = mapped_column(Text)
    channel_id: Mapped[str] = mapped_column(String(64))
    # "personal", "channel" or "groupChat".
    conversation_type: Mapped[str | None] = mapped_column(String(32))
    bot_id: Mapped[str] = mapped_column(String(512))
    # The whole serialized ConversationReference, as sent to continue_conversation.
    reference: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Why Teams refused a message here (e.g. "403 ConversationBlockedByUser"): nothing more is
    # sent to this chat until the person writes to the bot again, which clears it.
    unreachable_reason: Mapped[str | None] = mapped_column(Text)


class RequestRow(Base):
    """A request's current state; its history is in `audit_entries`."""

    __tablename__ = "requests"
    __table_args__ = (
        # "What waits on me": the approver's open requests.
        Index("ix_requests_waiting_on_aad_object_id_status", "waiting_on_aad_object_id", "status"),
    )

    # e.g. "NSD-0001", allocated from `request_counters`.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    # Bumped by every move; a move is saved only if the version it was based on is current.
    version: Mapped[int]
    requester_aad_object_id: Mapped[str] = mapped_column(String(64), index=True)
    requester_name: Mapped[str] = mapped_column(String(256))
    requester_email: Mapped[str] = mapped_column(String(320))
    area_code: Mapped[str] = mapped_column(String(64))
    customer: Mapped[str] = mapped_column(Text)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    needs_director: Mapped[bool]
    waiting_on_aad_object_id: Mapped[str | None] = mapped_column(String(64))
    waiting_on_name: Mapped[str | None] = mapped_column(String(256))
    waiting_on_email: Mapped[str | None] = mapped_column(String(320))
    # Approvers out of office at submission whom the request went around, with their return.
    passed_over: Mapped[list[dict[str, Any]]] = mapped_column(JSON, server_default="[]")
    outcome: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Fixed when the summary card is shown: a second Submit with it finds this request.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)


class RequestCounter(Base):
    """The last request number handed out for each kind."""

    __tablename__ = "request_counters"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_number: Mapped[int]


class AuditEntryRow(Base):
    """One move on a request (or its submission). Kept forever."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    actor_aad_object_id: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(256))
    actor_email: Mapped[str] = mapped_column(String(320))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    # NULL for the submission itself.
    move: Mapped[str | None] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text)


class CardMessageRow(Base):
    """A request's card sent to a person (an approval card, or an FTA request's card), and
    where it was posted, to update it in place."""

    __tablename__ = "card_messages"
    __table_args__ = (UniqueConstraint("request_id", "recipient_aad_object_id", "activity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # An approval request's id, or an FTA request's (no reference: it may be either table's).
    request_id: Mapped[str] = mapped_column(String(32))
    recipient_aad_object_id: Mapped[str] = mapped_column(String(64))
    # Where it was posted; none yet while its outbox message is on the way (the row exists
    # from the transaction that caused the card, so every later move finds it to update).
    conversation_id: Mapped[str | None] = mapped_column(String(512))
    activity_id: Mapped[str | None] = mapped_column(String(512))
    service_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The request version the card shows; an update for an older version is not sent.
    shown_version: Mapped[int] = mapped_column(default=0)


# The partial indexes' conditions; queries spell them the same way (persistence/outbox.py), as
# SQLite uses a partial index only for a query whose WHERE clause contains its very condition.
_DUE = text("state IN ('pending', 'claimed')")
_CLAIMED = text("state = 'claimed'")
_WAITING = text("state = 'waiting'")


class OutboxRow(Base):
    """One message to deliver after the transaction that caused it committed."""

    __tablename__ = "outbox"
    __table_args__ = (
        # Claiming: due rows in order of due time (sent, failed and waiting rows have none).
        Index(
            "ix_outbox_next_attempt_at",
            "next_attempt_at",
            sqlite_where=_DUE,
            postgresql_where=_DUE,
        ),
        # Order per recipient: a message goes only once the older ones due have gone.
        Index(
            "ix_outbox_open_by_recipient",
            "recipient_aad_object_id",
            "id",
            sqlite_where=_DUE,
            postgresql_where=_DUE,
        ),
        # Rate limits: attempts that ended in the last second (few, so a recipient's are found
        # among them), and those under way.
        Index("ix_outbox_attempted_at", "attempted_at"),
        Index(
            "ix_outbox_under_way",
            "recipient_aad_object_id",
            "attempted_at",
            sqlite_where=_CLAIMED,
            postgresql_where=_CLAIMED,
        ),
        # What waits for a person who comes back.
        Index(
            "ix_outbox_waiting",
            "recipient_aad_object_id",
            sqlite_where=_WAITING,
            postgresql_where=_WAITING,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "card" (a new card to a person), "card_update" (of a posted card), "text"; later "mail".
    kind: Mapped[str] = mapped_column(String(16))
    recipient_aad_object_id: Mapped[str] = mapped_column(String(64))
    recipient_name: Mapped[str] = mapped_column(String(256))
    request_id: Mapped[str | None] = mapped_column(String(32), index=True)
    # The posted card a "card_update" updates.
    card_message_id: Mapped[int | None]
    # Unique: whoever enqueues the same message twice (a retried submit) gets one row.
    dedupe_key: Mapped[str] = mapped_column(String(256), unique=True)
    # What cannot be rendered at delivery time from the request (a notice's text).
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # pending, claimed (until next_attempt_at: the lease), waiting (for the recipient to
    # write to the bot), sent, failed (last_error says why).
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When the last attempt was claimed, then when it ended (for the rate limits).
    attempted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DeadlineRow(Base):
    """Something owed on a request (a decision, an answer, a date) and its next reminder."""

    __tablename__ = "deadlines"
    __table_args__ = (
        # The scheduler's claim: open deadlines in order of their next reminder. Partial, so
        # the closed and escalated ones (most, over time) cost nothing to skip.
        Index(
            "ix_deadlines_due",
            "remind_at",
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique per deadline: the request, the kind and the version that opened it.
    key: Mapped[str] = mapped_column(String(160), unique=True)
    # An approval request's id, or an FTA request's (no reference: it may be either table's).
    request_id: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    # The request's area, whose calendar counts the business days.
    area_code: Mapped[str] = mapped_column(String(64))
    # Who owes it, and who the next reminder goes to (the backup, the director...).
    owner_aad_object_id: Mapped[str] = mapped_column(String(64))
    owner_name: Mapped[str] = mapped_column(String(256))
    owner_email: Mapped[str] = mapped_column(String(320))
    target_aad_object_id: Mapped[str] = mapped_column(String(64))
    target_name: Mapped[str] = mapped_column(String(256))
    target_email: Mapped[str] = mapped_column(String(320))
    # e.g. a rollout target's name.
    subject: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The next reminder; while claimed, the end of the claim's lease. NULL once nothing more
    # is to be sent.
    remind_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Reminders sent so far: with the key, the identity of the next one.
    step: Mapped[int]
    # open, escalated (every step sent, still owed) or closed.
    state: Mapped[str] = mapped_column(String(16))
    # Set by the scheduler that claimed the row; only it may advance the row.
    claim_token: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class FtaRequestRow(Base):
    """A request for a FastTrack Architect (seed 001): where it went and who has it."""

    __tablename__ = "fta_requests"

    # e.g. "FTA-0001", allocated from `request_counters`.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_type: Mapped[str] = mapped_column(String(32))
    route: Mapped[str] = mapped_column(String(16))
    # assigned, accepted, unassigned (no FTA available) or ftc_help.
    status: Mapped[str] = mapped_column(String(16))
    requester_aad_object_id: Mapped[str] = mapped_column(String(64), index=True)
    requester_name: Mapped[str] = mapped_column(String(256))
    area_code: Mapped[str] = mapped_column(String(64))
    customer: Mapped[str] = mapped_column(Text)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    fta_aad_object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    fta_name: Mapped[str | None] = mapped_column(String(256))
    # Bumped by every move (accept, hand back): a move is saved only on the version it read.
    version: Mapped[int]
    # The FTAs who handed it back (AAD object ids).
    passed_over: Mapped[list[str]] = mapped_column(JSON)
    # Each hand back: who, when, why and to whom it went (see persistence/fta.py).
    hand_backs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, server_default="[]")
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)


class FtaLoadRow(Base):
    """An FTA's open assignments, as the workload balancer counts them. Assigning raises the
    count only if it is still the one the balancer read, so two assignments at once never
    both count a stale load."""

    __tablename__ = "fta_loads"

    fta_aad_object_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    open_assignments: Mapped[int]
    last_assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
