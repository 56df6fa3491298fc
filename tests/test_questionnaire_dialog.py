"""The question-by-question waterfall, scripted turn by turn with botbuilder's TestAdapter."""

import json
from pathlib import Path

import pytest

from config.roster import load_roster
from domain import non_standard_delivery as nsd
from tests.dialog_harness import ScriptedChat
from tests.harness import card_text
from tests.schemas import assert_valid_card

ROSTER = load_roster(Path(__file__).resolve().parents[1] / "config" / "roster.sample.yaml")
STEPS = nsd.steps(ROSTER)
FASTTRACK = [
    "Contoso",
    "skip",
    "Americas",
    "ats@contoso.com",
    "1",
    "Unblock Teams",
    "+20% AU",
    "2 weeks",
    "Low",
    "Churn",
    "FastTrack",
    "no",
    "no",
    "no",
]


@pytest.fixture
def chat():
    return ScriptedChat(
        "nsd", "Non-standard delivery request", STEPS, nsd.card_notes, "Submitted NSD-0001."
    )


async def answer_all(chat, answers):
    await chat.say("nsd")
    for answer in answers:
        last = await chat.text_after(answer)
    return last


async def test_each_prompt_says_which_step_it_is(chat):
    first = await chat.text_after("nsd")
    assert first.startswith("**Step 1 of 4 · Customer.** Fill in the form")
    assert "Which customer is this request for?" in first
    # Typed answers stay in the step until its questions are answered.
    assert (await chat.text_after("Contoso")).startswith("**Step 1 of 4 · Customer.** What is")
    await chat.answer(FASTTRACK[1:4])
    assert "Step 2 of 4 · Scenario and goal" in await chat.text_after("skip")


async def test_the_full_waterfall_ends_in_a_summary_and_submits(chat):
    summary = await answer_all(chat, FASTTRACK)
    assert "Check your answers" in summary
    assert "Contoso" in summary
    assert await chat.text_after(value={"summary": "submit"}) == "Submitted NSD-0001."
    (answers,) = chat.submitted
    assert answers["customer"] == "Contoso"
    assert answers["tpid"] is None
    assert answers["scenarios"] == [nsd.SCENARIOS[0]]
    assert answers["includes_funding"] is False
    assert "sow_url" not in answers


async def test_a_partner_delivery_adds_the_deal_artifacts_step_and_says_so(chat):
    await answer_all(chat, FASTTRACK[:10])
    text = await chat.text_after("2")  # a partner delivers
    # Said at once, while the step's other questions are asked.
    assert "**Step 4 of 5 · Delivery**: a partner delivers, so one step was added." in text
    await chat.answer(["yes", "yes"])
    text = await chat.text_after("no")
    assert "**Step 5 of 5 · Deal artifacts.**" in text
    for answer in ["https://contoso.sharepoint.com/sow", "skip", "skip", "skip"]:
        await chat.say(answer)
    summary = await chat.text_after("skip")
    assert "Deal artifacts present: Statement of work (SOW)" in summary


@pytest.mark.parametrize(
    ("step", "bad", "reason"),
    [
        (0, "   ", "An answer is needed here."),
        (1, "I don't have it handy", "“I don't have it handy” is not a TPID"),
        (2, "Atlantis", "“Atlantis” is not one of the options."),
        (3, "ats at contoso", "ats, at, contoso are not email addresses"),
        (4, "42", "There is no option 42"),
        (11, "maybe", "Please answer yes or no."),
    ],
)
async def test_a_bad_answer_is_re_prompted_with_the_reason_once_and_the_same_step(
    chat, step, bad, reason
):
    await answer_all(chat, FASTTRACK[:step]) if step else await chat.say("nsd")
    text = await chat.text_after(bad)
    assert text.count(reason) == 1
    heading = text.split("**")[1]
    assert heading.startswith("Step ")
    if step in (2, 4):  # the options, once
        assert text.count("1. ") == 1
    # Nothing was lost: the right answer moves on, in the same step.
    assert heading.split(" · ")[0] in await chat.text_after(FASTTRACK[step]) or step in (3, 9)


