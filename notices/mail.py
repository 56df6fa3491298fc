"""The mail to the account team when a request is approved: what, for whom, what next."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from domain.requests import Request

NO_COMMITMENT = (
    "Nothing may be committed to the customer before approval: what needs its own approval "
    "(ECIF, a partner request through OCP, a referral) is not committed until that is given."
)


@dataclass(frozen=True)
class MailContent:
    subject: str
    html_body: str


def teams_link(bot_app_id: str) -> str:
    """A deep link that opens the person's chat with the bot in Teams."""
    return f"https://teams.microsoft.com/l/chat/0/0?users=28:{bot_app_id}"


def approval_mail(
    request: Request, approved_by: str, next_steps: list[str], bot_app_id: str
) -> MailContent:
    """`next_steps`: the kind's, from the request's answers."""
    what = f"{request.kind.label} {request.id} for {request.customer}"
    paragraphs = [
        f"<p><b>{escape(what)}</b> was approved by {escape(approved_by)}. You are receiving "
        f"this as a member of the customer's account team, named on the request by "
        f"{escape(request.requester.display_name)}.</p>",
        _facts(
            [
                ("Customer", request.customer),
                ("Area", request.area.name),
                ("Request", f"{request.kind.label} {request.id}"),
                ("Raised by", request.requester.display_name),
                ("Approved by", approved_by),
            ]
        ),
        "<p><b>Next steps</b></p>",
        _list(next_steps),
        f"<p>{escape(NO_COMMITMENT)}</p>",
    ]
    if bot_app_id:
        paragraphs.append(
            f'<p><a href="{escape(teams_link(bot_app_id))}">Open the FastTrack bot in Teams</a> '
            f"to see {escape(request.id)}.</p>"
        )
    return MailContent(f"Approved: {what}", "\n".join(paragraphs))


def _facts(rows: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><td><b>{escape(title)}</b></td><td>{escape(value)}</td></tr>" for title, value in rows
    )
    return f"<table>{cells}</table>"


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"


def not_opened_yet(name: str, request_id: str) -> str:
    """Told to the requester when the approver cannot be reached in Teams yet."""
    return (
        f"{name} has not opened the FastTrack bot in Teams yet, so {request_id} waits for "
        "them: they get it as soon as they do. You may want to let them know."
    )


def waits_on_you(request_id: str, customer: str) -> str:
    """Mailed to an approver Teams will not let the bot reach."""
    return (
        f"{request_id} for {customer} waits on your decision, and the FastTrack bot cannot "
        "reach you in Teams: open the FastTrack bot there to decide it."
    )


def notice_mail(request: Request, text: str, bot_app_id: str) -> MailContent:
    """A notice the bot could not deliver in Teams, by mail instead."""
    return MailContent(
        f"{request.id}: {request.kind.label} for {request.customer}",
        undelivered_body(text, bot_app_id),
    )


def undelivered_body(text: str, bot_app_id: str) -> str:
    """A mail's body for what Teams would not take: the text, why it comes by mail, and the
    way back to the bot."""
    paragraphs = [
        f"<p>{escape(text)}</p>",
        "<p>The FastTrack bot could not reach you in Teams (it may be blocked or removed "
        "there), so this comes by mail.</p>",
    ]
    if bot_app_id:
        paragraphs.append(
            f'<p><a href="{escape(teams_link(bot_app_id))}">Open the FastTrack bot in Teams</a></p>'
        )
    return "\n".join(paragraphs)
