"""Subscriptions, reminders and broadcasts as one part of the running bot.

The bot runtime makes one `Broadcasting`, passes `add_handlers` among the application's
extensions (so /subscribe and friends come before the catch-alls), then calls `start`
after `Application.initialize()` and before `Application.start()` (the handlers'
dependencies exist before the first update), and `stop` before the application stops
(the sends in flight finish through its bot). Reloads need no call: the scheduler reads
`knowledge()` every few seconds and resyncs when it is a new object.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from telegram.ext import Application

from bot.broadcast.db import AsyncOutbox
from bot.broadcast.sender import SenderConfig
from bot.broadcast.service import BroadcastService, sender_config
from bot.core.knowledge import Knowledge
from bot.storage.connection import DatabaseError, DatabaseTarget
from bot.storage.outbox import SubscriberCounts
from bot.tg import subscriptions

log = logging.getLogger(__name__)


class Broadcasting:
    def __init__(self, database: DatabaseTarget, is_admin: Callable[[int | None], bool],
                 clock: Callable[[], datetime], config: SenderConfig | None = None,
                 admins: Iterable[int] = ()) -> None:
        self.database = database
        self.is_admin = is_admin
        self.admins = tuple(admins)  # told when a reminder or a send cannot go out
        self.clock = clock
        self.config = config or sender_config()  # ConfigError for a bad LLAMABOT_BROADCAST_RATE
        self.outbox: AsyncOutbox | None = None
        self.service: BroadcastService | None = None
        self.retry_every = 5.0
        self.error: str | None = None  # why the database cannot be opened, while it cannot
        self._retry: asyncio.Task[None] | None = None

    def add_handlers(self, application: Application) -> None:  # type: ignore[type-arg]
        """An application extension: the subscription and /broadcast handlers."""
        subscriptions.add_handlers(application)

    async def start(self, application: Application,  # type: ignore[type-arg]
                    knowledge: Callable[[], Knowledge]) -> None:
        """Open the outbox and start sending; without a database the bot still answers.

        A database that cannot be opened now (PostgreSQL still starting, a network blip) is
        tried again every `retry_every` seconds in the background until it can.
        """
        if not await self._open(application, knowledge):
            self._retry = asyncio.create_task(self._open_later(application, knowledge),
                                              name="broadcast-open")

    async def _open(self, application: Application,  # type: ignore[type-arg]
                    knowledge: Callable[[], Knowledge]) -> bool:
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
        self.service = BroadcastService(self.outbox, application.bot, knowledge,
                                        config=self.config, clock=self.clock,
                                        admins=self.admins)
        subscriptions.attach(application, subscriptions.SubscriptionDeps(
            self.outbox, self.is_admin, self.clock, self.service.wake))
        await self.service.start()
        return True

    async def _open_later(self, application: Application,  # type: ignore[type-arg]
                          knowledge: Callable[[], Knowledge]) -> None:
        while True:
            await asyncio.sleep(self.retry_every)
            if await self._open(application, knowledge):
                return

    async def stop(self) -> None:
        if self._retry is not None:
            self._retry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retry
            self._retry = None
        if self.service is not None:
            await self.service.stop()
            self.service = None
        if self.outbox is not None:
            await self.outbox.close()
            self.outbox = None

    async def outbox_depth(self) -> int | None:
        """Outbox rows pending or in flight (read when /metrics is scraped); None before `start`."""
        if self.outbox is None:
            return None
        return await self.outbox.call(lambda o: o.remaining())

    async def subscriber_counts(self) -> SubscriberCounts | None:
        """For /stats; None before `start`."""
        if self.outbox is None:
            return None
        return await self.outbox.call(lambda o: o.subscriber_counts())
