"""The update processor: chats in parallel, each chat in order, arrivals announced early."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from telegram import Chat, Message, Update

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


def group_update(update_id: int) -> Update:
    chat = Chat(-100, "group")
    return Update(update_id, message=Message(update_id, datetime.now(UTC), chat))


def test_a_full_chat_queue_drops_its_oldest_waiting_update() -> None:
    """A chat whose answers are held (a group past Telegram's limit) keeps at most
    `chat_queue` updates waiting; the oldest waiting is dropped, never run, and counted."""
    processor = ChatOrderedProcessor(chat_queue=2)
    ran: list[int] = []

    async def scenario() -> None:
        release = asyncio.Event()

        async def handle(number: int) -> None:
            ran.append(number)
            if number == 1:
                await release.wait()

        tasks = [asyncio.create_task(processor.do_process_update(group_update(n), handle(n)))
                 for n in range(1, 6)]
        for _ in range(5):
            await asyncio.sleep(0)
        assert ran == [1] and processor.dropped == 2  # 2 and 3: the oldest waiting
        release.set()
        await asyncio.gather(*tasks)
        await processor.do_process_update(group_update(6), handle(6))  # the chat goes on

    asyncio.run(scenario())
    assert ran == [1, 4, 5, 6]
