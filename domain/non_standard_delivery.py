"""Seed 000, the non-standard delivery exception request: its questions and their consequences."""

from __future__ import annotations

from collections.abc import Mapping

from domain.identifiers import parse_tpid
from domain.questionnaire import (
    Answer,
    AnswerKind,
    Question,
    Step,
    TypedAnswers,
    area_question,
    questions_of,
)
from domain.requests import APPROVAL, RequestKind
from domain.roster import Roster

SCENARIOS = (
    "Save time or accelerate consumption",
    "Remove a blocker (technical, organisational or financial)",
    "Reduce or right-size costs (e.g. ECIF requested)",
    "Improve Microsoft's position in a compete scenario",
    "Deliver preview or roadmap items before GA",
    "Commit upfront to defuse misalignment",
    "Outcome-based agreement",
)
PREVIEW_SCENARIO = SCENARIOS[4]
COMPETE_SCENARIO = SCENARIOS[3]

DELIVERED_BY = ("FastTrack", "A partner (MCS included)", "Not yet known")
PARTNER_DELIVERS = DELIVERED_BY[1]

DEAL_ARTIFACTS = (
    ("sow_url", "Statement of work (SOW)"),
    ("cost_breakdown_url", "Cost breakdown"),
    ("wbs_url", "Work breakdown structure (WBS)"),
    ("oneask_url", "OneAsk URL"),
    ("collateral_url", "Additional collateral"),
)

KIND = RequestKind("non_standard_delivery", "NSD", "Non-standard delivery", APPROVAL)

OUTCOMES = (
    "Customer selected Microsoft",
    "Customer unblocked",
    "Situation defused",
    "Usage increased",
    "Deployment accelerated",
    "None of these",
)

NO_COMMITMENT = (
    "Until this request is approved, make no commitment to the customer or to internal "
    "stakeholders: the scope increase or funding may be declined."
)


def _partner_delivers(answers: dict) -> bool:
    return NsdAnswers.of(answers).partner_delivers


def steps(roster: Roster) -> list[Step]:
    return [
        Step(
            "customer",
            "Customer",
            (
                Question("customer", "Customer", "Which customer is this request for?"),
                Question(
                    "tpid",
                    "TPID",
                    "What is the customer's TPID? Type `skip` if you don't have it.",
                    optional=True,
                    parser=parse_tpid,
                    placeholder="e.g. 1234567",
                ),
                area_question(roster),
                Question(
                    "account_team",
                    "Account team to inform",
                    "Which account team members (ATS, AE, TAM, CSM, SSP) should be kept "
                    "informed? Their email addresses, separated by commas.",
                    AnswerKind.EMAILS,
                ),
            ),
        ),
        Step(
            "goal",
            "Scenario and goal",
            (
                Question(
                    "scenarios",
                    "Scenarios",
                    "Which scenarios apply? Pick one or more.",
                    AnswerKind.CHOICES,
                    SCENARIOS,
                ),
                Question(
                    "desired_outcome",
                    "Goal and desired outcome",
                    "What are we attempting to achieve with an approval, and what is the "
                    "desired outcome?",
                ),
                Question(
                    "usage_growth",
                    "Expected Active Usage growth",
                    "What is the expected Active Usage growth, and the estimated timeline?",
                ),
            ),
        ),
        Step(
            "business_case",
            "Business case",
            (
                Question(
                    "cost_and_effort",
                    "Cost and effort",
                    "What is the cost, and how much effort is required for delivery?",
                ),
                Question(
                    "competitor_likelihood",
                    "Likelihood of a competitor",
                    "How likely is the customer to choose a competitor?",
                ),
                Question(
                    "impact_if_declined",
                    "Impact of not approving",
                    "What is the impact of not approving this request?",
                ),
            ),
        ),
        Step(
            "delivery",
            "Delivery",
            (
                Question(
                    "delivered_by",
                    "Delivered by",
                    "Who would deliver the non-standard scope?",
                    AnswerKind.CHOICE,
                    DELIVERED_BY,
                ),
                Question(
                    "includes_funding",
                    "Includes funding (ECIF)",
                    "Does the request include funding (ECIF)?",
                    AnswerKind.YES_NO,
                ),
                Question(
                    "involves_partner",
                    "Involves a partner",
                    "Does it involve a partner?",
                    AnswerKind.YES_NO,
                ),
                Question(
                    "considerable_effort",
                    "Considerable effort",
                    "Does delivery take a considerable amount of effort?",
                    AnswerKind.YES_NO,
                ),
            ),
        ),
        Step(
            "deal_artifacts",
            "Deal artifacts",
            tuple(
                Question(
                    key,
                    label,
                    f"Link to the {label}, from the account team? Type `skip` if it is not "
                    "available yet.",
                    AnswerKind.URL,
                    optional=True,
                    applies=_partner_delivers,
                )
                for key, label in DEAL_ARTIFACTS
            ),
            added_because="a partner delivers",
        ),
    ]


