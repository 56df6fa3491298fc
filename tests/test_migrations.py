"""Database set-up: migrations (at start-up and from the `alembic` CLI), SQLite settings,
reachability."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from persistence.database import create_engine, is_reachable, upgrade_schema
from persistence.models import Base

REPO_ROOT = Path(__file__).resolve().parent.parent
# Every table the models declare, plus Alembic's own; the newest migration is the head.
TABLES = set(Base.metadata.tables) | {"alembic_version"}
HEAD = ScriptDirectory.from_config(Config(REPO_ROOT / "alembic.ini")).get_current_head()


async def test_upgrading_again_is_a_no_op(engine):
    await upgrade_schema(engine)
    await upgrade_schema(engine)

    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    assert tables == TABLES
    assert version == HEAD


async def test_migrations_match_the_models(engine):
    def differences(connection):
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []


def test_alembic_cli_upgrades_a_plain_sqlite_url(tmp_path):
    database = tmp_path / "not-yet-created" / "cli.db"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}

    completed = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert completed.returncode == 0, completed.stderr
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        version = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert tables >= TABLES
    assert version == (HEAD,)


async def test_sqlite_connections_get_the_pragmas(tmp_path):
    sqlite_engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'new-dir' / 'bot.db'}")
    try:
        async with sqlite_engine.connect() as connection:
            settings = {
                pragma: await connection.scalar(text(f"PRAGMA {pragma}"))
                for pragma in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
            }
    finally:
        await sqlite_engine.dispose()
    # synchronous 1 is NORMAL.
    assert settings == {
        "journal_mode": "wal",
        "busy_timeout": 5000,
        "foreign_keys": 1,
        "synchronous": 1,
    }


async def test_reachable_database(engine):
    assert await is_reachable(engine)


async def test_unreachable_database():
    # Port 1 on loopback: nothing listens there, so the connection is refused.
    unreachable = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/test")
    try:
        assert not await is_reachable(unreachable)
    finally:
        await unreachable.dispose()


def test_the_dated_deadlines_of_0003_carry_over_with_a_kind_and_a_state(tmp_path):
    database = tmp_path / "old.db"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}

    def alembic(*arguments: str) -> None:
        completed = subprocess.run(
            [sys.executable, "-m", "alembic", *arguments],
            cwd=REPO_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert completed.returncode == 0, completed.stderr

    # The revision just before: the deadlines table is still 0003's.
    alembic("upgrade", "0004")
    with sqlite3.connect(database) as connection:
        for request_id, status in (("COVID-0001", "approved"), ("ACM-0001", "declined")):
            connection.execute(
                "INSERT INTO requests (id, kind, status, version, requester_aad_object_id,"
                " requester_name, requester_email, area_code, customer, answers,"
                " needs_director, outcome, submitted_at, updated_at) VALUES (?, 'k', ?, 1,"
                " 'fm', 'Alex', 'a@x.com', 'emea', 'Contoso', '{}', 0, '', '2026-11-23',"
                " '2026-11-23')",
                (request_id, status),
            )
        connection.executemany(
            "INSERT INTO deadlines (request_id, what, due_on, remind_aad_object_id, remind_name,"
            " remind_email, created_at) VALUES (?, ?, ?, 'fm', 'Alex', 'a@x.com', '2026-11-23')",
            [
                ("COVID-0001", "Rollout target: Teams pilot", "2026-12-03"),
                ("ACM-0001", "Did the partners call? ...", "2026-11-27"),
            ],
        )
    alembic("upgrade", "head")
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT request_id, kind, subject, state, step, target_aad_object_id, area_code,"
            " remind_at IS NOT NULL FROM deadlines ORDER BY request_id"
        ).fetchall()
    assert rows == [
        ("ACM-0001", "partner_contact", "", "closed", 0, "fm", "emea", 0),
        ("COVID-0001", "rollout_target", "Teams pilot", "open", 0, "fm", "emea", 1),
    ]
