"""Seed 003, the COVID triage an FM or FTA runs with a customer: its vocabulary, its questions
in steps, and the Windows Virtual Desktop (WVD) branch applied to the answers.

Pure: the rules decide (WVD pre-qualification in domain.wvd), the dialog only asks and shows
what they say. Reading typed answers is in domain.covid_parsing, the FTOP tasks and what the
request shows in domain.covid_tasks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from domain.covid_parsing import (
    COVID_TAG,
    ID_FORMATS,
    parse_covid_note,
    parse_nomination_id,
    parse_region,
    parse_target_dates,
    rollout_targets,
    target_dates_example,
)
from domain.deadlines import Deadline, DeadlineRules
from domain.questionnaire import (
    Answer,
    AnswerKind,
    Question,
    Step,
    TypedAnswers,
    area_question,
    questions_of,
)
from domain.requests import APPROVAL, Request, RequestKind
from domain.roster import Roster
from domain.wvd import (
    QUALIFYING_LICENCES,
    WVD_BRIEFING,
    WVD_IN_SCOPE,
    WVD_OUT_OF_SCOPE,
    Eligibility,
    RegionClass,
    prequalify_fasttrack_for_azure,
    prequalify_fasttrack_for_m365,
    qualifying_licences,
    region_class,
)

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

ROLLOUT_MATERIALS = "https://transform.microsoft.com/enable-teams-anywhere"

# --- the answers -------------------------------------------------------------------------------


class CovidAnswers(TypedAnswers):
    """A triage's answers, typed: None when not (yet) given, or skipped."""

    __slots__ = ()
    customer = Answer[str]()
    area = Answer[str]()
    account_team = Answer[list[str]]()
    priority = Answer[str]()
    scenarios = Answer[list[str]]()
    other_service = Answer[str]()
    customer_needs = Answer[str]()
    wvd_native = Answer[bool]()
    wvd_in_scope = Answer[list[str]]()
    wvd_out_of_scope = Answer[list[str]]()
    azure_paid_subscription = Answer[bool]()
    region = Answer[str]()
    english_accepted = Answer[bool]()
    licences = Answer[list[str]]()
    seats = Answer[int]()
    vms = Answer[int]()
    azure_virtual_network = Answer[bool]()
    nomination_id = Answer[str]()
    fasttrack_scope = Answer[str]()
    scope_exception = Answer[str]()
    recommendation = Answer[list[str]]()
    blocked = Answer[bool]()
    accelerated = Answer[bool]()
    covid_note = Answer[str]()
    has_rollout_plan = Answer[bool]()
    next_steps = Answer[str]()
    expectations = Answer[str]()
    target_dates = Answer[list[str]]()
    in_scope_resources = Answer[str]()
    out_of_scope_resources = Answer[list[str]]()
    holding_features = Answer[bool]()
    e5_growth = Answer[bool]()


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


def wvd_chosen(answers: Mapping[str, object]) -> bool:
    return DEVICES in (CovidAnswers.of(answers).scenarios or [])


def _native_wvd(answers: Mapping[str, object]) -> bool:
    return wvd_chosen(answers) and CovidAnswers.of(answers).wvd_native is True


def prequalification_answered(answers: Mapping[str, object]) -> bool:
    return _native_wvd(answers) and _prequalification_complete(CovidAnswers.of(answers))


def _prequalification_complete(typed: CovidAnswers) -> bool:
    """Of a native WVD deployment: every pre-qualification answer its earlier ones call for is
    in. Presence, not value: "licences" skipped is answered (None)."""
    not_asked = set()
    if typed.region is None or region_class(typed.region) is not RegionClass.BY_EXCEPTION:
        not_asked.add("english_accepted")
    if not qualifying_licences(typed.licences):
        not_asked.add("seats")
    return all(key in typed.answers for key in _PREQUALIFICATION_KEYS if key not in not_asked)


@dataclass(frozen=True)
class WvdResult:
    nominate: bool  # both pre-qualifications met
    azure: Eligibility | None  # None when not a native WVD deployment
    m365: Eligibility | None
    out_of_scope: list[str]  # what goes to a partner through OCP even when nominated

    @property
    def needs_partner(self) -> bool:
        """Some of the work goes to a partner through OCP: not native, out-of-scope items, or
        the pre-qualification not met."""
        return not self.nominate or bool(self.out_of_scope)


