"""Drain the outbox within Telegram's limits, surviving 429s, blocks, outages and crashes.

One dispatcher loop paces sends at `rate` per second overall and at most one per chat
per `per_chat_interval`; each send runs as its own task, at most `concurrency` at once,
so a slow request does not stall the pace and the event loop stays free for replies.

Exactly-once as far as a crash allows: a row is committed as `sending` before its
request goes out and as `sent` after the reply. After kill -9 only rows still marked
`sending` (at most `concurrency`) are sent again at start-up.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.broadcast import texts
from bot.storage.async_outbox import AsyncOutbox
from bot.storage.connection import DatabaseError
from bot.storage.outbox import OutboxItem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SenderConfig:
    rate: float = 25.0  # messages per second overall (Telegram allows ~30 for bulk sends)
    per_chat_interval: float = 1.0  # seconds between two messages to the same chat
    # Requests in flight at once, and so the most a crash can repeat. Pacing keeps the real
    # number near rate x latency (25/s x 0.1 s = 2-3); the cap only has to exceed that.
    concurrency: int = 8
    batch: int = 200  # candidate rows read from the database at a time
    idle_poll: float = 1.0  # seconds between looks for work queued by another process
    retries: int = 3  # extra attempts after a 5xx or network error
    backoff: float = 1.0  # first retry delay in seconds; doubles each time


@dataclass(frozen=True)
class SenderStats:
    sent: int
    failed: int
    blocked: int
    throttled: int  # 429 answers received
    retried: int  # 5xx/network errors retried
    recovered: int  # rows found in flight at start-up and sent again


class Pacer:
    """Spaces sends `1/rate` apart on an absolute schedule, so sleep overshoot never drifts,
    and never starts more than `rate` (rounded down) within any one second.

    Every request goes through it, retries included: Telegram counts them all, per
    second, and does not forgive a burst.
    """

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / rate
        # A little credit after falling behind keeps the average rate at high rates; the
        # window below keeps it from ever making a second busier than the rate.
        self.slack = max(self.interval, 0.05)
        self._clock = clock
        self._next = clock()
        self._recent: deque[float] = deque(maxlen=max(1, math.floor(rate)))  # last starts

    def hold_until(self, moment: float) -> None:
        """Start again at `moment` without a burst (after a 429 pause)."""
        self._next = max(self._next, moment)

    def reserve(self, now: float) -> float:
        """The moment the next send may start (not before `now`), counted as taken."""
        self._next = max(self._next, now - self.slack)
        start = max(self._next, now)
        if len(self._recent) == self._recent.maxlen:
            # Strictly more than a second after the send `rate` sends ago: then no second,
            # even one with both ends included, holds more than `rate` starts.
            earliest = self._recent[0] + 1.0 + 1e-6
            if earliest > start:
                start = self._next = earliest  # and go on evenly from there
        self._recent.append(start)
        self._next += self.interval
        return start

    async def wait(self) -> None:
        now = self._clock()
        delay = self.reserve(now) - now
        if delay > 0:
            await asyncio.sleep(delay)


class Sender:
    def __init__(self, db: AsyncOutbox, bot: Bot, config: SenderConfig | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 tell_admins: Callable[[str], Awaitable[None]] | None = None) -> None:
        self.db = db
        self.bot = bot
        self.config = config or SenderConfig()
        self.clock = clock
        self.tell_admins = tell_admins
        self._told: set[tuple[int, str]] = set()  # (broadcast, error type): told once
        self._pacer = Pacer(self.config.rate)
        self._slots = asyncio.Semaphore(self.config.concurrency)
        self._wake = asyncio.Event()
        self._paused_until = 0.0
        self._last_to_chat: dict[int, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._counts = {k: 0 for k in ("sent", "failed", "blocked", "throttled", "retried",
                                       "recovered")}

    def wake(self) -> None:
        """New rows were queued: look now instead of at the next idle poll."""
        self._wake.set()

    def stats(self) -> SenderStats:
        return SenderStats(**self._counts)

    async def run(self) -> None:
        """Send until cancelled; on cancel, let the requests in flight finish and record them."""
        self._counts["recovered"] = await self.db.call(lambda o: o.recover_in_flight())
        if self._counts["recovered"]:
            log.warning("%d message(s) were in flight at the last stop; sending them again",
                        self._counts["recovered"])
        queue: deque[OutboxItem] = deque()
        try:
            while True:
                if not queue:
                    queue.extend(await self._fetch())
                    continue
                item = queue.popleft()
                await self._dispatch(item)
        finally:
            await self._drain_in_flight()

    async def _fetch(self) -> list[OutboxItem]:
        """The next sendable rows; waits while there are none or all must cool down."""
        while True:
            self._wake.clear()
            batch = await self.db.call(lambda o: o.pending_batch(self.config.batch))
            now = time.monotonic()
            self._forget_cool(now)
            ready = [i for i in batch if i.chat_id not in self._last_to_chat]
            if ready:
                return ready
            if batch:  # everything waiting is for chats that just got a message
                await asyncio.sleep(min(self._cool_left(i.chat_id, now) for i in batch))
                continue
            await wait_event(self._wake, self.config.idle_poll)

    async def _dispatch(self, item: OutboxItem) -> None:
        # Sent to this chat within the last second (another broadcast): wait for it.
        while (wait := self._cool_left(item.chat_id, time.monotonic())) > 0:
            await asyncio.sleep(wait)
        await self._slots.acquire()
        try:
            claimed = await self.db.call(lambda o: o.claim(item, self.clock()))
            if claimed:
                # Paced after the claim, not before: the database's varying latency (a
                # PostgreSQL WAL flush) would otherwise bunch sends up at Telegram.
                await self._paced()
        except BaseException:
            self._slots.release()
            raise
        if not claimed:  # unsubscribed meanwhile: nothing to send
            self._slots.release()
            return
        self._last_to_chat[item.chat_id] = time.monotonic()
        task = asyncio.create_task(self._deliver(item))
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._slots.release()
        if not task.cancelled() and task.exception() is not None:
            log.error("broadcast send crashed", exc_info=task.exception())

    async def _deliver(self, item: OutboxItem) -> None:
        try:
            await self._attempt(item)
        except DatabaseError:
            raise  # not this row's fault: it stays in flight and is sent again at start-up
        except Exception as exc:
            # Anything else is about this row (a reply that cannot be read, a bug): record
            # it as failed, or it would stay in flight, be sent again at every start and keep
            # its broadcast from ever finishing.
            log.exception("broadcast %s to chat %s crashed", item.broadcast_id, item.chat_id)
            # An exception's text may hold a request URL, and so the token.
            reason = f"{type(exc).__name__}: {exc}".replace(self.bot.token, "<token>")
            await self._record_failed(item, reason)
            await self._tell_once(item.broadcast_id, type(exc).__name__, texts.SEND_PROBLEM.format(
                id=item.broadcast_id, reason=f"chat {item.chat_id}: {reason[:200]}"))

    async def _tell_once(self, broadcast_id: int, kind: str, text: str) -> None:
        if self.tell_admins is None or (broadcast_id, kind) in self._told:
            return
        self._told.add((broadcast_id, kind))
        await self.tell_admins(text)

    async def _attempt(self, item: OutboxItem) -> None:
        """Send one row; the dispatcher has paced the first attempt, retries pace here."""
        failures, retry = 0, False
        while True:
            if retry or self._paused_until > time.monotonic():  # or a 429 came in meanwhile
                await self._paced()
            retry = True
            try:
                # parse_mode=None: texts are plain, whatever the application's defaults say.
                await self.bot.send_message(item.chat_id, item.text, parse_mode=None)
            except RetryAfter as exc:
                self._pause(retry_after_seconds(exc))
                continue  # Telegram refused it, so resending cannot duplicate
            except Forbidden:
                await self.db.call(lambda o: o.record_blocked(item, self.clock()))
                self._counts["blocked"] += 1
                log.info("chat %s blocked the bot: unsubscribed", item.chat_id)
                return
            except BadRequest as exc:  # e.g. chat not found: retrying cannot help
                await self._record_failed(item, str(exc))
                return
            except NetworkError as exc:  # 5xx, timeouts, connection errors
                failures += 1
                if failures > self.config.retries:
                    await self._record_failed(item, str(exc))
                    return
                self._counts["retried"] += 1
                await asyncio.sleep(self.config.backoff * 2 ** (failures - 1))
                continue
            except TelegramError as exc:
                await self._record_failed(item, str(exc))
                return
            await self.db.call(lambda o: o.record(item, "sent", self.clock()))
            self._counts["sent"] += 1
            return

    async def _record_failed(self, item: OutboxItem, error: str) -> None:
        await self.db.call(lambda o: o.record(item, "failed", self.clock(), error[:200]))
        self._counts["failed"] += 1
        log.warning("broadcast %s to chat %s failed: %s", item.broadcast_id, item.chat_id, error)

    def _pause(self, seconds: float) -> None:
        self._counts["throttled"] += 1
        until = time.monotonic() + seconds
        if until > self._paused_until:
            log.warning("Telegram asked to slow down: pausing broadcasts for %.0f s", seconds)
            self._paused_until = until
            self._pacer.hold_until(until)

    async def _paced(self) -> None:
        """Wait for a send slot outside any 429 pause: every request goes through here."""
        while True:
            while (left := self._paused_until - time.monotonic()) > 0:
                await asyncio.sleep(left)
            await self._pacer.wait()
            if self._paused_until <= time.monotonic():
                return
            # A 429 came in while we waited: that slot is void; take one after the pause.

    def _cool_left(self, chat_id: int, now: float) -> float:
        last = self._last_to_chat.get(chat_id)
        return 0.0 if last is None else max(0.0, last + self.config.per_chat_interval - now)

    def _forget_cool(self, now: float) -> None:
        # Keeps the map to the chats of the last second, not every chat ever sent to.
        cutoff = now - self.config.per_chat_interval
        for chat_id in [c for c, t in self._last_to_chat.items() if t <= cutoff]:
            del self._last_to_chat[chat_id]

    async def _drain_in_flight(self, timeout: float = 10.0) -> None:
        if not self._tasks:
            return
        # Shielded: the tasks record `sent`, which keeps them from going out again.
        done, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in pending:
            task.cancel()


def retry_after_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked us to wait, in seconds."""
    with warnings.catch_warnings():
        # PTB 22 warns that `retry_after` becomes a timedelta in v23 (it is one already
        # when PTB_TIMEDELTA is set, as `llamabot run` does); accept both.
        warnings.simplefilter("ignore")
        value: int | float | timedelta = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def wait_event(event: asyncio.Event, seconds: float) -> None:
    """Wait for `event` or `seconds`, whichever comes first.

    Not `asyncio.wait_for`: on Python 3.11 it can swallow a cancellation that arrives as
    the event is set, and the loop would then outlive `stop()`.
    """
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        pass
