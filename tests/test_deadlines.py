"""Deadlines and their reminders as a pure state machine: what each move opens and closes,
the escalation chain, repeats, snooze, the partner-contact question and catch-up after
downtime, in the area's business days and each recipient's working hours.

The people work in three time zones: the liaison in Los Angeles (08:00-17:00), the backup in
Berlin (08:30-17:30), the director and the FM in New York (09:00-17:00). The area keeps US
holidays: Thanksgiving is Thursday 26 November 2026.
"""

from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from domain import non_standard_delivery
from domain.deadlines import (
    Deadline,
    DeadlineChange,
    DeadlineKind,
    DeadlineRules,
    DeadlineState,
    Fired,
    PartnerContact,
    Postponed,
    Reason,
    Reminder,
    SlaPolicy,
    SnoozeError,
    after_fta_move,
    stand_ins,
)
from domain.fta_assignment import (
    FtaLoad,
    FtaRequest,
    FtaRequestType,
    FtaStatus,
    accept,
    hand_back,
    place,
)
from domain.requests import Move, Request, Status, apply, submit
from domain.roster import Area, Fta, Person
from domain.working_hours import WorkingHours
from tests.cast import AMERICAS, BACKUP, DIRECTOR, FM, LIAISON

HOURS = {
    LIAISON.aad_object_id: WorkingHours(ZoneInfo("America/Los_Angeles"), time(8), time(17)),
    BACKUP.aad_object_id: WorkingHours(ZoneInfo("Europe/Berlin"), time(8, 30), time(17, 30)),
    DIRECTOR.aad_object_id: WorkingHours(ZoneInfo("America/New_York")),
    FM.aad_object_id: WorkingHours(ZoneInfo("America/New_York")),
}
RULES = DeadlineRules(SlaPolicy(), lambda person: HOURS[person.aad_object_id])

MONDAY_9_PST = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # Mon 23 Nov, 09:00 in Los Angeles


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def submitted(
    at: datetime = MONDAY_9_PST, area: Area = AMERICAS, needs_director: bool = False
) -> Request:
    request, _ = submit(
        request_id="NSD-0001",
        kind=non_standard_delivery.KIND,
        requester=FM,
        area=area,
        customer="Contoso",
        answers={},
        needs_director=needs_director,
        at=at,
    )
    return request


def moved(request: Request, actor: Person, move: Move, at: datetime) -> Request:
    updated, _ = apply(request, actor, move, at=at, comment="why")
    return updated


def send_due(deadline: Deadline, now: datetime) -> tuple[list[Reminder], Deadline]:
    """What a scheduler's pass at `now` does: fire the deadline as long as it is due."""
    sent = []
    while deadline.state is DeadlineState.OPEN and deadline.remind_at <= now:
        result = RULES.fire(deadline, now)
        if isinstance(result, Postponed):
            return sent, result.deadline
        sent.append(result.reminder)
        deadline = result.deadline
    return sent, deadline


def fire(deadline: Deadline) -> Fired:
    result = RULES.fire(deadline, deadline.remind_at)
    assert isinstance(result, Fired)
    return result


# --- what moves open and close --------------------------------------------------------------


def test_a_submission_opens_the_liaisons_decision_two_business_days_later():
    (deadline,) = RULES.after_submission(submitted(), MONDAY_9_PST)
    assert deadline.kind is DeadlineKind.LIAISON_DECISION
    assert deadline.owner == deadline.target == LIAISON
    assert deadline.due_at == utc(2026, 11, 25, 17, 0)  # Wednesday 09:00 in Los Angeles
    assert deadline.remind_at == deadline.due_at
    assert deadline.state is DeadlineState.OPEN
    assert deadline.step == 0
    assert deadline.key == "NSD-0001/liaison_decision/v1"


def test_the_decision_time_is_configurable():
    rules = replace(RULES, policy=SlaPolicy(liaison_decision_days=1))
    (deadline,) = rules.after_submission(submitted(), MONDAY_9_PST)
    assert deadline.due_at == utc(2026, 11, 24, 17, 0)


