"""2,000 notices to 200 people through the real bot's outbox relay, against a counting connector.

    python -m bench.outbox_rates [--databases sqlite,postgres] [--notices 2000] [--people 200]

For each database: 200 people with a personal chat, 2,000 notices queued in the outbox (ten per
person), then the bot (`python app.py`, default settings) is started and delivers them. This
process plays the Bot Connector and records when each notice arrived. Prints how long it took,
how many were lost or delivered twice, and the highest count in any one-second window per chat
and in all, beside the configured rates (OUTBOX_RATE_PER_CONVERSATION, OUTBOX_RATE_PER_TENANT)
and Teams' own (7 and 50). PostgreSQL: BENCH_POSTGRES_URL (default the `test` database, which
is wiped).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web

from bench.approvals import _reference, empty_database, start_bot, write_roster
from config.settings import Settings
from domain.outbox import Message, MessageKind
from domain.roster import Person
from persistence.conversation_references import ConversationReferenceStore
from persistence.database import create_engine, upgrade_schema
from persistence.outbox import OutboxRepository

TEAMS_PER_CONVERSATION, TEAMS_PER_TENANT = 7, 50


class ArrivalLog:
    """The Bot Connector: answers every send and notes (time, chat, text)."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, str, str]] = []
        self._arrived = asyncio.Condition()

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        async with self._arrived:
            conversation = request.headers.get("x-ms-conversation-id", "")
            self.arrivals.append((time.monotonic(), conversation, body.get("text") or ""))
            self._arrived.notify_all()
        return web.json_response({"id": f"sent-{len(self.arrivals)}"}, status=201)

    async def wait_for(self, count: int) -> None:
        async with self._arrived:
            await self._arrived.wait_for(lambda: len(self.arrivals) >= count)

    async def start(self) -> tuple[web.AppRunner, str]:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/"


def most_in_one_second(times: list[float]) -> int:
    times = sorted(times)
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def queue(database_url: str, service_url: str, people: int, notices: int) -> None:
    engine = create_engine(database_url)
    await upgrade_schema(engine)
    references = ConversationReferenceStore(engine)
    persons = []
    for n in range(people):
        aad = f"00000000-0000-4000-8000-{n:012d}"
        account = {"id": f"29:person-{n}", "name": f"Person {n}", "aadObjectId": aad}
        await references.save(_reference(account, service_url))
        persons.append(Person(account["name"], aad, ""))
    messages = [
        Message(MessageKind.TEXT, persons[n % people], None, f"notice-{n}", f"notice {n}")
        for n in range(notices)
    ]
    await OutboxRepository(engine).add(messages, datetime.now(UTC))
    await engine.dispose()


async def run_one(database: str, people: int, notices: int, workdir: Path) -> dict:
    database_url = await empty_database(database, workdir)
    log = ArrivalLog()
    runner, service_url = await log.start()
    await queue(database_url, service_url, people, notices)
    roster_path = workdir / "roster.yaml"
    write_roster(roster_path, 1)
    process, _port = await start_bot(database_url, roster_path)
    try:
        began = time.monotonic()
        try:
            async with asyncio.timeout(notices / 10 + 60):
                await log.wait_for(notices)
        except TimeoutError:
            pass
        took = time.monotonic() - began
        await asyncio.sleep(2)  # room for a duplicate to show up
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 60)
        await runner.cleanup()
    texts = Counter(text for _, _, text in log.arrivals)
    by_chat: dict[str, list[float]] = defaultdict(list)
    for at, conversation, _ in log.arrivals:
        by_chat[conversation].append(at)
    return {
        "database": database,
        "seconds": took,
        "lost": sum(1 for n in range(notices) if f"notice {n}" not in texts),
        "duplicated": sum(count - 1 for count in texts.values() if count > 1),
        "chat": max(most_in_one_second(times) for times in by_chat.values()),
        "all": most_in_one_second([at for at, _, _ in log.arrivals]),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--notices", type=int, default=2000)
    parser.add_argument("--people", type=int, default=200)
    arguments = parser.parse_args()
    settings = Settings(_env_file=None)
    per_chat, per_tenant = settings.outbox_rate_per_conversation, settings.outbox_rate_per_tenant
    print(
        f"{arguments.notices} notices to {arguments.people} people; rates: {per_chat}/s per "
        f"chat, {per_tenant}/s in all (Teams: {TEAMS_PER_CONVERSATION}, {TEAMS_PER_TENANT})"
    )
    header = ("database", "seconds", "lost", "twice", "max/s chat", "max/s all")
    print("{:<10} {:>8} {:>5} {:>6} {:>11} {:>10}".format(*header))
    failed = False
    with tempfile.TemporaryDirectory() as workdir:
        for database in arguments.databases.split(","):
            result = await run_one(database, arguments.people, arguments.notices, Path(workdir))
            print(
                f"{result['database']:<10} {result['seconds']:>8.1f} {result['lost']:>5} "
                f"{result['duplicated']:>6} {result['chat']:>11} {result['all']:>10}"
            )
            failed |= bool(
                result["lost"]
                or result["duplicated"]
                or result["chat"] > per_chat
                or result["all"] > per_tenant
            )
    if failed:
        raise SystemExit("a notice was lost or repeated, or a rate was exceeded")


if __name__ == "__main__":
    asyncio.run(main())
