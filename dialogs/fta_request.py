"""`request fta`: the requester says what they need (seed 001), the bot asks only for the key
inputs that type needs, and the request goes to an FTA by the workload balancer (or to
FTCHelp)."""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.dialogs import Dialog

from cards.fta import confirmation
from cards.welcome import MenuItem
from dialogs.questionnaire_dialog import QuestionnaireDialog, Submitted
from dialogs.registry import ConversationKind, KindServices
from dialogs.request_commands import person_of
from domain import fta_assignment

MENU_ITEM = MenuItem(
    "request fta",
    "Request an FTA",
    "Get a FastTrack Architect assigned (workshop, ECIF/DWR, migration exception, ...)",
    ("assign an fta", "i need an architect", "fta request", "request an fta"),
)


def fta_request_dialog(services: KindServices) -> Dialog:
    service, roster = services.fta, services.roster

    async def submit(turn_context: TurnContext, answers: dict, submission_key: str) -> Submitted:
        requester = person_of(turn_context.activity.from_property)
        request = await service.submit(requester, answers, submission_key)
        return Submitted(request.id, confirmation(request, roster.ftc_help_mailbox))

    return QuestionnaireDialog("fta_request", "FTA request", fta_assignment.steps(roster), submit)


KIND = ConversationKind(MENU_ITEM, fta_request_dialog)
