"""The approval workflow over HTTP: an FM submits a non-standard delivery request, the liaison
decides it on the card (Action.Execute invoke), everyone is told."""

import asyncio

import pytest

from domain import non_standard_delivery as nsd
from tests.fakes import activities
from tests.fakes.connector import FakeBotConnector
from tests.harness import RunningBot, card_of, card_text, make_settings
from tests.schemas import assert_valid_card, card_size_bytes


def teams_user(name: str, aad: str, number: int) -> dict:
    return {"id": f"29:user-{number}", "name": name, "aadObjectId": aad}


FM = teams_user("Alex Wilber", "11111111-1111-4111-8111-111111111111", 1)
LIAISON = teams_user("Adele Vance", "22222222-2222-4222-8222-222222222222", 2)
BACKUP = teams_user("Diego Siciliani", "33333333-3333-4333-8333-333333333333", 3)
DIRECTOR = teams_user("Lynne Robbins", "44444444-4444-4444-8444-444444444444", 4)
STRANGER = teams_user("Megan Bowen", "55555555-5555-4555-8555-555555555555", 5)


def chat_of(user: dict) -> str:
    return f"a:personal-chat-{user['id']}"


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


class Chat:
    """One person's personal chat with the bot."""

    def __init__(self, bot: RunningBot, user: dict) -> None:
        self.bot, self.user = bot, user
        self.conversation_id = chat_of(user)

    def activity(self, text: str | None = None, value: dict | None = None) -> dict:
        message = activities.message(
            text or "",
            service_url=self.bot.connector.service_url,
            conversation_id=self.conversation_id,
            sender=self.user,
        )
        if text is None:
            del message["text"]
        if value is not None:
            message["value"] = value
        return message

    async def say(
        self, text: str | None = None, *, value: dict | None = None, replies: int = 1
    ) -> list[dict]:
        """Send a message; return the `replies` next activities in this chat."""
        before = len(self.received())
        response = await self.bot.post(self.activity(text, value))
        assert response.status in (200, 201), response.status
        await self.bot.connector.wait_for_activities(before + replies, self.conversation_id)
        return self.received()[before:]

    async def open(self) -> None:
        await self.bot.say(
            activities.members_added(
                service_url=self.bot.connector.service_url,
                conversation_id=self.conversation_id,
                members=[activities.BOT],
            )
            | {"from": self.user}
        )

    async def click(self, card: dict, verb: str, **inputs: str) -> tuple[int, dict]:
        """Press the Action.Execute button `verb` on `card`, as Teams does: an invoke."""
        action = next(a for a in _actions(card) if a.get("verb") == verb)
        data = {**action["data"], **inputs}
        invoke = activities.card_action(
            verb,
            data,
            service_url=self.bot.connector.service_url,
            conversation_id=self.conversation_id,
        )
        invoke["from"] = self.user
        async with self.bot.http.post(f"{self.bot.url}/api/messages", json=invoke) as response:
            return response.status, await response.json()

    async def wait_for_text(self, fragment: str, timeout: float = 5) -> dict:
        """The first message in this chat containing `fragment` (notifications arrive after
        the invoke response)."""
        async with asyncio.timeout(timeout):
            while True:
                for activity in self.received():
                    if fragment in (activity.get("text") or ""):
                        return activity
                await asyncio.sleep(0.02)

    async def wait_for_card(self, fragment: str, timeout: float = 5) -> dict:
        """The newest card in this chat whose text contains `fragment`."""
        async with asyncio.timeout(timeout):
            while True:
                cards = [card_of(a) for a in self.received() if a.get("attachments")]
                found = [c for c in cards if fragment in card_text(c)]
                if found:
                    return found[-1]
                await asyncio.sleep(0.02)

    def received(self) -> list[dict]:
        return self.bot.connector.activities(self.conversation_id)


def _actions(card: dict) -> list[dict]:
    found = list(card.get("actions", []))
    stack = list(card.get("body", []))
    while stack:
        node = stack.pop()
        found += node.get("actions", []) if node.get("type") == "ActionSet" else []
        stack += node.get("items", [])
    return found


@pytest.fixture
async def connector():
    async with FakeBotConnector() as fake:
        yield fake


@pytest.fixture
async def bot(database_url, connector):
    async with RunningBot(make_settings(database_url), connector) as running:
        yield running


async def submit_request(fm: Chat, answers=ANSWERS_FASTTRACK) -> str:
    await fm.say("non-standard delivery")
    for answer in answers[:-1]:
        await fm.say(answer)
    (summary,) = await fm.say(answers[-1])
    assert "Check your answers" in card_text(card_of(summary))
    (confirmation,) = await fm.say(value={"summary": "submit"})
    assert "no commitment to the customer" in confirmation["text"]
    return confirmation["text"].split("**")[1]


async def latest_card(chat: Chat, count: int = 1) -> dict:
    received = await chat.bot.connector.wait_for_activities(count, chat.conversation_id)
    return card_of(received[-1])