def test_a_submission_in_the_evening_is_reminded_of_in_the_morning():
    friday_evening = utc(2026, 11, 21, 2, 0)  # Fri 20 Nov 18:00 in Los Angeles
    (deadline,) = RULES.after_submission(submitted(friday_evening), friday_evening)
    assert deadline.due_at == utc(2026, 11, 25, 2, 0)  # Tue 24 Nov 18:00 in Los Angeles
    assert deadline.remind_at == utc(2026, 11, 25, 16, 0)  # Wed 25 Nov 08:00


def test_each_move_closes_what_it_answers_and_opens_what_it_makes_owed():
    request = submitted()
    asked = moved(request, LIAISON, Move.ASK_MORE_INFO, utc(2026, 11, 24, 16, 0))
    change = RULES.after_move(asked, Move.ASK_MORE_INFO, utc(2026, 11, 24, 16, 0))
    assert change.closes == {DeadlineKind.LIAISON_DECISION}
    (answer,) = change.opens
    assert (answer.kind, answer.owner, answer.target) == (DeadlineKind.MORE_INFO_ANSWER, FM, FM)
    assert answer.due_at == utc(2026, 11, 25, 16, 0)  # a business day, 11:00 in New York

    answered = moved(asked, FM, Move.ANSWER_MORE_INFO, utc(2026, 11, 25, 15, 0))
    change = RULES.after_move(answered, Move.ANSWER_MORE_INFO, utc(2026, 11, 25, 15, 0))
    assert change.closes == {DeadlineKind.MORE_INFO_ANSWER}
    (decision,) = change.opens
    assert decision.kind is DeadlineKind.LIAISON_DECISION
    # A second round is a deadline of its own, with reminders of its own.
    assert decision.key == "NSD-0001/liaison_decision/v3"

    approved = moved(answered, LIAISON, Move.APPROVE, utc(2026, 11, 25, 18, 0))
    change = RULES.after_move(approved, Move.APPROVE, utc(2026, 11, 25, 18, 0))
    assert change.closes == {DeadlineKind.LIAISON_DECISION, DeadlineKind.DIRECTOR_REVIEW}
    assert change.opens == ()


def test_an_approval_that_needs_the_director_opens_the_review():
    at = utc(2026, 11, 30, 15, 0)  # Monday 10:00 in New York
    approved = moved(submitted(needs_director=True), LIAISON, Move.APPROVE, at)
    assert approved.status is Status.DIRECTOR_REVIEW
    change = RULES.after_move(approved, Move.APPROVE, at)
    assert DeadlineKind.LIAISON_DECISION in change.closes
    (review,) = change.opens
    assert (review.kind, review.owner) == (DeadlineKind.DIRECTOR_REVIEW, DIRECTOR)
    assert review.due_at == utc(2026, 12, 2, 15, 0)


@pytest.mark.parametrize(
    ("move", "actor"),
    [(Move.DECLINE, LIAISON), (Move.CANCEL, FM)],
)
def test_a_decline_or_a_cancel_leaves_nothing_owed(move, actor):
    done = moved(submitted(), actor, move, utc(2026, 11, 24, 16, 0))
    change = RULES.after_move(done, move, utc(2026, 11, 24, 16, 0))
    assert change.closes == set(DeadlineKind)
    assert change.opens == ()


def test_recording_the_outcome_closes_the_follow_ups_too():
    approved = moved(submitted(), LIAISON, Move.APPROVE, utc(2026, 11, 24, 16, 0))
    closed = moved(approved, FM, Move.RECORD_OUTCOME, utc(2026, 11, 30, 16, 0))
    change = RULES.after_move(closed, Move.RECORD_OUTCOME, utc(2026, 11, 30, 16, 0))
    assert {DeadlineKind.PARTNER_CONTACT, DeadlineKind.ROLLOUT_TARGET} <= change.closes


# --- reminders and escalation ---------------------------------------------------------------


def test_nothing_is_sent_before_it_is_due():
    (deadline,) = RULES.after_submission(submitted(), MONDAY_9_PST)
    with pytest.raises(ValueError, match="not due"):
        RULES.fire(deadline, utc(2026, 11, 25, 16, 59))
    sent, unchanged = send_due(deadline, utc(2026, 11, 25, 16, 59))
    assert sent == []
    assert unchanged == deadline


