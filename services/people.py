"""What Microsoft 365 knows of people, asked briefly: who is out of office, which addresses
exist. Each answer is cached per person for a while; a turn never waits longer than the read
timeout, and when Graph is slow, unreachable or not permitted the bot goes on without it (the
roster decides routing, typed addresses are taken as typed)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Generic, TypeVar

from domain.out_of_office import Absence, AutomaticReplies, absence
from domain.roster import Person
from services.graph_ports import Directory, GraphUnavailable, OutOfOfficeReader

log = logging.getLogger(__name__)

T = TypeVar("T")


class _Cache(Generic[T]):
    def __init__(self, seconds: float, clock: Callable[[], float]) -> None:
        self._seconds = seconds
        self._clock = clock
        self._entries: dict[str, tuple[float, T]] = {}

    def get(self, key: str) -> T | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= self._clock():
            return None
        return entry[1]

    def put(self, key: str, value: T) -> None:
        self._entries[key] = (self._clock() + self._seconds, value)


async def _within(seconds: float, reads: dict[str, Awaitable[T]]) -> dict[str, T]:
    """The reads that answered within `seconds`, run at once; the others are abandoned."""
    tasks = {key: asyncio.ensure_future(read) for key, read in reads.items()}
    if not tasks:
        return {}
    await asyncio.wait(tasks.values(), timeout=seconds)
    answers: dict[str, T] = {}
    for key, task in tasks.items():
        if not task.done():
            task.cancel()
            log.warning("Graph read for %s: no answer within %g s", key, seconds)
        elif (error := task.exception()) is not None:
            # Graph is an extra here: whatever went wrong, go on without it.
            log.warning(
                "Graph read for %s failed: %s",
                key,
                error,
                exc_info=not isinstance(error, GraphUnavailable),
            )
        else:
            answers[key] = task.result()
    return answers


class OutOfOffice:
    def __init__(
        self,
        reader: OutOfOfficeReader | None,
        *,
        timeout: float,
        cache_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._reader = reader
        self._timeout = timeout
        self._cache: _Cache[AutomaticReplies] = _Cache(cache_seconds, clock)

    async def away(self, people: Sequence[Person], now: datetime) -> list[Absence]:
        """Those of `people` whose automatic replies are on at `now`; someone Graph does not
        answer for in time counts as present."""
        if self._reader is None:
            return []
        known: dict[str, AutomaticReplies] = {}
        reads: dict[str, Awaitable[AutomaticReplies]] = {}
        for person in people:
            replies = self._cache.get(person.aad_object_id)
            if replies is not None:
                known[person.aad_object_id] = replies
            elif person.aad_object_id not in reads:
                reads[person.aad_object_id] = self._reader.automatic_replies(person.aad_object_id)
        for key, replies in (await _within(self._timeout, reads)).items():
            self._cache.put(key, replies)
            known[key] = replies
        found = (
            absence(person, known[person.aad_object_id], now)
            for person in people
            if person.aad_object_id in known
        )
        return [a for a in found if a is not None]


class Addresses:
    def __init__(
        self,
        directory: Directory | None,
        *,
        timeout: float,
        cache_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._directory = directory
        self._timeout = timeout
        self._cache: _Cache[bool] = _Cache(cache_seconds, clock)

    async def unknown(self, addresses: Sequence[str]) -> list[str]:
        """The addresses the directory says no one has; none when it cannot say in time."""
        if self._directory is None:
            return []
        exists: dict[str, bool] = {}
        reads: dict[str, Awaitable[bool]] = {}
        for address in addresses:
            key = address.lower()
            known = self._cache.get(key)
            if known is not None:
                exists[key] = known
            elif key not in reads:
                reads[key] = self._exists(address)
        for key, known in (await _within(self._timeout, reads)).items():
            self._cache.put(key, known)
            exists[key] = known
        return [a for a in addresses if exists.get(a.lower()) is False]

    async def _exists(self, address: str) -> bool:
        assert self._directory is not None
        return await self._directory.user(address) is not None
