"""The mail to the account team: who gets it, and what it says for each kind of request."""

from datetime import UTC, datetime

import pytest

from dialogs import acm_referral as acm_kind
from dialogs import covid_triage as covid_kind
from dialogs import non_standard_delivery as nsd_kind
from domain import acm_referral, covid_triage, non_standard_delivery, wvd
from domain.account_team import mail_recipients
from domain.requests import Move, Request, Status, apply, submit
from notices.mail import MailContent, approval_mail
from tests.cast import AMERICAS, FM, LIAISON

NOW = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
BOT_APP_ID = "9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"
TEAM = ["megan@contoso.com", "nestor@contoso.com"]

NSD_PARTNER = {
    "customer": "Contoso Ltd",
    "account_team": TEAM,
    "delivered_by": "A partner (MCS included)",
    "includes_funding": True,
    "sow_url": "https://contoso.sharepoint.com/sow.docx",
    "wbs_url": "https://contoso.sharepoint.com/wbs.xlsx",
}
COVID_WVD = {
    "customer": "Contoso Ltd",
    "account_team": TEAM,
    "scenarios": [covid_triage.DEVICES],
    "wvd_native": True,
    "azure_paid_subscription": True,
    "region": wvd.ELSEWHERE,
    "licences": ["Windows 10 E5"],
    "seats": 400,
    "vms": 200,
    "azure_virtual_network": True,
    "nomination_id": "TPID 12345678",
    "fasttrack_scope": covid_triage.IN_SCOPE,
    "target_dates": ["Teams pilot: 2026-12-15"],
    "next_steps": "Pilot with 50 users",
    "in_scope_resources": "FastTrack FM and a Teams SME",
}
ACM = {
    "customer": "Contoso Ltd",
    "has_account_team": True,
    "account_team": TEAM,
    "contact_name": "Pat Jones",
    "contact_email": "pat.jones@contoso-customer.com",
    acm_referral.PROPOSED_PARTNERS: [
        {"name": "Adatum Adoption", "office": "Seattle, US", "reasons": []},
        {"name": "Fabrikam Change", "office": "Portland, US", "reasons": []},
    ],
}


def approved(kind, answers, needs_director=False):
    request, _ = submit(
        request_id=f"{kind.prefix}-0007",
        kind=kind,
        requester=FM,
        area=AMERICAS,
        customer=answers["customer"],
        answers=answers,
        needs_director=needs_director,
        at=NOW,
    )
    return apply(request, LIAISON, Move.APPROVE, at=NOW)[0]


def mail_for(request: Request, approved_by: str, bot_app_id: str) -> MailContent:
    """The mail with the next steps the request's kind registers."""
    next_steps = {
        non_standard_delivery.KIND: nsd_kind.mail_next_steps,
        covid_triage.KIND: covid_kind.mail_next_steps,
        acm_referral.KIND: acm_kind.mail_next_steps,
    }[request.kind](request.answers)
    return approval_mail(request, approved_by, next_steps, bot_app_id)


def test_an_approved_request_mails_the_account_team_named_on_it():
    assert mail_recipients(approved(non_standard_delivery.KIND, NSD_PARTNER)) == tuple(TEAM)


@pytest.mark.parametrize(("move", "comment"), [(Move.DECLINE, "Out of budget"), (Move.CANCEL, "")])
def test_a_declined_or_cancelled_request_mails_nobody(move, comment):
    request, _ = submit(
        request_id="NSD-0007",
        kind=non_standard_delivery.KIND,
        requester=FM,
        area=AMERICAS,
        customer="Contoso Ltd",
        answers=NSD_PARTNER,
        needs_director=False,
        at=NOW,
    )
    actor = FM if move is Move.CANCEL else LIAISON
    ended, _ = apply(request, actor, move, at=NOW, comment=comment)
    assert ended.status in (Status.DECLINED, Status.CANCELLED)
    assert mail_recipients(ended) == ()


def test_waiting_for_the_director_mails_nobody_yet():
    request = approved(non_standard_delivery.KIND, NSD_PARTNER, needs_director=True)
    assert request.status is Status.DIRECTOR_REVIEW
    assert mail_recipients(request) == ()


def test_non_standard_delivery_says_build_the_deal_and_ecif_through_the_dwr_with_artifacts():
    mail = mail_for(approved(non_standard_delivery.KIND, NSD_PARTNER), "Adele Vance", "")

    assert mail.subject == "Approved: Non-standard delivery NSD-0007 for Contoso Ltd"
    assert "Build the deal" in mail.html_body
    assert "ECIF request through the Digital WinRoom (DWR)" in mail.html_body
    assert (
        "Artifacts on the request: Statement of work (SOW), Work breakdown structure (WBS). "
        "Still missing: Cost breakdown, OneAsk URL, Additional collateral." in mail.html_body
    )
    assert "Nothing may be committed to the customer before approval" in mail.html_body
    assert "Adele Vance" in mail.html_body
    assert "Americas" in mail.html_body


def test_covid_triage_gives_the_rollout_plan_resources_and_the_wvd_nomination():
    mail = mail_for(approved(covid_triage.KIND, COVID_WVD), "Adele Vance", "")

    body = mail.html_body
    assert "Rollout plan: 1 target date, the first on 15 December 2026" in body
    assert "Agreed next steps: Pilot with 50 users" in body
    assert "Resources: in scope: FastTrack FM and a Teams SME" in body
    assert wvd.NOMINATION_PORTAL in body
    assert "TPID 12345678" in body
    assert wvd.OCP_REQUEST not in body


def test_covid_triage_not_qualifying_for_wvd_asks_for_the_ocp_partner_request():
    answers = COVID_WVD | {"vms": 20}
    mail = mail_for(approved(covid_triage.KIND, answers), "Adele Vance", "")
    assert "partner request through OCP" in mail.html_body
    assert wvd.NOMINATION_PORTAL not in mail.html_body


def test_acm_referral_names_the_co_sell_list_the_matched_partners_and_three_days():
    body = mail_for(approved(acm_referral.KIND, ACM), "Adele Vance", "").html_body

    assert "Co-Sell ACM list" in body
    assert "Adatum Adoption (Seattle, US); Fabrikam Change (Portland, US)" in body
    assert "within 3 business days" in body
    # The customer's contact is for the requester and the approvers only.
    assert "Pat Jones" not in body
    assert "pat.jones" not in body


def test_acm_referral_without_an_account_team_is_a_quickleads_referral():
    answers = ACM | {"has_account_team": False}
    body = mail_for(approved(acm_referral.KIND, answers), "Adele Vance", "").html_body
    assert "QuickLeads (FTOP task 983)" in body


def test_the_mail_links_to_the_bot_in_teams_when_the_bot_has_an_app_id():
    request = approved(non_standard_delivery.KIND, NSD_PARTNER)
    with_id = mail_for(request, "Adele Vance", BOT_APP_ID).html_body
    assert f"https://teams.microsoft.com/l/chat/0/0?users=28:{BOT_APP_ID}" in with_id
    assert "teams.microsoft.com" not in mail_for(request, "Adele Vance", "").html_body


def test_what_the_fm_typed_is_escaped_in_the_mail():
    answers = NSD_PARTNER | {"customer": "<script>alert(1)</script> & Co"}
    body = mail_for(approved(non_standard_delivery.KIND, answers), "A", "").html_body
    assert "<script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in body
