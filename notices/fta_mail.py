"""The mail of FTA requests: to the FTCHelp team for a request that is theirs (seed 001:
landing the benefit, sales-support questions), naming the FAQ topic; to the account team, who
is assigned, who accepted, or that no FTA is free."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from html import escape
from typing import Any

from domain.fta_assignment import (
    ASSIGNMENT_DUE_BUSINESS_DAYS,
    REQUEST_TYPE_LABELS,
    FtaRequest,
    FtaStatus,
    KeyInput,
    key_input_label,
)
from notices.mail import MailContent, teams_link, undelivered_body


def ftc_help_mail(request: FtaRequest) -> MailContent:
    kind = REQUEST_TYPE_LABELS[request.request_type]
    topic = request.answers.get(KeyInput.FAQ_TOPIC)
    about = f" · FAQ topic: {topic}" if topic else ""
    facts = [
        ("Request", f"{kind} {request.id}"),
        ("Customer", request.customer),
        ("Area", request.area.name),
        ("Raised by", request.requester.display_name),
        *(
            (key_input_label(key), str(request.answers[key]))
            for key in request.request_type.key_inputs
            if request.answers.get(key) not in (None, "")
        ),
    ]
    rows = "".join(
        f"<tr><td><b>{escape(title)}</b></td><td>{escape(value)}</td></tr>"
        for title, value in facts
    )
    body = (
        f"<p>{escape(request.requester.display_name)} raised <b>{escape(kind)} "
        f"{escape(request.id)}</b> for {escape(request.customer)} in the FastTrack bot. It is "
        "for the FTCHelp team, not an FTA"
        + (f"; refer to the FTCHelp FAQ on <b>{escape(str(topic))}</b>" if topic else "")
        + ".</p>"
        f"<table>{rows}</table>"
        f"<p>Reply to {escape(request.requester.display_name)} directly.</p>"
    )
    return MailContent(f"FTCHelp: {kind} {request.id} for {request.customer}{about}", body)


def fta_notice_mail(request: FtaRequest, text: str, bot_app_id: str) -> MailContent:
    """A card or reminder of an FTA request that Teams would not take, by mail instead."""
    kind = REQUEST_TYPE_LABELS[request.request_type]
    return MailContent(
        f"{request.id}: {kind} for {request.customer}", undelivered_body(text, bot_app_id)
    )


class TeamEvent(StrEnum):
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    UNASSIGNED = "unassigned"  # no FTA of the area is free: the liaison assigns one


@dataclass(frozen=True)
class TeamNews:
    """What the account team is told, fixed when it happens (a mail sent late still says
    who was assigned then)."""

    event: TeamEvent
    fta: str = ""  # who is assigned, or accepted
    handed_back_by: str = ""  # the FTA who handed it back just before, if one did
    reason: str = ""

    @staticmethod
    def after(request: FtaRequest) -> TeamNews | None:
        """The news of a request as a submission or a move left it; None for FTCHelp's."""
        fta = request.fta.display_name if request.fta else ""
        last = request.hand_backs[-1] if request.hand_backs else None
        # Only the hand back that led to this state, not an earlier one before an accept.
        back = last if last is not None and last.to == request.fta else None
        by, reason = (back.by.display_name, back.reason) if back else ("", "")
        if request.status is FtaStatus.ASSIGNED:
            return TeamNews(TeamEvent.ASSIGNED, fta, by, reason)
        if request.status is FtaStatus.ACCEPTED:
            return TeamNews(TeamEvent.ACCEPTED, fta)
        if request.status is FtaStatus.UNASSIGNED:
            return TeamNews(TeamEvent.UNASSIGNED, "", by, reason)
        return None

    def payload(self) -> dict[str, Any]:
        return {
            "team_event": self.event.value,
            "fta": self.fta,
            "handed_back_by": self.handed_back_by,
            "reason": self.reason,
        }

    @staticmethod
    def of(payload: Mapping[str, Any]) -> TeamNews | None:
        """The news a message's payload holds; None for the FTCHelp mail."""
        if "team_event" not in payload:
            return None
        return TeamNews(
            TeamEvent(payload["team_event"]),
            str(payload.get("fta", "")),
            str(payload.get("handed_back_by", "")),
            str(payload.get("reason", "")),
        )


def account_team_mail(request: FtaRequest, news: TeamNews, bot_app_id: str) -> MailContent:
    kind = REQUEST_TYPE_LABELS[request.request_type]
    what = f"{kind} {request.id} for {request.customer}"
    back = (
        f"{news.handed_back_by} handed it back (“{news.reason}”). " if news.handed_back_by else ""
    )
    if news.event is TeamEvent.ASSIGNED:
        subject = f"FTA assigned: {news.fta} for {what}"
        said = (
            f"{back}The workload balancer assigned {news.fta} of {request.area.name} as the "
            f"FastTrack Architect for {what}. They accept it (or hand it back) within "
            f"{ASSIGNMENT_DUE_BUSINESS_DAYS} business days of the request; you will hear when "
            "they do."
        )
    elif news.event is TeamEvent.ACCEPTED:
        subject = f"FTA accepted: {news.fta} for {what}"
        said = (
            f"{news.fta} accepted {what} as its FastTrack Architect and will contact "
            f"{request.requester.display_name}."
        )
    else:
        liaison = request.area.liaison.display_name
        subject = f"No FTA free yet for {what}"
        said = (
            f"{back}No FTA of {request.area.name} is available for {what}, so the area "
            f"liaison, {liaison}, assigns one by hand."
        )
    facts = [
        ("Request", f"{kind} {request.id}"),
        ("Customer", request.customer),
        ("Area", request.area.name),
        ("Raised by", request.requester.display_name),
        *([("FTA", news.fta)] if news.fta else []),
    ]
    rows = "".join(
        f"<tr><td><b>{escape(title)}</b></td><td>{escape(value)}</td></tr>"
        for title, value in facts
    )
    paragraphs = [
        f"<p>{escape(said)}</p>",
        f"<p>You are receiving this as a member of the customer's account team, named on the "
        f"request by {escape(request.requester.display_name)}.</p>",
        f"<table>{rows}</table>",
    ]
    if bot_app_id:
        paragraphs.append(
            f'<p><a href="{escape(teams_link(bot_app_id))}">Open the FastTrack bot in Teams</a> '
            f"to see {escape(request.id)}.</p>"
        )
    return MailContent(subject, "\n".join(paragraphs))
