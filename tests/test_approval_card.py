"""The approval card as a pure function: what is asked first, buttons close, details folded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cards.approval import ANSWERS_ID, CHECKLIST_ID, FACT_LENGTH, HISTORY_ID, approval_card
from domain import non_standard_delivery
from domain.questionnaire import AnswerKind, Question
from domain.requests import Move, Request, apply, submit
from tests.cast import AMERICAS, FM, LIAISON
from tests.harness import card_actions, card_text
from tests.schemas import assert_valid_card

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SOW = "https://contoso.sharepoint.com/sites/deals/Shared%20Documents/statement-of-work-2026.docx"
QUESTIONS = [
    Question("customer", "Customer", "?"),
    Question("area", "Area", "?"),
    Question("goal", "Desired outcome", "?"),
    Question("sow", "SOW", "?", AnswerKind.TEXT),
]
ANSWERS = {"customer": "Contoso", "area": "Americas", "goal": "Unblock Teams", "sow": SOW}


def submitted(needs_director: bool = False) -> Request:
    request, _ = submit(
        request_id="NSD-0007",
        kind=non_standard_delivery.KIND,
        requester=FM,
        area=AMERICAS,
        customer="Contoso",
        answers=ANSWERS,
        needs_director=needs_director,
        at=NOW,
    )
    return request


def body_types(card: dict) -> list[str]:
    return [element["type"] for element in card["body"]]


def test_the_approver_reads_what_is_asked_then_the_comment_box_and_buttons() -> None:
    card = approval_card(submitted(True), QUESTIONS, [], actionable=True)
    assert_valid_card(card)
    header, asked = card["body"][:2]
    assert card_text(header) == "Non-standard delivery · NSD-0007\nStatus: Waiting for the liaison"
    assert asked["text"] == (
        "**Contoso** (Americas), raised by Alex Wilber; the regional director reviews it after "
        "the liaison. **Your decision is needed.**"
    )
    assert card["body"][-1]["type"] == "Input.Text"
    assert [a["verb"] for a in card_actions(card)] == ["approve", "decline", "ask_more_info"]


def test_all_answers_sit_behind_a_toggle_without_repeating_customer_and_area() -> None:
    card = approval_card(submitted(), QUESTIONS, [])
    (answers,) = [e for e in card["body"] if e.get("id") == ANSWERS_ID]
    assert answers["isVisible"] is False
    titles = [fact["title"] for fact in answers["items"][0]["facts"]]
    assert titles == ["Desired outcome", "SOW"]
    assert card_text(card).count("Contoso") == 1
    toggles = [
        action
        for element in card["body"]
        if element["type"] == "ActionSet"
        for action in element["actions"]
    ]
    assert toggles == [
        {
            "type": "Action.ToggleVisibility",
            "title": "Show all answers",
            "targetElements": [ANSWERS_ID],
        }
    ]


def test_a_long_link_is_a_short_clickable_markdown_link() -> None:
    card = approval_card(submitted(), QUESTIONS, [])
    (answers,) = [e for e in card["body"] if e.get("id") == ANSWERS_ID]
    sow = answers["items"][0]["facts"][1]["value"]
    assert sow.startswith("[contoso.sharepoint.com/sites/deals/")
    assert sow.endswith(f"…]({SOW})")


def test_a_refusal_is_shown_right_above_the_buttons() -> None:
    card = approval_card(
        submitted(), QUESTIONS, [], actionable=True, notice="A comment is required to decline."
    )
    assert_valid_card(card)
    assert card_text(card["body"][-1]) == "A comment is required to decline."
    assert card["body"][-2]["type"] == "Input.Text"


def test_the_last_move_is_in_sight_and_earlier_ones_folded() -> None:
    request = submitted()
    asked, first = apply(request, LIAISON, Move.ASK_MORE_INFO, at=NOW, comment="Which sites?")
    answered, second = apply(
        asked, FM, Move.ANSWER_MORE_INFO, at=NOW + timedelta(hours=1), comment="All of them"
    )
    card = approval_card(answered, QUESTIONS, [first, second])
    assert_valid_card(card)
    visible = [e for e in card["body"] if e.get("isVisible", True)]
    assert "Alex Wilber** answered" in card_text({"body": visible})
    assert "asked for more information" not in card_text({"body": visible})
    (earlier,) = [e for e in card["body"] if e.get("id") == HISTORY_ID]
    assert "Adele Vance** asked for more information" in card_text(earlier)


def test_the_status_band_is_tinted_not_coloured_text() -> None:
    request = submitted()
    approved, entry = apply(request, LIAISON, Move.APPROVE, at=NOW, comment="")
    header = approval_card(approved, QUESTIONS, [entry])["body"][0]
    assert header["style"] == "good"
    assert all("color" not in item for item in header["items"])


def test_a_long_key_fact_is_cut_at_a_word_and_a_link_is_kept_whole() -> None:
    goal = "Unblock the Teams rollout for every business unit " * 40  # 2,000 characters
    card = approval_card(
        submitted(), QUESTIONS, [], highlights=[("Goal", goal), ("SOW", SOW)], actionable=True
    )
    assert_valid_card(card)
    lines = [item["text"] for item in card["body"][2]["items"]]
    assert lines[0].startswith("**Submitted**: ")
    shown = lines[1].removeprefix("**Goal**: ")
    assert len(shown) <= FACT_LENGTH
    assert shown.endswith(" rollout…"), "cut at a word"
    assert lines[2] == f"**SOW**: [{SOW.split('://')[1][:47]}…]({SOW})"
    (answers,) = [e for e in card["body"] if e.get("id") == ANSWERS_ID]
    assert "Unblock Teams" in card_text(answers), "the whole answers stay behind the toggle"


def test_a_checklist_is_folded_beside_all_answers() -> None:
    checklist = [f"FTOP task {n}: To do." for n in (4115, 4116, 4117)]
    card = approval_card(submitted(), QUESTIONS, [], checklist=checklist, notes=["For fee."])
    assert_valid_card(card)
    (row,) = [e for e in card["body"] if e["type"] == "ActionSet"]
    assert [(a["title"], a["targetElements"]) for a in row["actions"]] == [
        ("Show all answers", [ANSWERS_ID]),
        ("Show the checklist (3)", [CHECKLIST_ID]),
    ]
    (folded,) = [e for e in card["body"] if e.get("id") == CHECKLIST_ID]
    assert folded["isVisible"] is False
    assert card_text(folded).count("FTOP task") == 3
    visible = [e for e in card["body"] if e.get("isVisible", True)]
    assert "For fee." in card_text({"body": visible}), "notes stay in sight"
    assert "FTOP task" not in card_text({"body": visible})


def test_the_first_line_says_what_sends_it_to_the_director() -> None:
    card = approval_card(
        submitted(True),
        QUESTIONS,
        [],
        flags=["funding (ECIF)", "a partner", "considerable effort"],
        actionable=True,
    )
    assert card["body"][1]["text"] == (
        "**Contoso** (Americas), raised by Alex Wilber; funding (ECIF), a partner and "
        "considerable effort, so the regional director reviews it after the liaison. "
        "**Your decision is needed.**"
    )
