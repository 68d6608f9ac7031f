"""Send the bot's messages within Telegram's limits: per chat, overall, and after a 429.

Telegram takes about 20 messages a minute in one group, about one a second in a private
chat (short bursts pass) and about 30 a second overall; past them it answers 429 with
`retry_after`, and a chat sent to again before that time gets another 429. `ChatPacer` is
the bot's rate limiter (PTB's hook that every request passes through): a reply waits for its
chat's and the overall slot, and a chat told to wait is sent nothing until then. Requests
made outside an update (the broadcast sender, which paces itself at its own rate) wait for a
429 and the overall slot, and are counted in a group's window.

A message waits with `bot.tg.ordering.pause`: without a processor slot, so other chats go
on, but with its chat's turn, so the chat's later updates queue behind it in order; the
processor bounds that queue (`PaceLimits.queue`), shares it fairly among a group's members
and past the bound drops the oldest update of whoever has most waiting.

A group upgraded to a supergroup has a new id; a message to the old one is refused with
`ChatMigrated`. It is sent once more to the new id, and the listeners (`on_moved`) move
what is kept under the old id.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram.error import ChatMigrated, RetryAfter
from telegram.ext import BaseRateLimiter

from bot.broadcast.pacing import Pacer
from bot.broadcast.sender import retry_after_seconds
from bot.tg.ordering import in_update, pause

log = logging.getLogger(__name__)
ChatKey = int | str  # a chat id, or a public chat's @username
Moved = Callable[[int, int], Awaitable[None]]  # (old chat id, new chat id)
Result = bool | dict[str, Any] | list[dict[str, Any]]  # a Bot API call's result
Callback = Callable[..., Coroutine[Any, Any, Result]]
# Requests that post a message into a chat, and so count against its limit.
MAX_STEP = 1.0  # seconds a waiting message sleeps before it looks again
_MESSAGES = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})


@dataclass(frozen=True)
class Window:
    """At most `messages` messages in any `seconds` seconds."""

    messages: int
    seconds: float


@dataclass(frozen=True)
class PaceLimits:
    group: Window = Window(20, 60.0)  # Telegram: 20 messages a minute in one group
    # About one a second on average, with the short bursts Telegram lets through: a user's
    # quick questions, a long answer in several messages.
    private: Window = Window(10, 10.0)
    overall: float | None = 30.0  # messages a second to all chats together; None: no limit
    # Updates a chat may have waiting behind the one being answered; past it the oldest
    # waiting of the sender with most is dropped unanswered (a minute of a group's answers:
    # later ones are stale).
    queue: int = 20


@dataclass
class _Chat:
    sent: deque[float]  # when its last `window.messages` messages went out
    held_until: float = 0.0  # a 429's end
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one request decides at a time
    waiting: int = 0  # requests waiting here for their turn


class ChatWindows:
    """When each chat may be sent its next message: its sliding window and any 429 wait.
    Pure (times are passed in) and bounded: `sweep` forgets chats that are free again."""

    def __init__(self, limits: PaceLimits) -> None:
        self.limits = limits
        self.chats: dict[ChatKey, _Chat] = {}

    def window(self, chat: ChatKey) -> Window:
        # Groups, supergroups and channels have negative ids (or an @username).
        return self.limits.group if isinstance(chat, str) or chat < 0 else self.limits.private

    def of(self, chat: ChatKey) -> _Chat:
        state = self.chats.get(chat)
        if state is None:
            state = self.chats[chat] = _Chat(deque(maxlen=self.window(chat).messages))
        return state

    def ready_at(self, chat: ChatKey, now: float, message: bool = True) -> float:
        """The earliest moment (not before `now`) for a request to `chat`; a `message`
        also waits for room in the chat's window."""
        state = self.of(chat)
        at = max(now, state.held_until)
        if message and len(state.sent) == state.sent.maxlen:
            at = max(at, state.sent[0] + self.window(chat).seconds)
        return at

    def took(self, chat: ChatKey, at: float) -> None:
        self.of(chat).sent.append(at)

    def hold(self, chat: ChatKey, until: float) -> None:
        state = self.of(chat)
        state.held_until = max(state.held_until, until)

    def sweep(self, now: float) -> None:
        for chat, state in list(self.chats.items()):
            last = state.sent[-1] if state.sent else float("-inf")
            if (state.waiting == 0 and state.held_until <= now
                    and last <= now - self.window(chat).seconds):
                del self.chats[chat]


