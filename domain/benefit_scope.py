"""The partner benefit-scope check of seed 002: is the FastTrack Benefit enough, or what
value-added services (VAS) should a FastTrack Ready Partner wrap around it?

A verdict, not an approval: no one decides on it. Values only; the wording is the card's.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# Program partners assist eligible customers: 150 or more Microsoft 365 licences.
MINIMUM_LICENCES = 150


class ScopeQuestion(StrEnum):
    """The three questions seed 002 asks to place a customer inside or outside the Benefit."""

    REMOTE_GUIDANCE = "remote_guidance"  # can all the guidance be delivered remotely?
    SELF_REMEDIATION = "self_remediation"  # can they run the tools and remediate, remotely helped?
    SPONSORSHIP = "sponsorship"  # sponsorship and project management to lead onboarding?


class ValueAddedService(StrEnum):
    """Seed 002's examples of fee-based services outside the Benefit."""

    PROJECT_MANAGEMENT = "Project management"
    BUSINESS_SOLUTIONS = "Business solutions integrated with Microsoft Cloud services"
    ONSITE_RESOURCES = (
        "Onsite project management or technical resources in lieu of or to complement the "
        "customer team"
    )
    WORKSHOPS = "Workshops and solutions to help customers derive business value"
    DATA_MIGRATION = "Data migration services that are out of FastTrack scope"


# What fills the gap each "no" leaves.
_FILLS_THE_GAP: dict[ScopeQuestion, tuple[ValueAddedService, ...]] = {
    ScopeQuestion.REMOTE_GUIDANCE: (
        ValueAddedService.ONSITE_RESOURCES,
        ValueAddedService.WORKSHOPS,
    ),
    ScopeQuestion.SELF_REMEDIATION: (
        ValueAddedService.ONSITE_RESOURCES,
        ValueAddedService.BUSINESS_SOLUTIONS,
        ValueAddedService.DATA_MIGRATION,
    ),
    ScopeQuestion.SPONSORSHIP: (
        ValueAddedService.PROJECT_MANAGEMENT,
        ValueAddedService.ONSITE_RESOURCES,
    ),
}


class OutOfScope(StrEnum):
    """What the Benefit never covers, whatever the answers (seed 002)."""

    MIGRATION = "FastTrack migration services"
    BEYOND_GUIDANCE = "Any assistance beyond guidance"


@dataclass(frozen=True)
class Gap:
    question: ScopeQuestion
    services: tuple[ValueAddedService, ...]


@dataclass(frozen=True)
class ScopeVerdict:
    eligible: bool
    licences: int
    # Empty when every answer is yes: benefit-only assistance.
    gaps: tuple[Gap, ...] = ()
    out_of_scope: tuple[OutOfScope, ...] = tuple(OutOfScope)

    @property
    def benefit_only(self) -> bool:
        return self.eligible and not self.gaps

    @property
    def services_to_offer(self) -> tuple[ValueAddedService, ...]:
        """Every service the gaps call for, once each, in the order first called for."""
        return tuple(dict.fromkeys(s for gap in self.gaps for s in gap.services))


def assess(licences: int, answers: dict[ScopeQuestion, bool]) -> ScopeVerdict:
    """The verdict for a customer with `licences` seats and yes/no `answers` to the three
    questions. Under 150 licences the customer is not eligible and the answers do not matter."""
    if licences < 0:
        raise ValueError("a licence count is zero or more")
    if licences < MINIMUM_LICENCES:
        return ScopeVerdict(eligible=False, licences=licences)
    missing = [question for question in ScopeQuestion if question not in answers]
    if missing:
        raise ValueError(f"unanswered: {', '.join(missing)}")
    gaps = tuple(
        Gap(question, _FILLS_THE_GAP[question])
        for question in ScopeQuestion
        if not answers[question]
    )
    return ScopeVerdict(eligible=True, licences=licences, gaps=gaps)
