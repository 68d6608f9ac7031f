"""Who may send broadcasts: one process per database, elected, replaced when it dies.

Telegram's limits are per bot, not per process, so replicas sharing a database must not
all send. Each replica runs the broadcast service, but only the holder of the sender
lease runs the sender, the reminder scheduler and the progress reporter.

- PostgreSQL: a session-level advisory lock, held by a connection of its own. When the
  holder dies its connection closes and the server frees the lock; a waiting replica
  takes it at its next try (every second). Server-side keepalives bound how long a
  vanished host (no TCP close) keeps it.
- SQLite: an exclusive `flock` on a file beside the database, freed by the kernel when
  the process ends however it ends. It also keeps a second bot on the same file from
  sending twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from typing import Any, Protocol

from bot.storage.connection import DatabaseTarget, Engine

log = logging.getLogger(__name__)
# Two 32-bit keys: what is locked, and in which schema (two bots may share a database
# in different schemas).
_LOCK_SQL = "SELECT pg_try_advisory_lock(hashtext('llamabot.sender'), hashtext(current_schema()))"


class Lease(Protocol):
    async def acquire(self) -> bool:
        """Try once, without waiting; True when this process holds the lease now."""

    async def held(self) -> bool:
        """Whether the lease is still ours (False once its connection is lost)."""

    async def release(self) -> None: ...


def lease_for(target: DatabaseTarget) -> Lease:
    if target.engine is Engine.POSTGRESQL:
        return PostgresLease(target)
    return FileLease(target.path.with_name(target.path.name + ".sender.lock"))


class FileLease:
    def __init__(self, path: os.PathLike[str]) -> None:
        self.path = path
        self._fd: int | None = None

    async def acquire(self) -> bool:
        if self._fd is not None:
            return True
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            log.warning("sender election failed: cannot open %s: %s", self.path, exc.strerror)
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    async def held(self) -> bool:
        return self._fd is not None

    async def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None


class PostgresLease:
    def __init__(self, target: DatabaseTarget, keepalive_s: int = 5) -> None:
        self.target = target
        self.keepalive_s = keepalive_s
        self._conn: Any = None  # psycopg.AsyncConnection while held

    async def acquire(self) -> bool:
        if self._conn is not None:
            return await self.held()
        import psycopg

        try:
            conn = await psycopg.AsyncConnection.connect(
                self.target.location, autocommit=True, connect_timeout=5)
        except psycopg.Error:
            return False  # the database is down: nobody can send anyway; try again later
        try:
            # Let the server notice a vanished holder in ~3 x keepalive instead of hours.
            await conn.execute(f"SET tcp_keepalives_idle = {self.keepalive_s}")
            await conn.execute("SET tcp_keepalives_interval = 1")
            await conn.execute("SET tcp_keepalives_count = 3")
            row = await (await conn.execute(_LOCK_SQL)).fetchone()
        except psycopg.Error as exc:
            log.warning("sender election failed: %s", exc)
            row = None
        if not (row and row[0]):
            await conn.close()
            return False
        self._conn = conn
        return True

    async def held(self) -> bool:
        if self._conn is None:
            return False
        import psycopg

        try:
            await self._conn.execute("SELECT 1")
        except psycopg.Error:
            # The connection is gone, and with it the lock: another replica may hold it.
            await self.release()
            return False
        return True

    async def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 5)
