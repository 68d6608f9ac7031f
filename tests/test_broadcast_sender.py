"""The sender against the fake Bot API over real HTTP, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from broadcast_support import LimitedTelegram, counts, max_in_window, wait_until
from fake_telegram import TOKEN
from telegram import Bot

from bot.broadcast.pacing import Pacer
from bot.broadcast.sender import Sender, SenderConfig
from bot.storage.async_outbox import AsyncOutbox
from bot.storage.connection import DatabaseTarget, Engine, connect
from bot.storage.outbox import Outbox

T = TypeVar("T")
NOW = datetime(2025, 4, 20, 12, 0, tzinfo=UTC)
FAST = SenderConfig(rate=50, backoff=0.05, idle_poll=0.05)


@pytest.fixture
def fake() -> Iterator[LimitedTelegram]:
    with LimitedTelegram(max_poll=0.2) as server:
        yield server


def run(scenario: Callable[[AsyncOutbox, Bot], Awaitable[T]], target: DatabaseTarget,
        fake: LimitedTelegram, busy_timeout_ms: int = 5000) -> T:
    async def main() -> T:
        db = await AsyncOutbox.open(target, busy_timeout_ms)
        try:
            async with Bot(TOKEN, base_url=fake.base_url) as bot:
                return await scenario(db, bot)
        finally:
            await db.close()

    return asyncio.run(main())


async def send_all(db: AsyncOutbox, bot: Bot, chats: range | list[int], text: str = "hi",
                   config: SenderConfig = FAST, during: Callable[[], Awaitable[None]] | None = None,
                   ) -> tuple[Sender, int]:
    await db.call(lambda o: o.add_subscribers(chats, "test", NOW))
    broadcast_id, _ = await db.call(lambda o: o.announce(text, NOW))
    sender = Sender(db, bot, config)
    task = asyncio.create_task(sender.run())
    if during is not None:
        await during()

    async def finished() -> bool:
        progress = await db.call(lambda o: o.progress(broadcast_id))
        return progress is not None and progress.remaining == 0

    await wait_until(finished, timeout=20)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return sender, broadcast_id


def test_every_subscriber_once_at_the_configured_rate(database_target: DatabaseTarget,
                                                       fake: LimitedTelegram) -> None:
    fake.rate_limit = 30

    async def scenario(db: AsyncOutbox, bot: Bot) -> None:
        sender, broadcast_id = await send_all(db, bot, range(1, 41), config=SenderConfig(rate=25))
        progress = await db.call(lambda o: o.progress(broadcast_id))
        assert progress is not None and (progress.sent, progress.remaining) == (40, 0)
        assert sender.stats().sent == 40

    run(scenario, database_target, fake)
    assert sorted(fake.delivered_to()) == list(range(1, 41))
    assert fake.throttled == 0
    times = [c.at for c in fake.sent_messages]
    assert max_in_window(times) <= 26
    assert 39 / 25 * 0.9 <= max(times) - min(times) <= 39 / 25 * 1.3


def test_429_pauses_everything_then_resumes(database_target: DatabaseTarget,
        fake: LimitedTelegram) -> None:
    async def scenario(db: AsyncOutbox, bot: Bot) -> Sender:
        async def trip() -> None:
            await asyncio.sleep(0.1)
            fake.fail("sendMessage", 429, retry_after=1)

        sender, _ = await send_all(db, bot, range(1, 21), during=trip)
        return sender

    sender = run(scenario, database_target, fake)
    assert sender.stats().throttled == 1
    assert sorted(fake.delivered_to()) == list(range(1, 21))  # the refused one too, once
    times = sorted(c.at for c in fake.sent_messages)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert max(gaps) >= 0.95  # nothing was sent while paused


def test_403_unsubscribes_and_goes_on(database_target: DatabaseTarget,
        fake: LimitedTelegram) -> None:
    fake.fail("sendMessage", 403, chat_id=3)

    async def scenario(db: AsyncOutbox, bot: Bot) -> None:
        sender, broadcast_id = await send_all(db, bot, range(1, 6))
        progress = await db.call(lambda o: o.progress(broadcast_id))
        assert progress is not None and (progress.sent, progress.blocked) == (4, 1)
        assert not await db.call(lambda o: o.is_subscribed(3))
        assert (await db.call(Outbox.subscriber_counts)).blocked == 1
        assert sender.stats().blocked == 1

    run(scenario, database_target, fake)
    assert sorted(fake.delivered_to()) == [1, 2, 4, 5]


def test_5xx_is_retried_then_marked_failed(database_target: DatabaseTarget,
        fake: LimitedTelegram) -> None:
    fake.fail("sendMessage", 500, chat_id=2, times=2)  # recovers on the third attempt
    fake.fail("sendMessage", 502, chat_id=4, times=None)  # never recovers

    async def scenario(db: AsyncOutbox, bot: Bot) -> None:
        sender, broadcast_id = await send_all(db, bot, range(1, 6))
        progress = await db.call(lambda o: o.progress(broadcast_id))
        assert progress is not None
        assert (progress.sent, progress.failed, progress.remaining) == (4, 1, 0)
        assert sender.stats().retried == 2 + FAST.retries
        assert await db.call(lambda o: o.is_subscribed(4))  # an outage is not a block

    run(scenario, database_target, fake)
    assert sorted(fake.delivered_to()) == [1, 2, 3, 5]
    attempts = counts([c.chat_id for c in fake.calls_to("sendMessage")])
    assert attempts[2] == 3 and attempts[4] == 1 + FAST.retries


def test_unsubscribe_during_a_broadcast(database_target: DatabaseTarget,
        fake: LimitedTelegram) -> None:
    async def scenario(db: AsyncOutbox, bot: Bot) -> None:
        async def leave() -> None:
            await wait_until(lambda: _true(len(fake.sent_messages) >= 5))
            await db.call(lambda o: o.unsubscribe(30, "command", NOW))

        _, broadcast_id = await send_all(db, bot, range(1, 31), config=SenderConfig(rate=20),
                                         during=leave)
        progress = await db.call(lambda o: o.progress(broadcast_id))
        assert progress is not None and (progress.sent, progress.cancelled) == (29, 1)

    run(scenario, database_target, fake)
    assert 30 not in fake.delivered_to()
    assert len(fake.sent_messages) == 29


def test_one_message_per_chat_per_second_across_broadcasts(database_target: DatabaseTarget,
                                                           fake: LimitedTelegram) -> None:
    async def scenario(db: AsyncOutbox, bot: Bot) -> None:
        await db.call(lambda o: o.add_subscribers([1, 2, 3], "test", NOW))
        await db.call(lambda o: o.announce("first", NOW))
        await send_all(db, bot, [1, 2, 3], text="second")

    run(scenario, database_target, fake)
    assert counts(fake.delivered_to()) == {1: 2, 2: 2, 3: 2}
    assert fake.per_chat_violations == 0


async def _true(value: bool) -> bool:
    return value


def test_too_fast_for_telegram_recovers_from_its_429s(database_target: DatabaseTarget,
                                                      fake: LimitedTelegram) -> None:
    """Configured above the server's limit: 429s pause the sender, nobody is lost or doubled."""
    fake.rate_limit = 30

    async def scenario(db: AsyncOutbox, bot: Bot) -> Sender:
        sender, _ = await send_all(db, bot, range(1, 46), config=SenderConfig(rate=80))
        return sender

    sender = run(scenario, database_target, fake)
    assert fake.throttled >= 1 and sender.stats().throttled == fake.throttled
    assert sorted(fake.delivered_to()) == list(range(1, 46))


