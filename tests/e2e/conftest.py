"""Fixtures of the end-to-end tests: the real bot (``python app.py``), Chromium, the Playground.

Needs `scripts/install_e2e.sh` (Chromium from Debian, the Playground from npm). Without them the
e2e tests skip, unless REQUIRE_E2E=1, which turns the skip into a failure.

The bot runs as ``python app.py`` with HOST/PORT/DATABASE_URL/ROSTER_PATH pointing at a temp dir
(SQLite, the sample roster), anonymous (no MicrosoftAppId), its output in ``bot.log``.

On failure a screenshot, the chat transcript and both logs go to E2E_ARTIFACTS/<test name>
(default: test-artifacts/e2e/<test name> under the repository, gitignored, emptied when the test
starts); the failure output names the directory. Screenshots a test takes on purpose go there too.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.playground import (
    ALEX_FM,
    REPO_ROOT,
    MockUser,
    PlaygroundError,
    PlaygroundPage,
    PlaygroundProcess,
    free_port,
    kill_process_group,
    launch_chromium,
    missing_prerequisites,
    start_playground,
    wait_for_http,
)


@dataclass
class BotServer:
    endpoint: str
    process: subprocess.Popen
    log_path: Path

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def running_bot(workdir: Path) -> Iterator[BotServer]:
    """``python app.py`` on a free loopback port with its own SQLite database in ``workdir``;
    killed (whole process group) afterwards."""
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.lower().startswith("microsoftapp")  # no credentials: anonymous local dev
    }
    env.update(
        PYTHONUNBUFFERED="1",
        HOST="127.0.0.1",
        PORT=str(port),
        DATABASE_URL=f"sqlite:///{workdir / 'bot.db'}",
        ROSTER_PATH=str(REPO_ROOT / "config" / "roster.sample.yaml"),
        LOG_LEVEL="DEBUG",
    )
    log_path = workdir / "bot.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, str(REPO_ROOT / "app.py")],
            cwd=workdir,  # not the repo: no .env or ./data of a developer's
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = BotServer(f"http://127.0.0.1:{port}/api/messages", proc, log_path)
    try:
        try:
            wait_for_http(server.endpoint, timeout=30, proc=proc)  # GET answers 405 once it's up
        except PlaygroundError as exc:
            pytest.fail(f"bot did not start: {exc}\n{server.log_text()[-4000:]}")
        yield server
    finally:
        kill_process_group(proc)


@pytest.fixture(scope="session")
def e2e_ready() -> None:
    missing = missing_prerequisites()
    if missing:
        message = "e2e prerequisites missing: " + ", ".join(missing)
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def bot_server(e2e_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotServer]:
    """One bot (and database) shared by a module's tests."""
    with running_bot(tmp_path_factory.mktemp("bot")) as server:
        yield server


@pytest.fixture
def fresh_bot(e2e_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotServer]:
    """A bot with an empty database of its own, for one test (request ids start at 0001)."""
    with running_bot(tmp_path_factory.mktemp("bot")) as server:
        yield server


@pytest.fixture(scope="package")
def browser(e2e_ready: None) -> Iterator[object]:
    # Package scope: Playwright's sync API keeps an event loop running while it is open, and
    # the async tests outside tests/e2e cannot start theirs until it has stopped.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


# Where screenshots and, on failure, transcripts and logs go: one folder per test, emptied when
# the test starts (gitignored).
DEFAULT_ARTIFACTS = REPO_ROOT / "test-artifacts" / "e2e"


@pytest.fixture
def artifacts_dir(request: pytest.FixtureRequest) -> Path:
    root = Path(os.environ.get("E2E_ARTIFACTS") or DEFAULT_ARTIFACTS)
    path = root / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(path, ignore_errors=True)  # no picture left from an earlier run
    path.mkdir(parents=True)
    return path


def save_artifacts(
    page: PlaygroundPage, playground: PlaygroundProcess, bot: BotServer, where: Path, prefix=""
) -> None:
    """Best effort: screenshot, transcript and both logs into ``where``."""
    saved = []
    for name, write in (
        ("screenshot.png", lambda p: page.screenshot(p)),
        ("transcript.txt", lambda p: p.write_text(page.transcript(), encoding="utf-8")),
        ("playground.log", lambda p: p.write_text(playground.log_text(), encoding="utf-8")),
        ("bot.log", lambda p: p.write_text(bot.log_text(), encoding="utf-8")),
    ):
        name = prefix + name
        try:
            write(where / name)
            saved.append(name)
        except Exception as exc:  # noqa: BLE001 - never hide the real failure behind this one
            saved.append(f"{name} (failed: {exc})")
    print(f"\ne2e artifacts in {where}: {', '.join(saved)}")


@pytest.fixture(scope="module")
def playground_as_fm(
    bot_server: BotServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PlaygroundProcess]:
    handle = start_playground(bot_server.endpoint, ALEX_FM, tmp_path_factory.mktemp("playground"))
    yield handle
    handle.stop()


@pytest.fixture
def chat(
    request: pytest.FixtureRequest,
    browser: object,
    playground_as_fm: PlaygroundProcess,
    bot_server: BotServer,
    artifacts_dir: Path,
) -> Iterator[PlaygroundPage]:
    """A fresh Playground page (so a fresh installationUpdate + conversationUpdate) as the FM,
    on the module's bot."""
    failed_before = request.session.testsfailed
    page = PlaygroundPage.open(browser, playground_as_fm)
    yield page
    if request.session.testsfailed > failed_before:  # this test's call phase failed
        save_artifacts(page, playground_as_fm, bot_server, artifacts_dir)
    page.close()


# Tall enough that a whole approval card fits in the chat pane: a card screenshot is then the
# card, not the top bar over part of it.
TALL_VIEWPORT = {"width": 1400, "height": 2000}

# chat_as(bot, user, port=None) -> a context manager yielding (Playground, page)
ChatAs = Callable[..., contextlib.AbstractContextManager[tuple[PlaygroundProcess, PlaygroundPage]]]


@pytest.fixture
def chat_as(browser: object, tmp_path: Path, artifacts_dir: Path) -> ChatAs:
    """Start a Playground whose current user is ``user`` and open its page; on the way out close
    both (and save artifacts, prefixed with the user's given name, when the block failed).

    ``port``: reuse the port of an earlier Playground, so that a ``serviceUrl`` the bot stored
    still points at a Playground. A multi-user flow is a sequence of such blocks. ``viewport``:
    the page's size (default: tall enough for a whole approval card).
    """

    @contextlib.contextmanager
    def open_chat(
        bot: BotServer,
        user: MockUser,
        *,
        port: int | None = None,
        viewport: dict[str, int] = TALL_VIEWPORT,
    ) -> Iterator[tuple[PlaygroundProcess, PlaygroundPage]]:
        playground = start_playground(bot.endpoint, user, tmp_path / "playground", port=port)
        page = None
        try:
            page = PlaygroundPage.open(browser, playground, viewport=viewport)
            yield playground, page
        except BaseException:
            if page is not None:
                prefix = f"{user.given_name.lower()}-"
                save_artifacts(page, playground, bot, artifacts_dir, prefix)
            raise
        finally:
            if page is not None:
                page.close()
            playground.stop()

    return open_chat
