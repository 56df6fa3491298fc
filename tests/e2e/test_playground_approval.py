"""End to end, the issue's acceptance test: a non-standard delivery request raised by the FM and
approved by the area liaison, each in their own Playground chat with the real bot, as people
would do it (typing, pressing the cards' buttons).

The Playground has one current user per run, so the flow is a sequence of Playgrounds on the same
port against one bot (one database): the FM, then the liaison, then the FM again. Screenshots of
the key moments go to the artifacts dir (E2E_ARTIFACTS, else test-artifacts/e2e/ in the repository).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.e2e.conftest import BotServer, ChatAs
from tests.e2e.playground import ADELE_LIAISON, ALEX_FM, PlaygroundPage

# A browser, the Playground and the bot on two shared cores: slower than the suite's default.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

WELCOME_TEXT = "I'm the FastTrack Bot"
STEPS = 4  # the steps when FastTrack delivers (no deal artifacts step)

# (what the question asks, what the FM types, its step): FastTrack delivers, no funding, no
# partner, no considerable effort, so no regional director stage.
FASTTRACK_ANSWERS = [
    ("Which customer is this request for?", "Contoso", 1),
    ("What is the customer's TPID?", "skip", 1),
    ("In which area is the engagement delivered?", "Americas", 1),
    ("Which account team members", "ats@contoso.com, ae@contoso.com", 1),
    ("Which scenarios apply?", "1, 2", 2),
    ("What are we attempting to achieve", "Unblock the Teams rollout", 2),
    ("What is the expected Active Usage growth", "+20% AU in 3 months", 2),
    ("What is the cost, and how much effort", "2 FTA weeks", 3),
    ("How likely is the customer to choose a competitor?", "High", 3),
    ("What is the impact of not approving this request?", "Customer moves to a competitor", 3),
    ("Who would deliver the non-standard scope?", "FastTrack", 4),
    ("Does the request include funding (ECIF)?", "no", 4),
    ("Does it involve a partner?", "no", 4),
    ("Does delivery take a considerable amount of effort?", "no", 4),
]

# The same answers in the four step forms: (step title, text inputs, choices), by label.
FASTTRACK_FORMS = [
    (
        "Customer",
        {"Customer": "Contoso", "Account team to inform": "ats@contoso.com, ae@contoso.com"},
        {"Area": "Americas"},
    ),
    (
        "Scenario and goal",
        {
            "Goal and desired outcome": "Unblock the Teams rollout",
            "Expected Active Usage growth": "+20% AU in 3 months",
        },
        {"Scenarios": "Save time or accelerate consumption"},
    ),
    (
        "Business case",
        {
            "Cost and effort": "2 FTA weeks",
            "Likelihood of a competitor": "High",
            "Impact of not approving": "Customer moves to a competitor",
        },
        {},
    ),
    (
        "Delivery",
        {},
        {
            "Delivered by": "FastTrack",
            "Includes funding (ECIF)": "No",
            "Involves a partner": "No",
            "Considerable effort": "No",
        },
    ),
]

COMMENT_LABEL = "Comment (required to decline or to ask for more information)"
LIAISON_COMMENT = "Go ahead, FastTrack has the capacity"


def answer_questions(chat: PlaygroundPage, answers: list[tuple[str, str, int]]) -> None:
    """Type each answer once its question (and its step number) is shown."""
    for question, answer, step in answers:
        asked = chat.wait_for_text(question)
        assert f"Step {step} of {STEPS}" in asked.text, asked.text
        chat.send(answer)


def fill_in_forms(chat: PlaygroundPage, forms: list[tuple[str, dict, dict]]) -> None:
    """Fill in each step's form and press Next, once the step is shown."""
    for step, (title, texts, choices) in enumerate(forms, 1):
        chat.wait_for_text(f"Step {step} of {STEPS} · {title}")
        for label, value in texts.items():
            chat.fill_card_input(label, value)
        for label, choice in choices.items():
            chat.choose_card_option(label, choice)
        assert chat.click_card_button("Next") == 200


def wait_for_card(chat: PlaygroundPage, number: int, text: str, timeout: float = 10) -> str:
    """Until card ``number`` (of ``card_texts``) shows ``text``, e.g. once updated in place."""
    deadline = time.monotonic() + timeout
    while text not in (card := chat.card_texts()[number]):
        assert time.monotonic() < deadline, f"card {number} never showed {text!r}:\n{card}"
        chat.page.wait_for_timeout(100)
    return card


