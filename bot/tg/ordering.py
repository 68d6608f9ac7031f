"""Concurrent update processing that keeps each chat's updates in order, senders in turn.

PTB processes updates one at a time by default, so one slow Bot API call (a 429 retry,
a slow network) holds up every other user. Fully concurrent processing fixes that but
may answer a user's two quick questions out of order. This processor runs different
chats concurrently and the updates of one chat one at a time, each sender's strictly in
arrival order.

A chat's updates wait for their turn in a bounded queue: a group answered no faster than
Telegram allows (bot.tg.pacing) while it asks faster would otherwise pile up without end.
Past the bound an update still waiting is dropped unanswered, logged and counted
(`dropped`): in a busy group the latest questions are the ones still being read.
A group's replies are shared by its members (`FairQueue`): one member asking on and on,
even within their own flood limit, would otherwise take every reply the group is allowed
and push everyone else's questions out of the queue.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.metrics import Metrics
from bot.tg.addressed import speaker

log = logging.getLogger(__name__)
T = TypeVar("T")
# How the update being handled waits: set by the processor for the task it runs it in.
_WAIT: ContextVar[Callable[[float], Awaitable[None]] | None] = ContextVar("wait", default=None)


async def pause(seconds: float) -> None:
    """Wait `seconds` (a 429's retry_after) without holding one of the processor's slots:
    four chats told to wait must not stall every other chat meanwhile. The chat's own
    order is kept: its lock is still held."""
    wait = _WAIT.get()
    await (wait(seconds) if wait is not None else asyncio.sleep(seconds))


@dataclass(frozen=True, eq=False)
class _Waiting(Generic[T]):
    sender: int | None
    round: int  # served in rounds: every waiting sender's oldest update, then their next
    arrival: int
    item: T


class FairQueue(Generic[T]):
    """One chat's waiting updates, its senders taken in turn; pure, so it tests with plain
    calls.

    Each sender's updates are numbered in rounds from the round being served: their next
    update waits for the others' turns, a newcomer's only for the round under way. Past
    `bound`, the oldest update of the sender with most waiting (the newcomer counted) is
    dropped: a flood costs its sender, not someone's single question. With one sender (a
    private chat) this is first come, first served, the oldest dropped.
    """

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self._waiting: list[_Waiting[T]] = []
        self._round = 0  # the round of the update running
        self._last: dict[int | None, int] = {}  # each sender's latest round, while ahead
        self._arrivals = 0

    def __len__(self) -> int:
        return len(self._waiting)

    def ran(self, sender: int | None) -> None:
        """`sender`'s update runs without waiting: their next one waits a round."""
        self._last[sender] = max(self._round, self._last.get(sender, self._round))

    def push(self, sender: int | None, item: T) -> T | None:
        """Queue `item` of `sender`; returns the item dropped to keep to the bound, if any."""
        last = self._last.get(sender)
        round_ = self._round if last is None else max(self._round, last + 1)
        self._last[sender] = round_
        self._arrivals += 1
        self._waiting.append(_Waiting(sender, round_, self._arrivals, item))
        if len(self._waiting) <= self.bound:
            return None
        counts = Counter(w.sender for w in self._waiting)
        # The oldest waiting of the senders with most: list order is arrival order.
        victim = next(w for w in self._waiting if counts[w.sender] == max(counts.values()))
        self._waiting.remove(victim)
        return victim.item

    def pop(self) -> T | None:
        """The next update's turn: the earliest round, then the earliest arrival."""
        if not self._waiting:
            return None
        first = min(self._waiting, key=lambda w: (w.round, w.arrival))
        self._waiting.remove(first)
        self._round = first.round
        # A sender not ahead of this round starts in it anyway: memory stays with the queue.
        self._last = {s: r for s, r in self._last.items() if r >= self._round}
        return first.item

    def remove(self, item: T) -> bool:
        """Take `item` out (its update was cancelled); False if it no longer waits."""
        for waiting in self._waiting:
            if waiting.item is item:
                self._waiting.remove(waiting)
                return True
        return False


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


def sender_key(update: object) -> int | None:
    """Who sent `update` within its chat (`addressed.speaker`)."""
    if not isinstance(update, Update):
        return None
    return speaker(update.effective_message, update.effective_user)


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

    At most `chat_queue` updates of one chat wait behind the one running, taken and dropped
    fairly among its senders (`FairQueue`).
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
        self._lanes: dict[int, FairQueue[asyncio.Future[bool]]] = {}
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
        sender = sender_key(update)
        if not await self._turn(key, sender):
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # never run: no "never awaited" warning
            self.dropped += 1
            log.warning("chat %s: more than %d updates waiting; update %s of sender %s "
                        "dropped unanswered", key, self._chat_queue,
                        getattr(update, "update_id", None), sender)
            return
        try:
            await self._in_a_slot(coroutine)
        finally:
            self._pass_on(key)

    async def _turn(self, key: int, sender: int | None) -> bool:
        """Wait for this update's turn in its chat; False if it was dropped meanwhile."""
        lane = self._lanes.get(key)
        if lane is None:
            self._lanes[key] = lane = FairQueue(self._chat_queue)
            lane.ran(sender)
            return True
        turn: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        dropped = lane.push(sender, turn)
        if dropped is not None:
            dropped.set_result(False)
        try:
            return await turn
        except asyncio.CancelledError:
            if not lane.remove(turn) and turn.done() and not turn.cancelled() and turn.result():
                self._pass_on(key)  # given the turn just as it was cancelled: hand it on
            raise

    def _pass_on(self, key: int) -> None:
        """The running update of `key` ended: the next waiting one runs."""
        turn = self._lanes[key].pop()
        if turn is not None:
            turn.set_result(True)
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
