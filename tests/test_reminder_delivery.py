"""Reminders reach people in Teams: the real app on a stepped clock, its scheduler and outbox
relay, the fake Bot Connector counting what arrives. Overdue gives one reminder; the
escalation goes on to the backup and the director; a decision stops it; after an outage each
due reminder comes once; two instances on one PostgreSQL database send 500 reminders once."""

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from sqlalchemy import insert

from app import ENGINE, ROSTER, SCHEDULER
from config.roster import parse_roster
from domain import non_standard_delivery
from domain.deadlines import DeadlineRules, SlaPolicy
from domain.requests import submit
from domain.roster import Person, Roster
from persistence.deadlines import DeadlineRepository
from persistence.models import RequestRow
from tests.db_fixtures import POSTGRES_URL
from tests.fakes import activities
from tests.harness import (
    BACKUP,
    DIRECTOR,
    FM,
    LIAISON,
    SAMPLE_ROSTER,
    Chat,
    RunningBot,
    card_actions,
    card_of,
    card_text,
    make_settings,
)
from tests.test_approval_protocol import submit_request

# Monday 19 October 2026, 09:00 in Los Angeles. The story stays in the past: the outbox
# delivers by real time, so a message dated in the future would wait for it.
MONDAY_9_IN_LA = datetime(2026, 10, 19, 16, 0, tzinfo=UTC)


