"""`benefit scope`: the partner benefit-scope check (seed 002), a short conversation that ends
in a verdict card. Nothing is submitted and no one approves it."""

from __future__ import annotations

from cards.scope_verdict import scope_verdict_card
from cards.welcome import MenuItem
from dialogs.registry import VerdictKind
from domain import benefit_scope

KIND = VerdictKind(
    MenuItem(
        "benefit scope",
        "Benefit scope check",
        "Check what the FastTrack Benefit covers for a partner's customer, and which "
        "value-added services to offer",
        ("scope check", "is it in scope", "benefit scope check"),
    ),
    "benefit_scope",
    benefit_scope.steps,
    lambda answers: scope_verdict_card(benefit_scope.verdict_of(answers)),
)
