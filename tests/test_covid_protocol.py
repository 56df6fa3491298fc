"""A COVID triage over HTTP: the FM's conversation with the WVD branch, the liaison's card with
the COVID section, the decision, and the rollout target dates kept for the reminders."""

from datetime import UTC, datetime, timedelta

from app import ENGINE, ROSTER
from domain import covid_triage as covid
from domain.deadlines import DeadlineKind, DeadlineState
from persistence.deadlines import DeadlineRepository
from persistence.requests import RequestRepository
from tests.db_fixtures import STORED_KINDS
from tests.harness import DIRECTOR, FM, LIAISON, Chat, card_actions, card_of, card_text
from tests.schemas import assert_valid_card, card_size_bytes

TODAY = datetime.now(UTC).date()
PILOT = TODAY + timedelta(days=30)
ALL_STAFF = TODAY + timedelta(days=75)

START = ["Contoso", "Americas", "ats@contoso.com, tam@contoso.com", "1"]
WVD = [
    "1, 2",  # Teams and devices for remote work (WVD)
    "Teams and virtual desktops for 2,000 call centre agents",
    "yes",  # native WVD
    "3, 4",  # Teams and Edge to the host pool
    "none",  # nothing out of scope
    "yes",  # active paid Azure subscription
    "Anywhere else",  # region
    "Windows 10 E3",
    "2000",  # seats
    "400",  # VMs
    "yes",  # Azure subscription with a virtual network
    "TPID 12345678",
]
REST = [
    "In FastTrack scope",
    "no",  # not blocked
    "yes",  # accelerated
    "Teams +2k agents by next month",
    "no",  # no rollout plan of their own
    "Pilot with one call centre",
    "All agents on WVD with Teams; WVD SMEs deliver",
    f"Teams pilot: {PILOT.isoformat()}; All staff: {ALL_STAFF:%d %B %Y}",
    "FM Alex Wilber; WVD SME Megan Bowen",
    "no",  # not holding features
    "yes",  # assess E5 growth
]


async def triage(fm: Chat, answers: list[str]) -> str:
    """Walk through the triage and submit it; the new request's id."""
    replies = await fm.walk("covid triage", answers)
    summary = card_text(card_of(replies[-1]))
    assert "Check your answers" in summary
    assert "FTOP task 4117" in summary
    (confirmation,) = await fm.say(value={"summary": "submit"})
    assert "remind you on each rollout target date" in confirmation["text"]
    return confirmation["text"].split("**")[1]


async def test_a_covid_request_reaches_the_liaison_and_is_approved(bot):
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await liaison.open()
    await fm.open()
    assert await triage(fm, START + WVD + REST) == "COVID-0001"

    card = await liaison.latest_card(2)
    assert_valid_card(card)
    assert card_size_bytes(card) < 28_000
    text = card_text(card)
    assert "COVID triage · COVID-0001" in text
    assert "Status: Waiting for the liaison" in text
    # The triage's own section.
    assert "1 · Business stoppage, already asked for help" in text
    assert "Productivity through Teams, Devices for remote work" in text
    assert "In FastTrack scope" in text
    assert "Accelerated: #COVID Teams +2k agents by next month" in text
    assert "Eligible: nominate with TPID 12345678" in text
    assert f"Teams pilot {PILOT:%d %b %Y}; All staff {ALL_STAFF:%d %b %Y}" in text
    # The engagement steps, with what is done.
    assert "FTOP task 4115 · Sync with the account team: Done" in text
    assert "FTOP task 4118 · Request or assign resources: Done" in text
    assert "FTOP task 4108 · Engage with the account team for E5 growth: To do" in text
    assert {a["verb"] for a in card_actions(card)} == {"approve", "decline", "ask_more_info"}

    status, response = await liaison.click(card, "approve", comment="Go ahead")
    assert status == 200
    decided = response["value"]
    assert_valid_card(decided)
    assert "Status: Approved" in card_text(decided)
    assert "actions" not in decided
    told = await fm.wait_for_text("COVID-0001 for Contoso was approved by Adele Vance")
    assert "Next: the work goes ahead as triaged; record the outcome" in told["text"]

    repository = RequestRepository(bot.app[ENGINE], bot.app[ROSTER], kinds=STORED_KINDS)
    stored = await repository.get("COVID-0001")
    assert stored.needs_director is False
    assert stored.answers["nomination_id"] == "TPID 12345678"
    # Approved: the liaison's decision is closed; the rollout targets stay open, each
    # reminded of at the start of the FM's working day.
    deadlines = await DeadlineRepository(bot.app[ENGINE], bot.app[ROSTER]).all_for("COVID-0001")
    fm_hours = bot.app[ROSTER].default_working_hours
    assert [(d.kind, d.subject, d.state) for d in deadlines] == [
        (DeadlineKind.LIAISON_DECISION, "", DeadlineState.CLOSED),
        (DeadlineKind.ROLLOUT_TARGET, "Teams pilot", DeadlineState.OPEN),
        (DeadlineKind.ROLLOUT_TARGET, "All staff", DeadlineState.OPEN),
    ]
    # A target on a weekend or a holiday of the area is reminded of on its next business day.
    calendar = stored.area.calendar
    assert [d.remind_at.astimezone(fm_hours.zone).date() for d in deadlines[1:]] == [
        calendar.next_business_day(PILOT),
        calendar.next_business_day(ALL_STAFF),
    ]
    assert all(d.target.aad_object_id == FM["aadObjectId"] for d in deadlines[1:])

    # Afterwards the FM records what came of it.
    (listing,) = await fm.say("my requests")
    status, response = await fm.click(
        card_of(listing), "record_outcome", **{"outcome_COVID-0001": covid.OUTCOMES[3]}
    )
    assert f"Closed · outcome: {covid.OUTCOMES[3]}" in card_text(response["value"])


async def test_ecif_for_an_out_of_scope_gap_goes_on_to_the_director(bot):
    fm, liaison, director = Chat(bot, FM), Chat(bot, LIAISON), Chat(bot, DIRECTOR)
    for chat in (liaison, director, fm):
        await chat.open()
    answers = [
        *START,
        "3",  # securing data
        "Data loss prevention for remote staff",
        "Out of FastTrack scope",
        "Custom DLP policy development",
        "ECIF",
        "yes",  # blocked: no E5 questions
        "no",
        "yes",
        "Define policies",
        "Policies live",
        f"DLP live: {PILOT.isoformat()}",
        "Partners, Customer team members",
    ]
    await triage(fm, answers)
    card = await liaison.latest_card(2)
    assert_valid_card(card)
    text = card_text(card)
    assert "the regional director reviews it after the liaison" in text
    assert "Blocked: L1/L2/L3 Blocked / IT Change Management and Resourcing / COVID" in text
    assert "Out of FastTrack scope: Custom DLP policy development" in text
    status, response = await liaison.click(card, "approve")
    assert status == 200
    assert "Waiting for the regional director" in card_text(response["value"])
    director_card = await director.wait_for_card("Waiting for the regional director")
    _status, response = await director.click(director_card, "approve")
    assert "Status: Approved" in card_text(response["value"])
    await fm.wait_for_text("COVID-0001 for Contoso was approved by Lynne Robbins")