def test_an_overdue_decision_gives_one_reminder_to_the_liaison():
    (deadline,) = RULES.after_submission(submitted(), MONDAY_9_PST)
    sent, after = send_due(deadline, utc(2026, 11, 25, 17, 0))
    assert [(r.recipient, r.reason, r.key) for r in sent] == [
        (LIAISON, Reason.DUE, "NSD-0001/liaison_decision/v1#0")
    ]
    assert sent[0].owner == LIAISON
    assert sent[0].due_at == deadline.due_at
    assert after.step == 1
    assert after.target == BACKUP


def test_the_escalation_goes_to_the_backup_then_the_director_then_stops():
    (deadline,) = RULES.after_submission(submitted(), MONDAY_9_PST)
    to_liaison = fire(deadline)

    to_backup = fire(to_liaison.deadline)
    # A business day after the liaison's reminder (Wed 09:00 in LA, 18:00 in Berlin), with
    # Thanksgiving skipped: Friday 18:00 in Berlin is after hours, so Monday 08:30 there.
    assert to_liaison.deadline.remind_at == utc(2026, 11, 30, 7, 30)
    assert (to_backup.reminder.recipient, to_backup.reminder.reason) == (BACKUP, Reason.BACKUP)
    assert to_backup.reminder.owner == LIAISON  # the card says whose decision it is

    to_director = fire(to_backup.deadline)
    # A business day later: Tue 1 Dec, 09:00 in New York.
    assert to_backup.deadline.remind_at == utc(2026, 12, 1, 14, 0)
    assert (to_director.reminder.recipient, to_director.reminder.reason) == (
        DIRECTOR,
        Reason.DIRECTOR,
    )

    assert to_director.deadline.state is DeadlineState.ESCALATED
    assert to_director.deadline.remind_at is None
    assert to_director.deadline.is_pending  # still owed: shown as overdue
    keys = [to_liaison.reminder.key, to_backup.reminder.key, to_director.reminder.key]
    assert len(set(keys)) == 3
    with pytest.raises(ValueError, match="no reminder"):
        RULES.fire(to_director.deadline, utc(2026, 12, 10, 15, 0))


def test_whoever_the_escalation_reached_may_decide_in_the_liaisons_place():
    (deadline,) = RULES.after_submission(submitted(), MONDAY_9_PST)
    assert stand_ins([deadline]) == frozenset()
    to_liaison = fire(deadline)
    assert stand_ins([to_liaison.deadline]) == frozenset()
    to_backup = fire(to_liaison.deadline)
    assert stand_ins([to_backup.deadline]) == {BACKUP.aad_object_id}
    to_director = fire(to_backup.deadline)
    assert stand_ins([to_director.deadline]) == {BACKUP.aad_object_id, DIRECTOR.aad_object_id}
    assert stand_ins([to_director.deadline.closed()]) == frozenset()


def test_while_the_liaison_is_away_the_backup_is_reminded_first_then_the_director():
    away = replace(AMERICAS, liaison_away=True)
    (deadline,) = RULES.after_submission(submitted(area=away), MONDAY_9_PST)
    assert deadline.owner == BACKUP
    first = fire(deadline)
    second = fire(first.deadline)
    assert [first.reminder.recipient, second.reminder.recipient] == [BACKUP, DIRECTOR]
    assert [first.reminder.reason, second.reminder.reason] == [Reason.DUE, Reason.DIRECTOR]
    assert second.deadline.state is DeadlineState.ESCALATED


def test_an_overdue_director_review_is_reminded_every_business_day():
    at = utc(2026, 11, 30, 15, 0)
    approved = moved(submitted(needs_director=True), LIAISON, Move.APPROVE, at)
    (review,) = RULES.after_move(approved, Move.APPROVE, at).opens
    times, reasons = [], []
    for _ in range(4):
        times.append(review.remind_at)
        result = fire(review)
        reasons.append(result.reminder.reason)
        assert result.reminder.recipient == DIRECTOR
        review = result.deadline
    assert times == [
        utc(2026, 12, 2, 15, 0),  # Wednesday, when due
        utc(2026, 12, 3, 15, 0),
        utc(2026, 12, 4, 15, 0),
        utc(2026, 12, 7, 15, 0),  # Monday: the weekend is skipped
    ]
    assert reasons == [Reason.DUE, *[Reason.STILL_OVERDUE] * 3]


