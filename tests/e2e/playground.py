"""Drive the Microsoft 365 Agents Playground (npm ``@microsoft/m365agentsplayground``) end to end.

Two halves:

* :func:`start_playground` runs the Playground CLI against a bot endpoint, with a config file whose
  ``currentUser`` is the given :class:`MockUser`, on a free port, and returns a
  :class:`PlaygroundProcess` (``stop()`` kills its whole process group).
* :class:`PlaygroundPage` wraps a Playwright page (sync API) showing the Playground's personal chat:
  ``send``, ``wait_for_text``, ``click_card_button``, ``card_texts``, ``fill_card_input``, ...

The Playground reads its mock tenant (users, chats, team) once, at start-up. The only way to chat as
another user is to stop it and start it again with another ``currentUser``: call
:func:`start_playground` again with another user (same or another ``workdir``).

See ``tests/e2e/PLAYGROUND_NOTES.md`` for what the Playground sends and accepts.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
PLAYGROUND_BIN = REPO_ROOT / "node_modules" / ".bin" / "agentsplayground"
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CONFIG_FILE_NAME = ".m365agentsplayground.yml"
CONFIG_VERSION = "0.1.1"

# --------------------------------------------------------------------------------------------
# Mock tenant
# --------------------------------------------------------------------------------------------

TENANT_ID = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
BOT_ID = "28:bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
BOT_NAME = "FastTrack Bot"


@dataclass(frozen=True)
class MockUser:
    """One user of the Playground's mock tenant (a ``User`` of its config file)."""

    id: str  # channel account id: the activity's ``from.id``
    name: str
    aad_object_id: str  # ``from.aadObjectId``
    email: str
    given_name: str
    surname: str
    role: str = ""  # what the user plays in our tests; not sent to the bot

    @property
    def user_principal_name(self) -> str:
        return self.email

    @property
    def personal_chat_id(self) -> str:
        """The personal chat's conversation id when this user is the Playground's current user.

        One per user, so that the bot never sees two users in the same 1:1 conversation.
        """
        return f"a:personal-{self.aad_object_id}"

    def to_config(self) -> dict[str, str]:
        return {
            "id": self.id,
            "name": self.name,
            # The Playground's schema spells it "Principle".
            "userPrincipleName": self.user_principal_name,
            "aadObjectId": self.aad_object_id,
            "givenName": self.given_name,
            "surname": self.surname,
            "email": self.email,
        }


ALEX_FM = MockUser(
    "29:alex-wilber", "Alex Wilber", "11111111-1111-4111-8111-111111111111",
    "alex.wilber@contoso.com", "Alex", "Wilber", role="FastTrack Manager",
)  # fmt: skip
ADELE_LIAISON = MockUser(
    "29:adele-vance", "Adele Vance", "22222222-2222-4222-8222-222222222222",
    "adele.vance@contoso.com", "Adele", "Vance", role="area liaison, FTA Americas",
)  # fmt: skip
DIEGO_BACKUP = MockUser(
    "29:diego-siciliani", "Diego Siciliani", "33333333-3333-4333-8333-333333333333",
    "diego.siciliani@contoso.com", "Diego", "Siciliani", role="backup liaison",
)  # fmt: skip
LYNNE_DIRECTOR = MockUser(
    "29:lynne-robbins", "Lynne Robbins", "44444444-4444-4444-8444-444444444444",
    "lynne.robbins@contoso.com", "Lynne", "Robbins", role="regional director",
)  # fmt: skip
# The Playground's schema wants exactly 5 users besides the current user: the FTAs fill it.
MEGAN_FILLER = MockUser(
    "29:megan-bowen", "Megan Bowen", "55555555-5555-4555-8555-555555555555",
    "megan.bowen@contoso.com", "Megan", "Bowen", role="FTA Americas, EMEA (away)",
)  # fmt: skip
ISAIAH_FILLER = MockUser(
    "29:isaiah-langer", "Isaiah Langer", "66666666-6666-4666-8666-666666666666",
    "isaiah.langer@contoso.com", "Isaiah", "Langer", role="FTA Americas, EMEA",
)  # fmt: skip

ALL_USERS: tuple[MockUser, ...] = (
    ALEX_FM,
    ADELE_LIAISON,
    DIEGO_BACKUP,
    LYNNE_DIRECTOR,
    MEGAN_FILLER,
    ISAIAH_FILLER,
)


