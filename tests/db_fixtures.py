"""Database fixtures: every test using them runs against SQLite and PostgreSQL.

PostgreSQL must be on 127.0.0.1:5432 with a `test` database the tests may wipe
(`TEST_POSTGRES_URL` names another, e.g. to run two suites at once). When it is unreachable
its cases are skipped, or fail when REQUIRE_POSTGRES=1 (CI).
"""

import os

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from domain import acm_referral, covid_triage, non_standard_delivery
from persistence.database import create_engine, upgrade_schema

# The kinds of request the repositories in tests read back.
STORED_KINDS = (non_standard_delivery.KIND, covid_triage.KIND, acm_referral.KIND)

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request, tmp_path) -> str:
    """An empty database; the PostgreSQL one is wiped before each test."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await _wipe_postgres()
    return POSTGRES_URL


@pytest.fixture
async def engine(database_url):
    """Engine on a freshly migrated database."""
    engine = create_engine(database_url)
    await upgrade_schema(engine)
    yield engine
    await engine.dispose()


async def _wipe_postgres() -> None:
    engine = create_engine(POSTGRES_URL)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    except (SQLAlchemyError, OSError) as error:
        reason = f"PostgreSQL at {POSTGRES_URL} is unavailable: {error}"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    finally:
        await engine.dispose()


@pytest.fixture
async def require_postgres() -> None:
    """For tests that manage PostgreSQL databases themselves: skip or fail like the others."""
    await _wipe_postgres()
