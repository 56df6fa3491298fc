"""Engine creation, schema migration and health check for SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Connection,
    CursorResult,
    Engine,
    Executable,
    Row,
    event,
    make_url,
    text,
)
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import QueuePool, SingletonThreadPool

from persistence.models import Base

T = TypeVar("T")

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# Arbitrary constant shared by every replica, so only one of them migrates at a time.
_MIGRATION_LOCK_ID = 7_311_946_201


class _NothingBelowInfo(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO


# Loggers that print the data itself at DEBUG: result rows (SQLAlchemy) and the arguments of
# every driver call (aiosqlite). The database holds personal data (e.g. an ACM referral's
# customer contact), so their DEBUG records are dropped whatever the application's log level.
# A filter, not a level: raising their level to INFO would also switch on their INFO records
# (every SQL statement) under a root logger at WARNING.
_DATA_LOGGERS = ("sqlalchemy.engine.Engine", "aiosqlite")
_NO_DATA = _NothingBelowInfo()


def keep_data_out_of_logs() -> None:
    for name in _DATA_LOGGERS:
        logger = logging.getLogger(name)
        if _NO_DATA not in logger.filters:
            logger.addFilter(_NO_DATA)


def create_engine(database_url: str) -> AsyncEngine:
    """Engine for a `sqlite+aiosqlite:///` or `postgresql+asyncpg://` URL.

    `hide_parameters`: statement parameters (answers, state documents) appear neither in the
    SQL log nor in the messages of database errors, which are logged; see also
    `keep_data_out_of_logs`.
    """
    keep_data_out_of_logs()
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # One connection: SQLite takes one writer at a time anyway, and writers queued in the
        # pool wait on the event loop, where several connections would sleep in SQLite's busy
        # handler (1, 2, 5 ... 100 ms naps). Most statements run in place (see Statements).
        engine = create_async_engine(url, hide_parameters=True, pool_size=1, max_overflow=0)
        event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
        return engine
    # No pool pre-ping: it costs a round trip and about as much CPU as the query itself on
    # every checkout. A connection found dead instead invalidates the whole pool (SQLAlchemy's
    # disconnect handling) and reads try once more, on a fresh connection (Statements.read).
    return create_async_engine(
        url,
        # Few connections, all opened at start-up (open_pool), none opened in a burst: each
        # statement holds one for a single round trip, and a burst of 50 clicks measured
        # fastest with 5 (p99 ~190 ms) against 10 (~240) and 15 + 10 overflow (~400): every
        # new connection costs several round trips, and each one more backend competes for
        # the same cores. Turns beyond that wait for a connection on the event loop.
        pool_size=5,
        max_overflow=0,
        pool_recycle=1800,
        hide_parameters=True,
    )


@dataclass(frozen=True)
class Written:
    """What a writing statement did: the rows it matched, the rows it returned."""

    rowcount: int
    rows: Sequence[Row[Any]]


def _written(result: CursorResult) -> Written:
    return Written(result.rowcount, result.all() if result.returns_rows else [])


class Statements:
    """Where the statements of a turn run.

    On SQLite, in place on the event loop's thread, through a synchronous engine on the same
    file: aiosqlite hands every operation to a worker thread and wakes the event loop for each
    result, which costs far more CPU than a primary-key read or a small write transaction in
    WAL mode (microseconds). Should the file be locked (the asynchronous engine is mid-
    transaction, another process writes), and on PostgreSQL, they go through the asynchronous
    engine.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        # A single statement needs no transaction: autocommit saves a BEGIN and a COMMIT
        # round trip each (same pool, same connections).
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._in_place: Engine | None = None
        url = engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            self._in_place = sa_create_engine(
                url.set(drivername="sqlite"), hide_parameters=True, poolclass=SingletonThreadPool
            )
            event.listen(self._in_place, "connect", _set_in_place_pragmas)
        # For read_in_place and write_in_place: opened on first use, in autocommit.
        self._driver: sqlite3.Connection | None = None
        self._driver_thread = 0

    async def read(
        self, statement: Executable, parameters: dict | None = None
    ) -> Sequence[Row[Any]]:
        if self._in_place is not None:
            try:
                with self._in_place.connect() as connection:
                    return connection.execute(statement, parameters).all()
            except OperationalError:
                pass  # locked (e.g. a checkpoint): take the asynchronous path
        try:
            return (await self._single(statement, parameters)).rows
        except DBAPIError as error:
            # The pool held a connection that PostgreSQL (or a proxy) had closed: SQLAlchemy
            # has invalidated the pool, and a read is safe to repeat on a fresh connection.
            if not error.connection_invalidated:
                raise
            return (await self._single(statement, parameters)).rows

    async def write(self, statement: Executable, parameters: Any = None) -> Written:
        """One statement that writes. A single statement is atomic on its own, so on PostgreSQL
        it runs without BEGIN and COMMIT: one round trip instead of three. Never repeated."""
        if self._in_place is None:
            return await self._single(statement, parameters)
        return await self.transaction(
            lambda connection: _written(connection.execute(statement, parameters))
        )

    @property
    def runs_in_place(self) -> bool:
        """Whether statements run in place (SQLite in a file): see read_in_place."""
        return self._in_place is not None

    def read_in_place(self, sql: str, parameters: Sequence[Any]) -> list[Any] | None:
        """The rows of one plain SQL read, run in place on SQLite through the driver itself.

        For the reads of every turn: SQLAlchemy's execution (pool checkout, compiled cache,
        result) costs about three times a primary-key read. None when there is no in-place
        connection (PostgreSQL) or the file is locked: the caller runs its SQLAlchemy statement.
        """
        driver = self._driver_connection()
        if driver is None:
            return None
        try:
            return driver.execute(sql, parameters).fetchall()
        except sqlite3.OperationalError:
            return None

    def write_in_place(self, sql: str, parameters: Sequence[Any]) -> int | None:
        """The rows one plain SQL write changed, run in place on SQLite through the driver
        itself, in autocommit (a single statement is atomic on its own). None, having written
        nothing, when there is no in-place connection or the file is locked: the caller runs
        its SQLAlchemy statement."""
        driver = self._driver_connection()
        if driver is None:
            return None
        try:
            return driver.execute(sql, parameters).rowcount
        except sqlite3.OperationalError:
            return None

    def _driver_connection(self) -> sqlite3.Connection | None:
        if self._in_place is None:
            return None
        if self._driver is None:
            database = self._in_place.url.database
            assert database is not None
            # Used by the thread that opened it only (the event loop's), like the in-place
            # engine's connection; closed from any.
            self._driver = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
            self._driver_thread = threading.get_ident()
            _set_in_place_pragmas(self._driver, None)
        elif self._driver_thread != threading.get_ident():
            return None
        return self._driver

    async def _single(self, statement: Executable, parameters: Any) -> Written:
        async with self._autocommit.connect() as connection:
            return _written(await connection.execute(statement, parameters))

    async def transaction(self, work: Callable[[Connection], T]) -> T:
        """`work(connection)` in one transaction; its statements run synchronously."""
        if self._in_place is not None:
            with self._in_place.connect() as connection:
                try:
                    # Takes the write lock now or fails at once, before anything is written.
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                except OperationalError:
                    pass  # locked: take the asynchronous path
                else:
                    result = work(connection)
                    connection.commit()
                    return result
        async with self._engine.begin() as connection:
            return await connection.run_sync(work)

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
            self._driver = None
        if self._in_place is not None:
            self._in_place.dispose()


