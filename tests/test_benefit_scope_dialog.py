"""`benefit scope` turn by turn: the licence count, the three questions as one form, and the
verdict card it ends in (no summary, nothing submitted)."""

import pytest
from botbuilder.core import ConversationState, MemoryStorage

from cards.scope_verdict import scope_verdict_card
from dialogs.benefit_scope import KIND
from dialogs.main_dialog import Conversation, MainDialog
from dialogs.registry import verdict_dialog
from domain import benefit_scope
from domain.benefit_scope import ScopeQuestion, ValueAddedService, assess
from tests.dialog_harness import ScriptedChat
from tests.harness import card_text
from tests.schemas import assert_valid_card


@pytest.fixture
def chat() -> ScriptedChat:
    return ScriptedChat(
        "benefit scope",
        "Benefit scope check",
        benefit_scope.steps(),
        conclude=lambda answers: scope_verdict_card(benefit_scope.verdict_of(answers)),
    )


async def test_under_150_licences_ends_at_once_in_a_plain_not_eligible(chat: ScriptedChat) -> None:
    first = await chat.text_after("benefit scope")
    assert "How many Microsoft 365 licences" in first
    verdict = await chat.text_after("about 120")
    assert "Not eligible: the customer has 120 licences" in verdict
    assert "150 or more" in verdict
    assert "can all the guidance" not in verdict.lower()
    assert "Check your answers" not in verdict
    assert chat.submitted == []
    # The conversation is over.
    assert "Sorry, I didn't understand" in await chat.text_after("yes")


async def test_three_yes_in_one_form_is_benefit_only_assistance(chat: ScriptedChat) -> None:
    await chat.text_after("benefit scope")
    await chat.submit_form(licences="500")
    form = card_text(chat.cards[-1])
    for question in ("deliverable remotely?", "runs the tools", "project management in place?"):
        assert question in form
    verdict = await chat.form_text_after(
        remote_guidance="yes", self_remediation="yes", sponsorship="yes"
    )
    assert "Benefit-only assistance" in verdict
    assert "FastTrack migration services" in verdict
    assert "Any assistance beyond guidance" in verdict
    assert "not an approval" in verdict
    assert ValueAddedService.PROJECT_MANAGEMENT not in verdict
    assert chat.submitted == []


async def test_each_no_names_its_value_added_services(chat: ScriptedChat) -> None:
    await chat.text_after("benefit scope")
    await chat.submit_form(licences="2,000")
    verdict = await chat.form_text_after(
        remote_guidance="yes", self_remediation="no", sponsorship="no"
    )
    assert "Benefit-only" not in verdict
    assert "cannot run the assessment tools" in verdict
    assert "Sponsorship or project management is missing" in verdict
    assert "Not all the guidance can be delivered remotely" not in verdict
    assert ValueAddedService.PROJECT_MANAGEMENT in verdict
    assert ValueAddedService.DATA_MIGRATION in verdict
    assert "FastTrack migration services" in verdict


async def test_typed_answers_reach_the_same_verdict(chat: ScriptedChat) -> None:
    await chat.text_after("benefit scope")
    await chat.answer(["150", "no", "yes"])
    verdict = await chat.text_after("yes")
    assert "Not all the guidance can be delivered remotely" in verdict
    assert ValueAddedService.WORKSHOPS in verdict


@pytest.mark.parametrize("licences", [0, 149, 150, 10_000])
@pytest.mark.parametrize("no", [None, *ScopeQuestion])
def test_every_verdict_card_is_valid(licences: int, no: ScopeQuestion | None) -> None:
    answers = {question: question != no for question in ScopeQuestion}
    card = scope_verdict_card(assess(licences, answers))
    assert_valid_card(card)
    text = card_text(card)
    assert ("Not eligible" in text) is (licences < 150)


@pytest.mark.parametrize(
    "said", ["benefit scope", "scope check", "Is it in scope?", "a scope check for Contoso"]
)
def test_the_check_is_started_by_its_name_and_aliases(said: str) -> None:
    main = MainDialog(
        ConversationState(MemoryStorage()), [Conversation(KIND.menu_item, verdict_dialog(KIND))]
    )
    assert main.starts_conversation(said)
