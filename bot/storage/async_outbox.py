"""`AsyncOutbox`, the asyncio face of `Outbox`: every call runs on one dedicated thread, in order.

Database calls are short, but a lock held by another writer (or a PostgreSQL round
trip) can make one wait; on the event loop that wait would stall every user's reply.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from bot.storage.connection import DatabaseTarget
from bot.storage.outbox import Outbox

T = TypeVar("T")


class AsyncOutbox:
    def __init__(self, outbox: Outbox, executor: ThreadPoolExecutor) -> None:
        self._outbox = outbox
        self._executor = executor
        self.target = outbox.conn.target

    @classmethod
    async def open(cls, target: DatabaseTarget | Path,
                   busy_timeout_ms: int = 5000) -> AsyncOutbox:
        """Connect and migrate; a write waits `busy_timeout_ms` for a lock, then fails."""
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llamabot-outbox")
        loop = asyncio.get_running_loop()
        try:
            outbox = await loop.run_in_executor(executor, Outbox.open, target,
                                                busy_timeout_ms)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(outbox, executor)

    async def call(self, fn: Callable[[Outbox], T]) -> T:
        """Run `fn(outbox)` on the outbox thread; calls never interleave."""
        return await asyncio.get_running_loop().run_in_executor(
            self._executor, fn, self._outbox)

    async def close(self) -> None:
        await self.call(Outbox.close)
        self._executor.shutdown(wait=True)
