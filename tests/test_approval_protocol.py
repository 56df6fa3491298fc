"""The approval workflow over HTTP: an FM submits a non-standard delivery request, the liaison
decides it on the card (Action.Execute invoke), everyone is told."""

import asyncio

from domain import non_standard_delivery as nsd
from tests.harness import (
    BACKUP,
    DIRECTOR,
    FM,
    LIAISON,
    STRANGER,
    Chat,
    card_actions,
    card_of,
    card_text,
)
from tests.schemas import assert_valid_card, card_size_bytes

ANSWERS_FASTTRACK = [
    "Contoso",
    "skip",
    "Americas",
    "ats@contoso.com, ae@contoso.com",
    "1, 2",
    "Unblock the Teams rollout",
    "+20% AU in 3 months",
    "2 FTA weeks",
    "High",
    "Customer moves to a competitor",
    "FastTrack",
    "no",
    "no",
    "no",
]


async def submit_request(fm: Chat, answers=ANSWERS_FASTTRACK) -> str:
    (summary,) = await fm.walk("non-standard delivery", answers)
    assert "Check your answers" in card_text(card_of(summary))
    (confirmation,) = await fm.say(value={"summary": "submit"})
    assert "no commitment to the customer" in confirmation["text"]
    return confirmation["text"].split("**")[1]


async def submitted_to_the_liaison(bot) -> tuple[Chat, Chat, dict]:
    """Both have opened the bot, the FM has submitted NSD-0001: (FM, liaison, liaison's card)."""
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await liaison.open()
    await fm.open()
    await submit_request(fm)
    return fm, liaison, await liaison.latest_card(2)


async def test_the_liaison_approves_and_the_fm_is_told(bot):
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await liaison.open()
    await fm.open()
    request_id = await submit_request(fm)
    assert request_id == "NSD-0001"

    card = await liaison.latest_card(2)
    assert_valid_card(card)
    assert card_size_bytes(card) < 28_000
    text = card_text(card)
    assert "Non-standard delivery · NSD-0001" in text
    assert "Contoso" in text
    assert card["refresh"]["userIds"] == [LIAISON["id"]]
    assert {a["verb"] for a in card_actions(card)} == {"approve", "decline", "ask_more_info"}
    assert all(a["fallback"]["type"] == "Action.Submit" for a in card_actions(card))

    status, response = await liaison.click(card, "approve", comment="Go ahead")
    assert status == 200
    assert response["type"] == "application/vnd.microsoft.card.adaptive"
    decided = response["value"]
    assert_valid_card(decided)
    assert "Status: Approved" in card_text(decided)
    assert "actions" not in decided

    told = [await fm.wait_for_text("NSD-0001 for Contoso")]
    assert "NSD-0001 for Contoso was approved by Adele Vance" in told[-1]["text"]
    assert "then record the outcome from `my requests`" in told[-1]["text"]
    (listing,) = await fm.say("my requests")
    assert "Approved by Adele Vance: “Go ahead”" in card_text(card_of(listing))
    # Delivered independently of the notice: the liaison's copy of the card is updated too.
    await bot.connector.wait_until(lambda: any(c.method == "PUT" for c in bot.connector.calls))
    updates = [c for c in bot.connector.calls if c.method == "PUT"]
    assert "Status: Approved" in card_text(card_of(updates[-1].body))


async def test_another_approver_of_the_area_clicking_is_refused_and_nothing_changes(bot):
    fm, _liaison, card = await submitted_to_the_liaison(bot)
    backup = Chat(bot, BACKUP)
    status, response = await backup.click(card, "approve")
    assert status == 200
    assert "waits on Adele Vance; only they can decide it" in card_text(
        response["value"]["body"][-1]
    )
    assert "Status: Waiting for the liaison" in card_text(response["value"])
    (mine,) = await fm.say("my requests")
    assert "Waiting for the liaison" in card_text(card_of(mine))


async def test_twenty_simultaneous_approvals_record_one_decision(bot):
    fm, liaison, card = await submitted_to_the_liaison(bot)
    before = len(fm.received())
    results = await asyncio.gather(*(liaison.click(card, "approve") for _ in range(20)))
    assert all(status == 200 for status, _ in results)
    approved = [
        r
        for _, r in results
        if "out of date" not in card_text(r["value"])
        and "acted first" not in card_text(r["value"])
        and "cannot be approved" not in card_text(r["value"])
    ]
    assert len(approved) == 1
    await fm.wait_for_text("was approved")
    await asyncio.sleep(0.3)  # time for a wrong second notification to show up
    told = [a for a in fm.received()[before:] if "was approved" in (a.get("text") or "")]
    assert len(told) == 1


