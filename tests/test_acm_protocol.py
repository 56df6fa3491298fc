"""An ACM partner referral over HTTP: the FM's conversation, the liaison's card and decision,
and the follow-up deadline kept for the reminders."""

from datetime import UTC, datetime

from app import ENGINE, ROSTER
from domain import acm_referral as acm
from domain.deadlines import DeadlineKind
from persistence.deadlines import DeadlineRepository
from persistence.requests import RequestRepository
from tests.db_fixtures import STORED_KINDS
from tests.harness import FM, LIAISON, STRANGER, Chat, card_actions, card_of, card_text
from tests.schemas import assert_valid_card, card_size_bytes

CONTACT = {
    "contact_name": "Pat Doe",
    "contact_email": "pat.doe@contoso.com",
    "contact_phone": "+1 425 555 0100",
}
ANSWERS = [
    "Contoso",
    "Americas",
    "no",  # no current partner offers ACM
    "yes",  # there is an account team
    "ats@contoso.com, ae@contoso.com",
    "Both",
    "yes",  # the customer consents
    CONTACT["contact_name"],
    CONTACT["contact_email"],
    CONTACT["contact_phone"],
    "Seattle, US",
]


async def refer(fm: Chat, answers=ANSWERS) -> str:
    """Walk through the referral and submit it; the new request's id."""
    replies = await fm.walk("acm referral", answers)
    proposal, summary = replies[0]["text"], card_text(card_of(replies[-1]))
    assert "The 3 partners proposed" in proposal
    assert "Check your answers" in summary
    assert acm.FOR_FEE in summary
    (confirmation,) = await fm.say(value={"summary": "submit"})
    assert "within three business days" in confirmation["text"]
    return confirmation["text"].split("**")[1]


async def test_an_acm_referral_reaches_the_liaison_and_is_approved(bot):
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await liaison.open()
    await fm.open()
    request_id = await refer(fm)
    assert request_id == "ACM-0001"

    card = await liaison.latest_card(2)
    assert_valid_card(card)
    assert card_size_bytes(card) < 28_000
    text = card_text(card)
    assert "ACM partner referral · ACM-0001" in text
    assert "Status: Waiting for the liaison" in text
    # The referral's own section.
    assert acm.ACCOUNT_TEAM_ROUTE in text
    assert "Advisory & Planning" in text
    assert acm.CONSENT_FACT in text
    assert "Partner 1" in text
    assert "Northwind Change Partners (Seattle, US)" in text
    assert "Fabrikam Adoption Services" in text
    assert "Tailspin Advisory" in text
    assert acm.FOR_FEE in text
    assert "within three business days" in text
    # The liaison is an approver: the contact is on their card.
    assert all(value in text for value in CONTACT.values())
    assert {a["verb"] for a in card_actions(card)} == {"approve", "decline", "ask_more_info"}

    status, response = await liaison.click(card, "approve", comment="Referral approved")
    assert status == 200
    decided = response["value"]
    assert_valid_card(decided)
    assert "Status: Approved" in card_text(decided)
    told = await fm.wait_for_text("ACM-0001 for Contoso was approved by Adele Vance")
    assert "the partners contact the customer within three business days" in told["text"]

    repository = RequestRepository(bot.app[ENGINE], bot.app[ROSTER], kinds=STORED_KINDS)
    stored = await repository.get("ACM-0001")
    # Partners and consent were fixed at submission.
    assert [p["name"] for p in stored.answers[acm.PROPOSED_PARTNERS]] == [
        "Northwind Change Partners",
        "Fabrikam Adoption Services",
        "Tailspin Advisory",
    ]
    record = stored.answers[acm.CONSENT_RECORD]
    assert record["by"] == "Alex Wilber"
    assert record["by_aad_object_id"] == FM["aadObjectId"]
    assert datetime.fromisoformat(record["at"]) <= datetime.now(UTC)
    assert stored.needs_director is False

    (deadline,) = await DeadlineRepository(bot.app[ENGINE], bot.app[ROSTER]).pending_for("ACM-0001")
    assert deadline.kind is DeadlineKind.PARTNER_CONTACT
    fm_zone = bot.app[ROSTER].default_working_hours.zone
    approved_on = datetime.now(fm_zone).date()
    assert deadline.due_at.astimezone(fm_zone).date() == bot.app[ROSTER].area(
        "americas"
    ).calendar.add_business_days(approved_on, 3)
    assert deadline.target.aad_object_id == FM["aadObjectId"]


async def test_someone_who_is_not_an_approver_does_not_see_the_contact(bot):
    fm, liaison, stranger = Chat(bot, FM), Chat(bot, LIAISON), Chat(bot, STRANGER)
    await liaison.open()
    await fm.open()
    await refer(fm)
    card = await liaison.latest_card(2)
    status, response = await stranger.click(card, "approve")
    assert status == 200
    text = card_text(response["value"])
    assert text == "There is no request ACM-0001 that you can see."
    assert not any(value in text for value in CONTACT.values())
    # The requester sees their own request in full (a card refresh, as Teams sends it).
    _status, response = await fm.click({"actions": [card["refresh"]["action"]]}, "refresh")
    assert all(value in card_text(response["value"]) for value in CONTACT.values())


async def test_a_referral_is_listed_and_its_outcome_recorded(bot):
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await liaison.open()
    await fm.open()
    await refer(fm)
    await liaison.click(await liaison.latest_card(2), "approve")
    await fm.wait_for_text("ACM-0001 for Contoso was approved")  # told in the background
    (listing,) = await fm.say("my requests")
    listed = card_of(listing)
    assert "ACM-0001 · ACM partner referral · Contoso" in card_text(listed)
    _status, response = await fm.click(
        listed, "record_outcome", **{"outcome_ACM-0001": acm.OUTCOMES[0]}
    )
    assert f"Closed · outcome: {acm.OUTCOMES[0]}" in card_text(response["value"])
