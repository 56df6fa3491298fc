"""Card action data is read in one place: every field typed, anything else refused with why."""

from datetime import date

import pytest

from cards.actions import (
    AnswerPartnerContact,
    InvalidCardAction,
    MoveOnCard,
    Refresh,
    Snooze,
    from_invoke,
    from_submit,
)
from domain.deadlines import PartnerContact
from domain.requests import Move


def invoke(verb: object, data: object) -> dict:
    return {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}


def test_an_approval_button_is_read_with_its_version_and_comment():
    action = from_invoke(
        invoke(
            "approve", {"verb": "approve", "requestId": "NSD-0001", "version": 3, "comment": "Go"}
        )
    )
    assert action == MoveOnCard("NSD-0001", Move.APPROVE, 3, "Go", from_list=False)


def test_refresh_needs_no_version():
    assert from_invoke(invoke("refresh", {"verb": "refresh", "requestId": "ACM-0001"})) == Refresh(
        "ACM-0001"
    )


def test_a_list_button_carries_no_version_and_its_outcome_is_the_text():
    data = {"verb": "record_outcome", "requestId": "NSD-0002", "list": True}
    action = from_submit(data | {"outcome_NSD-0002": "Unblocked"})
    assert action == MoveOnCard("NSD-0002", Move.RECORD_OUTCOME, None, "Unblocked", from_list=True)


@pytest.mark.parametrize(
    "version", ["abc", "2", [2], {"v": 2}, True, False, None, 2.0, 0, -1, 2**31, "missing"]
)
def test_a_move_without_a_real_whole_number_version_is_refused(version):
    data = {"verb": "approve", "requestId": "NSD-0001", "version": version}
    if version == "missing":
        del data["version"]
    with pytest.raises(InvalidCardAction, match="no valid version"):
        from_invoke(invoke("approve", data))
    with pytest.raises(InvalidCardAction, match="no valid version"):
        from_submit(data)


@pytest.mark.parametrize("move", ["approve", "decline", "ask_more_info", "answer_more_info"])
def test_the_list_flag_cannot_skip_the_version_check_of_other_moves(move):
    with pytest.raises(InvalidCardAction, match="list flag"):
        from_submit({"verb": move, "requestId": "NSD-0001", "list": True})


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (None, "no action"),
        ([], "no action"),
        ({"action": "approve"}, "no action"),
        ({"action": ["approve"]}, "no action"),
        (invoke("approve", "NSD-0001"), "data is not an object"),
        (invoke("approve", [1, 2]), "data is not an object"),
        (invoke(["approve"], {"requestId": "NSD-0001", "version": 1}), "does not say what"),
        (invoke(None, {"requestId": "NSD-0001", "version": 1}), "does not say what"),
        (invoke("approve", {"verb": "cancel", "requestId": "NSD-0001"}), "two different"),
        (invoke("approve", {"requestId": ["NSD-0001"], "version": 1}), "does not name"),
        (invoke("approve", {"requestId": "NSD-0001" + "9" * 40, "version": 1}), "does not name"),
        (invoke("approve", {"requestId": "NSD-0001\x00", "version": 1}), "does not name"),
        (invoke("approve", {"version": 1}), "does not name"),
        (invoke("explode", {"requestId": "NSD-0001", "version": 1}), "not something I can do"),
        (invoke("approve", {"requestId": "NSD-0001", "version": 1, "list": "yes"}), "list flag"),
        (invoke("approve", {"requestId": "NSD-0001", "version": 1, "comment": 7}), "not text"),
        (
            invoke("decline", {"requestId": "NSD-0001", "version": 1, "comment": "x" * 2001}),
            "longer",
        ),
    ],
)
def test_malformed_card_actions_are_refused_saying_what_was_wrong(value, why):
    with pytest.raises(InvalidCardAction, match=why):
        from_invoke(value)


def test_a_snooze_is_read_with_its_date():
    data = {"verb": "snooze", "requestId": "NSD-0001", "snoozeUntil": "2026-12-07"}
    assert from_invoke(invoke("snooze", data)) == Snooze("NSD-0001", date(2026, 12, 7))
    assert from_submit(data) == Snooze("NSD-0001", date(2026, 12, 7))


@pytest.mark.parametrize("until", [None, "", "7 Dec", "2026-13-01", "2026-12-07T00:00", 20261207])
def test_a_snooze_without_a_real_date_is_refused(until):
    data = {"verb": "snooze", "requestId": "NSD-0001", "snoozeUntil": until}
    with pytest.raises(InvalidCardAction, match="pick the date"):
        from_submit(data)


@pytest.mark.parametrize("answer", ["yes", "no", "not_yet"])
def test_the_partner_contact_answer_is_one_of_three(answer):
    data = {"verb": "partner_contact", "requestId": "ACM-0001", "answer": answer}
    assert from_submit(data) == AnswerPartnerContact("ACM-0001", PartnerContact(answer))


@pytest.mark.parametrize("answer", [None, "maybe", "YES", 1])
def test_any_other_partner_contact_answer_is_refused(answer):
    data = {"verb": "partner_contact", "requestId": "ACM-0001", "answer": answer}
    with pytest.raises(InvalidCardAction, match="Yes, No or Not yet"):
        from_submit(data)
