"""Seed 003's rules, pure: the WVD pre-qualifications branch by branch, every region class, and
what the answers of a COVID triage amount to (tiers, FTOP tasks, E5, deadlines)."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from config.roster import load_roster
from dialogs.wording import describe
from domain import covid_parsing, covid_tasks, covid_triage, wvd
from domain import covid_triage as covid
from domain.deadlines import DeadlineKind, DeadlineRules, SlaPolicy
from domain.questionnaire import InvalidAnswer, applicable
from domain.requests import submit
from domain.roster import Person

ROLLOUT_TARGET = DeadlineKind.ROLLOUT_TARGET
ROSTER = load_roster(Path(__file__).resolve().parents[1] / "config" / "roster.sample.yaml")
TODAY = date(2026, 4, 1)
M365_E3 = ["Microsoft 365 E3"]


def azure(**overrides):
    arguments = {
        "paid_azure_subscription": True,
        "region": wvd.ELSEWHERE,
        "licences": M365_E3,
        "english_accepted": False,
    } | overrides
    return wvd.prequalify_fasttrack_for_azure(**arguments)


def m365(**overrides):
    arguments = {
        "licences": M365_E3,
        "seats": 150,
        "vms": 150,
        "azure_virtual_network": True,
    } | overrides
    return wvd.prequalify_fasttrack_for_m365(**arguments)


# --- regions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        (wvd.MAINLAND_CHINA, wvd.RegionClass.NOT_AVAILABLE),
        ("China", wvd.RegionClass.NOT_AVAILABLE),
        ("mainland China", wvd.RegionClass.NOT_AVAILABLE),
        (wvd.NO_COMMERCIAL_AZURE, wvd.RegionClass.NOT_AVAILABLE),
        ("Russia", wvd.RegionClass.BY_EXCEPTION),
        ("Russian Federation", wvd.RegionClass.BY_EXCEPTION),
        ("Hong Kong", wvd.RegionClass.BY_EXCEPTION),
        ("Taiwan", wvd.RegionClass.BY_EXCEPTION),
        ("Macao", wvd.RegionClass.BY_EXCEPTION),
        ("Macau", wvd.RegionClass.BY_EXCEPTION),
        ("India", wvd.RegionClass.BY_EXCEPTION),
        ("india", wvd.RegionClass.BY_EXCEPTION),
        (wvd.ELSEWHERE, wvd.RegionClass.SUPPORTED),
        ("Germany", wvd.RegionClass.SUPPORTED),
    ],
)
def test_region_classes(region, expected):
    assert wvd.region_class(region) is expected


def test_every_region_choice_has_a_class_and_all_three_classes_are_offered():
    classes = {wvd.region_class(region) for region in wvd.REGIONS}
    assert classes == set(wvd.RegionClass)


# --- FastTrack for Azure --------------------------------------------------------------------


def test_azure_all_met_in_a_supported_region():
    result = azure()
    assert result.eligible
    assert result.reasons == [
        "an active, paid Azure subscription",
        "a region where FastTrack for Azure is available",
        "licence Microsoft 365 E3",
    ]


def test_azure_needs_an_active_paid_subscription():
    result = azure(paid_azure_subscription=False)
    assert not result.eligible
    assert result.reasons == ["no active, paid Azure subscription"]


@pytest.mark.parametrize("region", [wvd.MAINLAND_CHINA, wvd.NO_COMMERCIAL_AZURE])
def test_azure_is_not_available_in_mainland_china_or_outside_commercial_azure(region):
    result = azure(region=region, english_accepted=True)
    assert not result.eligible
    (reason,) = result.reasons
    assert reason.startswith("FastTrack for Azure is not available in")


def test_mainland_china_is_named_as_such():
    assert azure(region=wvd.MAINLAND_CHINA).reasons == [
        "FastTrack for Azure is not available in mainland China"
    ]


@pytest.mark.parametrize("region", wvd.EXCEPTION_REGIONS)
def test_exception_regions_are_eligible_by_exception_in_english_only(region):
    accepted = azure(region=region, english_accepted=True)
    assert accepted.eligible
    assert f"{region}: available by exception and in English only" in accepted.reasons
    refused = azure(region=region, english_accepted=False)
    assert not refused.eligible
    assert refused.reasons == [
        f"in {region} FastTrack for Azure is available by exception and in English only, "
        "and the customer needs another language"
    ]


@pytest.mark.parametrize("licence", wvd.QUALIFYING_LICENCES)
def test_each_qualifying_licence_qualifies_for_azure(licence):
    assert azure(licences=[licence]).eligible


@pytest.mark.parametrize("licences", [[], ["Microsoft 365 E1"], ["Office 365 E3", "Windows 10 E1"]])
def test_azure_needs_an_m365_or_windows_10_e3_e5_a3_a5_licence(licences):
    result = azure(licences=licences)
    assert not result.eligible
    assert result.reasons == ["no Microsoft 365 or Windows 10 E3, E5, A3 or A5 licence"]


def test_azure_lists_every_requirement_not_met():
    result = azure(paid_azure_subscription=False, region="China", licences=[])
    assert not result.eligible
    assert len(result.reasons) == 3


# --- FastTrack for M365 ---------------------------------------------------------------------


def test_m365_all_met_at_the_minimums():
    result = m365()
    assert result.eligible
    assert result.reasons == [
        "150 seats of Microsoft 365 E3",
        "150 virtual machines",
        "an Azure subscription with a virtual network",
    ]


def test_m365_needs_a_qualifying_licence():
    result = m365(licences=["Microsoft 365 F3"], seats=5000)
    assert not result.eligible
    assert result.reasons == ["no Microsoft 365 or Windows 10 E3, E5, A3 or A5 licence"]


def test_m365_needs_150_seats():
    result = m365(seats=149)
    assert not result.eligible
    assert result.reasons == ["149 licensed seats, fewer than the 150 required"]


def test_m365_needs_150_vms():
    result = m365(vms=149)
    assert not result.eligible
    assert result.reasons == ["149 virtual machines, fewer than the 150 required"]


def test_m365_needs_an_azure_subscription_with_a_virtual_network():
    result = m365(azure_virtual_network=False)
    assert not result.eligible
    assert result.reasons == ["no Azure subscription with a virtual network"]


def test_m365_lists_every_requirement_not_met():
    result = m365(licences=[], vms=10, azure_virtual_network=False)
    assert len(result.reasons) == 3


# --- the WVD branch from the answers --------------------------------------------------------

WVD_ELIGIBLE = {
    "scenarios": [covid.DEVICES],
    "wvd_native": True,
    "wvd_in_scope": [wvd.WVD_IN_SCOPE[2]],
    "wvd_out_of_scope": None,
    "azure_paid_subscription": True,
    "region": wvd.ELSEWHERE,
    "licences": ["Windows 10 E5"],
    "seats": 400,
    "vms": 200,
    "azure_virtual_network": True,
}


def test_both_met_nominates():
    result = covid.wvd_result(WVD_ELIGIBLE)
    assert result.nominate
    assert result.azure.eligible
    assert result.m365.eligible
    verdict = describe(covid.wvd_result(WVD_ELIGIBLE))
    assert "eligible" in verdict
    assert wvd.NOMINATION_PORTAL in verdict
    assert not covid.wvd_needs_partner(WVD_ELIGIBLE)


@pytest.mark.parametrize(
    "change",
    [{"azure_paid_subscription": False}, {"vms": 20}, {"region": wvd.MAINLAND_CHINA}],
)
def test_either_not_met_means_a_partner_request_via_ocp(change):
    answers = WVD_ELIGIBLE | change
    result = covid.wvd_result(answers)
    assert not result.nominate
    verdict = describe(covid.wvd_result(answers))
    assert "not eligible" in verdict
    assert wvd.OCP_REQUEST in verdict
    assert covid.wvd_needs_partner(answers)


def test_citrix_or_vmware_is_out_of_scope_without_pre_qualification():
    answers = {"scenarios": [covid.DEVICES], "wvd_native": False}
    result = covid.wvd_result(answers)
    assert not result.nominate
    assert result.azure is None
    assert "Citrix and VMware" in describe(covid.wvd_result(answers))
    assert covid.wvd_needs_partner(answers)


def test_out_of_scope_items_go_to_a_partner_even_when_nominated():
    answers = WVD_ELIGIBLE | {"wvd_out_of_scope": [wvd.WVD_OUT_OF_SCOPE[1]]}
    assert covid.wvd_result(answers).nominate
    assert covid.wvd_needs_partner(answers)


def test_no_result_until_every_applicable_pre_qualification_answer_is_in():
    assert covid.wvd_result({k: v for k, v in WVD_ELIGIBLE.items() if k != "vms"}) is None
    india = WVD_ELIGIBLE | {"region": "India"}
    assert covid.wvd_result(india) is None  # English not yet asked
    assert covid.wvd_result(india | {"english_accepted": True}).nominate
    no_licence = {k: v for k, v in WVD_ELIGIBLE.items() if k != "seats"} | {"licences": None}
    assert covid.wvd_result(no_licence) is not None  # seats are not asked without a licence


def test_the_wvd_questions_are_asked_only_for_devices():
    keys = lambda answers: {q.key for q in applicable(covid.questions(ROSTER), answers)}  # noqa: E731
    teams = keys({"scenarios": [covid.TEAMS]})
    assert not {"wvd_native", "region", "nomination_id"} & teams
    assert {"wvd_native", "region", "vms"} <= keys(
        {"scenarios": [covid.DEVICES], "wvd_native": True}
    )
    citrix = keys({"scenarios": [covid.DEVICES], "wvd_native": False})
    assert "wvd_native" in citrix
    assert "region" not in citrix
    assert "nomination_id" in keys(WVD_ELIGIBLE)
    assert "nomination_id" not in keys(WVD_ELIGIBLE | {"vms": 1})


# --- ids, numbers, notes and dates ----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("TPID 1234567", "TPID 1234567"),
        ("tpid: 1234567", "TPID 1234567"),
        ("enrollment 87654321", "Enrollment ID 87654321"),
        ("Enrolment number 87654321", "Enrollment ID 87654321"),
        (
            "0F8FAD5B-D9CB-469F-A165-70867728950E",
            "Subscription ID 0f8fad5b-d9cb-469f-a165-70867728950e",
        ),
        (
            "subscription id 0f8fad5b-d9cb-469f-a165-70867728950e",
            "Subscription ID 0f8fad5b-d9cb-469f-a165-70867728950e",
        ),
    ],
)
def test_nomination_ids(typed, stored):
    assert covid_parsing.parse_nomination_id(typed) == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("12345678", "Is 12345678 a TPID or an enrollment id?"),
        ("TPID abc", "“abc” is not a TPID"),
        ("TPID 12", "“12” is not a TPID"),
        ("subscription 1234", "“1234” is not a subscription id"),
        ("the customer's id", "is not a TPID, enrollment id or subscription id"),
    ],
)
def test_bad_nomination_ids_say_why(typed, reason):
    with pytest.raises(InvalidAnswer, match=reason):
        covid_parsing.parse_nomination_id(typed)


def test_the_covid_note_is_tagged_once():
    assert covid_parsing.parse_covid_note("Teams +40k by June") == "#COVID Teams +40k by June"
    assert covid_parsing.parse_covid_note("#covid Teams +40k") == "#COVID Teams +40k"


def test_target_dates_are_named_real_future_dates_in_date_order():
    stored = covid_parsing.parse_target_dates(
        "Teams pilot: 2026-05-15; All staff: 30 April 2026", TODAY
    )
    assert stored == ["All staff: 2026-04-30", "Teams pilot: 2026-05-15"]
    assert covid_parsing.rollout_targets({"target_dates": stored}) == [
        ("All staff", date(2026, 4, 30)),
        ("Teams pilot", date(2026, 5, 15)),
    ]


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("Teams pilot: 2026-02-30", "Teams pilot: “2026-02-30” is not a date I can read"),
        ("Teams pilot: 2026-04-01", "Teams pilot: 01 April 2026 is not in the future"),
        ("Teams pilot: 2025-12-01", "is not in the future"),
        ("2026-05-15", "has no milestone"),
        ("Pilot: soon", "Pilot: “soon” is not a date"),
    ],
)
def test_bad_target_dates_say_why(typed, reason):
    with pytest.raises(InvalidAnswer, match=reason):
        covid_parsing.parse_target_dates(typed, TODAY)


def test_at_most_ten_target_dates():
    typed = "; ".join(f"M{n}: 2026-06-{n:02d}" for n in range(1, 12))
    with pytest.raises(InvalidAnswer, match="at most 10"):
        covid_parsing.parse_target_dates(typed, TODAY)


# --- priority, E5, director, FTOP tasks, deadlines ------------------------------------------


def test_every_tier_has_its_meaning():
    assert [t.number for t in covid.TIERS] == [1, 2, 3, 4]
    assert "business stoppage" in covid.tier(covid.TIERS[0].name).meaning
    assert "renewal" in covid.tier("Renewal at risk this quarter").meaning


@pytest.mark.parametrize(
    ("answers", "assessed"),
    [
        ({"blocked": True}, False),
        ({"blocked": False, "holding_features": True}, False),
        ({"blocked": False, "holding_features": False}, True),
    ],
)
def test_e5_growth_is_never_assessed_for_a_blocked_or_holding_customer(answers, assessed):
    assert covid.e5_may_be_assessed(answers) is assessed
    keys = {q.key for q in applicable(covid.questions(ROSTER), answers)}
    assert ("e5_growth" in keys) is assessed


@pytest.mark.parametrize(
    ("answers", "director"),
    [
        ({"fasttrack_scope": covid.IN_SCOPE}, False),
        ({"fasttrack_scope": covid.OUT_OF_SCOPE, "recommendation": [covid.PARTNER]}, False),
        ({"fasttrack_scope": covid.PARTLY_IN_SCOPE, "recommendation": [covid.ECIF]}, True),
        # A stale recommendation from before the scope changed does not count.
        ({"fasttrack_scope": covid.IN_SCOPE, "recommendation": [covid.ECIF]}, False),
    ],
)
def test_the_director_reviews_only_ecif_funding(answers, director):
    assert covid.needs_director(answers) is director


COMPLETE = {
    "customer": "Contoso",
    "area": "Americas",
    "account_team": ["ats@contoso.com", "ae@contoso.com"],
    "priority": covid.TIERS[1].name,
    "scenarios": [covid.TEAMS],
    "fasttrack_scope": covid.IN_SCOPE,
    "blocked": False,
    "accelerated": True,
    "covid_note": "#COVID Teams +40k by June",
    "has_rollout_plan": True,
    "next_steps": "Pilot",
    "expectations": "All staff on Teams",
    "target_dates": ["Teams pilot: 2026-05-15", "All staff: 2026-06-30"],
    "in_scope_resources": "FM Alex; Teams SME Megan",
    "holding_features": False,
    "e5_growth": True,
}


def test_the_ftop_tasks_show_what_is_done():
    tasks = {task.number: task for task in covid_tasks.ftop_tasks(COMPLETE)}
    assert list(tasks) == [4115, 4116, 4117, 4118, 4108]
    assert all(tasks[n].status == "Done" for n in (4115, 4116, 4117, 4118))
    assert tasks[4115].detail == "met 2 account team members; priority 2"
    assert tasks[4117].detail.startswith("2 target dates, the first on 15 May 2026")
    assert tasks[4118].detail == "in scope: FM Alex; Teams SME Megan"
    assert tasks[4108].status == "To do"
    started = {task.number: task.status for task in covid_tasks.ftop_tasks({"customer": "Contoso"})}
    assert started[4115] == started[4117] == started[4118] == "To do"


def test_notes_and_highlights_of_a_blocked_out_of_scope_customer():
    answers = COMPLETE | {
        "blocked": True,
        "accelerated": False,
        "fasttrack_scope": covid.OUT_OF_SCOPE,
        "scope_exception": "Custom app migration",
        "recommendation": [covid.PREMIER],
        "out_of_scope_resources": ["Microsoft Services (Premier, PFE, MCS)"],
    }
    del answers["covid_note"], answers["holding_features"], answers["e5_growth"]
    notes = "\n".join(covid_tasks.notes(answers))
    assert "Blocked / IT Change Management and Resourcing / COVID" in notes
    assert "FastTrack Insight tool" in notes
    assert "Premier" in notes
    assert "FTOP task 4108 · Engage with the account team for E5 growth: Not needed" in notes
    facts = dict(covid_tasks.highlights(answers))
    assert facts["COVID status"].startswith("Blocked: L1/L2/L3 Blocked")
    assert facts["FastTrack scope"].startswith("Out of FastTrack scope: Custom app migration")
    assert facts["Rollout target dates"] == "Teams pilot 15 May 2026; All staff 30 Jun 2026"


def test_one_reminder_per_target_date_to_the_requester():
    fm = Person("Alex Wilber", "fm-aad", "alex@contoso.com")
    request, _ = submit(
        request_id="COVID-0001",
        kind=covid_triage.KIND,
        requester=fm,
        area=ROSTER.areas[0],
        customer="Contoso",
        answers=COMPLETE,
        needs_director=False,
        at=datetime(2026, 4, 1, tzinfo=UTC),
    )
    rules = DeadlineRules(SlaPolicy(), ROSTER.working_hours_of)
    deadlines = covid.deadlines_at_submission(request, rules)
    # At the start of the FM's working day (the roster's default: 09:00 in New York).
    assert [(d.kind, d.subject, d.remind_at, d.target) for d in deadlines] == [
        (ROLLOUT_TARGET, "Teams pilot", datetime(2026, 5, 15, 13, 0, tzinfo=UTC), fm),
        (ROLLOUT_TARGET, "All staff", datetime(2026, 6, 30, 13, 0, tzinfo=UTC), fm),
    ]
    assert all(d.request_id == "COVID-0001" for d in deadlines)
    assert len({d.key for d in deadlines}) == 2


def test_the_target_dates_question_is_parsed_against_the_given_today():
    question = next(q for q in covid.questions(ROSTER) if q.key == "target_dates")
    assert question.parse("Pilot: 2026-04-02", TODAY) == ["Pilot: 2026-04-02"]
    with pytest.raises(InvalidAnswer, match="not in the future"):
        question.parse("Pilot: 2026-04-02", date(2026, 4, 2))
    with pytest.raises(ValueError, match="parsed against today's date"):
        question.parse("Pilot: 2026-04-02")
