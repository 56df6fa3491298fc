"""The Adaptive Card helper really validates; the 1.5 schema accepts what approval cards need."""

from __future__ import annotations

import pytest

from tests.schemas import assert_valid_card, card_size_bytes


def approval_card(**overrides: object) -> dict:
    """A small 1.5 card shaped like an approval request."""
    approve = {
        "type": "Action.Execute",
        "title": "Approve",
        "verb": "approve",
        "data": {"requestId": "R-1"},
        # Clients without Universal Actions run this instead.
        "fallback": {"type": "Action.Submit", "title": "Approve", "data": {"verb": "approve"}},
    }
    card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "Non-standard delivery request", "wrap": True}],
        "actions": [approve],
    }
    card.update(overrides)
    return card


def test_accepts_action_execute_with_an_action_submit_fallback() -> None:
    assert_valid_card(approval_card())


def test_accepts_refresh_for_listed_users() -> None:
    refresh = {
        "action": {"type": "Action.Execute", "verb": "refresh", "data": {"requestId": "R-1"}},
        "userIds": ["29:1aBcD-approver"],
    }
    assert_valid_card(approval_card(refresh=refresh))


def test_accepts_a_top_level_msteams_object() -> None:
    assert_valid_card(approval_card(msteams={"width": "Full"}))


def test_names_a_misspelled_property() -> None:
    card = approval_card()
    card["actions"][0]["verbb"] = card["actions"][0].pop("verb")
    with pytest.raises(AssertionError, match=r"\$\.actions\[0\]: .*'verbb' was unexpected"):
        assert_valid_card(card)


def test_validates_inside_a_fallback_action() -> None:
    # The raw schema lets any object through as a fallback; the helper closes that gap.
    card = approval_card()
    card["actions"][0]["fallback"]["titel"] = "Approve"
    with pytest.raises(AssertionError, match=r"\$\.actions\[0\]\.fallback: .*'titel'"):
        assert_valid_card(card)


def test_refresh_action_must_be_action_execute() -> None:
    card = approval_card(refresh={"action": {"type": "Action.Submit"}, "userIds": []})
    with pytest.raises(AssertionError, match=r"\$\.refresh\.action\.type"):
        assert_valid_card(card)


def test_names_an_unknown_element_type() -> None:
    card = approval_card(body=[{"type": "TextBlok", "text": "typo"}])
    with pytest.raises(AssertionError, match=r"\$\.body\[0\]\.type: unknown type 'TextBlok'"):
        assert_valid_card(card)


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [({"type": "Card"}, "card type"), ({"version": "1.4"}, "card version")],
)
def test_requires_an_adaptive_card_of_version_1_5(overrides: dict, complaint: str) -> None:
    with pytest.raises(AssertionError, match=complaint):
        assert_valid_card(approval_card(**overrides))


def test_card_size_counts_utf8_bytes() -> None:
    card = {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "é"}]}
    compact = '{"type":"AdaptiveCard","body":[{"type":"TextBlock","text":"é"}]}'
    assert card_size_bytes(card) == len(compact.encode("utf-8")) == len(compact) + 1
