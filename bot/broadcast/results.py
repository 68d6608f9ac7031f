"""Results of sends that the database refused to store, kept until it takes them.

A message Telegram accepted must never be sent again by this process, and its row must
not stay `sending` (its broadcast would never finish, and the next sender would send it
again). When writing a result fails (the database locked or briefly unreachable), the
result is kept here and written again with backoff for as long as the process lives.
"""

from __future__ import annotations

import asyncio
import logging

from bot.storage.async_outbox import AsyncOutbox
from bot.storage.connection import DatabaseError
from bot.storage.outbox import Outcome

log = logging.getLogger(__name__)
MAX_BACKOFF = 30.0  # seconds between two tries, at most


class KeptResults:
    def __init__(self, db: AsyncOutbox, backoff: float) -> None:
        self.db = db
        self.backoff = backoff  # first wait before writing again; doubles each time
        self.failures = 0  # writes that failed, retries included
        self._kept: dict[tuple[int, int], Outcome] = {}  # by (broadcast, chat), in order
        self._empty = asyncio.Event()
        self._empty.set()
        self._retry: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._kept)

    async def write(self, outcome: Outcome) -> None:
        """Write `outcome`; if the database refuses, keep it and retry in the background."""
        try:
            await self._write(outcome)
            return
        except DatabaseError as exc:
            self.failures += 1
            log.error("broadcast %s to chat %s was %s, but the result cannot be written (%s);"
                      " retrying, and claiming nothing new until it is written",
                      outcome.item.broadcast_id, outcome.item.chat_id, outcome.state, exc)
        self._kept[(outcome.item.broadcast_id, outcome.item.chat_id)] = outcome
        self._empty.clear()
        if self._retry is None or self._retry.done():
            self._retry = asyncio.create_task(self._retry_until_written(),
                                              name="broadcast-results")

    async def all_written(self) -> None:
        """Return once no result is kept."""
        await self._empty.wait()

    async def flush(self) -> bool:
        """Write the kept results, oldest first; True when none is left."""
        for key, outcome in list(self._kept.items()):
            try:
                await self._write(outcome)
            except DatabaseError as exc:
                self.failures += 1
                log.warning("%d broadcast result(s) still cannot be written: %s",
                            len(self._kept), exc)
                return False
            del self._kept[key]
            if not self._kept:
                log.info("the kept broadcast results are written")
        self._empty.set()
        return True

    async def close(self) -> None:
        """The process ends: a last try, then say what the next sender will send again."""
        if self._retry is not None:
            self._retry.cancel()
            await asyncio.gather(self._retry, return_exceptions=True)
            self._retry = None
        if not await self.flush():
            log.error("%d broadcast result(s) could not be written: the next sender sends"
                      " those messages again", len(self._kept))

    async def _retry_until_written(self) -> None:
        delay = self.backoff
        while not await self.flush():
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF)

    async def _write(self, outcome: Outcome) -> None:
        await self.db.call(lambda o: o.record_outcome(outcome))
