"""Work after a turn: in order, after the turns in progress, never later than its patience."""

from __future__ import annotations

import asyncio
import logging

from services.background import BackgroundWork


async def record(done: list[str], name: str) -> None:
    done.append(name)


async def test_work_runs_in_the_order_it_was_queued():
    background = BackgroundWork()
    done: list[str] = []
    for name in ("card update", "FM notice", "director card"):
        background.submit(record(done, name))

    await background.drain()

    assert done == ["card update", "FM notice", "director card"]


async def test_work_waits_until_no_turn_is_in_progress():
    background = BackgroundWork(patience=10)
    done: list[str] = []
    with background.turn(), background.turn():
        background.submit(record(done, "notice"))
        await asyncio.sleep(0.05)
        assert done == []
    await asyncio.sleep(0)  # the worker wakes once the last turn is over
    await background.drain()

    assert done == ["notice"]


async def test_work_runs_after_its_patience_even_while_turns_keep_coming():
    background = BackgroundWork(patience=0.05)
    done: list[str] = []
    with background.turn():
        background.submit(record(done, "notice"))
        await asyncio.sleep(0.2)

        assert done == ["notice"]


async def test_a_failure_is_logged_and_the_next_item_still_runs(caplog):
    background = BackgroundWork()
    done: list[str] = []

    async def fail() -> None:
        raise RuntimeError("connector down")

    with caplog.at_level(logging.ERROR, logger="services.background"):
        background.submit(fail())
        background.submit(record(done, "next"))
        await background.drain()

    assert done == ["next"]
    assert "connector down" in caplog.text
