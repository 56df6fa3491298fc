"""The liaison's reminder of an unaccepted FTA assignment, over HTTP: the real app on a
stepped clock, its scheduler and outbox relay, the fake Bot Connector counting what arrives.
Nobody accepted in 2 business days: one reminder, to the liaison; accepted in time: none."""

import asyncio
from datetime import timedelta

import pytest

from app import SCHEDULER
from cards.fta import ACCEPT_VERB
from tests.fakes.graph import sent_message
from tests.fakes.identity import FakeTokenCredential
from tests.harness import (
    FM,
    LIAISON,
    Chat,
    RunningBot,
    card_actions,
    card_of,
    card_text,
    make_settings,
)
from tests.schemas import assert_valid_card
from tests.test_account_team_mail_protocol import (  # noqa: F401  (the fake Graph fixture)
    graph,
    mail_settings,
)
from tests.test_fta_request_protocol import ISAIAH, WORKSHOP, request_fta
from tests.test_reminder_delivery import (
    MONDAY_9_IN_LA,
    ShiftedClock,
    next_reminder_at,
    reminders_in,
    wait_until,
)
from tests.test_reminder_protocol import invoke


@pytest.fixture
async def assigned(database_url, connector):
    """FTA-0001 assigned to Isaiah Langer on Monday 09:00 in Los Angeles (the liaison's
    zone), everyone's chat open."""
    clock = ShiftedClock(MONDAY_9_IN_LA)
    async with RunningBot(make_settings(database_url), connector, clock=clock) as bot:
        fm, liaison, isaiah = Chat(bot, FM), Chat(bot, LIAISON), Chat(bot, ISAIAH)
        for chat in (fm, liaison, isaiah):
            await chat.open()
        confirmation = await request_fta(fm, WORKSHOP)
        assert "Isaiah Langer is your FastTrack Architect" in confirmation
        yield bot, clock, liaison, isaiah


async def test_nobody_accepting_in_two_business_days_reminds_the_liaison_once(assigned):
    bot, clock, liaison, _ = assigned
    scheduler = bot.app[SCHEDULER]
    due = await next_reminder_at(bot, "FTA-0001")
    # Wednesday 09:00 in Los Angeles (and the seconds the conversation took).
    assert timedelta(0) <= due - (MONDAY_9_IN_LA + timedelta(days=2)) < timedelta(minutes=1)
    clock.now = due - timedelta(minutes=1)
    assert await scheduler.send_due() == []

    clock.now = due
    (sent,) = await scheduler.send_due()
    assert sent.recipient.aad_object_id == LIAISON["aadObjectId"]
    await wait_until(lambda: reminders_in(liaison))
    (card,) = reminders_in(liaison)
    assert_valid_card(card)
    text = card_text(card)
    assert "⏰ No FTA has accepted FTA-0001 (Discovery workshop, Contoso)" in text
    assert "It waits on Isaiah Langer; chase them, or assign another FTA of Americas" in text
    # The liaison reads the request and may snooze; Accept and Hand back are the FTA's alone.
    assert [a["verb"] for a in card_actions(card)] == ["snooze"]
    # Later the same day: nothing more; the next business day: still overdue.
    clock.now = due + timedelta(hours=3)
    assert await scheduler.send_due() == []
    clock.now = await next_reminder_at(bot, "FTA-0001")
    assert clock.now - due < timedelta(days=1, minutes=1)  # Thursday 09:00
    (again,) = await scheduler.send_due()
    assert again.recipient.aad_object_id == LIAISON["aadObjectId"]
    await wait_until(lambda: len(reminders_in(liaison)) == 2)
    assert "⏰ Still no FTA has accepted FTA-0001" in card_text(reminders_in(liaison)[-1])


async def test_the_liaison_snoozes_the_reminders_from_the_card(assigned):
    bot, clock, liaison, _ = assigned
    fm = Chat(bot, FM)
    clock.now = await next_reminder_at(bot, "FTA-0001")
    await bot.app[SCHEDULER].send_due()
    await wait_until(lambda: reminders_in(liaison))
    (card,) = reminders_in(liaison)
    until = (clock.now + timedelta(days=7)).date()

    # The requester reads the request, but the reminders are not theirs to snooze.
    _, refused = await invoke(fm, "snooze", {"requestId": "FTA-0001", "snoozeUntil": str(until)})
    assert "Only the people FTA-0001's reminders reach can snooze them." in card_text(
        refused["value"]
    )
    status, response = await liaison.click(card, "snooze", snoozeUntil=until.isoformat())
    assert status == 200
    text = card_text(response["value"])
    assert f"Reminders about FTA-0001 are snoozed until {until:%a} {until.day} {until:%b}" in text
    assert "FTA request · FTA-0001" in text
    snoozed_until = await next_reminder_at(bot, "FTA-0001")
    assert snoozed_until.date() >= until


