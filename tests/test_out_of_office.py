"""Out of office, as Outlook's automatic replies say it, and the approvals routed around it."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain import non_standard_delivery
from domain.out_of_office import Absence, AutomaticReplies, AutoReplyStatus, absence
from domain.requests import Move, Status, apply, submit
from domain.time_zones import WINDOWS_TO_IANA, zone_named
from tests.cast import AMERICAS, BACKUP, DIRECTOR, FM, LIAISON

PACIFIC = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # Mon 30 Nov, 09:00 in Redmond
BACK_ON_TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=PACIFIC)

ALWAYS = AutomaticReplies(AutoReplyStatus.ALWAYS_ENABLED)
THIS_WEEKEND_UNTIL_TUESDAY = AutomaticReplies(
    AutoReplyStatus.SCHEDULED, datetime(2026, 11, 27, 17, 0, tzinfo=PACIFIC), BACK_ON_TUESDAY
)


def new_request(away=(), requester=FM, needs_director=False):
    request, _ = submit(
        request_id="NSD-0001",
        kind=non_standard_delivery.KIND,
        requester=requester,
        area=AMERICAS,
        customer="Contoso",
        answers={},
        needs_director=needs_director,
        at=NOW,
        away=away,
    )
    return request


def test_always_enabled_automatic_replies_mean_away_with_no_return_date():
    assert absence(LIAISON, ALWAYS, NOW) == Absence(LIAISON, None)


def test_scheduled_replies_mean_away_only_inside_the_window():
    assert absence(LIAISON, THIS_WEEKEND_UNTIL_TUESDAY, NOW) == Absence(LIAISON, BACK_ON_TUESDAY)
    assert absence(LIAISON, THIS_WEEKEND_UNTIL_TUESDAY, BACK_ON_TUESDAY) is None
    before = datetime(2026, 11, 27, 17, 0, tzinfo=PACIFIC) - timedelta(seconds=1)
    assert absence(LIAISON, THIS_WEEKEND_UNTIL_TUESDAY, before) is None


def test_disabled_or_unscheduled_replies_mean_present():
    assert absence(LIAISON, AutomaticReplies(AutoReplyStatus.DISABLED), NOW) is None
    assert absence(LIAISON, AutomaticReplies(AutoReplyStatus.SCHEDULED), NOW) is None


@pytest.mark.parametrize("text", ["alwaysEnabled", "AlwaysEnabled", "ALWAYSENABLED"])
def test_the_status_is_read_in_any_case(text):
    assert AutoReplyStatus.parse(text) is AutoReplyStatus.ALWAYS_ENABLED


def test_an_unknown_status_is_refused():
    with pytest.raises(ValueError, match="holiday"):
        AutoReplyStatus.parse("holiday")


def test_the_backup_gets_the_request_of_a_liaison_out_of_office_and_it_says_so():
    away = (Absence(LIAISON, BACK_ON_TUESDAY),)
    request = new_request(away)
    assert request.waiting_on == BACKUP
    assert request.passed_over == away


def test_the_director_gets_it_when_the_backup_is_out_of_office_too():
    away = (Absence(LIAISON, BACK_ON_TUESDAY), Absence(BACKUP, None))
    request = new_request(away)
    assert request.waiting_on == DIRECTOR
    assert request.passed_over == away


def test_an_absent_backup_changes_nothing_while_the_liaison_is_in():
    request = new_request((Absence(BACKUP, None),))
    assert request.waiting_on == LIAISON
    assert request.passed_over == ()


def test_a_director_deciding_in_place_of_both_is_the_directors_review():
    request = new_request((Absence(LIAISON, None), Absence(BACKUP, None)), needs_director=True)
    approved, _ = apply(request, DIRECTOR, Move.APPROVE, at=NOW)
    assert approved.status is Status.APPROVED


def test_an_answer_to_more_information_returns_to_the_approver_it_went_to():
    request = new_request((Absence(LIAISON, BACK_ON_TUESDAY),))
    asked, _ = apply(request, BACKUP, Move.ASK_MORE_INFO, at=NOW, comment="Which tenant?")
    answered, _ = apply(asked, FM, Move.ANSWER_MORE_INFO, at=NOW, comment="The EU one")
    assert answered.waiting_on == BACKUP


@pytest.mark.parametrize(
    ("name", "zone"),
    [
        ("Pacific Standard Time", "America/Los_Angeles"),
        ("pacific standard time", "America/Los_Angeles"),
        ("W. Europe Standard Time", "Europe/Berlin"),
        ("UTC", "Etc/UTC"),
        ("Europe/Dublin", "Europe/Dublin"),
    ],
)
def test_windows_and_iana_zone_names_are_both_understood(name, zone):
    assert zone_named(name) == ZoneInfo(zone)


@pytest.mark.parametrize("name", ["Mars Standard Time", "", "../../etc/passwd"])
def test_an_unknown_zone_name_is_none(name):
    assert zone_named(name) is None


def test_every_windows_zone_maps_to_a_zone_zoneinfo_knows():
    assert all(zone_named(name) is not None for name in WINDOWS_TO_IANA)
