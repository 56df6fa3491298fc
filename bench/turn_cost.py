"""CPU cost of one bot turn, per server stack, relative to a bare aiohttp handler.

    python -m bench.turn_cost [--turns 2000] [--concurrency 16] [--no-app] ...

Each target is a separate server process on loopback; this process drives them with message
activities, plays the Bot Connector (a sink that counts replies) and serves OpenID metadata for
the variants that check tokens. CPU per turn is each server process's own CPU time
(`time.process_time()`, all its threads) read before and after every round through `/_cpu`.
See bench/README.md.
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
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote

import aiohttp
from aiohttp import web

BENCH_APP_ID = "0b5b1a4e-6c8d-4f2a-9e3b-7d1c5a9f2e40"
BENCH_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT_ACCOUNT = {"id": f"28:{BENCH_APP_ID}", "name": "FastTrack"}

TARGETS = {
    "raw": "bare aiohttp handler, one reply POST",
    "stock": "botbuilder CloudAdapter + echo",
    "ours": "TeamsBotAdapter + echo",
    "ours-appid": "TeamsBotAdapter + echo, app id, JWT in/out",
    "app-help": "real bot (create_app), 'help'",
    "app-help-appid": "real bot, 'help', app id, JWT in/out",
    "app-answer-first": "real bot, COVID triage step 1, an answer re-asked",
    "app-answer-summary": "real bot, COVID triage summary, change an answer / answer it",
}
NEEDS_TOKENS = {"ours-appid", "app-help-appid"}
APP_TARGETS = {"app-help", "app-help-appid", "app-answer-first", "app-answer-summary"}


def _covid_answers() -> list[str]:
    """A COVID triage with the Windows Virtual Desktop branch: the largest dialog state."""
    today = datetime.now(UTC).date()
    pilot, all_staff = today + timedelta(days=30), today + timedelta(days=75)
    return [
        *("Contoso", "Americas", "ats@contoso.com, tam@contoso.com", "1", "1, 2"),
        "Teams and virtual desktops for 2,000 call centre agents",
        *("yes", "3, 4", "none", "yes", "Anywhere else", "Windows 10 E3", "2000", "400", "yes"),
        *("TPID 12345678", "In FastTrack scope", "no", "yes", "Teams +2k agents by next month"),
        *("no", "Pilot with one call centre", "All agents on WVD with Teams; WVD SMEs deliver"),
        f"Teams pilot: {pilot.isoformat()}; All staff: {all_staff.isoformat()}",
        *("FM Alex Wilber; WVD SME Megan Bowen", "no", "yes"),
    ]


# Where each conversation of a target is brought (unmeasured) before the measured turns.
SETUP = {
    "app-answer-first": ["covid triage"],
    "app-answer-summary": ["covid triage", *_covid_answers()],
}
CHANGE_CUSTOMER = {"summary": "change", "question": "customer"}


def _message_for(target: str, turn_in_conversation: int) -> tuple[str | None, dict | None]:
    """The text (or card submit value) of a measured turn."""
    if target == "app-answer-first":
        return "skip", None  # the customer's name is needed: re-asked with the reason
    if target == "app-answer-summary":
        # Change an answer on the summary card, then answer it: the summary comes back.
        return (None, CHANGE_CUSTOMER) if turn_in_conversation % 2 == 0 else ("Contoso", None)
    return ("help" if target in APP_TARGETS else "hello"), None


# --- Server side (runs in a child process) ----------------------------------------------------


async def _cpu(request: web.Request) -> web.Response:
    return web.json_response({"cpu": time.process_time()})


def _echo_bot():
    from botbuilder.core import ActivityHandler, TurnContext

    class EchoBot(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(f"You said {turn_context.activity.text}")

    return EchoBot()


class _BenchCredential:
    """azure-identity's AsyncTokenCredential protocol, no network; counts token fetches."""

    def __init__(self) -> None:
        self.calls = 0

    async def get_token(self, *scopes, **kwargs):
        from azure.core.credentials import AccessToken

        self.calls += 1
        return AccessToken("bench-token", int(time.time()) + 3600)

    async def close(self) -> None:
        pass


def _settings(target: str, data_dir: str):
    from config.settings import load_settings

    overrides = {"database_url": f"sqlite:///{data_dir}/bench.db", "log_level": "WARNING"}
    if target in NEEDS_TOKENS:
        overrides.update(
            microsoft_app_id=BENCH_APP_ID,
            microsoft_app_password="bench-secret",
            microsoft_app_type="SingleTenant",
            microsoft_app_tenant_id=BENCH_TENANT,
        )
    return load_settings(**overrides)


