"""Work done after a turn has been answered: notices, card updates, deliveries on return.

One worker runs it, one item at a time, and lets the turns in progress go first: in a burst of
clicks every clicker is answered before the notices about those clicks compete with them for
the event loop. No item waits for a quiet moment longer than `patience` after it was queued,
so a steady stream of turns delays notices, never starves them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine, Iterator

log = logging.getLogger(__name__)


class BackgroundWork:
    def __init__(self, patience: float = 2.0) -> None:
        self._patience = patience
        self._queue: asyncio.Queue[tuple[float, Coroutine]] = asyncio.Queue()
        self._worker: asyncio.Task | None = None
        self._turns_in_progress = 0
        self._quiet = asyncio.Event()
        self._quiet.set()

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """Around the handling of one incoming activity."""
        self._turns_in_progress += 1
        self._quiet.clear()
        try:
            yield
        finally:
            self._turns_in_progress -= 1
            if not self._turns_in_progress:
                self._quiet.set()

    def submit(self, work: Coroutine) -> None:
        loop = asyncio.get_running_loop()
        self._queue.put_nowait((loop.time() + self._patience, work))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run())

    async def drain(self) -> None:
        """Finish what is queued, then stop the worker (at shutdown)."""
        await self._queue.join()
        if self._worker is not None:
            self._worker.cancel()

    async def _run(self) -> None:
        while True:
            due, work = await self._queue.get()
            try:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout_at(due):
                        await self._quiet.wait()
                await work
            except Exception:
                log.exception("Background work failed")
            finally:
                self._queue.task_done()
