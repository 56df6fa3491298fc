"""`my requests`: the status of each request a person raised, with what they can still do."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from cards.approval import execute_button
from cards.elements import adaptive_card, attention, cancel_confirmation, toggle_action
from domain.outbox import DeliveryRecord, MessageKind, MessageState
from domain.requests import AuditEntry, Move, Request

# The moves the list offers. They carry no card version: the list is re-read on every action.
LIST_MOVES = frozenset({Move.CANCEL, Move.RECORD_OUTCOME})


def outcome_input_id(request_id: str) -> str:
    return f"outcome_{request_id}"


def my_requests_card(
    requests: list[Request],
    outcomes: dict,
    deliveries: dict[str, list[DeliveryRecord]] | None = None,
    *,
    reader_id: str,
    decisions: Mapping[str, AuditEntry] | None = None,
    notice: str | None = None,
    deadlines: Mapping[str, str] | None = None,
    more: Sequence[dict] = (),
) -> dict:
    """`outcomes`: the outcome choices per request kind (seed 000's success criteria);
    `deliveries`: what became of each request's messages (cards, updates, notices, mail);
    `reader_id`: the Entra object id of the person reading; `decisions`: the move that
    approved or declined each decided request; `deadlines`: each request's next deadline in
    words; `more`: the entries of requests of other kinds (FTA requests), listed after."""
    deliveries = deliveries or {}
    decisions = decisions or {}
    deadlines = deadlines or {}
    body: list[dict] = []
    if notice:
        body.append(attention(notice))
    body.append({"type": "TextBlock", "text": "Your requests", "size": "Large", "weight": "Bolder"})
    for request in requests:
        waiting = ""
        if request.is_open and request.waiting_on:
            whom = request.waiting_on
            waiting = (
                " · waiting on you"
                if whom.aad_object_id == reader_id
                else f" · waiting on {whom.display_name}"
            )
        items: list[dict] = [
            {
                "type": "TextBlock",
                "wrap": True,
                "weight": "Bolder",
                "text": f"{request.id} · {request.kind.label} · {request.customer}",
            },
            {
                "type": "TextBlock",
                "wrap": True,
                "spacing": "None",
                "text": _status_line(request, decisions.get(request.id))
                + waiting
                + (f" · outcome: {request.outcome}" if request.outcome else ""),
            },
        ]
        if request.id in deadlines:
            items.append(
                {
                    "type": "TextBlock",
                    "wrap": True,
                    "spacing": "None",
                    "text": f"⏰ {deadlines[request.id]}",
                }
            )
        records = deliveries.get(request.id, [])
        for line in (
            delivery_summary(
                [r for r in records if r.kind is not MessageKind.MAIL], reader_id=reader_id
            ),
            mail_summary([r for r in records if r.kind is MessageKind.MAIL]),
        ):
            if line:
                items.append(
                    {
                        "type": "TextBlock",
                        "wrap": True,
                        "spacing": "None",
                        "isSubtle": True,
                        "size": "Small",
                        "text": line,
                    }
                )
        actions = []
        confirm: dict | None = None
        workflow = request.kind.workflow
        if workflow.allows(request.status, Move.CANCEL):
            confirm = cancel_confirmation(
                request.id,
                _list_button(request, Move.CANCEL, f"Yes, cancel {request.id}", "destructive"),
            )
            actions.append(toggle_action(f"Cancel {request.id}", confirm["id"]))
        if workflow.allows(request.status, Move.RECORD_OUTCOME) and outcomes.get(request.kind):
            items.append(
                {
                    "type": "Input.ChoiceSet",
                    "id": outcome_input_id(request.id),
                    "label": "Outcome",
                    "style": "compact",
                    "choices": [{"title": o, "value": o} for o in outcomes[request.kind]],
                }
            )
            actions.append(_list_button(request, Move.RECORD_OUTCOME, "Record outcome", "positive"))
        if actions:
            items.append({"type": "ActionSet", "actions": actions})
        if confirm:
            items.append(confirm)
        body.append({"type": "Container", "separator": True, "items": items})
    body.extend(more)
    return adaptive_card(body)


def delivery_summary(records: list[DeliveryRecord], *, reader_id: str) -> str | None:
    """One line on what became of a request's messages, the reader (Entra object id
    `reader_id`) called "you"; None when it has none."""
    if not records:
        return None
    records = [
        replace(r, recipient_name="you") if r.recipient_aad_object_id == reader_id else r
        for r in records
    ]
    delivered = sum(record.state is MessageState.SENT for record in records)
    on_the_way = _names(
        r for r in records if r.state in (MessageState.PENDING, MessageState.CLAIMED)
    )
    waiting = _names(r for r in records if r.state is MessageState.WAITING)
    failed = {
        (r.recipient_name, r.last_error or "unknown reason")
        for r in records
        if r.state is MessageState.FAILED
    }
    parts = [f"{delivered} delivered"] if delivered else []
    if on_the_way:
        parts.append(f"on the way to {on_the_way}")
    if waiting:
        parts.append(f"waiting for {waiting} to open a chat with the bot")
    parts += [f"not delivered to {name} ({reason})" for name, reason in sorted(failed)]
    return "Messages: " + " · ".join(parts)


def mail_summary(records: list[DeliveryRecord]) -> str | None:
    """Mail (to the account team, or a notice Teams could not take), address by address;
    None when there is none."""
    if not records:
        return None
    parts = []
    recorded = _names(r for r in records if r.state is MessageState.SENT and r.dry_run)
    sent = _names(r for r in records if r.state is MessageState.SENT and not r.dry_run)
    waiting = _names(r for r in records if r.state not in (MessageState.SENT, MessageState.FAILED))
    if sent:
        parts.append(f"sent to {sent}")
    if recorded:
        parts.append(f"recorded, not sent (dry run), for {recorded}")
    if waiting:
        parts.append(f"waiting to be sent to {waiting}")
    parts += [
        f"failed for {r.recipient_name} ({r.last_error or 'unknown reason'})"
        for r in records
        if r.state is MessageState.FAILED
    ]
    return "Mail: " + " · ".join(parts)


def _names(records: Iterable[DeliveryRecord]) -> str:
    return ", ".join(sorted({record.recipient_name for record in records}))


def _status_line(request: Request, decision: AuditEntry | None) -> str:
    """The status, with who decided and why once it is decided ("Declined by Diego
    Siciliani: “reason”")."""
    if decision is None:
        return request.status.label
    said = f": “{decision.comment}”" if decision.comment else ""
    return f"{request.status.label} by {decision.actor.display_name}{said}"


def _list_button(request: Request, move: Move, title: str, style: str) -> dict:
    return execute_button(
        request,
        move,
        title,
        style,
        data={
            "verb": move.value,
            "requestId": request.id,
            "list": True,
        },
    )
