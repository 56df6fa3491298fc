"""ACM partner referral (seed 000): refer the customer to Adoption & Change Management
partners, approved by the area liaison (and the regional director when flagged). Its questions
and rules (consent, partner matching) are in domain/acm_referral.py."""

from __future__ import annotations

from cards.welcome import MenuItem
from dialogs.registry import ApprovalKind
from domain import acm_referral
from domain.roster import Roster
from services.requests import RequestKindSpec


def spec(roster: Roster) -> RequestKindSpec:
    return RequestKindSpec(
        acm_referral.KIND,
        acm_referral.steps(roster),
        acm_referral.needs_director,
        acm_referral.card_notes(roster),
        after_approval=(
            "Next: the partners contact the customer within three business days; I will then "
            "ask you whether they did."
        ),
        mail_next_steps=mail_next_steps,
        outcomes=acm_referral.OUTCOMES,
        highlights=acm_referral.highlights,
        deadlines_at_approval=acm_referral.deadlines_at_approval,
        derive=acm_referral.derive(roster),
    )


def mail_next_steps(answers: dict) -> list[str]:
    days = acm_referral.CONTACT_WITHIN_BUSINESS_DAYS
    if answers.get("has_account_team"):
        steps = [
            "Choose local ACM partners from the Co-Sell ACM list and offer the customer "
            "several of them."
        ]
        proposed = answers.get(acm_referral.PROPOSED_PARTNERS) or []
        if proposed:
            steps.append(
                "Matched from the partner directory by location and specialty: "
                + "; ".join(f"{p['name']} ({p['office']})" for p in proposed)
                + "."
            )
    else:
        steps = [
            f"FastTrack refers the customer through QuickLeads (FTOP task "
            f"{acm_referral.QUICKLEADS_TASK})."
        ]
    steps.append(
        f"The partners contact the customer within {days} business days. {acm_referral.FOR_FEE}"
    )
    return steps


KIND = ApprovalKind(
    MenuItem(
        "acm referral",
        "ACM partner referral",
        "Refer the customer to Adoption & Change Management partners",
        ("acm", "partner referral", "acm partner referral", "acm partner"),
    ),
    spec,
    confirmation=acm_referral.CONFIRMATION,
)