async def test_a_link_that_is_not_a_url_is_re_prompted(chat):
    await answer_all(chat, [*FASTTRACK[:10], "2", "no", "yes", "no"])
    assert "is not a link" in await chat.text_after("on sharepoint somewhere")


async def test_an_answer_can_be_changed_from_the_summary(chat):
    await answer_all(chat, FASTTRACK)
    prompt = await chat.text_after(value={"summary": "change", "question": "customer"})
    assert "Which customer is this request for?" in prompt
    summary = await chat.text_after("Fabrikam")
    assert "Fabrikam" in summary
    assert "Check your answers" in summary
    await chat.say(value={"summary": "submit"})
    assert chat.submitted[0]["customer"] == "Fabrikam"


async def test_changing_who_delivers_asks_what_that_makes_relevant(chat):
    await answer_all(chat, FASTTRACK)
    await chat.say(value={"summary": "change", "question": "delivered_by"})
    assert "Statement of work" in await chat.text_after("2")


async def test_cancel_midway_submits_nothing(chat):
    await answer_all(chat, FASTTRACK[:5])
    assert (await chat.text_after("cancel")).startswith("Cancelled. Nothing was submitted.")
    assert chat.submitted == []
    assert "Sorry, I didn't understand" in await chat.text_after("Contoso")


async def test_help_midway_shows_the_card_and_asks_the_same_question_again(chat):
    await answer_all(chat, FASTTRACK[:2])
    text = await chat.text_after("help")
    assert "I'm the FastTrack Bot" in text
    assert "Step 1 of 4 · Customer" in text
    assert "In which area" in text


# --- forms --------------------------------------------------------------------------------

CUSTOMER_FORM = {
    "customer": "Contoso",
    "tpid": "",
    "area": "1",
    "account_team": "ats@contoso.com, ae@contoso.com",
}
GOAL_FORM = {"scenarios": "2,4", "desired_outcome": "Unblock Teams", "usage_growth": "+20% AU"}
CASE_FORM = {
    "cost_and_effort": "2 weeks",
    "competitor_likelihood": "Low",
    "impact_if_declined": "x",
}
FASTTRACK_DELIVERS = {
    "delivered_by": "1",
    "includes_funding": "no",
    "involves_partner": "no",
    "considerable_effort": "no",
}
NSD_BUDGET = 8


async def test_each_step_is_one_form_and_the_happy_path_keeps_to_the_budget(chat):
    await chat.say("nsd")
    for form in (CUSTOMER_FORM, GOAL_FORM, CASE_FORM, FASTTRACK_DELIVERS):
        assert_valid_card(chat.cards[-1])
        await chat.submit_form(**form)
        assert_valid_card(chat.form_replies[-1])
    assert "Check your answers" in card_text(chat.cards[-1])
    await chat.say(value={"summary": "submit"})
    assert chat.sent <= NSD_BUDGET, f"{chat.sent} messages, more than {NSD_BUDGET}"
    (answers,) = chat.submitted
    assert answers["scenarios"] == [nsd.SCENARIOS[1], nsd.SCENARIOS[3]]
    assert answers["tpid"] is None
    assert answers["area"] == "Americas"
    assert answers["includes_funding"] is False


async def test_a_partner_delivery_with_its_artifacts_keeps_to_the_budget(chat):
    await chat.say("nsd")
    for form in (CUSTOMER_FORM, GOAL_FORM, CASE_FORM):
        await chat.submit_form(**form)
    text = await chat.form_text_after(**(FASTTRACK_DELIVERS | {"delivered_by": "2"}))
    assert "Step 5 of 5 · Deal artifacts**: a partner delivers, so one step was added" in text
    assert_valid_card(chat.cards[-1])
    await chat.submit_form(sow_url="https://contoso.sharepoint.com/sow")
    await chat.say(value={"summary": "submit"})
    assert chat.sent <= NSD_BUDGET
    assert chat.submitted[0]["sow_url"] == "https://contoso.sharepoint.com/sow"
    assert chat.submitted[0]["wbs_url"] is None


