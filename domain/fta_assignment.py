"""Assigning a FastTrack Architect (seed 001): what each type of request must carry, where it
goes (an FTA by the workload balancer, or the FTCHelp mailbox), and the balancer itself.

Pure values and functions; the roster supplies the FTAs, the database their loads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.roster import Person

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