def test_the_liaison_approves_a_request_the_fm_raised(
    fresh_bot: BotServer, chat_as: ChatAs, artifacts_dir: Path
) -> None:
    # --- the FM raises the request --------------------------------------------------------
    with chat_as(fresh_bot, ALEX_FM) as (fm_playground, fm):
        assert fm.current_user_name() == ALEX_FM.name
        fm.wait_for_text(WELCOME_TEXT, timeout=20)
        fm.send("non-standard delivery")
        fill_in_forms(fm, FASTTRACK_FORMS)

        summary = fm.wait_for_text("Check your answers")
        assert len(summary.cards) == 1, "the summary is one Adaptive Card"
        card = summary.cards[0]
        for shown in (
            "Non-standard delivery request",
            "Contoso",
            "(not given)",  # the skipped TPID
            "Americas",
            "ats@contoso.com, ae@contoso.com",
            "Save time or accelerate consumption",
            "Unblock the Teams rollout",
            "FastTrack",
        ):
            assert shown in card, f"{shown!r} not on the summary card:\n{card}"
        fm.screenshot_card(artifacts_dir / "1-fm-summary-card.png")

        summary_number = len(fm.card_texts()) - 1
        assert fm.click_card_button("Submit request") == 200
        confirmation = fm.wait_for_text("Submitted NSD-0001")
        assert "waits on Adele Vance (Americas)" in confirmation.text
        assert "make no commitment to the customer" in confirmation.text
        # The summary is replaced in place by its submitted state: no live Submit left.
        wait_for_card(fm, summary_number, "Submitted as NSD-0001")
        assert fm.page.get_by_role("button", name="Submit request", exact=True).count() == 0
        fm.screenshot(artifacts_dir / "2-fm-confirmation.png", full_page=False)

    # --- the liaison approves it, in their own chat with the same bot ---------------------
    with chat_as(fresh_bot, ADELE_LIAISON, port=fm_playground.port) as (_, liaison):
        assert liaison.current_user_name() == ADELE_LIAISON.name
        liaison.wait_for_text(WELCOME_TEXT, timeout=20)
        liaison.send("my approvals")
        liaison.wait_for_text("1 request waits on you")
        listed = liaison.wait_for_text("Non-standard delivery · NSD-0001")
        assert len(listed.cards) == 1
        card = listed.cards[0]
        assert "Status: Waiting for the liaison" in card
        assert "Contoso" in card
        assert "Alex Wilber" in card
        number = len(liaison.card_texts()) - 1  # the approval card is the newest card
        assert "NSD-0001" in liaison.card_texts()[number]
        liaison.screenshot_card(artifacts_dir / "3-liaison-approval-card.png", card=number)

        messages_before = len(liaison.messages())
        liaison.fill_card_input(COMMENT_LABEL, LIAISON_COMMENT, card=number)
        assert liaison.click_card_button("Approve", card=number) == 200
        # Replaced in place: the same card (no new message) now shows the decision, no buttons.
        card = wait_for_card(liaison, number, "Status: Approved")
        assert len(liaison.messages()) == messages_before
        assert "Adele Vance approved" in card, card
        assert LIAISON_COMMENT in card, card
        approve = (
            liaison.page.locator(".ac-adaptiveCard")
            .nth(number)
            .get_by_role("button", name="Approve", exact=True)
        )
        assert approve.count() == 0, "a decided card has no buttons"
        liaison.screenshot_card(artifacts_dir / "4-liaison-card-approved.png", card=number)

    # --- the FM sees the decision -----------------------------------------------------------
    with chat_as(fresh_bot, ALEX_FM, port=fm_playground.port) as (_, fm):
        fm.wait_for_text(WELCOME_TEXT, timeout=20)
        fm.send("my requests")
        mine = fm.wait_for_text("Your requests")
        assert len(mine.cards) == 1
        assert "NSD-0001 · Non-standard delivery · Contoso" in mine.cards[0]
        assert "Approved" in mine.cards[0]
        assert "Waiting for the liaison" not in mine.cards[0]
        fm.screenshot_card(artifacts_dir / "5-fm-my-requests.png")


def test_a_bad_answer_is_asked_again_with_the_reason(fresh_bot: BotServer, chat_as: ChatAs) -> None:
    with chat_as(fresh_bot, ALEX_FM) as (_, fm):
        fm.wait_for_text(WELCOME_TEXT, timeout=20)
        fm.send("non-standard delivery")
        answer_questions(fm, FASTTRACK_ANSWERS[:3])

        question, _, _ = FASTTRACK_ANSWERS[3]
        fm.wait_for_text(question)
        fm.send("ats@contoso.com, not-an-email")
        again = fm.wait_for_text("not-an-email is not an email address")
        assert question in again.text, "the same question is asked again"
        assert f"Step 1 of {STEPS}" in again.text, "in the same step"

        fm.send("ats@contoso.com")
        step2 = fm.wait_for_text(FASTTRACK_ANSWERS[4][0])
        assert f"Step 2 of {STEPS}" in step2.text

        fm.send("cancel")
        fm.wait_for_text("Cancelled. Nothing was submitted.")
