"""The broadcast service: sender, reminder scheduler and progress reporter as asyncio tasks.

Started after the Telegram `Application` (it sends through the application's bot) and
stopped before it shuts down, so the sends in flight can finish and be recorded. The
three loops run only while this process holds the sender lease (see `lease`); replicas
without it keep trying, and the first to get it after the holder dies takes over,
sending again what the dead holder left in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from telegram import Bot, InlineKeyboardMarkup

from bot.broadcast import texts
from bot.broadcast.lease import Lease, lease_for
from bot.broadcast.progress import (
    ProgressReporter,
    notice_messages,
    send_notices,
    stop_markup,
)
from bot.broadcast.reminders import ReminderScheduler, SyncPlan
from bot.broadcast.sender import Sender, SenderConfig, SenderStats
from bot.core.knowledge import Knowledge
from bot.storage.async_outbox import AsyncOutbox
from bot.storage.outbox import Outbox

log = logging.getLogger(__name__)
FREE_BULK_RATE = 30  # messages/s Telegram allows for bulk sends without paid broadcasts


class BroadcastService:
    def __init__(self, db: AsyncOutbox, bot: Bot, knowledge: Knowledge, *,
                 config: SenderConfig | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 progress_every: float = 3.0, lease: Lease | None = None,
                 elect_every: float = 1.0, admins: Iterable[int] = ()) -> None:
        self.db = db
        self.bot = bot
        self.admins = tuple(sorted(admins))  # told about reminders or sends that cannot go out
        self.lease = lease or lease_for(db.target)
        self.sender = Sender(db, bot, config, clock, tell_admins=self.tell_admins,
                             fence=self.lease)
        # Every leader-only write and edit checks the lease's epoch: a process woken after
        # another took the lease may run a round of any loop before it learns it lost it.
        self.scheduler = ReminderScheduler(db, knowledge, clock, self.sender.wake,
                                           tell_admins=self.tell_admins, fence=self.lease,
                                           on_fired=self._tell_reminders)
        self.progress = ProgressReporter(db, bot, clock, fence=self.lease)
        self.progress_every = progress_every  # edits per admin chat stay far below 1/s
        self.elect_every = elect_every  # how soon a replica notices the sender is gone
        self.leading = False
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is not None:
            return
        self._task = self._spawn(self._lead, "lease")
        rate = self.sender.config.rate
        log.info("broadcast service started (%g msg/s)", rate)
        if rate > FREE_BULK_RATE:
            # Telegram answers 429 above ~30/s unless paid broadcasts are enabled for the
            # bot; the sender copes (it pauses), but the configured rate will not be met.
            log.warning("LLAMABOT_BROADCAST_RATE=%g is above Telegram's ~%d/s for bulk messages"
                        " without paid broadcasts", rate, FREE_BULK_RATE)

    async def stop(self) -> None:
        """Stop sending; the sender first lets its requests in flight finish."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        # Bounded: shutdown must go on even if a loop ignored its cancellation.
        _, stuck = await asyncio.wait([task], timeout=20)
        if stuck:
            log.error("the broadcast service did not stop in time")
        await self.sender.close()  # results the database refused: a last try
        await self.lease.release()
        log.info("broadcast service stopped")

    async def _lead(self) -> None:
        """Wait for the sender lease, run the loops while it is ours, and start over."""
        contested = False  # another process held the lease while we waited
        while True:
            if not await self.lease.acquire():
                contested = True
                await asyncio.sleep(self.elect_every)
                continue
            if contested:
                # The last holder may have sent up to a second ago: wait that second out so
                # Telegram's per-second limits (overall and per chat) see one sender, not two.
                await asyncio.sleep(self.sender.config.per_chat_interval)
            log.info("this process is the broadcast sender")
            self.leading = True
            tasks = [
                self._spawn(self.sender.run, "sender"),
                self._spawn(self.scheduler.run, "reminders"),
                self._spawn(self._report_progress, "progress"),
            ]
            try:
                while await self.lease.held():
                    await asyncio.sleep(self.elect_every)
                log.error("lost the sender lease (not renewed in time, or its database"
                          " connection is gone): not sending")
                contested = True  # someone else may hold it by the time we get it back
            finally:
                self.leading = False
                await self._stop_loops(tasks)

    async def _stop_loops(self, tasks: list[asyncio.Task[None]]) -> None:
        for task in tasks:
            task.cancel()
        _, stuck = await asyncio.wait(tasks, timeout=15)
        for task in stuck:
            log.error("%s did not stop in time", task.get_name())
        with contextlib.suppress(Exception):  # a last progress edit is nice to have
            await self.progress.update()  # only while the lease is still ours (a stop)

    def knowledge_changed(self, knowledge: Knowledge) -> None:
        """A listener of the live knowledge: reminders follow the new events."""
        self.scheduler.knowledge_changed(knowledge)

    async def resync(self) -> SyncPlan:
        """Sync reminders with the knowledge now."""
        return await self.scheduler.resync()

    def wake(self) -> None:
        """A broadcast was queued in this process: start sending now."""
        self.sender.wake()

    def stats(self) -> SenderStats:
        return self.sender.stats()

    async def tell_admins(self, text: str) -> None:
        """Send `text` to every admin (plain text); one who cannot be reached is logged."""
        await self._tell([text])

    async def _tell(self, messages: list[str],
                    markup: InlineKeyboardMarkup | None = None) -> None:
        await send_notices(self.bot, self.admins, messages, markup)

    async def _tell_reminders(self, ids: list[int]) -> None:
        """Each reminder queued, word for word, with ⏹: an event's text and link reach every
        subscriber as a broadcast does, and an upload from a stolen account can set them."""
        for broadcast_id in ids:
            progress = await self.db.call(partial(Outbox.progress, broadcast_id=broadcast_id))
            if progress is None:
                continue
            await self._tell(notice_messages(texts.REMINDER_QUEUED, progress.text,
                                             id=broadcast_id, count=progress.total),
                             stop_markup(broadcast_id))

    def _spawn(self, job: Callable[[], Coroutine[Any, Any, None]],
               name: str) -> asyncio.Task[None]:
        return asyncio.create_task(self._guard(job, name), name=f"broadcast-{name}")

    async def _guard(self, job: Callable[[], Coroutine[Any, Any, None]], name: str) -> None:
        # A bug in one loop must not end broadcasts for good: log it and start over.
        while True:
            try:
                await job()
                return
            except Exception:
                log.exception("broadcast %s loop failed; restarting in 5 s", name)
                await asyncio.sleep(5)

    async def _report_progress(self) -> None:
        while True:
            await asyncio.sleep(self.progress_every)
            await self.progress.update()
