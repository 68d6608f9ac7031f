"""`AsyncOutbox`, the asyncio face of `Outbox`: every call runs on one dedicated thread, in order.

Database calls are short, but a lock held by another writer (or a PostgreSQL round
trip) can make one wait; on the event loop that wait would stall every user's reply.

A PostgreSQL that hangs answers nothing: each statement is given `ANSWER_TIMEOUT` (see
`bot.storage.connection`), and a caller waits for its call at most `CALL_WAIT` seconds,
queue included, so no command waits on a hung database for longer than that.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from bot.storage.connection import (
    ANSWER_TIMEOUT,
    BULK_ANSWER_TIMEOUT,
    DatabaseError,
    DatabaseTarget,
    Engine,
)
from bot.storage.outbox import Outbox

T = TypeVar("T")
# A caller waits for its statement's own bound and a second more: it learns what became of
# the call, unless calls queued before it took their time too.
CALL_WAIT = ANSWER_TIMEOUT + 1.0
# For a call that writes a row per subscriber (`BULK_ANSWER_TIMEOUT`): its caller must
# learn whether the broadcast was queued (or stopped), not be told "no" while it was.
BULK_CALL_WAIT = BULK_ANSWER_TIMEOUT + CALL_WAIT


class AsyncOutbox:
    def __init__(self, outbox: Outbox, executor: ThreadPoolExecutor) -> None:
        self._outbox = outbox
        self._executor = executor
        self.target = outbox.conn.target
        # A SQLite file answers (or its busy timeout says why not); PostgreSQL may hang.
        self._bounded = self.target.engine is Engine.POSTGRESQL
        self._late: str | None = None  # why calls fail at once: one given up on still runs

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

    async def call(self, fn: Callable[[Outbox], T], wait: float = CALL_WAIT) -> T:
        """Run `fn(outbox)` on the outbox thread; calls never interleave.

        On PostgreSQL, raises `DatabaseError` when the call is not done within `wait`
        seconds (a call not started by then is never made); until the thread is past a
        call given up on, the calls after it fail at once.
        """
        loop = asyncio.get_running_loop()
        if not self._bounded:
            return await loop.run_in_executor(self._executor, fn, self._outbox)
        if self._late is not None:
            raise DatabaseError(self._late)
        try:
            return await asyncio.wait_for(
                loop.run_in_executor(self._executor, fn, self._outbox), wait)
        except TimeoutError:
            self._late = f"no answer within {wait:g} s"
            self._executor.submit(self._caught_up)
            raise DatabaseError(self._late) from None

    def _caught_up(self) -> None:
        self._late = None

    async def close(self) -> None:
        """Close the connection once the call running is done (each of its statements is
        answered in time, or given up on)."""
        await asyncio.get_running_loop().run_in_executor(
            self._executor, Outbox.close, self._outbox)
        self._executor.shutdown(wait=True)
