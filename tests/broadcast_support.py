"""Shared by the broadcast tests and benchmark: a fake Telegram that enforces limits.

`LimitedTelegram` extends the shared fake server without changing it: it answers 429
when more than `rate_limit` messages arrive within one second (as Telegram does for
bulk sends), records every delivered sendMessage with its arrival time, and counts
messages that reached one chat less than a second apart.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fake_telegram import Call, FakeTelegram, Json

from bot.storage.connection import DatabaseTarget, Engine


@dataclass
class LimitedTelegram(FakeTelegram):
    rate_limit: float | None = None  # sendMessage per second overall; None: unlimited
    per_chat_gap: float = 0.9  # arrivals closer than this count as per-chat violations
    sent_messages: list[Call] = field(default_factory=list)
    throttled: int = 0  # 429s this server answered because of `rate_limit`
    per_chat_violations: int = 0
    # Chats whose sendMessage is answered 200 with a result python-telegram-bot cannot read.
    garbled_chats: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        super().__post_init__()
        self._limit_lock = threading.Lock()
        self._window: deque[float] = deque()
        self._last_by_chat: dict[int, float] = {}

    def handle(self, method: str, params: Json) -> tuple[int, Json]:
        if method == "sendMessage" and self.rate_limit is not None:
            with self._limit_lock:
                now = time.monotonic()
                while self._window and self._window[0] <= now - 1.0:
                    self._window.popleft()
                if len(self._window) >= self.rate_limit:
                    self.throttled += 1
                    return 429, {"ok": False, "error_code": 429,
                                 "description": "Too Many Requests: retry after 1",
                                 "parameters": {"retry_after": 1}}
                self._window.append(now)
        status, payload = super().handle(method, params)
        if method == "sendMessage" and int(params.get("chat_id", 0)) in self.garbled_chats:
            return 200, {"ok": True, "result": {"message_id": 1}}  # no date, no chat
        if method == "sendMessage" and status == 200:
            with self._limit_lock:
                call = Call(method, params, time.monotonic())
                self.sent_messages.append(call)
                chat_id = call.chat_id or 0
                last = self._last_by_chat.get(chat_id)
                if last is not None and call.at - last < self.per_chat_gap:
                    self.per_chat_violations += 1
                self._last_by_chat[chat_id] = call.at
        return status, payload

    def delivered_to(self) -> list[int]:
        with self._limit_lock:
            return [int(c.chat_id or 0) for c in self.sent_messages]


async def wait_until(check: Callable[[], Awaitable[bool]], timeout: float = 10.0,
                     every: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached in time")
        await asyncio.sleep(every)


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """The most events in any `window`-second span."""
    best, start = 0, 0
    ordered = sorted(times)
    for end, moment in enumerate(ordered):
        while ordered[start] <= moment - window:
            start += 1
        best = max(best, end - start + 1)
    return best


def counts(values: list[Any]) -> dict[Any, int]:
    found: dict[Any, int] = {}
    for value in values:
        found[value] = found.get(value, 0) + 1
    return found


def knowledge_with_event(folder: Path, source: Path, in_seconds: int,
                         remind_before: str) -> datetime:
    """Copy the knowledge folder to `folder` with LlamaCon moved to `in_seconds` from now.

    `remind_before` is the YAML list, e.g. "[4s, 2s]". Returns the new start.
    """
    shutil.copytree(source, folder)
    starts_at = (datetime.now(UTC) + timedelta(seconds=in_seconds)).replace(microsecond=0)
    (folder / "events.yaml").write_text(
        "version: 1\nevents:\n  - id: llamacon\n    title: \"লামাকন\"\n"
        f"    starts_at: {starts_at.isoformat()}\n    remind_before: {remind_before}\n"
        "    fact_id: llamacon\n", encoding="utf-8")
    return starts_at


def freeze_between_transactions(worker: subprocess.Popen[str],
                                target: DatabaseTarget) -> None:
    """SIGSTOP `worker` at a moment it holds no write transaction. A SQLite file has one
    write lock: a process stopped holding it stops every other writer until it is woken,
    so the one taking over could not even open the file (its migration check writes)."""
    for _ in range(100):
        os.kill(worker.pid, signal.SIGSTOP)
        if target.engine is not Engine.SQLITE or _sqlite_writable(target.path):
            return
        os.kill(worker.pid, signal.SIGCONT)
        time.sleep(0.01)
    raise AssertionError("the worker never let go of the write lock")


def _sqlite_writable(path: Path) -> bool:
    # Not waiting for the lock: the worker is stopped while the probe runs, and stopped
    # time adds up over the tries; past a request's read timeout, the worker would retry
    # a send that arrived, before the freeze the test means (once in CI: a chat thrice).
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()