async def _raw_app() -> web.Application:
    async def messages(request: web.Request) -> web.Response:
        activity = await request.json()
        reply = {
            "type": "message",
            "from": activity["recipient"],
            "recipient": activity["from"],
            "conversation": activity["conversation"],
            "replyToId": activity["id"],
            "text": f"You said {activity['text']}",
        }
        url = (
            activity["serviceUrl"].rstrip("/")
            + f"/v3/conversations/{quote(activity['conversation']['id'], safe='')}"
            + f"/activities/{quote(activity['id'], safe='')}"
        )
        async with session.post(url, json=reply) as response:
            await response.read()
        return web.Response(status=201)

    session = aiohttp.ClientSession()
    app = web.Application()
    app.router.add_post("/api/messages", messages)

    async def close_session(app: web.Application) -> None:
        await session.close()

    app.on_cleanup.append(close_session)
    return app


async def _stock_app() -> web.Application:
    from botbuilder.integration.aiohttp import (
        CloudAdapter,
        ConfigurationBotFrameworkAuthentication,
    )

    class Configuration:
        APP_ID = ""
        APP_PASSWORD = ""
        APP_TYPE = "MultiTenant"

    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(Configuration()))
    bot = _echo_bot()

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, bot)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


async def _ours_app(target: str, data_dir: str, credential) -> web.Application:
    from bot.adapter import build_adapter

    settings = _settings(target, data_dir)
    bot = _echo_bot()
    app = web.Application()
    holder = {}

    async def lifetime(app: web.Application):
        async with aiohttp.ClientSession() as session:
            holder["adapter"] = build_adapter(settings, session, credential)
            yield
            await holder["adapter"].close()

    async def messages(request: web.Request) -> web.Response:
        return await holder["adapter"].process(request, bot)

    app.cleanup_ctx.append(lifetime)
    app.router.add_post("/api/messages", messages)
    return app


async def _serve(target: str, metadata_url: str | None, profile_dir: str | None) -> None:
    import logging
    import signal

    logging.basicConfig(level=logging.WARNING)
    if metadata_url:
        # Verify inbound tokens against the bench's keys instead of login.botframework.com.
        from botframework.connector.auth import ChannelValidation

        ChannelValidation.open_id_metadata_endpoint = metadata_url
    credential = _BenchCredential() if target in NEEDS_TOKENS else None
    data_dir = tempfile.mkdtemp(prefix="turn-cost-")
    if target == "raw":
        app = await _raw_app()
    elif target == "stock":
        app = await _stock_app()
    elif target.startswith("ours"):
        app = await _ours_app(target, data_dir, credential)
    else:
        from app import create_app

        app = create_app(_settings(target, data_dir), credential=credential)

    async def stats(request: web.Request) -> web.Response:
        return web.json_response({"token_fetches": credential.calls if credential else None})

    profiler = None
    if profile_dir:
        import cProfile

        profiler = cProfile.Profile()

    async def start_profiling(request: web.Request) -> web.Response:
        if profiler:
            profiler.enable()
        return web.json_response({"profiling": profiler is not None})

    app.router.add_get("/_cpu", _cpu)
    app.router.add_get("/_stats", stats)
    app.router.add_get("/_profile", start_profiling)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print(json.dumps({"port": runner.addresses[0][1]}), flush=True)
    await stop.wait()
    if profiler:
        profiler.disable()
        profiler.dump_stats(os.path.join(profile_dir, f"{target}.prof"))
    await runner.cleanup()


# --- Driver side ---------------------------------------------------------------------------


@dataclass
class Sink:
    """The Bot Connector for all targets: /<target>/v3/conversations/... ; counts replies and
    activity updates (a summary replaced once left)."""

    replies: dict[str, Counter] = field(default_factory=dict)
    updates: Counter = field(default_factory=Counter)
    authorizations: dict[str, Counter] = field(default_factory=dict)
    port: int = 0

    def url(self, target: str) -> str:
        return f"http://127.0.0.1:{self.port}/{target}/"

    async def handle(self, request: web.Request) -> web.Response:
        parts = request.raw_path.split("/")
        # ['', target, 'v3', 'conversations', id, 'activities', replyToId?]
        target = parts[1]
        if len(parts) > 6:
            reply_to = unquote(parts[6])
            await request.read()
        else:
            reply_to = (await request.json()).get("replyToId")
        self.replies.setdefault(target, Counter())[reply_to] += 1
        self.authorizations.setdefault(target, Counter())[
            request.headers.get("Authorization", "<none>")
        ] += 1
        return web.json_response({"id": f"r{sum(self.replies[target].values())}"}, status=201)

    async def update(self, request: web.Request) -> web.Response:
        # PUT /<target>/v3/conversations/<id>/activities/<activityId>
        parts = request.raw_path.split("/")
        await request.read()
        self.updates[parts[1]] += 1
        return web.json_response({"id": unquote(parts[6])})


