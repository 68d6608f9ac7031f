"""Concurrent update processing that keeps each chat's updates in order.

PTB processes updates one at a time by default, so one slow Bot API call (a 429 retry,
a slow network) holds up every other user. Fully concurrent processing fixes that but
may answer a user's two quick questions out of order. This processor runs different
chats concurrently and the updates of one chat strictly in arrival order.

A chat's updates wait for their turn in a bounded queue: a group answered no faster than
Telegram allows (bot.tg.pacing) while it asks faster would otherwise pile up without end.
Past the bound the oldest update still waiting is dropped unanswered, logged and counted
(`dropped`): in a busy group the latest questions are the ones still being read.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.metrics import Metrics

log = logging.getLogger(__name__)
# How the update being handled waits: set by the processor for the task it runs it in.
_WAIT: ContextVar[Callable[[float], Awaitable[None]] | None] = ContextVar("wait", default=None)


async def pause(seconds: float) -> None:
    """Wait `seconds` (a 429's retry_after) without holding one of the processor's slots:
    four chats told to wait must not stall every other chat meanwhile. The chat's own
    order is kept: its lock is still held."""
    wait = _WAIT.get()
    await (wait(seconds) if wait is not None else asyncio.sleep(seconds))


@dataclass
class _Lane:
    """One chat's updates: the one running holds the lane; the others wait in order, each
    told True (its turn) or False (dropped)."""

    waiting: deque[asyncio.Future[bool]] = field(default_factory=deque)


def in_update() -> bool:
    """Whether the caller runs for an update (a reply), not in a background task."""
    return _WAIT.get() is not None


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

    PTB's `process_update` takes a slot of its own semaphore before `do_process_update`,
    so an update waiting in its chat's queue would hold one: fifty flooding groups (21
    waiting each) would fill any fixed number and stall every other chat behind them. So
    `process_update` is overridden without it, and the only limit is taken after the
    chat's turn (the chat queues bound what waits).
    Four lanes measured best in tests/bench/bench_bot.py: more only add connection-pool
    and scheduling work on a CPU-bound bot, while four already keep a slow chat (a 429
    wait) from holding up the rest.

    With `metrics`, every update is counted and its time from here (waiting behind the
    chat's earlier updates included) to its handlers' end goes into the latency histogram.
    `arrival` is told of each update as it arrives, before it waits its turn, and may
    return what to call once it has been handled (the conversation context's read starts
    there, so that updates arriving together are read together).

    At most `chat_queue` updates of one chat wait behind the one running; past that the
    oldest waiting is dropped (see the module).
    """

    def __init__(self, max_running: int = 4, metrics: Metrics | None = None,
                 arrival: Callable[[object], Callable[[], None] | None] | None = None,
                 chat_queue: int = 20) -> None:
        # PTB runs updates concurrently only when this is above one; its semaphore is
        # never taken (see `process_update`).
        super().__init__(max(2, max_running))
        self._metrics = metrics
        self._arrival = arrival
        self._slots = asyncio.Semaphore(max_running)
        self._chat_queue = chat_queue
        # Chats with an update running; removed when the last one ends, so the map holds
        # only chats with updates in flight.
        self._lanes: dict[int, _Lane] = {}
        self.dropped = 0  # updates dropped unanswered from a full chat queue

    async def process_update(  # type: ignore[misc]  # PTB marks it final for typing only
            self, update: object, coroutine: Awaitable[Any]) -> None:
        """What PTB's Application calls for each update: as PTB's, but without its
        semaphore, which an update waiting behind its own chat must not hold."""
        await self.do_process_update(update, coroutine)

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
        if not await self._turn(key):
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # never run: no "never awaited" warning
            self.dropped += 1
            log.warning("chat %s: more than %d updates waiting; update %s dropped unanswered",
                        key, self._chat_queue, getattr(update, "update_id", None))
            return
        try:
            await self._in_a_slot(coroutine)
        finally:
            self._pass_on(key)

    async def _turn(self, key: int) -> bool:
        """Wait for the chat's earlier updates; False if this one was dropped meanwhile."""
        lane = self._lanes.get(key)
        if lane is None:
            self._lanes[key] = _Lane()
            return True
        if len(lane.waiting) >= self._chat_queue:
            lane.waiting.popleft().set_result(False)
        turn: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        lane.waiting.append(turn)
        try:
            return await turn
        except asyncio.CancelledError:
            if turn in lane.waiting:
                lane.waiting.remove(turn)
            elif turn.done() and not turn.cancelled() and turn.result():
                self._pass_on(key)  # given the turn just as it was cancelled: hand it on
            raise

    def _pass_on(self, key: int) -> None:
        """The running update of `key` ended: the next waiting one runs."""
        lane = self._lanes[key]
        if lane.waiting:
            lane.waiting.popleft().set_result(True)
        else:
            del self._lanes[key]

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
