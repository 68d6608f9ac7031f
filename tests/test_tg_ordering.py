"""The update processor: chats in parallel, each chat in order, arrivals announced early."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bot.tg.ordering import ChatOrderedProcessor


def test_arrival_is_told_before_the_update_waits_and_handled_after_it_ran() -> None:
    events: list[tuple[str, str]] = []

    def arrival(update: object) -> Callable[[], None]:
        events.append(("arrived", str(update)))
        return lambda: events.append(("handled", str(update)))

    processor = ChatOrderedProcessor(max_running=1, arrival=arrival)

    async def scenario() -> None:
        release = asyncio.Event()

        async def first() -> None:
            events.append(("ran", "a"))
            await release.wait()

        async def second() -> None:
            events.append(("ran", "b"))
            raise ValueError("a handler's bug")

        a = asyncio.create_task(processor.do_process_update("a", first()))
        b = asyncio.create_task(processor.do_process_update("b", second()))
        for _ in range(3):
            await asyncio.sleep(0)
        # "b" has arrived (its context read can start) while "a" holds the only slot.
        assert events == [("arrived", "a"), ("ran", "a"), ("arrived", "b")]
        release.set()
        await a
        with pytest.raises(ValueError):
            await b

    asyncio.run(scenario())
    assert events[3:] == [("handled", "a"), ("ran", "b"), ("handled", "b")]