async def test_the_liaison_approves_and_the_fm_is_told(bot):
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await liaison.open()
    await fm.open()
    request_id = await submit_request(fm)
    assert request_id == "NSD-0001"

    card = await latest_card(liaison, 2)
    assert_valid_card(card)
    assert card_size_bytes(card) < 28_000
    text = card_text(card)
    assert "Non-standard delivery request NSD-0001" in text and "Contoso" in text
    assert card["refresh"]["userIds"] == [LIAISON["id"]]
    assert {a["verb"] for a in _actions(card)} == {"approve", "decline", "ask_more_info"}
    assert all(a["fallback"]["type"] == "Action.Submit" for a in _actions(card))

    status, response = await liaison.click(card, "approve", comment="Go ahead")
    assert status == 200
    assert response["type"] == "application/vnd.microsoft.card.adaptive"
    decided = response["value"]
    assert_valid_card(decided)
    assert "Status: Approved" in card_text(decided) and "actions" not in decided

    told = [await fm.wait_for_text("NSD-0001 for Contoso")]
    assert "NSD-0001 for Contoso was approved by Adele Vance" in told[-1]["text"]
    updates = [c for c in bot.connector.calls if c.method == "PUT"]
    assert updates and "Status: Approved" in card_text(card_of(updates[-1].body))


async def test_someone_else_clicking_is_refused_and_nothing_changes(bot):
    fm, liaison, stranger = Chat(bot, FM), Chat(bot, LIAISON), Chat(bot, STRANGER)
    await liaison.open()
    await fm.open()
    await submit_request(fm)
    card = await latest_card(liaison, 2)
    status, response = await stranger.click(card, "approve")
    assert status == 200
    assert "waits on Adele Vance; only they can decide it" in card_text(response["value"])
    assert "Status: Waiting for the liaison" in card_text(response["value"])
    (mine,) = await fm.say("my requests")
    assert "Waiting for the liaison" in card_text(card_of(mine))


async def test_twenty_simultaneous_approvals_record_one_decision(bot):
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await liaison.open()
    await fm.open()
    await submit_request(fm)
    card = await latest_card(liaison, 2)
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
    answers = ANSWERS_FASTTRACK[:-1] + ["yes"]  # considerable effort
    await submit_request(fm, answers)
    card = await latest_card(liaison, 2)
    status, response = await liaison.click(card, "approve")
    assert "Waiting for the regional director" in card_text(response["value"])
    director_card = await director.wait_for_card("Waiting for the regional director")
    assert {a["verb"] for a in _actions(director_card)} == {"approve", "decline"}
    status, response = await director.click(director_card, "decline", comment="No budget")
    assert "Status: Declined" in card_text(response["value"])
    await fm.wait_for_text("declined by Lynne Robbins: “No budget”")


async def test_more_information_round_trip(bot):
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await liaison.open()
    await fm.open()
    await submit_request(fm)
    card = await latest_card(liaison, 2)
    status, response = await liaison.click(card, "decline")
    assert "A comment is required" in card_text(response["value"])
    status, response = await liaison.click(card, "ask_more_info", comment="Which workloads?")
    assert "More information requested" in card_text(response["value"])

    question = await fm.wait_for_card("asks:")
    assert "Adele Vance asks: “Which workloads?”" in card_text(question)
    status, response = await fm.click(question, "answer_more_info", comment="Teams and OneDrive")
    assert "Waiting for the liaison" in card_text(response["value"])

    back = await liaison.wait_for_card("Teams and OneDrive")
    assert "Teams and OneDrive" in card_text(back)
    assert {a["verb"] for a in _actions(back)} == {"approve", "decline", "ask_more_info"}


async def test_a_liaison_who_never_opened_the_bot_gets_the_card_on_first_contact(bot):
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await fm.open()
    await submit_request(fm)
    assert liaison.received() == []
    await liaison.say("hello", replies=2)  # the welcome card, then the card waiting on them
    cards = [card_of(a) for a in liaison.received() if a.get("attachments")]
    assert any("NSD-0001" in card_text(c) for c in cards)


async def test_the_fm_cancels_a_pending_request_from_my_requests(bot):
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await liaison.open()
    await fm.open()
    await submit_request(fm)
    (listing,) = await fm.say("my requests")
    status, response = await fm.click(card_of(listing), "cancel")
    assert "Cancelled" in card_text(response["value"])
    (approvals,) = await liaison.say("my approvals")
    assert approvals["text"] == "Nothing waits on you."


async def test_the_fm_records_the_outcome_after_approval(bot):
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await liaison.open()
    await fm.open()
    await submit_request(fm)
    await liaison.click(await latest_card(liaison, 2), "approve")
    (listing,) = await fm.say("my requests")
    status, response = await fm.click(
        card_of(listing), "record_outcome", **{"outcome_NSD-0001": nsd.OUTCOMES[1]}
    )
    assert f"Closed · outcome: {nsd.OUTCOMES[1]}" in card_text(response["value"])


async def test_action_submit_fallback_follows_the_same_rules(bot):
    fm, liaison, stranger = Chat(bot, FM), Chat(bot, LIAISON), Chat(bot, STRANGER)
    await liaison.open()
    await fm.open()
    await submit_request(fm)
    card = await latest_card(liaison, 2)
    approve = next(a for a in _actions(card) if a["verb"] == "approve")["fallback"]["data"]
    puts = len([c for c in bot.connector.calls if c.method == "PUT"])
    await stranger.bot.post(stranger.activity(value=approve))
    await liaison.bot.post(liaison.activity(value=approve))
    await asyncio.sleep(0.3)
    (mine,) = await fm.say("my requests")
    assert "Approved" in card_text(card_of(mine))
    assert len([c for c in bot.connector.calls if c.method == "PUT"]) > puts
