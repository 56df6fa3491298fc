"""50 approvers press Approve on their own pending request at the same moment, over HTTP.

    python -m bench.approvals [--approvers 50] [--databases sqlite,postgres] [--rounds 3]

For each database: a roster with one area per approver, one pending non-standard delivery
request per area (seeded through the repository), the real bot (`python app.py`) in its own
process, this process playing Teams (the invokes) and the Bot Connector (a sink). Prints the
p50/p99 of the invoke response times and how many decisions the database recorded (must equal
the number of approvers). Target: p99 under 250 ms on this 2-core machine. Each round starts a
new bot on a new database, then sends the same clicks to a bare aiohttp handler (the baseline);
the figures printed are the medians over the rounds, since one burst on a shared machine can
land on a neighbour's busy moment.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import yaml
from aiohttp import web
from sqlalchemy import func, select, text

from config.roster import load_roster
from domain import non_standard_delivery
from domain.requests import Status, submit
from domain.roster import Person
from persistence.conversation_references import (
    ConversationReferenceRecord,
    ConversationReferenceStore,
)
from persistence.database import create_engine, upgrade_schema
from persistence.models import AuditEntryRow
from persistence.requests import RequestRepository

REPO = Path(__file__).resolve().parents[1]
# The `test` database unless BENCH_POSTGRES_URL names another; it is wiped.
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
WARM_UP = 10  # decisions made one by one before the burst, not counted
BOT_ACCOUNT = {"id": "28:bench-bot", "name": "FastTrack"}
FM = Person("Alex Wilber", "11111111-1111-4111-8111-111111111111", "alex@contoso.com")


def _guid(n: int) -> str:
    return str(uuid.UUID(int=n + 1000))


def _person(role: str, n: int) -> dict:
    return {
        "name": f"{role} {n}",
        "aad_object_id": _guid(n * 10 + len(role)),
        "email": f"{role.lower()}{n}@contoso.com",
    }


def write_roster(path: Path, approvers: int) -> None:
    areas = [
        {
            "code": f"area-{n}",
            "name": f"Area {n}",
            "liaison": _person("Liaison", n),
            "backup": _person("Backup", n),
            "director": _person("Director", n),
            "holiday_countries": ["US"],
        }
        for n in range(approvers)
    ]
    path.write_text(
        yaml.safe_dump({"ftc_help_mailbox": "ftchelp@contoso.com", "areas": areas, "partners": []})
    )


class ConnectorSink:
    """Answers the Bot Connector calls the bot makes after each decision."""

    def __init__(self) -> None:
        self.calls = 0
        self._arrived = asyncio.Condition()

    async def handle(self, request: web.Request) -> web.Response:
        await request.read()
        async with self._arrived:
            self.calls += 1
            self._arrived.notify_all()
        return web.json_response({"id": f"sink-{self.calls}"})

    async def wait_for(self, calls: int) -> int:
        async with self._arrived:
            await self._arrived.wait_for(lambda: self.calls >= calls)
        return self.calls

    async def start(self) -> tuple[web.AppRunner, str]:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/"


async def seed(database_url: str, roster_path: Path, service_url: str) -> list[tuple[dict, str]]:
    """One pending request per area; returns (approver Teams account, request id) pairs."""
    roster = load_roster(roster_path)
    engine = create_engine(database_url)
    await upgrade_schema(engine)
    repository = RequestRepository(engine, roster, kinds=[non_standard_delivery.KIND])
    references = ConversationReferenceStore(engine)
    now = datetime.now(UTC)
    pairs = []
    for n, area in enumerate(roster.areas):
        request_id = await repository.next_request_id(non_standard_delivery.KIND)
        answers = {"customer": f"Customer {n}", "area": area.name, "delivered_by": "FastTrack"}
        request, audit = submit(
            request_id=request_id,
            kind=non_standard_delivery.KIND,
            requester=FM,
            area=area,
            customer=answers["customer"],
            answers=answers,
            needs_director=False,
            at=now,
        )
        await repository.add(request, audit)
        account = {
            "id": f"29:liaison-{n}",
            "name": area.liaison.display_name,
            "aadObjectId": area.liaison.aad_object_id,
        }
        await references.save(_reference(account, service_url))
        pairs.append((account, request_id))
    await references.save(
        _reference(
            {"id": "29:fm", "name": FM.display_name, "aadObjectId": FM.aad_object_id}, service_url
        )
    )
    await engine.dispose()
    return pairs


def _reference(account: dict, service_url: str) -> ConversationReferenceRecord:
    conversation_id = f"a:chat-{account['id']}"
    return ConversationReferenceRecord(
        conversation_id=conversation_id,
        user_id=account["id"],
        aad_object_id=account["aadObjectId"],
        tenant_id="bench-tenant",
        service_url=service_url,
        channel_id="msteams",
        conversation_type="personal",
        bot_id=BOT_ACCOUNT["id"],
        reference={
            "user": {
                "id": account["id"],
                "name": account["name"],
                "aadObjectId": account["aadObjectId"],
            },
            "bot": BOT_ACCOUNT,
            "conversation": {"id": conversation_id, "conversationType": "personal"},
            "channelId": "msteams",
            "serviceUrl": service_url,
        },
    )


def invoke(account: dict, request_id: str, service_url: str) -> dict:
    data = {"verb": "approve", "requestId": request_id, "version": 1}
    return {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "id": f"f:{uuid.uuid4()}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": account,
        "recipient": BOT_ACCOUNT,
        "timestamp": datetime.now(UTC).isoformat(),
        "conversation": {"id": f"a:chat-{account['id']}", "conversationType": "personal"},
        "channelData": {"tenant": {"id": "bench-tenant"}},
        "value": {
            "action": {"type": "Action.Execute", "verb": "approve", "data": data},
            "trigger": "manual",
        },
    }


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of the bot process, all threads (aiosqlite works in threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def wait_until_up(session: aiohttp.ClientSession, url: str, process) -> None:
    for _ in range(200):
        if process.returncode is not None:
            raise SystemExit(f"the bot exited with {process.returncode}")
        try:
            async with session.get(url) as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit("the bot did not start")


async def start_bot(database_url: str, roster_path: Path) -> tuple[asyncio.subprocess.Process, int]:
    """`python app.py` on a loopback port, answering once it is up."""
    port = 39000 + os.getpid() % 1000
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ROSTER_PATH": str(roster_path),
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
    }
    process = await asyncio.create_subprocess_exec(sys.executable, "app.py", cwd=REPO, env=env)
    try:
        async with aiohttp.ClientSession() as session:
            await wait_until_up(session, f"http://127.0.0.1:{port}/healthz", process)
    except BaseException:
        process.kill()
        await process.wait()
        raise
    return process, port


async def empty_database(database: str, workdir: Path) -> str:
    """The URL of an empty database: PostgreSQL's public schema dropped, or a new SQLite
    file in `workdir`."""
    if database != "postgres":
        return f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    engine = create_engine(POSTGRES_URL)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    return POSTGRES_URL


async def run_one(database: str, approvers: int, workdir: Path) -> dict:
    database_url = await empty_database(database, workdir)
    roster_path = workdir / "roster.yaml"
    write_roster(roster_path, WARM_UP + approvers)
    sink = ConnectorSink()
    runner, service_url = await sink.start()
    seeded = await seed(database_url, roster_path, service_url)

    process, port = await start_bot(database_url, roster_path)
    try:
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{port}/api/messages"
            bodies = [invoke(account, request_id, service_url) for account, request_id in seeded]
            # A running bot has built its statements and loaded its code by the time 50
            # people click at once: a few decisions one after the other first.
            warm_up = [await click(session, url, body) for body in bodies[:WARM_UP]]
            await sink.wait_for(WARM_UP)
            cpu_before = process_cpu_seconds(process.pid)
            results = await burst(session, url, bodies[WARM_UP:])
            # Each decision tells the FM, after the invoke response.
            try:
                async with asyncio.timeout(30):
                    notified = await sink.wait_for(len(seeded)) - WARM_UP
            except TimeoutError:
                notified = sink.calls - WARM_UP
            cpu = process_cpu_seconds(process.pid) - cpu_before
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.wait(), 60)
        await runner.cleanup()
    baseline = await run_baseline(warm_up[-1][2], bodies, port, workdir)

    engine = create_engine(database_url)
    async with engine.connect() as connection:
        decisions = await connection.scalar(
            select(func.count())
            .select_from(AuditEntryRow)
            .where(AuditEntryRow.to_status == Status.APPROVED.value)
        )
    await engine.dispose()
    times = sorted(ms for ms, _, _ in results)
    return {
        "database": database,
        "ok": sum(1 for _, status, _ in results if status == 200),
        "p50": statistics.median(times),
        "p99": percentile_99(times),
        "max": times[-1],
        "baseline_p99": percentile_99(sorted(ms for ms, _, _ in baseline)),
        "decisions": decisions - WARM_UP,
        "notified": notified,
        "cpu_ms": cpu * 1000 / (len(seeded) - WARM_UP),
    }


async def click(session: aiohttp.ClientSession, url: str, body: dict) -> tuple[float, int, bytes]:
    """One invoke: (response time in ms, status, response body)."""
    began = time.perf_counter()
    async with session.post(url, json=body) as response:
        answer = await response.read()
        return (time.perf_counter() - began) * 1000, response.status, answer


async def burst(
    session: aiohttp.ClientSession, url: str, bodies: list[dict]
) -> list[tuple[float, int, bytes]]:
    """All the invokes at once: each task is ready to send, then one event releases them."""
    go = asyncio.Event()

    async def ready_then_click(body: dict) -> tuple[float, int, bytes]:
        await go.wait()
        return await click(session, url, body)

    tasks = [asyncio.create_task(ready_then_click(body)) for body in bodies]
    await asyncio.sleep(0.1)
    go.set()
    return await asyncio.gather(*tasks)


def percentile_99(times: list[float]) -> float:
    return times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]


async def run_baseline(
    answer: bytes, bodies: list[dict], port: int, workdir: Path
) -> list[tuple[float, int, bytes]]:
    """The same clicks against a bare aiohttp handler that parses each invoke and answers with
    the bot's own answer to a warm-up click: what HTTP, JSON and this machine cost right now."""
    answer_path = workdir / "answer.json"
    answer_path.write_bytes(answer)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.approvals",
        "--baseline-server",
        str(port),
        str(answer_path),
        cwd=REPO,
    )
    try:
        async with aiohttp.ClientSession() as session:
            await wait_until_up(session, f"http://127.0.0.1:{port}/healthz", process)
            url = f"http://127.0.0.1:{port}/api/messages"
            for body in bodies[:WARM_UP]:
                await click(session, url, body)
            return await burst(session, url, bodies[WARM_UP:])
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 60)


