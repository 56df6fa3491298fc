"""The COVID triage conversation, scripted turn by turn with botbuilder's TestAdapter: with and
without the WVD branch, out of scope, blocked, and bad answers re-prompted with the reason."""

import itertools
import re
from datetime import date
from pathlib import Path

import pytest

from config.roster import load_roster
from dialogs import questionnaire_dialog
from domain import covid_tasks, wvd
from domain import covid_triage as covid
from tests.dialog_harness import ScriptedChat
from tests.schemas import assert_valid_card

ROSTER = load_roster(Path(__file__).resolve().parents[1] / "config" / "roster.sample.yaml")
TODAY = date(2026, 4, 1)

START = [
    "Contoso",  # customer
    "Americas",  # area
    "ats@contoso.com, AE@contoso.com",  # account team met in the sync
    "1",  # priority: business stoppage
]
TEAMS = ["1", "Teams meetings for 5,000 staff working from home"]  # scenario, the asks
IN_SCOPE = ["In FastTrack scope"]
NOT_BLOCKED = ["no", "yes", "Teams +5k users by June"]  # blocked, accelerated, #COVID note
PLAN = [
    "yes",  # has a rollout plan
    "Pilot with HR next week",  # next steps
    "Everyone meets on Teams; FastTrack guides the rollout",  # expectations
    "Teams pilot: 2026-05-15; All staff: 30 June 2026",  # target dates
]
IN_SCOPE_RESOURCES = ["FM Alex Wilber; Teams SME Megan Bowen"]
E5 = ["no", "yes"]  # holding features, assess E5 growth

WVD_NATIVE = [
    "yes",  # native WVD
    "3, 4",  # in-scope items: Teams and Edge to the host pool
    "none",  # out-of-scope items
]
ELIGIBLE = [
    "yes",  # active paid Azure subscription
    "Anywhere else",  # region
    "Microsoft 365 E3, Windows 10 E3",  # licences
    "400",  # seats
    "200",  # VMs
    "yes",  # Azure subscription with a virtual network
]


@pytest.fixture
def chat(monkeypatch):
    monkeypatch.setattr(questionnaire_dialog, "_today", lambda: TODAY)
    return ScriptedChat(
        "covid triage",
        "COVID triage request",
        covid.steps(ROSTER),
        covid_tasks.notes,
        "Submitted COVID-0001.",
    )


async def start(chat: ScriptedChat) -> str:
    return await chat.text_after("covid triage")


async def test_the_full_triage_without_wvd(chat):
    assert (await start(chat)).startswith("**Step 1 of ")
    replies = await chat.answer(START)
    assert "**Priority 1**: top priority" in replies[-1]  # the tier shown back with its meaning
    replies = await chat.answer(TEAMS + IN_SCOPE + NOT_BLOCKED)
    assert not any("Windows Virtual Desktop: is it" in reply for reply in replies)
    replies = await chat.answer(PLAN)
    assert "validate it and share best practice" in replies[0]
    replies = await chat.answer(IN_SCOPE_RESOURCES + E5)
    summary = replies[-1]
    assert "Check your answers" in summary
    for task in (4115, 4116, 4117, 4118, 4108):
        assert f"FTOP task {task}" in summary
    assert "FTOP task 4115 · Sync with the account team: Done" in summary
    assert "FTOP task 4108 · Engage with the account team for E5 growth: To do" in summary
    assert_valid_card(chat.cards[-1])

    assert await chat.text_after(value={"summary": "submit"}) == "Submitted COVID-0001."
    (answers,) = chat.submitted
    assert answers["account_team"] == ["ats@contoso.com", "ae@contoso.com"]
    assert answers["priority"] == covid.TIERS[0].name
    assert answers["scenarios"] == [covid.TEAMS]
    assert answers["covid_note"] == "#COVID Teams +5k users by June"
    assert answers["target_dates"] == ["Teams pilot: 2026-05-15", "All staff: 2026-06-30"]
    assert answers["e5_growth"] is True
    assert not {"wvd_native", "region", "nomination_id", "scope_exception"} & set(answers)
    assert not covid.needs_director(answers)


