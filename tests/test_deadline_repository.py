"""DeadlineRepository against SQLite and PostgreSQL: opening and closing, claiming due
reminders under a lease, advancing each step once, also with several instances at once."""

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from domain import non_standard_delivery
from domain.deadlines import Deadline, DeadlineKind, DeadlineState, Reason, Reminder, reminder_of
from domain.requests import submit
from domain.roster import Roster
from persistence.database import create_engine
from persistence.deadlines import DeadlineRepository, close_deadlines
from persistence.models import OutboxRow, RequestRow
from persistence.requests import RequestRepository
from tests.cast import AMERICAS, BACKUP, FM, LIAISON
from tests.db_fixtures import STORED_KINDS

ROSTER = Roster(areas=(AMERICAS,), ftc_help_mailbox="ftchelp@contoso.com", partners=())
NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
LEASE = timedelta(minutes=1)


def deadline(
    request_id: str,
    kind: DeadlineKind = DeadlineKind.LIAISON_DECISION,
    remind_at: datetime | None = NOW,
    due_at: datetime = NOW,
) -> Deadline:
    return Deadline(
        key=f"{request_id}/{kind}/v1",
        request_id=request_id,
        kind=kind,
        area=AMERICAS,
        owner=LIAISON,
        due_at=due_at,
        target=LIAISON,
        remind_at=remind_at,
    )


async def add_requests(engine, count: int, prefix: str = "NSD") -> list[str]:
    ids = [f"{prefix}-{n:04d}" for n in range(1, count + 1)]
    repository = RequestRepository(engine, ROSTER, kinds=STORED_KINDS)
    if count <= 5:
        for request_id in ids:
            await repository.add(*_submitted(request_id))
        return ids
    # Many: one statement.
    rows = [_request_row(request_id) for request_id in ids]
    async with engine.begin() as connection:
        await connection.execute(insert(RequestRow), rows)
    return ids


def _submitted(request_id: str):
    return submit(
        request_id=request_id,
        kind=non_standard_delivery.KIND,
        requester=FM,
        area=AMERICAS,
        customer="Contoso",
        answers={},
        needs_director=False,
        at=NOW - timedelta(days=2),
    )


def _request_row(request_id: str) -> dict:
    return {
        "id": request_id,
        "kind": "non_standard_delivery",
        "status": "submitted",
        "version": 1,
        "requester_aad_object_id": FM.aad_object_id,
        "requester_name": FM.display_name,
        "requester_email": FM.email,
        "area_code": "americas",
        "customer": "Contoso",
        "answers": {},
        "needs_director": False,
        "waiting_on_aad_object_id": LIAISON.aad_object_id,
        "waiting_on_name": LIAISON.display_name,
        "waiting_on_email": LIAISON.email,
        "outcome": "",
        "submitted_at": NOW,
        "updated_at": NOW,
    }


async def close(engine, request_id: str, kinds) -> None:
    """What a move's transaction does to the deadlines it answers."""
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: close_deadlines(sync, request_id, kinds, NOW))


@pytest.fixture
def deadlines(engine):
    return DeadlineRepository(engine, ROSTER)


async def test_deadlines_are_stored_and_read_back_whole(engine, deadlines):
    (request_id,) = await add_requests(engine, 1)
    stored = replace(deadline(request_id, DeadlineKind.ROLLOUT_TARGET), subject="Teams pilot")
    await deadlines.add([stored], NOW)
    assert await deadlines.all_for(request_id) == [stored]


async def test_closing_closes_only_the_kinds_answered_on_that_request(engine, deadlines):
    first, second = await add_requests(engine, 2)
    await deadlines.add(
        [
            deadline(first),
            deadline(first, DeadlineKind.ROLLOUT_TARGET),
            deadline(second),
        ],
        NOW,
    )
    await close(engine, first, {DeadlineKind.LIAISON_DECISION})
    assert [d.kind for d in await deadlines.pending_for(first)] == [DeadlineKind.ROLLOUT_TARGET]
    assert [d.kind for d in await deadlines.pending_for(second)] == [DeadlineKind.LIAISON_DECISION]
    (closed,) = [d for d in await deadlines.all_for(first) if d.kind == "liaison_decision"]
    assert (closed.state, closed.remind_at) == (DeadlineState.CLOSED, None)


async def test_each_requests_soonest_pending_deadline(engine, deadlines):
    first, second, third = await add_requests(engine, 3)
    soon = deadline(first, DeadlineKind.ROLLOUT_TARGET, due_at=NOW)
    later = deadline(first, due_at=NOW + timedelta(days=2))
    escalated = replace(deadline(second), state=DeadlineState.ESCALATED, remind_at=None)
    await deadlines.add([later, soon, escalated, deadline(third)], NOW)
    await close(engine, third, set(DeadlineKind))
    assert await deadlines.next_due_of([first, second, third]) == {
        first: soon,
        second: escalated,
    }
    assert await deadlines.next_due_of([]) == {}