def serve_baseline(port: int, answer_path: Path) -> None:
    answer = answer_path.read_bytes()

    async def messages(request: web.Request) -> web.Response:
        json.loads(await request.read())
        return web.Response(body=answer, content_type="application/json")

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def _medians(rounds: list[dict]) -> dict:
    """Each figure's median over the rounds; counts are the worst round's."""
    row = {
        key: statistics.median(r[key] for r in rounds)
        for key in ("p50", "p99", "max", "baseline_p99", "cpu_ms")
    }
    for key in ("ok", "decisions", "notified"):
        row[key] = min(r[key] for r in rounds)
    row["database"] = rounds[0]["database"]
    return row


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--approvers", type=int, default=50)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    rows = []
    for database in options.databases.split(","):
        rounds = []
        for _ in range(options.rounds):
            with tempfile.TemporaryDirectory() as workdir:
                rounds.append(await run_one(database, options.approvers, Path(workdir)))
        print(
            f"{database} rounds, p99 ms (baseline): "
            + ", ".join(f"{r['p99']:.0f} ({r['baseline_p99']:.0f})" for r in rounds),
            flush=True,
        )
        rows.append(_medians(rounds))
    print(
        f"\n{options.approvers} approvers clicking Approve at once (invoke response times, "
        f"medians of {options.rounds} rounds; baseline: a bare aiohttp handler giving the same "
        "answer, right after each round)"
    )
    print(
        f"{'database':<10}{'200 OK':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'base p99':>10}{'x base':>8}{'decisions':>11}{'connector calls':>17}"
        f"{'CPU ms/decision':>17}"
    )
    failed = False
    for row in rows:
        print(
            f"{row['database']:<10}{row['ok']:>8}{row['p50']:>9.1f}{row['p99']:>9.1f}"
            f"{row['max']:>9.1f}{row['baseline_p99']:>10.1f}"
            f"{row['p99'] / row['baseline_p99']:>8.1f}{row['decisions']:>11}"
            f"{row['notified']:>17}{row['cpu_ms']:>17.1f}"
        )
        failed |= row["decisions"] != options.approvers or row["ok"] != options.approvers
    if failed:
        raise SystemExit("FAILED: every approver must get 200 and one decision each")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--baseline-server"]:
        serve_baseline(int(sys.argv[2]), Path(sys.argv[3]))
    else:
        asyncio.run(main())
