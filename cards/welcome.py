"""The welcome card: what the bot does and how to start each conversation."""

from __future__ import annotations

from dataclasses import dataclass

from cards.elements import adaptive_card


@dataclass(frozen=True)
class MenuItem:
    """A typed command the bot understands, offered as a button."""

    command: str
    title: str
    description: str


def welcome_card(menu: list[MenuItem], *, first_name: str | None = None) -> dict:
    greeting = f"Hi {first_name}, I'm the FastTrack Bot" if first_name else "I'm the FastTrack Bot"
    body: list[dict] = [
        {"type": "TextBlock", "text": greeting, "size": "Large", "weight": "Bolder", "wrap": True},
        {
            "type": "TextBlock",
            "wrap": True,
            "text": (
                "I walk FastTrack Managers through the playbook requests, send each one to "
                "the area liaison FastTrack Architect for approval, and keep you posted "
                "on decisions and deadlines."
            ),
        },
        {
            "type": "TextBlock",
            "text": "What you can do",
            "weight": "Bolder",
            "spacing": "Medium",
            "wrap": True,
        },
        {
            "type": "FactSet",
            "facts": [{"title": item.command, "value": item.description} for item in menu],
        },
        {
            "type": "TextBlock",
            "isSubtle": True,
            "wrap": True,
            "text": (
                "Type a command or pick a button. `help` shows this card again and `cancel` "
                "leaves any conversation; nothing is submitted until you confirm."
            ),
        },
    ]
    return adaptive_card(
        body,
        [
            # Plain submit data (not imBack): it works in every Teams client and the Playground.
            {"type": "Action.Submit", "title": item.title, "data": {"command": item.command}}
            for item in menu
        ],
    )
