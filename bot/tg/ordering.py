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
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.metrics import Metrics

# How the update being handled waits: set by the processor for the task it runs it in.
_WAIT: ContextVar[Callable[[float], Awaitable[None]] | None] = ContextVar("wait", default=None)


async def pause(seconds: float) -> None:
    """Wait `seconds` (a 429's retry_after) without holding one of the processor's slots:
    four chats told to wait must not stall every other chat meanwhile. The chat's own
    order is kept: its lock is still held."""
    wait = _WAIT.get()
    await (wait(seconds) if wait is not None else asyncio.sleep(seconds))


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
            await self._in_a_slot(coroutine)
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                await self._in_a_slot(coroutine)
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def _in_a_slot(self, coroutine: Awaitable[Any]) -> None:
        """Run `coroutine` holding a slot, which `pause` gives up while it waits."""
        await self._slots.acquire()
        held = True

        async def wait(seconds: float) -> None:
            nonlocal held
            self._slots.release()
            held = False
            await asyncio.sleep(seconds)
            await self._slots.acquire()
            held = True

        token = _WAIT.set(wait)
        try:
            await coroutine
        finally:
            _WAIT.reset(token)
            if held:
                self._slots.release()

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
