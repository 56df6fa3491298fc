"""End to end, issue 15's measure: each kind's approval card, as the liaison sees it in the
Agents Playground at 1280x800, is at most 800 px tall from its top down to its buttons: a
non-standard delivery request with a partner, the largest COVID triage (WVD chosen, every
optional answer given, every free text as long as the bot takes it) and an ACM partner referral.

The FM's three conversations are typed into the FM's Playground chat through the Playground's own
HTTP API (what its chat box posts), which is much quicker than typing in the page; the summaries
and the approval cards are rendered by the real Playground in Chromium and screenshotted into the
artifacts dir (``test-artifacts/e2e/<test>/`` unless E2E_ARTIFACTS says otherwise).

Then, on the same bot, the liaison asks the FM a question about the first request, and the FM's
card (from `my approvals`) shows that its Cancel only asks, Keep it sends nothing, and Yes cancels
and replaces the card in place.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import BotServer, ChatAs
from tests.e2e.playground import (
    ADELE_LIAISON,
    ALEX_FM,
    MockUser,
    PlaygroundPage,
    PlaygroundProcess,
)
from tests.e2e.test_playground_approval import COMMENT_LABEL, wait_for_card

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

VIEWPORT = {"width": 1280, "height": 800}
MAX_HEIGHT = 800  # px, the card's top down to (and including) its buttons
APPROVER_BUTTONS = ("Approve", "Decline", "Ask for more info")
WELCOME_TEXT = "I'm the FastTrack Bot"
TEXT_LIMIT = 2000  # the longest free-text answer the bot takes (domain/questionnaire.py)


def long_text(start: str, length: int = TEXT_LIMIT) -> str:
    """Readable filler of exactly `length` characters, beginning with `start`."""
    filler = (
        " The customer's programme spans several business units, each with its own change "
        "board, so every milestone is agreed with the account team before it is announced."
    )
    text = start
    while len(text) < length:
        text += filler
    return text[: length - 1].rstrip() + "."


TODAY = datetime.now(UTC).date()
TARGET_DATES = "; ".join(
    f"Wave {n} of the Teams and WVD rollout for the regional call centres: "
    f"{TODAY + timedelta(days=20 * n):%d %B %Y}"
    for n in range(1, 11)  # the most the bot takes
)

# (a fragment of the question, the FM's answer), in the order the bot asks.
NSD_WITH_PARTNER = [
    ("Which customer is this request for?", "Contoso Pharmaceuticals"),
    ("What is the customer's TPID?", "1234567"),
    ("In which area is the engagement delivered?", "Americas"),
    ("Which account team members", "ats@contoso.com, ae@contoso.com, tam@contoso.com"),
    ("Which scenarios apply?", "1, 2, 3, 4, 5, 6, 7"),
    ("What are we attempting to achieve", long_text("Unblock the Teams rollout.")),
    ("What is the expected Active Usage growth", long_text("+20% AU in 3 months.")),
    ("What is the cost, and how much effort", long_text("6 FTA weeks and partner days.")),
    ("How likely is the customer to choose a competitor?", long_text("High.")),
    ("What is the impact of not approving", long_text("The customer moves to a competitor.")),
    ("Who would deliver the non-standard scope?", "2"),  # a partner (MCS included)
    ("Does the request include funding (ECIF)?", "yes"),
    ("Does it involve a partner?", "yes"),
    ("Does delivery take a considerable amount of effort?", "yes"),
    ("Link to the Statement of work", "https://contoso.sharepoint.com/sites/deals/" + "sow-" * 40),
    ("Link to the Cost breakdown", "https://contoso.sharepoint.com/sites/deals/cost.xlsx"),
    ("Link to the Work breakdown structure", "https://contoso.sharepoint.com/sites/deals/wbs"),
    ("Link to the OneAsk URL", "https://oneask.microsoft.com/requests/123456"),
    ("Link to the Additional collateral", "https://contoso.sharepoint.com/sites/deals/deck"),
]

LARGEST_COVID = [
    ("Which customer is this triage for?", "Contoso Pharmaceuticals"),
    ("In which area is the customer engaged?", "Americas"),
    (
        "Which account team members (ATS, AE, TAM, CSM)",
        "ats@contoso.com, ae@contoso.com, tam@contoso.com, csm@contoso.com",
    ),
    ("Which priority group", "1"),
    ("Which scenarios does the customer need?", "1, 2, 3, 4"),  # all, WVD and another service
    ("Which FastTrack service does the need fall under", long_text("Windows servicing.")),
    ("What does the customer ask for?", long_text("Teams and virtual desktops for agents.")),
    ("is it a native WVD deployment?", "yes"),
    ("Which of these in-scope items", "1, 2, 3, 4, 5, 6, 7"),
    ("any of these out-of-scope items?", "1, 2, 3, 4, 5, 6"),
    ("active, paid Azure subscription?", "yes"),
    ("Where is the customer located?", "India"),  # available by exception: one more question
    ("accept an engagement in English?", "yes"),
    ("Which of these licences", "1, 2, 3, 4, 5, 6, 7, 8"),
    ("How many seats", "250000"),
    ("How many virtual machines", "40000"),
    ("contains a virtual network?", "yes"),
    ("To nominate the customer", "TPID 12345678"),
    ("fit in FastTrack scope?", "2"),  # partly: the exception and the recommendation
    ("What is out of FastTrack scope?", long_text("Custom line-of-business app packaging.")),
    ("What do you recommend to fill the gap?", "1, 2, 3"),
    ("blocked or stalled", "no"),  # not blocked: two more questions, on E5 growth
    ("accelerating or expanding", "yes"),
    ("Describe the impact", long_text("Teams for 40k agents by next month.", 990)),
    ("already have a rollout or deployment plan?", "yes"),
    ("What next steps did you agree", long_text("Pilot with one call centre.")),
    ("What are the expectations", long_text("All agents on WVD with Teams.")),
    ("What are the target dates?", TARGET_DATES),
    ("Who delivers the in-scope items?", long_text("FM Alex Wilber; WVD SME Megan Bowen.")),
    ("Who delivers the out-of-scope items?", "1, 2, 3"),
    ("putting an advanced feature on hold", "no"),
    ("Should the account team assess an E5 opportunity", "yes"),
]

ACM_REFERRAL = [
    ("Which customer is the ACM partner for?", "Contoso Pharmaceuticals"),
    ("In which area is the engagement delivered?", "Americas"),
    ("does one of their current partners offer", "no"),
    ("Does the customer have an account team", "yes"),
    ("The account team members' email addresses", "ats@contoso.com, ae@contoso.com"),
    ("Which ACM services does the customer need?", "Both"),
    ("Has the customer given you their verbal consent", "yes"),
    ("Who at the customer should the partners contact?", "Pat Doe"),
    ("The contact's email address?", "pat.doe@contoso.com"),
    ("The contact's phone number", "+1 425 555 0100"),
    ("Where is the customer?", "Seattle, US"),
]

# (command, answers, the request's title on its card, its id)
KINDS = [
    ("non-standard delivery", NSD_WITH_PARTNER, "Non-standard delivery", "NSD-0001"),
    ("covid triage", LARGEST_COVID, "COVID triage", "COVID-0001"),
    ("acm referral", ACM_REFERRAL, "ACM partner referral", "ACM-0001"),
]


def post_text(playground: PlaygroundProcess, user: MockUser, text: str) -> None:
    """What the Playground's chat box does when Enter is pressed: the Playground passes the
    message to the bot and shows the bot's answers in the open page."""
    body = {"type": "text", "text": text, "textFormat": "plain", "from": {"id": user.id}}
    request = urllib.request.Request(
        f"http://127.0.0.1:{playground.port}/_conversation/v1/conversations/"
        f"{user.personal_chat_id}/messages",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status < 400, response.status


def converse(
    chat: PlaygroundPage, playground: PlaygroundProcess, command: str, answers: list
) -> None:
    """Start `command` and give each answer once its question is on the page."""
    chat.mark = len(chat.messages())
    post_text(playground, ALEX_FM, command)
    for question, answer in answers:
        chat.wait_for_text(question)
        chat.mark = len(chat.messages())
        post_text(playground, ALEX_FM, answer)


def card_number(chat: PlaygroundPage, *fragments: str) -> int:
    """The newest card (its number in `card_texts`) showing every fragment."""
    texts = chat.card_texts()
    found = [i for i, text in enumerate(texts) if all(f in text for f in fragments)]
    assert found, f"no card shows {fragments}; cards:\n" + "\n---\n".join(texts[-3:])
    return found[-1]


def height_to_buttons(chat: PlaygroundPage, number: int, buttons: tuple[str, ...]) -> float:
    """From the card's top down to the bottom of the lowest of `buttons`, in CSS px."""
    card = chat.page.locator(".ac-adaptiveCard").nth(number)
    top = card.bounding_box()["y"]
    bottoms = []
    for title in buttons:
        box = card.get_by_role("button", name=title, exact=True).bounding_box()
        assert box is not None, f"{title!r} is not shown on card {number}"
        bottoms.append(box["y"] + box["height"])
    return max(bottoms) - top


def screenshot_card(chat: PlaygroundPage, number: int, path: Path) -> None:
    """The whole card, however tall: the page is made tall enough for the chat pane to hold it
    (same width, so the card's layout is the one measured), then put back."""
    card = chat.page.locator(".ac-adaptiveCard").nth(number)
    height = card.bounding_box()["height"]
    chat.page.set_viewport_size({"width": VIEWPORT["width"], "height": int(height) + 400})
    try:
        chat.screenshot_card(path, card=number)
    finally:
        chat.page.set_viewport_size(VIEWPORT)


def test_approval_cards_fit_in_one_screen_and_cancel_asks_on_the_card(
    fresh_bot: BotServer,
    chat_as: ChatAs,
    artifacts_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # --- the FM raises the three requests and checks the summaries --------------------------
    with chat_as(fresh_bot, ALEX_FM, viewport=VIEWPORT) as (fm_playground, fm):
        fm.wait_for_text(WELCOME_TEXT, timeout=20)
        for command, answers, _title, request_id in KINDS:
            converse(fm, fm_playground, command, answers)
            fm.wait_for_text("Check your answers")
            summary = card_number(fm, "Check your answers")
            screenshot_card(fm, summary, artifacts_dir / f"summary-{request_id}.png")
            assert fm.click_card_button("Submit request", card=summary) == 200
            fm.wait_for_text(f"Submitted {request_id}")
            # The summary replaced in place by its submitted state (an update, may come after).
            fm.wait_for_text(f"Submitted as {request_id}", new_only=False)
            submitted = card_number(fm, f"Submitted as {request_id}")
            screenshot_card(fm, submitted, artifacts_dir / f"summary-{request_id}-submitted.png")

    # --- the liaison opens the bot: the three cards that waited on them arrive ---------------
    heights: dict[str, float] = {}
    with chat_as(fresh_bot, ADELE_LIAISON, port=fm_playground.port, viewport=VIEWPORT) as (
        _,
        liaison,
    ):
        liaison.wait_for_text(WELCOME_TEXT, timeout=20)
        for _command, _answers, title, request_id in KINDS:
            liaison.wait_for_text(f"{title} · {request_id}", new_only=False, timeout=20)
            number = card_number(liaison, f"{title} · {request_id}")
            assert "Your decision is needed." in liaison.card_texts()[number]
            heights[request_id] = height_to_buttons(liaison, number, APPROVER_BUTTONS)
            screenshot_card(liaison, number, artifacts_dir / f"approval-{request_id}.png")
        # For the last part: a question back to the FM on the first request.
        number = card_number(liaison, "Non-standard delivery · NSD-0001")
        liaison.fill_card_input(COMMENT_LABEL, "Which partner delivers?", card=number)
        assert liaison.click_card_button("Ask for more info", card=number) == 200
        liaison.wait_for_text("Status: More information requested", new_only=False)

    report = ", ".join(f"{rid} {px:.0f} px" for rid, px in heights.items())
    (artifacts_dir / "card-heights.txt").write_text(report + "\n", encoding="utf-8")
    with capsys.disabled():
        print(f"\napproval card heights down to the buttons at 1280x800: {report}")
        print(f"screenshots of the summaries and approval cards in {artifacts_dir}")
    too_tall = {rid: px for rid, px in heights.items() if px > MAX_HEIGHT}
    assert not too_tall, f"taller than {MAX_HEIGHT} px down to the buttons: {too_tall}"

    # --- the FM's own card: Cancel asks on the card first; Keep it leaves it -------------------
    with chat_as(fresh_bot, ALEX_FM, port=fm_playground.port, viewport=VIEWPORT) as (_, fm):
        fm.wait_for_text(WELCOME_TEXT, timeout=20)
        fm.send("my approvals")  # the open question, with the answer box
        fm.wait_for_text("Adele Vance asks: “Which partner delivers?”")
        number = card_number(fm, "NSD-0001", "asks:")
        card = fm.page.locator(".ac-adaptiveCard").nth(number)
        question = card.get_by_text("Cancel NSD-0001 for good? The approver is told.")
        sent: list[str] = []
        fm.page.on(
            "request", lambda r: sent.append(r.url) if "/_conversation/v1/" in r.url else None
        )

        assert not question.is_visible()
        fm.click_card_button("Cancel the request", card=number, expect_request=False)
        question.wait_for(state="visible")
        screenshot_card(fm, number, artifacts_dir / "fm-cancel-confirmation.png")
        fm.click_card_button("Keep it", card=number, expect_request=False)
        question.wait_for(state="hidden")
        fm.page.wait_for_timeout(500)
        assert sent == [], "showing and hiding the question sends nothing"
        assert "Status: More information requested" in fm.card_texts()[number]

        fm.click_card_button("Cancel the request", card=number, expect_request=False)
        assert fm.click_card_button("Yes, cancel NSD-0001", card=number) == 200
        wait_for_card(fm, number, "Status: Cancelled")  # replaced in place
        for title in ("Send answer", "Cancel the request", "Yes, cancel NSD-0001"):
            assert card.get_by_role("button", name=title).count() == 0, f"{title!r} is left"
        screenshot_card(fm, number, artifacts_dir / "fm-cancelled.png")