async def test_a_refused_field_shows_its_reason_beside_it_and_keeps_the_others(chat):
    await chat.say("nsd")
    replies = await chat.submit_form(
        customer="Contoso", tpid="I don't have it handy", area="1", account_team="ats at contoso"
    )
    assert replies == []  # the answer is the form itself, nothing new in the chat
    card = chat.form_replies[-1]
    assert_valid_card(card)
    body = card["body"]
    keys = [element.get("id") for element in body]
    tpid, team = keys.index("tpid"), keys.index("account_team")
    assert "is not a TPID" in body[tpid + 1]["text"]
    assert body[tpid + 1]["color"] == "Attention"
    assert "not email addresses" in body[team + 1]["text"]
    assert body[keys.index("customer")]["value"] == "Contoso"
    assert body[keys.index("area")]["value"] == "1"
    assert body[keys.index("customer") + 1].get("id") == "tpid"  # no error beside a good field
    # Nothing was taken: the step is still to answer, and a corrected form moves on.
    text = await chat.form_text_after(**CUSTOMER_FORM)
    assert "Step 2 of 4" in text


async def test_a_form_leaves_an_answered_card_and_a_stale_form_changes_nothing(chat):
    await chat.say("nsd")
    await chat.submit_form(**CUSTOMER_FORM)
    answered = card_text(chat.form_replies[-1])
    assert "Step 1 of 4 · Customer ✓" in answered
    assert "Contoso" in answered
    assert not [e for e in chat.form_replies[-1]["body"] if e["type"].startswith("Input.")]
    # The same (old) form pressed again.
    chat.cards.append(chat.cards[-2])
    assert await chat.submit_form(**(CUSTOMER_FORM | {"customer": "Fabrikam"})) == []
    assert "already answered" in card_text(chat.form_replies[-1])


async def test_typed_answers_and_forms_mix(chat):
    await chat.say("nsd")
    await chat.answer(["Contoso", "TPID 1234567"])
    # The form of the step still takes the whole step.
    await chat.submit_form(**(CUSTOMER_FORM | {"tpid": "1234567"}))
    await chat.answer(["blocker, compete", "Unblock", "+20%"])
    await chat.submit_form(**CASE_FORM)
    await chat.answer(["FastTrack", "No, it doesn't", "no", "no"])
    await chat.say(value={"summary": "submit"})
    (answers,) = chat.submitted
    assert answers["tpid"] == "1234567"
    assert answers["scenarios"] == [nsd.SCENARIOS[1], nsd.SCENARIOS[3]]


async def test_changing_an_answer_from_the_summary_shows_its_step_filled_in(chat):
    await chat.say("nsd")
    for form in (CUSTOMER_FORM, GOAL_FORM, CASE_FORM, FASTTRACK_DELIVERS):
        await chat.submit_form(**form)
    text = await chat.text_after(value={"summary": "change", "question": "delivered_by"})
    assert "Changing your answers · Delivery" in text
    form = chat.cards[-1]
    assert {e["id"]: e.get("value") for e in form["body"] if "id" in e}["delivered_by"] == "1"
    text = await chat.form_text_after(**(FASTTRACK_DELIVERS | {"delivered_by": "2"}))
    assert "Deal artifacts" in text  # what the change makes relevant


async def test_every_message_says_it_is_markdown_and_options_are_a_list(chat):
    replies = await chat.say("nsd")
    for answer in FASTTRACK[:4]:
        replies += await chat.say(answer)
    assert all(r.text_format == "markdown" for r in replies if r.text)
    scenarios = replies[-1].text
    # A Markdown list: a blank line before it, one option per line.
    assert "\n\n1. Save time or accelerate consumption\n2. Remove a blocker" in scenarios
    assert replies[-1].suggested_actions is None  # long options are not cut-off buttons