async def test_the_full_triage_with_an_eligible_wvd_nomination(chat):
    await start(chat)
    await chat.answer(START)
    replies = await chat.answer(["1, 2", "Teams and virtual desktops for call centres"])
    assert "Windows Virtual Desktop: is it a native WVD deployment?" in replies[-1]
    replies = await chat.answer(WVD_NATIVE)
    assert "Deploy Teams to the host pool" in replies[0]  # the in-scope list of the seed
    assert "Custom images" in replies[1]  # the out-of-scope list of the seed
    replies = await chat.answer(ELIGIBLE)
    verdict = replies[-1]
    assert "**WVD pre-qualification: eligible.**" in verdict
    assert "FastTrack for Azure: met" in verdict
    assert "FastTrack for M365: met" in verdict
    assert "TPID, enrollment id or subscription id" in verdict
    assert "Is 12345678 a TPID or an enrollment id?" in await chat.text_after("12345678")
    assert "Does what the customer needs fit in FastTrack scope?" in await chat.text_after(
        "TPID 12345678"
    )
    replies = await chat.answer(IN_SCOPE + NOT_BLOCKED + PLAN + IN_SCOPE_RESOURCES + E5)
    summary = replies[-1]
    assert "Nominate the customer through the Azure Nomination Portal" in summary
    await chat.text_after(value={"summary": "submit"})
    (answers,) = chat.submitted
    assert answers["wvd_in_scope"] == [wvd.WVD_IN_SCOPE[2], wvd.WVD_IN_SCOPE[3]]
    assert answers["wvd_out_of_scope"] is None
    assert answers["licences"] == ["Microsoft 365 E3", "Windows 10 E3"]
    assert answers["seats"] == 400
    assert answers["vms"] == 200
    assert answers["nomination_id"] == "TPID 12345678"
    assert "english_accepted" not in answers
    assert "out_of_scope_resources" not in answers


async def test_an_exception_region_asks_for_english_and_a_refusal_is_not_eligible(chat):
    await start(chat)
    await chat.answer([*START, "2", "Virtual desktops", *WVD_NATIVE, "yes"])
    assert "by exception and in English only" in await chat.text_after("India")
    await chat.answer(["no", "1", "400", "200"])  # English refused, licence, seats, VMs
    verdict = await chat.text_after("yes")
    assert "**WVD pre-qualification: not eligible.**" in verdict
    assert "in India FastTrack for Azure is available by exception and in English only" in verdict
    assert "partner request via OCP" in verdict
    assert "Does what the customer needs fit in FastTrack scope?" in verdict  # no nomination id


async def test_too_few_vms_is_not_eligible_and_goes_to_a_partner(chat):
    await start(chat)
    await chat.answer([*START, "2", "Virtual desktops", *WVD_NATIVE, *ELIGIBLE[:4]])
    reply = await chat.text_after("40")  # VMs
    assert "eligible" not in reply  # the result comes with the last answer
    verdict = await chat.text_after("yes")
    assert "FastTrack for M365: not met (40 virtual machines, fewer than the 150 required)" in (
        verdict
    )
    replies = await chat.answer(IN_SCOPE + NOT_BLOCKED + PLAN + IN_SCOPE_RESOURCES)
    assert "Who delivers the out-of-scope items?" in replies[-1]
    summary = (await chat.answer(["Partners", *E5]))[-1]
    assert "partner request via OCP" in summary
    await chat.text_after(value={"summary": "submit"})
    (answers,) = chat.submitted
    assert "nomination_id" not in answers
    assert answers["out_of_scope_resources"] == ["Partners"]


async def test_citrix_is_out_of_scope_and_skips_the_pre_qualification(chat):
    await start(chat)
    await chat.answer([*START, "2", "Citrix desktops"])
    reply = await chat.text_after("no")  # not native WVD
    assert "Citrix and VMware scenarios are out of FastTrack scope" in reply
    assert "Does what the customer needs fit in FastTrack scope?" in reply


async def test_out_of_scope_records_the_exception_and_the_recommendation(chat):
    await start(chat)
    await chat.answer(START + TEAMS)
    replies = await chat.answer(["Out of FastTrack scope", "Custom Teams app development"])
    assert "What is out of FastTrack scope?" in replies[0]
    assert "What do you recommend to fill the gap?" in replies[1]
    replies = await chat.answer(["Premier, ECIF", *NOT_BLOCKED, *PLAN])
    assert "Who delivers the out-of-scope items?" in replies[-1]  # no in-scope resources
    summary = (await chat.answer(["2, 3", *E5]))[-1]
    assert "FastTrack Insight tool" in summary
    await chat.text_after(value={"summary": "submit"})
    (answers,) = chat.submitted
    assert answers["scope_exception"] == "Custom Teams app development"
    assert answers["recommendation"] == [covid.PREMIER, covid.ECIF]
    assert "in_scope_resources" not in answers
    assert covid.needs_director(answers)  # ECIF funding


