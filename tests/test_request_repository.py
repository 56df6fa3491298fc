"""RequestRepository against SQLite and PostgreSQL."""

import asyncio
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from domain import acm_referral, covid_triage, non_standard_delivery
from domain.deadlines import Deadline, DeadlineKind, DeadlineState
from domain.out_of_office import Absence
from domain.outbox import Message, MessageKind
from domain.requests import Move, Status, apply, submit
from domain.roster import Area, Person, Roster
from persistence.database import create_engine
from persistence.deadlines import DeadlineRepository
from persistence.models import OutboxRow
from persistence.requests import CardMessage, RequestRepository
from tests.cast import BACKUP, DIRECTOR, FM, LIAISON
from tests.db_fixtures import STORED_KINDS

OTHER_FM = Person("Megan Bowen", "55555555-5555-4555-8555-555555555555", "megan@contoso.com")
AMERICAS = Area("americas", "Americas", LIAISON, BACKUP, DIRECTOR, ("US", "CA"))
ROSTER = Roster(areas=(AMERICAS,), ftc_help_mailbox="ftchelp@contoso.com", partners=())
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SERVICE_URL = "https://smba.trafficmanager.net/amer/"


def submitted(request_id, *, requester=FM, at=NOW, needs_director=False, answers=None, away=()):
    return submit(
        request_id=request_id,
        kind=non_standard_delivery.KIND,
        requester=requester,
        area=AMERICAS,
        customer="Contoso Ltd",
        answers=answers if answers is not None else {"workloads": ["Teams"]},
        needs_director=needs_director,
        at=at,
        away=away,
    )


@pytest.fixture
def repository(engine):
    return RequestRepository(engine, ROSTER, kinds=STORED_KINDS)


@asynccontextmanager
async def replicas(database_url, count):
    """One repository per engine, like separate bot replicas sharing the database."""
    engines = [create_engine(database_url) for _ in range(count)]
    try:
        yield [RequestRepository(engine, ROSTER, kinds=STORED_KINDS) for engine in engines]
    finally:
        await asyncio.gather(*(engine.dispose() for engine in engines))


async def test_request_ids_are_numbered_per_kind(repository):
    ids = [
        await repository.next_request_id(kind)
        for kind in (
            non_standard_delivery.KIND,
            non_standard_delivery.KIND,
            covid_triage.KIND,
            non_standard_delivery.KIND,
            acm_referral.KIND,
            covid_triage.KIND,
        )
    ]

    assert ids == ["NSD-0001", "NSD-0002", "COVID-0001", "NSD-0003", "ACM-0001", "COVID-0002"]


async def test_who_a_request_went_around_is_kept_with_their_return(repository):
    back = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    request, audit = submitted("NSD-0001", away=(Absence(LIAISON, back), Absence(BACKUP, None)))
    await repository.add(request, audit)

    stored = await repository.get("NSD-0001")

    assert stored.waiting_on == DIRECTOR
    assert stored.passed_over == (Absence(LIAISON, back), Absence(BACKUP, None))


async def test_concurrent_id_allocations_are_all_distinct(engine, database_url):
    async with replicas(database_url, 20) as repositories:
        ids = await asyncio.gather(*(r.next_request_id(covid_triage.KIND) for r in repositories))

    assert sorted(ids) == [f"COVID-{n:04d}" for n in range(1, 21)]


async def test_added_request_reads_back_unchanged(repository):
    answers = {
        "dates": ["2026-12-01", "2026-12-02"],
        "onsite": True,
        "partner": None,
        "hours": 12,
        "details": {"workloads": ["Teams", "SharePoint"], "urgent": False},
    }
    request, submission = submitted("NSD-0001", answers=answers)

    await repository.add(request, submission)

    stored = await repository.get("NSD-0001")
    assert stored == request
    assert stored.answers == answers
    assert stored.requester == FM
    assert stored.waiting_on == LIAISON
    assert stored.area == AMERICAS
    assert stored.submitted_at.tzinfo == UTC
    assert await repository.audit_trail("NSD-0001") == [submission]
    assert await repository.get("NSD-0002") is None


