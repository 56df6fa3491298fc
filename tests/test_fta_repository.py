"""FTA requests stored with their assignment: many submitted at once in one area still spread
by the balancer over fresh loads; a second Submit with the same key is the same request."""

import asyncio
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from config.roster import load_roster
from domain.deadlines import SlaPolicy
from domain.fta_assignment import FtaStatus
from domain.out_of_office import Absence
from domain.roster import Person
from persistence.deadlines import DeadlineRepository
from persistence.fta import FtaRepository
from persistence.outbox import OutboxRepository
from services.fta import FtaService
from services.reminders import Timetable
from services.working_hours import RosterWorkingHours

ROSTER = load_roster(Path(__file__).resolve().parents[1] / "config" / "roster.sample.yaml")
FM = Person("Alex Wilber", "11111111-1111-4111-8111-111111111111", "")
WORKSHOP = {
    "request_type": "Discovery workshop",
    "customer": "Contoso",
    "area": "Americas",
    "sow": "https://contoso.sharepoint.com/sow",
    "staffing_plan": "https://contoso.sharepoint.com/wbs",
    "cost_breakdown": "https://contoso.sharepoint.com/costs",
}


class OutOfOffice:
    """Graph's automatic replies, as the service sees them: these people are away now."""

    def __init__(self, *away: Person) -> None:
        self._away = {person.aad_object_id for person in away}

    async def away(self, people: Sequence[Person], now: datetime) -> list[Absence]:
        return [Absence(p, None) for p in people if p.aad_object_id in self._away]


class NoTeamsIds:
    """The bot has met nobody: no card asks Teams to refresh it."""

    async def teams_user_id(self, person: Person) -> str | None:
        return None


class CountingOutbox:
    def __init__(self) -> None:
        self.wakes = 0

    def wake(self) -> None:
        self.wakes += 1


def fta_service(
    engine,
    repository: FtaRepository,
    out_of_office: OutOfOffice | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> FtaService:
    return FtaService(
        repository,
        ROSTER,
        CountingOutbox(),
        out_of_office or OutOfOffice(),
        Timetable(SlaPolicy(), RosterWorkingHours(ROSTER)),
        DeadlineRepository(engine, ROSTER),
        clock,
        delivery_log=OutboxRepository(engine),
        queue=OutboxRepository(engine),
        teams_ids=NoTeamsIds(),
    )


async def test_requests_submitted_at_once_spread_over_the_area(engine):
    repository = FtaRepository(engine, ROSTER)
    service = fta_service(engine, repository)
    requests = await asyncio.gather(
        *(service.submit(FM, WORKSHOP, uuid.uuid4().hex) for _ in range(6))
    )
    assert sorted(r.id for r in requests) == [f"FTA-{n:04d}" for n in range(1, 7)]
    assert all(r.status is FtaStatus.ASSIGNED for r in requests)
    names = [r.fta.display_name for r in requests if r.fta]
    assert sorted(names) == ["Isaiah Langer"] * 3 + ["Megan Bowen"] * 3
    loads = await repository.loads(ROSTER.area("americas"))
    assert [load.open_assignments for load in loads] == [3, 3]


async def test_the_same_submission_key_is_the_same_request_and_one_assignment(engine):
    repository = FtaRepository(engine, ROSTER)
    service = fta_service(engine, repository)
    first = await service.submit(FM, WORKSHOP, "key-1")
    again = await service.submit(FM, WORKSHOP, "key-1")
    assert again == first
    loads = await repository.loads(ROSTER.area("americas"))
    assert sorted(load.open_assignments for load in loads) == [0, 1]


async def test_away_ftas_are_passed_over(engine):
    # In EMEA Megan Bowen is away: every request goes to Isaiah Langer.
    repository = FtaRepository(engine, ROSTER)
    service = fta_service(engine, repository)
    for _ in range(3):
        request = await service.submit(FM, WORKSHOP | {"area": "EMEA"}, uuid.uuid4().hex)
        assert request.fta is not None
        assert request.fta.display_name == "Isaiah Langer"


async def test_ftas_out_of_office_by_their_automatic_replies_are_passed_over(engine):
    isaiah = next(
        f.person for f in ROSTER.area("americas").ftas if f.person.display_name.startswith("Isaiah")
    )
    service = fta_service(engine, FtaRepository(engine, ROSTER), OutOfOffice(isaiah))
    for _ in range(2):
        request = await service.submit(FM, WORKSHOP, uuid.uuid4().hex)
        assert request.fta is not None
        assert request.fta.display_name == "Megan Bowen"