def test_a_reply_that_cannot_be_read_fails_one_row_not_the_broadcast(
        database_target: DatabaseTarget, fake: LimitedTelegram) -> None:
    """Before, the row stayed in flight for ever (sent again at each start) and the
    broadcast never finished; admins were not told."""
    fake.garbled_chats = {2, 4}
    told: list[str] = []

    async def tell(text: str) -> None:
        told.append(text)

    async def scenario(db: AsyncOutbox, bot: Bot) -> None:
        await db.call(lambda o: o.add_subscribers(range(1, 6), "test", NOW))
        broadcast_id, _ = await db.call(lambda o: o.announce("hi", NOW))
        sender, _ = await send_all_queued(db, bot, broadcast_id, tell_admins=tell)
        progress = await db.call(lambda o: o.progress(broadcast_id))
        assert progress is not None and (progress.sent, progress.failed) == (3, 2)
        assert sender.stats().failed == 2

    run(scenario, database_target, fake)
    assert sorted(fake.delivered_to()) == [1, 3, 5]
    assert len(told) == 1 and "KeyError" in told[0], told


def test_retries_are_paced_with_the_rest(database_target: DatabaseTarget,
                                         fake: LimitedTelegram) -> None:
    """At 10/s with every 9th send failing once with a 500, the retries went out on top of
    the pace: 12 requests within one sliding second. Exact pacing allows at most 11 in any
    second (both ends included); Telegram counts requests per second, so all are counted."""
    for chat in range(9, 41, 9):
        fake.fail("sendMessage", 500, chat_id=chat)

    async def scenario(db: AsyncOutbox, bot: Bot) -> Sender:
        sender, _ = await send_all(db, bot, range(1, 41),
                                   config=SenderConfig(rate=10, backoff=0.05))
        return sender

    sender = run(scenario, database_target, fake)
    assert sender.stats().retried == 4
    assert sorted(fake.delivered_to()) == list(range(1, 41))
    requests = [c.at for c in fake.calls_to("sendMessage")]
    assert len(requests) == 44
    assert max_in_window(requests) <= 11, max_in_window(requests)