async def test_a_flagged_request_goes_on_to_the_director(bot):
    fm, liaison, director = Chat(bot, FM), Chat(bot, LIAISON), Chat(bot, DIRECTOR)
    for chat in (liaison, director, fm):
        await chat.open()
    answers = [*ANSWERS_FASTTRACK[:-1], "yes"]  # considerable effort
    await submit_request(fm, answers)
    card = await liaison.latest_card(2)
    assert "considerable effort, so the regional director reviews it after the liaison" in (
        card_text(card)
    )
    status, response = await liaison.click(card, "approve")
    assert status == 200
    assert "Waiting for the regional director" in card_text(response["value"])
    to_director = await fm.wait_for_text("NSD-0001 for Contoso was approved by Adele Vance")
    assert "Next: the regional director, Lynne Robbins, reviews it" in to_director["text"]
    director_card = await director.wait_for_card("Waiting for the regional director")
    assert {a["verb"] for a in card_actions(director_card)} == {"approve", "decline"}
    _status, response = await director.click(director_card, "decline", comment="No budget")
    assert "Status: Declined" in card_text(response["value"])
    declined = await fm.wait_for_text("declined by Lynne Robbins: “No budget”")
    assert "Nothing more happens with it" in declined["text"]
    (listing,) = await fm.say("my requests")
    assert "Declined by Lynne Robbins: “No budget”" in card_text(card_of(listing))


async def test_more_information_round_trip(bot):
    fm, liaison, card = await submitted_to_the_liaison(bot)
    status, response = await liaison.click(card, "decline")
    # Said right above the buttons, on the card that comes back from the click.
    refused = response["value"]
    assert card_text(refused["body"][-1]) == "A comment is required to decline."
    assert refused["body"][-2]["type"] == "Input.Text"
    assert [a["title"] for a in refused["actions"]] == ["Approve", "Decline", "Ask for more info"]
    status, response = await liaison.click(card, "ask_more_info", comment="Which workloads?")
    assert status == 200
    assert "More information requested" in card_text(response["value"])

    question = await fm.wait_for_card("asks:")
    assert "Adele Vance asks: “Which workloads?”" in card_text(question)
    assert "\n".join(visible_lines(question)).count("Which workloads?") == 1, "said once"
    _status, response = await fm.click(question, "answer_more_info", comment="Teams and OneDrive")
    assert "Waiting for the liaison" in card_text(response["value"])

    told = await liaison.wait_for_text("Alex Wilber answered your question on NSD-0001")
    assert "“Teams and OneDrive”. It waits on your decision again" in told["text"]
    back = await liaison.wait_for_card("Teams and OneDrive")
    assert "Teams and OneDrive" in card_text(back)
    received = liaison.received()
    assert received.index(told) < max(
        i for i, a in enumerate(received) if a.get("attachments") and card_of(a) == back
    )
    assert {a["verb"] for a in card_actions(back)} == {"approve", "decline", "ask_more_info"}


async def test_a_liaison_who_never_opened_the_bot_gets_the_card_on_first_contact(bot):
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await fm.open()
    await submit_request(fm)
    assert liaison.received() == []
    await liaison.say("hello", replies=2)  # the welcome card, then the card waiting on them
    cards = [card_of(a) for a in liaison.received() if a.get("attachments")]
    assert any("NSD-0001" in card_text(c) for c in cards)


async def test_my_approvals_right_after_first_contact_says_the_cards_are_here_again(bot):
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await fm.open()
    await submit_request(fm)
    await liaison.say("hello", replies=2)  # the welcome card, then the card waiting on them
    waiting = [
        a
        for a in liaison.received()
        if a.get("attachments") and "NSD-0001" in card_text(card_of(a))
    ]
    assert len(waiting) == 1, "the waiting card arrives once"
    intro, again = await liaison.say("my approvals", replies=2)
    assert intro["text"].startswith(
        "1 request waits on you; here again are the cards sent to you above "
        "(every copy stays up to date):\n- NSD-0001: Decision due "
    )
    assert "NSD-0001" in card_text(card_of(again))


