"""Answers as people type them: numbers, yes or no, dates and picks among options, read with
Microsoft's Recognizers-Text (the library botbuilder's own prompts use).

Each reader returns the value, or None when the text holds no such value; the questions decide
what a missing or contradictory value means. The recognizers' models are built once, on first
use (building them takes a few hundred milliseconds).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from recognizers_choice import ChoiceRecognizer
from recognizers_date_time import DateTimeRecognizer
from recognizers_number import NumberRecognizer
from recognizers_text import Culture

# What separates the items of a list typed in one line ("2 and 4", "blocker, compete").
_LIST_SEPARATORS = re.compile(r"[,;\n]+|\s+(?:and|&)\s+|\s*\+\s*", re.IGNORECASE)
# Words around an option number that say nothing more ("option 2", "the second").
_NUMBER_WORDS = frozenset({"the", "number", "no", "option", "options", "#", "and"})
_SHORT_YES_NO = {"y": True, "n": False}
# Said with a yes or a no word that the recognizer reads as one ("not sure" as "sure").
_UNDECIDED = ("not sure", "no idea", "don't know", "dont know", "not certain")


@cache
def _number_model() -> Any:
    return NumberRecognizer(Culture.English).get_number_model()


@cache
def _ordinal_model() -> Any:
    return NumberRecognizer(Culture.English).get_ordinal_model()


@cache
def _boolean_model() -> Any:
    return ChoiceRecognizer(Culture.English).get_boolean_model()


@cache
def _datetime_model() -> Any:
    return DateTimeRecognizer(Culture.English).get_datetime_model()


def build_models() -> None:
    """Build every model now (at start-up), rather than in the first turn that needs one."""
    _number_model()
    _ordinal_model()
    _boolean_model()
    _datetime_model()


def numbers(text: str) -> list[Decimal]:
    """Every number written in the text, in figures or words ("about 9,000", "two")."""
    found = []
    for result in _number_model().parse(text):
        try:
            found.append(Decimal(result.resolution["value"]))
        except (InvalidOperation, KeyError, TypeError):
            continue
    return found


def yes_or_no(text: str) -> bool | None:
    """True or False for "yes", "No, they don't", "no, a few weeks at most"; None when the text
    says neither, or both."""
    short = _SHORT_YES_NO.get(text.strip().lower())
    if short is not None:
        return short
    if any(words in text.lower() for words in _UNDECIDED):
        return None
    values = {result.resolution["value"] for result in _boolean_model().parse(text)}
    return values.pop() if len(values) == 1 else None


def list_items(text: str) -> list[str]:
    """The items of a list typed in one line: "2 and 4" -> ["2", "4"]."""
    return [item.strip() for item in _LIST_SEPARATORS.split(text) if item and item.strip()]


def option_numbers(item: str) -> list[int] | None:
    """The option numbers an item gives ("2", "the second", "option 4"), or None when it is not
    only numbers."""
    found = [
        *_whole_numbers(_number_model().parse(item)),
        *_whole_numbers(_ordinal_model().parse(item)),
    ]
    if not found:
        return None
    rest = item.lower()
    for result in [*_number_model().parse(item), *_ordinal_model().parse(item)]:
        rest = rest.replace(result.text.lower(), " ")
    words = [w for w in re.split(r"[\s.#:)(]+", rest) if w]
    return found if all(w in _NUMBER_WORDS for w in words) else None


def _whole_numbers(results: list[Any]) -> list[int]:
    found = []
    for result in results:
        try:
            value = Decimal(result.resolution["value"])
        except (InvalidOperation, KeyError, TypeError):
            continue
        if value == value.to_integral_value():
            found.append(int(value))
    return found


def words_match(item: str, option: str) -> bool:
    """True when every word of the item starts a word of the option: "blocker" matches "Remove
    a blocker (technical, ...)", "compete" matches "... in a compete scenario"."""
    wanted = _words(item)
    offered = _words(option)
    return bool(wanted) and all(any(o.startswith(w) for o in offered) for w in wanted)


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^\w']+", text.lower()) if w]


class DateInText:
    """A date found in a text: where it starts, and the days it may mean ("15 March" is this
    year's or next year's)."""

    def __init__(self, start: int, text: str, candidates: list[date]) -> None:
        self.start = start
        self.text = text
        self.candidates = candidates

    def pick(self, today: date, future_only: bool) -> date:
        """The day meant: without a year, the next one to come (or today's year's)."""
        upcoming = [day for day in self.candidates if day > today]
        if future_only and upcoming:
            return upcoming[0]
        if len(self.candidates) > 1 and upcoming:
            return upcoming[0]
        return self.candidates[0]


_DAY_TYPES = ("datetimeV2.date", "datetimeV2.datetime", "datetimeV2.daterange")


def find_date(text: str, today: date) -> DateInText | None:
    """The first day written in the text ("next Friday", "15 March", "2026-12-15"), read
    against today's date; None when there is none, or it is not a real day ("31 February")."""
    reference = datetime(today.year, today.month, today.day)
    for result in _datetime_model().parse(text, reference):
        if result.type_name not in _DAY_TYPES:
            continue
        candidates = []
        for value in result.resolution.get("values", []):
            # "by 15 March" is a range ending that day.
            day = value.get("end") if value.get("Mod") == "before" else value.get("value")
            try:
                candidates.append(date.fromisoformat(str(day or "")[:10]))
            except ValueError:
                continue
        if not candidates:
            return None
        return DateInText(result.start, result.text, sorted(set(candidates)))
    return None