def test_catching_up_never_makes_a_second_busier_than_the_rate() -> None:
    """The pacer's credit after falling behind (a slow claim) gave two sends at once, and
    so 11 in one second at 10/s: a second holds at most `rate` starts, however the calls
    come. No clock: `reserve` is given the moments it is called at."""
    pacer = Pacer(10, clock=lambda: 0.0)
    starts = [pacer.reserve(0.0), pacer.reserve(0.35)]  # fell behind by 0.25 s
    for _ in range(40):  # then called as soon as each send has started
        starts.append(pacer.reserve(starts[-1]))
    assert max_in_window(starts) <= 10
    assert starts[-1] - starts[1] < 40 / 10 + 0.001  # and the rate is kept once behind
    on_time = Pacer(10, clock=lambda: 0.0)
    exact = [on_time.reserve(0.1 * i) for i in range(30)]
    assert all(abs(a - 0.1 * i) < 1e-3 for i, a in enumerate(exact))  # exact pacing untouched


@contextmanager
def outbox_writes_blocked(target: DatabaseTarget) -> Iterator[None]:
    """Another connection holds what a write to the outbox needs, as a long transaction
    elsewhere would: SQLite's write lock, or every outbox row on PostgreSQL."""
    other = connect(target)
    try:
        with other.transaction() as db:
            if target.engine is Engine.POSTGRESQL:
                db.execute("SELECT 1 FROM outbox FOR UPDATE")
            yield
    finally:
        other.close()


async def row_states(db: AsyncOutbox, broadcast_id: int) -> dict[int, str]:
    rows = await db.call(lambda o: o.conn.execute(
        "SELECT chat_id, state FROM outbox WHERE broadcast_id = ?", (broadcast_id,)).fetchall())
    return {int(chat): state for chat, state in rows}