async def test_a_claim_takes_the_due_open_deadlines_for_a_lease(engine, deadlines):
    ids = await add_requests(engine, 4)
    await deadlines.add(
        [
            deadline(ids[0], remind_at=NOW - timedelta(hours=1)),
            deadline(ids[1], remind_at=NOW),
            deadline(ids[2], remind_at=NOW + timedelta(seconds=1)),  # not yet due
            replace(deadline(ids[3]), state=DeadlineState.ESCALATED, remind_at=None),
        ],
        NOW,
    )
    claimed = await deadlines.claim_due(NOW, lease=LEASE, limit=10, token="a")
    assert [d.request_id for d in claimed] == ids[:2]
    assert {d.remind_at for d in claimed} == {NOW}
    # Held for the lease: nobody else takes them.
    later = await deadlines.claim_due(NOW + LEASE / 2, lease=LEASE, limit=10, token="b")
    assert [d.request_id for d in later] == [ids[2]]
    # A crashed holder's claims come due again when the lease ends.
    again = await deadlines.claim_due(NOW + LEASE, lease=LEASE, limit=10, token="c")
    assert [d.request_id for d in again] == ids[:2]
    assert await deadlines.next_reminder_at() == NOW + LEASE / 2 + LEASE


async def test_a_claim_takes_at_most_the_limit_soonest_first(engine, deadlines):
    ids = await add_requests(engine, 5)
    await deadlines.add(
        [deadline(i, remind_at=NOW - timedelta(minutes=n)) for n, i in enumerate(ids)], NOW
    )
    claimed = await deadlines.claim_due(NOW, lease=LEASE, limit=2, token="a")
    assert sorted(d.request_id for d in claimed) == sorted(ids[-2:])


async def test_only_the_claims_holder_advances_a_deadline_and_only_once(engine, deadlines):
    (request_id,) = await add_requests(engine, 1)
    await deadlines.add([deadline(request_id)], NOW)
    (stale,) = await deadlines.claim_due(NOW, lease=LEASE, limit=1, token="crashed")
    (claimed,) = await deadlines.claim_due(NOW + LEASE, lease=LEASE, limit=1, token="mine")
    after = replace(claimed, step=1, target=BACKUP, remind_at=NOW + timedelta(days=1))

    assert not await deadlines.advance(stale, "crashed", after, NOW, None)
    assert await deadlines.advance(claimed, "mine", after, NOW, None)
    assert not await deadlines.advance(claimed, "mine", after, NOW, None)
    (stored,) = await deadlines.pending_for(request_id)
    assert stored == after


async def test_a_change_applies_only_to_the_deadline_as_it_was_read(engine, deadlines):
    (request_id,) = await add_requests(engine, 1)
    await deadlines.add([deadline(request_id, remind_at=NOW + timedelta(hours=1))], NOW)
    (read,) = await deadlines.pending_for(request_id)
    snoozed = replace(read, remind_at=NOW + timedelta(days=3))
    assert await deadlines.replace(read, snoozed, NOW)
    # A second change based on the same read loses: it would undo the first.
    assert not await deadlines.replace(read, replace(read, remind_at=NOW), NOW)
    assert await deadlines.pending_for(request_id) == [snoozed]
    # Claimed by the scheduler in the meantime: the claim wins, the caller reads again.
    await deadlines.claim_due(NOW + timedelta(days=3), lease=LEASE, limit=1, token="s")
    assert not await deadlines.replace(snoozed, replace(snoozed, remind_at=None), NOW)


async def test_two_instances_claim_500_due_deadlines_each_once(database_url, engine):
    ids = await add_requests(engine, 500)
    await DeadlineRepository(engine, ROSTER).add([deadline(i) for i in ids], NOW)
    engines = [create_engine(database_url) for _ in range(2)]
    try:
        instances = [DeadlineRepository(e, ROSTER) for e in engines]

        async def drain(repository: DeadlineRepository) -> list[str]:
            token = str(uuid.uuid4())
            taken: list[str] = []
            while batch := await repository.claim_due(NOW, lease=LEASE, limit=20, token=token):
                for claimed in batch:
                    after = replace(claimed, step=1, remind_at=NOW + timedelta(days=1))
                    assert await repository.advance(claimed, token, after, NOW, None)
                    taken.append(claimed.request_id)
            return taken

        results = await asyncio.gather(*(drain(r) for r in instances for _ in range(3)))
    finally:
        await asyncio.gather(*(e.dispose() for e in engines))
    taken = [request_id for result in results for request_id in result]
    assert sorted(taken) == ids
    if database_url.startswith("postgresql"):
        # SKIP LOCKED: the six drainers really took turns, none waited for another's rows.
        assert sum(1 for result in results if result) >= 2


async def test_a_step_and_its_reminder_are_written_together_once(engine, deadlines):
    (request_id,) = await add_requests(engine, 1)
    await deadlines.add([deadline(request_id)], NOW)
    (claimed,) = await deadlines.claim_due(NOW, lease=LEASE, limit=1, token="t")
    reminder = Reminder(
        key=claimed.step_key,
        request_id=request_id,
        kind=claimed.kind,
        reason=Reason.DUE,
        recipient=LIAISON,
        owner=LIAISON,
        due_at=claimed.due_at,
    )
    after = replace(claimed, step=1, target=BACKUP, remind_at=NOW + timedelta(days=1))
    assert await deadlines.advance(claimed, "t", after, NOW, reminder)
    # The same step again (a claim that was lost): neither the step nor the message repeats.
    assert not await deadlines.advance(claimed, "t", after, NOW, reminder)
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                select(OutboxRow.kind, OutboxRow.dedupe_key, OutboxRow.payload)
            )
        ).all()
    assert [(kind, key) for kind, key, _ in rows] == [
        ("reminder", "reminder:NSD-0001/liaison_decision/v1#0")
    ]
    assert reminder_of(rows[0].payload, request_id, LIAISON) == reminder