async def test_accepted_in_time_no_reminder(assigned):
    bot, clock, liaison, isaiah = assigned
    due = await next_reminder_at(bot, "FTA-0001")
    card = await isaiah.wait_for_card("FTA request · FTA-0001")
    clock.now = due - timedelta(hours=1)
    status, _ = await isaiah.click(card, ACCEPT_VERB)
    assert status == 200
    clock.now = due + timedelta(days=5)
    assert await bot.app[SCHEDULER].send_due() == []
    assert reminders_in(liaison) == []


async def test_once_overdue_the_liaison_finds_it_in_my_approvals_until_an_fta_accepts(assigned):
    bot, clock, liaison, isaiah = assigned
    card = await isaiah.wait_for_card("FTA request · FTA-0001")
    # Before its due date it waits on the FTA alone.
    (nothing,) = await liaison.say("my approvals")
    assert nothing["text"] == "Nothing waits on you."

    clock.now = await next_reminder_at(bot, "FTA-0001") + timedelta(hours=1)
    intro, reply = await liaison.say("my approvals", replies=2)
    assert intro["text"].startswith(
        "1 FTA assignment of your area not accepted in time: chase the FTA, or assign another"
    )
    assert "- FTA-0001: FTA assignment overdue since " in intro["text"]
    assert "Assigned to Isaiah Langer, waiting for them to accept" in card_text(card_of(reply))
    assert not card_actions(card_of(reply))

    await isaiah.click(card, ACCEPT_VERB)
    (nothing,) = await liaison.say("my approvals")
    assert nothing["text"] == "Nothing waits on you."


BLOCKED = '{"error": {"code": "ConversationBlockedByUser", "message": "User blocked"}}'


def mails_to(fake_graph, address: str) -> list[dict]:
    messages = [sent_message(call) for call in fake_graph.mail]
    return [m for m in messages if m["toRecipients"] == [{"emailAddress": {"address": address}}]]


async def test_whom_teams_refuses_gets_the_fta_card_or_the_reminder_by_mail(
    database_url,
    connector,
    graph,  # noqa: F811  (the fixture)
):
    clock = ShiftedClock(MONDAY_9_IN_LA)
    settings = mail_settings(database_url, graph)
    fakes = {"graph_credential": FakeTokenCredential(), "clock": clock}
    async with RunningBot(settings, connector, **fakes) as bot:
        fm, liaison, isaiah = Chat(bot, FM), Chat(bot, LIAISON), Chat(bot, ISAIAH)
        for chat in (fm, liaison, isaiah):
            await chat.open()
        connector.fail_next(1, 403, body=BLOCKED, conversation_id=isaiah.conversation_id)
        await request_fta(fm, WORKSHOP)
        async with asyncio.timeout(5):
            while not mails_to(graph, "isaiah.langer@contoso.com"):
                await asyncio.sleep(0.05)
        (card_by_mail,) = mails_to(graph, "isaiah.langer@contoso.com")
        assert card_by_mail["subject"] == "FTA-0001: Discovery workshop for Contoso"
        assert "is assigned to you by the workload balancer" in card_by_mail["body"]["content"]

        clock.now = await next_reminder_at(bot, "FTA-0001")
        connector.fail_next(1, 403, body=BLOCKED, conversation_id=liaison.conversation_id)
        (sent,) = await bot.app[SCHEDULER].send_due()
        assert sent.recipient.display_name == "Adele Vance"
        async with asyncio.timeout(5):
            while not mails_to(graph, "adele.vance@contoso.com"):
                await asyncio.sleep(0.05)
    (reminder_by_mail,) = mails_to(graph, "adele.vance@contoso.com")
    assert "No FTA has accepted FTA-0001" in reminder_by_mail["body"]["content"]
    assert "could not reach you in Teams" in reminder_by_mail["body"]["content"]
