"""The partner benefit-scope check of seed 002: is the FastTrack Benefit enough, or what
value-added services (VAS) should a FastTrack Ready Partner wrap around it?

A verdict, not an approval: no one decides on it. Values only; the wording is the card's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from domain.questionnaire import AnswerKind, Question, Step

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


LICENCES = "licences"


def _eligible(answers: Mapping[str, object]) -> bool:
    licences = answers.get(LICENCES)
    return isinstance(licences, int) and licences >= MINIMUM_LICENCES


def steps() -> list[Step]:
    """The check as a conversation: the licence count, then (for 150 or more) the three
    questions as one step."""
    return [
        Step(
            "licences",
            "Licences",
            (
                Question(
                    LICENCES,
                    "Licences",
                    "How many Microsoft 365 licences does the customer have?",
                    AnswerKind.NUMBER,
                    placeholder="e.g. 500",
                ),
            ),
        ),
        Step(
            "scope",
            "The three scope questions",
            (
                Question(
                    # Plain text keys: the dialog state holds them.
                    ScopeQuestion.REMOTE_GUIDANCE.value,
                    "All guidance deliverable remotely?",
                    "Can all the guidance the customer requires be delivered remotely?",
                    AnswerKind.YES_NO,
                    applies=_eligible,
                ),
                Question(
                    ScopeQuestion.SELF_REMEDIATION.value,
                    "Customer runs the tools and remediates, remotely helped?",
                    "Is the customer willing and able to run the assessment tools, analyse the "
                    "results and remediate issues with hands-off remote assistance?",
                    AnswerKind.YES_NO,
                    applies=_eligible,
                ),
                Question(
                    ScopeQuestion.SPONSORSHIP.value,
                    "Sponsorship and project management in place?",
                    "Does the customer have the sponsorship and project management capabilities "
                    "to lead a successful onboarding effort?",
                    AnswerKind.YES_NO,
                    applies=_eligible,
                ),
            ),
        ),
    ]


def verdict_of(answers: Mapping[str, object]) -> ScopeVerdict:
    """The verdict for the conversation's answers (keyed as `steps` asks them)."""
    licences = answers[LICENCES]
    if not isinstance(licences, int):
        raise ValueError("the licence count is a whole number")
    given = {q: bool(answers[q]) for q in ScopeQuestion if q in answers}
    return assess(licences, given)
