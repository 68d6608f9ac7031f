"""Concurrent update processing that keeps each chat's updates in order.

PTB processes updates one at a time by default, so one slow Bot API call (a 429 retry,
a slow network) holds up every other user. Fully concurrent processing fixes that but
may answer a user's two quick questions out of order. This processor runs different
chats concurrently and the updates of one chat strictly in arrival order.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.metrics import Metrics


def order_key(update: object) -> int | None:
    """The chat (or, for inline queries, the user) whose updates must stay in order."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """At most `max_running` updates run at once, one per chat at a time.

    PTB takes a slot of its own semaphore before calling `do_process_update`. If that
    were the real limit, one flooding chat could park every slot on its own lock and stall
    everybody else; so PTB's limit is set high and the real one is taken after the lock.
    Four lanes measured best in tests/bench/bench_bot.py: more only add connection-pool
    and scheduling work on a CPU-bound bot, while four already keep a slow chat (a 429
    wait) from holding up the rest.

    With `metrics`, every update is counted and its time from here (waiting behind the
    chat's earlier updates included) to its handlers' end goes into the latency histogram.
    `arrival` is told of each update as it arrives, before it waits its turn, and may
    return what to call once it has been handled (the conversation context's read starts
    there, so that updates arriving together are read together).
    """

    def __init__(self, max_running: int = 4, max_waiting: int = 1024,
                 metrics: Metrics | None = None,
                 arrival: Callable[[object], Callable[[], None] | None] | None = None) -> None:
        super().__init__(max_waiting)
        self._metrics = metrics
        self._arrival = arrival
        self._slots = asyncio.Semaphore(max_running)
        # key -> (lock, number of updates holding or waiting for it); dropped at zero so
        # the map holds only chats with updates in flight.
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        handled = self._arrival(update) if self._arrival is not None else None
        try:
            if self._metrics is None:
                await self._process(update, coroutine)
                return
            started = time.perf_counter()
            try:
                await self._process(update, coroutine)
            finally:
                self._metrics.latency.observe(time.perf_counter() - started)
                self._metrics.updates.inc()
        finally:
            if handled is not None:
                handled()

    async def _process(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = order_key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock, self._slots:
                await coroutine
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
