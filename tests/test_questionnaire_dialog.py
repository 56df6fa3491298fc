"""The question-by-question waterfall, scripted turn by turn with botbuilder's TestAdapter."""

from pathlib import Path

import pytest

from config.roster import load_roster
from domain import non_standard_delivery as nsd
from tests.dialog_harness import ScriptedChat

ROSTER = load_roster(Path(__file__).resolve().parents[1] / "config" / "roster.sample.yaml")
QUESTIONS = nsd.questions(ROSTER)
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
        "nsd", "Non-standard delivery request", QUESTIONS, nsd.card_notes, "Submitted NSD-0001."
    )


async def answer_all(chat, answers):
    await chat.say("nsd")
    for answer in answers:
        last = await chat.text_after(answer)
    return last


async def test_each_prompt_says_which_step_it_is(chat):
    assert (await chat.text_after("nsd")).startswith(
        "**Step 1 of 14.** Which customer is this request for?"
    )
    assert "Step 2 of 14" in await chat.text_after("Contoso")


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


async def test_a_partner_delivery_asks_for_the_deal_artifacts(chat):
    await answer_all(chat, FASTTRACK[:10])
    text = await chat.text_after("2")  # a partner delivers
    assert "Step 12 of 19" in text
    for answer in [
        "yes",
        "yes",
        "no",
        "https://contoso.sharepoint.com/sow",
        "skip",
        "skip",
        "skip",
    ]:
        await chat.say(answer)
    summary = await chat.text_after("skip")
    assert "Deal artifacts present: Statement of work (SOW)" in summary


@pytest.mark.parametrize(
    ("step", "bad", "reason"),
    [
        (0, "   ", "An answer is needed here."),
        (2, "Atlantis", "“Atlantis” is not one of the options."),
        (3, "ats at contoso", "ats, at, contoso are not email addresses"),
        (4, "42", "“42” is not one of the options"),
        (11, "maybe", "Please answer yes or no."),
    ],
)
async def test_a_bad_answer_is_re_prompted_with_the_reason(chat, step, bad, reason):
    await answer_all(chat, FASTTRACK[:step]) if step else await chat.say("nsd")
    text = await chat.text_after(bad)
    assert reason in text
    # Nothing was lost: the right answer moves on to the next step.
    assert f"Step {step + 2} of 14" in await chat.text_after(FASTTRACK[step])


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
    assert "Step 3 of 14" in text
    assert "In which area" in text
