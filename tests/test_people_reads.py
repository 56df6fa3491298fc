"""Reads about people from Graph, on hand-written fakes of the ports: cached per person,
bounded by one timeout, and never in the way when Graph fails."""

import asyncio
import time
from datetime import UTC, datetime

from domain.out_of_office import Absence, AutomaticReplies, AutoReplyStatus
from services.graph_ports import DirectoryUser, GraphUnavailable
from services.people import Addresses, OutOfOffice
from tests.cast import BACKUP, LIAISON

NOW = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
AWAY = AutomaticReplies(AutoReplyStatus.ALWAYS_ENABLED)
IN = AutomaticReplies(AutoReplyStatus.DISABLED)


class FakeReader:
    def __init__(self, replies: dict[str, AutomaticReplies | Exception | None]) -> None:
        self.replies = replies  # None: never answers
        self.asked: list[str] = []

    async def automatic_replies(self, aad_object_id: str) -> AutomaticReplies:
        self.asked.append(aad_object_id)
        answer = self.replies[aad_object_id]
        if answer is None:
            await asyncio.Event().wait()
        if isinstance(answer, Exception):
            raise answer
        return answer


class FakeDirectory:
    def __init__(self, known: set[str], fail: bool = False) -> None:
        self.known = known
        self.fail = fail
        self.asked: list[str] = []

    async def user(self, address: str) -> DirectoryUser | None:
        self.asked.append(address)
        if self.fail:
            raise GraphUnavailable("Authorization_RequestDenied")
        return DirectoryUser("id", address, address) if address in self.known else None


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_who_is_away_is_read_once_per_person_while_cached():
    reader = FakeReader({LIAISON.aad_object_id: AWAY, BACKUP.aad_object_id: IN})
    clock = Clock()
    out_of_office = OutOfOffice(reader, timeout=1, cache_seconds=300, clock=clock)

    first = await out_of_office.away([LIAISON, BACKUP], NOW)
    again = await out_of_office.away([LIAISON, BACKUP], NOW)
    clock.now = 301
    later = await out_of_office.away([LIAISON], NOW)

    assert first == again == later == [Absence(LIAISON, None)]
    assert reader.asked == [LIAISON.aad_object_id, BACKUP.aad_object_id, LIAISON.aad_object_id]


async def test_a_reader_that_never_answers_costs_one_timeout_for_everyone_and_means_present():
    reader = FakeReader({LIAISON.aad_object_id: None, BACKUP.aad_object_id: None})
    out_of_office = OutOfOffice(reader, timeout=0.2, cache_seconds=300)

    started = time.monotonic()
    away = await out_of_office.away([LIAISON, BACKUP], NOW)

    assert away == []
    assert time.monotonic() - started < 0.5


async def test_a_failed_read_means_present_and_is_not_cached():
    reader = FakeReader({LIAISON.aad_object_id: GraphUnavailable("ErrorAccessDenied")})
    out_of_office = OutOfOffice(reader, timeout=1, cache_seconds=300)

    assert await out_of_office.away([LIAISON], NOW) == []
    reader.replies[LIAISON.aad_object_id] = AWAY
    assert await out_of_office.away([LIAISON], NOW) == [Absence(LIAISON, None)]


async def test_an_unexpected_reader_error_means_present_too():
    reader = FakeReader({LIAISON.aad_object_id: ValueError("unknown status")})
    assert await OutOfOffice(reader, timeout=1, cache_seconds=0).away([LIAISON], NOW) == []


async def test_without_the_permission_everyone_is_present():
    assert await OutOfOffice(None, timeout=1, cache_seconds=0).away([LIAISON], NOW) == []


async def test_unknown_addresses_are_named_in_the_order_typed_and_cached_case_blind():
    directory = FakeDirectory({"ats@contoso.com"})
    addresses = Addresses(directory, timeout=1, cache_seconds=300)

    unknown = await addresses.unknown(["nobody@contoso.com", "ats@contoso.com"])
    again = await addresses.unknown(["ATS@contoso.com"])

    assert unknown == ["nobody@contoso.com"]
    assert again == []
    assert directory.asked == ["nobody@contoso.com", "ats@contoso.com"]


async def test_addresses_are_taken_as_typed_when_the_directory_cannot_say():
    refused = Addresses(FakeDirectory(set(), fail=True), timeout=1, cache_seconds=300)
    not_permitted = Addresses(None, timeout=1, cache_seconds=300)
    assert await refused.unknown(["someone@contoso.com"]) == []
    assert await not_permitted.unknown(["someone@contoso.com"]) == []
