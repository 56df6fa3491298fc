"""The benefit scope check over HTTP: typed in the personal chat, the three questions answered
on the step form (an invoke), the verdict card in the chat, and nothing stored as a request."""

from app import ENGINE, ROSTER
from cards.step_form import FORM_VERB
from persistence.requests import RequestRepository
from tests.db_fixtures import STORED_KINDS
from tests.harness import FM, Chat, card_of, card_text
from tests.schemas import assert_valid_card


async def test_a_scope_check_ends_in_a_verdict_card_and_stores_no_request(bot):
    fm = Chat(bot, FM)
    await fm.open()
    (licences,) = await fm.say("is it in scope")
    assert "How many Microsoft 365 licences" in licences["text"]
    (form,) = await fm.say("800")
    status, _ = await fm.click(
        card_of(form),
        FORM_VERB,
        remote_guidance="no",
        self_remediation="yes",
        sponsorship="yes",
    )
    assert status == 200
    verdict = await fm.wait_for_card("Benefit scope verdict")
    assert_valid_card(verdict)
    text = card_text(verdict)
    assert "Not all the guidance can be delivered remotely" in text
    assert "Workshops and solutions" in text
    assert "FastTrack migration services" in text
    requests = RequestRepository(bot.app[ENGINE], bot.app[ROSTER], kinds=STORED_KINDS)
    assert await requests.requested_by(FM["aadObjectId"]) == []


async def test_under_150_licences_is_said_plainly(bot):
    fm = Chat(bot, FM)
    await fm.open()
    await fm.say("benefit scope")
    (verdict,) = await fm.say("149")
    text = card_text(card_of(verdict))
    assert "Not eligible: the customer has 149 licences" in text
