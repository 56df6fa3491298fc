"""The mail to the FTCHelp team for an FTA request that is theirs (seed 001: landing the
benefit, sales-support questions), naming the FAQ topic."""

from __future__ import annotations

from html import escape

from domain.fta_assignment import REQUEST_TYPE_LABELS, FtaRequest, KeyInput, key_input_label
from notices.mail import MailContent


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
