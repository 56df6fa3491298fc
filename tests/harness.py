"""Run the real app on loopback and talk to it like the Bot Framework channel does."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from aiohttp import web

from app import create_app
from config.settings import Settings
from tests.fakes.connector import FakeBotConnector

SAMPLE_ROSTER = Path(__file__).resolve().parents[1] / "config" / "roster.sample.yaml"


def make_settings(database_url: str, **overrides: object) -> Settings:
    # _env_file=None: a developer's .env must not leak into the tests.
    return Settings(
        _env_file=None, database_url=database_url, roster_path=SAMPLE_ROSTER, **overrides
    )


class RunningBot:
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