async def test_move_based_on_the_current_version_is_saved_and_returns_the_trail(repository):
    request, submission = submitted("NSD-0001")
    await repository.add(request, submission)
    approved, approval = apply(request, LIAISON, Move.APPROVE, at=NOW + timedelta(hours=1))

    assert await repository.save_move(approved, approval, expected_version=1) == [
        submission,
        approval,
    ]

    stored = await repository.get("NSD-0001")
    assert stored == approved
    assert (stored.status, stored.version, stored.waiting_on) == (Status.APPROVED, 2, None)
    assert await repository.audit_trail("NSD-0001") == [submission, approval]


async def test_move_based_on_a_stale_version_changes_nothing(repository):
    request, submission = submitted("NSD-0001")
    await repository.add(request, submission)
    approved, approval = apply(request, LIAISON, Move.APPROVE, at=NOW + timedelta(hours=1))
    await repository.save_move(approved, approval, expected_version=1)

    # The requester cancels from a view of the request read before the approval.
    cancelled, cancellation = apply(request, FM, Move.CANCEL, at=NOW + timedelta(hours=2))
    assert await repository.save_move(cancelled, cancellation, expected_version=1) is None

    assert await repository.get("NSD-0001") == approved
    assert await repository.audit_trail("NSD-0001") == [submission, approval]


async def test_exactly_one_of_concurrent_moves_on_the_same_version_wins(repository, database_url):
    request, submission = submitted("NSD-0001")
    await repository.add(request, submission)
    # Twenty clicks on the same card, each remembered by its comment.
    moves = [apply(request, LIAISON, Move.DECLINE, at=NOW, comment=f"click {n}") for n in range(20)]

    async with replicas(database_url, 20) as repositories:
        saved = await asyncio.gather(
            *(
                replica.save_move(updated, audit, expected_version=1)
                for replica, (updated, audit) in zip(repositories, moves, strict=True)
            )
        )

    winners = [n for n, trail in enumerate(saved) if trail is not None]
    assert len(winners) == 1
    (winner,) = winners
    assert saved[winner] == [submission, moves[winner][1]]
    assert await repository.audit_trail("NSD-0001") == [submission, moves[winner][1]]
    assert (await repository.get("NSD-0001")).version == 2


async def test_audit_trail_lists_every_move_oldest_first(repository):
    request, submission = submitted("NSD-0001", needs_director=True)
    await repository.add(request, submission)
    trail = [submission]
    steps = [
        (LIAISON, Move.ASK_MORE_INFO, "Which dates exactly?"),
        (FM, Move.ANSWER_MORE_INFO, "1 and 2 December."),
        (LIAISON, Move.APPROVE, ""),
        (DIRECTOR, Move.APPROVE, "Funded from the Q4 budget."),
        (FM, Move.RECORD_OUTCOME, "Delivered on site; customer happy."),
    ]
    for hour, (actor, move, comment) in enumerate(steps, start=1):
        updated, audit = apply(
            request, actor, move, at=NOW + timedelta(hours=hour), comment=comment
        )
        trail.append(audit)
        assert await repository.save_move(updated, audit, expected_version=request.version) == trail
        request = updated

    stored_trail = await repository.audit_trail("NSD-0001")
    assert stored_trail == trail
    assert [entry.to_status for entry in stored_trail] == [
        Status.SUBMITTED,
        Status.MORE_INFO_REQUESTED,
        Status.SUBMITTED,
        Status.DIRECTOR_REVIEW,
        Status.APPROVED,
        Status.CLOSED,
    ]
    assert all(entry.at.tzinfo == UTC for entry in stored_trail)
    stored = await repository.get("NSD-0001")
    assert (stored.status, stored.outcome) == (Status.CLOSED, "Delivered on site; customer happy.")
    assert await repository.audit_trail("NSD-0404") == []


