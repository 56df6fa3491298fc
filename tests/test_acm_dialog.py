"""The ACM partner referral conversation, turn by turn with botbuilder's TestAdapter: each
branch, the consent gate, and the partners proposed."""

from pathlib import Path

import pytest

from config.roster import load_roster
from dialogs.wording import CONSENT_REFUSED
from domain import acm_referral as acm
from tests.dialog_harness import ScriptedChat
from tests.schemas import assert_valid_card

ROSTER = load_roster(Path(__file__).resolve().parents[1] / "config" / "roster.sample.yaml")

CONTACT = ["Pat Doe", "pat.doe@contoso.com", "+1 425 555 0100"]
QUICKLEADS = ["Contoso", "Americas", "no", "no", "Both", "yes", *CONTACT, "Seattle, US"]
ACCOUNT_TEAM = [
    "Contoso",
    "Americas",
    "no",
    "yes",
    "ats@contoso.com, ae@contoso.com",
    "Training & Enablement",
    "yes",
    *CONTACT,
    "Seattle, US",
]


@pytest.fixture
def chat():
    return ScriptedChat(
        "acm referral",
        "ACM partner referral request",
        acm.steps(ROSTER),
        acm.card_notes(ROSTER),
        "Submitted ACM-0001.",
    )


async def answer_all(chat, answers):
    last = await chat.text_after("acm referral")
    for answer in answers:
        last = await chat.text_after(answer)
    return last


async def test_a_current_partner_ends_the_conversation_with_that_outcome(chat):
    text = await answer_all(chat, ["Contoso", "Americas"])
    assert "does one of their current partners offer" in text
    assert "Which of the customer's partners?" in await chat.text_after("yes")
    outcome = await chat.text_after("Avanade")
    assert outcome.startswith("Outcome: Avanade, already one of Contoso's partners")
    assert "no referral is made and nothing is shared" in outcome
    assert chat.submitted == []
    # The conversation is over.
    assert "Sorry, I didn't understand" in await chat.text_after("Seattle, US")


async def test_no_account_team_is_a_quickleads_referral_with_three_partners(chat):
    text = await answer_all(chat, QUICKLEADS[:4])
    assert "QuickLeads referral (FTOP task 983)" in text
    assert "Which ACM services" in text
    text = await answer_all(chat, QUICKLEADS)
    # The partners proposed, and why each matched, once the location is known ...
    assert "The 3 partners proposed for Advisory & Planning and Training & Enablement" in text
    assert (
        "1. **Northwind Change Partners** (Seattle, US): same city as the customer; offers "
        "Advisory & Planning and Training & Enablement" in text
    )
    assert "2. **Fabrikam Adoption Services**" in text
    assert "3. **Tailspin Advisory**" in text
    # ... and the summary says what the referral implies.
    summary = chat.cards[-1]
    assert_valid_card(summary)
    assert "Check your answers" in text
    assert acm.FOR_FEE in text
    assert "within three business days" in text
    assert "Pat Doe" in text
    assert "Seattle, US" in text

    assert await chat.text_after(value={"summary": "submit"}) == "Submitted ACM-0001."
    (answers,) = chat.submitted
    assert answers["has_account_team"] is False
    assert "account_team" not in answers
    assert answers["service_type"] == "Both"
    assert answers["consent"] is True
    assert answers["contact_email"] == "pat.doe@contoso.com"
    assert answers["contact_phone"] == "+1 425 555 0100"
    assert answers["location"] == "Seattle, US"
    assert "current_partner" not in answers


async def test_an_account_team_is_asked_for_and_chooses_from_the_co_sell_list(chat):
    text = await answer_all(chat, ACCOUNT_TEAM[:4])
    assert "choose local ACM partners from the Co-Sell ACM list" in text
    assert "account team members' email addresses" in text
    assert "ae@contoso is not an email address" in await chat.text_after(
        "ats@contoso.com, ae@contoso"
    )
    await answer_all(chat, ACCOUNT_TEAM)
    await chat.text_after(value={"summary": "submit"})
    (answers,) = chat.submitted
    assert answers["account_team"] == ["ats@contoso.com", "ae@contoso.com"]
    assert answers["service_type"] == "Training & Enablement"


