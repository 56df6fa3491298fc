"""Where statements run: in place on SQLite unless the file is locked; reads survive a
PostgreSQL restart."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from sqlalchemy import Connection, func, insert, make_url, select, text
from sqlalchemy.exc import DBAPIError

from persistence.database import Statements, create_engine, open_pool, upgrade_schema
from persistence.models import RequestCounter, StateDocument
from persistence.state_store import EtagConflictError, StateStore, WriteRequest
from tests.db_fixtures import POSTGRES_URL


def count_counters(connection: Connection) -> int:
    return connection.scalar(select(func.count()).select_from(RequestCounter))


async def test_a_transaction_on_a_locked_sqlite_file_waits_on_the_asynchronous_engine(tmp_path):
    path = tmp_path / "bot.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade_schema(engine)
    statements = Statements(engine)
    drivers: list[str] = []

    def add_counter(kind: str):
        def work(connection: Connection) -> int:
            drivers.append(connection.engine.dialect.driver)
            connection.execute(insert(RequestCounter).values(kind=kind, last_number=1))
            return count_counters(connection)

        return work

    try:
        assert await statements.transaction(add_counter("NSD")) == 1
        other_process = sqlite3.connect(path, isolation_level=None)
        other_process.execute("BEGIN IMMEDIATE")  # holds the write lock
        other_process.execute("INSERT INTO request_counters VALUES ('COVID', 7)")
        waiting = asyncio.create_task(statements.transaction(add_counter("ACM")))
        await asyncio.sleep(0.2)
        assert not waiting.done()  # waits on the lock, off the event loop
        other_process.execute("COMMIT")
        other_process.close()

        assert await waiting == 3  # and then sees the other writer's row
        # The first ran in place; the second found the file locked and took the other path.
        assert drivers == ["pysqlite", "aiosqlite"]
    finally:
        statements.close()
        await engine.dispose()


async def test_state_documents_go_through_sqlites_driver_and_wait_on_a_locked_file(tmp_path):
    path = tmp_path / "bot.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade_schema(engine)
    statements = Statements(engine)
    store = StateStore(engine, statements)
    try:
        assert statements.runs_in_place
        first = await store.write({"conversation": WriteRequest({"step": 1})})
        # Stored as SQLAlchemy stores it: the asynchronous engine reads the same values back.
        async with engine.connect() as connection:
            stored = (
                await connection.execute(
                    select(StateDocument.document, StateDocument.etag, StateDocument.updated_at)
                )
            ).one()
        assert stored.document == {"step": 1}
        assert stored.etag == first["conversation"]
        assert stored.updated_at.tzinfo is not None
        # The driver's connection is the event loop thread's: another thread is sent back to
        # the SQLAlchemy statement.
        assert statements.read_in_place("SELECT 1", ()) == [(1,)]
        assert await asyncio.to_thread(statements.read_in_place, "SELECT 1", ()) is None

        other_process = sqlite3.connect(path, isolation_level=None)
        other_process.execute("BEGIN IMMEDIATE")  # holds the write lock
        assert statements.write_in_place("DELETE FROM state_documents", ()) is None
        expected = first["conversation"]
        writing = asyncio.create_task(
            store.write({"conversation": WriteRequest({"step": 2}, expected_etag=expected)})
        )
        await asyncio.sleep(0.2)
        assert not writing.done()  # waits on the lock, off the event loop
        other_process.execute("COMMIT")
        other_process.close()
        second = await writing

        read = await store.read(["conversation"])
        assert read["conversation"].document == {"step": 2}
        assert read["conversation"].etag == second["conversation"] != first["conversation"]
        with pytest.raises(EtagConflictError):  # in place, the eTag is checked all the same
            await store.write({"conversation": WriteRequest({"step": 3}, expected_etag=expected)})
    finally:
        statements.close()
        await engine.dispose()


async def drop_every_other_connection() -> None:
    """What a PostgreSQL restart or failover does to the connections sitting in a pool."""
    admin = create_engine(POSTGRES_URL)
    async with admin.connect() as connection:
        # Only the tests' own database (TEST_POSTGRES_URL may name another than `test`).
        await connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :database AND pid <> pg_backend_pid()"
            ),
            {"database": make_url(POSTGRES_URL).database},
        )
    await admin.dispose()


@pytest.mark.postgres
async def test_a_read_after_postgresql_dropped_the_pooled_connections_succeeds(require_postgres):
    engine = create_engine(POSTGRES_URL)
    await upgrade_schema(engine)
    statements = Statements(engine)
    query = select(func.count()).select_from(RequestCounter)
    try:
        assert (await statements.read(query))[0][0] == 0
        await drop_every_other_connection()

        assert (await statements.read(query))[0][0] == 0

        # Writes are not repeated (a lost reply may hide a commit): the caller sees the error.
        await drop_every_other_connection()
        with pytest.raises(DBAPIError):
            await statements.write(insert(RequestCounter).values(kind="NSD", last_number=1))
    finally:
        statements.close()
        await engine.dispose()


@pytest.mark.postgres
async def test_the_postgresql_pool_is_open_before_the_first_turn_and_never_grows(
    require_postgres,
):
    engine = create_engine(POSTGRES_URL)
    await upgrade_schema(engine)
    await engine.dispose()  # as at start-up: no connection yet
    statements = Statements(engine)
    try:
        await open_pool(engine)
        assert engine.pool.checkedin() == engine.pool.size() > 0

        query = select(func.count()).select_from(RequestCounter)
        await asyncio.gather(*(statements.read(query) for _ in range(50)))

        # A burst waited for the open connections instead of opening more.
        assert engine.pool.checkedin() == engine.pool.size()
        assert engine.pool.overflow() <= 0
    finally:
        statements.close()
        await engine.dispose()
