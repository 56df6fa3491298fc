"""Fixtures shared across the suite."""

import pytest

from tests.db_fixtures import database_url, engine, require_postgres  # noqa: F401  (fixtures)
from tests.fakes.connector import FakeBotConnector
from tests.harness import RunningBot, make_settings


@pytest.fixture
async def connector():
    """A local Bot Connector that records what the bot sends."""
    async with FakeBotConnector() as fake:
        yield fake


@pytest.fixture
async def bot(database_url, connector):  # noqa: F811
    """The real app on loopback, on SQLite and on PostgreSQL."""
    async with RunningBot(make_settings(database_url), connector) as running:
        yield running
