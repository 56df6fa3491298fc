"""Assigning a FastTrack Architect (seed 001): what each type of request must carry, where it
goes (an FTA by the workload balancer, or the FTCHelp mailbox), and the balancer itself.

Pure values and functions; the roster supplies the FTAs, the database their loads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from domain.questionnaire import AnswerKind, Question, Step, area_question
from domain.roster import Area, Mailbox, Person, Roster, WaitingOn

# An FTA is assigned within 2 business days of the request (seed 001 "Objectives").
ASSIGNMENT_DUE_BUSINESS_DAYS = 2


class KeyInput(StrEnum):
    """The inputs seed 001's "Confirm Request Type" and "Key Inputs" ask for."""

    SOW = "sow"
    STAFFING_PLAN = "staffing_plan"  # staffing plan / work breakdown structure
    COST_BREAKDOWN = "cost_breakdown"
    MAILBOX_DETAILS = "mailbox_details"
    SOURCE_ENVIRONMENT = "source_environment"
    BUSINESS_JUSTIFICATION = "business_justification"
    ENGAGEMENT_DETAILS = "engagement_details"  # details and approvals, before licence purchase
    CUSTOMER_SUCCESS_PLAN = "customer_success_plan"
    FAQ_TOPIC = "faq_topic"
    IMPACT = "impact"


class Route(StrEnum):
    FTA = "fta"  # assigned by the workload balancer to an FTA of the customer's area
    FTC_HELP = "ftc_help"  # mailed to the FTCHelp team mailbox


class FtaRequestType(StrEnum):
    DISCOVERY_WORKSHOP = "discovery_workshop"
    ECIF_DWR_REVIEW = "ecif_dwr_review"
    MIGRATION_EXCEPTION = "migration_exception"
    BEFORE_LICENCE_PURCHASE = "before_licence_purchase"  # FTOP task 3286
    LAND_BENEFIT = "land_benefit"
    SALES_SUPPORT = "sales_support"

    @property
    def route(self) -> Route:
        return _ROUTES[self]

    @property
    def key_inputs(self) -> tuple[KeyInput, ...]:
        return _KEY_INPUTS[self]


_FUNDING = (KeyInput.SOW, KeyInput.STAFFING_PLAN, KeyInput.COST_BREAKDOWN)
_KEY_INPUTS: dict[FtaRequestType, tuple[KeyInput, ...]] = {
    FtaRequestType.DISCOVERY_WORKSHOP: _FUNDING,
    FtaRequestType.ECIF_DWR_REVIEW: _FUNDING,
    FtaRequestType.MIGRATION_EXCEPTION: (
        KeyInput.MAILBOX_DETAILS,
        KeyInput.SOURCE_ENVIRONMENT,
        KeyInput.BUSINESS_JUSTIFICATION,
    ),
    FtaRequestType.BEFORE_LICENCE_PURCHASE: (
        KeyInput.ENGAGEMENT_DETAILS,
        KeyInput.BUSINESS_JUSTIFICATION,
    ),
    FtaRequestType.LAND_BENEFIT: (KeyInput.CUSTOMER_SUCCESS_PLAN,),
    FtaRequestType.SALES_SUPPORT: (KeyInput.FAQ_TOPIC, KeyInput.IMPACT),
}
# Funding and migration exceptions (engaging before licence purchase is one) go to FTAs;
# non-funding and sales-support requests to FTCHelp ("Route to Assignment Queue").
_ROUTES: dict[FtaRequestType, Route] = {
    FtaRequestType.DISCOVERY_WORKSHOP: Route.FTA,
    FtaRequestType.ECIF_DWR_REVIEW: Route.FTA,
    FtaRequestType.MIGRATION_EXCEPTION: Route.FTA,
    FtaRequestType.BEFORE_LICENCE_PURCHASE: Route.FTA,
    FtaRequestType.LAND_BENEFIT: Route.FTC_HELP,
    FtaRequestType.SALES_SUPPORT: Route.FTC_HELP,
}


