"""The reminder scheduler on an in-memory store, with a test clock: each due reminder is
enqueued once, the escalation goes on over time, downtime gives one reminder per deadline,
reminders wait for their recipient's working hours, and the loop wakes when something is due.
"""

import asyncio
import time as time_module
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain import non_standard_delivery
from domain.deadlines import DeadlineRules, Reason, SlaPolicy
from domain.requests import Move, apply, submit
from domain.roster import Roster
from domain.working_hours import WorkingHours
from services.reminders import ReminderScheduler, SchedulerPolicy, Timetable
from services.working_hours import RosterWorkingHours
from tests.cast import AMERICAS, BACKUP, DIRECTOR, FM, LIAISON
from tests.fakes.deadlines import FakeDeadlineStore

ROSTER = Roster(
    areas=(AMERICAS,),
    ftc_help_mailbox="ftchelp@contoso.com",
    partners=(),
    working_hours={
        LIAISON.aad_object_id: WorkingHours(ZoneInfo("America/Los_Angeles"), time(8), time(17)),
        BACKUP.aad_object_id: WorkingHours(ZoneInfo("Europe/Berlin"), time(8, 30), time(17, 30)),
    },
    default_working_hours=WorkingHours(ZoneInfo("America/New_York")),
)
POLICY = SlaPolicy()
TIMETABLE = Timetable(POLICY, RosterWorkingHours(ROSTER))
RULES = DeadlineRules(POLICY, ROSTER.working_hours_of)
SUBMITTED_AT = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # Monday 09:00 in Los Angeles


class SteppedClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def request(number: int = 1, needs_director: bool = False):
    submitted, _ = submit(
        request_id=f"NSD-{number:04d}",
        kind=non_standard_delivery.KIND,
        requester=FM,
        area=AMERICAS,
        customer="Contoso",
        answers={},
        needs_director=needs_director,
        at=SUBMITTED_AT,
    )
    return submitted


def scheduler(store: FakeDeadlineStore, clock: SteppedClock, **policy) -> ReminderScheduler:
    return ReminderScheduler(store, TIMETABLE, SchedulerPolicy(**policy), clock=clock)


async def test_an_overdue_decision_gives_one_reminder():
    store, clock = FakeDeadlineStore(), SteppedClock(SUBMITTED_AT)
    store.add(*RULES.after_submission(request(), SUBMITTED_AT))
    reminders = scheduler(store, clock)

    clock.now = datetime(2026, 11, 25, 16, 59, tzinfo=UTC)
    assert await reminders.send_due() == []
    clock.now = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # due: Wednesday 09:00 in LA
    (sent,) = await reminders.send_due()
    assert (sent.recipient, sent.reason) == (LIAISON, Reason.DUE)
    clock.now += timedelta(minutes=30)
    assert await reminders.send_due() == []
    assert list(store.outbox) == ["NSD-0001/liaison_decision/v1#0"]


async def test_the_escalation_reaches_the_backup_then_the_director_in_their_hours():
    store, clock = FakeDeadlineStore(), SteppedClock(SUBMITTED_AT)
    store.add(*RULES.after_submission(request(), SUBMITTED_AT))
    reminders = scheduler(store, clock)
    received = []
    # Every half hour for two weeks: each reminder goes at the first pass after it is due.
    while clock.now < SUBMITTED_AT + timedelta(days=14):
        for reminder in await reminders.send_due():
            received.append((clock.now, reminder.recipient, reminder.reason))
        clock.now += timedelta(minutes=30)
    assert received == [
        (datetime(2026, 11, 25, 17, 0, tzinfo=UTC), LIAISON, Reason.DUE),
        # Thanksgiving, then the weekend: Monday 08:30 in Berlin.
        (datetime(2026, 11, 30, 7, 30, tzinfo=UTC), BACKUP, Reason.BACKUP),
        (datetime(2026, 12, 1, 14, 0, tzinfo=UTC), DIRECTOR, Reason.DIRECTOR),
    ]


