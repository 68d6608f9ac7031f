"""`DatabaseThread`: the one thread a store's calls run on, in order, off the event loop.

A lock held by another writer, or a PostgreSQL round trip, may make a call wait; on the
event loop that wait would stall every user's reply. A PostgreSQL that hangs answers
nothing at all: each statement is given `ANSWER_TIMEOUT` (`bot.storage.connection`), and
a caller waits for its call at most `CALL_WAIT` seconds, queue included, so no command
waits on a hung database for longer than that.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from bot.storage.connection import (
    ANSWER_TIMEOUT,
    BULK_ANSWER_TIMEOUT,
    DatabaseError,
    DatabaseTarget,
    Engine,
)

T = TypeVar("T")
# A caller waits for its statement's own bound and a second more: it learns what became of
# the call, unless calls queued before it took their time too.
CALL_WAIT = ANSWER_TIMEOUT + 1.0
# For a call that writes a row per subscriber (`BULK_ANSWER_TIMEOUT`): its caller must
# learn whether the broadcast was queued (or stopped), not be told "no" while it was.
BULK_CALL_WAIT = BULK_ANSWER_TIMEOUT + CALL_WAIT


class DatabaseThread:
    def __init__(self, target: DatabaseTarget, name: str) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        # A SQLite file answers (or its busy timeout says why not); PostgreSQL may hang.
        self._bounded = target.engine is Engine.POSTGRESQL
        self._late: str | None = None  # why calls fail at once: one given up on still runs

    async def call(self, fn: Callable[[], T], wait: float | None = CALL_WAIT) -> T:
        """Run `fn()` on the thread, after the calls before it.

        On PostgreSQL, raises `DatabaseError` when the call is not done within `wait`
        seconds (a call not started by then is never made); until the thread is past a
        call given up on, the calls after it fail at once. `wait=None`: no bound.
        """
        loop = asyncio.get_running_loop()
        if not self._bounded or wait is None:
            return await loop.run_in_executor(self.executor, fn)
        if self._late is not None:
            raise DatabaseError(self._late)
        try:
            # Not `asyncio.wait_for`: on Python 3.11 it can swallow a cancellation that
            # arrives as the call ends, and a loop calling this would outlive its stop.
            async with asyncio.timeout(wait):
                return await loop.run_in_executor(self.executor, fn)
        except TimeoutError:
            self._late = f"no answer within {wait:g} s"
            self.executor.submit(self._caught_up)
            raise DatabaseError(self._late) from None

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        """Run `fn()` on the thread, nobody waiting for it (a background write)."""
        return self.executor.submit(fn)

    def _caught_up(self) -> None:
        self._late = None

    async def finish(self, fn: Callable[[], T]) -> T:
        """Run `fn()` last, however long the call running takes (each of its statements is
        answered in time, or given up on), and end the thread."""
        done = await asyncio.get_running_loop().run_in_executor(self.executor, fn)
        self.executor.shutdown(wait=True)
        return done