async def test_without_consent_the_bot_says_why_and_keeps_nothing(chat):
    text = await answer_all(chat, QUICKLEADS[:5])
    assert "verbal consent to share their contact data" in text
    refused = await chat.text_after("no")
    assert refused == CONSENT_REFUSED
    assert "Nothing was stored or shared" in refused
    assert chat.submitted == []
    stored = chat.stored()
    assert "Contoso" not in stored
    assert "answers" not in stored
    assert "Sorry, I didn't understand" in await chat.text_after("Pat Doe")


async def test_withdrawing_consent_from_the_summary_drops_the_contact(chat):
    await answer_all(chat, QUICKLEADS)
    assert "Pat Doe" in chat.stored()  # held while the FM is still answering, with consent
    text = await chat.text_after(value={"summary": "change", "question": "consent"})
    assert "verbal consent" in text
    assert await chat.text_after("no") == CONSENT_REFUSED
    assert chat.submitted == []
    for value in CONTACT:
        assert value not in chat.stored()


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("pat at contoso", "pat, at, contoso are not email addresses"),
        ("pat@contoso", "pat@contoso is not an email address"),
        ("pat@contoso.com, lee@contoso.com", "Give one email address"),
    ],
)
async def test_a_bad_email_is_re_prompted(chat, bad, reason):
    await answer_all(chat, QUICKLEADS[:7])
    text = await chat.text_after(bad)
    assert reason in text
    assert "The contact's email address?" in text
    assert "phone number" in await chat.text_after("pat.doe@contoso.com")


async def test_a_bad_phone_or_location_is_re_prompted_and_the_phone_is_optional(chat):
    await answer_all(chat, QUICKLEADS[:8])
    assert "not a phone number I can use" in await chat.text_after("call reception")
    assert "Where is the customer?" in await chat.text_after("skip")
    assert "write the city, a comma and the country" in await chat.text_after("Springfield")
    await chat.text_after("Seattle, US")
    await chat.text_after(value={"summary": "submit"})
    assert chat.submitted[0]["contact_phone"] is None


async def test_fewer_than_three_partners_is_said_plainly(chat):
    text = await answer_all(chat, [*QUICKLEADS[:-1], "Toronto, CA"])
    assert "Only one partner in the directory matches" in text
    assert "**Contoso Learning Group** (Toronto, CA)" in text
    await chat.text_after(value={"summary": "change", "question": "location"})
    assert "No partner in the directory offers" in await chat.text_after("Lyon, FR")


async def test_changing_the_service_type_updates_the_proposal_on_the_summary(chat):
    await answer_all(chat, QUICKLEADS)
    await chat.text_after(value={"summary": "change", "question": "service_type"})
    summary = await chat.text_after("Advisory & Planning")
    assert "Check your answers" in summary
    assert "Only 2 partners in the directory match Advisory & Planning near Seattle, US" in summary
    assert "Fabrikam" not in summary


# --- forms ----------------------------------------------------------------------------------

ACM_BUDGET = 8


async def test_a_referral_in_forms_keeps_to_the_budget(chat):
    await chat.say("acm referral")
    await chat.submit_form(customer="Contoso", area="1", current_partner_offers="no")
    text = await chat.form_text_after(has_account_team="no", service_type="3", consent="yes")
    assert "QuickLeads referral" in text
    assert "Customer contact" in text
    assert_valid_card(chat.cards[-1])
    text = await chat.form_text_after(
        contact_name="Pat Doe",
        contact_email="pat.doe@contoso.com",
        contact_phone="",
        location="Seattle, US",
    )
    assert "The 3 partners proposed" in text
    await chat.say(value={"summary": "submit"})
    assert chat.sent <= ACM_BUDGET
    (answers,) = chat.submitted
    assert answers["contact_phone"] is None
    assert answers["location"] == "Seattle, US"


async def test_no_consent_in_the_form_ends_without_asking_for_the_contact(chat):
    await chat.say("acm referral")
    await chat.submit_form(customer="Contoso", area="1", current_partner_offers="no")
    text = await chat.form_text_after(has_account_team="no", service_type="3", consent="no")
    assert text == CONSENT_REFUSED
    assert "Contoso" not in chat.stored()