def playground_config(current_user: MockUser) -> dict[str, Any]:
    """The config (``.m365agentsplayground.yml`` content) with ``current_user`` as current user."""
    others = [u for u in ALL_USERS if u.id != current_user.id]
    if len(others) != 5:  # the Playground's JSON schema: users has minItems 5, maxItems 5
        raise ValueError(f"{current_user.name} is not one of ALL_USERS")
    return {
        "version": CONFIG_VERSION,
        "tenantId": TENANT_ID,
        "bot": {"id": BOT_ID, "name": BOT_NAME},
        "currentUser": current_user.to_config(),
        "users": [u.to_config() for u in others],
        "personalChat": {"id": current_user.personal_chat_id},
        "groupChat": {"id": "19:group-chat@thread.v2", "name": "FastTrack Group Chat"},
        "team": {
            "id": "19:general@thread.tacv2",
            "name": "FastTrack",
            "aadGroupId": "cccccccc-cccc-4ccc-8ccc-cccccccccccc",
            "channels": [{"id": "19:announcements@thread.tacv2", "name": "Announcements"}],
        },
    }


CONFIG_HEADER = """\
# Microsoft 365 Agents Playground mock tenant (npm @microsoft/m365agentsplayground, schema 0.1.1).
# The Playground reads ./.m365agentsplayground.yml from its working directory (or the file named by
# M365_AGENTS_PLAYGROUND_CONFIG_PATH) once, at start-up. currentUser is who you chat as; "users"
# must hold exactly 5 others; each person has their own personal chat id. One file per person:
# ./.m365agentsplayground.yml (npm run playground) and playground/*.yml (npm run playground:<role>).
# Generated by tests/e2e/playground.py (playground_config_yaml); keep the two in step.
"""


def playground_config_yaml(current_user: MockUser) -> str:
    roles = "".join(
        f"#   {u.name:<16} {u.role or '(filler: the schema wants 5 users)'}\n" for u in ALL_USERS
    )
    body = yaml.safe_dump(playground_config(current_user), sort_keys=False, width=100)
    return f"{CONFIG_HEADER}# Who is who (config/roster.sample.yaml):\n{roles}{body}"


def write_playground_config(directory: Path, current_user: MockUser) -> Path:
    path = Path(directory) / CONFIG_FILE_NAME
    path.write_text(playground_config_yaml(current_user), encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# The Playground process
# --------------------------------------------------------------------------------------------


class PlaygroundError(RuntimeError):
    pass


def missing_prerequisites() -> list[str]:
    """What the e2e tests need and this machine lacks (empty when all is there)."""
    missing = []
    if not PLAYGROUND_BIN.exists():
        missing.append(f"{PLAYGROUND_BIN} (run scripts/install_e2e.sh)")
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (run scripts/install_e2e.sh)")
    if shutil.which("node") is None:
        missing.append("node")
    return missing


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    """Until ``url`` answers any HTTP status (a running server), or raise PlaygroundError."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise PlaygroundError(f"process exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answered
        except (OSError, urllib.error.URLError) as exc:
            last = exc
        time.sleep(0.1)
    raise PlaygroundError(f"{url} did not answer within {timeout:.0f} s: {last}")


def kill_process_group(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM, then SIGKILL, the process group led by ``proc`` (started with a new session)."""
    if proc.poll() is None or _group_alive(proc.pid):
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            try:
                proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
            if not _group_alive(proc.pid):
                break
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=1)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_LISTENING = re.compile(r"Listening on (\d+)")


@dataclass
class PlaygroundProcess:
    """A running Playground CLI. ``url`` is its web UI; ``stop()`` ends it."""

    process: subprocess.Popen
    port: int
    workdir: Path
    config_path: Path
    log_path: Path
    current_user: MockUser
    bot_endpoint: str
    _log_file: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def service_url(self) -> str:
        """What the Playground puts in each activity's ``serviceUrl`` (its mock connector)."""
        return f"http://localhost:{self.port}/_connector"

    @property
    def conversation_id(self) -> str:
        return self.current_user.personal_chat_id

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        kill_process_group(self.process)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def __enter__(self) -> PlaygroundProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _no_op_xdg_open_dir(workdir: Path) -> Path:
    """A directory holding an ``xdg-open`` that does nothing (the CLI calls it at start)."""
    bindir = workdir / "bin"
    bindir.mkdir(parents=True, exist_ok=True)
    script = bindir / "xdg-open"
    script.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return bindir