async def test_requested_by_lists_newest_first_and_waiting_on_only_what_is_open(
    repository,
):
    first, first_submission = submitted("NSD-0001", at=NOW)
    second, second_submission = submitted("NSD-0002", at=NOW + timedelta(days=1))
    someone_elses, someone_elses_submission = submitted(
        "NSD-0003", requester=OTHER_FM, at=NOW + timedelta(days=2), needs_director=True
    )
    declined, declined_submission = submitted("NSD-0004", at=NOW + timedelta(days=3))
    for request, audit in [
        (first, first_submission),
        (second, second_submission),
        (someone_elses, someone_elses_submission),
        (declined, declined_submission),
    ]:
        await repository.add(request, audit)
    later = NOW + timedelta(days=4)
    moves = [
        (declined, LIAISON, Move.DECLINE, "Out of scope."),
        (second, LIAISON, Move.ASK_MORE_INFO, "Which workloads?"),
        (someone_elses, LIAISON, Move.APPROVE, ""),
    ]
    for request, actor, move, comment in moves:
        updated, audit = apply(request, actor, move, at=later, comment=comment)
        assert await repository.save_move(updated, audit, expected_version=1)

    assert [r.id for r in await repository.requested_by(FM.aad_object_id)] == [
        "NSD-0004",
        "NSD-0002",
        "NSD-0001",
    ]
    assert [r.id for r in await repository.requested_by(OTHER_FM.aad_object_id)] == ["NSD-0003"]
    # NSD-0004 was declined and NSD-0002 waits on its requester for more information.
    assert [r.id for r in await repository.waiting_on(LIAISON.aad_object_id)] == ["NSD-0001"]
    assert [r.id for r in await repository.waiting_on(DIRECTOR.aad_object_id)] == ["NSD-0003"]
    assert [r.id for r in await repository.waiting_on(FM.aad_object_id)] == ["NSD-0002"]
    assert await repository.requested_by(LIAISON.aad_object_id) == []


async def test_posted_cards_are_recorded_once_each(repository):
    for request_id in ("NSD-0001", "NSD-0002"):
        await repository.add(*submitted(request_id))
    await repository.record_card(
        "NSD-0001", LIAISON.aad_object_id, "a:liaison-chat", "1700000000001", SERVICE_URL, 1
    )
    await repository.record_card(
        "NSD-0001", DIRECTOR.aad_object_id, "a:director-chat", "1700000000002", SERVICE_URL, 1
    )
    # Recording the same message again (a retried turn) does not duplicate it.
    await repository.record_card(
        "NSD-0001", LIAISON.aad_object_id, "a:liaison-chat", "1700000000001", SERVICE_URL, 1
    )

    cards = await repository.cards_for("NSD-0001")

    assert [(c.recipient_aad_object_id, c.conversation_id, c.activity_id) for c in cards] == [
        (LIAISON.aad_object_id, "a:liaison-chat", "1700000000001"),
        (DIRECTOR.aad_object_id, "a:director-chat", "1700000000002"),
    ]
    assert all(isinstance(c, CardMessage) and c.request_id == "NSD-0001" for c in cards)
    assert all(c.service_url == SERVICE_URL and c.created_at.tzinfo == UTC for c in cards)
    assert await repository.cards_for("NSD-0002") == []


async def outbox_rows(engine) -> list[tuple[str, str, str | None, str]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(
                OutboxRow.kind,
                OutboxRow.recipient_aad_object_id,
                OutboxRow.card_message_id,
                OutboxRow.dedupe_key,
            ).order_by(OutboxRow.id)
        )
        return [tuple(row) for row in rows]


def notice(request, person, text="told"):
    return Message(
        MessageKind.TEXT, person, request.id, f"text:{request.id}:{request.version}", text
    )


