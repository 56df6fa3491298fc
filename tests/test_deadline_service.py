"""Snoozing a request's reminders and each request's next deadline, on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain import non_standard_delivery
from domain.deadlines import DeadlineRules, SlaPolicy, SnoozeError
from domain.requests import submit
from domain.roster import Roster
from domain.working_hours import WorkingHours
from persistence.deadlines import DeadlineRepository
from persistence.requests import RequestRepository
from services.deadlines import DeadlineService, SnoozeRefused
from services.reminders import Timetable
from services.working_hours import RosterWorkingHours
from tests.cast import AMERICAS, BACKUP, FM, LIAISON, STRANGER
from tests.db_fixtures import STORED_KINDS

ROSTER = Roster(
    areas=(AMERICAS,),
    ftc_help_mailbox="ftchelp@contoso.com",
    partners=(),
    working_hours={
        LIAISON.aad_object_id: WorkingHours(ZoneInfo("America/Los_Angeles"), time(8), time(17))
    },
    default_working_hours=WorkingHours(ZoneInfo("America/New_York")),
)
TIMETABLE = Timetable(SlaPolicy(), RosterWorkingHours(ROSTER))
RULES = DeadlineRules(SlaPolicy(), ROSTER.working_hours_of)
SUBMITTED_AT = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # Monday 09:00 in Los Angeles


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def stored(engine):
    """A submitted request with its liaison decision, and the service on a stepped clock."""
    request, audit = submit(
        request_id="NSD-0001",
        kind=non_standard_delivery.KIND,
        requester=FM,
        area=AMERICAS,
        customer="Contoso",
        answers={},
        needs_director=False,
        at=SUBMITTED_AT,
    )
    await RequestRepository(engine, ROSTER, kinds=STORED_KINDS).add(request, audit)
    records = DeadlineRepository(engine, ROSTER)
    await records.add(RULES.after_submission(request, SUBMITTED_AT), SUBMITTED_AT)
    clock = Clock(SUBMITTED_AT + timedelta(hours=1))
    return request, records, DeadlineService(records, TIMETABLE, clock), clock


async def test_snoozing_holds_the_reminder_until_that_morning(stored):
    request, records, service, _ = stored
    assert await service.snooze(request, LIAISON, date(2026, 11, 30)) == 1
    (deadline,) = await records.pending_for(request.id)
    assert deadline.remind_at == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 08:00 in LA
    # Snoozing to an earlier day changes nothing: it never brings a reminder forward.
    assert await service.snooze(request, LIAISON, date(2026, 11, 27)) == 0


async def test_the_requester_and_the_areas_approvers_may_snooze_others_may_not(stored):
    request, _, service, _ = stored
    assert await service.snooze(request, FM, date(2026, 11, 30)) == 1
    assert await service.snooze(request, BACKUP, date(2026, 12, 1)) == 1
    with pytest.raises(SnoozeRefused):
        await service.snooze(request, STRANGER, date(2026, 12, 2))


async def test_a_snooze_until_today_or_earlier_is_refused(stored):
    request, _, service, _ = stored
    with pytest.raises(SnoozeError, match="after today"):
        await service.snooze(request, LIAISON, date(2026, 11, 23))


async def test_each_requests_next_deadline_in_business_days_for_the_viewer(stored):
    request, _, service, clock = stored
    (found,) = (await service.next_deadlines([request], LIAISON)).values()
    assert found.business_days_left == 2
    assert found.deadline.due_at == datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
    clock.now = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # Friday: Thanksgiving skipped
    (found,) = (await service.next_deadlines([request], LIAISON)).values()
    assert found.business_days_left == -1
    assert await service.next_deadlines([], LIAISON) == {}