def start_playground(
    bot_endpoint: str,
    current_user: MockUser,
    workdir: Path,
    *,
    port: int | None = None,
    timeout: float = 30.0,
) -> PlaygroundProcess:
    """Start the Playground CLI chatting with ``bot_endpoint`` as ``current_user``.

    Writes ``workdir/.m365agentsplayground.yml`` for that user, runs the CLI with ``workdir`` as
    its working directory (its ``devTools/`` logs land there), stdout+stderr to
    ``workdir/playground.log``, and waits until its HTTP port answers.
    """
    if not PLAYGROUND_BIN.exists():
        raise PlaygroundError(f"{PLAYGROUND_BIN} missing: run scripts/install_e2e.sh")
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    config_path = write_playground_config(workdir, current_user)
    bindir = _no_op_xdg_open_dir(workdir)
    port = port or free_port()
    env = {
        **os.environ,
        "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
        "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(config_path),
        "M365_AGENTS_PLAYGROUND_LOGFILE": str(workdir / "devTools" / "m365agentsplayground.log"),
        "TEAMSAPPTESTER_BROWSER": "none",  # the CLI's own switch for "don't open a browser"
    }
    for name in ("BOT_ENDPOINT", "DEFAULT_CHANNEL_ID", "M365_AGENTS_PLAYGROUND_SERVICE_URL",
                 "M365_AGENTS_PLAYGROUND_CONVERSATION_ID", "TEAMSAPPTESTER_PORT"):  # fmt: skip
        env.pop(name, None)
    log_path = workdir / "playground.log"  # appended to: one workdir may see several starts
    log_start = len(log_path.read_text("utf-8", errors="replace")) if log_path.exists() else 0
    log_file = open(log_path, "ab")  # noqa: SIM115 - closed by PlaygroundProcess.stop
    cmd = [
        str(PLAYGROUND_BIN),
        "--app-endpoint", bot_endpoint,
        "--channel-id", "msteams",
        "--port", str(port),
        "--disable-telemetry",
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd,
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    handle = PlaygroundProcess(
        process=proc,
        port=port,
        workdir=workdir,
        config_path=config_path,
        log_path=log_path,
        current_user=current_user,
        bot_endpoint=bot_endpoint,
        _log_file=log_file,
    )
    try:
        # It prints "Listening on N"; N differs from --port when that port was taken meanwhile.
        deadline = time.monotonic() + timeout
        while (m := _LISTENING.search(handle.log_text(), log_start)) is None:
            if proc.poll() is not None:
                raise PlaygroundError(f"Playground exited with {proc.returncode}")
            if time.monotonic() > deadline:
                raise PlaygroundError(f"Playground did not listen within {timeout:.0f} s")
            time.sleep(0.05)
        handle.port = int(m.group(1))
        wait_for_http(f"http://127.0.0.1:{handle.port}/_debug/ping", timeout, proc)
    except BaseException as exc:
        handle.stop()
        if isinstance(exc, PlaygroundError):
            raise PlaygroundError(f"{exc}; its log:\n{handle.log_text()[-4000:]}") from None
        raise
    return handle


# --------------------------------------------------------------------------------------------
# The browser side
# --------------------------------------------------------------------------------------------


def launch_chromium(playwright: Any, *, headless: bool = True) -> Any:
    """Debian's Chromium through Playwright (``playwright install`` is never needed)."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=headless
    )


def _only_loopback(route: Any) -> None:
    # The UI fetches fonts and an animation worklet from a CDN; this machine has no such network.
    url = route.request.url
    if url.startswith(("http://127.0.0.1", "http://localhost", "ws://", "data:", "blob:")):
        route.continue_()
    else:
        route.abort()


# JS: every chat message in the open conversation, in order. A message is the parent element of
# its "Message header"; the bot's (and other users') headers hold a "Message author", the current
# user's do not. The log panel and the chat list are not messages.
_MESSAGES_JS = """
() => Array.from(document.querySelectorAll('[aria-label="Message header"]')).map((h) => {
  const m = h.parentElement;
  const author = h.querySelector('[aria-label="Message author"]');
  const body = Array.from(m.children).filter((c) => c !== h).map((c) => c.innerText).join("\\n");
  return {
    author: author ? author.innerText.trim() : null,
    text: body.trim(),
    cards: Array.from(m.querySelectorAll('.ac-adaptiveCard')).map((c) => c.innerText.trim()),
  };
})
"""

_SEND_PATH = re.compile(r"/_conversation/v1/conversations/[^/]+/messages$")
_ACTION_PATH = re.compile(r"/_conversation/v1/(submit|invoke)$")
_INSTALL_PATH = re.compile(r"/_debug/conversation/[^/]+/installation$")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Message:
    author: str | None  # None: the current user
    text: str
    cards: list[str]

    @property
    def from_current_user(self) -> bool:
        return self.author is None


class PlaygroundPage:
    """The Playground's web UI in one Playwright (sync API) page.

    ``mark`` is the number of messages shown when ``send`` or ``click_card_button`` last acted;
    ``wait_for_text(..., new_only=True)`` looks only at messages after it.
    """

    def __init__(self, page: Any, playground: PlaygroundProcess | None = None) -> None:
        self.page = page
        self.playground = playground
        self.mark = 0

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        browser: Any,
        playground: PlaygroundProcess,
        *,
        timeout: float = 20.0,
        viewport: dict[str, int] | None = None,
    ) -> PlaygroundPage:
        """A new page on the Playground, once its start activities reached the bot.

        Loading the page makes the Playground send the bot an ``installationUpdate`` (action
        ``add``) and then a ``conversationUpdate`` with ``membersAdded`` (current user and bot),
        each time the page loads. This returns once the first has been answered and the chat box
        is shown; the bot's replies to them may still be arriving (use ``wait_for_text``).
        """
        context = browser.new_context(viewport=viewport or {"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(timeout * 1000)
        page.route("**/*", _only_loopback)
        self = cls(page, playground)
        with page.expect_response(
            lambda r: _INSTALL_PATH.search(r.url) is not None, timeout=timeout * 1000
        ) as install:
            page.goto(playground.url, wait_until="domcontentloaded")
        if install.value.status >= 400:
            raise PlaygroundError(f"installation POST answered {install.value.status}")
        self.editor.wait_for(state="visible", timeout=timeout * 1000)
        return self

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.page.context.close()

    # -- reading -----------------------------------------------------------------------------

    @property
    def editor(self) -> Any:
        return self.page.locator('[data-lexical-editor="true"]').first

    def current_user_name(self) -> str:
        """The name the top bar shows: the Playground's current user."""
        return self.page.locator('button[title="Toggle Log Panel"] + div > span').first.inner_text()

    def messages(self) -> list[Message]:
        return [Message(**m) for m in self.page.evaluate(_MESSAGES_JS)]

    def bot_messages(self) -> list[Message]:
        return [m for m in self.messages() if not m.from_current_user]

    def card_texts(self) -> list[str]:
        """The visible text of every Adaptive Card in the chat, oldest first."""
        return [c for m in self.messages() for c in m.cards]

    def transcript(self) -> str:
        """The chat as text, for failure messages."""
        lines = []
        for i, m in enumerate(self.messages()):
            who = m.author or "(me)"
            lines.append(f"[{i}] {who}: {_norm(m.text)[:500]}")
        return "\n".join(lines) or "(no messages)"

    def wait_for_text(
        self,
        text: str | re.Pattern[str],
        timeout: float = 15.0,
        *,
        new_only: bool = True,
        from_bot: bool = True,
    ) -> Message:
        """Until a message contains ``text`` (substring, whitespace-normalised, or a regex).

        ``new_only``: only messages after ``mark`` (see the class doc); pass False to accept any
        message, e.g. a card updated in place by an ``Action.Execute`` response or an update.
        ``from_bot``: only messages not from the current user.
        Raises AssertionError, with the transcript, on time-out.
        """
        deadline = time.monotonic() + timeout
        while True:
            msgs = self.messages()
            for m in msgs[self.mark :] if new_only else msgs:
                if from_bot and m.from_current_user:
                    continue
                body = _norm(m.text)
                hit = (
                    text.search(body) is not None
                    if isinstance(text, re.Pattern)
                    else _norm(text) in body
                )
                if hit:
                    return m
            if time.monotonic() > deadline:
                where = f"after message {self.mark}" if new_only else "anywhere"
                raise AssertionError(
                    f"no {'bot ' if from_bot else ''}message {where} contains {text!r} "
                    f"within {timeout} s; transcript:\n{self.transcript()}"
                )
            self.page.wait_for_timeout(100)

    def wait_for_reply(self, timeout: float = 15.0) -> Message:
        """Until any message not from the current user arrives after ``mark``."""
        return self.wait_for_text(re.compile(r"\S"), timeout)

    # -- acting ------------------------------------------------------------------------------

    def send(self, text: str, timeout: float = 15.0) -> int:
        """Type ``text`` into the chat box and send it; returns (and sets) ``mark``.

        Returns once the Playground has delivered it to the bot (its POST to the bot answered).
        """
        self.mark = len(self.messages())
        self.editor.click()
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if i:
                self.page.keyboard.press("Shift+Enter")
            if line:
                self.page.keyboard.insert_text(line)
        with self.page.expect_response(
            lambda r: r.request.method == "POST" and _SEND_PATH.search(r.url) is not None,
            timeout=timeout * 1000,
        ) as resp:
            self.page.keyboard.press("Enter")
        if resp.value.status >= 400:
            status, body = resp.value.status, resp.value.text()
            raise AssertionError(f"sending {text!r} failed: {status} {body}")
        return self.mark

    def _card_scope(self, card: int | None) -> Any:
        cards = self.page.locator(".ac-adaptiveCard")
        return cards.nth(card) if card is not None else cards

    def click_card_button(
        self,
        title: str,
        *,
        card: int | None = None,
        expect_request: bool = True,
        timeout: float = 15.0,
    ) -> int | None:
        """Click the card action button ``title`` (in the newest card that has one, or in card
        number ``card`` of :meth:`card_texts`); sets ``mark``.

        With ``expect_request`` (Action.Submit / Action.Execute) it waits until the Playground
        has the bot's answer and returns that HTTP status (Execute: the bot's invoke result;
        502 when the bot failed). Pass False for Action.ShowCard / ToggleVisibility / OpenUrl.
        """
        button = (
            self._card_scope(card)
            .get_by_role("button", name=title, exact=True)
            .filter(visible=True)
            .last
        )
        button.wait_for(state="visible", timeout=timeout * 1000)
        self.mark = len(self.messages())
        if not expect_request:
            button.click()
            return None
        try:
            with self.page.expect_response(
                lambda r: r.request.method == "POST" and _ACTION_PATH.search(r.url) is not None,
                timeout=timeout * 1000,
            ) as resp:
                button.click()
        except Exception as exc:  # playwright's TimeoutError
            if "Timeout" not in type(exc).__name__:
                raise
            raise AssertionError(
                f"clicking {title!r} sent nothing to the bot within {timeout} s (a required "
                f"input left empty? the card's own validation then blocks it); cards now:\n"
                + "\n---\n".join(self.card_texts()[-3:])
            ) from None
        return resp.value.status

    def _card_input(self, label: str, card: int | None) -> Any:
        return self._card_scope(card).get_by_label(label).filter(visible=True).last

    def fill_card_input(self, label: str, value: str, *, card: int | None = None) -> None:
        """Fill the Input.Text / Input.Number / Input.Date labelled ``label`` (newest card)."""
        field = self._card_input(label, card)
        field.fill(value)
        if field.get_attribute("role") == "combobox":  # the date picker: commit the typed text
            field.press("Enter")

    def set_card_toggle(self, label: str, on: bool = True, *, card: int | None = None) -> None:
        box = self._card_scope(card).get_by_role("checkbox", name=label).filter(visible=True).last
        box.set_checked(on)

    def choose_card_option(self, label: str, choice: str, *, card: int | None = None) -> None:
        """Pick ``choice`` (its title) in the Input.ChoiceSet labelled ``label``.

        Expanded sets are radio buttons (or checkboxes when multi-select); compact ones a combobox.
        """
        scope = self._card_scope(card)
        group = scope.get_by_role("radiogroup", name=label).filter(visible=True)
        if group.count():
            group.last.get_by_role("radio", name=choice, exact=True).check()
            return
        combo = scope.get_by_role("combobox", name=label).filter(visible=True)
        if combo.count():
            combo.last.click()
            # single choice: role=option; multi-select: role=menuitemcheckbox (stays open)
            option = (
                self.page.locator(
                    '[role="option"], [role="menuitemcheckbox"]',
                    has_text=re.compile(rf"^\s*{re.escape(choice)}\s*$"),
                )
                .filter(visible=True)
                .first
            )
            multi = option.get_attribute("role") == "menuitemcheckbox"
            option.click()
            if multi:
                self.page.keyboard.press("Escape")
            return
        # Expanded multi-select: a checkbox per choice. Its accessible name joins the set's label
        # and the choice (aria-labelledby), so find it by its own aria-label.
        choice_label = choice.replace("\\", "\\\\").replace('"', '\\"')
        scope.locator(f'input[type="checkbox"][aria-label="{choice_label}"]').filter(
            visible=True
        ).last.check()

    def screenshot(self, path: str | Path, *, full_page: bool = True) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def screenshot_card(self, path: str | Path, *, card: int | None = None) -> Path:
        """A picture of one Adaptive Card as shown (number ``card`` of :meth:`card_texts`;
        default: the newest), scrolled into view first."""
        cards = self.page.locator(".ac-adaptiveCard")
        target = cards.nth(card) if card is not None else cards.last
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        target.screenshot(path=str(path))
        return path


@contextlib.contextmanager
def temporary_workdir(prefix: str = "playground-") -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
