"""Each request kind's answers have a typed structure whose fields are exactly its questions'
keys (and the answers added at submission), so a misspelt key fails here, not silently."""

from pathlib import Path

from config.roster import load_roster
from domain import acm_referral as acm
from domain import covid_triage as covid
from domain import non_standard_delivery as nsd
from domain.questionnaire import answer_keys

ROSTER = load_roster(Path(__file__).resolve().parents[1] / "config" / "roster.sample.yaml")


def test_non_standard_delivery_answers_are_its_questions():
    assert answer_keys(nsd.NsdAnswers) == {q.key for q in nsd.questions(ROSTER)}


def test_covid_triage_answers_are_its_questions():
    assert answer_keys(covid.CovidAnswers) == {q.key for q in covid.questions(ROSTER)}


def test_acm_answers_are_its_questions_and_what_submission_adds():
    keys = {q.key for q in acm.questions(ROSTER)} | {acm.PROPOSED_PARTNERS, acm.CONSENT_RECORD}
    assert answer_keys(acm.AcmAnswers) == keys


def test_typed_answers_read_the_stored_ones_and_leave_the_rest_empty():
    typed = nsd.NsdAnswers.of({"customer": "Contoso", "delivered_by": nsd.PARTNER_DELIVERS})
    assert typed.customer == "Contoso"
    assert typed.partner_delivers
    assert typed.sow_url is None
