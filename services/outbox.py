"""The outbox relay: delivers the messages that committed transactions put in the outbox.

A service writes its messages in the same transaction as the change that causes them (see
`Message`), so a crash can lose neither. The relay, one task per process, claims due messages
under a lease (a crashed process's claims are taken over when the lease ends), renders cards
from the request as it is at delivery time, and hands them to the `Courier`. Recipients are
independent: at most one message per recipient is out at a time (so each chat gets its
messages in order) and several recipients are served at once, so a stalled chat delays only
itself. The relay is the only retrier of these sends: the courier makes one bounded attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from domain.outbox import (
    ClaimedMessage,
    Composed,
    Delivered,
    Mailed,
    NoChat,
    Refused,
    SendOutcome,
    TryAgain,
    Unreachable,
)

log = logging.getLogger(__name__)


class Courier(Protocol):
    """One bounded attempt to deliver in Teams (implemented in bot/)."""

    async def deliver(self, recipient_aad_object_id: str, composed: Composed) -> SendOutcome: ...


# Renders a claimed message from the current state (the request service's `compose`); None
# when there is nothing (left) to send, e.g. a later update showed that state already.
Compose = Callable[[ClaimedMessage], Awaitable[Composed | None]]
# Told of a message Teams could not take (no chat yet, or the person unreachable), after it is
# recorded: e.g. to reach the person another way.
Undelivered = Callable[[ClaimedMessage, SendOutcome], Awaitable[None]]


class OutboxStore(Protocol):
    async def claim(
        self,
        *,
        limit: int,
        lease: timedelta,
        token: str,
        per_conversation: int,
        per_tenant: int,
    ) -> list[ClaimedMessage]: ...

    async def sent(
        self,
        message: ClaimedMessage,
        now: datetime,
        composed: Composed | None,
        delivered: Delivered | None,
        mailed: Mailed | None = None,
    ) -> bool: ...

    async def retry(self, message: ClaimedMessage, at: datetime, error: str) -> bool: ...

    async def wait(self, message: ClaimedMessage) -> bool: ...

    async def fail(self, message: ClaimedMessage, error: str, *, unreachable: bool) -> bool: ...

    async def wake_recipient(self, aad_object_id: str, now: datetime) -> int: ...

    async def next_due(self) -> datetime | None: ...


@dataclass(frozen=True)
class RelayPolicy:
    send_timeout: float = 10.0  # seconds per attempt (the courier's own bound)
    lease: float = 60.0  # a claim older than this is taken over
    max_attempts: int = 8
    first_backoff: float = 1.0
    max_backoff: float = 300.0
    concurrency: int = 16  # recipients served at once
    per_conversation: int = 5  # sends per conversation per second (Teams: 7)
    per_tenant: int = 40  # sends per tenant per second (Teams: 50)
    patience: float = 2.0  # longest wait for the turns in progress before claiming
    idle_check: float = 10.0  # look for others' due rows at least this often
    blocked_check: float = 0.2  # when due rows wait on a rate limit or an earlier message

    def backoff(self, attempts: int) -> float:
        """Exponential with jitter after `attempts` failed attempts: half fixed, half random."""
        ceiling = min(self.max_backoff, self.first_backoff * 2 ** (attempts - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


class Relay:
    def __init__(
        self,
        store: OutboxStore,
        courier: Courier,
        policy: RelayPolicy,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._courier = courier
        self._policy = policy
        self._clock = clock
        self._woken = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._returning: dict[str, asyncio.Task[None]] = {}
        self._task: asyncio.Task[None] | None = None
        self._turns_in_progress = 0
        self._quiet = asyncio.Event()
        self._quiet.set()
        self._undelivered: Undelivered | None = None

    # --- what the rest of the process calls -----------------------------------------------

    def wake(self) -> None:
        """Messages were committed (or a lane came free): look for due ones now."""
        self._woken.set()

    def person_returned(self, aad_object_id: str) -> None:
        """They wrote to the bot: what waited for them (or was stopped) is due now. Done
        beside the turn, which does not wait for it; should it fail, the messages keep
        waiting, in the database, for the person's next return."""
        if aad_object_id in self._returning:
            return
        task = asyncio.create_task(self._wake_recipient(aad_object_id))
        self._returning[aad_object_id] = task
        task.add_done_callback(lambda _: self._returning.pop(aad_object_id, None))

    async def _wake_recipient(self, aad_object_id: str) -> None:
        await self._turns_first()
        try:
            if await self._store.wake_recipient(aad_object_id, self._clock()):
                self.wake()
        except Exception:
            log.exception("waking what waits for %s failed", aad_object_id)

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """Around the handling of one incoming activity: in a burst of clicks every clicker
        is answered before deliveries compete with them, for at most `patience`."""
        self._turns_in_progress += 1
        self._quiet.clear()
        try:
            yield
        finally:
            self._turns_in_progress -= 1
            if not self._turns_in_progress:
                self._quiet.set()

    def start(self, compose: Compose, undelivered: Undelivered | None = None) -> None:
        self._undelivered = undelivered
        self._task = asyncio.create_task(self._run(compose), name="outbox relay")

    async def stop(self) -> None:
        """Stop claiming; let the deliveries under way finish (each is bounded by the
        courier's timeout), so no claim is left to its lease."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._in_flight or self._returning:
            await asyncio.wait([*self._in_flight, *self._returning.values()])

    # --- the loop ----------------------------------------------------------------------------

    async def _run(self, compose: Compose) -> None:
        token_prefix = uuid.uuid4().hex[:12]
        claims = 0
        while True:
            self._woken.clear()
            await self._turns_first()
            free = self._policy.concurrency - len(self._in_flight)
            claimed: list[ClaimedMessage] = []
            if free > 0:
                claims += 1
                try:
                    claimed = await self._store.claim(
                        limit=free,
                        lease=timedelta(seconds=self._policy.lease),
                        token=f"{token_prefix}-{claims}",
                        per_conversation=self._policy.per_conversation,
                        per_tenant=self._policy.per_tenant,
                    )
                except Exception:
                    log.exception("claiming outbox messages failed")
                    await asyncio.sleep(1.0)
                    continue
                for message in claimed:
                    task = asyncio.create_task(self._deliver(message, compose))
                    self._in_flight.add(task)
                    task.add_done_callback(self._delivery_done)
            if free > 0 and len(claimed) == free:
                continue  # there may be more due
            await self._sleep()

    async def _turns_first(self) -> None:
        """Wait until no turn is in progress, for at most `patience`."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._policy.patience):
                await self._quiet.wait()

    async def _sleep(self) -> None:
        try:
            due = await self._store.next_due()
        except Exception:
            log.exception("reading the outbox's next due time failed")
            due = None
        timeout = self._policy.idle_check
        if due is not None:
            timeout = min(timeout, (due - self._clock()).total_seconds())
            # Due already, yet not claimed: behind a rate limit or an earlier message.
            timeout = max(timeout, self._policy.blocked_check)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._woken.wait()

    def _delivery_done(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("an outbox delivery failed", exc_info=task.exception())
        self.wake()

    async def _deliver(self, message: ClaimedMessage, compose: Compose) -> None:
        composed: Composed | None = None
        try:
            composed = await compose(message)
            if composed is None:
                await self._store.sent(message, self._clock(), None, None)
                return
            outcome = await self._courier.deliver(message.recipient_aad_object_id, composed)
        except Exception as error:  # a bug or the database: retried like a server error
            log.exception("delivering outbox message %d failed", message.id)
            outcome = TryAgain(f"{type(error).__name__}: {error}")
        await self._record(message, composed, outcome)

    async def _record(
        self, message: ClaimedMessage, composed: Composed | None, outcome: SendOutcome
    ) -> None:
        now = self._clock()
        match outcome:
            case Delivered():
                kept = await self._store.sent(message, now, composed, outcome)
            case Mailed():
                kept = await self._store.sent(message, now, composed, None, outcome)
            case NoChat():
                log.info("outbox %d waits for %s", message.id, message.recipient_aad_object_id)
                kept = await self._store.wait(message)
            case Unreachable(reason):
                log.warning(
                    "outbox %d: %s unreachable in Teams: %s",
                    message.id,
                    message.recipient_aad_object_id,
                    reason,
                )
                kept = await self._store.fail(message, reason, unreachable=True)
            case Refused(reason):
                log.warning("outbox %d failed: %s", message.id, reason)
                kept = await self._store.fail(message, reason, unreachable=False)
            case TryAgain(reason, retry_after):
                if message.attempts >= self._policy.max_attempts:
                    log.warning("outbox %d failed after %d attempts", message.id, message.attempts)
                    kept = await self._store.fail(
                        message,
                        f"gave up after {message.attempts} attempts: {reason}",
                        unreachable=False,
                    )
                else:
                    delay = (
                        retry_after
                        if retry_after is not None
                        else self._policy.backoff(message.attempts)
                    )
                    log.info("outbox %d: %s; next attempt in %.2fs", message.id, reason, delay)
                    kept = await self._store.retry(message, now + timedelta(seconds=delay), reason)
        if kept and self._undelivered is not None and isinstance(outcome, NoChat | Unreachable):
            try:
                await self._undelivered(message, outcome)
            except Exception:
                log.exception("outbox %d: handling the undelivered message failed", message.id)
        if not kept:
            # Our lease ran out and another relay claimed it: theirs is the record.
            log.warning("outbox %d was claimed by another relay meanwhile", message.id)