async def test_my_approvals_lists_the_fms_open_question_with_the_answer_box(bot):
    fm, liaison, card = await submitted_to_the_liaison(bot)
    await liaison.click(card, "ask_more_info", comment="Which workloads?")
    await fm.wait_for_card("asks:")
    intro, question = await fm.say("my approvals", replies=2)
    assert intro["text"].startswith("1 request waits on you; here again")
    assert "Adele Vance asks: “Which workloads?”" in card_text(card_of(question))
    assert {a["verb"] for a in card_actions(card_of(question))} == {
        "answer_more_info",
        "cancel",
    }


async def test_my_requests_says_waiting_on_you_to_the_person_it_waits_on(bot):
    fm, liaison, card = await submitted_to_the_liaison(bot)
    (listing,) = await fm.say("my requests")
    assert "Waiting for the liaison · waiting on Adele Vance" in card_text(card_of(listing))
    await liaison.click(card, "ask_more_info", comment="Which workloads?")
    await fm.wait_for_card("asks:")

    (listing,) = await fm.say("my requests")

    text = card_text(card_of(listing))
    assert "More information requested · waiting on you" in text
    assert "Alex Wilber" not in text


async def test_the_fm_cancels_a_pending_request_from_my_requests(bot):
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await liaison.open()
    await fm.open()
    await submit_request(fm)
    (listing,) = await fm.say("my requests")
    _status, response = await fm.click(card_of(listing), "cancel")
    assert "Cancelled" in card_text(response["value"])
    await liaison.wait_for_text("NSD-0001 for Contoso was cancelled")
    (approvals,) = await liaison.say("my approvals")
    assert approvals["text"] == "Nothing waits on you."


async def test_the_fm_records_the_outcome_after_approval(bot):
    fm, liaison, card = await submitted_to_the_liaison(bot)
    await liaison.click(card, "approve")
    await fm.wait_for_text("was approved")  # the notice comes after the invoke response
    (listing,) = await fm.say("my requests")
    _status, response = await fm.click(
        card_of(listing), "record_outcome", **{"outcome_NSD-0001": nsd.OUTCOMES[1]}
    )
    assert f"Closed · outcome: {nsd.OUTCOMES[1]}" in card_text(response["value"])


async def test_action_submit_fallback_follows_the_same_rules(bot):
    fm, liaison, card = await submitted_to_the_liaison(bot)
    stranger = Chat(bot, STRANGER)
    approve = next(a for a in card_actions(card) if a["verb"] == "approve")["fallback"]["data"]
    puts = len([c for c in bot.connector.calls if c.method == "PUT"])
    await stranger.bot.post(stranger.activity(value=approve))
    await liaison.bot.post(liaison.activity(value=approve))
    await fm.wait_for_text("was approved by Adele Vance")
    (mine,) = await fm.say("my requests")
    assert "Approved" in card_text(card_of(mine))
    await bot.connector.wait_until(
        lambda: len([c for c in bot.connector.calls if c.method == "PUT"]) > puts
    )


async def test_a_card_refused_by_a_blocked_chat_fails_and_my_requests_says_why(bot):
    fm, liaison, card = await submitted_to_the_liaison(bot)
    blocked = '{"error": {"code": "ConversationBlockedByUser", "message": "User blocked"}}'
    bot.connector.fail_next(1, 403, body=blocked, conversation_id=fm.conversation_id)
    before = len(fm.received())
    status, _ = await liaison.click(card, "ask_more_info", comment="Which workloads?")
    assert status == 200
    await bot.connector.wait_until(lambda: len(bot.connector.rejected) == 1)
    # The more-information card was refused: it failed for good, with Teams' reason.
    assert len(fm.received()) == before

    # Writing to the bot again reopens the chat. The relay records the refusal just after
    # Teams answers, so ask until it shows (a second at most).
    why = "not delivered to you (HTTP 403 ConversationBlockedByUser)"
    for _ in range(20):
        (listing, *_) = await fm.say("my requests")
        if why in card_text(card_of(listing)):
            break
        await asyncio.sleep(0.05)
    assert why in card_text(card_of(listing))