def questions(roster: Roster) -> list[Question]:
    return questions_of(steps(roster))


class NsdAnswers(TypedAnswers):
    """A request's answers, typed: None when not (yet) given."""

    __slots__ = ()
    customer = Answer[str]()
    tpid = Answer[str]()
    area = Answer[str]()
    account_team = Answer[list[str]]()
    scenarios = Answer[list[str]]()
    desired_outcome = Answer[str]()
    usage_growth = Answer[str]()
    cost_and_effort = Answer[str]()
    competitor_likelihood = Answer[str]()
    impact_if_declined = Answer[str]()
    delivered_by = Answer[str]()
    includes_funding = Answer[bool]()
    involves_partner = Answer[bool]()
    considerable_effort = Answer[bool]()
    sow_url = Answer[str]()
    cost_breakdown_url = Answer[str]()
    wbs_url = Answer[str]()
    oneask_url = Answer[str]()
    collateral_url = Answer[str]()

    @property
    def partner_delivers(self) -> bool:
        return self.delivered_by == PARTNER_DELIVERS


def needs_director(answers: Mapping[str, object]) -> bool:
    """Funding, a partner or considerable effort: the regional director reviews after the
    liaison."""
    typed = NsdAnswers.of(answers)
    return bool(typed.includes_funding or typed.involves_partner or typed.considerable_effort)


def flags(answers: Mapping[str, object]) -> list[str]:
    """What sends the request on to the regional director, in words for the card's first line."""
    typed = NsdAnswers.of(answers)
    return [
        flag
        for flag, raised in (
            ("funding (ECIF)", typed.includes_funding),
            ("a partner", typed.involves_partner),
            ("considerable effort", typed.considerable_effort),
        )
        if raised
    ]


def highlights(answers: Mapping[str, object]) -> list[tuple[str, str]]:
    """The facts the liaison decides on, at the top of the approval card."""
    typed = NsdAnswers.of(answers)
    return [
        ("Goal", typed.desired_outcome or ""),
        ("Cost and effort", typed.cost_and_effort or ""),
        ("Delivered by", typed.delivered_by or ""),
    ]


def deal_artifacts(answers: Mapping[str, object]) -> tuple[list[str], list[str]]:
    """(present, missing) deal artifact labels; both empty unless a partner delivers."""
    typed = NsdAnswers.of(answers)
    if not typed.partner_delivers:
        return [], []
    present = [label for key, label in DEAL_ARTIFACTS if getattr(typed, key)]
    missing = [label for key, label in DEAL_ARTIFACTS if not getattr(typed, key)]
    return present, missing


def routing_notes(answers: Mapping[str, object]) -> list[str]:
    """Playbook hints for the liaison, derived from the answers."""
    typed = NsdAnswers.of(answers)
    notes = []
    scenarios = typed.scenarios or []
    if PREVIEW_SCENARIO in scenarios:
        notes.append(
            "Preview or roadmap items: consult the product group PM responsible for the program."
        )
    if COMPETE_SCENARIO in scenarios:
        notes.append(
            "Compete scenario: for a Google-to-Microsoft switch, the ring-fenced Switcher FTAs "
            "are the experts."
        )
    if typed.partner_delivers:
        notes.append(
            "Partner delivery: the account team submits the ECIF request through the Digital "
            "WinRoom (DWR)."
        )
    return notes


def card_notes(answers: Mapping[str, object]) -> list[str]:
    """What the liaison's card and the FM's summary point out beyond the answers."""
    notes = routing_notes(answers)
    present, missing = deal_artifacts(answers)
    if present or missing:
        notes.append(
            "Deal artifacts present: "
            + (", ".join(present) or "none")
            + ". Missing: "
            + (", ".join(missing) or "none")
            + "."
        )
    return notes
