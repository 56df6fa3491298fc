"""One-turn commands about requests: `my requests` and `my approvals`, and the conversations
that raise them."""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.dialogs import Dialog
from botbuilder.schema import ChannelAccount, ResourceResponse

from bot.card_activity import card_activity
from bot.references import conversation_type
from cards.my_requests import my_requests_card
from cards.welcome import MenuItem
from dialogs.fta_commands import FtaCommands
from dialogs.main_dialog import Command
from dialogs.questionnaire_dialog import QuestionnaireDialog, Submitted, SubmittedBefore
from domain.requests import Request
from domain.roster import Person
from notices.absence import absence_note
from persistence.conversation_references import PERSONAL
from services.deadlines import DeadlineService
from services.people import Addresses
from services.requests import RequestKindSpec, RequestService

MY_REQUESTS = MenuItem(
    "my requests",
    "My requests",
    "The status of the requests you raised",
    ("requests", "my request", "status"),
)
MY_APPROVALS = MenuItem(
    "my approvals",
    "My approvals",
    "Requests waiting on your decision",
    ("approvals", "pending approvals", "to approve"),
)
# The menu's second row: what shows the reader their own things.
YOUR_ITEMS = (MY_REQUESTS, MY_APPROVALS)


def person_of(account: ChannelAccount) -> Person:
    # Teams does not put the email in activities; it is not needed to route or decide.
    return Person(account.name or "", account.aad_object_id or "", "")


async def send_card(turn_context: TurnContext, card: dict) -> ResourceResponse | None:
    """None when the card was dropped: the Bot Connector did not take it within the turn."""
    activity = card_activity(card)
    return await turn_context.send_activity(activity)


def submitted_before(service: RequestService) -> SubmittedBefore:
    async def reference(turn_context: TurnContext, submission_key: str) -> str | None:
        requester = person_of(turn_context.activity.from_property)
        request = await service.submitted(submission_key, requester)
        return request.id if request else None

    return reference


def request_commands(
    service: RequestService, outcomes: dict, deadlines: DeadlineService, fta: FtaCommands
) -> list[Command]:
    async def my_requests(turn_context: TurnContext) -> None:
        me = person_of(turn_context.activity.from_property)
        requests = await service.my_requests(me)
        fta_requests = await fta.my_requests(me)
        if not requests and not fta_requests:
            await turn_context.send_activity("You have not raised any requests yet.")
            return
        deliveries = await service.deliveries(requests)
        due = await deadlines.next_deadline_texts(requests, me)
        card = my_requests_card(
            requests,
            outcomes,
            deliveries,
            reader_id=me.aad_object_id,
            decisions=await service.decisions(requests),
            deadlines=due,
            more=fta_requests,
        )
        await send_card(turn_context, card)

    async def my_approvals(turn_context: TurnContext) -> None:
        activity = turn_context.activity
        me = person_of(activity.from_property)
        waiting = await service.my_approvals(me)
        if not waiting:
            if not await fta.send_my_approvals(turn_context, me):
                await turn_context.send_activity("Nothing waits on you.")
            return
        personal = conversation_type(activity) == PERSONAL
        already = await service.shown_in(activity.conversation.id, me, personal=personal)
        due = await deadlines.next_deadline_texts(waiting, me)
        lines = [f"- {r.id}: {due[r.id]}" for r in waiting if r.id in due]
        await turn_context.send_activity("\n".join([_waiting_intro(waiting, already), *lines]))
        for request in waiting:
            response = await send_card(turn_context, await service.card_for(request, me))
            if response is not None:
                await service.record_copy(
                    request, me, activity.conversation.id, response.id, activity.service_url
                )
        await fta.send_my_approvals(turn_context, me)

    return [Command(MY_REQUESTS, my_requests), Command(MY_APPROVALS, my_approvals)]


def _waiting_intro(waiting: list[Request], already: set[str]) -> str:
    """Says which cards are here again: those already sent in this chat stay up to date there
    too, so the person knows the copies are the same request, not new ones."""
    plural = "s wait" if len(waiting) > 1 else " waits"
    intro = f"{len(waiting)} request{plural} on you"
    again = [request.id for request in waiting if request.id in already]
    if not again:
        return intro + ":"
    if len(again) == len(waiting):
        return intro + "; here again are the cards sent to you above (every copy stays up to date):"
    return (
        intro + f"; {', '.join(again)} already sent to you above, here again "
        "(every copy stays up to date):"
    )


def approval_conversation(
    service: RequestService, spec: RequestKindSpec, confirmation: str, addresses: Addresses
) -> Dialog:
    """The conversation that raises a request of an approval kind."""

    async def submit(turn_context: TurnContext, answers: dict, submission_key: str) -> Submitted:
        requester = person_of(turn_context.activity.from_property)
        request = await service.submit(spec.kind, requester, answers, submission_key)
        # Submit pressed again (e.g. after a crash) gives the request as it is now, which may
        # have been decided meanwhile.
        waiting = request.waiting_on if request.is_open else None
        where = (
            f"It now waits on {waiting.display_name} ({request.area.name})"
            + "".join(f", as {absence_note(a)}" for a in request.passed_over)
            if waiting
            else f"It is {request.status.label.lower()}"
        )
        return Submitted(
            request.id,
            f"Submitted **{request.id}**. {where}; I will tell you of every decision. "
            f"{confirmation}",
        )

    return QuestionnaireDialog(
        spec.kind.name,
        f"{spec.kind.label} request",
        spec.steps,
        submit,
        spec.notes,
        unknown_addresses=addresses.unknown,
        submitted_before=submitted_before(service),
    )