def test_the_fm_owes_the_answer_after_one_business_day_then_daily():
    at = utc(2026, 11, 24, 16, 0)
    asked = moved(submitted(), LIAISON, Move.ASK_MORE_INFO, at)
    (answer,) = RULES.after_move(asked, Move.ASK_MORE_INFO, at).opens
    first = fire(answer)
    assert (first.reminder.recipient, first.reminder.reason) == (FM, Reason.DUE)
    assert first.reminder.key == "NSD-0001/more_info_answer/v2#0"
    # Thanksgiving is not a business day: Friday, 11:00 in New York.
    assert first.deadline.remind_at == utc(2026, 11, 27, 16, 0)
    second = fire(first.deadline)
    assert second.reminder.reason is Reason.STILL_OVERDUE


def test_after_downtime_each_due_reminder_is_sent_once():
    at = utc(2026, 11, 30, 15, 0)
    approved = moved(submitted(needs_director=True), LIAISON, Move.APPROVE, at)
    (review,) = RULES.after_move(approved, Move.APPROVE, at).opens
    # Due Wednesday 2 December; the bot was down until the next Tuesday: four daily
    # reminders were missed, one is sent, and the next comes a business day later.
    back_up = utc(2026, 12, 8, 15, 0)
    sent, after = send_due(review, back_up)
    assert [r.key for r in sent] == ["NSD-0001/director_review/v2#0"]
    assert after.remind_at == utc(2026, 12, 9, 15, 0)


def test_a_reminder_due_while_its_recipient_is_off_waits_for_their_working_hours():
    at = utc(2026, 11, 30, 15, 0)
    approved = moved(submitted(needs_director=True), LIAISON, Move.APPROVE, at)
    (review,) = RULES.after_move(approved, Move.APPROVE, at).opens
    saturday = utc(2026, 12, 5, 12, 0)  # the bot comes back at the weekend
    result = RULES.fire(review, saturday)
    assert isinstance(result, Postponed)
    assert result.deadline.remind_at == utc(2026, 12, 7, 14, 0)  # Monday 09:00 in New York
    assert result.deadline.step == review.step
    sent, _ = send_due(review, saturday)
    assert sent == []


def test_the_same_moment_is_working_time_for_the_backup_but_night_for_the_liaison():
    (deadline,) = RULES.after_submission(submitted(), MONDAY_9_PST)
    berlin_morning = utc(2026, 11, 25, 8, 0)  # 09:00 in Berlin, 00:00 in Los Angeles
    late = replace(deadline, remind_at=utc(2026, 11, 25, 7, 0))
    assert isinstance(RULES.fire(late, berlin_morning), Postponed)
    assert isinstance(RULES.fire(replace(late, target=BACKUP), berlin_morning), Fired)


# --- snooze ---------------------------------------------------------------------------------


def test_snoozing_holds_the_reminders_until_the_start_of_that_day():
    (deadline,) = RULES.after_submission(submitted(), MONDAY_9_PST)
    snoozed = RULES.snooze(deadline, date(2026, 11, 30), now=utc(2026, 11, 24, 18, 0))
    assert snoozed.remind_at == utc(2026, 11, 30, 16, 0)  # Monday 08:00 in Los Angeles
    assert snoozed.due_at == deadline.due_at  # it is still due when it was
    sent, _ = send_due(snoozed, utc(2026, 11, 27, 20, 0))
    assert sent == []
    sent, _ = send_due(snoozed, utc(2026, 11, 30, 16, 0))
    assert [r.recipient for r in sent] == [LIAISON]


