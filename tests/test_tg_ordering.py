"""The update processor: chats in parallel, each chat in order, arrivals announced early;
a group's queue shared fairly among its members."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from telegram import Chat, Message, Update

from bot.tg.ordering import ChatOrderedProcessor, FairQueue


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


def test_a_chat_queue_takes_its_senders_in_turn() -> None:
    """Each waiting sender's oldest update in turn: one sender asking three times before
    another asks twice does not go three times first."""
    queue: FairQueue[str] = FairQueue(bound=10)
    for sender, item in [("a", "a1"), ("a", "a2"), ("a", "a3"), ("b", "b1"), ("b", "b2")]:
        assert queue.push(sender, item) is None
    assert queue.pop() == "a1"
    queue.push("c", "c1")  # a newcomer waits for this round only
    assert [queue.pop() for _ in range(5)] == ["b1", "c1", "a2", "b2", "a3"]
    assert queue.pop() is None and len(queue) == 0


def test_a_full_chat_queue_drops_from_the_sender_with_most_waiting() -> None:
    """A member whose first question is being answered asks on and fills the queue: another
    member's single question goes next and is never the one dropped."""
    queue: FairQueue[str] = FairQueue(bound=4)
    queue.ran("a")  # a1 is being answered
    for item in ("a2", "a3", "a4"):
        assert queue.push("a", item) is None
    assert queue.push("b", "b1") is None
    assert queue.push("a", "a5") == "a2"  # full: the oldest of the sender with most waiting
    assert queue.push("c", "c1") == "a3"  # not b1, the oldest waiting
    assert len(queue) == 4
    assert [queue.pop() for _ in range(4)] == ["b1", "c1", "a4", "a5"]


def test_a_private_chats_queue_is_first_come_first_served() -> None:
    """One sender (a private chat): in arrival order, the oldest dropped past the bound."""
    queue: FairQueue[int] = FairQueue(bound=2)
    queue.ran("u")
    assert [queue.push("u", n) for n in (2, 3, 4)] == [None, None, 2]
    assert queue.remove(3) and not queue.remove(3)  # its update was cancelled while waiting
    assert [queue.pop(), queue.pop()] == [4, None]
