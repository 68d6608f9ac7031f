"""Per-user flood control: past `limit` updates in `window` seconds, warn once, then drop.

`FloodGate` counts (pure, clock-injected); `flood_gate` is the handler that runs it
before every other handler.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from enum import Enum

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.tg import texts
from bot.tg.addressed import addressed_text, speaker, thread_of

log = logging.getLogger(__name__)
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


class Verdict(Enum):
    PASS = "pass"
    WARN = "warn"  # first update over the limit: tell the user once
    DROP = "drop"  # further updates in the same window: ignore silently


class FloodGate:
    """Sliding-window counter per sender id (a user's, or the chat they speak as); pure and
    clock-injected so it tests without sleeping."""

    def __init__(self, limit: int = 20, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}
        self._last_sweep = clock()

    def check(self, user_id: int) -> Verdict:
        now = self._clock()
        self._sweep(now)
        hits = self._hits.setdefault(user_id, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            self._warned.pop(user_id, None)
            return Verdict.PASS
        # Dropped updates are not counted, so a user who stops is free again after `window`.
        if user_id in self._warned:
            return Verdict.DROP
        self._warned[user_id] = now
        return Verdict.WARN

    def _sweep(self, now: float) -> None:
        # Forget idle users now and then so memory stays bounded by the active ones.
        if now - self._last_sweep < self.window:
            return
        self._last_sweep = now
        idle = [u for u, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]
        for user_id in idle:
            del self._hits[user_id]
            self._warned.pop(user_id, None)


def _our_command(text: str, username: str | None) -> bool:
    """A command this bot takes: "/start", "/start@ourbot"; not "/roll@dicebot"."""
    if not text.startswith("/"):
        return False
    _, at, bot = text.split(maxsplit=1)[0].partition("@")
    return not at or bot.lower() == (username or "").lower()


def flood_gate(gate: FloodGate, is_admin: Callable[[int | None], bool]) -> Handler:
    """The handler that stops handling past the per-user limit (admins have none)."""

    async def check(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        message = update.message or update.edited_message  # a corrected question is one too
        if user is None or (message is None and update.callback_query is None):
            # Only what the bot answers counts: a reaction, a chosen inline result, a
            # membership change or a poll answer gets no reply, so neither could a warning
            # (one spent on it left the user's next questions dropped without a word).
            # Telegram itself paces inline queries.
            return
        if message is not None and message.chat.type != ChatType.PRIVATE:
            text = message.text or ""
            if not _our_command(text, context.bot.username) and addressed_text(
                    message, context.bot.id, context.bot.username) is None:
                return  # group chatter not meant for the bot does not count against anyone
        if is_admin(user.id):
            return  # admins are trusted with bursts (uploads, /gaps, /stats while fixing things)
        sender = speaker(message, user) or user.id
        verdict = gate.check(sender)
        if verdict is Verdict.PASS:
            return
        if verdict is Verdict.WARN:
            log.info("flood control: sender %s is over the limit", sender)
            if update.callback_query is not None:
                await update.callback_query.answer(texts.SLOW_DOWN, show_alert=True)
            elif update.effective_chat is not None and update.effective_message is not None:
                await context.bot.send_message(
                    update.effective_chat.id, texts.SLOW_DOWN,
                    message_thread_id=thread_of(update.effective_message))
        elif update.callback_query is not None:
            await update.callback_query.answer()  # callback queries are always answered
        raise ApplicationHandlerStop

    return check
