"""The welcome card: what the bot does and how to start each conversation."""

from __future__ import annotations

from dataclasses import dataclass

from cards.elements import adaptive_card

# Teams (and the Playground) draw at most six buttons in a row of actions; more are hidden.
MAX_BUTTONS = 6
# The data of the buttons that answer "leave the current conversation?".
LEAVE_FIELD = "leave"
STAY_COMMAND = "stay"


@dataclass(frozen=True)
class MenuItem:
    """A typed command the bot understands, offered as a button."""

    command: str
    title: str
    description: str
    # Other ways people name it: abbreviations, variants ("nsd", "exception").
    aliases: tuple[str, ...] = ()


def welcome_card(
    requests: list[MenuItem], yours: list[MenuItem], *, first_name: str | None = None
) -> dict:
    """`requests`: the conversations that raise something; `yours`: what shows the reader's
    own things, and help. Each group is a row of buttons of its own."""
    for group in (requests, yours):
        if len(group) > MAX_BUTTONS:
            raise ValueError(f"{len(group)} buttons in a row: Teams shows {MAX_BUTTONS}")
    menu = [*requests, *yours]
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
    body += [_buttons(requests), _buttons(yours)]
    return adaptive_card(body)


def _buttons(items: list[MenuItem]) -> dict:
    return {
        "type": "ActionSet",
        "actions": [
            # Plain submit data (not imBack): it works in every Teams client and the Playground.
            {"type": "Action.Submit", "title": item.title, "data": {"command": item.command}}
            for item in items
        ],
    }


def did_you_mean_card(items: list[MenuItem]) -> dict:
    """For a message close to some commands: a button for each."""
    return adaptive_card(
        [{"type": "TextBlock", "text": "Did you mean one of these?", "wrap": True}],
        [
            {"type": "Action.Submit", "title": item.title, "data": {"command": item.command}}
            for item in items
        ],
    )


def leave_conversation_card(current: str, wanted: MenuItem) -> dict:
    """A menu button pressed in the middle of a conversation: leave it, or stay."""
    return adaptive_card(
        [
            {
                "type": "TextBlock",
                "wrap": True,
                "text": (
                    f"You are in the middle of the {current}. Leave it and start "
                    f"{wanted.title}? Nothing of it is submitted."
                ),
            }
        ],
        [
            {
                "type": "Action.Submit",
                "title": f"Leave and start {wanted.title}",
                "data": {"command": wanted.command, LEAVE_FIELD: True},
            },
            {"type": "Action.Submit", "title": "Stay", "data": {"command": STAY_COMMAND}},
        ],
    )
