"""Reminder cards and the words for deadlines: why the reader is reminded, the request with
the same buttons as its approval card, a snooze, and the ACM partner-contact question.

Pure functions of domain objects; the domain says what is due and why, this module says it.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from cards.elements import execute_action
from domain.deadlines import Deadline, DeadlineKind, PartnerContact, Reason, Reminder
from domain.requests import Request

SNOOZE_VERB = "snooze"
SNOOZE_INPUT = "snoozeUntil"
PARTNER_CONTACT_VERB = "partner_contact"
PARTNER_CONTACT_CHOICES = (
    (PartnerContact.YES, "Yes", "positive"),
    (PartnerContact.NO, "No", "destructive"),
    (PartnerContact.NOT_YET, "Not yet", "default"),
)
ACCOUNT_TEAM_ADVICE = (
    "Please take it up with the account team: they can chase the partners or choose others "
    "from the Co-Sell ACM list."
)

_OWED = {
    DeadlineKind.LIAISON_DECISION: "decision",
    DeadlineKind.DIRECTOR_REVIEW: "review",
    DeadlineKind.MORE_INFO_ANSWER: "answer to the question",
    DeadlineKind.FTA_ASSIGNMENT: "FTA assignment",
}


def day_label(moment: datetime, zone: ZoneInfo) -> str:
    """e.g. "Tue 3 Dec", in the reader's time zone."""
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b}"


def due_phrase(due_at: datetime, business_days_left: int, now: datetime, zone: ZoneInfo) -> str:
    """ "due Tue 3 Dec, in 2 business days", "due today at 09:00", "overdue by 1 business day"."""
    if business_days_left > 0:
        return f"due {day_label(due_at, zone)}, in {_business_days(business_days_left)}"
    if business_days_left < 0:
        return f"overdue by {_business_days(-business_days_left)}"
    at = f"{due_at.astimezone(zone):%H:%M}"
    return f"due today at {at}" if due_at > now else f"overdue since {at} today"


def next_deadline_text(
    deadline: Deadline, business_days_left: int, now: datetime, zone: ZoneInfo
) -> str:
    """e.g. "Decision due Tue 3 Dec, in 2 business days", for lists of requests."""
    what = {
        DeadlineKind.LIAISON_DECISION: "Decision",
        DeadlineKind.DIRECTOR_REVIEW: "Director's review",
        DeadlineKind.MORE_INFO_ANSWER: "Answer to the question",
        DeadlineKind.PARTNER_CONTACT: "Partner follow-up",
        DeadlineKind.ROLLOUT_TARGET: f"Rollout target {deadline.subject}",
        DeadlineKind.FTA_ASSIGNMENT: "FTA assignment",
    }[deadline.kind]
    return f"{what} {due_phrase(deadline.due_at, business_days_left, now, zone)}"


def reminder_text(reminder: Reminder, request: Request, due: str) -> str:
    """Why the reader gets this reminder, in one paragraph."""
    what = f"{request.id} ({request.kind.label}, {request.customer})"
    owed = _OWED.get(reminder.kind, "action")
    owner = reminder.owner.display_name
    if reminder.reason is Reason.BACKUP:
        return (
            f"⏰ {owner}, the liaison, has not decided {what}: it is {due}. As the area's "
            "backup you are asked to decide it too; whoever decides first settles it."
        )
    if reminder.reason is Reason.DIRECTOR:
        return (
            f"⏰ Neither the liaison ({owner}) nor the backup has decided {what}: it is {due}. "
            "As regional director you are asked to decide it or see that it is decided."
        )
    if reminder.reason is Reason.PARTNER_CONTACT_QUESTION:
        return (
            f"Did the ACM partners contact {request.customer} about {request.id}? They were "
            "due to within three business days of the approval."
        )
    if reminder.reason is Reason.TARGET_DATE:
        return (
            f"📅 Today is the rollout target for {reminder.subject} ({what}). How is the "
            "rollout going? Follow up with the customer if it slipped."
        )
    if reminder.reason is Reason.STILL_OVERDUE:
        return f"⏰ Your {owed} on {what} is still outstanding: it is {due}."
    return f"⏰ Your {owed} on {what} is {due}."


def reminder_card(
    reminder: Reminder, request: Request, request_card: dict, due: str, today: date
) -> dict:
    """The request's card as the recipient would see it (with its buttons when they may
    act), under a line saying why they are reminded, with a snooze below."""
    card = copy.deepcopy(request_card)
    card["body"] = [
        {
            "type": "TextBlock",
            "text": reminder_text(reminder, request, due),
            "wrap": True,
            "weight": "Bolder",
        },
        *card["body"],
    ]
    if reminder.reason is Reason.PARTNER_CONTACT_QUESTION:
        card["actions"] = [
            execute_action(
                PARTNER_CONTACT_VERB,
                title,
                style,
                {"verb": PARTNER_CONTACT_VERB, "requestId": request.id, "answer": answer.value},
            )
            for answer, title, style in PARTNER_CONTACT_CHOICES
        ]
    if reminder.reason is not Reason.TARGET_DATE:
        card["body"] += snooze_section(request.id, today)
    return card


def snooze_section(request_id: str, today: date) -> list[dict]:
    """A date (tomorrow at the earliest) and a Snooze button."""
    tomorrow = today + timedelta(days=1)
    return [
        {
            "type": "Input.Date",
            "id": SNOOZE_INPUT,
            "label": "Snooze this request's reminders until",
            "min": tomorrow.isoformat(),
            "value": tomorrow.isoformat(),
            "separator": True,
        },
        {
            "type": "ActionSet",
            "actions": [
                execute_action(
                    SNOOZE_VERB,
                    "Snooze",
                    "default",
                    {"verb": SNOOZE_VERB, "requestId": request_id},
                )
            ],
        },
    ]


def snoozed_text(request_id: str, until: date) -> str:
    return f"Reminders about {request_id} are snoozed until {until:%a} {until.day} {until:%b}."


def partner_contact_reply(answer: PartnerContact) -> str:
    if answer is PartnerContact.YES:
        return "Thanks: recorded that the partners made contact."
    if answer is PartnerContact.NO:
        return f"Recorded that no partner made contact. {ACCOUNT_TEAM_ADVICE}"
    return "Recorded: not yet. I will ask again in two business days."


def _business_days(count: int) -> str:
    return f"{count} business day" + ("" if count == 1 else "s")
