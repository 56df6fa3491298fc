"""Typed answers are parsed, or refused with a reason the person can act on."""

from pathlib import Path

import pytest

from config.roster import load_roster
from domain import non_standard_delivery as nsd
from domain.questionnaire import AnswerKind, InvalidAnswer, Question, applicable

ROSTER = load_roster(Path(__file__).resolve().parents[1] / "config" / "roster.sample.yaml")
COLOURS = Question("colours", "Colours", "?", AnswerKind.CHOICES, ("Red", "Green", "Blue"))


def test_an_empty_answer_is_refused_unless_optional():
    with pytest.raises(InvalidAnswer, match="An answer is needed"):
        Question("customer", "Customer", "?").parse("  ")
    assert Question("tpid", "TPID", "?", optional=True).parse("skip") is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("2", ["Green"]), ("red, 3", ["Red", "Blue"]), ("gr", ["Green"]), ("Blue; blue", ["Blue"])],
)
def test_choices_are_matched_by_number_name_or_prefix(typed, expected):
    assert COLOURS.parse(typed) == expected


def test_an_unknown_choice_says_so_and_leaves_the_options_to_the_prompt():
    with pytest.raises(InvalidAnswer, match=r"^“purple” is not one of the options\.$"):
        COLOURS.parse("purple")


def test_emails_are_validated_and_deduplicated():
    question = Question("team", "Team", "?", AnswerKind.EMAILS)
    assert question.parse("a@contoso.com; B@contoso.com a@contoso.com") == [
        "a@contoso.com",
        "b@contoso.com",
    ]
    with pytest.raises(InvalidAnswer, match="bob is not an email address"):
        question.parse("a@contoso.com, bob")


def test_a_link_must_be_a_url():
    question = Question("sow", "SOW", "?", AnswerKind.URL, optional=True)
    assert question.parse("https://contoso.sharepoint.com/sow.docx").startswith("https://")
    with pytest.raises(InvalidAnswer, match="is not a link"):
        question.parse("the sow is on sharepoint")


@pytest.mark.parametrize(("typed", "expected"), [("Yes", True), ("n", False)])
def test_yes_no(typed, expected):
    assert Question("f", "F", "?", AnswerKind.YES_NO).parse(typed) is expected


def test_deal_artifacts_are_asked_only_when_a_partner_delivers():
    questions = nsd.questions(ROSTER)
    fasttrack = [q.key for q in applicable(questions, {"delivered_by": "FastTrack"})]
    partner = [q.key for q in applicable(questions, {"delivered_by": nsd.PARTNER_DELIVERS})]
    assert "sow_url" not in fasttrack
    assert {"sow_url", "oneask_url"} <= set(partner)


def test_area_choices_come_from_the_roster():
    area = next(q for q in nsd.questions(ROSTER) if q.key == "area")
    assert area.choices == ("Americas", "EMEA", "Asia Pacific and Japan")


@pytest.mark.parametrize("flag", ["includes_funding", "involves_partner", "considerable_effort"])
def test_any_flag_sends_the_request_on_to_the_director(flag):
    assert nsd.needs_director({flag: True})
    assert not nsd.needs_director({})


def test_present_and_missing_deal_artifacts():
    answers = {"delivered_by": nsd.PARTNER_DELIVERS, "sow_url": "https://x.test/sow"}
    present, missing = nsd.deal_artifacts(answers)
    assert present == ["Statement of work (SOW)"]
    assert "Cost breakdown" in missing
    assert len(missing) == 4


def test_preview_and_compete_scenarios_add_routing_notes():
    notes = nsd.routing_notes({"scenarios": [nsd.PREVIEW_SCENARIO, nsd.COMPETE_SCENARIO]})
    assert any("product group PM" in n for n in notes)
    assert any("Switcher FTAs" in n for n in notes)