@dataclass
class Target:
    name: str
    process: asyncio.subprocess.Process
    port: int
    token: str | None = None
    turns: int = 0
    cpu: float = 0.0
    wall: float = 0.0
    latencies: list[float] = field(default_factory=list)
    sent_ids: list[str] = field(default_factory=list)
    turns_in_conversation: Counter = field(default_factory=Counter)


def _activity(
    target: str,
    service_url: str,
    conversation: int,
    activity_id: str,
    text: str | None,
    value: dict | None = None,
):
    activity = {
        "type": "message",
        "id": activity_id,
        "timestamp": "2024-05-01T12:00:00.123Z",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {
            "id": f"29:bench-user-{conversation}",
            "name": "Ada Lovelace",
            "aadObjectId": f"00000000-0000-4000-8000-{conversation:012d}",
        },
        "conversation": {
            "conversationType": "personal",
            "tenantId": BENCH_TENANT,
            "id": f"a:bench-{target}-{conversation}",
        },
        "recipient": BOT_ACCOUNT,
        "text": text,
        "textFormat": "plain",
        "entities": [{"type": "clientInfo", "locale": "en-GB", "platform": "Web"}],
        "channelData": {"tenant": {"id": BENCH_TENANT}},
        "locale": "en-GB",
    }
    if value is not None:  # a card's Action.Submit: Teams sends the value and no text
        del activity["text"]
        activity["value"] = value
    return activity


async def _start(name: str, metadata_url: str | None, profile_dir: str | None) -> Target:
    command = [sys.executable, "-m", "bench.turn_cost", "--serve", name]
    if metadata_url and name in NEEDS_TOKENS:
        command += ["--metadata-url", metadata_url]
    if profile_dir:
        command += ["--profile", profile_dir]
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, cwd=os.getcwd()
    )
    line = await asyncio.wait_for(process.stdout.readline(), 60)
    if not line:
        raise RuntimeError(f"target {name} did not start")
    return Target(name, process, json.loads(line)["port"])


async def _cpu_of(session: aiohttp.ClientSession, target: Target) -> float:
    async with session.get(f"http://127.0.0.1:{target.port}/_cpu") as response:
        return (await response.json())["cpu"]


