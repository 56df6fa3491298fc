"""Questions the bot asks, grouped in steps, and the pure parsing of typed answers (with the
reason a bad one fails).

A request kind is a list of Steps, one per topic, each holding that topic's Questions; the dialog
asks a step as one form (or its questions one at a time) and shows the reasons.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Generic, Self, TypeVar, overload
from urllib.parse import urlparse

from domain import natural_answers
from domain.roster import Roster

AnswerValue = TypeVar("AnswerValue")


class AnswerKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    CHOICES = "choices"  # one or more, comma separated
    YES_NO = "yes_no"
    EMAILS = "emails"
    URL = "url"
    DATE = "date"  # stored as an ISO date string, e.g. "2026-12-15"
    NUMBER = "number"  # a whole number, e.g. a count of seats


class InvalidAnswer(ValueError):
    """The answer can't be used; the message says why, in words for the person typing."""


SKIP_WORDS = frozenset({"skip", "none", "n/a", "-"})
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[a-zA-Z]{2,}$")


@dataclass(frozen=True)
class Question:
    key: str
    label: str  # short, for summaries and cards
    prompt: str
    kind: AnswerKind = AnswerKind.TEXT
    choices: tuple[str, ...] = ()
    optional: bool = False
    # Asked only when this holds for the answers so far (e.g. deal artifacts for partners).
    applies: Callable[[dict], bool] | None = None
    # Replaces the kind's parser: returns the value or raises InvalidAnswer (e.g. an id format).
    parser: Callable[[str], object] | None = None
    # Like `parser`, for answers checked against today's date (e.g. several future dates).
    date_parser: Callable[[str, date], object] | None = None
    # DATE answers must be later than today.
    future_only: bool = False
    # Shown once answered, from all answers so far: a value the dialog puts into words (e.g. an
    # eligibility result and why), or a playbook hint as text.
    info: Callable[[dict], object | None] | None = None
    # Ends the conversation without submitting when it returns something (a value the dialog
    # puts into words, e.g. the outcome that makes a request needless).
    stop: Callable[[dict], object | None] | None = None
    # Personal data (e.g. a customer contact's phone): shown only to the requester and the
    # approvers, never logged.
    personal: bool = False
    # When it depends on another answer of its own step (e.g. "if partly or out of scope"): a
    # form shows it, not required, with this condition, and it is needed only when it applies.
    when: str | None = None
    # What a form's empty field shows, when the prompt is not the best hint.
    placeholder: str = ""
    # An example answer from today's date (shown in the prompt and as a form's placeholder).
    example: Callable[[date], str] | None = None

    def applies_to(self, answers: dict) -> bool:
        return self.applies is None or self.applies(answers)

    def parse(self, text: str | None, today: date | None = None) -> object:
        text = (text or "").strip()
        if not text or text.lower() in SKIP_WORDS:
            if self.optional:
                return None
            raise InvalidAnswer("An answer is needed here.")
        if self.parser is not None:
            return self.parser(text)
        if self.date_parser is not None or self.kind is AnswerKind.DATE:
            if today is None:
                raise ValueError("a dated answer is parsed against today's date: pass `today`")
            if self.date_parser is not None:
                return self.date_parser(text, today)
            return _date(self, text, today)
        return _PARSERS[self.kind](self, text)


@dataclass(frozen=True)
class Step:
    """One topic of a conversation: its questions are asked together, as one form."""

    key: str
    title: str
    questions: tuple[Question, ...]
    # A branch (asked only when earlier answers call for it): why it is added, e.g. "a partner
    # delivers".
    added_because: str | None = None

    def applies_to(self, answers: dict) -> bool:
        return any(q.applies_to(answers) for q in self.questions)

    def asked(self, answers: dict) -> list[Question]:
        """The questions a form of this step shows: those that apply, and those that may once
        the other answers of the step are in."""
        return [q for q in self.questions if q.when is not None or q.applies_to(answers)]

    def unanswered(self, answers: dict) -> list[Question]:
        return [q for q in self.questions if q.applies_to(answers) and q.key not in answers]


class TypedAnswers:
    """A conversation's answers read through typed fields (`Answer`s named after the
    questions' keys): None when not (yet) given. A view, not a copy: building one costs nothing,
    so every condition on the answers may build its own."""

    __slots__ = ("answers",)

    def __init__(self, answers: Mapping[str, object]) -> None:
        self.answers = answers

    @classmethod
    def of(cls, answers: Mapping[str, object]) -> Self:
        return cls(answers)