async def test_yes_or_no_questions_offer_two_short_buttons(chat):
    await answer_all(chat, FASTTRACK[:10])
    (reply,) = await chat.say("FastTrack")
    assert [a.title for a in reply.suggested_actions.actions] == ["Yes", "No"]


async def test_the_dialog_state_holds_only_plain_json(chat):
    await chat.say("nsd")
    await chat.submit_form(**CUSTOMER_FORM)
    await chat.answer(["2 and 4", "Unblock Teams"])
    (conversation,) = chat.storage.memory.values()
    states = [instance.state for instance in conversation["DialogState"].dialog_stack]
    assert states
    for state in states:
        # Tuples, sets, dates or objects would not come back equal.
        assert json.loads(json.dumps(state)) == state
    assert states[-1]["answers"]["scenarios"] == [nsd.SCENARIOS[1], nsd.SCENARIOS[3]]


async def test_answers_typed_after_the_form_was_sent_are_kept_when_it_is_submitted(chat):
    await chat.say("nsd")
    await chat.answer(["Contoso", "1234567"])
    # The form, sent before those answers, comes back without them.
    await chat.submit_form(area="2", account_team="ats@contoso.com")
    assert "Step 2 of 4" in card_text(chat.cards[-1])
    await chat.submit_form(**GOAL_FORM)
    await chat.submit_form(**CASE_FORM)
    await chat.submit_form(**FASTTRACK_DELIVERS)
    await chat.say(value={"summary": "submit"})
    (answers,) = chat.submitted
    assert answers["customer"] == "Contoso"
    assert answers["tpid"] == "1234567"
    assert answers["area"] == "EMEA"


class FakeDirectory:
    """Knows the addresses in `known`; records what it was asked."""

    def __init__(self, known: set[str]) -> None:
        self.known = known
        self.asked: list[list[str]] = []

    async def unknown(self, addresses: list[str]) -> list[str]:
        self.asked.append(addresses)
        return [a for a in addresses if a not in self.known]


@pytest.fixture
def directory():
    return FakeDirectory({"ats@contoso.com", "ae@contoso.com"})


@pytest.fixture
def checked_chat(directory):
    return ScriptedChat(
        "nsd",
        "Non-standard delivery request",
        STEPS,
        nsd.card_notes,
        "Submitted NSD-0001.",
        directory.unknown,
    )


async def test_a_typed_address_no_one_has_is_asked_again_with_the_reason(checked_chat, directory):
    await checked_chat.say("nsd")
    await checked_chat.answer(FASTTRACK[:3])

    again = await checked_chat.text_after("ats@contoso.com, nobody@contoso.com")
    assert "No one in the directory has the address nobody@contoso.com" in again
    assert "Step 2 of 4" in await checked_chat.text_after("ats@contoso.com, ae@contoso.com")
    assert directory.asked[-1] == ["ats@contoso.com", "ae@contoso.com"]


async def test_an_address_no_one_has_is_refused_beside_its_field_on_the_form(checked_chat):
    await checked_chat.say("nsd")
    await checked_chat.submit_form(**(CUSTOMER_FORM | {"account_team": "nobody@contoso.com"}))

    body = checked_chat.form_replies[-1]["body"]
    keys = [element.get("id") for element in body]
    team = keys.index("account_team")
    assert "No one in the directory has the address nobody@contoso.com" in body[team + 1]["text"]
    await checked_chat.submit_form(**CUSTOMER_FORM)
    assert "Step 2 of 4" in card_text(checked_chat.cards[-1])


async def test_other_answers_are_not_looked_up(checked_chat, directory):
    await checked_chat.say("nsd")
    await checked_chat.answer(FASTTRACK[:2])
    assert directory.asked == []
