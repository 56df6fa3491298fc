"""Non-standard delivery (seed 000): an exception for scope outside the standard FastTrack
benefit, approved by the area liaison (and the regional director for funding, a partner or
considerable effort). Its questions and rules are in domain/non_standard_delivery.py."""

from __future__ import annotations

from cards.welcome import MenuItem
from dialogs.registry import ApprovalKind
from domain import non_standard_delivery
from domain.roster import Roster
from services.requests import RequestKindSpec


def spec(roster: Roster) -> RequestKindSpec:
    return RequestKindSpec(
        non_standard_delivery.KIND,
        non_standard_delivery.steps(roster),
        non_standard_delivery.needs_director,
        non_standard_delivery.card_notes,
        after_approval="Next: deliver as approved, then record the outcome from `my requests`.",
        mail_next_steps=mail_next_steps,
        outcomes=non_standard_delivery.OUTCOMES,
        highlights=non_standard_delivery.highlights,
        flags=non_standard_delivery.flags,
    )


def mail_next_steps(answers: dict) -> list[str]:
    steps = ["Build the deal with the FastTrack Manager for the approved scope."]
    present, missing = non_standard_delivery.deal_artifacts(answers)
    if answers.get("includes_funding") or present or missing:
        steps.append(
            "Submit the ECIF request through the Digital WinRoom (DWR), with the deal artifacts: "
            "statement of work (SOW), cost breakdown, work breakdown structure (WBS), OneAsk "
            "URL and any additional collateral."
        )
    if present or missing:
        steps.append(
            "Artifacts on the request: "
            + (", ".join(present) or "none")
            + ". Still missing: "
            + (", ".join(missing) or "none")
            + "."
        )
    return steps


KIND = ApprovalKind(
    MenuItem(
        "non-standard delivery",
        "Non-standard delivery",
        "Request an exception for scope outside the standard FastTrack benefit",
        ("nsd", "non standard delivery", "exception", "exception request"),
    ),
    spec,
    confirmation=non_standard_delivery.NO_COMMITMENT,
)
