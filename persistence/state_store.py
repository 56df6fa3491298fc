"""JSON documents with optimistic concurrency: every write gets a new eTag."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update
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


# Built once: SQLAlchemy then reuses the statement's cache key, a third of a read's CPU.
_READ = select(StateDocument.key, StateDocument.document, StateDocument.etag).where(
    StateDocument.key.in_(bindparam("keys", expanding=True))
)


class StateStore:
    def __init__(self, engine: AsyncEngine, statements: Statements | None = None):
        self._statements = statements or Statements(engine)

    async def read(self, keys: Iterable[str]) -> dict[str, StoredDocument]:
        """The stored documents for `keys`; keys with no document are absent."""
        keys = list(keys)
        if not keys:
            return {}
        rows = await self._statements.read(_READ, {"keys": keys})
        return {row.key: StoredDocument(row.document, row.etag) for row in rows}

    async def write(self, changes: dict[str, WriteRequest]) -> dict[str, str]:
        """Write all changes in one transaction and return the new eTag of each key.

        Raises EtagConflictError, writing nothing, if any expected eTag does not match.
        """
        new_etags = {key: uuid.uuid4().hex for key in changes}
        now = datetime.now(UTC)

        def write(connection: Connection) -> None:
            for key, change in changes.items():
                if change.expected_etag in (None, ANY_ETAG):
                    _upsert(connection, key, change.document, new_etags[key], now)
                    continue
                # The database compares the eTag, so a concurrent writer cannot slip in
                # between a check and the write. No row matched: changed or deleted.
                result = connection.execute(
                    update(StateDocument)
                    .where(StateDocument.key == key, StateDocument.etag == change.expected_etag)
                    .values(document=change.document, etag=new_etags[key], updated_at=now)
                )
                if result.rowcount == 0:
                    raise EtagConflictError(key)

        await self._statements.transaction(write)
        return new_etags

    async def delete(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        if not keys:
            return
        statement = delete(StateDocument).where(StateDocument.key.in_(keys))
        await self._statements.transaction(lambda connection: connection.execute(statement))


def _upsert(
    connection: Connection, key: str, document: dict[str, Any], etag: str, now: datetime
) -> None:
    # ON CONFLICT rather than insert-or-update in Python: two first writes of the same key at
    # once must not fail with a duplicate-key error.
    insert = dialect_insert(connection.dialect.name, StateDocument.__table__).values(
        key=key, document=document, etag=etag, updated_at=now
    )
    connection.execute(
        insert.on_conflict_do_update(
            index_elements=[StateDocument.key],
            set_={
                "document": insert.excluded.document,
                "etag": insert.excluded.etag,
                "updated_at": insert.excluded.updated_at,
            },
        )
    )
