"""`benefit scope`: the partner benefit-scope check (seed 002), a short conversation that ends
in a verdict card. Nothing is submitted and no one approves it."""

from __future__ import annotations

from botbuilder.dialogs import Dialog

from cards.scope_verdict import scope_verdict_card
from cards.welcome import MenuItem
from dialogs.questionnaire_dialog import QuestionnaireDialog
from dialogs.registry import ConversationKind
from domain import benefit_scope

MENU_ITEM = MenuItem(
    "benefit scope",
    "Benefit scope check",
    "Check what the FastTrack Benefit covers for a partner's customer, and which value-added "
    "services to offer",
    ("scope check", "is it in scope", "benefit scope check"),
)


def benefit_scope_dialog() -> Dialog:
    return QuestionnaireDialog(
        "benefit_scope",
        "Benefit scope check",
        benefit_scope.steps(),
        submit=None,
        conclude=lambda answers: scope_verdict_card(benefit_scope.verdict_of(answers)),
    )


KIND = ConversationKind(MENU_ITEM, lambda services: benefit_scope_dialog())