def test_snoozing_never_brings_a_reminder_forward():
    (deadline,) = RULES.after_submission(submitted(), MONDAY_9_PST)
    # The reminder is Wednesday 09:00; snoozed "until Wednesday" it stays at 09:00, not 08:00.
    assert RULES.snooze(deadline, date(2026, 11, 25), now=MONDAY_9_PST) == deadline


@pytest.mark.parametrize("until", [date(2026, 11, 23), date(2026, 11, 20)])
def test_a_snooze_must_end_after_today(until):
    (deadline,) = RULES.after_submission(submitted(), MONDAY_9_PST)
    with pytest.raises(SnoozeError, match="after today"):
        RULES.snooze(deadline, until, now=MONDAY_9_PST)


def test_today_is_the_targets_today():
    (deadline,) = RULES.after_submission(submitted(), MONDAY_9_PST)
    # Tuesday 02:00 UTC is still Monday evening in Los Angeles: "until Tuesday" is tomorrow.
    snoozed = RULES.snooze(deadline, date(2026, 11, 24), now=utc(2026, 11, 24, 2, 0))
    assert snoozed == deadline  # Tuesday 08:00 is before the reminder anyway


# --- the ACM partner-contact question --------------------------------------------------------


def partner_question() -> Deadline:
    approved_at = utc(2026, 11, 23, 15, 0)  # Monday 10:00 in New York
    approved = moved(submitted(), LIAISON, Move.APPROVE, approved_at)
    return RULES.partner_contact(approved, approved_at, within_days=3)


def test_the_fm_is_asked_three_business_days_after_the_approval():
    question = partner_question()
    assert question.due_at == utc(2026, 11, 27, 15, 0)  # Thanksgiving skipped: Friday
    result = fire(question)
    assert (result.reminder.recipient, result.reminder.reason) == (
        FM,
        Reason.PARTNER_CONTACT_QUESTION,
    )


def test_not_yet_asks_again_two_business_days_later():
    asked = fire(partner_question()).deadline
    again = RULES.answer_partner_contact(asked, PartnerContact.NOT_YET, utc(2026, 11, 27, 16, 0))
    assert again.state is DeadlineState.OPEN
    assert again.remind_at == utc(2026, 12, 1, 16, 0)
    second = fire(again)
    assert second.reminder.key != fire(partner_question()).reminder.key


@pytest.mark.parametrize("answer", [PartnerContact.YES, PartnerContact.NO])
def test_yes_or_no_closes_the_question(answer):
    asked = fire(partner_question()).deadline
    closed = RULES.answer_partner_contact(asked, answer, utc(2026, 11, 27, 16, 0))
    assert closed.state is DeadlineState.CLOSED
    assert closed.remind_at is None
    assert not closed.is_pending


def test_an_unanswered_question_is_asked_again_two_business_days_later():
    asked = fire(partner_question()).deadline
    assert asked.state is DeadlineState.OPEN
    assert asked.remind_at == utc(2026, 12, 1, 15, 0)


def test_only_the_partner_question_takes_an_answer():
    (deadline,) = RULES.after_submission(submitted(), MONDAY_9_PST)
    with pytest.raises(ValueError, match="not a partner contact question"):
        RULES.answer_partner_contact(deadline, PartnerContact.YES, MONDAY_9_PST)


# --- COVID rollout targets and FTA assignment ------------------------------------------------


@pytest.mark.parametrize(
    ("on", "reminded_at"),
    [
        (date(2026, 12, 3), utc(2026, 12, 3, 14, 0)),  # Thursday, 09:00 in New York
        (date(2026, 11, 28), utc(2026, 11, 30, 14, 0)),  # a Saturday: Monday
        (date(2026, 11, 26), utc(2026, 11, 27, 14, 0)),  # Thanksgiving: Friday
    ],
)
def test_a_rollout_target_is_reminded_of_on_its_date(on, reminded_at):
    target = RULES.rollout_target(submitted(), "Teams pilot", on, number=1)
    assert (target.kind, target.target, target.subject) == (
        DeadlineKind.ROLLOUT_TARGET,
        FM,
        "Teams pilot",
    )
    assert target.remind_at == reminded_at
    result = fire(target)
    assert result.reminder.reason is Reason.TARGET_DATE
    assert result.reminder.subject == "Teams pilot"
    assert result.deadline.state is DeadlineState.CLOSED


