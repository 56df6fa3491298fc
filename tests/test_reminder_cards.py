"""Reminder cards: why the reader is reminded, the request's own buttons, a snooze, the
partner-contact question; and how far off a deadline is, in words."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from cards.approval import approval_card
from cards.reminders import (
    PARTNER_CONTACT_VERB,
    SNOOZE_INPUT,
    SNOOZE_VERB,
    due_phrase,
    partner_contact_reply,
    reminder_card,
)
from domain import non_standard_delivery
from domain.deadlines import DeadlineKind, PartnerContact, Reason, Reminder
from domain.requests import submit
from domain.roster import Person
from tests.cast import AMERICAS, BACKUP, DIRECTOR, FM, LIAISON
from tests.harness import card_actions, card_text
from tests.schemas import assert_valid_card

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tuesday 10:00 in New York
REQUEST, _ = submit(
    request_id="NSD-0001",
    kind=non_standard_delivery.KIND,
    requester=FM,
    area=AMERICAS,
    customer="Contoso",
    answers={},
    needs_director=False,
    at=datetime(2026, 11, 27, 15, 0, tzinfo=UTC),
)


def reminder(reason: Reason, recipient: Person = LIAISON, **changes) -> Reminder:
    values = {
        "key": "NSD-0001/liaison_decision/v1#0",
        "request_id": "NSD-0001",
        "kind": DeadlineKind.LIAISON_DECISION,
        "reason": reason,
        "recipient": recipient,
        "owner": LIAISON,
        "due_at": NOW,
        **changes,
    }
    return Reminder(**values)


@pytest.mark.parametrize(
    ("due_at", "left", "words"),
    [
        (datetime(2026, 12, 3, 15, 0, tzinfo=UTC), 2, "due Thu 3 Dec, in 2 business days"),
        (datetime(2026, 12, 2, 15, 0, tzinfo=UTC), 1, "due Wed 2 Dec, in 1 business day"),
        (datetime(2026, 12, 1, 19, 0, tzinfo=UTC), 0, "due today at 14:00"),
        (datetime(2026, 12, 1, 14, 0, tzinfo=UTC), 0, "overdue since 09:00 today"),
        (datetime(2026, 11, 30, 15, 0, tzinfo=UTC), -1, "overdue by 1 business day"),
        (datetime(2026, 11, 25, 15, 0, tzinfo=UTC), -3, "overdue by 3 business days"),
    ],
)
def test_how_far_off_a_deadline_is_in_words(due_at, left, words):
    assert due_phrase(due_at, left, NOW, NEW_YORK) == words


def test_the_day_is_the_readers_day():
    late_monday_in_new_york = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    assert due_phrase(late_monday_in_new_york, 1, NOW, NEW_YORK).startswith("due Mon 30 Nov")
    assert due_phrase(late_monday_in_new_york, 1, NOW, ZoneInfo("UTC")).startswith("due Tue 1 Dec")


def test_the_liaisons_reminder_has_the_approval_buttons_and_a_snooze():
    request_card = approval_card(REQUEST, [], [], actionable=True)
    card = reminder_card(
        reminder(Reason.DUE), REQUEST, request_card, "overdue by 1 business day", NOW.date()
    )
    assert_valid_card(card)
    text = card_text(card)
    assert text.startswith("⏰ Your decision on NSD-0001 (Non-standard delivery, Contoso)")
    assert "overdue by 1 business day" in text
    verbs = [action["verb"] for action in card_actions(card)]
    assert verbs == ["approve", "decline", "ask_more_info", SNOOZE_VERB]
    (snooze_date,) = [e for e in card["body"] if e.get("id") == SNOOZE_INPUT]
    assert snooze_date["type"] == "Input.Date"
    assert snooze_date["min"] == "2026-12-02"
    assert "⏰" not in card_text(request_card)  # the request's own card is left as it was


def test_the_backups_reminder_says_whose_decision_it_is_and_why_they_are_asked():
    card = reminder_card(
        reminder(Reason.BACKUP, BACKUP),
        REQUEST,
        approval_card(REQUEST, [], [], actionable=True),
        "overdue by 1 business day",
        NOW.date(),
    )
    assert_valid_card(card)
    assert "Adele Vance, the liaison, has not decided NSD-0001" in card_text(card)
    assert "As the area's backup" in card_text(card)


def test_the_directors_reminder_says_the_escalation_went_through_the_backup():
    card = reminder_card(
        reminder(Reason.DIRECTOR, DIRECTOR),
        REQUEST,
        approval_card(REQUEST, [], [], actionable=True),
        "overdue by 2 business days",
        NOW.date(),
    )
    assert "Neither the liaison (Adele Vance) nor the backup" in card_text(card)


def test_the_partner_question_offers_yes_no_and_not_yet():
    question = reminder(
        Reason.PARTNER_CONTACT_QUESTION, FM, kind=DeadlineKind.PARTNER_CONTACT, owner=FM
    )
    card = reminder_card(question, REQUEST, approval_card(REQUEST, [], []), "", NOW.date())
    assert_valid_card(card)
    assert card_text(card).startswith("Did the ACM partners contact Contoso about NSD-0001?")
    answers = [
        (a["title"], a["data"]["answer"])
        for a in card_actions(card)
        if a["verb"] == PARTNER_CONTACT_VERB
    ]
    assert answers == [("Yes", "yes"), ("No", "no"), ("Not yet", "not_yet")]


def test_a_rollout_target_reminder_names_the_target_and_has_no_snooze():
    target = reminder(
        Reason.TARGET_DATE,
        FM,
        kind=DeadlineKind.ROLLOUT_TARGET,
        owner=FM,
        subject="Teams pilot",
    )
    card = reminder_card(target, REQUEST, approval_card(REQUEST, [], []), "", NOW.date())
    assert_valid_card(card)
    assert "Today is the rollout target for Teams pilot" in card_text(card)
    assert SNOOZE_VERB not in [a["verb"] for a in card_actions(card)]


def test_no_is_answered_with_the_account_team():
    assert "account team" in partner_contact_reply(PartnerContact.NO)
    assert "two business days" in partner_contact_reply(PartnerContact.NOT_YET)
    assert "account team" not in partner_contact_reply(PartnerContact.YES)