async def first_send_held(db: AsyncOutbox, bot: Bot,
                          fake: LimitedTelegram) -> tuple[int, Sender, asyncio.Task[None]]:
    """One subscriber, one broadcast, and a sender running until its send reaches the fake
    Bot API (which holds the reply): the broadcast, the sender and its task."""
    await db.call(lambda o: o.add_subscribers([1], "test", NOW))
    broadcast_id, _ = await db.call(lambda o: o.announce("hi", NOW))
    sender = Sender(db, bot, FAST)
    task = asyncio.create_task(sender.run())
    await wait_until(lambda: _true(len(fake.calls_to("sendMessage")) == 1))
    return broadcast_id, sender, task


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def test_a_result_that_cannot_be_written_is_retried_and_never_sent_twice(
        database_target: DatabaseTarget, fake: LimitedTelegram) -> None:
    """Before, a failed write of `sent` left the row in flight until the process restarted:
    the broadcast stayed unfinished (1 of 2 remaining) and the next start sent it again."""
    fake.holds["sendMessage"] = release_send = threading.Event()

    async def scenario(db: AsyncOutbox, bot: Bot) -> None:
        broadcast_id, sender, task = await first_send_held(db, bot, fake)
        with outbox_writes_blocked(db.target):  # the database is briefly unavailable
            release_send.set()
            await wait_until(lambda: _true(len(fake.sent_messages) == 1))
            await asyncio.sleep(1.0)  # the write of `sent` fails (lock timeout 0.2 s)
            assert sender.stats().unrecorded == 1  # shown in /healthz and /metrics
            assert sender.stats().record_failures >= 1
            # Elected again meanwhile (the loop restarts): what it knows was sent stays sent.
            await stop(task)
        task = asyncio.create_task(sender.run())

        async def finished() -> bool:
            progress = await db.call(lambda o: o.progress(broadcast_id))
            return progress is not None and progress.remaining == 0

        await wait_until(finished, timeout=10)
        await asyncio.sleep(0.3)  # a second send, if there were one, would be out by now
        await stop(task)
        assert fake.delivered_to() == [1]
        await sender.close()
        assert await row_states(db, broadcast_id) == {1: "sent"}
        assert sender.stats().unrecorded == 0 and sender.stats().sent == 1

    run(scenario, database_target, fake, busy_timeout_ms=200)


def test_a_result_never_written_is_sent_again_by_the_next_sender(
        database_target: DatabaseTarget, fake: LimitedTelegram) -> None:
    """The documented rule (at least once): a process that ends before it could write a
    send's result leaves the row in flight, and the next sender sends it again."""
    fake.holds["sendMessage"] = release_send = threading.Event()

    async def scenario(db: AsyncOutbox, bot: Bot) -> None:
        broadcast_id, first, task = await first_send_held(db, bot, fake)
        with outbox_writes_blocked(db.target):
            release_send.set()
            await wait_until(lambda: _true(first.stats().unrecorded == 1))
            await stop(task)
            await first.close()  # the process ends with the result still unwritten
        assert await row_states(db, broadcast_id) == {1: "sending"}
        second, _ = await send_all_queued(db, bot, broadcast_id)
        assert second.stats().recovered == 1 and second.stats().sent == 1
        assert await row_states(db, broadcast_id) == {1: "sent"}

    run(scenario, database_target, fake, busy_timeout_ms=200)
    assert fake.delivered_to() == [1, 1]


async def send_all_queued(db: AsyncOutbox, bot: Bot, broadcast_id: int,
                          config: SenderConfig = FAST, **options: Any) -> tuple[Sender, float]:
    """Run a new sender (built with `options`) until the broadcast is out; returns it and
    when it started."""
    sender = Sender(db, bot, config, **options)
    started = time.monotonic()
    task = asyncio.create_task(sender.run())

    async def finished() -> bool:
        progress = await db.call(lambda o: o.progress(broadcast_id))
        return progress is not None and progress.remaining == 0

    try:
        await wait_until(finished, timeout=20)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return sender, started

