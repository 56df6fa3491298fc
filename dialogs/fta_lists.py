"""FTA requests in `my requests` and `my approvals`: the requester's entries, and the
assignments waiting on an FTA with their Accept / Hand back cards."""

from __future__ import annotations

from botbuilder.core import TurnContext

from bot.card_activity import card_activity
from cards.fta import fta_card, my_fta_requests
from domain.roster import Person
from services.deadlines import DeadlineService
from services.fta import FtaService


class FtaLists:
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
        )

    async def send_my_approvals(self, turn_context: TurnContext, me: Person) -> bool:
        """The assignments waiting on `me` to accept or hand back, each with its card; False
        (nothing sent) when there are none."""
        waiting = await self._service.my_approvals(me)
        if not waiting:
            return False
        plural = "s wait" if len(waiting) > 1 else " waits"
        due = await self._deadlines.next_deadline_texts(waiting, me)
        lines = [f"- {r.id}: {due[r.id]}" for r in waiting if r.id in due]
        intro = f"{len(waiting)} FTA assignment{plural} on you to accept or hand back:"
        await turn_context.send_activity("\n".join([intro, *lines]))
        for request in waiting:
            await turn_context.send_activity(card_activity(fta_card(request, me)))
        return True
