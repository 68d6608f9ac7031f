"""`AsyncOutbox`, the asyncio face of `Outbox`: every call runs on one dedicated thread, in order.

Database calls are short, but a lock held by another writer (or a PostgreSQL round
trip) can make one wait; on the event loop that wait would stall every user's reply. A
PostgreSQL that hangs holds a call no longer than `CALL_WAIT` (`bot.storage.worker`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bot.storage.connection import DatabaseTarget, as_target
from bot.storage.outbox import Outbox
from bot.storage.worker import CALL_WAIT, DatabaseThread

T = TypeVar("T")


class AsyncOutbox:
    def __init__(self, outbox: Outbox, thread: DatabaseThread) -> None:
        self._outbox = outbox
        self._thread = thread
        self.target = outbox.conn.target

    @classmethod
    async def open(cls, target: DatabaseTarget | Path,
                   busy_timeout_ms: int = 5000) -> AsyncOutbox:
        """Connect and migrate; a write waits `busy_timeout_ms` for a lock, then fails."""
        thread = DatabaseThread(as_target(target), "llamabot-outbox")
        loop = asyncio.get_running_loop()
        try:
            outbox = await loop.run_in_executor(thread.executor, Outbox.open, target,
                                                busy_timeout_ms)
        except BaseException:
            thread.executor.shutdown(wait=False)
            raise
        return cls(outbox, thread)

    async def call(self, fn: Callable[[Outbox], T], wait: float = CALL_WAIT) -> T:
        """Run `fn(outbox)` on the outbox thread; calls never interleave. On PostgreSQL,
        `DatabaseError` when not done within `wait` seconds (`DatabaseThread.call`)."""
        return await self._thread.call(lambda: fn(self._outbox), wait)

    async def close(self) -> None:
        await self._thread.finish(self._outbox.close)