def wvd_result(answers: Mapping[str, object]) -> WvdResult | None:
    """None outside the WVD branch or while the pre-qualification is incomplete."""
    typed = CovidAnswers.of(answers)
    if not wvd_chosen(answers) or typed.wvd_native is None:
        return None
    if not typed.wvd_native:
        return WvdResult(False, None, None, [WVD_OUT_OF_SCOPE[3]])
    if not _prequalification_complete(typed):
        return None
    licences = typed.licences or []
    azure = prequalify_fasttrack_for_azure(
        paid_azure_subscription=bool(typed.azure_paid_subscription),
        region=typed.region or "",
        licences=licences,
        english_accepted=bool(typed.english_accepted),
    )
    m365 = prequalify_fasttrack_for_m365(
        licences=licences,
        seats=typed.seats or 0,
        vms=typed.vms or 0,
        azure_virtual_network=bool(typed.azure_virtual_network),
    )
    return WvdResult(
        azure.eligible and m365.eligible, azure, m365, list(typed.wvd_out_of_scope or [])
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


def _prequalification_info(answers: dict) -> WvdResult | None:
    return wvd_result(answers) if prequalification_answered(answers) else None


def _native_info(answers: dict) -> WvdResult | None:
    return wvd_result(answers) if answers.get("wvd_native") is False else None


class Advice(StrEnum):
    """What the playbook advises once an answer is in (dialogs.wording says it)."""

    WVD_ITEMS_VIA_OCP = "wvd_items_via_ocp"  # out-of-scope WVD items: a partner request
    BLOCKED_STATUS = "blocked_status"  # set L1/L2/L3; no E5 outreach while blocked
    VALIDATE_CUSTOMER_PLAN = "validate_customer_plan"
    PLAN_FROM_MATERIALS = "plan_from_materials"  # the Enable Teams Anywhere materials


def _wvd_out_of_scope_info(answers: dict) -> Advice | None:
    return Advice.WVD_ITEMS_VIA_OCP if answers.get("wvd_out_of_scope") else None


def wvd_needs_partner(answers: Mapping[str, object]) -> bool:
    result = wvd_result(answers)
    return result is not None and result.needs_partner


# --- the questions --------------------------------------------------------------------------


def _tier_info(answers: dict) -> Tier | None:
    return tier(answers.get("priority"))


def _other_service(answers: dict) -> bool:
    return OTHER_SERVICE in (answers.get("scenarios") or [])


def not_all_in_scope(answers: Mapping[str, object]) -> bool:
    return answers.get("fasttrack_scope") in (PARTLY_IN_SCOPE, OUT_OF_SCOPE)


def has_in_scope_work(answers: Mapping[str, object]) -> bool:
    return answers.get("fasttrack_scope") in (IN_SCOPE, PARTLY_IN_SCOPE)


def has_out_of_scope_work(answers: Mapping[str, object]) -> bool:
    return not_all_in_scope(answers) or wvd_needs_partner(answers)


def _blocked_info(answers: dict) -> Advice | None:
    return Advice.BLOCKED_STATUS if answers.get("blocked") else None


def _plan_info(answers: dict) -> Advice:
    if answers.get("has_rollout_plan"):
        return Advice.VALIDATE_CUSTOMER_PLAN
    return Advice.PLAN_FROM_MATERIALS


def e5_may_be_assessed(answers: dict) -> bool:
    """Never reach out for E5 growth when the customer is blocked or holding features."""
    return not answers.get("blocked") and not answers.get("holding_features")


def _questions(roster: Roster) -> list[Question]:
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
            "Which scenarios does the customer need? Pick one or more.",
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
            applies=_asks_wvd_details,
            info=_prequalification_info,
        ),
        Question(
            "region",
            "Customer's region",
            "Where is the customer located? A country or a city.",
            parser=parse_region,
            applies=_asks_wvd_details,
            info=_prequalification_info,
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
            applies=_asks_wvd_details,
            info=_prequalification_info,
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
            applies=_asks_wvd_details,
            info=_prequalification_info,
        ),
        Question(
            "azure_virtual_network",
            "Azure subscription with a virtual network",
            "Does the customer have an Azure subscription that contains a virtual network?",
            AnswerKind.YES_NO,
            applies=_asks_wvd_details,
            info=_prequalification_info,
        ),
        Question(
            "nomination_id",
            "Nomination id",
            "To nominate the customer I need its TPID, enrollment id or subscription id. "
            + ID_FORMATS,
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
            applies=not_all_in_scope,
            when="if not all in scope",
        ),
        Question(
            "recommendation",
            "Recommended to fill the gap",
            "What do you recommend to fill the gap? Pick one or more.",
            AnswerKind.CHOICES,
            RECOMMENDATIONS,
            applies=not_all_in_scope,
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


# --- routing, reminders, outcomes ---------------------------------------------------------


# The liaison decides alone, except when ECIF funding is recommended to fill an out-of-scope
# gap: funding is what the regional director reviews (DOMAIN.md, the director's role). A
# partner recommendation or a WVD partner request goes through the account team's OCP
# process, which has its own approval, so it does not need the director here.
def needs_director(answers: Mapping[str, object]) -> bool:
    return not_all_in_scope(answers) and ECIF in (CovidAnswers.of(answers).recommendation or [])


def flags(answers: Mapping[str, object]) -> list[str]:
    """What sends the triage on to the regional director, in words for the card's first line."""
    return ["ECIF funding recommended"] if needs_director(answers) else []


def deadlines_at_submission(request: Request, rules: DeadlineRules) -> list[Deadline]:
    """One reminder to the requester on each rollout target date."""
    return [
        rules.rollout_target(request, name, due, number)
        for number, (name, due) in enumerate(rollout_targets(request.answers), start=1)
    ]


KIND = RequestKind("covid_triage", "COVID", "COVID triage", APPROVAL)

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