class FaqTopic(StrEnum):
    """The FTCHelp FAQ topics a sales-support inquiry is referred to (seed 001)."""

    ELIGIBILITY = "Eligibility"
    WINDOWS_10 = "Windows 10"
    READY_PARTNERS = "FastTrack Ready Partners"
    TEST_TENANTS = "Provision Test/POC/Demo Tenants"
    GOVERNMENT_TENANTS = "GCC/GCC High Tenant Requirements"
    MARKETING = "Marketing and Promotional Material"


def missing_inputs(
    request_type: FtaRequestType, given: Mapping[str, object]
) -> tuple[KeyInput, ...]:
    """The key inputs of `request_type` that `given` lacks (absent, None or blank): only these
    are asked for."""
    return tuple(key for key in request_type.key_inputs if _blank(given.get(key)))


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass(frozen=True)
class FtaLoad:
    """One FTA of an area as the balancer sees them."""

    fta: Person
    open_assignments: int
    last_assigned_at: datetime | None  # None: never assigned
    away: bool = False


def choose_fta(candidates: Iterable[FtaLoad], *, passed_over: Sequence[str] = ()) -> FtaLoad | None:
    """The workload balancer: the fewest open assignments wins, ties go to whoever was assigned
    longest ago (never first), FTAs who are away or who already handed this request back
    (`passed_over`, AAD object ids) are skipped. None when nobody is available."""
    available = [
        load for load in candidates if not load.away and load.fta.aad_object_id not in passed_over
    ]
    if not available:
        return None
    return min(
        available,
        key=lambda load: (
            load.open_assignments,
            load.last_assigned_at is not None,
            load.last_assigned_at or datetime.min,
            load.fta.display_name,
        ),
    )


class FtaStatus(StrEnum):
    ASSIGNED = "assigned"  # to an FTA, by the balancer; waits for them to accept
    ACCEPTED = "accepted"
    UNASSIGNED = "unassigned"  # no FTA of the area was available: the liaison is alerted
    FTC_HELP = "ftc_help"  # for the FTCHelp team, not an FTA


@dataclass(frozen=True)
class HandBack:
    """An FTA handed the request back: why, and who it went to next (None: nobody left)."""

    by: Person
    at: datetime
    reason: str
    to: Person | None


@dataclass(frozen=True)
class FtaRequest:
    id: str
    request_type: FtaRequestType
    customer: str
    area: Area
    requester: Person
    answers: Mapping[str, object]
    status: FtaStatus
    fta: Person | None = None
    # Bumped by every move; a move is saved only if the version it was based on is current.
    version: int = 1
    # The FTAs who handed it back (AAD object ids): the balancer passes them over.
    passed_over: tuple[str, ...] = ()
    hand_backs: tuple[HandBack, ...] = ()

    @property
    def waits_on_fta(self) -> bool:
        """Assigned to an FTA who has not accepted it yet."""
        return self.status in ASSIGNMENT.offered and self.fta is not None


class FtaMove(StrEnum):
    ACCEPT = "accept"
    HAND_BACK = "hand_back"  # with a reason; to the next FTA by the same rule, or to nobody


# Compared by identity (it is stated once).
@dataclass(frozen=True, eq=False)
class AssignmentWorkflow:
    """An FTA request's life cycle: the workload balancer assigns it to an FTA, who accepts it
    or hands it back (it goes to the next FTA, or to nobody: the area liaison then assigns one
    by hand); the types for FTCHelp go to its mailbox."""

    # The moves the FTA a request is assigned to is offered on its card, by status: the only
    # legal ones.
    offered: Mapping[FtaStatus, tuple[FtaMove, ...]]

    def waiting_on(self, request: FtaRequest, ftc_help: Mailbox) -> WaitingOn | None:
        """The FTA until they accept; the area liaison while no FTA is available; the FTCHelp
        mailbox for its types; no one once accepted."""
        if request.status in self.offered:
            return request.fta
        if request.status is FtaStatus.UNASSIGNED:
            return request.area.liaison
        if request.status is FtaStatus.FTC_HELP:
            return ftc_help
        return None


ASSIGNMENT = AssignmentWorkflow(
    offered={FtaStatus.ASSIGNED: (FtaMove.ACCEPT, FtaMove.HAND_BACK)},
)


class FtaMoveError(Exception):
    """The move is not possible now; the message says why (for the person who clicked)."""


