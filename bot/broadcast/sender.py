"""Drain the outbox within Telegram's limits, surviving 429s, blocks, outages and crashes.

One dispatcher loop paces sends at `rate` per second overall and at most one per chat
per `per_chat_interval`; each send runs as its own task, at most `concurrency` at once,
so a slow request does not stall the pace and the event loop stays free for replies.

Exactly-once as far as a crash allows: a row is committed as `sending` before its
request goes out and as `sent` after the reply. After kill -9 only rows still marked
`sending` (at most `concurrency`) are sent again at start-up.

A result the database refuses (locked, unreachable) is kept in memory and written again
with backoff for as long as the process lives; meanwhile no new row is claimed, so what a
later crash can repeat stays bounded, and this process never sends that row again.
Given the sender lease (`fence`), every claim and every request first checks it is
still ours. A 429 pause is written to the database, so the next sender honours it too.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Protocol

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.broadcast import texts
from bot.broadcast.pacing import Pacer
from bot.broadcast.results import KeptResults
from bot.storage.async_outbox import AsyncOutbox
from bot.storage.connection import DatabaseError
from bot.storage.outbox import NotSender, Outbox, OutboxItem, Outcome

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
    unrecorded: int = 0  # results the database refused, kept and retried (now)
    record_failures: int = 0  # writes of a result that failed


class Fence(Protocol):
    """The sender lease as the sender sees it (`bot.broadcast.lease.Lease`)."""

    @property
    def token(self) -> int | None: ...

    async def may_send(self) -> bool: ...

    async def held(self) -> bool: ...


class LeaseLost(Exception):
    """Another process holds the sender lease now: send nothing more."""


class Sender:
    def __init__(self, db: AsyncOutbox, bot: Bot, config: SenderConfig | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 tell_admins: Callable[[str], Awaitable[None]] | None = None,
                 fence: Fence | None = None) -> None:
        self.db = db
        self.fence = fence  # None: the only sender (tests, tools)
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
        # Outlive a lost lease and a restarted loop: this process never sends those again.
        self._results = KeptResults(db, self.config.backoff)

    def wake(self) -> None:
        """New rows were queued: look now instead of at the next idle poll."""
        self._wake.set()

    def stats(self) -> SenderStats:
        return SenderStats(**self._counts, unrecorded=len(self._results),
                           record_failures=self._results.failures)

    async def run(self) -> None:
        """Send until cancelled or the lease is lost; on cancel, let the requests in flight
        finish and record them."""
        await self._results.flush()  # before taking rows back: those were sent
        queue: deque[OutboxItem] = deque()
        try:
            self._counts["recovered"] = await self._recover()
            if self._counts["recovered"]:
                log.warning("%d message(s) were in flight at the last stop; sending them again",
                            self._counts["recovered"])
            await self._resume_pause()
            while True:
                if not queue:
                    queue.extend(await self._fetch())
                    continue
                # Claim nothing while results wait: if this process ends now, only those
                # and the requests in flight are sent again.
                await self._results.all_written()
                item = queue.popleft()
                await self._dispatch(item)
        except LeaseLost:
            log.error("the sender lease is lost (taken by another process, or not renewed in"
                      " time): this process stops sending")
        finally:
            await self._drain_in_flight()

    async def _recover(self) -> int:
        """Take back the rows left in flight, only while the lease is ours: a process that
        lost it would take back the new sender's rows in flight, and they would go out
        twice."""
        while True:
            fence = None if self.fence is None else self.fence.token
            if self.fence is not None and fence is None:
                raise LeaseLost
            try:
                return await self.db.call(partial(Outbox.recover_in_flight, fence=fence))
            except NotSender:
                assert self.fence is not None
                if not await self.fence.held():
                    raise LeaseLost from None
                # Still ours, only expired unrenewed (this process was slow): renewed now.

    async def close(self) -> None:
        """The process ends: a last try to write the results the database refused."""
        await self._results.close()

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
            if not await self._may_send():
                raise LeaseLost
            token = None if self.fence is None else self.fence.token
            claimed = await self.db.call(lambda o: o.claim(item, self.clock(), token))
            if not claimed and self.fence is not None and not await self.fence.held():
                raise LeaseLost  # refused for the lease, not for the row
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
        except LeaseLost:
            # Not sent: the row stays in flight, and the lease's new holder sends it.
            log.warning("broadcast %s to chat %s not sent: no longer the sender",
                        item.broadcast_id, item.chat_id)
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
            if not await self._may_send():  # frozen past the lease, or it was taken
                raise LeaseLost
            try:
                # parse_mode=None: texts are plain, whatever the application's defaults say.
                await self.bot.send_message(item.chat_id, item.text, parse_mode=None)
            except RetryAfter as exc:
                seconds = retry_after_seconds(exc)
                self._pause(seconds)
                await self._share_pause(seconds)
                continue  # Telegram refused it, so resending cannot duplicate
            except Forbidden:
                self._counts["blocked"] += 1
                await self._results.write(Outcome(item, "blocked", self.clock()))
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
            self._counts["sent"] += 1
            await self._results.write(Outcome(item, "sent", self.clock()))
            return

    async def _record_failed(self, item: OutboxItem, error: str) -> None:
        self._counts["failed"] += 1
        log.warning("broadcast %s to chat %s failed: %s", item.broadcast_id, item.chat_id, error)
        await self._results.write(Outcome(item, "failed", self.clock(), error[:200]))

    async def _may_send(self) -> bool:
        return self.fence is None or await self.fence.may_send()

    # -- 429 pauses ----------------------------------------------------------------------

    def _pause(self, seconds: float) -> None:
        self._counts["throttled"] += 1
        self._hold(seconds)

    def _hold(self, seconds: float) -> None:
        until = time.monotonic() + seconds
        if until > self._paused_until:
            log.warning("Telegram asked to slow down: pausing broadcasts for %.0f s", seconds)
            self._paused_until = until
            self._pacer.hold_until(until)

    async def _share_pause(self, seconds: float) -> None:
        """Write the pause down, so the next sender (another replica) waits it out too."""
        try:
            await self.db.call(lambda o: o.pause_sending(seconds))
        except DatabaseError as exc:  # this process still waits; a takeover might not
            log.warning("the 429 pause could not be written to the database: %s", exc)

    async def _resume_pause(self) -> None:
        left = await self.db.call(lambda o: o.pause_left())
        if left > 0:
            self._hold(left)

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