async def test_a_decision_closes_the_deadline_before_anyone_is_reminded():
    store, clock = FakeDeadlineStore(), SteppedClock(SUBMITTED_AT)
    submitted = request()
    (deadline,) = RULES.after_submission(submitted, SUBMITTED_AT)
    store.add(deadline)
    approved_at = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
    approved, _ = apply(submitted, LIAISON, Move.APPROVE, at=approved_at)
    change = RULES.after_move(approved, Move.APPROVE, approved_at)
    assert deadline.kind in change.closes
    store.add(deadline.closed())
    clock.now = datetime(2026, 12, 10, 17, 0, tzinfo=UTC)
    assert await scheduler(store, clock).send_due() == []


async def test_after_an_outage_each_due_reminder_is_sent_once():
    store, clock = FakeDeadlineStore(), SteppedClock(SUBMITTED_AT)
    for number in range(1, 251):
        store.add(*RULES.after_submission(request(number), SUBMITTED_AT))
    # Down from Tuesday until the next Wednesday 09:00 in LA: each deadline's liaison
    # reminder is sent once (in batches), none of the later steps yet.
    clock.now = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
    sent = await scheduler(store, clock, batch=40).send_due()
    assert len(sent) == 250
    assert {r.reason for r in sent} == {Reason.DUE}
    assert len(store.outbox) == 250
    assert await scheduler(store, clock).send_due() == []


async def test_a_reminder_that_fell_due_while_its_recipient_is_off_waits_for_their_morning():
    store, clock = FakeDeadlineStore(), SteppedClock(SUBMITTED_AT)
    store.add(*RULES.after_submission(request(), SUBMITTED_AT))
    reminders = scheduler(store, clock)
    # The bot was down from Monday until Wednesday 20:00 in Los Angeles, after her hours.
    clock.now = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)
    assert await reminders.send_due() == []
    assert store.outbox == {}
    (deadline,) = store.rows.values()
    # Thursday is Thanksgiving: Friday 08:00 in Los Angeles.
    assert deadline.remind_at == datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    clock.now = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    (sent,) = await reminders.send_due()
    assert (sent.recipient, sent.key) == (LIAISON, "NSD-0001/liaison_decision/v1#0")


async def test_a_crashed_claim_is_taken_over_after_its_lease_and_sent_once():
    store, clock = FakeDeadlineStore(), SteppedClock(datetime(2026, 11, 25, 17, 0, tzinfo=UTC))
    store.add(*RULES.after_submission(request(), SUBMITTED_AT))
    lease = timedelta(minutes=2)
    # An instance claims and dies before it stores the step.
    await store.claim_due(clock.now, lease=lease, limit=10, token="dead")
    survivor = scheduler(store, clock, lease=lease)
    assert await survivor.send_due() == []
    clock.now += lease
    (sent,) = await survivor.send_due()
    assert sent.key == "NSD-0001/liaison_decision/v1#0"


async def test_the_loop_sleeps_until_the_next_reminder_is_due():
    # A clock that runs in real time from Wednesday 09:00 in Los Angeles: the loop sleeps
    # for real, the reminders fall in working hours.
    started = time_module.monotonic()
    base = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)

    def clock() -> datetime:
        return base + timedelta(seconds=time_module.monotonic() - started)

    store = FakeDeadlineStore()
    (deadline,) = RULES.after_submission(request(), SUBMITTED_AT)
    store.add(replace(deadline, remind_at=base + timedelta(seconds=0.3)))
    woken = asyncio.Event()
    loop = ReminderScheduler(
        store, TIMETABLE, SchedulerPolicy(idle_check=30.0), on_reminders=woken.set, clock=clock
    )
    loop.start()
    try:
        async with asyncio.timeout(5):
            await woken.wait()
        assert 0.3 <= time_module.monotonic() - started < 2
        assert len(store.outbox) == 1
        # Nothing more is due for a day: a deadline opened now is found when woken.
        woken.clear()
        (again,) = RULES.after_submission(request(2), SUBMITTED_AT)
        store.add(replace(again, remind_at=clock()))
        loop.wake()
        async with asyncio.timeout(2):
            await woken.wait()
        assert len(store.outbox) == 2
    finally:
        await loop.stop()