async def test_a_move_writes_its_messages_and_an_update_of_every_card(repository, engine):
    request, submission = submitted("NSD-0001")
    card = Message(MessageKind.CARD, LIAISON, request.id, "card:NSD-0001:1")
    assert await repository.add(request, submission, messages=[card])
    await repository.record_card(
        "NSD-0001", LIAISON.aad_object_id, "a:liaison-chat", "17", SERVICE_URL, 1
    )
    [posted] = await repository.cards_for("NSD-0001")
    approved, approval = apply(request, LIAISON, Move.APPROVE, at=NOW + timedelta(hours=1))

    assert await repository.save_move(approved, approval, 1, messages=[notice(approved, FM)])
    # Late: nothing of it is written.
    declined, refusal = apply(
        request, LIAISON, Move.DECLINE, at=NOW + timedelta(hours=1), comment="no"
    )
    assert await repository.save_move(declined, refusal, 1, messages=[notice(declined, FM)]) is None

    # The card's row exists from the submission, before it is posted: every card of the
    # request is updated, the one on the way included.
    [(_, _, on_the_way, _)] = [row for row in await outbox_rows(engine) if row[0] == "card"]
    assert sorted(await outbox_rows(engine)) == [
        ("card", LIAISON.aad_object_id, on_the_way, "card:NSD-0001:1"),
        ("card_update", LIAISON.aad_object_id, on_the_way, f"card_update:{on_the_way}:2"),
        ("card_update", LIAISON.aad_object_id, posted.id, f"card_update:{posted.id}:2"),
        ("text", FM.aad_object_id, None, "text:NSD-0001:2"),
    ]


def deadline(request_id: str, kind: DeadlineKind = DeadlineKind.LIAISON_DECISION) -> Deadline:
    return Deadline(
        key=f"{request_id}/{kind}/v1",
        request_id=request_id,
        kind=kind,
        area=AMERICAS,
        owner=LIAISON,
        due_at=NOW + timedelta(days=2),
        target=LIAISON,
        remind_at=NOW + timedelta(days=2),
    )


async def test_a_move_opens_and_closes_deadlines_with_its_messages(repository, engine):
    request, submission = submitted("ACM-0001")
    await repository.add(request, submission, deadlines=[deadline("ACM-0001")])
    approved, approval = apply(request, LIAISON, Move.APPROVE, at=NOW)

    await repository.save_move(
        approved,
        approval,
        1,
        deadlines=[deadline("ACM-0001", DeadlineKind.PARTNER_CONTACT)],
        closes={DeadlineKind.LIAISON_DECISION},
        messages=[notice(approved, FM)],
    )

    stored = await DeadlineRepository(engine, ROSTER).all_for("ACM-0001")
    assert [(d.kind, d.state) for d in stored] == [
        (DeadlineKind.LIAISON_DECISION, DeadlineState.CLOSED),
        (DeadlineKind.PARTNER_CONTACT, DeadlineState.OPEN),
    ]
    assert [row[3] for row in await outbox_rows(engine)] == ["text:ACM-0001:2"]


async def test_a_move_that_lost_the_race_opens_and_closes_nothing(repository, engine):
    request, submission = submitted("ACM-0001")
    await repository.add(request, submission, deadlines=[deadline("ACM-0001")])
    approved, approval = apply(request, LIAISON, Move.APPROVE, at=NOW)
    assert (
        await repository.save_move(
            approved,
            approval,
            5,
            deadlines=[deadline("ACM-0001", DeadlineKind.PARTNER_CONTACT)],
            closes={DeadlineKind.LIAISON_DECISION},
        )
        is None
    )
    (stored,) = await DeadlineRepository(engine, ROSTER).all_for("ACM-0001")
    assert (stored.kind, stored.state) == (DeadlineKind.LIAISON_DECISION, DeadlineState.OPEN)


async def test_a_submission_key_is_used_once_and_the_loser_uses_no_number(
    repository, engine, database_url
):
    def build(request_id):
        request, audit = submitted(request_id)
        card = Message(MessageKind.CARD, LIAISON, request_id, f"card:{request_id}:1")
        return request, audit, [], [card]

    async with replicas(database_url, 3) as copies:
        stored = await asyncio.gather(
            *(r.submit(non_standard_delivery.KIND, build, "k1") for r in copies)
        )

    [winner] = [request for request in stored if request is not None]
    assert winner.id == "NSD-0001"
    assert (await repository.by_submission_key("k1")).id == "NSD-0001"
    assert [row[3] for row in await outbox_rows(engine)] == ["card:NSD-0001:1"]
    assert await repository.next_request_id(non_standard_delivery.KIND) == "NSD-0002"