async def _run_turns(
    session: aiohttp.ClientSession,
    sink: Sink,
    target: Target,
    count: int,
    label: str,
    options: argparse.Namespace,
    record: bool,
) -> None:
    url = f"http://127.0.0.1:{target.port}/api/messages"
    headers = {"Authorization": target.token} if target.token else {}
    service_url = sink.url(target.name)

    async def worker(number: int) -> None:
        # Worker n owns conversations n, n+C, n+2C...: no two turns of one conversation overlap.
        conversations = list(range(number, options.conversations, options.concurrency))
        for turn in range(number, count, options.concurrency):
            conversation = conversations[(turn // options.concurrency) % len(conversations)]
            activity_id = f"{label}-{turn}"
            text, value = _message_for(target.name, target.turns_in_conversation[conversation])
            target.turns_in_conversation[conversation] += 1
            activity = _activity(target.name, service_url, conversation, activity_id, text, value)
            started = time.perf_counter()
            await _post(session, url, activity, headers, target.name)
            if record:
                target.latencies.append(time.perf_counter() - started)
                target.sent_ids.append(activity_id)

    workers = min(options.concurrency, options.conversations)
    await asyncio.gather(*(worker(n) for n in range(workers)))


async def _post(
    session: aiohttp.ClientSession, url: str, activity: dict, headers: dict, name: str
) -> None:
    async with session.post(url, json=activity, headers=headers) as response:
        await response.read()
        if response.status >= 300:
            raise RuntimeError(f"{name}: HTTP {response.status} on {activity['id']}")


async def _set_up(
    session: aiohttp.ClientSession, sink: Sink, target: Target, options: argparse.Namespace
) -> None:
    """Bring every conversation of the target to the step its measured turns are made at."""
    url = f"http://127.0.0.1:{target.port}/api/messages"
    headers = {"Authorization": target.token} if target.token else {}
    limit = asyncio.Semaphore(options.concurrency)

    async def walk(conversation: int) -> None:
        async with limit:
            for step, text in enumerate(SETUP[target.name]):
                activity_id = f"setup-{conversation}-{step}"
                activity = _activity(
                    target.name, sink.url(target.name), conversation, activity_id, text
                )
                await _post(session, url, activity, headers, target.name)

    await asyncio.gather(*(walk(n) for n in range(options.conversations)))


async def _drive(options: argparse.Namespace) -> None:
    names = [n for n in TARGETS if n in options.targets]
    sink = Sink()
    sink_app = web.Application()
    sink_app.router.add_post("/{tail:.*}", sink.handle)
    sink_app.router.add_put("/{tail:.*}", sink.update)
    sink_runner = web.AppRunner(sink_app, access_log=None)
    await sink_runner.setup()
    await web.TCPSite(sink_runner, "127.0.0.1", 0).start()
    sink.port = sink_runner.addresses[0][1]

    openid = None
    if NEEDS_TOKENS & set(names):
        from tests.fakes.identity import LocalOpenIdMetadata

        openid = LocalOpenIdMetadata().__enter__()
    targets = []
    try:
        targets = await asyncio.gather(
            *(
                _start(name, openid.metadata_url if openid else None, options.profile)
                for name in names
            )
        )
        for target in targets:
            if target.name in NEEDS_TOKENS:
                target.token = openid.channel_token(BENCH_APP_ID, sink.url(target.name))
        connector = aiohttp.TCPConnector(limit=options.concurrency * 2)
        async with aiohttp.ClientSession(connector=connector) as session:
            for target in targets:
                if target.name in SETUP:
                    await _set_up(session, sink, target, options)
                await _run_turns(session, sink, target, options.warmup, "warmup", options, False)
                if options.profile:  # the measured turns only
                    async with session.get(f"http://127.0.0.1:{target.port}/_profile") as response:
                        await response.read()
            for round_number in range(options.rounds):
                # Rotate the order so slow drift (thermal, caches) hits every target alike.
                shift = round_number % len(targets)
                for target in targets[shift:] + targets[:shift]:
                    count = options.stock_turns if target.name == "stock" else options.turns
                    per_round = max(1, count // options.rounds)
                    before = await _cpu_of(session, target)
                    started = time.perf_counter()
                    await _run_turns(
                        session, sink, target, per_round, f"r{round_number}", options, True
                    )
                    target.wall += time.perf_counter() - started
                    target.cpu += await _cpu_of(session, target) - before
                    target.turns += per_round
            stats = {}
            for target in targets:
                async with session.get(f"http://127.0.0.1:{target.port}/_stats") as response:
                    stats[target.name] = await response.json()
        _report(targets, sink, stats)
    finally:
        for target in targets:
            target.process.terminate()
            await target.process.wait()
        if openid:
            openid.__exit__(None, None, None)
        await sink_runner.cleanup()


def _report(targets: list[Target], sink: Sink, stats: dict) -> None:
    raw = next((t for t in targets if t.name == "raw"), None)
    raw_cpu = raw.cpu / raw.turns if raw else None
    print()
    print(
        f"{'target':<20}{'turns':>7}{'turns/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'CPU ms/turn':>13}{'x raw':>8}  what"
    )
    for target in targets:
        latencies = sorted(target.latencies)
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        cpu = target.cpu / target.turns
        ratio = f"{cpu / raw_cpu:.1f}" if raw_cpu else "-"
        print(
            f"{target.name:<20}{target.turns:>7}{target.turns / target.wall:>9.0f}"
            f"{statistics.median(latencies) * 1e3:>9.2f}{p99 * 1e3:>9.2f}"
            f"{cpu * 1e3:>13.3f}{ratio:>8}  {TARGETS[target.name]}"
        )
    print()
    problems = []
    for target in targets:
        replies = sink.replies.get(target.name, Counter())
        missing = [i for i in target.sent_ids if replies[i] < 1]
        if missing:
            problems.append(f"{target.name}: {len(missing)} turns got no reply (e.g. {missing[0]})")
        authorizations = sink.authorizations.get(target.name, Counter())
        fetches = stats[target.name]["token_fetches"]
        if target.name in NEEDS_TOKENS:
            print(
                f"{target.name}: outgoing Authorization headers {dict(authorizations)}; "
                f"token fetches from the credential: {fetches}"
            )
    for name, count in sorted(sink.updates.items()):
        print(f"{name}: {count} activities updated (summaries replaced), set-up included")
    if problems:
        print("REPLY CHECK FAILED:\n  " + "\n  ".join(problems))
        raise SystemExit(1)
    print("Every measured turn's reply reached the sink.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=2000, help="measured turns per target")
    parser.add_argument("--stock-turns", type=int, default=300, help="... for the stock adapter")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument(
        "--targets", default=",".join(TARGETS), help=f"comma-separated, of: {', '.join(TARGETS)}"
    )
    parser.add_argument("--no-app", action="store_true", help="skip the real bot's targets")
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="profile each server's measured turns, written to DIR/<target>.prof (inflates CPU)",
    )
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--metadata-url", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        asyncio.run(_serve(options.serve, options.metadata_url, options.profile))
        return
    options.targets = set(options.targets.split(","))
    if options.no_app:
        options.targets -= APP_TARGETS
    asyncio.run(_drive(options))


if __name__ == "__main__":
    main()