def accept(request: FtaRequest, actor: Person) -> FtaRequest:
    _check_assigned_to(request, actor)
    return replace(request, status=FtaStatus.ACCEPTED, version=request.version + 1)


def hand_back(
    request: FtaRequest, actor: Person, reason: str, loads: Sequence[FtaLoad], at: datetime
) -> FtaRequest:
    """The request goes to the next FTA by the same rule, passing over whoever handed it back;
    unassigned when nobody is left."""
    _check_assigned_to(request, actor)
    reason = reason.strip()
    if not reason:
        raise FtaMoveError("Say why you hand it back: the reason is needed.")
    passed_over = (*request.passed_over, actor.aad_object_id)
    chosen = choose_fta(loads, passed_over=passed_over)
    fta = chosen.fta if chosen else None
    return replace(
        request,
        status=FtaStatus.ASSIGNED if chosen else FtaStatus.UNASSIGNED,
        fta=fta,
        version=request.version + 1,
        passed_over=passed_over,
        hand_backs=(*request.hand_backs, HandBack(actor, at, reason, fta)),
    )


def _check_assigned_to(request: FtaRequest, actor: Person) -> None:
    if request.status not in ASSIGNMENT.offered or request.fta is None:
        raise FtaMoveError(f"{request.id} is {request.status.value.replace('_', ' ')} already.")
    if request.fta.aad_object_id != actor.aad_object_id:
        raise FtaMoveError(f"{request.id} is assigned to {request.fta.display_name}, not you.")


def may_read(request: FtaRequest, viewer: Person, roster: Roster) -> bool:
    """Who may see an FTA request at all: its requester, the FTA it is assigned to, the FTAs
    who handed it back, and the area's liaison, backup and director (the liaison is reminded
    of it and assigns by hand when nobody is available). Anyone else learns nothing, not even
    that it exists."""
    who = viewer.aad_object_id
    if not who:
        return False
    if who == request.requester.aad_object_id or who in request.passed_over:
        return True
    if request.fta is not None and who == request.fta.aad_object_id:
        return True
    return any(area.code == request.area.code for _, area in roster.roles_of(who))


def account_team(request: FtaRequest) -> tuple[str, ...]:
    """The account team members the requester named: told who is assigned."""
    team = request.answers.get(ACCOUNT_TEAM)
    return tuple(str(address) for address in team) if isinstance(team, list | tuple) else ()


def place(
    request_id: str,
    request_type: FtaRequestType,
    area: Area,
    requester: Person,
    answers: Mapping[str, object],
    loads: Sequence[FtaLoad],
) -> FtaRequest:
    """Where a new request goes: FTCHelp, the FTA the balancer picks, or nobody yet."""
    customer = str(answers.get("customer", ""))
    if request_type.route is Route.FTC_HELP:
        status, fta = FtaStatus.FTC_HELP, None
    else:
        chosen = choose_fta(loads)
        status = FtaStatus.ASSIGNED if chosen else FtaStatus.UNASSIGNED
        fta = chosen.fta if chosen else None
    return FtaRequest(request_id, request_type, customer, area, requester, answers, status, fta)


# --- the `request fta` conversation --------------------------------------------------------

REQUEST_TYPE_LABELS: dict[FtaRequestType, str] = {
    FtaRequestType.DISCOVERY_WORKSHOP: "Discovery workshop",
    FtaRequestType.ECIF_DWR_REVIEW: "ECIF/DWR review",
    FtaRequestType.MIGRATION_EXCEPTION: "Migration exception",
    FtaRequestType.BEFORE_LICENCE_PURCHASE: ("Engagement before licence purchase (FTOP task 3286)"),
    FtaRequestType.LAND_BENEFIT: "Landing the FastTrack benefit",
    FtaRequestType.SALES_SUPPORT: "Sales-support question",
}
_TYPE_BY_LABEL = {label: kind for kind, label in REQUEST_TYPE_LABELS.items()}

