"""The bot as a real process (`python app.py`), to kill it with SIGKILL or run two at once.

A `BotProcess` is a `tests.harness.BotClient`, so chats work against it as against the
in-process app.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from tests.fakes.connector import FakeBotConnector
from tests.harness import BotClient

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class BotProcess(BotClient):
    def __init__(
        self,
        database_url: str,
        roster_path: Path,
        connector: FakeBotConnector,
        log_path: Path,
        **settings: str,
    ) -> None:
        self.connector = connector
        self._port = free_port()
        self.url = f"http://127.0.0.1:{self._port}"
        self._env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "ROSTER_PATH": str(roster_path),
            "HOST": "127.0.0.1",
            "PORT": str(self._port),
            "LOG_LEVEL": "INFO",
            **settings,
        }
        self._log_path = log_path
        self._process: asyncio.subprocess.Process | None = None
        self.http = aiohttp.ClientSession()

    async def start(self) -> BotProcess:
        with self._log_path.open("ab") as log:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable, "app.py", cwd=REPO, env=self._env, stdout=log, stderr=log
            )
        async with asyncio.timeout(30):
            while True:
                if self._process.returncode is not None:
                    raise AssertionError(
                        f"the bot exited with {self._process.returncode}: "
                        + self._log_path.read_text()[-2000:]
                    )
                try:
                    async with self.http.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return self
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as in a crash or an OOM kill."""
        assert self._process is not None
        self._process.send_signal(signal.SIGKILL)

    async def wait(self) -> None:
        assert self._process is not None
        await self._process.wait()

    async def stop(self) -> None:
        if self._process is not None and self._process.returncode is None:
            self._process.terminate()
            await asyncio.wait_for(self._process.wait(), 30)
        await self.http.close()