NSD_FORMS = [
    {"customer": "Contoso", "tpid": "1234567", "area": "1", "account_team": "ats@contoso.com"},
    {"scenarios": "2,4", "desired_outcome": "Unblock Teams", "usage_growth": "+20% AU"},
    {"cost_and_effort": "2 weeks", "competitor_likelihood": "High", "impact_if_declined": "x"},
    {"delivered_by": "1", "includes_funding": "no", "involves_partner": "no"},
]
NSD_BUDGET = 8


async def test_a_request_raised_in_forms_over_http_keeps_to_the_budget(bot):
    fm = Chat(bot, FM)
    await fm.open()
    sent = 1
    (prompt,) = await fm.say("non-standard delivery")
    assert prompt["textFormat"] == "markdown"
    for number, form in enumerate(NSD_FORMS, 1):
        card = card_of(prompt)
        assert_valid_card(card)
        before = len(fm.received())
        status, answer = await fm.click(card, "answer_step", **form)
        sent += 1
        assert status == 200
        replaced = answer["value"]  # the card that replaces the form
        assert_valid_card(replaced)
        if number == len(NSD_FORMS):
            # considerable_effort left out: the form comes back, the other fields kept.
            assert "An answer is needed here." in card_text(replaced)
            kept = {e["id"]: e.get("value") for e in replaced["body"] if "id" in e}
            assert kept["delivered_by"] == "1"
            assert kept["involves_partner"] == "no"
            status, answer = await fm.click(card, "answer_step", **form, considerable_effort="no")
            sent += 1
            assert "✓" in card_text(answer["value"])
        else:
            assert f"Step {number} of 4" in card_text(replaced)
            assert "✓" in card_text(replaced)
        received = await bot.connector.wait_for_activities(before + 1, fm.conversation_id)
        prompt = received[-1]
    assert "Check your answers" in card_text(card_of(prompt))
    (confirmation,) = await fm.say(value={"summary": "submit"})
    sent += 1
    assert "NSD-0001" in confirmation["text"]
    assert sent <= NSD_BUDGET + 1  # one more for the refused form


async def test_the_card_for_an_approver_the_bot_has_never_met_waits_for_their_first_message(bot):
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await fm.open()
    await submit_request(fm)
    # The relay finds no chat with her, leaves the card waiting, and says so.
    await fm.wait_for_text("Adele Vance has not opened the FastTrack bot in Teams yet")
    await my_requests_says(fm, "waiting for Adele Vance to open a chat with the bot")

    await liaison.say("hello", replies=2)  # the welcome, then the hint

    card = await liaison.wait_for_card("NSD-0001")
    assert {a["verb"] for a in card_actions(card)} == {"approve", "decline", "ask_more_info"}
    await my_requests_says(fm, "Messages: 2 delivered")  # her card, the FM's notice


async def my_requests_says(fm: Chat, text: str) -> None:
    """`my requests` comes to say `text` (deliveries are recorded after they happen)."""
    async with asyncio.timeout(5):
        while text not in card_text(card_of((await fm.say("my requests"))[0])):
            await asyncio.sleep(0.1)


def visible_lines(card: dict) -> list[str]:
    """The texts an approver reads before opening any toggle: hidden elements left out, each
    button once (not its fallback)."""
    lines: list[str] = []
    stack = [card]
    while stack:
        node = stack.pop(0)
        if node.get("isVisible") is False:
            continue
        if isinstance(node.get("text"), str):
            lines.append(node["text"])
        lines += [a["title"] for a in node.get("actions", [])]
        stack += [*node.get("body", []), *node.get("items", [])]
    return lines


async def test_each_kinds_card_says_each_fact_once(bot):
    from tests.test_acm_protocol import refer
    from tests.test_covid_protocol import REST, START, WVD, triage

    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await liaison.open()
    await fm.open()
    await submit_request(fm)
    await triage(fm, START + WVD + REST)
    await refer(fm)
    for request_id in ("NSD-0001", "COVID-0001", "ACM-0001"):
        card = await liaison.wait_for_card(f"· {request_id}")
        lines = visible_lines(card)
        text = "\n".join(lines)
        assert text.count("Contoso") == 1, text
        assert text.count("Americas") == 1, text
        facts = [line.split("**: ", 1)[1] for line in lines if "**: " in line]
        assert facts, text
        for fact in facts:
            assert text.count(fact) == 1, f"{fact!r} is said twice:\n{text}"
        assert text.count("three business days") <= 1, text