_KEY_INPUT_QUESTIONS: dict[KeyInput, Question] = {
    KeyInput.SOW: Question(
        KeyInput.SOW.value,
        "Statement of Work",
        "A link to the Statement of Work (SOW)?",
        AnswerKind.URL,
    ),
    KeyInput.STAFFING_PLAN: Question(
        KeyInput.STAFFING_PLAN.value,
        "Staffing plan / WBS",
        "A link to the staffing plan or work breakdown structure?",
        AnswerKind.URL,
    ),
    KeyInput.COST_BREAKDOWN: Question(
        KeyInput.COST_BREAKDOWN.value,
        "Cost breakdown",
        "A link to the cost breakdown?",
        AnswerKind.URL,
    ),
    KeyInput.MAILBOX_DETAILS: Question(
        KeyInput.MAILBOX_DETAILS.value,
        "Mailbox details",
        "The mailbox details (how many, which kind, where they are)?",
    ),
    KeyInput.SOURCE_ENVIRONMENT: Question(
        KeyInput.SOURCE_ENVIRONMENT.value,
        "Source environment",
        "The source environment (e.g. Domino/Notes, another mail or file system)?",
    ),
    KeyInput.BUSINESS_JUSTIFICATION: Question(
        KeyInput.BUSINESS_JUSTIFICATION.value,
        "Business justification",
        "The business justification for the exception?",
    ),
    KeyInput.ENGAGEMENT_DETAILS: Question(
        KeyInput.ENGAGEMENT_DETAILS.value,
        "Engagement details and approvals",
        "The engagement details and the approvals that allow engaging before the licence purchase?",
    ),
    KeyInput.CUSTOMER_SUCCESS_PLAN: Question(
        KeyInput.CUSTOMER_SUCCESS_PLAN.value,
        "Customer Success Plan",
        "A link to the customer's Customer Success Plan (CSP)?",
        AnswerKind.URL,
    ),
    KeyInput.FAQ_TOPIC: Question(
        KeyInput.FAQ_TOPIC.value,
        "FAQ topic",
        "Which FTCHelp FAQ topic is the question about?",
        AnswerKind.CHOICE,
        tuple(topic.value for topic in FaqTopic),
    ),
    KeyInput.IMPACT: Question(
        KeyInput.IMPACT.value,
        "Impact and deployment status",
        "The impact, the customer type and the deployment status?",
    ),
}


# The account team's addresses (the same key as the other kinds of request).
ACCOUNT_TEAM = "account_team"
_ACCOUNT_TEAM_QUESTION = Question(
    ACCOUNT_TEAM,
    "Account team to inform",
    "Which account team members (ATS, AE, TAM, CSM, SSP) should be told which FTA is "
    "assigned? Their email addresses, separated by commas.",
    AnswerKind.EMAILS,
)


def _goes_to_an_fta(answers: dict) -> bool:
    request_type = request_type_of(answers)
    return request_type is not None and request_type.route is Route.FTA


def key_input_label(key: KeyInput) -> str:
    return _KEY_INPUT_QUESTIONS[key].label


def request_type_of(answers: Mapping[str, object]) -> FtaRequestType | None:
    label = answers.get("request_type")
    return _TYPE_BY_LABEL.get(label) if isinstance(label, str) else None


def _needs(key: KeyInput) -> Callable[[dict], bool]:
    def needed(answers: dict) -> bool:
        request_type = request_type_of(answers)
        return request_type is not None and key in missing_inputs(
            request_type, {k: v for k, v in answers.items() if k != key}
        )

    return needed


def steps(roster: Roster) -> list[Step]:
    """The type first, then only the key inputs that type needs and that are missing."""
    return [
        Step(
            "request",
            "What you need",
            (
                Question(
                    "request_type",
                    "Request type",
                    "What do you need?",
                    AnswerKind.CHOICE,
                    tuple(REQUEST_TYPE_LABELS.values()),
                ),
                Question("customer", "Customer", "Which customer is it for?"),
                area_question(roster, "In which area is the customer?"),
            ),
        ),
        Step(
            "inputs",
            "Key inputs",
            (
                *(
                    replace(question, applies=_needs(key))
                    for key, question in _KEY_INPUT_QUESTIONS.items()
                ),
                replace(_ACCOUNT_TEAM_QUESTION, applies=_goes_to_an_fta),
            ),
        ),
    ]
