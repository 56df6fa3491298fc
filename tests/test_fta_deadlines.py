"""An FTA assignment's deadline and the account team's mail, written with the request in the
transaction of each move: opened on submission, kept (due when it was) through a hand back to
the next FTA, closed by Accept or when nobody is left; the account team told each time."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from domain.deadlines import DeadlineKind
from domain.fta_assignment import FtaStatus
from persistence.deadlines import DeadlineRepository
from persistence.fta import FtaRepository
from persistence.models import OutboxRow
from tests.test_fta_repository import FM, ROSTER, WORKSHOP, fta_service

TEAM = ["ae@contoso.com", "csm@contoso.com"]
# Monday 23 November 2026, 09:00 in Los Angeles (the Americas liaison's zone).
MONDAY_9_PST = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
WEDNESDAY_9_PST = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def service_at(engine, clock: Clock | None = None):
    return fta_service(engine, FtaRepository(engine, ROSTER), clock=clock or Clock(MONDAY_9_PST))


async def team_news(engine, request_id: str) -> list[tuple[str, str, str]]:
    """(address, event, FTA) of each account-team mail in the outbox, in order."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(OutboxRow.recipient_name, OutboxRow.payload)
            .where(OutboxRow.request_id == request_id, OutboxRow.kind == "fta_mail")
            .order_by(OutboxRow.id)
        )
        return [(name, p["team_event"], p["fta"]) for name, p in rows.all()]


async def test_a_submission_opens_the_liaisons_reminder_and_tells_the_account_team(engine):
    service = service_at(engine)
    request = await service.submit(FM, WORKSHOP | {"account_team": TEAM}, uuid.uuid4().hex)
    (deadline,) = await DeadlineRepository(engine, ROSTER).pending_for(request.id)
    liaison = ROSTER.area("americas").liaison
    assert (deadline.kind, deadline.target) == (DeadlineKind.FTA_ASSIGNMENT, liaison)
    assert deadline.due_at == deadline.remind_at == WEDNESDAY_9_PST
    assert await team_news(engine, request.id) == [
        ("ae@contoso.com", "assigned", "Isaiah Langer"),
        ("csm@contoso.com", "assigned", "Isaiah Langer"),
    ]


async def test_a_hand_back_keeps_the_due_date_and_accept_closes_it(engine):
    clock = Clock(MONDAY_9_PST)
    service = service_at(engine, clock)
    deadlines = DeadlineRepository(engine, ROSTER)
    request = await service.submit(FM, WORKSHOP | {"account_team": TEAM[:1]}, "key")
    (opened,) = await deadlines.pending_for(request.id)
    isaiah = request.fta
    assert isaiah is not None

    clock.now = WEDNESDAY_9_PST  # handed back on the day it is due
    await service.hand_back(request.id, isaiah, request.version, "On leave")
    handed = await service.readable(request.id, FM)
    assert handed is not None
    assert handed.fta is not None
    assert handed.fta.display_name == "Megan Bowen"
    assert await deadlines.pending_for(request.id) == [opened]

    await service.accept(request.id, handed.fta, handed.version)
    assert await deadlines.pending_for(request.id) == []
    assert await team_news(engine, request.id) == [
        ("ae@contoso.com", "assigned", "Isaiah Langer"),
        ("ae@contoso.com", "assigned", "Megan Bowen"),
        ("ae@contoso.com", "accepted", "Megan Bowen"),
    ]


async def test_nobody_left_closes_the_deadline_as_the_liaison_is_alerted_at_once(engine):
    service = service_at(engine)
    deadlines = DeadlineRepository(engine, ROSTER)
    request = await service.submit(FM, WORKSHOP | {"account_team": TEAM[:1]}, "key")
    for _ in range(2):
        current = await service.readable(request.id, FM)
        assert current is not None
        assert current.fta is not None
        await service.hand_back(request.id, current.fta, current.version, "Too busy")
    nobody = await service.readable(request.id, FM)
    assert nobody is not None
    assert nobody.status is FtaStatus.UNASSIGNED
    assert [(h.by.display_name, h.to) for h in nobody.hand_backs][-1] == ("Megan Bowen", None)
    assert await deadlines.pending_for(request.id) == []
    assert (await team_news(engine, request.id))[-1] == ("ae@contoso.com", "unassigned", "")


async def test_an_area_without_ftas_opens_no_deadline(engine):
    service = service_at(engine)
    answers = WORKSHOP | {"area": "Asia Pacific and Japan", "account_team": TEAM[:1]}
    request = await service.submit(FM, answers, "key")
    assert request.status is FtaStatus.UNASSIGNED
    assert await DeadlineRepository(engine, ROSTER).pending_for(request.id) == []


async def test_an_fta_request_is_hidden_from_whoever_may_not_read_it(engine):
    service = service_at(engine)
    request = await service.submit(FM, WORKSHOP | {"account_team": TEAM[:1]}, "key")
    megan = next(f.person for f in ROSTER.area("americas").ftas if f.person != request.fta)
    assert await service.readable(request.id, megan) is None
    # Her click on Accept tells her nothing of it, not even that it exists.
    card = await service.accept(request.id, megan, request.version)
    assert "There is no request FTA-0001 that you can see." in str(card)
    assert "Contoso" not in str(card)