async def test_a_blocked_customer_records_l1_l2_l3_and_is_not_asked_about_e5(chat):
    await start(chat)
    await chat.answer(START + TEAMS + IN_SCOPE)
    reply = await chat.text_after("yes")  # blocked
    assert "set L1/L2/L3 to Blocked / IT Change Management and Resourcing / COVID" in reply
    replies = await chat.answer(["no", *PLAN, *IN_SCOPE_RESOURCES])
    summary = replies[-1]
    assert "Check your answers" in summary  # neither holding features nor E5 was asked
    assert "E5 opportunity" not in "\n".join(replies[:-1])
    assert "FTOP task 4108 · Engage with the account team for E5 growth: Not needed" in summary
    await chat.text_after(value={"summary": "submit"})
    (answers,) = chat.submitted
    assert answers["blocked"] is True
    assert not {"holding_features", "e5_growth", "covid_note"} & set(answers)


async def test_holding_features_skips_e5(chat):
    await start(chat)
    await chat.answer(START + TEAMS + IN_SCOPE + ["no", "no"] + PLAN + IN_SCOPE_RESOURCES)
    assert "Check your answers" in await chat.text_after("yes")  # holding features


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("Teams pilot: 2026-03-01", "Teams pilot: 01 March 2026 is not in the future"),
        ("Teams pilot: 2026-04-01", "is not in the future"),
        ("Teams pilot: 31 February 2026", "“31 February 2026” is not a date I can read"),
        ("next month", "has no milestone"),
    ],
)
async def test_bad_target_dates_are_re_prompted_with_the_reason(chat, bad, reason):
    await start(chat)
    await chat.answer(START + TEAMS + IN_SCOPE + NOT_BLOCKED + PLAN[:3])
    reply = await chat.text_after(bad)
    assert reason in reply
    assert "What are the target dates?" in reply
    assert "Who delivers the in-scope items?" in await chat.text_after(PLAN[3])


async def test_bad_emails_regions_counts_and_ids_are_re_prompted(chat):
    await start(chat)
    await chat.answer(START[:2])
    assert "ats, at, contoso are not email addresses" in await chat.text_after("ats at contoso")
    await chat.answer([*START[2:], "2", "Virtual desktops", *WVD_NATIVE, "yes"])
    reply = await chat.text_after("Atlantis")
    assert "I don't know where “Atlantis” is" in reply
    await chat.answer(["Germany", "1"])
    assert "“lots” is not a number" in await chat.text_after("lots")
    await chat.answer(["400", "200", "yes"])
    assert "is not a subscription id" in await chat.text_after("subscription 42")


async def test_a_changed_vm_count_re_runs_the_pre_qualification(chat):
    await start(chat)
    await chat.answer([*START, "2", "Virtual desktops", *WVD_NATIVE, *ELIGIBLE])
    await chat.answer(["TPID 12345678", *IN_SCOPE, *NOT_BLOCKED, *PLAN, *IN_SCOPE_RESOURCES, *E5])
    await chat.text_after(value={"summary": "change", "question": "vms"})
    reply = await chat.text_after("100")
    assert "**WVD pre-qualification: not eligible.**" in reply
    assert "Who delivers the out-of-scope items?" in reply  # now a partner request
    await chat.answer(["Partners"])
    await chat.text_after(value={"summary": "submit"})
    (answers,) = chat.submitted
    assert answers["vms"] == 100
    assert "nomination_id" not in answers


# --- forms: one step per topic ------------------------------------------------------------

COVID_BUDGET = 12
WVD_FORMS = [
    {
        "customer": "Contoso",
        "area": "1",
        "account_team": "ats@contoso.com, ae@contoso.com",
        "priority": "1",
    },
    {"scenarios": "1,2", "customer_needs": "Teams and virtual desktops for call centres"},
    {"wvd_native": "yes", "wvd_in_scope": "3,4", "wvd_out_of_scope": ""},
    {
        "azure_paid_subscription": "yes",
        "region": "Seattle",
        "licences": "1,5",
        "seats": "about 9,000",
        "vms": "200",
        "azure_virtual_network": "yes",
    },
    {"nomination_id": "TPID 12345678"},
    {"fasttrack_scope": "1"},
    {"blocked": "no", "accelerated": "yes", "covid_note": "Teams +5k users by June"},
    {
        "has_rollout_plan": "yes",
        "next_steps": "Pilot with HR",
        "expectations": "Everyone on Teams",
        "target_dates": "Teams pilot: 15 May; All staff: 30 June 2026",
    },
    {"in_scope_resources": "FM Alex Wilber", "holding_features": "no", "e5_growth": "yes"},
]