class ShiftedClock:
    """Real time moved to another moment: it keeps running, and the test moves it on with
    `now = ...`."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    @property
    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    @now.setter
    def now(self, moment: datetime) -> None:
        self._offset = moment - datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def reminders_in(chat: Chat) -> list[dict]:
    cards = [card_of(a) for a in chat.received() if a.get("attachments")]
    return [card for card in cards if "⏰" in card_text(card)]


async def next_reminder_at(bot: RunningBot, request_id: str) -> datetime:
    records = DeadlineRepository(bot.app[ENGINE], bot.app[ROSTER])
    (deadline,) = await records.pending_for(request_id)
    assert deadline.remind_at is not None
    return deadline.remind_at


async def wait_until(condition, timeout: float = 5) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


@pytest.fixture
async def clocked(database_url, connector):
    """The app with its clock at Monday 09:00 in Los Angeles, everyone's chat open, and
    NSD-0001 submitted by the FM then."""
    clock = ShiftedClock(MONDAY_9_IN_LA)
    async with RunningBot(make_settings(database_url), connector, clock=clock) as bot:
        chats = {user["name"]: Chat(bot, user) for user in (FM, LIAISON, BACKUP, DIRECTOR)}
        for chat in chats.values():
            await chat.open()
        await submit_request(chats[FM["name"]])
        yield bot, clock, chats


async def test_an_overdue_decision_gives_the_liaison_one_reminder_with_the_buttons(clocked):
    bot, clock, chats = clocked
    liaison = chats[LIAISON["name"]]
    scheduler = bot.app[SCHEDULER]
    clock.now = await next_reminder_at(bot, "NSD-0001") - timedelta(minutes=1)
    assert await scheduler.send_due() == []

    clock.now += timedelta(minutes=1)  # Wednesday 09:00 in Los Angeles
    (sent,) = await scheduler.send_due()
    assert sent.recipient.aad_object_id == LIAISON["aadObjectId"]
    await wait_until(lambda: reminders_in(liaison))
    (card,) = reminders_in(liaison)
    assert "Your decision on NSD-0001" in card_text(card)
    assert {"approve", "decline", "ask_more_info", "snooze"} <= {
        a["verb"] for a in card_actions(card)
    }
    clock.now += timedelta(hours=3)
    assert await scheduler.send_due() == []
    await asyncio.sleep(0.3)
    assert len(reminders_in(liaison)) == 1

    # The reminder's own Approve button decides the request.
    status, response = await liaison.click(card, "approve")
    assert status == 200
    assert "Approved" in card_text(response["value"])


async def test_the_escalation_goes_to_the_backup_then_the_director_then_a_decision_ends_it(
    clocked,
):
    bot, clock, chats = clocked
    scheduler = bot.app[SCHEDULER]
    received = []
    for name in (LIAISON["name"], BACKUP["name"], DIRECTOR["name"]):
        clock.now = await next_reminder_at(bot, "NSD-0001")
        (sent,) = await scheduler.send_due()
        received.append(sent.recipient.display_name)
        await wait_until(lambda name=name: reminders_in(chats[name]))
    assert received == ["Adele Vance", "Diego Siciliani", "Lynne Robbins"]
    (backup_card,) = reminders_in(chats[BACKUP["name"]])
    assert "Adele Vance, the liaison, has not decided NSD-0001" in card_text(backup_card)
    (director_card,) = reminders_in(chats[DIRECTOR["name"]])
    assert "Neither the liaison (Adele Vance) nor the backup" in card_text(director_card)

    # The director decides from the reminder: nobody is reminded of it again.
    status, _ = await chats[DIRECTOR["name"]].click(director_card, "approve")
    assert status == 200
    await chats[FM["name"]].wait_for_text("approved by Lynne Robbins")
    clock.now += timedelta(days=20)
    assert await scheduler.send_due() == []
    records = DeadlineRepository(bot.app[ENGINE], bot.app[ROSTER])
    assert await records.pending_for("NSD-0001") == []


async def test_after_an_outage_the_due_reminder_is_sent_once(clocked):
    bot, clock, chats = clocked
    # Down from Monday to the Tuesday two weeks later, 09:00 in Los Angeles: the liaison's
    # reminder is due (the backup's and the director's come a business day apart after it).
    clock.now = MONDAY_9_IN_LA + timedelta(days=15)
    (sent,) = await bot.app[SCHEDULER].send_due()
    assert sent.recipient.display_name == "Adele Vance"
    await wait_until(lambda: reminders_in(chats[LIAISON["name"]]))
    await asyncio.sleep(0.3)
    assert len(reminders_in(chats[LIAISON["name"]])) == 1
    assert reminders_in(chats[BACKUP["name"]]) == []


async def test_a_reminder_due_at_night_waits_for_the_recipients_morning(clocked):
    bot, clock, _ = clocked
    due = await next_reminder_at(bot, "NSD-0001")  # Wednesday 09:00 in Los Angeles
    clock.now = due + timedelta(hours=12)  # 21:00 there, when the bot came back
    assert await bot.app[SCHEDULER].send_due() == []
    morning = await next_reminder_at(bot, "NSD-0001")
    assert morning > clock.now
    hours = bot.app[ROSTER].working_hours_of(Person("Adele Vance", LIAISON["aadObjectId"], ""))
    assert hours.is_working(morning)
    clock.now = morning
    assert len(await bot.app[SCHEDULER].send_due()) == 1


# --- two instances, 500 reminders ------------------------------------------------------------

AREAS = 50
PER_AREA = 10


def guid(n: int) -> str:
    return f"{n:08d}-0000-4000-8000-000000000000"


def many_liaisons_roster() -> tuple[Roster, list[dict]]:
    """50 areas, each with its own liaison (a Teams user of the fake connector)."""
    sample = yaml.safe_load(SAMPLE_ROSTER.read_text())
    template = sample["areas"][0]
    areas, users = [], []
    for n in range(AREAS):
        liaison = {
            "name": f"Liaison {n}",
            "aad_object_id": guid(1000 + n),
            "email": f"liaison{n}@contoso.com",
            "working_hours": {"time_zone": "UTC", "start": "00:00", "end": "23:59"},
        }
        areas.append(template | {"code": f"area-{n}", "name": f"Area {n}", "liaison": liaison})
        users.append(
            {
                "id": f"29:liaison-{n}",
                "name": liaison["name"],
                "aadObjectId": liaison["aad_object_id"],
            }
        )
    return parse_roster(sample | {"areas": areas}), users


async def seed_due_deadlines(bot: RunningBot, now: datetime) -> None:
    roster = bot.app[ROSTER]
    rules = DeadlineRules(SlaPolicy(), roster.working_hours_of)
    requester = Person("Alex Wilber", FM["aadObjectId"], "alex@contoso.com")
    requests, deadlines = [], []
    for n in range(AREAS * PER_AREA):
        request, _ = submit(
            request_id=f"NSD-{n + 1:04d}",
            kind=non_standard_delivery.KIND,
            requester=requester,
            area=roster.areas[n % AREAS],
            customer="Contoso",
            answers={},
            needs_director=False,
            at=now - timedelta(days=7),
        )
        requests.append(request)
        deadlines += rules.after_submission(request, now - timedelta(days=7))
    async with bot.app[ENGINE].begin() as connection:
        await connection.execute(insert(RequestRow), [_row(r) for r in requests])
    await DeadlineRepository(bot.app[ENGINE], roster).add(deadlines, now)


def _row(request) -> dict:
    return {
        "id": request.id,
        "kind": request.kind.name,
        "status": request.status.value,
        "version": request.version,
        "requester_aad_object_id": request.requester.aad_object_id,
        "requester_name": request.requester.display_name,
        "requester_email": request.requester.email,
        "area_code": request.area.code,
        "customer": request.customer,
        "answers": {},
        "needs_director": False,
        "waiting_on_aad_object_id": request.waiting_on.aad_object_id,
        "waiting_on_name": request.waiting_on.display_name,
        "waiting_on_email": request.waiting_on.email,
        "outcome": "",
        "submitted_at": request.submitted_at,
        "updated_at": request.submitted_at,
    }


@pytest.mark.postgres
async def test_two_instances_send_500_due_reminders_each_once(require_postgres, connector):
    roster, liaisons = many_liaisons_roster()
    clock = ShiftedClock(MONDAY_9_IN_LA)
    settings = make_settings(
        POSTGRES_URL, outbox_rate_per_conversation=7, outbox_rate_per_tenant=50
    )
    async with (
        RunningBot(settings, connector, clock=clock, roster=roster) as first,
        RunningBot(settings, connector, clock=clock, roster=roster) as second,
    ):
        for user in liaisons:
            await first.say(
                activities.members_added(
                    service_url=connector.service_url,
                    conversation_id=f"a:personal-chat-{user['id']}",
                    members=[activities.BOT],
                )
                | {"from": user}
            )
        await seed_due_deadlines(first, MONDAY_9_IN_LA)
        clock.now = MONDAY_9_IN_LA + timedelta(days=2)  # Wednesday: a week overdue
        sent = await asyncio.gather(
            first.app[SCHEDULER].send_due(), second.app[SCHEDULER].send_due()
        )
        assert sum(len(batch) for batch in sent) == AREAS * PER_AREA
        assert all(sent), "both instances took part"

        def reminders() -> list[str]:
            found = []
            for activity in connector.activities():
                if activity.get("attachments"):
                    text = card_text(card_of(activity))
                    if "⏰" in text:
                        found.append(text.split(" on ")[1].split(" ")[0])
            return found

        await wait_until(lambda: len(reminders()) >= AREAS * PER_AREA, timeout=40)
        await asyncio.sleep(0.5)
    counts = Counter(reminders())
    assert len(counts) == AREAS * PER_AREA
    assert set(counts.values()) == {1}