class ChatPacer(BaseRateLimiter[None]):
    """The bot's rate limiter (see the module). `clock` and `sleep` are injectable, so a
    test can step time; `sleep` must give up the update's processor slot, as `pause` does.
    """

    def __init__(self, limits: PaceLimits | None = None, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = pause) -> None:
        self.limits = limits or PaceLimits()
        self.windows = ChatWindows(self.limits)
        self._overall = Pacer(self.limits.overall, clock) if self.limits.overall else None
        self._clock = clock
        self._sleep = sleep
        self._moved: list[Moved] = []
        self._last_sweep = clock()
        self._stopping = False
        self.throttled = 0  # 429s Telegram answered
        self.moved = 0  # messages sent on to a supergroup's new id

    def on_moved(self, listener: Moved) -> None:
        """Call `listener(old, new)` when a send finds that a group has a new id."""
        self._moved.append(listener)

    def waiting(self, chat: ChatKey) -> int:
        """Requests to `chat` waiting for their turn now."""
        state = self.windows.chats.get(chat)
        return 0 if state is None else state.waiting

    def stop(self) -> None:
        """The bot is stopping: messages still waiting give up (within a second) instead of
        holding the shutdown for up to a minute; each is logged by the error handler."""
        self._stopping = True

    async def initialize(self) -> None:
        self._stopping = False

    async def shutdown(self) -> None:
        pass

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Result:
        chat = _chat_of(data.get("chat_id"))
        if chat is None:  # callback answers, inline answers, getMe: no chat to pace
            return await callback(*args, **kwargs)
        message = endpoint in _MESSAGES or (
            endpoint.startswith("send") and endpoint != "sendChatAction")
        try:
            return await self._request(chat, message, callback, args, kwargs)
        except ChatMigrated as exc:
            old, new = chat, exc.new_chat_id
            log.info("chat %s is now the supergroup %s: %s sent there", old, new, endpoint)
            if isinstance(old, int):
                for listener in self._moved:
                    await listener(old, new)
            data["chat_id"] = new  # `args` hold this same dict
            self.moved += 1
            return await self._request(new, message, callback, args, kwargs)  # once

    async def _request(self, chat: ChatKey, message: bool, callback: Callback, args: Any,
                       kwargs: dict[str, Any]) -> Result:
        await self._turn(chat, message)
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            seconds = retry_after_seconds(exc)
            self.throttled += 1
            self.windows.hold(chat, self._clock() + seconds)
            log.warning("chat %s: Telegram asks to wait %.0f s; its messages wait until then",
                        chat, seconds)
            raise

    async def _turn(self, chat: ChatKey, message: bool) -> None:
        """Wait until `chat` may be sent a request (and the overall pace, for a message)."""
        self._sweep()
        state = self.windows.of(chat)
        state.waiting += 1
        try:
            if not message:  # an edit or a deletion: only a 429 holds it
                await self._until_ready(chat, message=False)
                return
            if not in_update():
                # A broadcast (no update): the sender keeps each chat's pace itself, so
                # only a 429 and the overall pace hold it (replies and broadcasts together
                # stay within it); in a group it is counted in the window, so that replies
                # leave room for it.
                await self._until_ready(chat, message=False)
                await self._overall_turn()
                if self.windows.window(chat) is self.limits.group:
                    self.windows.took(chat, self._clock())
                return
            async with state.lock:  # the chat's messages take their slots in order
                await self._until_ready(chat, message)
                await self._overall_turn()
                self.windows.took(chat, self._clock())
        finally:
            state.waiting -= 1

    async def _overall_turn(self) -> None:
        """Wait for the message's slot in the overall pace (`PaceLimits.overall`)."""
        if self._overall is not None:
            start = self._overall.reserve(self._clock())
            while (delay := start - self._clock()) > 0:
                await self._wait(delay)

    async def _until_ready(self, chat: ChatKey, message: bool) -> None:
        # Asked again after each wait: a 429 may have come in meanwhile.
        while (delay := self.windows.ready_at(chat, self._clock(), message)
               - self._clock()) > 0:
            await self._wait(delay)

    async def _wait(self, delay: float) -> None:
        # In steps of a second at most, so that `stop` is noticed.
        if self._stopping:
            raise RetryAfter(max(1, math.ceil(delay)))
        await self._sleep(min(delay, MAX_STEP))

    def _sweep(self) -> None:
        now = self._clock()
        if now - self._last_sweep >= self.limits.group.seconds:
            self._last_sweep = now
            self.windows.sweep(now)


def _chat_of(value: object) -> ChatKey | None:
    """A request's chat: an int id (sent as an int or a numeric string) or an @username."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value or None
    return None
