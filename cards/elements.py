"""The pieces every card is made of."""

from __future__ import annotations

ADAPTIVE_CARD_VERSION = "1.5"


def adaptive_card(body: list[dict], actions: list[dict] | None = None) -> dict:
    card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": ADAPTIVE_CARD_VERSION,
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def attention(text: str) -> dict:
    """A line that stands out: why nothing changed, what went wrong."""
    return {"type": "TextBlock", "text": text, "wrap": True, "color": "Attention"}


def execute_action(verb: str, title: str, style: str, data: dict) -> dict:
    """Action.Execute (Universal Actions) with an Action.Submit fallback carrying the same
    verb and data, for clients without Universal Actions."""
    return {
        "type": "Action.Execute",
        "title": title,
        "verb": verb,
        "style": style,
        "data": data,
        "fallback": {"type": "Action.Submit", "title": title, "style": style, "data": data},
    }


def toggle_action(title: str, element_id: str) -> dict:
    """A button that shows or hides an element of the card; nothing reaches the bot."""
    return {"type": "Action.ToggleVisibility", "title": title, "targetElements": [element_id]}


def cancel_confirmation(request_id: str, yes_button: dict) -> dict:
    """Hidden until a "Cancel" toggle shows it: one click must not withdraw a request.
    `yes_button` makes the move; "Keep it" hides the question again."""
    confirm_id = f"confirm_cancel_{request_id}"
    return {
        "type": "Container",
        "id": confirm_id,
        "isVisible": False,
        "style": "emphasis",
        "items": [
            {
                "type": "TextBlock",
                "wrap": True,
                "text": f"Cancel {request_id} for good? The approver is told.",
            },
            {"type": "ActionSet", "actions": [yes_button, toggle_action("Keep it", confirm_id)]},
        ],
    }