async def test_the_triage_with_the_wvd_branch_in_forms_keeps_to_the_budget(chat):
    first = await start(chat)
    assert "Step 1 of 6 · Customer and account team" in first
    texts = []
    for form in WVD_FORMS:
        assert_valid_card(chat.cards[-1])
        texts.append(await chat.form_text_after(**form))
        assert_valid_card(chat.form_replies[-1])
    # The branch is announced when it opens, once.
    assert "the customer needs Windows Virtual Desktop, so 3 steps were added" in texts[1]
    assert "Step 3 of 9 · Windows Virtual Desktop" in texts[1]
    assert "**WVD pre-qualification: eligible.**" in texts[3]
    assert "Step 5 of 9 · Nomination" in texts[3]
    assert "Check your answers" in texts[-1]
    await chat.say(value={"summary": "submit"})
    assert chat.sent <= COVID_BUDGET, f"{chat.sent} messages, more than {COVID_BUDGET}"
    (answers,) = chat.submitted
    assert answers["region"] == "United States"
    assert answers["seats"] == 9000
    assert answers["licences"] == ["Microsoft 365 E3", "Windows 10 E3"]
    assert answers["wvd_out_of_scope"] is None
    assert "english_accepted" not in answers  # did not apply to the United States
    assert answers["target_dates"] == ["Teams pilot: 2026-05-15", "All staff: 2026-06-30"]


async def test_a_field_that_applies_only_with_another_answer_of_its_step_is_needed_then(chat):
    await start(chat)
    await chat.submit_form(**WVD_FORMS[0])
    await chat.submit_form(scenarios="1", customer_needs="Teams")
    assert await chat.submit_form(fasttrack_scope="3") == []  # out of scope, nothing said why
    card = chat.form_replies[-1]
    errors = [e["text"] for e in card["body"] if e.get("color") == "Attention"]
    assert errors == ["An answer is needed here.", "An answer is needed here."]
    text = await chat.form_text_after(
        fasttrack_scope="3", scope_exception="Custom apps", recommendation="1,3"
    )
    assert "COVID impact" in text


async def test_a_dropped_branch_step_is_said(chat):
    await start(chat)
    for form in WVD_FORMS[:3]:
        await chat.submit_form(**form)
    text = await chat.form_text_after(**(WVD_FORMS[3] | {"vms": "40"}))
    assert "not eligible" in text
    assert "one step no longer applies (Nomination)" in text
    assert "Step 5 of 8 · FastTrack scope" in text


async def test_a_re_asked_id_gives_the_reason_and_the_format_once(chat):
    await start(chat)
    await chat.answer([*START, "2", "Virtual desktops", *WVD_NATIVE, *ELIGIBLE])
    text = await chat.text_after("12345678")
    assert text.count("Is 12345678 a TPID or an enrollment id?") == 1
    assert text.count("Write it like `TPID 1234567`") == 1
    assert "Step 5 of 9 · Nomination" in text


async def test_the_step_number_never_goes_back_and_its_total_never_changes_silently(chat):
    texts = [await start(chat)]
    texts += await chat.answer([*START, "1, 2", "Teams and desktops", *WVD_NATIVE, "yes", "India"])
    texts += await chat.answer(["no", "1", "400", "200", "yes"])  # not eligible: no nomination
    texts += await chat.answer([*IN_SCOPE, *NOT_BLOCKED, *PLAN, *IN_SCOPE_RESOURCES])
    headings = [
        (int(found[1]), int(found[2]), text)
        for text in texts
        if (found := re.search(r"Step (\d+) of (\d+)", text))
    ]
    assert len(headings) > 20
    for (number, total, _), (next_number, next_total, text) in itertools.pairwise(headings):
        assert next_number >= number
        if next_total != total:
            assert "added" in text or "no longer appl" in text, text