def test_several_rollout_targets_have_keys_of_their_own():
    request = submitted()
    first = RULES.rollout_target(request, "Pilot", date(2026, 12, 3), number=1)
    second = RULES.rollout_target(request, "Pilot", date(2026, 12, 3), number=2)
    assert first.key != second.key


MEGAN = Person("Megan Bowen", "55555555-5555-4555-8555-555555555555", "megan@contoso.com")
ISAIAH = Person("Isaiah Langer", "66666666-6666-4666-8666-666666666666", "isaiah@contoso.com")
AMERICAS_WITH_FTAS = replace(AMERICAS, ftas=(Fta(MEGAN), Fta(ISAIAH)))


def fta_request(ftas: tuple[FtaLoad, ...] = (), area: Area = AMERICAS_WITH_FTAS) -> FtaRequest:
    loads = ftas or tuple(FtaLoad(fta.person, 0, None) for fta in area.ftas)
    return place("FTA-0001", FtaRequestType.DISCOVERY_WORKSHOP, area, FM, {}, loads)


def test_an_unaccepted_fta_assignment_reminds_the_liaison_two_business_days_on():
    (assignment,) = RULES.at_fta_submission(fta_request(), MONDAY_9_PST)
    assert (assignment.owner, assignment.target) == (LIAISON, LIAISON)
    assert assignment.kind is DeadlineKind.FTA_ASSIGNMENT
    # Wednesday 09:00 in Los Angeles, the liaison's zone.
    assert assignment.due_at == assignment.remind_at == utc(2026, 11, 25, 17, 0)
    sent, unchanged = send_due(assignment, utc(2026, 11, 25, 16, 59))
    assert (sent, unchanged) == ([], assignment)
    first = fire(assignment)
    assert (first.reminder.reason, first.reminder.recipient) == (Reason.DUE, LIAISON)
    # Then every business day, Thanksgiving skipped, until an FTA accepts.
    assert first.deadline.remind_at == utc(2026, 11, 27, 17, 0)
    assert fire(first.deadline).reminder.reason is Reason.STILL_OVERDUE


def test_nobody_available_opens_no_fta_deadline():
    nobody = fta_request(area=AMERICAS)  # no FTAs in this area
    assert nobody.status is FtaStatus.UNASSIGNED
    assert RULES.at_fta_submission(nobody, MONDAY_9_PST) == ()


def test_accept_closes_the_fta_deadline_a_hand_back_keeps_its_due_date():
    request = fta_request()
    assert request.fta == ISAIAH  # a tie: by name
    loads = [FtaLoad(MEGAN, 0, None), FtaLoad(ISAIAH, 1, MONDAY_9_PST)]
    to_megan = hand_back(request, ISAIAH, "On leave", loads, MONDAY_9_PST)
    # The deadline stands as it was opened: due two business days after the request.
    assert after_fta_move(to_megan) == DeadlineChange(frozenset(), ())
    closing = DeadlineChange(frozenset({DeadlineKind.FTA_ASSIGNMENT}), ())
    assert after_fta_move(accept(to_megan, MEGAN)) == closing
    # Nobody left: the liaison is alerted at once and assigns by hand; no reminder follows.
    nobody = hand_back(to_megan, MEGAN, "Conflict", loads, MONDAY_9_PST)
    assert nobody.status is FtaStatus.UNASSIGNED
    assert after_fta_move(nobody) == closing


# --- how far off a deadline is ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "left"),
    [
        (utc(2026, 11, 23, 17, 0), 2),  # Monday: due Wednesday
        (utc(2026, 11, 25, 16, 0), 0),  # due today
        (utc(2026, 11, 27, 17, 0), -1),  # Friday: Thanksgiving does not count
        (utc(2026, 11, 30, 17, 0), -2),
    ],
)
def test_business_days_left_count_in_the_viewers_calendar(now, left):
    (deadline,) = RULES.after_submission(submitted(), MONDAY_9_PST)
    assert RULES.business_days_left(deadline, now, LIAISON) == left
