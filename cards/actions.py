"""What a click on one of the bot's cards asks for, read and checked in one place.

A card action arrives as untyped JSON: an `adaptiveCard/action` invoke (Action.Execute), or a
message whose value is the button's data (the Action.Submit fallback). Anyone can send either
with any content, so every field the handlers use is read here, typed, and checked before a
handler sees it; what cannot be read is refused with a sentence saying what was wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from cards.approval import COMMENT_INPUT, COMMENT_MAX_LENGTH, REFRESH_VERB
from cards.fta import ACCEPT_VERB, HAND_BACK_VERB, REASON_INPUT, REASON_MAX_LENGTH
from cards.my_requests import LIST_MOVES, outcome_input_id
from cards.reminders import PARTNER_CONTACT_VERB, SNOOZE_INPUT, SNOOZE_VERB
from domain.deadlines import PartnerContact
from domain.requests import Move

# As the repository allocates them: the kind's prefix and a number (NSD-0001).
_REQUEST_ID = re.compile(r"[A-Z]{2,10}-[0-9]{1,10}")
_MOVES = {move.value: move for move in Move}
_MAX_VERSION = 2**31 - 1  # an INTEGER column


class InvalidCardAction(ValueError):
    """The card action cannot be read; the message says why, for the person who clicked."""


@dataclass(frozen=True)
class Refresh:
    """Show the request as it is now (Teams asks for it when a card is displayed)."""

    request_id: str


@dataclass(frozen=True)
class MoveOnCard:
    """A button that moves the request: approve, decline, ask, answer, cancel, record."""

    request_id: str
    move: Move
    # The request's version the card showed; None only for the `my requests` list's buttons.
    version: int | None
    text: str  # the comment, answer or chosen outcome; may be empty
    from_list: bool


@dataclass(frozen=True)
class Snooze:
    """Hold the request's reminders until the start of a day (from a reminder card)."""

    request_id: str
    until: date


@dataclass(frozen=True)
class AnswerPartnerContact:
    """The FM's answer to "did the ACM partners contact the customer?"."""

    request_id: str
    answer: PartnerContact


@dataclass(frozen=True)
class AcceptFta:
    """The assigned FTA takes an FTA request."""

    request_id: str
    version: int


@dataclass(frozen=True)
class HandBackFta:
    """The assigned FTA hands an FTA request back, saying why (checked by the service)."""

    request_id: str
    version: int
    reason: str


CardAction = Refresh | MoveOnCard | Snooze | AnswerPartnerContact | AcceptFta | HandBackFta
_ANSWERS = {answer.value: answer for answer in PartnerContact}


def from_invoke(value: object) -> CardAction:
    """The action of an `adaptiveCard/action` invoke's value: {"action": {"verb", "data"}}."""
    if not isinstance(value, dict) or not isinstance(value.get("action"), dict):
        raise InvalidCardAction("the card action has no action.")
    action = value["action"]
    data = action.get("data", {})
    if not isinstance(data, dict):
        raise InvalidCardAction("the card action's data is not an object.")
    verb = action.get("verb")
    if "verb" in data and data["verb"] != verb:
        raise InvalidCardAction("the card action names two different actions.")
    return _action(verb, data)


def from_submit(value: dict) -> CardAction:
    """The action of an Action.Submit: the button's data (and the card's inputs) as the value."""
    return _action(value.get("verb"), value)


def _action(verb: object, data: dict) -> CardAction:
    if not isinstance(verb, str):
        raise InvalidCardAction("the card action does not say what to do.")
    request_id = data.get("requestId")
    if not isinstance(request_id, str) or not _REQUEST_ID.fullmatch(request_id):
        raise InvalidCardAction("the card action does not name a request.")
    if verb == REFRESH_VERB:
        return Refresh(request_id)
    if verb == SNOOZE_VERB:
        return Snooze(request_id, _day(data.get(SNOOZE_INPUT)))
    if verb == PARTNER_CONTACT_VERB:
        answer = data.get("answer")
        if not isinstance(answer, str) or answer not in _ANSWERS:
            raise InvalidCardAction("the answer is not Yes, No or Not yet.")
        return AnswerPartnerContact(request_id, _ANSWERS[answer])
    if verb in (ACCEPT_VERB, HAND_BACK_VERB):
        return _fta_action(verb, request_id, data)
    move = _MOVES.get(verb)
    if move is None:
        raise InvalidCardAction(f"“{verb[:40]}” is not something I can do on a request.")
    from_list = data.get("list", False)
    if not isinstance(from_list, bool) or (from_list and move not in LIST_MOVES):
        raise InvalidCardAction("the card action's list flag is not valid.")
    version = data.get("version")
    if from_list:
        version = None
    elif type(version) is not int or not 1 <= version <= _MAX_VERSION:
        # A bool is an int to Python; a card without a real version cannot be checked for
        # being out of date, so it moves nothing.
        raise InvalidCardAction("the card has no valid version.")
    text = data.get(outcome_input_id(request_id)) or data.get(COMMENT_INPUT) or ""
    if not isinstance(text, str):
        raise InvalidCardAction("the comment is not text.")
    if len(text) > COMMENT_MAX_LENGTH:
        raise InvalidCardAction(f"the comment is longer than {COMMENT_MAX_LENGTH} characters.")
    return MoveOnCard(request_id, move, version, text, from_list)


def _fta_action(verb: str, request_id: str, data: dict) -> AcceptFta | HandBackFta:
    version = data.get("version")
    if type(version) is not int or not 1 <= version <= _MAX_VERSION:
        raise InvalidCardAction("the card has no valid version.")
    if verb == ACCEPT_VERB:
        return AcceptFta(request_id, version)
    reason = data.get(REASON_INPUT) or ""
    if not isinstance(reason, str):
        raise InvalidCardAction("the reason is not text.")
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidCardAction(f"the reason is longer than {REASON_MAX_LENGTH} characters.")
    return HandBackFta(request_id, version, reason)


def _day(value: object) -> date:
    """An Input.Date value: YYYY-MM-DD."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise InvalidCardAction("pick the date to snooze until.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidCardAction("pick the date to snooze until.") from None
