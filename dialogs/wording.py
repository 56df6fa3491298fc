"""How the conversations put into words what the domain decides (a WVD verdict, a priority,
the playbook's advice, the end of a referral), said to the FM once the answers that decide it
are in."""

from __future__ import annotations

from functools import singledispatch

from domain.acm_referral import QUICKLEADS_TASK, CurrentPartnerOffers, NoConsent, Route
from domain.covid_triage import (
    BLOCKED_STATUS_TEXT,
    ROLLOUT_MATERIALS,
    Advice,
    Tier,
    WvdResult,
)
from domain.wvd import NOMINATION_PORTAL, OCP_REQUEST, Eligibility

CONSENT_REFUSED = (
    "I can't continue without the customer's verbal consent: a referral shares the customer's "
    "contact details (name, email, phone) with partners, and that needs their agreement first. "
    "Nothing was stored or shared. When the customer agrees, type `acm referral` to start again; "
    "meanwhile the self-service adoption resources (aka.ms/MicrosoftAdoption) remain open to them."
)
_ADVICE = {
    Advice.WVD_ITEMS_VIA_OCP: (
        "These are out of FastTrack scope: follow up with the account team to submit a partner "
        f"request via OCP ({OCP_REQUEST})."
    ),
    Advice.BLOCKED_STATUS: (
        f"Recorded: set L1/L2/L3 to {BLOCKED_STATUS_TEXT} in FTOP. E5 growth is not raised "
        "with the account team while the customer is blocked."
    ),
    Advice.VALIDATE_CUSTOMER_PLAN: (
        "Work with the customer on their plan: validate it and share best practice."
    ),
    Advice.PLAN_FROM_MATERIALS: (
        "Build the plan with the customer from the Enable Teams Anywhere materials "
        f"({ROLLOUT_MATERIALS})."
    ),
}
_ROUTES = {
    Route.ACCOUNT_TEAM: (
        "The account team will choose local ACM partners from the Co-Sell ACM list and offer "
        "the customer several to choose from; the partners I propose are their starting point."
    ),
    Route.QUICKLEADS: (
        f"No account team: this becomes a FastTrack QuickLeads referral (FTOP task "
        f"{QUICKLEADS_TASK}), using the FastTrack Partner Referral Request template."
    ),
}


@singledispatch
def describe(value: object) -> str:
    raise TypeError(f"no wording for {type(value).__name__}")


@describe.register
def _(value: str) -> str:
    return value


@describe.register
def _(value: Advice) -> str:
    return _ADVICE[value]


@describe.register
def _(value: Route) -> str:
    return _ROUTES[value]


@describe.register
def _(value: CurrentPartnerOffers) -> str:
    return (
        f"Outcome: {value.partner}, already one of {value.customer}'s partners, offers the ACM "
        "services the customer is looking for. That is the best outcome: no referral is made "
        "and nothing is shared with other partners. Note it on FTOP task 4047 (Conduct Adoption "
        "& Change Management Conversation) when you complete it."
    )


@describe.register
def _(value: NoConsent) -> str:
    return CONSENT_REFUSED


@describe.register
def _(value: Tier) -> str:
    return f"**Priority {value.number}**: {value.meaning}"


@describe.register
def _(value: WvdResult) -> str:
    if value.azure is None or value.m365 is None:
        return (
            "**Not a native WVD deployment.** Citrix and VMware scenarios are out of FastTrack "
            f"scope: follow up with the account team to submit a partner request via OCP "
            f"({OCP_REQUEST})."
        )
    lines = [
        "**WVD pre-qualification: " + ("eligible.**" if value.nominate else "not eligible.**"),
        f"FastTrack for Azure: {_met(value.azure)}.",
        f"FastTrack for M365: {_met(value.m365)}.",
    ]
    if value.nominate:
        lines.append(
            f"Next: nominate the customer through the Azure Nomination Portal "
            f"({NOMINATION_PORTAL}) with its TPID, enrollment id or subscription id."
        )
    else:
        lines.append(
            f"Next: follow up with the account team to submit a partner request via OCP "
            f"({OCP_REQUEST})."
        )
    return "\n\n".join(lines)


def _met(eligibility: Eligibility) -> str:
    word = "met" if eligibility.eligible else "not met"
    return f"{word} ({'; '.join(eligibility.reasons)})"