def _set_in_place_pragmas(dbapi_connection, _connection_record) -> None:
    cursor = dbapi_connection.cursor()
    # busy_timeout=0: never hold the event loop waiting for a lock; a locked file goes to the
    # asynchronous path. The others as on the asynchronous engine's connection.
    for pragma in ("busy_timeout=0", "foreign_keys=ON", "synchronous=NORMAL"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _set_sqlite_pragmas(dbapi_connection, _connection_record) -> None:
    # WAL lets readers run while one writer commits; busy_timeout makes concurrent writers
    # wait for the lock instead of failing at once with "database is locked".
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "busy_timeout=5000",
        "foreign_keys=ON",
        "synchronous=NORMAL",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


async def upgrade_schema(engine: AsyncEngine) -> None:
    """Apply all Alembic migrations up to head; a no-op when the schema is current."""
    await run_migrations_on(engine, _upgrade_to_head)


async def run_migrations_on(engine: AsyncEngine, migrate: Callable[[Connection], None]) -> None:
    """Run `migrate` (Alembic, given the connection) in one transaction, one replica at a time
    on PostgreSQL."""
    async with engine.connect() as connection:
        on_sqlite = connection.dialect.name == "sqlite"
        if on_sqlite:
            # SQLite changes a table by rebuilding it (copy, drop, rename) and refuses to drop a
            # table other rows refer to while foreign keys are enforced; enforcement can only be
            # switched outside a transaction. So: off, migrate, check every reference, on.
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await connection.commit()  # ends SQLAlchemy's autobegun transaction
        try:
            async with connection.begin():
                if not on_sqlite:
                    await connection.execute(
                        text("SELECT pg_advisory_xact_lock(:lock_id)"),
                        {"lock_id": _MIGRATION_LOCK_ID},
                    )
                await connection.run_sync(migrate)
                if on_sqlite:
                    broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                    if broken:
                        raise RuntimeError(
                            f"the migration left rows referring to nothing: {broken}"
                        )
        finally:
            if on_sqlite:
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                await connection.commit()


def _upgrade_to_head(connection: Connection) -> None:
    # No ini file: migrations/env.py then leaves the application's logging configuration alone.
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def open_pool(engine: AsyncEngine) -> None:
    """Open the pool's connections now, so the first burst of turns does not pay for opening
    them (a PostgreSQL connection costs several round trips and its type set-up)."""
    pool = engine.pool
    if engine.dialect.name != "postgresql" or not isinstance(pool, QueuePool):
        return
    async with contextlib.AsyncExitStack() as stack:
        await asyncio.gather(
            *(stack.enter_async_context(engine.connect()) for _ in range(pool.size()))
        )


async def is_reachable(engine: AsyncEngine, timeout_seconds: float = 2.0) -> bool:
    """True when the database answers `SELECT 1` within the timeout."""
    try:
        async with asyncio.timeout(timeout_seconds), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, TimeoutError):
        return False
    return True


def dialect_insert(dialect_name: str, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """`INSERT` supporting `.on_conflict_do_update()` on the two databases we run on."""
    if dialect_name == "postgresql":
        return postgresql.insert(model)
    if dialect_name == "sqlite":
        return sqlite.insert(model)
    raise ValueError(f"unsupported database dialect: {dialect_name}")
