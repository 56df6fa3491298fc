"""JSON documents with optimistic concurrency: every write gets a new eTag."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BindParameter, Connection, Executable, bindparam, delete, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.database import Statements, dialect_insert
from persistence.models import StateDocument

# Bot Framework's "overwrite whatever is stored" eTag.
ANY_ETAG = "*"


class EtagConflictError(Exception):
    """The stored document changed (or was deleted) since the caller read it."""

    def __init__(self, key: str):
        super().__init__(f"eTag conflict on state key {key!r}: it changed since it was read")
        self.key = key


@dataclass(frozen=True)
class StoredDocument:
    document: dict[str, Any]
    etag: str


@dataclass(frozen=True)
class WriteRequest:
    """`expected_etag`: None or "*" writes unconditionally; any other value must match."""

    document: dict[str, Any]
    expected_etag: str | None = None


# Built once: SQLAlchemy then reuses the statement's cache key, a third of a read's CPU (and
# of a write's).
_COLUMNS = (StateDocument.key, StateDocument.document, StateDocument.etag)
_READ = select(*_COLUMNS).where(StateDocument.key.in_(bindparam("keys", expanding=True)))
# A turn reads one key: `=` spares the expanding IN's rendering on every read.
_READ_ONE = select(*_COLUMNS).where(StateDocument.key == bindparam("key"))
# Parameters are named apart from the columns: SQLAlchemy reserves column names in VALUES/SET.
_NEW_VALUES: dict[str, BindParameter[Any]] = {
    "key": bindparam("new_key"),
    "document": bindparam("new_document"),
    "etag": bindparam("new_etag"),
    "updated_at": bindparam("new_updated_at"),
}
_CONDITIONAL_UPDATE = (
    update(StateDocument)
    .where(StateDocument.key == bindparam("new_key"), StateDocument.etag == bindparam("expected"))
    .values({name: value for name, value in _NEW_VALUES.items() if name != "key"})
)


_SQLITE = sqlite.dialect()


def _sqlite_processors(column: Any) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """How SQLAlchemy writes a column's values on SQLite and reads them back."""
    kind = column.type.dialect_impl(_SQLITE)
    to_sqlite, from_sqlite = kind.bind_processor(_SQLITE), kind.result_processor(_SQLITE, None)
    if to_sqlite is None or from_sqlite is None:
        raise TypeError(f"{column} is stored as it is on SQLite")
    return to_sqlite, from_sqlite


# The same reads and writes in SQLite's own SQL, run in place through the driver
# (Statements.read_in_place, write_in_place); values stored as SQLAlchemy stores them.
_DOCUMENT_TO_SQLITE, _DOCUMENT_FROM_SQLITE = _sqlite_processors(StateDocument.document)
_TIME_TO_SQLITE, _ = _sqlite_processors(StateDocument.updated_at)
_SQLITE_READ_ONE = "SELECT key, document, etag FROM state_documents WHERE key = ?"
_SQLITE_CONDITIONAL_UPDATE = (
    "UPDATE state_documents SET document = ?, etag = ?, updated_at = ? WHERE key = ? AND etag = ?"
)
_SQLITE_UPSERT = (
    "INSERT INTO state_documents (document, etag, updated_at, key) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (key) DO UPDATE SET document = excluded.document, etag = excluded.etag, "
    "updated_at = excluded.updated_at"
)


def _upsert(dialect: str) -> Executable:
    # ON CONFLICT rather than insert-or-update in Python: two first writes of the same key at
    # once must not fail with a duplicate-key error.
    insert = dialect_insert(dialect, StateDocument).values(_NEW_VALUES)
    return insert.on_conflict_do_update(
        index_elements=[StateDocument.key],
        set_={name: insert.excluded[name] for name in ("document", "etag", "updated_at")},
    )


class StateStore:
    def __init__(self, engine: AsyncEngine, statements: Statements | None = None):
        self._statements = statements or Statements(engine)
        self._upsert = _upsert(engine.dialect.name)

    async def read(self, keys: Iterable[str]) -> dict[str, StoredDocument]:
        """The stored documents for `keys`; keys with no document are absent."""
        keys = list(keys)
        if not keys:
            return {}
        if len(keys) == 1:
            found = (
                self._statements.read_in_place(_SQLITE_READ_ONE, (keys[0],))
                if self._statements.runs_in_place
                else None
            )
            if found is not None:
                return {
                    key: StoredDocument(_DOCUMENT_FROM_SQLITE(document), etag)
                    for key, document, etag in found
                }
            rows = await self._statements.read(_READ_ONE, {"key": keys[0]})
        else:
            rows = await self._statements.read(_READ, {"keys": keys})
        return {row.key: StoredDocument(row.document, row.etag) for row in rows}

    async def write(self, changes: dict[str, WriteRequest]) -> dict[str, str]:
        """Write all changes in one transaction and return the new eTag of each key.

        Raises EtagConflictError, writing nothing, if any expected eTag does not match.
        """
        new_etags = {key: uuid.uuid4().hex for key in changes}
        now = datetime.now(UTC)
        statements = {
            key: self._statement(key, change, new_etags[key], now)
            for key, change in changes.items()
        }

        def check(key: str, rowcount: int) -> None:
            # The database compares the eTag, so a concurrent writer cannot slip in between a
            # check and the write. No row matched: changed or deleted.
            if rowcount == 0 and changes[key].expected_etag not in (None, ANY_ETAG):
                raise EtagConflictError(key)

        if len(statements) == 1:  # the usual turn: one statement, atomic on its own
            [(key, (statement, parameters))] = statements.items()
            rowcount = None
            if self._statements.runs_in_place:
                rowcount = self._statements.write_in_place(
                    *_sqlite_write(key, changes[key], new_etags[key], now)
                )
            if rowcount is None:
                rowcount = (await self._statements.write(statement, parameters)).rowcount
            check(key, rowcount)
        else:

            def write_all(connection: Connection) -> None:
                for key, (statement, parameters) in statements.items():
                    check(key, connection.execute(statement, parameters).rowcount)

            await self._statements.transaction(write_all)
        return new_etags

    async def delete(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        if keys:
            await self._statements.write(delete(StateDocument).where(StateDocument.key.in_(keys)))

    def _statement(
        self, key: str, change: WriteRequest, etag: str, now: datetime
    ) -> tuple[Executable, dict[str, Any]]:
        parameters = {
            "new_key": key,
            "new_document": change.document,
            "new_etag": etag,
            "new_updated_at": now,
        }
        if change.expected_etag not in (None, ANY_ETAG):
            return _CONDITIONAL_UPDATE, parameters | {"expected": change.expected_etag}
        return self._upsert, parameters


def _sqlite_write(key: str, change: WriteRequest, etag: str, now: datetime) -> tuple[str, tuple]:
    values = (_DOCUMENT_TO_SQLITE(change.document), etag, _TIME_TO_SQLITE(now), key)
    if change.expected_etag not in (None, ANY_ETAG):
        return _SQLITE_CONDITIONAL_UPDATE, (*values, change.expected_etag)
    return _SQLITE_UPSERT, values
