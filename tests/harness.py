"""Run the real app on loopback and talk to it like the Bot Framework channel does."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
from aiohttp import web

from app import create_app
from config.settings import Settings
from tests.fakes import activities
from tests.fakes.connector import FakeBotConnector

SAMPLE_ROSTER = Path(__file__).resolve().parents[1] / "config" / "roster.sample.yaml"


def make_settings(database_url: str, **overrides: object) -> Settings:
    # _env_file=None: a developer's .env must not leak into the tests.
    return Settings(
        _env_file=None, database_url=database_url, roster_path=SAMPLE_ROSTER, **overrides
    )


class BotClient:
    """A bot on loopback, spoken to as the Bot Framework channel does: activities POSTed to
    `url`, replies read at `connector`."""

    url: str
    http: aiohttp.ClientSession
    connector: FakeBotConnector

    async def post(self, activity: dict, **headers: str) -> aiohttp.ClientResponse:
        async with self.http.post(
            f"{self.url}/api/messages", json=activity, headers=headers
        ) as response:
            await response.read()
            return response

    async def say(self, activity: dict, replies: int = 1) -> list[dict]:
        """POST `activity` and return the `replies` new activities the bot sent back."""
        before = len(self.connector.activities())
        response = await self.post(activity)
        assert response.status in (200, 201), response.status
        await self.connector.wait_for_activities(before + replies)
        return self.connector.activities()[before:]


class RunningBot(BotClient):
    """The app served on 127.0.0.1, with a client session that POSTs activities to it."""

    def __init__(self, settings: Settings, connector: FakeBotConnector, **fakes: object) -> None:
        self.settings = settings
        self.connector = connector
        self._fakes = fakes

    async def __aenter__(self) -> RunningBot:
        self.app = create_app(self.settings, **self._fakes)
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        self.http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.http.close()
        await self._runner.cleanup()


def card_of(activity: dict) -> dict:
    (attachment,) = activity["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


def card_text(card: dict) -> str:
    """All text on a card, for assertions that read like what a person sees."""
    parts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value", "label"):
                if isinstance(node.get(key), str):
                    parts.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return "\n".join(parts)


# --- People in the sample roster, as Teams presents them ------------------------------------


def teams_user(name: str, aad: str, number: int) -> dict:
    return {"id": f"29:user-{number}", "name": name, "aadObjectId": aad}


FM = teams_user("Alex Wilber", "11111111-1111-4111-8111-111111111111", 1)
LIAISON = teams_user("Adele Vance", "22222222-2222-4222-8222-222222222222", 2)
BACKUP = teams_user("Diego Siciliani", "33333333-3333-4333-8333-333333333333", 3)
DIRECTOR = teams_user("Lynne Robbins", "44444444-4444-4444-8444-444444444444", 4)
STRANGER = teams_user("Megan Bowen", "55555555-5555-4555-8555-555555555555", 5)


def chat_of(user: dict) -> str:
    return f"a:personal-chat-{user['id']}"


class Chat:
    """One person's personal chat with the bot."""

    def __init__(self, bot: BotClient, user: dict) -> None:
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

    async def walk(self, command: str, answers: list[str]) -> list[dict]:
        """Start a conversation and answer each question; the replies to the last answer."""
        await self.say(command)
        for answer in answers[:-1]:
            await self.say(answer)
        return await self.say(answers[-1])

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
        action = next(a for a in card_actions(card) if a.get("verb") == verb)
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

    async def latest_card(self, count: int = 1) -> dict:
        """The card on the `count`-th activity this chat received, once it has arrived."""
        received = await self.bot.connector.wait_for_activities(count, self.conversation_id)
        return card_of(received[-1])

    def received(self) -> list[dict]:
        return self.bot.connector.activities(self.conversation_id)


def card_actions(card: dict) -> list[dict]:
    """Every button that reaches the bot, including those in ActionSets inside containers
    (not the toggles that only show and hide parts of the card)."""
    found = list(card.get("actions", []))
    stack = list(card.get("body", []))
    while stack:
        node = stack.pop()
        found += node.get("actions", []) if node.get("type") == "ActionSet" else []
        stack += node.get("items", [])
    return [action for action in found if action["type"] != "Action.ToggleVisibility"]
