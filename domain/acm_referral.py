"""Seed 004, "Request an ACM Partner": the questions, the consent gate, and partner matching.

The conversation ends early, submitting nothing, when one of the customer's current partners
offers the ACM services (the best outcome) or when the customer has not consented to share
their contact data with partners. Otherwise the FM submits a referral to the area liaison with
three partners matched from the roster's directory, fixed at submission.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain import places
from domain.deadlines import Deadline, DeadlineRules
from domain.questionnaire import (
    Answer,
    AnswerKind,
    InvalidAnswer,
    Question,
    Step,
    TypedAnswers,
    area_question,
    questions_of,
)
from domain.requests import APPROVAL, Request, RequestKind
from domain.roster import Location, Partner, Person, Roster, Specialty

PARTNERS_PROPOSED = 3
CONTACT_WITHIN_BUSINESS_DAYS = 3
QUICKLEADS_TASK = 983

BOTH = "Both"
SERVICE_TYPES = (
    Specialty.ADVISORY_AND_PLANNING.value,
    Specialty.TRAINING_AND_ENABLEMENT.value,
    BOTH,
)

# Answers the bot adds at submission (see `derive`): the partners as proposed then, and who
# recorded the customer's consent, when.
PROPOSED_PARTNERS = "proposed_partners"
CONSENT_RECORD = "consent_record"

# The customer contact: asked only after consent, shown only to the requester and approvers.
CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone")

KIND = RequestKind("acm_referral", "ACM", "ACM partner referral", APPROVAL)

OUTCOMES = (
    "Customer engaged a referred partner",
    "Partners called; the customer is still choosing",
    "No partner called within three business days",
    "Customer chose not to engage a partner",
)

FOR_FEE = (
    "ACM partner referrals are for-fee services: the customer contracts and pays the partner "
    "they choose."
)
CONTACT_DEADLINE = (
    "Referred partners should contact the customer within three business days; once the "
    "referral is approved, the FM is reminded to check that they did."
)
CONSENT_FACT = (
    "The customer agreed, verbally, to share the contact's data with the partners; confirmed "
    "by the requester on submitting"
)
ACCOUNT_TEAM_ROUTE = "Account team picks local ACM partners from the Co-Sell ACM list"
QUICKLEADS_ROUTE = f"QuickLeads referral (FTOP task {QUICKLEADS_TASK})"

CONFIRMATION = (
    "Referrals are for-fee services. Once approved, the partners should contact the customer "
    "within three business days, and I will remind you to check that they called."
)


def specialties_for(service_type: str | None) -> tuple[Specialty, ...]:
    """The specialties a service type asks for, in directory order ("Both": the two)."""
    if service_type == BOTH:
        return (Specialty.ADVISORY_AND_PLANNING, Specialty.TRAINING_AND_ENABLEMENT)
    return tuple(s for s in Specialty if s.value == service_type)


# --- matching ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerMatch:
    partner: Partner
    office: Location  # the partner's office that matched the customer's location
    same_city: bool
    offered: tuple[Specialty, ...]  # the wanted specialties the partner offers
    wanted: tuple[Specialty, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        where = "same city as the customer" if self.same_city else "same country as the customer"
        missing = [s for s in self.wanted if s not in self.offered]
        offers = "offers " + " and ".join(s.value for s in self.offered)
        if missing:
            offers += " (not " + " or ".join(s.value for s in missing) + ")"
        return where, offers

    def as_answer(self) -> dict:
        """What is stored in the request: plain JSON, independent of later roster changes."""
        return {
            "name": self.partner.name,
            "office": str(self.office),
            "reasons": list(self.reasons),
        }


def _same_city(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def match_partners(
    directory: Iterable[Partner],
    location: Location,
    specialties: Iterable[Specialty],
    limit: int = PARTNERS_PROPOSED,
) -> list[PartnerMatch]:
    """Up to `limit` partners offering at least one wanted specialty in the customer's country.

    Order: an office in the customer's city before one elsewhere in the country; then those
    offering more of the wanted specialties; then by name (case-insensitive), so the same
    directory always gives the same proposal. Partners abroad do not match.
    """
    asked = set(specialties)
    wanted = tuple(s for s in Specialty if s in asked)
    matches = []
    for partner in directory:
        offered = tuple(s for s in wanted if s in partner.specialties)
        if not offered:
            continue
        in_country = [o for o in partner.locations if o.country == location.country]
        if not in_country:
            continue
        in_city = [o for o in in_country if _same_city(o.city, location.city)]
        office = (in_city or in_country)[0]
        matches.append(PartnerMatch(partner, office, bool(in_city), offered, wanted))
    matches.sort(
        key=lambda m: (not m.same_city, -len(m.offered), m.partner.name.casefold(), m.partner.name)
    )
    return matches[:limit]


def describe_matches(matches: list[dict], answers: Mapping[str, object]) -> str:
    """The proposal in words: each partner and why it matched, or plainly how few matched."""
    typed = AcmAnswers.of(answers)
    wanted = " and ".join(specialties_for(typed.service_type)) or "the services"
    where = typed.location or "the customer's location"
    if not matches:
        return (
            f"No partner in the directory offers {wanted} in the customer's country ({where}). "
            "The referral can still go ahead: the partners will have to be found outside the "
            "directory."
        )
    lines = [
        f"{i}. **{m['name']}** ({m['office']}): " + "; ".join(m["reasons"])
        for i, m in enumerate(matches, 1)
    ]
    if len(matches) < PARTNERS_PROPOSED:
        only = "Only one partner" if len(matches) == 1 else f"Only {len(matches)} partners"
        head = (
            f"{only} in the directory {'matches' if len(matches) == 1 else 'match'} {wanted} "
            f"near {where}, fewer than the {PARTNERS_PROPOSED} a referral offers; the others "
            "will have to be found outside the directory:"
        )
    else:
        head = f"The {PARTNERS_PROPOSED} partners proposed for {wanted} near {where}:"
    return head + "\n\n" + "\n".join(lines)


# --- parsing ----------------------------------------------------------------------------------

_PHONE_CHARACTERS = re.compile(r"^\+?[\d\s().\-/]+$")
_ONE_EMAIL = Question("email", "Email", "", AnswerKind.EMAILS)


def parse_location(text: str) -> Location:
    """Parse "Seattle, US" or "Seattle, United States" into Location("Seattle", "US"): a city, a
    comma, the country by its name or ISO code (UK is taken for GB); or a well-known city alone
    ("Seattle")."""
    place = " ".join(text.split()).strip(" ,")
    city, comma, country = place.rpartition(",")
    city = city.strip()
    code = places.country_code(country) if comma else places.city_country(place)
    if not comma:
        city = place
    if not city or code is None:
        raise InvalidAnswer(
            f"I can't tell where “{place}” is: write the city, a comma and the country, e.g. "
            "Lyon, France or Lyon, FR."
        )
    if len(city) > 100:
        raise InvalidAnswer("That city name is too long; keep it under 100 characters.")
    return Location(city, code)


def _location(text: str) -> str:
    return str(parse_location(text))


def _email(text: str) -> str:
    addresses = _ONE_EMAIL.parse(text)
    if not isinstance(addresses, list) or len(addresses) != 1:
        raise InvalidAnswer("Give one email address, the contact's own.")
    return addresses[0]


def _phone(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    if not _PHONE_CHARACTERS.match(text) or not 7 <= len(digits) <= 15:
        raise InvalidAnswer("That is not a phone number I can use: it needs the country code.")
    return " ".join(text.split())


def _name(text: str) -> str:
    if len(text) > 200:
        raise InvalidAnswer("Please keep the name under 200 characters.")
    return text


# --- the conversation -------------------------------------------------------------------------


class AcmAnswers(TypedAnswers):
    """A referral's answers, typed: None when not (yet) given. The last two are added at
    submission (see `derive`)."""

    __slots__ = ()
    customer = Answer[str]()
    area = Answer[str]()
    current_partner_offers = Answer[bool]()
    current_partner = Answer[str]()
    has_account_team = Answer[bool]()
    account_team = Answer[list[str]]()
    service_type = Answer[str]()
    consent = Answer[bool]()
    contact_name = Answer[str]()
    contact_email = Answer[str]()
    contact_phone = Answer[str]()
    location = Answer[str]()
    proposed_partners = Answer[list[dict]]()
    consent_record = Answer[dict]()


def _current_partner_offers(answers: dict) -> bool:
    return AcmAnswers.of(answers).current_partner_offers is True


# Asked unless an earlier answer rules them out, so the usual path's step count never grows.
# The contact step comes after the consent step, so no contact is asked before consent.
def _may_refer(answers: dict) -> bool:
    return AcmAnswers.of(answers).current_partner_offers is not True


def _has_account_team(answers: Mapping[str, object]) -> bool:
    return AcmAnswers.of(answers).has_account_team is True


def _may_share_contact(answers: dict) -> bool:
    return _may_refer(answers) and AcmAnswers.of(answers).consent is not False


@dataclass(frozen=True)
class CurrentPartnerOffers:
    """The best outcome, which ends the conversation: a partner the customer already has offers
    the ACM services. No referral is made and nothing is shared."""

    partner: str
    customer: str


class NoConsent:
    """The customer has not consented to share their contact: the conversation ends, nothing is
    kept."""


class Route(StrEnum):
    """Who picks the partners: the account team from the Co-Sell ACM list, or a QuickLeads
    referral when there is no account team."""

    ACCOUNT_TEAM = "account_team"
    QUICKLEADS = "quickleads"


def _current_partner_outcome(answers: dict) -> CurrentPartnerOffers:
    typed = AcmAnswers.of(answers)
    return CurrentPartnerOffers(typed.current_partner or "", typed.customer or "")


def _consent_gate(answers: dict) -> NoConsent | None:
    return None if AcmAnswers.of(answers).consent else NoConsent()


def _route_info(answers: dict) -> Route:
    return Route.ACCOUNT_TEAM if _has_account_team(answers) else Route.QUICKLEADS


def proposal(roster: Roster, answers: Mapping[str, object]) -> list[dict]:
    """The partners matched now for the answers so far, as stored at submission."""
    typed = AcmAnswers.of(answers)
    if not typed.location or not typed.service_type:
        return []
    matches = match_partners(
        roster.partners, parse_location(typed.location), specialties_for(typed.service_type)
    )
    return [m.as_answer() for m in matches]


def steps(roster: Roster) -> list[Step]:
    return [
        Step(
            "customer",
            "Customer and current partners",
            (
                Question("customer", "Customer", "Which customer is the ACM partner for?"),
                area_question(roster),
                Question(
                    "current_partner_offers",
                    "A current partner offers ACM",
                    "Ask the customer: does one of their current partners offer the Adoption & "
                    "Change Management services they are looking for?",
                    AnswerKind.YES_NO,
                ),
                Question(
                    "current_partner",
                    "Current partner",
                    "Which of the customer's partners?",
                    applies=_current_partner_offers,
                    stop=_current_partner_outcome,
                    when="if a current partner offers them",
                ),
            ),
        ),
        Step(
            "referral",
            "Referral and consent",
            (
                Question(
                    "has_account_team",
                    "Account team",
                    "Does the customer have an account team (ATS, AE, TAM, CSM, SSP)?",
                    AnswerKind.YES_NO,
                    applies=_may_refer,
                    info=_route_info,
                ),
                Question(
                    "account_team",
                    "Account team members",
                    "The account team members' email addresses, separated by commas: they "
                    "choose the partners with the customer.",
                    AnswerKind.EMAILS,
                    applies=lambda answers: _may_refer(answers) and _has_account_team(answers),
                    when="if the customer has an account team",
                ),
                Question(
                    "service_type",
                    "Service type",
                    "Which ACM services does the customer need?",
                    AnswerKind.CHOICE,
                    SERVICE_TYPES,
                    applies=_may_refer,
                ),
                Question(
                    "consent",
                    "Customer consent to share contact data",
                    "Has the customer given you their verbal consent to share their contact "
                    "data (name, email, phone) with the partners we refer?",
                    AnswerKind.YES_NO,
                    applies=_may_refer,
                    stop=_consent_gate,
                ),
            ),
        ),
        # Asked only once consent is recorded, so no contact data is typed before it.
        Step(
            "contact",
            "Customer contact",
            (
                Question(
                    "contact_name",
                    "Customer contact",
                    "Who at the customer should the partners contact? Their full name.",
                    applies=_may_share_contact,
                    parser=_name,
                    personal=True,
                ),
                Question(
                    "contact_email",
                    "Contact email",
                    "The contact's email address?",
                    applies=_may_share_contact,
                    parser=_email,
                    personal=True,
                ),
                Question(
                    "contact_phone",
                    "Contact phone",
                    "The contact's phone number, with the country code? Type `skip` if they "
                    "prefer email only.",
                    optional=True,
                    applies=_may_share_contact,
                    parser=_phone,
                    placeholder="+1 425 555 0100",
                    personal=True,
                ),
                Question(
                    "location",
                    "Customer location",
                    "Where is the customer? The city and the country, e.g. Seattle, US. "
                    "Partners are matched by location and specialty.",
                    applies=_may_share_contact,
                    parser=_location,
                    placeholder="Seattle, US",
                    info=lambda answers: describe_matches(proposal(roster, answers), answers),
                ),
            ),
        ),
    ]


def questions(roster: Roster) -> list[Question]:
    return questions_of(steps(roster))


def needs_director(answers: dict) -> bool:
    """A for-fee referral commits no Microsoft funding or effort: the liaison decides alone."""
    return False


def derive(roster: Roster) -> Callable[[dict, Person, datetime], dict]:
    """At submission: fix the proposed partners, and record who confirmed consent and when."""

    def derived(answers: dict, requester: Person, at: datetime) -> dict:
        return {
            PROPOSED_PARTNERS: proposal(roster, answers),
            CONSENT_RECORD: {
                "by": requester.display_name,
                "by_aad_object_id": requester.aad_object_id,
                "at": at.isoformat(),
            },
        }

    return derived


def highlights(answers: Mapping[str, object]) -> list[tuple[str, str]]:
    """The referral's own section on the approval card."""
    typed = AcmAnswers.of(answers)
    facts = [
        ("Route", ACCOUNT_TEAM_ROUTE if _has_account_team(answers) else QUICKLEADS_ROUTE),
        ("Service type", typed.service_type or ""),
    ]
    if typed.consent_record:
        # Recorded from the requester at submission: who and when are already on the card.
        facts.append(("Consent", CONSENT_FACT))
    partners = typed.proposed_partners or []
    for number, partner in enumerate(partners, 1):
        facts.append(
            (
                f"Partner {number}",
                f"{partner['name']} ({partner['office']}): " + "; ".join(partner["reasons"]),
            )
        )
    if len(partners) < PARTNERS_PROPOSED:
        facts.append(
            (
                "Partners matched",
                f"Only {len(partners)} of {PARTNERS_PROPOSED} in the directory; find the others "
                "outside it"
                if partners
                else "None in the directory; find partners outside it",
            )
        )
    # When the partners call is in the notes (CONTACT_DEADLINE), not repeated here.
    return facts


def card_notes(roster: Roster) -> Callable[[dict], list[str]]:
    """For-fee and the three-business-day contact, for the summary and the approval card; on
    the summary (before the partners are fixed) also the partners proposed now."""

    def notes(answers: Mapping[str, object]) -> list[str]:
        found = [FOR_FEE, CONTACT_DEADLINE]
        typed = AcmAnswers.of(answers)
        if typed.proposed_partners is None and typed.location:
            found.append(describe_matches(proposal(roster, answers), answers))
        return found

    return notes


def deadlines_at_approval(
    request: Request, rules: DeadlineRules, approved_at: datetime
) -> list[Deadline]:
    """The partners' contact is due three business days after approval, in the area's
    calendar; then the FM is asked whether they called."""
    return [rules.partner_contact(request, approved_at, CONTACT_WITHIN_BUSINESS_DAYS)]
