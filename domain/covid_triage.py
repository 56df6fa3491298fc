"""Seed 003, the COVID triage an FM or FTA runs with a customer, and the Windows Virtual Desktop
(WVD) pre-qualification for FastTrack for Azure and FastTrack for M365.

Pure: the rules decide, the dialog only asks and shows what they say.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain import natural_answers, places
from domain.deadlines import Deadline
from domain.questionnaire import (
    AnswerKind,
    InvalidAnswer,
    Question,
    Step,
    area_question,
    parse_date,
    questions_of,
)
from domain.requests import Request
from domain.roster import Roster

# --- priority ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tier:
    number: int
    name: str  # the choice the FM picks
    meaning: str  # shown back once picked


TIERS = (
    Tier(
        1,
        "Business stoppage, already asked for help",
        "top priority: the customer faces a potential business stoppage and has already asked "
        "Microsoft for help, through an RFA or the account team. Engage first.",
    ),
    Tier(
        2,
        "Renewal at risk this quarter",
        "second: the customer's renewal this quarter is at risk. Discuss the renewal date and "
        "any risk to the renewal, upsell or licence expansion with the account team.",
    ),
    Tier(
        3,
        "Active FastTrack projects",
        "third: the customer has ongoing, active projects with FastTrack resources.",
    ),
    Tier(4, "Other", "after the three priority groups: engage once they are served."),
)


def tier(name: str | None) -> Tier | None:
    return next((t for t in TIERS if t.name == name), None)


# --- scenario and scope ---------------------------------------------------------------------

TEAMS = "Productivity through Teams"
DEVICES = "Devices for remote work (incl. Windows Virtual Desktop)"
SECURING_DATA = "Securing your data"
OTHER_SERVICE = "Another FastTrack service"
SCENARIOS = (TEAMS, DEVICES, SECURING_DATA, OTHER_SERVICE)

IN_SCOPE = "In FastTrack scope"
PARTLY_IN_SCOPE = "Partly in FastTrack scope"
OUT_OF_SCOPE = "Out of FastTrack scope"
SCOPES = (IN_SCOPE, PARTLY_IN_SCOPE, OUT_OF_SCOPE)

PREMIER = "Premier (Microsoft Services)"
PARTNER = "A partner"
ECIF = "ECIF funding"
RECOMMENDATIONS = (PREMIER, PARTNER, ECIF)

OUT_OF_SCOPE_RESOURCES = (
    "Partners",
    "Microsoft Services (Premier, PFE, MCS)",
    "Customer team members",
)

# --- COVID impact ---------------------------------------------------------------------------

# What FTOP's L1/L2/L3 fields are set to when COVID blocks or stalls the customer.
BLOCKED_STATUS = ("Blocked", "IT Change Management and Resourcing", "COVID")
BLOCKED_STATUS_TEXT = " / ".join(BLOCKED_STATUS)
COVID_TAG = "#COVID"

ROLLOUT_MATERIALS = "https://transform.microsoft.com/enable-teams-anywhere"

# --- WVD ------------------------------------------------------------------------------------

WVD_BRIEFING = "https://transform.microsoft.com/products/windows-virtual-desktop"
OCP_REQUEST = "https://ocpsupport.azurewebsites.net/Support/Create?hasAcctKey=False"
NOMINATION_PORTAL = "https://cxp.azure.com/nominationportal/nominationform/fasttrack"

# Executed by the WVD subject matter experts; native WVD deployments only.
WVD_IN_SCOPE = (
    "Deploy Office 365 ProPlus and Windows 10 to a WVD multi-session environment",
    "Configure Office 365 ProPlus FSLogix capabilities",
    "Deploy Teams to the host pool",
    "Deploy Edge to the host pool",
    "Deploy Microsoft 365 security capabilities",
    "Overview of MDATP for WVD multi-session (coming soon)",
    "Overview of Intune support for WVD (coming soon)",
)
WVD_OUT_OF_SCOPE = (
    "Third-party application virtualisation or deployment",
    "Custom images",
    "SCCM and MDT",
    "Migrations and scenarios involving VMware or Citrix",
    "Linux scenarios",
    "Project management of the customer's WVD deployment",
)

# M365 or Windows 10 E3/E5/A3/A5: required by both pre-qualifications.
QUALIFYING_LICENCES = tuple(
    f"{product} {plan}"
    for product in ("Microsoft 365", "Windows 10")
    for plan in ("E3", "E5", "A3", "A5")
)
MINIMUM_SEATS = 150
MINIMUM_VMS = 150


class RegionClass(StrEnum):
    SUPPORTED = "supported"
    BY_EXCEPTION = "by exception, in English only"
    NOT_AVAILABLE = "not available"


MAINLAND_CHINA = "China (mainland)"
ELSEWHERE = "Anywhere else Azure is commercially available"
NO_COMMERCIAL_AZURE = "Outside Azure's commercial regions (e.g. a sovereign cloud)"
EXCEPTION_REGIONS = ("Russia", "Hong Kong", "Taiwan", "Macao", "India")
REGIONS = (MAINLAND_CHINA, *EXCEPTION_REGIONS, ELSEWHERE, NO_COMMERCIAL_AZURE)

# The countries whose class is not "supported"; any other country is.
_REGION_OF_COUNTRY = {
    "CN": MAINLAND_CHINA,
    "RU": "Russia",
    "HK": "Hong Kong",
    "TW": "Taiwan",
    "MO": "Macao",
    "IN": "India",
}
_OUTSIDE_COMMERCIAL_AZURE = ("sovereign", "government cloud", "gov cloud", "outside azure")


def parse_region(text: str) -> str:
    """Where the customer is, as the WVD rules class it: a country or a city ("United States",
    "Seattle", "Mumbai"), or one of REGIONS by its start ("Anywhere else")."""
    wanted = " ".join(text.split()).lower()
    named = [r for r in REGIONS if r.lower().startswith(wanted)]
    if wanted and len(named) == 1:
        return named[0]
    if any(words in wanted for words in _OUTSIDE_COMMERCIAL_AZURE):
        return NO_COMMERCIAL_AZURE
    code = places.find_country(text)
    if code is None:
        raise InvalidAnswer(
            f"I don't know where “{text.strip()}” is. Name the country, e.g. United States or "
            "India, or a large city."
        )
    return _REGION_OF_COUNTRY.get(code) or places.country_name(code)


def region_class(region: str) -> RegionClass:
    """Where FastTrack for Azure is available: every Azure commercial region except mainland
    China; Russia, Hong Kong, Taiwan, Macao and India by exception and in English only."""
    canonical = region.strip()
    if canonical not in REGIONS:
        code = places.find_country(canonical)
        canonical = _REGION_OF_COUNTRY.get(code, canonical) if code else canonical
    if canonical in (MAINLAND_CHINA, NO_COMMERCIAL_AZURE):
        return RegionClass.NOT_AVAILABLE
    if canonical in EXCEPTION_REGIONS:
        return RegionClass.BY_EXCEPTION
    return RegionClass.SUPPORTED


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    # Not eligible: each requirement not met. Eligible: what qualified, with any caveat.
    reasons: list[str]


def prequalify_fasttrack_for_azure(
    *,
    paid_azure_subscription: bool,
    region: str,
    licences: Iterable[str],
    english_accepted: bool = False,
) -> Eligibility:
    """Active paid Azure subscription, a region where FastTrack for Azure is available, and an
    M365 or Windows 10 E3/E5/A3/A5 licence."""
    met: list[str] = []
    unmet: list[str] = []
    if paid_azure_subscription:
        met.append("an active, paid Azure subscription")
    else:
        unmet.append("no active, paid Azure subscription")

    where = region.strip()
    regions = region_class(where)
    if regions is RegionClass.NOT_AVAILABLE:
        unmet.append(f"FastTrack for Azure is not available in {_region_name(where)}")
    elif regions is RegionClass.BY_EXCEPTION:
        if english_accepted:
            met.append(f"{where}: available by exception and in English only")
        else:
            unmet.append(
                f"in {where} FastTrack for Azure is available by exception and in English only, "
                "and the customer needs another language"
            )
    else:
        met.append("a region where FastTrack for Azure is available")

    held = qualifying_licences(licences)
    if held:
        met.append("licence " + ", ".join(held))
    else:
        unmet.append("no Microsoft 365 or Windows 10 E3, E5, A3 or A5 licence")
    return Eligibility(not unmet, unmet or met)


def prequalify_fasttrack_for_m365(
    *, licences: Iterable[str], seats: int, vms: int, azure_virtual_network: bool
) -> Eligibility:
    """An M365 or Windows 10 E3/E5/A3/A5 licence with 150+ seats, 150+ VMs, and an Azure
    subscription that contains a virtual network."""
    met: list[str] = []
    unmet: list[str] = []
    held = qualifying_licences(licences)
    if not held:
        unmet.append("no Microsoft 365 or Windows 10 E3, E5, A3 or A5 licence")
    elif seats < MINIMUM_SEATS:
        unmet.append(f"{seats} licensed seats, fewer than the {MINIMUM_SEATS} required")
    else:
        met.append(f"{seats} seats of " + ", ".join(held))
    if vms < MINIMUM_VMS:
        unmet.append(f"{vms} virtual machines, fewer than the {MINIMUM_VMS} required")
    else:
        met.append(f"{vms} virtual machines")
    if azure_virtual_network:
        met.append("an Azure subscription with a virtual network")
    else:
        unmet.append("no Azure subscription with a virtual network")
    return Eligibility(not unmet, unmet or met)


def qualifying_licences(licences: Iterable[str] | None) -> list[str]:
    held = set(licences or ())
    return [licence for licence in QUALIFYING_LICENCES if licence in held]


def _region_name(region: str) -> str:
    if region == MAINLAND_CHINA:
        return "mainland China"
    if region == NO_COMMERCIAL_AZURE:
        return "regions outside Azure's commercial ones"
    return region


# --- the WVD branch, from the answers -------------------------------------------------------

_PREQUALIFICATION_KEYS = (
    "azure_paid_subscription",
    "region",
    "english_accepted",
    "licences",
    "seats",
    "vms",
    "azure_virtual_network",
)


def wvd_chosen(answers: dict) -> bool:
    return DEVICES in (answers.get("scenarios") or [])


def _native_wvd(answers: dict) -> bool:
    return wvd_chosen(answers) and answers.get("wvd_native") is True


def _by_exception(answers: dict) -> bool:
    return _native_wvd(answers) and (
        "region" in answers and region_class(answers["region"]) is RegionClass.BY_EXCEPTION
    )


def _has_licence(answers: dict) -> bool:
    return _native_wvd(answers) and bool(qualifying_licences(answers.get("licences")))


def prequalification_answered(answers: dict) -> bool:
    return _native_wvd(answers) and all(
        key in answers
        for key in _PREQUALIFICATION_KEYS
        if not (key == "english_accepted" and not _by_exception(answers))
        and not (key == "seats" and not _has_licence(answers))
    )


@dataclass(frozen=True)
class WvdResult:
    nominate: bool  # both pre-qualifications met
    azure: Eligibility | None  # None when not a native WVD deployment
    m365: Eligibility | None
    out_of_scope: list[str]  # what goes to a partner through OCP even when nominated


def wvd_result(answers: dict) -> WvdResult | None:
    """None outside the WVD branch or while the pre-qualification is incomplete."""
    if not wvd_chosen(answers) or "wvd_native" not in answers:
        return None
    if not answers["wvd_native"]:
        return WvdResult(False, None, None, [WVD_OUT_OF_SCOPE[3]])
    if not prequalification_answered(answers):
        return None
    licences = answers.get("licences") or []
    azure = prequalify_fasttrack_for_azure(
        paid_azure_subscription=bool(answers["azure_paid_subscription"]),
        region=answers["region"],
        licences=licences,
        english_accepted=bool(answers.get("english_accepted")),
    )
    m365 = prequalify_fasttrack_for_m365(
        licences=licences,
        seats=answers.get("seats") or 0,
        vms=answers["vms"],
        azure_virtual_network=bool(answers["azure_virtual_network"]),
    )
    return WvdResult(
        azure.eligible and m365.eligible, azure, m365, list(answers.get("wvd_out_of_scope") or [])
    )


# Asked unless an earlier answer rules them out, so "Step n of N" shrinks rather than grows.


def _asks_wvd_details(answers: dict) -> bool:
    return wvd_chosen(answers) and answers.get("wvd_native") is not False


def _asks_english(answers: dict) -> bool:
    return _asks_wvd_details(answers) and (
        "region" not in answers or region_class(answers["region"]) is RegionClass.BY_EXCEPTION
    )


def _asks_seats(answers: dict) -> bool:
    return _asks_wvd_details(answers) and (
        "licences" not in answers or bool(qualifying_licences(answers["licences"]))
    )


def _asks_nomination_id(answers: dict) -> bool:
    if not _asks_wvd_details(answers):
        return False
    result = wvd_result(answers)
    return result is None or result.nominate


def wvd_verdict(answers: dict) -> str | None:
    """The result and why, as the FM reads it once the last pre-qualification answer is in."""
    result = wvd_result(answers)
    if result is None:
        return None
    if result.azure is None:
        return (
            "**Not a native WVD deployment.** Citrix and VMware scenarios are out of FastTrack "
            f"scope: follow up with the account team to submit a partner request via OCP "
            f"({OCP_REQUEST})."
        )
    lines = [
        "**WVD pre-qualification: " + ("eligible.**" if result.nominate else "not eligible.**"),
        f"FastTrack for Azure: {_verdict(result.azure)}.",
        f"FastTrack for M365: {_verdict(result.m365)}.",
    ]
    if result.nominate:
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


def _verdict(eligibility: Eligibility) -> str:
    word = "met" if eligibility.eligible else "not met"
    return f"{word} ({'; '.join(eligibility.reasons)})"


def _prequalification_info(answers: dict) -> str | None:
    return wvd_verdict(answers) if prequalification_answered(answers) else None


def _native_info(answers: dict) -> str | None:
    return wvd_verdict(answers) if answers.get("wvd_native") is False else None


def _wvd_out_of_scope_info(answers: dict) -> str | None:
    if not answers.get("wvd_out_of_scope"):
        return None
    return (
        "These are out of FastTrack scope: follow up with the account team to submit a partner "
        f"request via OCP ({OCP_REQUEST})."
    )


def wvd_needs_partner(answers: dict) -> bool:
    """Some of the WVD work goes to a partner through OCP: not native, out-of-scope items, or
    the pre-qualification not met."""
    result = wvd_result(answers)
    return result is not None and (not result.nominate or bool(result.out_of_scope))


# --- ids, counts, notes and dates typed by the FM -------------------------------------------

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_LABELLED_ID = re.compile(
    r"^(tpid|enrou?ll?ment(?:\s*(?:id|number|no\.?))?|subscription(?:\s*id)?)\s*[:#]?\s*(\S+)$",
    re.I,
)
_ID_FORMATS = (
    "Write it like `TPID 1234567`, `enrollment 87654321` or "
    "`subscription 0f8fad5b-d9cb-469f-a165-70867728950e`."
)


def parse_nomination_id(text: str) -> str:
    """A TPID, an enrollment id or an Azure subscription id, labelled: "TPID 1234567"."""
    text = text.strip()
    if _GUID.match(text):
        return f"Subscription ID {text.lower()}"
    if text.isdigit():
        raise InvalidAnswer(f"Is {text} a TPID or an enrollment id? " + _ID_FORMATS)
    match = _LABELLED_ID.match(text)
    if not match:
        raise InvalidAnswer(
            f"“{text}” is not a TPID, enrollment id or subscription id. " + _ID_FORMATS
        )
    label, value = match.group(1).lower(), match.group(2)
    if label.startswith("subscription"):
        if not _GUID.match(value):
            raise InvalidAnswer(
                f"“{value}” is not a subscription id: it is a GUID such as "
                "0f8fad5b-d9cb-469f-a165-70867728950e."
            )
        return f"Subscription ID {value.lower()}"
    name = "TPID" if label == "tpid" else "Enrollment ID"
    if not value.isdigit() or not 4 <= len(value) <= 12:
        raise InvalidAnswer(f"“{value}” is not a {name}: it is a number of 4 to 12 digits.")
    return f"{name} {value}"


def parse_covid_note(text: str) -> str:
    text = text.strip()
    if len(text) > 1000:
        raise InvalidAnswer("Please keep the note under 1,000 characters.")
    if text.lower().startswith(COVID_TAG.lower()):
        text = text[len(COVID_TAG) :].strip()
    return f"{COVID_TAG} {text}"


MAX_TARGETS = 10


def target_dates_example(today: date) -> str:
    pilot = date.fromordinal(today.toordinal() + 30)
    everyone = date.fromordinal(today.toordinal() + 90)
    return f"Teams pilot: {pilot:%d %B %Y}; All staff: {everyone:%d %B %Y}"


def parse_target_dates(text: str, today: date) -> list[str]:
    """Milestones with their target dates, `Teams pilot: 15 May; All staff by 30 June`, each a
    real date after today; stored as "name: ISO date", in date order."""
    items = [item.strip() for item in re.split(r"[;\n]+", text) if item.strip()]
    if len(items) > MAX_TARGETS:
        raise InvalidAnswer(f"Please give at most {MAX_TARGETS} target dates.")
    targets: list[tuple[date, str]] = []
    for item in items:
        found = natural_answers.find_date(item, today)
        name = _milestone_name(item[: found.start] if found else item.rpartition(":")[0])
        if not name:
            raise InvalidAnswer(
                f"Name each target date as `milestone: date`, e.g. "
                f"`{target_dates_example(today).split(';')[0]}`; “{item}” has no milestone."
            )
        when = item[found.start :] if found else item.rpartition(":")[2]
        try:
            due = parse_date(when, today, future_only=True)
        except InvalidAnswer as reason:
            raise InvalidAnswer(f"{name}: {reason}") from None
        targets.append((due, name))
    targets.sort(key=lambda target: target[0])
    return [f"{name}: {due.isoformat()}" for due, name in targets]


def _milestone_name(text: str) -> str:
    name = text.strip().rstrip(":-–,").strip()
    for word in (" by", " on", " at"):
        if name.lower().endswith(word):
            name = name[: -len(word)].strip()
    return name


def rollout_targets(answers: dict) -> list[tuple[str, date]]:
    """(milestone, target date) pairs of the rollout plan."""
    targets = []
    for item in answers.get("target_dates") or []:
        name, _, when = item.rpartition(": ")
        targets.append((name, date.fromisoformat(when)))
    return targets


# --- the questions --------------------------------------------------------------------------


def _tier_info(answers: dict) -> str | None:
    picked = tier(answers.get("priority"))
    return f"**Priority {picked.number}**: {picked.meaning}" if picked else None


def _other_service(answers: dict) -> bool:
    return OTHER_SERVICE in (answers.get("scenarios") or [])


def _not_all_in_scope(answers: dict) -> bool:
    return answers.get("fasttrack_scope") in (PARTLY_IN_SCOPE, OUT_OF_SCOPE)


def has_in_scope_work(answers: dict) -> bool:
    return answers.get("fasttrack_scope") in (IN_SCOPE, PARTLY_IN_SCOPE)


def has_out_of_scope_work(answers: dict) -> bool:
    return _not_all_in_scope(answers) or wvd_needs_partner(answers)


def _blocked_info(answers: dict) -> str | None:
    if not answers.get("blocked"):
        return None
    return (
        f"Recorded: set L1/L2/L3 to {BLOCKED_STATUS_TEXT} in FTOP. E5 growth is not raised "
        "with the account team while the customer is blocked."
    )


def _plan_info(answers: dict) -> str | None:
    if answers.get("has_rollout_plan"):
        return "Work with the customer on their plan: validate it and share best practice."
    return (
        "Build the plan with the customer from the Enable Teams Anywhere materials "
        f"({ROLLOUT_MATERIALS})."
    )


def e5_may_be_assessed(answers: dict) -> bool:
    """Never reach out for E5 growth when the customer is blocked or holding features."""
    return not answers.get("blocked") and not answers.get("holding_features")


def _questions(roster: Roster) -> list[Question]:
    prequalification = {"applies": _asks_wvd_details, "info": _prequalification_info}
    return [
        # FTOP task 4115: sync with the account team.
        Question("customer", "Customer", "Which customer is this triage for?"),
        area_question(roster, "In which area is the customer engaged?"),
        Question(
            "account_team",
            "Account team met",
            "Which account team members (ATS, AE, TAM, CSM) did you meet in the sync "
            "(FTOP task 4115)? Their email addresses, separated by commas.",
            AnswerKind.EMAILS,
        ),
        Question(
            "priority",
            "Priority",
            "Which priority group is the customer in?",
            AnswerKind.CHOICE,
            tuple(t.name for t in TIERS),
            info=_tier_info,
        ),
        # FTOP task 4116: the strategic deployment conversation with the customer.
        Question(
            "scenarios",
            "Scenarios",
            "Which scenarios does the customer need? Pick one or more (numbers or names, "
            "separated by commas).",
            AnswerKind.CHOICES,
            SCENARIOS,
        ),
        Question(
            "other_service",
            "Other FastTrack service",
            "Which FastTrack service does the need fall under (e.g. Windows servicing)?",
            applies=_other_service,
            when="if another FastTrack service",
        ),
        Question(
            "customer_needs",
            "Customer's asks",
            "What does the customer ask for? It goes in the FTOP Technical Enablement Notes "
            f"with {COVID_TAG}.",
        ),
        Question(
            "wvd_native",
            "Native WVD deployment",
            "Windows Virtual Desktop: is it a native WVD deployment? FastTrack does not work "
            f"with Citrix or VMware. (To brief the customer on WVD: {WVD_BRIEFING})",
            AnswerKind.YES_NO,
            applies=wvd_chosen,
            info=_native_info,
        ),
        Question(
            "wvd_in_scope",
            "WVD items in scope",
            "Which of these in-scope items, delivered by the WVD SMEs, does the customer need?",
            AnswerKind.CHOICES,
            WVD_IN_SCOPE,
            optional=True,
            applies=_asks_wvd_details,
        ),
        Question(
            "wvd_out_of_scope",
            "WVD items out of scope",
            "Does the customer also need any of these out-of-scope items?",
            AnswerKind.CHOICES,
            WVD_OUT_OF_SCOPE,
            optional=True,
            applies=_asks_wvd_details,
            info=_wvd_out_of_scope_info,
        ),
        Question(
            "azure_paid_subscription",
            "Active paid Azure subscription",
            "Pre-qualification for FastTrack for Azure and FastTrack for M365. Does the "
            "customer have an active, paid Azure subscription?",
            AnswerKind.YES_NO,
            **prequalification,
        ),
        Question(
            "region",
            "Customer's region",
            "Where is the customer located? A country or a city.",
            parser=parse_region,
            **prequalification,
        ),
        Question(
            "english_accepted",
            "Engagement in English accepted",
            "FastTrack for Azure is available there by exception and in English only. Does the "
            "customer accept an engagement in English?",
            AnswerKind.YES_NO,
            applies=_asks_english,
            when="if FastTrack for Azure is available there only by exception",
            info=_prequalification_info,
        ),
        Question(
            "licences",
            "Qualifying licences",
            "Which of these licences does the customer have?",
            AnswerKind.CHOICES,
            QUALIFYING_LICENCES,
            optional=True,
            **prequalification,
        ),
        Question(
            "seats",
            "Licensed seats",
            "How many seats of those licences does the customer have?",
            AnswerKind.NUMBER,
            applies=_asks_seats,
            when="if it has one of those licences",
            info=_prequalification_info,
        ),
        Question(
            "vms",
            "Virtual machines",
            "How many virtual machines will the WVD deployment have?",
            AnswerKind.NUMBER,
            **prequalification,
        ),
        Question(
            "azure_virtual_network",
            "Azure subscription with a virtual network",
            "Does the customer have an Azure subscription that contains a virtual network?",
            AnswerKind.YES_NO,
            **prequalification,
        ),
        Question(
            "nomination_id",
            "Nomination id",
            "To nominate the customer I need its TPID, enrollment id or subscription id. "
            + _ID_FORMATS,
            parser=parse_nomination_id,
            placeholder="TPID 1234567",
            applies=_asks_nomination_id,
        ),
        Question(
            "fasttrack_scope",
            "FastTrack scope",
            "Does what the customer needs fit in FastTrack scope?",
            AnswerKind.CHOICE,
            SCOPES,
        ),
        Question(
            "scope_exception",
            "Exception (out of scope)",
            "What is out of FastTrack scope? I record it as the exception for the FastTrack "
            "Insight tool.",
            applies=_not_all_in_scope,
            when="if not all in scope",
        ),
        Question(
            "recommendation",
            "Recommended to fill the gap",
            "What do you recommend to fill the gap? Pick one or more.",
            AnswerKind.CHOICES,
            RECOMMENDATIONS,
            applies=_not_all_in_scope,
            when="if not all in scope",
        ),
        Question(
            "blocked",
            "Blocked or stalled by COVID",
            "Is the customer blocked or stalled by complications arising from COVID-19?",
            AnswerKind.YES_NO,
            info=_blocked_info,
        ),
        Question(
            "accelerated",
            "Workloads accelerated by COVID",
            "Is the customer accelerating or expanding workloads because of COVID-19?",
            AnswerKind.YES_NO,
        ),
        Question(
            "covid_note",
            f"{COVID_TAG} note",
            f"Describe the impact for the {COVID_TAG} note, e.g. `customer prioritising Teams "
            "by +40k users by 30 June`.",
            parser=parse_covid_note,
            applies=lambda answers: answers.get("accelerated") is not False,
            when="if accelerating or expanding",
        ),
        # FTOP task 4117: the workload/feature rollout plan.
        Question(
            "has_rollout_plan",
            "Customer has a rollout plan",
            "Does the customer already have a rollout or deployment plan?",
            AnswerKind.YES_NO,
            info=_plan_info,
        ),
        Question("next_steps", "Next steps", "What next steps did you agree with the customer?"),
        Question(
            "expectations",
            "Expectations",
            "What are the expectations: what does the customer want to achieve, and who delivers?",
        ),
        Question(
            "target_dates",
            "Target dates",
            "What are the target dates? Name each milestone with its date, separated by "
            "semicolons. I will remind you on each.",
            date_parser=parse_target_dates,
            example=target_dates_example,
        ),
        # FTOP task 4118: request or assign resources.
        Question(
            "in_scope_resources",
            "Resources in scope",
            "Who delivers the in-scope items? The FastTrack Manager and the subject matter "
            "experts (SMEs).",
            applies=lambda answers: answers.get("fasttrack_scope") != OUT_OF_SCOPE,
        ),
        Question(
            "out_of_scope_resources",
            "Resources out of scope",
            "Who delivers the out-of-scope items? Pick one or more.",
            AnswerKind.CHOICES,
            OUT_OF_SCOPE_RESOURCES,
            applies=has_out_of_scope_work,
        ),
        # FTOP task 4108: E5 growth.
        Question(
            "holding_features",
            "Holding advanced features",
            "Is the customer putting an advanced feature on hold because of its COVID plan?",
            AnswerKind.YES_NO,
            applies=lambda answers: not answers.get("blocked"),
        ),
        Question(
            "e5_growth",
            "Assess E5 growth",
            "Should the account team assess an E5 opportunity: does the customer need advanced "
            "features for its COVID response, or has it asked for a feature it is not "
            "licensed for?",
            AnswerKind.YES_NO,
            applies=e5_may_be_assessed,
            when="if not holding advanced features",
        ),
    ]


_STEPS = (
    # FTOP task 4115: sync with the account team.
    ("sync", "Customer and account team", ("customer", "area", "account_team", "priority"), None),
    # FTOP task 4116: the strategic deployment conversation with the customer.
    ("scenarios", "Scenarios", ("scenarios", "other_service", "customer_needs"), None),
    (
        "wvd",
        "Windows Virtual Desktop",
        ("wvd_native", "wvd_in_scope", "wvd_out_of_scope"),
        "the customer needs Windows Virtual Desktop",
    ),
    (
        "wvd_prequalification",
        "WVD pre-qualification",
        (
            "azure_paid_subscription",
            "region",
            "english_accepted",
            "licences",
            "seats",
            "vms",
            "azure_virtual_network",
        ),
        "the customer needs Windows Virtual Desktop",
    ),
    # Counted from the start of the branch, dropped if the customer is not eligible.
    (
        "nomination",
        "Nomination",
        ("nomination_id",),
        "the customer needs Windows Virtual Desktop",
    ),
    ("scope", "FastTrack scope", ("fasttrack_scope", "scope_exception", "recommendation"), None),
    ("covid_impact", "COVID impact", ("blocked", "accelerated", "covid_note"), None),
    # FTOP task 4117: the workload/feature rollout plan.
    (
        "rollout_plan",
        "Rollout plan",
        ("has_rollout_plan", "next_steps", "expectations", "target_dates"),
        None,
    ),
    # FTOP tasks 4118 (resources) and 4108 (E5 growth).
    (
        "resources",
        "Resources and E5 growth",
        ("in_scope_resources", "out_of_scope_resources", "holding_features", "e5_growth"),
        None,
    ),
)


def steps(roster: Roster) -> list[Step]:
    by_key = {q.key: q for q in _questions(roster)}
    return [
        Step(key, title, tuple(by_key[k] for k in keys), added_because)
        for key, title, keys, added_because in _STEPS
    ]


def questions(roster: Roster) -> list[Question]:
    return questions_of(steps(roster))


# --- what the request shows ----------------------------------------------------------------


# The liaison decides alone, except when ECIF funding is recommended to fill an out-of-scope
# gap: funding is what the regional director reviews (DOMAIN.md, the director's role). A
# partner recommendation or a WVD partner request goes through the account team's OCP
# process, which has its own approval, so it does not need the director here.
def needs_director(answers: dict) -> bool:
    return _not_all_in_scope(answers) and ECIF in (answers.get("recommendation") or [])


@dataclass(frozen=True)
class FtopTask:
    number: int
    title: str
    status: str  # "Done", "To do" or "Not needed"
    detail: str


def ftop_tasks(answers: dict) -> list[FtopTask]:
    """The four engagement steps (FTOP tasks 4115 to 4118) and E5 growth (4108)."""
    team = answers.get("account_team") or []
    picked = tier(answers.get("priority"))
    sync = FtopTask(
        4115,
        "Sync with the account team",
        "Done" if team and picked else "To do",
        f"met {len(team)} account team member{'s' if len(team) != 1 else ''}"
        + (f"; priority {picked.number}" if picked else ""),
    )
    scenarios = _scenario_text(answers)
    conversation = FtopTask(
        4116,
        "Strategic deployment conversation with the customer",
        "Done" if scenarios and answers.get("fasttrack_scope") else "To do",
        "; ".join(x for x in (scenarios, answers.get("fasttrack_scope") or "") if x),
    )
    targets = rollout_targets(answers)
    plan = FtopTask(
        4117,
        "Agree on the workload/feature rollout plan",
        "Done" if targets and answers.get("next_steps") else "To do",
        (
            f"{len(targets)} target date{'s' if len(targets) != 1 else ''}, the first on "
            f"{targets[0][1]:%d %B %Y}"
            if targets
            else "no target dates yet"
        )
        + (
            "; the customer's own plan"
            if answers.get("has_rollout_plan")
            else "; a plan from the Enable Teams Anywhere materials"
            if "has_rollout_plan" in answers
            else ""
        ),
    )
    resources = _resources_text(answers)
    assigned = all(
        key in answers
        for key, holds in (
            ("in_scope_resources", has_in_scope_work(answers)),
            ("out_of_scope_resources", has_out_of_scope_work(answers)),
        )
        if holds
    )
    align = FtopTask(
        4118,
        "Request or assign resources",
        "Done" if assigned and resources else "To do",
        resources or "no resources yet",
    )
    return [sync, conversation, plan, align, _e5_task(answers)]


def _e5_task(answers: dict) -> FtopTask:
    title = "Engage with the account team for E5 growth"
    if answers.get("blocked"):
        return FtopTask(4108, title, "Not needed", "the customer is blocked: no proactive outreach")
    if answers.get("holding_features"):
        return FtopTask(
            4108, title, "Not needed", "the customer holds advanced features: no proactive outreach"
        )
    if answers.get("e5_growth"):
        return FtopTask(
            4108,
            title,
            "To do",
            "support the account team on the E5 opportunity; prioritise an upcoming renewal",
        )
    if answers.get("e5_growth") is False:
        return FtopTask(4108, title, "Not needed", "no E5 opportunity now")
    return FtopTask(4108, title, "To do", "assess the E5 opportunity")


def _scenario_text(answers: dict) -> str:
    names = []
    for scenario in answers.get("scenarios") or []:
        if scenario == OTHER_SERVICE and answers.get("other_service"):
            names.append(f"{answers['other_service']} (another FastTrack service)")
        else:
            names.append(scenario)
    return ", ".join(names)


def _resources_text(answers: dict) -> str:
    parts = []
    if has_in_scope_work(answers) and answers.get("in_scope_resources"):
        parts.append(f"in scope: {answers['in_scope_resources']}")
    if has_out_of_scope_work(answers) and answers.get("out_of_scope_resources"):
        parts.append("out of scope: " + ", ".join(answers["out_of_scope_resources"]))
    return "; ".join(parts)


def _scope_text(answers: dict) -> str:
    scope = answers.get("fasttrack_scope") or "(not given)"
    if not _not_all_in_scope(answers):
        return scope
    recommended = ", ".join(answers.get("recommendation") or []) or "nothing yet"
    return f"{scope}: {answers.get('scope_exception', '')}. Recommended: {recommended}"


def _covid_status(answers: dict) -> str:
    parts = []
    if answers.get("blocked"):
        parts.append(f"Blocked: L1/L2/L3 {BLOCKED_STATUS_TEXT}")
    if answers.get("accelerated") and answers.get("covid_note"):
        parts.append(f"Accelerated: {answers['covid_note']}")
    return "; ".join(parts) or "Neither blocked nor accelerated"


def _wvd_text(answers: dict) -> str | None:
    result = wvd_result(answers)
    if result is None:
        return None
    if result.azure is None:
        return "Not native WVD (Citrix or VMware): out of scope, partner request via OCP"
    if result.nominate:
        text = "Eligible: nominate"
        if answers.get("nomination_id"):
            text += f" with {answers['nomination_id']}"
        if result.out_of_scope:
            text += "; out-of-scope items via a partner request (OCP)"
        return text
    reasons = [*(result.azure.reasons if not result.azure.eligible else [])]
    reasons += result.m365.reasons if not result.m365.eligible else []
    return "Not eligible (" + "; ".join(reasons) + "): partner request via OCP"


def highlights(answers: dict) -> list[tuple[str, str]]:
    """The COVID section of the liaison's card."""
    picked = tier(answers.get("priority"))
    facts = [
        ("Priority", f"{picked.number} · {picked.name}" if picked else "(not given)"),
        ("Scenarios", _scenario_text(answers) or "(not given)"),
        ("FastTrack scope", _scope_text(answers)),
        ("COVID status", _covid_status(answers)),
    ]
    wvd = _wvd_text(answers)
    if wvd:
        facts.append(("WVD pre-qualification", wvd))
    targets = rollout_targets(answers)
    facts.append(
        (
            "Rollout target dates",
            "; ".join(f"{name} {due:%d %b %Y}" for name, due in targets) or "(none)",
        )
    )
    e5 = _e5_task(answers)
    facts.append(("E5 growth (4108)", f"{e5.status}: {e5.detail}"))
    return facts


