"""Deadlines over HTTP: an escalated decision can be taken by the backup, a request's reminders
are snoozed from a card, and the FM's answer to the partner-contact question is recorded."""

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from app import ENGINE, ROSTER
from domain.deadlines import (
    DeadlineKind,
    DeadlineRules,
    DeadlineState,
    Fired,
    SlaPolicy,
)
from domain.requests import Move
from persistence.deadlines import DeadlineRepository
from persistence.requests import RequestRepository
from tests.db_fixtures import STORED_KINDS
from tests.fakes import activities
from tests.harness import BACKUP, Chat, card_actions, card_of, card_text
from tests.test_approval_protocol import submitted_to_the_liaison

LATER = timedelta(days=30)


def deadlines(bot) -> DeadlineRepository:
    return DeadlineRepository(bot.app[ENGINE], bot.app[ROSTER])


async def invoke(chat: Chat, verb: str, data: dict) -> tuple[int, dict]:
    """Press a button `verb` with `data`, as Teams does: an invoke."""
    action = activities.card_action(
        verb,
        {"verb": verb, **data},
        service_url=chat.bot.connector.service_url,
        conversation_id=chat.conversation_id,
    )
    action["from"] = chat.user
    async with chat.bot.http.post(f"{chat.bot.url}/api/messages", json=action) as response:
        return response.status, await response.json()


async def send_reminders(bot, steps: int) -> None:
    """What the scheduler does when `steps` reminders of the liaison's decision fell due."""
    records = deadlines(bot)
    rules = DeadlineRules(SlaPolicy(), bot.app[ROSTER].working_hours_of)
    for _ in range(steps):
        (pending,) = await records.pending_for("NSD-0001")
        # A weekday, 10:00 in Berlin, 09:00 in New York... within everyone's hours.
        now = max(pending.remind_at or pending.due_at, datetime.now(UTC)) + LATER
        now = rules.hours_of(pending.target).next_working_moment(now, pending.area.calendar)
        (claimed,) = await records.claim_due(now, lease=timedelta(minutes=1), limit=1, token="t")
        fired = rules.fire(claimed, now)
        assert isinstance(fired, Fired)
        assert await records.advance(claimed, "t", fired.deadline, now, None)


async def test_once_escalated_the_backup_decides_in_the_liaisons_place(bot):
    fm, _, _ = await submitted_to_the_liaison(bot)
    backup = Chat(bot, BACKUP)
    await backup.open()
    # Before the escalation, the backup sees the request without buttons and cannot decide.
    _, response = await invoke(backup, "refresh", {"requestId": "NSD-0001"})
    assert "actions" not in response["value"]
    _, response = await invoke(backup, "approve", {"requestId": "NSD-0001", "version": 1})
    assert "only they can decide it" in card_text(response["value"])

    await send_reminders(bot, steps=2)  # the liaison's reminder, then the backup's

    _, response = await invoke(backup, "refresh", {"requestId": "NSD-0001"})
    card = response["value"]
    assert {a["verb"] for a in card_actions(card)} >= {"approve", "decline"}
    status, response = await backup.click(card, "approve")
    assert status == 200
    assert "Approved" in card_text(response["value"])
    await fm.wait_for_text("NSD-0001 for Contoso was approved by Diego Siciliani")
    # The decision closed the deadline: nobody is reminded of it any more.
    assert await deadlines(bot).pending_for("NSD-0001") == []


async def test_reminders_are_snoozed_from_the_card(bot):
    _, liaison, _ = await submitted_to_the_liaison(bot)
    until = datetime.now(UTC).date() + timedelta(days=10)
    status, response = await invoke(
        liaison, "snooze", {"requestId": "NSD-0001", "snoozeUntil": until.isoformat()}
    )
    assert status == 200
    assert f"snoozed until {until:%a} {until.day} {until:%b}" in card_text(response["value"])
    (deadline,) = await deadlines(bot).pending_for("NSD-0001")
    hours = bot.app[ROSTER].working_hours_of(deadline.target)
    assert deadline.remind_at.astimezone(hours.zone).date() >= until

    _, response = await invoke(
        liaison, "snooze", {"requestId": "NSD-0001", "snoozeUntil": "2020-01-01"}
    )
    assert "Pick a date after today" in card_text(response["value"])
    _, response = await invoke(liaison, "snooze", {"requestId": "NSD-0001", "snoozeUntil": "x"})
    assert "pick the date to snooze until" in card_text(response["value"])


async def test_the_partner_contact_answer_is_recorded_and_decides_what_follows(bot):
    fm, liaison, card = await submitted_to_the_liaison(bot)
    await liaison.click(card, "approve")
    requests = RequestRepository(bot.app[ENGINE], bot.app[ROSTER], kinds=STORED_KINDS)
    approved = await requests.get("NSD-0001")
    rules = DeadlineRules(SlaPolicy(), bot.app[ROSTER].working_hours_of)
    now = datetime.now(UTC)
    question = rules.partner_contact(approved, now, within_days=3)
    await deadlines(bot).add([replace(question, remind_at=now + timedelta(days=5))], now)

    _, response = await invoke(
        fm, "partner_contact", {"requestId": "NSD-0001", "answer": "not_yet"}
    )
    assert "I will ask again in two business days" in card_text(response["value"])
    (again,) = await deadlines(bot).pending_for("NSD-0001")
    assert again.state is DeadlineState.OPEN
    # Two business days on (a weekend or a holiday may make it more), not the five days
    # the question was due in.
    assert now + timedelta(days=2) <= again.remind_at < now + timedelta(days=5)

    _, response = await invoke(fm, "partner_contact", {"requestId": "NSD-0001", "answer": "no"})
    assert "take it up with the account team" in card_text(response["value"])
    assert await deadlines(bot).pending_for("NSD-0001") == []
    trail = await requests.audit_trail("NSD-0001")
    assert [(e.move, e.comment) for e in trail if e.move is Move.RECORD_PARTNER_CONTACT] == [
        (Move.RECORD_PARTNER_CONTACT, "Not yet"),
        (Move.RECORD_PARTNER_CONTACT, "No"),
    ]
    (partner,) = [
        d for d in await deadlines(bot).all_for("NSD-0001") if d.kind == "partner_contact"
    ]
    assert partner.kind is DeadlineKind.PARTNER_CONTACT
    assert partner.state is DeadlineState.CLOSED

    # Only the requester answers.
    _, response = await invoke(
        liaison, "partner_contact", {"requestId": "NSD-0001", "answer": "yes"}
    )
    assert "Only Alex Wilber" in card_text(response["value"])


async def test_my_approvals_and_my_requests_show_the_next_deadline(bot):
    fm, liaison, _ = await submitted_to_the_liaison(bot)
    (intro, _card) = await liaison.say("my approvals", replies=2)
    assert re.search(
        r"NSD-0001: Decision due \w{3} \d{1,2} \w{3}, in 2 business days", intro["text"]
    ), intro["text"]
    (listing,) = await fm.say("my requests")
    assert re.search(
        r"⏰ Decision due \w{3} \d{1,2} \w{3}, in 2 business days", card_text(card_of(listing))
    )
