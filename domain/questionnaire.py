"""Questions the bot asks, and the pure parsing of typed answers (with the reason a bad one fails).

A request kind is a list of Questions; the dialog only asks them and shows the reasons.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from urllib.parse import urlparse

from domain.roster import Roster


class AnswerKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    CHOICES = "choices"  # one or more, comma separated
    YES_NO = "yes_no"
    EMAILS = "emails"
    URL = "url"
    DATE = "date"  # stored as an ISO date string, e.g. "2026-12-15"


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
    # Shown once answered, from all answers so far (e.g. an eligibility result and why).
    info: Callable[[dict], str | None] | None = None
    # Ends the conversation without submitting when it returns a text (said to the person).
    stop: Callable[[dict], str | None] | None = None
    # Personal data (e.g. a customer contact's phone): shown only to the requester and the
    # approvers, never logged.
    personal: bool = False

    def applies_to(self, answers: dict) -> bool:
        return self.applies is None or self.applies(answers)

    def parse(self, text: str | None, today: date | None = None) -> object:
        text = (text or "").strip()
        if not text or text.lower() in SKIP_WORDS:
            if self.optional:
                return None
            raise InvalidAnswer("An answer is needed here." + self.hint())
        if self.parser is not None:
            return self.parser(text)
        if self.date_parser is not None or self.kind is AnswerKind.DATE:
            if today is None:
                raise ValueError("a dated answer is parsed against today's date: pass `today`")
            if self.date_parser is not None:
                return self.date_parser(text, today)
            return _date(self, text, today)
        return _PARSERS[self.kind](self, text)

    def hint(self) -> str:
        if self.kind in (AnswerKind.CHOICE, AnswerKind.CHOICES):
            return " Pick one of: " + "; ".join(self.choices) + "."
        return ""


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
    return _match_choice(question, text)


def _choices(question: Question, text: str) -> list[str]:
    parts = [p for p in re.split(r"[,;\n]+", text) if p.strip()]
    picked: list[str] = []
    for part in parts:
        choice = _match_choice(question, part)
        if choice not in picked:
            picked.append(choice)
    return picked


def _match_choice(question: Question, text: str) -> str:
    wanted = text.strip().lower()
    if wanted.isdigit() and 1 <= int(wanted) <= len(question.choices):
        return question.choices[int(wanted) - 1]
    for choice in question.choices:
        if choice.lower() == wanted:
            return choice
    starts = [c for c in question.choices if c.lower().startswith(wanted)]
    if len(starts) == 1:
        return starts[0]
    raise InvalidAnswer(f"“{text.strip()}” is not one of the options." + question.hint())


def _yes_no(question: Question, text: str) -> bool:
    word = text.strip().lower()
    if word in {"yes", "y", "true", "yeah", "yep"}:
        return True
    if word in {"no", "n", "false", "nope"}:
        return False
    raise InvalidAnswer("Please answer yes or no.")


def _emails(question: Question, text: str) -> list[str]:
    addresses = [p.strip() for p in re.split(r"[,;\s]+", text) if p.strip()]
    bad = [a for a in addresses if not _EMAIL.match(a)]
    if bad:
        verb = "is not an email address" if len(bad) == 1 else "are not email addresses"
        raise InvalidAnswer(f"{', '.join(bad)} {verb}. Separate several addresses with commas.")
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


_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y")


def _date(question: Question, text: str, today: date) -> str:
    cleaned = re.sub(r"\s+", " ", text.replace(",", " ")).strip()
    for form in _DATE_FORMATS:
        try:
            when = datetime.strptime(cleaned, form).date()
            break
        except ValueError:
            continue
    else:
        raise InvalidAnswer(
            f"“{text}” is not a date I can read. Write it like 2026-12-15 or 15 December 2026."
        )
    if question.future_only and when <= today:
        raise InvalidAnswer(f"{when:%d %B %Y} is not in the future. Give a date after today.")
    return when.isoformat()


_PARSERS: dict[AnswerKind, Callable[[Question, str], object]] = {
    AnswerKind.TEXT: _text,
    AnswerKind.CHOICE: _choice,
    AnswerKind.CHOICES: _choices,
    AnswerKind.YES_NO: _yes_no,
    AnswerKind.EMAILS: _emails,
    AnswerKind.URL: _url,
}