def notes(answers: dict) -> list[str]:
    """The FTOP tasks with what is done, and what to record where, for the summary and card."""
    found = [
        f"FTOP task {task.number} · {task.title}: {task.status} ({task.detail})."
        for task in ftop_tasks(answers)
    ]
    if answers.get("blocked"):
        found.append(f"Set L1/L2/L3 in FTOP to {BLOCKED_STATUS_TEXT}.")
    if answers.get("accelerated") and answers.get("covid_note"):
        found.append(f"Add to the FTOP Notes field: {answers['covid_note']}")
    if _not_all_in_scope(answers):
        found.append(
            "Document the exception in the FastTrack Insight tool. Recommended to fill the gap: "
            + (", ".join(answers.get("recommendation") or []) or "Premier, a partner or ECIF")
            + "."
        )
    result = wvd_result(answers)
    if result is not None and result.nominate:
        found.append(
            f"Nominate the customer through the Azure Nomination Portal ({NOMINATION_PORTAL})."
        )
    if wvd_needs_partner(answers):
        found.append(
            "WVD: follow up with the account team to submit a partner request via OCP "
            f"({OCP_REQUEST})."
        )
    return found


def deadlines_at_submission(request: Request) -> list[Deadline]:
    """One reminder to the requester on each rollout target date."""
    return [
        Deadline(request.id, f"Rollout target: {name}", due, request.requester)
        for name, due in rollout_targets(request.answers)
    ]


OUTCOMES = (
    "Workloads accelerated",
    "Customer unblocked",
    "Rollout plan met its target dates",
    "Nominated for FastTrack for Azure (WVD)",
    "Handed to a partner or Microsoft Services",
    "None of these",
)

CONFIRMATION = (
    "I will remind you on each rollout target date. Record the asks in the FTOP Technical "
    f"Enablement Notes with {COVID_TAG}."
)
