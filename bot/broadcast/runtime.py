"""Subscriptions, reminders and broadcasts as one part of the running bot.

The runner makes one `Broadcasting` and calls `start` after `Application.initialize()`
and before `Application.start()` (the outbox the subscription handlers use is open, if it
can be, before the first update), and `stop` before the application stops (the sends in
flight finish through its bot). Reminders follow reloads as a listener of the live
knowledge.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from telegram import Bot

from bot.broadcast.sender import SenderConfig
from bot.broadcast.service import BroadcastService
from bot.live import LiveKnowledge
from bot.storage.async_outbox import AsyncOutbox
from bot.storage.connection import DatabaseError, DatabaseTarget

log = logging.getLogger(__name__)
DEPTH_TIMEOUT = 2.0  # seconds a /metrics scrape waits for the outbox depth


class Broadcasting:
    def __init__(self, database: DatabaseTarget, clock: Callable[[], datetime],
                 config: SenderConfig, admins: Iterable[int] = (), *,
                 progress_every: float = 3.0) -> None:
        self.database = database
        self.admins = tuple(admins)  # told when a reminder or a send cannot go out
        self.clock = clock
        self.config = config
        self.progress_every = progress_every  # seconds between edits of a progress message
        self.outbox: AsyncOutbox | None = None  # None while the database cannot be opened
        self.service: BroadcastService | None = None
        self.retry_every = 5.0
        self.error: str | None = None  # why the database cannot be opened, while it cannot
        self._retry: asyncio.Task[None] | None = None
        self._live: LiveKnowledge | None = None

    @property
    def leading(self) -> bool:
        """True while this process is the one that sends (see `BroadcastService`)."""
        return self.service is not None and self.service.leading

    def wake(self) -> None:
        """A broadcast was queued in this process: send now, not at the next poll."""
        if self.service is not None:
            self.service.wake()

    async def start(self, bot: Bot, live: LiveKnowledge) -> None:
        """Open the outbox and start sending; without a database the bot still answers.

        A database that cannot be opened now (PostgreSQL still starting, a network blip) is
        tried again every `retry_every` seconds in the background until it can.
        """
        if not await self._open(bot, live):
            self._retry = asyncio.create_task(self._open_later(bot, live), name="broadcast-open")

    async def _open(self, bot: Bot, live: LiveKnowledge) -> bool:
        try:
            self.outbox = await AsyncOutbox.open(self.database)
        except DatabaseError as exc:
            if self.error != str(exc):
                log.error("subscriptions and broadcasts are off: cannot open %s: %s"
                          " (trying again every %g s)", self.database, exc, self.retry_every)
            self.error = str(exc)
            return False
        if self.error is not None:
            log.info("subscriptions and broadcasts are on again: %s is open", self.database)
            self.error = None
        self.service = BroadcastService(self.outbox, bot, live.knowledge, config=self.config,
                                        clock=self.clock, admins=self.admins,
                                        progress_every=self.progress_every)
        live.listen(self.service.knowledge_changed)  # no await since reading it: none missed
        self._live = live
        await self.service.start()
        return True

    async def _open_later(self, bot: Bot, live: LiveKnowledge) -> None:
        while True:
            await asyncio.sleep(self.retry_every)
            if await self._open(bot, live):
                return

    async def stop(self) -> None:
        if self._retry is not None:
            self._retry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retry
            self._retry = None
        if self.service is not None:
            if self._live is not None:
                self._live.unlisten(self.service.knowledge_changed)
            await self.service.stop()
            self.service = None
        if self.outbox is not None:
            await self.outbox.close()
            self.outbox = None

    def problem(self) -> dict[str, int] | None:
        """What /healthz shows while broadcasting is unwell; None while it is fine.

        Sent messages whose result the database refused: the broadcast cannot finish, and
        if this process ended now the next sender would send them again.
        """
        if self.service is None:
            return None
        unrecorded = self.service.stats().unrecorded
        return {"unrecorded_results": unrecorded} if unrecorded else None

    async def outbox_depth(self) -> int | None:
        """Outbox rows pending or in flight (read when /metrics is scraped); None before `start`."""
        if self.outbox is None:
            return None
        # Bounded: while the database holds the outbox's writes (a lock, an outage) its
        # thread is busy retrying them, and a scrape must not wait for that.
        return await asyncio.wait_for(self.outbox.call(lambda o: o.remaining()),
                                      DEPTH_TIMEOUT)
