"""What claiming due outbox rows costs beside 1,000 and 100,000 rows already sent or not yet due.

    python -m bench.outbox_claim [--databases sqlite,postgres] [--claims 200]

For each database and each size: a fresh outbox holding that many rows (nine in ten sent an hour
ago, one in ten due tomorrow, for 400 people), then `--claims` rounds of: 16 messages for 16
people become due, one claim takes them (timed), they are marked sent. Prints the median and
p95 claim time per size side by side, and their ratio. The rate limits are set out of reach so
that only the claim's own cost is measured. On PostgreSQL the table is analysed once filled, as
autovacuum does with a table that grew. PostgreSQL: BENCH_POSTGRES_URL (default the `test`
database, which is wiped).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from domain.outbox import Message, MessageKind, MessageState
from domain.roster import Person
from persistence.database import Statements, create_engine, upgrade_schema
from persistence.models import OutboxRow
from persistence.outbox import OutboxRepository

POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
PEOPLE = 200
BATCH = 16
OUT_OF_REACH = 10**9


def _person(n: int) -> Person:
    return Person(f"Person {n}", f"00000000-0000-4000-8000-{n:012d}", "")


async def _fill(engine, size: int) -> None:
    now = datetime.now(UTC)
    rows = []
    for n in range(size):
        sent = n % 10
        rows.append(
            {
                "kind": MessageKind.TEXT.value,
                # Not yet due: for other people (an earlier message holds back a person's next).
                "recipient_aad_object_id": _person(
                    n % PEOPLE + (0 if sent else PEOPLE)
                ).aad_object_id,
                "recipient_name": "",
                "request_id": None,
                "card_message_id": None,
                "dedupe_key": f"old-{n}",
                "payload": {"text": "old"},
                "state": MessageState.SENT.value if sent else MessageState.PENDING.value,
                "attempts": 1 if sent else 0,
                "next_attempt_at": None if sent else now + timedelta(days=1),
                "attempted_at": now - timedelta(hours=1) if sent else None,
                "sent_at": now - timedelta(hours=1) if sent else None,
                "created_at": now - timedelta(hours=1),
            }
        )
    async with engine.begin() as connection:
        for start in range(0, len(rows), 5000):
            await connection.execute(insert(OutboxRow), rows[start : start + 5000])
    if engine.dialect.name == "postgresql":
        # What autovacuum does to a table that grew: the planner's statistics.
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("ANALYZE outbox"))


async def measure(database_url: str, size: int, claims: int) -> list[float]:
    engine = create_engine(database_url)
    await upgrade_schema(engine)
    await _fill(engine, size)
    statements = Statements(engine)
    outbox = OutboxRepository(engine, statements)
    times = []
    try:
        for round_number in range(claims):
            due = [
                Message(
                    MessageKind.TEXT,
                    _person((round_number * BATCH + n) % PEOPLE),
                    None,
                    f"new-{round_number}-{n}",
                    "new",
                )
                for n in range(BATCH)
            ]
            await outbox.add(due, datetime.now(UTC))
            began = time.perf_counter()
            claimed = await outbox.claim(
                limit=BATCH,
                lease=timedelta(seconds=60),
                token=f"bench-{round_number}",
                per_conversation=OUT_OF_REACH,
                per_tenant=OUT_OF_REACH,
            )
            times.append((time.perf_counter() - began) * 1000)
            assert len(claimed) == BATCH, len(claimed)
            for message in claimed:
                await outbox.sent(message, datetime.now(UTC), None, None)
    finally:
        statements.close()
        await engine.dispose()
    return times


async def _fresh(database: str, workdir: Path, size: int) -> str:
    if database == "sqlite":
        return f"sqlite+aiosqlite:///{workdir / f'claim-{size}.db'}"
    engine = create_engine(POSTGRES_URL)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    return POSTGRES_URL


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--claims", type=int, default=200)
    arguments = parser.parse_args()
    print(f"claiming {BATCH} due rows; median / p95 ms over {arguments.claims} claims")
    print(f"{'database':<10} {'1,000 rows':>16} {'100,000 rows':>16} {'ratio':>7}")
    with tempfile.TemporaryDirectory() as workdir:
        for database in arguments.databases.split(","):
            figures = []
            for size in (1_000, 100_000):
                url = await _fresh(database, Path(workdir), size)
                figures.append(await measure(url, size, arguments.claims))
            small, large = (statistics.median(f) for f in figures)
            print(
                f"{database:<10} {small:>7.2f} / {_p95(figures[0]):>6.2f} "
                f"{large:>7.2f} / {_p95(figures[1]):>6.2f} {large / small:>7.2f}"
            )


if __name__ == "__main__":
    asyncio.run(main())
