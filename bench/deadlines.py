"""Finding and claiming due reminders costs the same whatever else the table holds.

    python -m bench.deadlines [--requests 100000] [--due 100] [--rounds 20]
                              [--databases sqlite,postgres] [--postgres-url URL]

For each database: 100,000 open requests, each with a deadline. Two layouts of the same rows
are measured in turn: 100 due among 1,000 open deadlines (the other 99,000 closed), then 100
due among 100,000 open ones (99,900 not due yet); the due ones are the same rows in both, spread
over the table. Each round puts the 100 back to due (not
timed), then times one claim of up to 100 due deadlines (`DeadlineRepository.claim_due`, the
statement the scheduler runs) and checks it got all 100. The small layout is measured before
and after the large one, half the rounds each, so drift on a shared machine hits both; on
SQLite the write-ahead log is checkpointed after each layout change, so neither layout pays
for the other's 100,000-row update. Prints the median and p90 of each layout side by side and
their ratio; the target is the same time for both and under 50 ms.
The PostgreSQL database given is wiped (default: TEST_POSTGRES_URL, else `test`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text, update

from domain.roster import Area, Person, Roster
from persistence.database import create_engine, upgrade_schema
from persistence.deadlines import DeadlineRepository
from persistence.models import DeadlineRow, RequestRow

NOW = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)
FM = Person("Alex Wilber", "11111111-1111-4111-8111-111111111111", "alex@contoso.com")
LIAISON = Person("Adele Vance", "22222222-2222-4222-8222-222222222222", "adele@contoso.com")
BACKUP = Person("Diego Siciliani", "33333333-3333-4333-8333-333333333333", "diego@contoso.com")
DIRECTOR = Person("Lynne Robbins", "44444444-4444-4444-8444-444444444444", "lynne@contoso.com")
AREA = Area("americas", "Americas", LIAISON, BACKUP, DIRECTOR, ("US",))
ROSTER = Roster(areas=(AREA,), ftc_help_mailbox="ftchelp@contoso.com", partners=())
CHUNK = 5000


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p90_ms: float


async def _wipe_postgres(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


async def _seed(engine, requests: int) -> None:
    """`requests` open requests, each with an open liaison decision due in a week."""
    later = NOW + timedelta(days=7)
    for start in range(0, requests, CHUNK):
        numbers = range(start + 1, min(start + CHUNK, requests) + 1)
        async with engine.begin() as connection:
            await connection.execute(insert(RequestRow), [_request(n) for n in numbers])
            await connection.execute(insert(DeadlineRow), [_deadline(n, later) for n in numbers])
    async with engine.begin() as connection:
        await connection.execute(text("ANALYZE"))


def _request(n: int) -> dict:
    return {
        "id": f"NSD-{n:06d}",
        "kind": "non_standard_delivery",
        "status": "submitted",
        "version": 1,
        "requester_aad_object_id": FM.aad_object_id,
        "requester_name": FM.display_name,
        "requester_email": FM.email,
        "area_code": AREA.code,
        "customer": f"Customer {n}",
        "answers": {},
        "needs_director": False,
        "waiting_on_aad_object_id": LIAISON.aad_object_id,
        "waiting_on_name": LIAISON.display_name,
        "waiting_on_email": LIAISON.email,
        "outcome": "",
        "submitted_at": NOW - timedelta(days=3),
        "updated_at": NOW - timedelta(days=3),
    }


def _deadline(n: int, remind_at: datetime) -> dict:
    return {
        "key": f"NSD-{n:06d}/liaison_decision/v1",
        "request_id": f"NSD-{n:06d}",
        "kind": "liaison_decision",
        "area_code": AREA.code,
        "owner_aad_object_id": LIAISON.aad_object_id,
        "owner_name": LIAISON.display_name,
        "owner_email": LIAISON.email,
        "target_aad_object_id": LIAISON.aad_object_id,
        "target_name": LIAISON.display_name,
        "target_email": LIAISON.email,
        "subject": "",
        "due_at": remind_at,
        "remind_at": remind_at,
        "step": 0,
        "state": "open",
        "claim_token": None,
        "created_at": NOW,
        "updated_at": NOW,
    }


async def _layout(engine, open_count: int, total: int) -> None:
    """`open_count` deadlines open (not yet due), spread evenly over the table; the rest
    closed."""
    later = NOW + timedelta(days=7)
    is_open = (DeadlineRow.id - 1) % (total // open_count) == 0
    async with engine.begin() as connection:
        await connection.execute(
            update(DeadlineRow)
            .where(is_open)
            .values(state="open", remind_at=later, claim_token=None)
        )
        await connection.execute(
            update(DeadlineRow)
            .where(~is_open)
            .values(state="closed", remind_at=None, claim_token=None)
        )
        await connection.execute(text("ANALYZE"))
    if engine.dialect.name == "sqlite":
        async with engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


async def _make_due(engine, due: int, total: int) -> None:
    """`due` deadlines spread evenly over the table (open in either layout) fall due (again):
    the same rows in both layouts, so both claims write the same pages."""
    ids = [1 + i * (total // due) for i in range(due)]
    async with engine.begin() as connection:
        await connection.execute(
            update(DeadlineRow)
            .where(DeadlineRow.id.in_(ids))
            .values(remind_at=NOW - timedelta(minutes=5), claim_token=None, state="open")
        )


async def _samples(
    engine, repository, due: int, open_count: int, total: int, rounds: int
) -> list[float]:
    await _layout(engine, open_count, total)
    samples = []
    for round_number in range(rounds + 2):
        await _make_due(engine, due, total)
        started = time.perf_counter()
        claimed = await repository.claim_due(NOW, lease=LEASE, limit=due, token="bench")
        elapsed = (time.perf_counter() - started) * 1000
        if len(claimed) != due:
            raise SystemExit(f"claimed {len(claimed)} of {due} due deadlines")
        if round_number >= 2:  # the first two warm the caches and the statement
            samples.append(elapsed)
    return samples


def _timing(samples: list[float]) -> Timing:
    samples = sorted(samples)
    return Timing(statistics.median(samples), samples[int(len(samples) * 0.9) - 1])


async def _run(database: str, url: str, requests: int, due: int, rounds: int) -> None:
    engine = create_engine(url)
    try:
        await upgrade_schema(engine)
        started = time.perf_counter()
        await _seed(engine, requests)
        seeded = time.perf_counter() - started
        repository = DeadlineRepository(engine, ROSTER)
        # Few, many, few again: drift on a shared machine hits both layouts alike.
        first = await _samples(engine, repository, due, 1000, requests, rounds // 2)
        many = _timing(await _samples(engine, repository, due, requests, requests, rounds))
        second = await _samples(engine, repository, due, 1000, requests, rounds - rounds // 2)
        few = _timing(first + second)
    finally:
        await engine.dispose()
    print(f"{database:<10} {requests:,} requests (seeded in {seeded:.0f} s), claiming {due} due:")
    print(f"{'':<10} {'among 1,000 open':>20} {f'among {requests:,} open':>22} {'ratio':>7}")
    print(
        f"{'median':<10} {few.median_ms:>17.2f} ms {many.median_ms:>19.2f} ms "
        f"{many.median_ms / few.median_ms:>7.2f}"
    )
    print(
        f"{'p90':<10} {few.p90_ms:>17.2f} ms {many.p90_ms:>19.2f} ms "
        f"{many.p90_ms / few.p90_ms:>7.2f}"
    )
    verdict = "under" if max(few.p90_ms, many.p90_ms) < 50 else "NOT under"
    print(f"{'':<10} p90 {verdict} 50 ms\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
        ),
    )
    arguments = parser.parse_args()
    for database in arguments.databases.split(","):
        if database == "sqlite":
            with tempfile.TemporaryDirectory() as directory:
                url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
                asyncio.run(
                    _run(database, url, arguments.requests, arguments.due, arguments.rounds)
                )
        else:
            asyncio.run(_wipe_postgres(arguments.postgres_url))
            asyncio.run(
                _run(
                    database,
                    arguments.postgres_url,
                    arguments.requests,
                    arguments.due,
                    arguments.rounds,
                )
            )


if __name__ == "__main__":
    main()
