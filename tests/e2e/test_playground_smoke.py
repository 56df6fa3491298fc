"""End to end: the real Microsoft 365 Agents Playground, in Debian's Chromium, chats with the bot.

Needs `scripts/install_e2e.sh` (Chromium from Debian, the Playground from npm). Without them these
tests skip, unless REQUIRE_E2E=1, which turns the skip into a failure.

The bot under test is chosen by E2E_BOT:
  * ``stand-in`` (default for now): a tiny botbuilder bot defined below, for developing the harness;
  * ``real``: ``python app.py`` with HOST/PORT/DATABASE_URL/ROSTER_PATH pointing at a temp dir.

On failure a screenshot, the chat transcript and both logs go to E2E_ARTIFACTS (default: a pytest
temp dir); the failure output names the directory.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.playground import (
    ADELE_LIAISON,
    ALEX_FM,
    REPO_ROOT,
    PlaygroundError,
    PlaygroundPage,
    PlaygroundProcess,
    free_port,
    kill_process_group,
    launch_chromium,
    missing_prerequisites,
    playground_config_yaml,
    start_playground,
    wait_for_http,
)

# Text both the stand-in and the real bot's welcome card (cards/welcome.py) show.
WELCOME_TEXT = "I'm the FastTrack Bot"

E2E_BOT = os.environ.get("E2E_BOT", "stand-in")


# --------------------------------------------------------------------------------------------
# The bot under test
# --------------------------------------------------------------------------------------------

# Exploration only: replaced by the real bot (E2E_BOT=real) once app.py is ready.
STAND_IN_BOT = textwrap.dedent(
    """
    import os
    from aiohttp import web
    from botbuilder.core import ActivityHandler, CardFactory, MessageFactory
    from botbuilder.core.integration import aiohttp_error_middleware
    from botbuilder.integration.aiohttp import (
        CloudAdapter, ConfigurationBotFrameworkAuthentication,
    )
    from botbuilder.schema import AdaptiveCardInvokeResponse
    from botbuilder.core import InvokeResponse

    WELCOME = {
        "type": "AdaptiveCard", "version": "1.5",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "body": [
            {"type": "TextBlock", "text": "I'm the FastTrack Bot (stand-in)", "weight": "Bolder"},
            {"type": "TextBlock", "text": "Type help or cancel.", "wrap": True},
        ],
        "actions": [
            {"type": "Action.Submit", "title": "Help",
             "data": {"msteams": {"type": "imBack", "value": "help"}}},
            {"type": "Action.Execute", "title": "Ping", "verb": "ping", "data": {"x": 1}},
        ],
    }

    def welcome():
        return MessageFactory.attachment(CardFactory.adaptive_card(WELCOME))

    class StandInBot(ActivityHandler):
        async def on_members_added_activity(self, members, turn_context):
            if any(m.id != turn_context.activity.recipient.id for m in members):
                await turn_context.send_activity(welcome())

        async def on_message_activity(self, turn_context):
            text = (turn_context.activity.text or "").strip().lower()
            if text == "help":
                await turn_context.send_activity(welcome())
            elif text == "cancel":
                await turn_context.send_activity("Cancelled. Nothing was submitted.")
            else:
                await turn_context.send_activity(f"You said: {turn_context.activity.text}")

        async def on_invoke_activity(self, turn_context):
            # botbuilder 4.17's ActivityHandler returns an already-serialised body that
            # CloudAdapter.process serialises again (500): return the model itself.
            if turn_context.activity.name == "adaptiveCard/action":
                card = {"type": "AdaptiveCard", "version": "1.5",
                        "body": [{"type": "TextBlock", "text": "Pong"}]}
                return InvokeResponse(status=200, body=AdaptiveCardInvokeResponse(
                    status_code=200, type="application/vnd.microsoft.card.adaptive", value=card))
            return await super().on_invoke_activity(turn_context)

    class Anonymous:  # no app id: local development, no authentication
        pass

    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(Anonymous()))
    bot = StandInBot()

    async def messages(request):
        return await adapter.process(request, bot)

    app = web.Application(middlewares=[aiohttp_error_middleware])
    app.router.add_post("/api/messages", messages)
    web.run_app(app, host=os.environ["HOST"], port=int(os.environ["PORT"]), print=None)
    """
)


@dataclass
class BotServer:
    endpoint: str
    process: subprocess.Popen
    log_path: Path

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _bot_command(workdir: Path) -> tuple[list[str], dict[str, str]]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.lower().startswith("microsoftapp")  # no credentials: anonymous local dev
    }
    env["PYTHONUNBUFFERED"] = "1"
    if E2E_BOT == "real":
        env.update(
            DATABASE_URL=f"sqlite:///{workdir / 'bot.db'}",
            ROSTER_PATH=str(REPO_ROOT / "config" / "roster.sample.yaml"),
            LOG_LEVEL="DEBUG",
        )
        return [sys.executable, str(REPO_ROOT / "app.py")], env
    if E2E_BOT != "stand-in":
        raise pytest.UsageError(f"E2E_BOT must be 'stand-in' or 'real', not {E2E_BOT!r}")
    script = workdir / "stand_in_bot.py"
    script.write_text(STAND_IN_BOT, encoding="utf-8")
    return [sys.executable, str(script)], env


@pytest.fixture(scope="module")
def e2e_ready() -> None:
    missing = missing_prerequisites()
    if missing:
        message = "e2e prerequisites missing: " + ", ".join(missing)
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def bot_server(e2e_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotServer]:
    """The bot on a free loopback port, its output in bot.log; killed (whole group) afterwards."""
    workdir = tmp_path_factory.mktemp("bot")
    port = free_port()
    cmd, env = _bot_command(workdir)
    env.update(HOST="127.0.0.1", PORT=str(port))
    log_path = workdir / "bot.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=workdir,  # not the repo: no .env or ./data of a developer's
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = BotServer(f"http://127.0.0.1:{port}/api/messages", proc, log_path)
    try:
        wait_for_http(server.endpoint, timeout=30, proc=proc)  # GET answers 405 once it's up
    except PlaygroundError as exc:
        kill_process_group(proc)
        pytest.fail(f"bot did not start: {exc}\n{server.log_text()[-4000:]}")
    yield server
    kill_process_group(proc)


@pytest.fixture(scope="module")
def playground_as_fm(
    bot_server: BotServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PlaygroundProcess]:
    handle = start_playground(bot_server.endpoint, ALEX_FM, tmp_path_factory.mktemp("playground"))
    yield handle
    handle.stop()


@pytest.fixture(scope="module")
def browser(e2e_ready: None) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def artifacts_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = os.environ.get("E2E_ARTIFACTS")
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    if root:
        path = Path(root) / name
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp(name)


@pytest.fixture
def chat(
    request: pytest.FixtureRequest,
    browser: object,
    playground_as_fm: PlaygroundProcess,
    bot_server: BotServer,
    artifacts_dir: Path,
) -> Iterator[PlaygroundPage]:
    """A fresh Playground page (so a fresh installationUpdate + conversationUpdate) as the FM."""
    failed_before = request.session.testsfailed
    page = PlaygroundPage.open(browser, playground_as_fm)
    yield page
    if request.session.testsfailed > failed_before:  # this test's call phase failed
        _save_artifacts(page, playground_as_fm, bot_server, artifacts_dir)
    page.close()


def _save_artifacts(
    page: PlaygroundPage, playground: PlaygroundProcess, bot: BotServer, where: Path
) -> None:
    saved = []
    for name, write in (
        ("screenshot.png", lambda p: page.screenshot(p)),
        ("transcript.txt", lambda p: p.write_text(page.transcript(), encoding="utf-8")),
        ("playground.log", lambda p: p.write_text(playground.log_text(), encoding="utf-8")),
        ("bot.log", lambda p: p.write_text(bot.log_text(), encoding="utf-8")),
    ):
        try:
            write(where / name)
            saved.append(name)
        except Exception as exc:  # best effort: never hide the real failure
            saved.append(f"{name} (failed: {exc})")
    print(f"\ne2e artifacts in {where}: {', '.join(saved)}")


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


def test_committed_playground_config_is_the_fm_one() -> None:
    """The root .m365agentsplayground.yml (for people) matches what the harness writes."""
    committed = (REPO_ROOT / ".m365agentsplayground.yml").read_text(encoding="utf-8")
    assert committed == playground_config_yaml(ALEX_FM)


@pytest.mark.e2e
def test_welcome_card_at_start(chat: PlaygroundPage) -> None:
    message = chat.wait_for_text(WELCOME_TEXT, timeout=20)
    assert message.cards, "the welcome arrives as an Adaptive Card"
    assert any(WELCOME_TEXT in card for card in chat.card_texts())


@pytest.mark.e2e
def test_help_shows_the_welcome_card_again(chat: PlaygroundPage) -> None:
    chat.wait_for_text(WELCOME_TEXT, timeout=20)
    shown = len([c for c in chat.card_texts() if WELCOME_TEXT in c])
    chat.send("help")
    again = chat.wait_for_text(WELCOME_TEXT)  # only messages after "help"
    assert again.cards
    assert len([c for c in chat.card_texts() if WELCOME_TEXT in c]) == shown + 1


@pytest.mark.e2e
def test_cancel_gets_a_reply(chat: PlaygroundPage) -> None:
    chat.wait_for_text(WELCOME_TEXT, timeout=20)
    chat.send("cancel")
    reply = chat.wait_for_reply()
    assert reply.text


@pytest.mark.e2e
def test_restart_as_the_liaison(
    browser: object,
    bot_server: BotServer,
    tmp_path: Path,
    artifacts_dir: Path,
) -> None:
    """The pattern for multi-user flows: one Playground as the FM, stopped, then one as the
    liaison on the same port (so the serviceUrl the bot stored still points at a Playground)."""
    first = start_playground(bot_server.endpoint, ALEX_FM, tmp_path)
    try:
        page = PlaygroundPage.open(browser, first)
        try:
            assert page.current_user_name() == ALEX_FM.name
            page.wait_for_text(WELCOME_TEXT, timeout=20)
        finally:
            page.close()
    finally:
        first.stop()

    second = start_playground(bot_server.endpoint, ADELE_LIAISON, tmp_path, port=first.port)
    page = None
    try:
        page = PlaygroundPage.open(browser, second)
        assert second.port == first.port
        assert page.current_user_name() == ADELE_LIAISON.name
        page.wait_for_text(WELCOME_TEXT, timeout=20)
        page.send("help")
        page.wait_for_text(WELCOME_TEXT)
    except BaseException:
        if page is not None:
            _save_artifacts(page, second, bot_server, artifacts_dir)
        raise
    finally:
        if page is not None:
            page.close()
        second.stop()
