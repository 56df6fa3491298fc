"""What the FM types in a COVID triage, read: the customer's location, ids for a nomination,
the #COVID note, the rollout target dates."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from domain import natural_answers, places
from domain.questionnaire import InvalidAnswer, parse_date
from domain.wvd import NO_COMMERCIAL_AZURE, REGION_OF_COUNTRY, REGIONS

COVID_TAG = "#COVID"
# Words that place a customer outside Azure's commercial regions.
_OUTSIDE_COMMERCIAL_AZURE = ("sovereign", "government cloud", "gov cloud", "outside azure")


def parse_region(text: str) -> str:
    """Where the customer is, as the WVD rules class it: a country or a city ("United States",
    "Seattle", "Mumbai"), or one of REGIONS by its start ("Anywhere else")."""
    wanted = " ".join(text.split()).lower()
    named = [r for r in REGIONS if r.lower().startswith(wanted)]
    if wanted and len(named) == 1:
        return named[0]
    if any(words in wanted for words in _OUTSIDE_COMMERCIAL_AZURE):
        return NO_COMMERCIAL_AZURE
    code = places.find_country(text)
    if code is None:
        raise InvalidAnswer(
            f"I don't know where “{text.strip()}” is. Name the country, e.g. United States or "
            "India, or a large city."
        )
    return REGION_OF_COUNTRY.get(code) or places.country_name(code)


# --- ids, counts, notes and dates typed by the FM -------------------------------------------

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_LABELLED_ID = re.compile(
    r"^(tpid|enrou?ll?ment(?:\s*(?:id|number|no\.?))?|subscription(?:\s*id)?)\s*[:#]?\s*(\S+)$",
    re.I,
)
ID_FORMATS = (
    "Write it like `TPID 1234567`, `enrollment 87654321` or "
    "`subscription 0f8fad5b-d9cb-469f-a165-70867728950e`."
)


def parse_nomination_id(text: str) -> str:
    """A TPID, an enrollment id or an Azure subscription id, labelled: "TPID 1234567"."""
    text = text.strip()
    if _GUID.match(text):
        return f"Subscription ID {text.lower()}"
    if text.isdigit():
        raise InvalidAnswer(f"Is {text} a TPID or an enrollment id?")
    match = _LABELLED_ID.match(text)
    if not match:
        raise InvalidAnswer(f"“{text}” is not a TPID, enrollment id or subscription id.")
    label, value = match.group(1).lower(), match.group(2)
    if label.startswith("subscription"):
        if not _GUID.match(value):
            raise InvalidAnswer(
                f"“{value}” is not a subscription id: it is a GUID such as "
                "0f8fad5b-d9cb-469f-a165-70867728950e."
            )
        return f"Subscription ID {value.lower()}"
    name = "TPID" if label == "tpid" else "Enrollment ID"
    if not value.isdigit() or not 4 <= len(value) <= 12:
        raise InvalidAnswer(f"“{value}” is not a {name}: it is a number of 4 to 12 digits.")
    return f"{name} {value}"


def parse_covid_note(text: str) -> str:
    text = text.strip()
    if len(text) > 1000:
        raise InvalidAnswer("Please keep the note under 1,000 characters.")
    if text.lower().startswith(COVID_TAG.lower()):
        text = text[len(COVID_TAG) :].strip()
    return f"{COVID_TAG} {text}"


MAX_TARGETS = 10


def target_dates_example(today: date) -> str:
    pilot = date.fromordinal(today.toordinal() + 30)
    everyone = date.fromordinal(today.toordinal() + 90)
    return f"Teams pilot: {pilot:%d %B %Y}; All staff: {everyone:%d %B %Y}"


def parse_target_dates(text: str, today: date) -> list[str]:
    """Milestones with their target dates, `Teams pilot: 15 May; All staff by 30 June`, each a
    real date after today; stored as "name: ISO date", in date order."""
    items = [item.strip() for item in re.split(r"[;\n]+", text) if item.strip()]
    if len(items) > MAX_TARGETS:
        raise InvalidAnswer(f"Please give at most {MAX_TARGETS} target dates.")
    targets: list[tuple[date, str]] = []
    for item in items:
        found = natural_answers.find_date(item, today)
        name = _milestone_name(item[: found.start] if found else item.rpartition(":")[0])
        if not name:
            raise InvalidAnswer(
                f"Name each target date as `milestone: date`, e.g. "
                f"`{target_dates_example(today).split(';')[0]}`; “{item}” has no milestone."
            )
        when = item[found.start :] if found else item.rpartition(":")[2]
        try:
            due = parse_date(when, today, future_only=True)
        except InvalidAnswer as reason:
            raise InvalidAnswer(f"{name}: {reason}") from None
        targets.append((due, name))
    targets.sort(key=lambda target: target[0])
    return [f"{name}: {due.isoformat()}" for due, name in targets]


def _milestone_name(text: str) -> str:
    name = text.strip().rstrip(":-\u2013,").strip()
    for word in (" by", " on", " at"):
        if name.lower().endswith(word):
            name = name[: -len(word)].strip()
    return name


def rollout_targets(answers: Mapping[str, object]) -> list[tuple[str, date]]:
    """(milestone, target date) pairs of the rollout plan, as `parse_target_dates` stored them."""
    stored = answers.get("target_dates")
    targets = []
    for item in stored if isinstance(stored, list) else []:
        name, _, when = item.rpartition(": ")
        targets.append((name, date.fromisoformat(when)))
    return targets
