"""The verdict of the partner benefit-scope check: what the FastTrack Benefit covers for this
customer, and what a partner may offer around it. Advice to act on, not an approval."""

from __future__ import annotations

from cards.elements import adaptive_card
from domain.benefit_scope import MINIMUM_LICENCES, OutOfScope, ScopeQuestion, ScopeVerdict

TITLE = "Benefit scope verdict"

# What each "no" means for the customer, in the partner's words.
_GAP = {
    ScopeQuestion.REMOTE_GUIDANCE: "Not all the guidance can be delivered remotely",
    ScopeQuestion.SELF_REMEDIATION: (
        "The customer cannot run the assessment tools and remediate with remote help alone"
    ),
    ScopeQuestion.SPONSORSHIP: "Sponsorship or project management is missing",
}
_OUT_OF_SCOPE = {
    OutOfScope.MIGRATION: (
        "FastTrack migration services (as in the FastTrack Center Benefit for Office 365) are "
        "not part of the FastTrack Benefit services."
    ),
    OutOfScope.BEYOND_GUIDANCE: (
        "Any assistance beyond guidance is outside the Benefit: say so plainly to the customer, "
        "and put what goes beyond it under a services contract with them."
    ),
}


def scope_verdict_card(verdict: ScopeVerdict) -> dict:
    body: list[dict] = [_text(TITLE, size="Large", weight="Bolder")]
    if not verdict.eligible:
        body += [
            _text(
                f"Not eligible: the customer has {verdict.licences} licences, and the FastTrack "
                f"Benefit needs {MINIMUM_LICENCES} or more.",
                color="Attention",
                weight="Bolder",
            ),
            _text(
                "Partners cannot deliver FastTrack Benefit services to this customer; any help "
                "is a services contract of the partner's own."
            ),
        ]
        return adaptive_card(body)
    if verdict.benefit_only:
        body.append(
            _text(
                f"Benefit-only assistance: with {verdict.licences} licences and a yes to all "
                "three questions, the customer is a candidate for the FastTrack Benefit alone, "
                "which a FastTrack Ready Partner may deliver.",
                color="Good",
                weight="Bolder",
            )
        )
    else:
        body.append(
            _text(
                f"The Benefit plus value-added services: the customer ({verdict.licences} "
                'licences) is eligible, and each "no" is an opportunity to offer fee-based '
                "services around the Benefit.",
                weight="Bolder",
            )
        )
        for gap in verdict.gaps:
            body.append(_text(_GAP[gap.question], weight="Bolder", spacing="Medium"))
            body += [_text(f"- {service}") for service in gap.services]
        body.append(
            _text(
                "Value-added services are between the partner and the customer, under a "
                "services contract of their own; no Microsoft agreement covers them.",
                is_subtle=True,
            )
        )
    body.append(_text("Never in scope of the FastTrack Benefit", weight="Bolder", spacing="Medium"))
    body += [_text(f"- {_OUT_OF_SCOPE[item]}") for item in verdict.out_of_scope]
    body.append(_text("This is a verdict to act on, not an approval.", is_subtle=True))
    return adaptive_card(body)


def _text(
    text: str,
    *,
    size: str | None = None,
    weight: str | None = None,
    color: str | None = None,
    spacing: str | None = None,
    is_subtle: bool = False,
) -> dict:
    block: dict = {"type": "TextBlock", "text": text, "wrap": True}
    optional = {"size": size, "weight": weight, "color": color, "spacing": spacing}
    block.update({key: value for key, value in optional.items() if value is not None})
    if is_subtle:
        block["isSubtle"] = True
    return block
