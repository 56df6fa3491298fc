"""What people do with FTA requests outside their conversation and the FTA's card: `my
requests` (the requester's entries), `my approvals` (the assignments waiting on an FTA, with
Accept / Hand back; for the liaison, those no FTA accepted in time), and Snooze on the
liaison's reminder."""

from __future__ import annotations

from datetime import date

from botbuilder.core import TurnContext

from bot.card_activity import card_activity
from cards.fta import my_fta_requests
from cards.reminders import snoozed_text
from domain.deadlines import SnoozeError
from domain.roster import Person
from services.deadlines import DeadlineService
from services.fta import FtaService


class FtaCommands:
    def __init__(self, service: FtaService, deadlines: DeadlineService, ftc_help_mailbox: str):
        self._service = service
        self._deadlines = deadlines
        self._ftc_help_mailbox = ftc_help_mailbox

    async def my_requests(self, me: Person) -> list[dict]:
        """The entries of the FTA requests `me` raised, for the `my requests` card."""
        requests = await self._service.my_requests(me)
        return my_fta_requests(
            requests,
            reader_id=me.aad_object_id,
            ftc_help_mailbox=self._ftc_help_mailbox,
            deadlines=await self._deadlines.next_deadline_texts(requests, me),
            deliveries=await self._service.deliveries(requests),
        )

    async def send_my_approvals(self, turn_context: TurnContext, me: Person) -> bool:
        """The assignments waiting on `me` to accept or hand back, and, for a liaison, those
        of their areas overdue (an FTA's assignment waits on the FTA until then: the liaison
        hears of it once it is late, as the reminder does); each with its card. False
        (nothing sent) when there are none."""
        waiting = await self._service.my_approvals(me)
        overdue = await self._service.overdue_for(me)
        plural = "s wait" if len(waiting) > 1 else " waits"
        for requests, intro in (
            (waiting, f"{len(waiting)} FTA assignment{plural} on you to accept or hand back:"),
            (
                overdue,
                f"{len(overdue)} FTA assignment{'s' if len(overdue) > 1 else ''} of your area "
                "not accepted in time: chase the FTA, or assign another by hand.",
            ),
        ):
            if not requests:
                continue
            due = await self._deadlines.next_deadline_texts(requests, me)
            lines = [f"- {r.id}: {due[r.id]}" for r in requests if r.id in due]
            await turn_context.send_activity("\n".join([intro, *lines]))
            activity = turn_context.activity
            for request in requests:
                card = await self._service.card_for(request, me)
                response = await turn_context.send_activity(card_activity(card))
                if response is not None:
                    # This copy is updated with the others when the request moves.
                    await self._service.record_copy(
                        request, me, activity.conversation.id, response.id, activity.service_url
                    )
        return bool(waiting or overdue)

    async def snooze(self, request_id: str, actor: Person, until: date) -> dict | None:
        """Snooze from the liaison's reminder: the request's card saying until when, or why
        not; None when `request_id` is no FTA request the actor may read."""
        request = await self._service.readable(request_id, actor)
        if request is None:
            return None
        try:
            await self._deadlines.snooze(request, actor, until)
        except SnoozeError as refusal:
            return await self._service.card_for(request, actor, str(refusal))
        return await self._service.card_for(request, actor, snoozed_text(request.id, until))