class Answer(Generic[AnswerValue]):
    """A field of TypedAnswers: the answer to the question whose key is the field's name."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = name

    @overload
    def __get__(self, answers: None, owner: type) -> Answer[AnswerValue]: ...

    @overload
    def __get__(self, answers: TypedAnswers, owner: type) -> AnswerValue | None: ...

    def __get__(
        self, answers: TypedAnswers | None, owner: type
    ) -> Answer[AnswerValue] | AnswerValue | None:
        if answers is None:
            return self
        value: Any = answers.answers.get(self.key)  # stored by the question of this key
        return value


def answer_keys(kind: type[TypedAnswers]) -> set[str]:
    """The answers a kind of typed answers reads: the names of its fields."""
    return {
        name
        for klass in kind.__mro__
        for name, value in vars(klass).items()
        if isinstance(value, Answer)
    }


def questions_of(steps: list[Step]) -> list[Question]:
    return [q for step in steps for q in step.questions]


def applicable_steps(steps: list[Step], answers: dict) -> list[Step]:
    return [step for step in steps if step.applies_to(answers)]


def next_step(steps: list[Step], answers: dict) -> Step | None:
    """The first step with a question that applies and is not answered yet."""
    return next((step for step in steps if step.unanswered(answers)), None)


def area_question(
    roster: Roster, prompt: str = "In which area is the engagement delivered?"
) -> Question:
    """Every request names its area: it decides the liaison, the backup and the director."""
    return Question("area", "Area", prompt, AnswerKind.CHOICE, tuple(a.name for a in roster.areas))


def render_answer(question: Question, value: object) -> str:
    if value is None:
        return "(not given)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else "(none)"
    return str(value)


def applicable(questions: list[Question], answers: dict) -> list[Question]:
    return [q for q in questions if q.applies_to(answers)]


def _text(question: Question, text: str) -> str:
    if len(text) > 2000:
        raise InvalidAnswer("Please keep this under 2,000 characters.")
    return text


def _choice(question: Question, text: str) -> str:
    picked = _pick_choices(question, text)
    if len(picked) > 1:
        raise InvalidAnswer("Pick only one option.")
    return picked[0]


def _choices(question: Question, text: str) -> list[str]:
    return _pick_choices(question, text)


def _pick_choices(question: Question, text: str) -> list[str]:
    """Options by name, number or a word of theirs, in any mix: "2 and 4", "blocker, compete".
    Returned in the options' order."""
    picked: set[str] = set()
    rest = text
    # Whole names first: some hold commas or "and" ("Advisory & Planning").
    for choice in sorted(question.choices, key=len, reverse=True):
        at = rest.lower().find(choice.lower())
        if at >= 0:
            picked.add(choice)
            rest = rest[:at] + "," + rest[at + len(choice) :]
    for item in natural_answers.list_items(rest):
        picked.update(_match_item(question, item))
    if not picked:
        raise InvalidAnswer(f"“{text.strip()}” is not one of the options.")
    return [c for c in question.choices if c in picked]


def _match_item(question: Question, item: str) -> list[str]:
    numbers = natural_answers.option_numbers(item)
    if numbers is not None:
        wrong = [n for n in numbers if not 1 <= n <= len(question.choices)]
        if wrong:
            raise InvalidAnswer(
                f"There is no option {wrong[0]}: pick 1 to {len(question.choices)}."
            )
        return [question.choices[n - 1] for n in numbers]
    starts = [c for c in question.choices if c.lower().startswith(item.lower())]
    if len(starts) == 1:
        return starts
    matching = [c for c in question.choices if natural_answers.words_match(item, c)]
    if len(matching) == 1:
        return matching
    if len(matching) > 1:
        raise InvalidAnswer(f"“{item}” could be several options: pick them by number.")
    raise InvalidAnswer(f"“{item}” is not one of the options.")


def _yes_no(question: Question, text: str) -> bool:
    answer = natural_answers.yes_or_no(text)
    if answer is None:
        raise InvalidAnswer("Please answer yes or no.")
    return answer


def parse_whole_number(text: str) -> int:
    """One whole number, in figures or words: "about 9,000", "two hundred"."""
    found = set(natural_answers.numbers(text))
    if not found:
        raise InvalidAnswer(f"“{text}” is not a number. Type a whole number, e.g. 250.")
    if len(found) > 1:
        raise InvalidAnswer("Give one number, e.g. 250.")
    (number,) = found
    if number < 0 or number != number.to_integral_value():
        raise InvalidAnswer(f"“{text}” is not a whole number. Type one, e.g. 250.")
    return int(number)


def _emails(question: Question, text: str) -> list[str]:
    addresses = [p.strip() for p in re.split(r"[,;\s]+", text) if p.strip()]
    bad = [a for a in addresses if not _EMAIL.match(a)]
    if bad:
        verb = "is not an email address" if len(bad) == 1 else "are not email addresses"
        raise InvalidAnswer(f"{', '.join(bad)} {verb}.")
    unique: list[str] = []
    for address in addresses:
        if address.lower() not in unique:
            unique.append(address.lower())
    return unique


def _url(question: Question, text: str) -> str:
    parsed = urlparse(text.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in text.strip():
        raise InvalidAnswer(
            f"“{text.strip()}” is not a link. Paste a full address starting with https://"
            + (", or type skip if it is not available yet." if question.optional else ".")
        )
    return text.strip()


def parse_date(text: str, today: date, *, future_only: bool = False) -> date:
    """A day as people write it: "next Friday", "15 March", "2026-12-15"."""
    found = natural_answers.find_date(text, today)
    if found is None:
        raise InvalidAnswer(
            f"“{text.strip()}” is not a date I can read, e.g. {example_date(today)}."
        )
    when = found.pick(today, future_only)
    if future_only and when <= today:
        raise InvalidAnswer(f"{when:%d %B %Y} is not in the future. Give a date after today.")
    return when


def example_date(today: date) -> str:
    """A date a few weeks ahead, as an example that is never in the past."""
    return f"{date.fromordinal(today.toordinal() + 30):%d %B %Y}"


def _date(question: Question, text: str, today: date) -> str:
    return parse_date(text, today, future_only=question.future_only).isoformat()


_PARSERS: dict[AnswerKind, Callable[[Question, str], object]] = {
    AnswerKind.TEXT: _text,
    AnswerKind.CHOICE: _choice,
    AnswerKind.CHOICES: _choices,
    AnswerKind.YES_NO: _yes_no,
    AnswerKind.EMAILS: _emails,
    AnswerKind.URL: _url,
    AnswerKind.NUMBER: lambda question, text: parse_whole_number(text),
}
