"""Who may send broadcasts: one process per database, elected, replaced when it dies or freezes.

Telegram's limits are per bot, not per process, so replicas sharing a database must not
all send. Each replica runs the broadcast service, but only the holder of the sender
lease runs the sender, the reminder scheduler and the progress reporter.

The lease is a row in the database (`sender_lease`, one per schema) with an expiry time
by the database's clock and an epoch, one more for each new holder. The holder renews it
every second; a lease not renewed for `ttl` seconds (a frozen process: SIGSTOP, a paused
VM, a stalled disk) may be taken by another replica. The epoch fences the old holder:
every claim of an outbox row checks it in the same statement (`Outbox.claim`), every other
leader-only write (reminder rows, taking back rows in flight, finishing broadcasts) in its
own transaction (`require_lease`), and before each request (a send, a progress edit) the
process checks the lease is still fresh by its own monotonic clock (which runs on while a
process is stopped), so a process that wakes after losing the lease sends, queues and
edits nothing more.

A lock beside the row frees the lease at once when its holder dies, instead of after
`ttl`: the holder also takes
- PostgreSQL: a session-level advisory lock, on the lease's own connection. When the
  holder dies its connection closes and the server frees the lock. Server-side keepalives
  bound how long a vanished host (no TCP close) keeps it.
- SQLite: an exclusive `flock` on a file beside the database, freed by the kernel when
  the process ends however it ends.
The row records whether its holder had the lock; a process that gets the lock may take a
row marked locked at once (its holder lost the lock, so it is gone), otherwise it waits
for the row to expire. The lock alone is not enough: a frozen process keeps both its
flock and its connection (the kernel answers keepalives for it). Without the lock, only a
row that expired in a holder's hands may be taken, never one without a holder (never
taken, or given up): a replica of the version before the row holds only the lock while it
sends, so during a rolling upgrade the new replicas wait until it stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import secrets
import socket
import time
from pathlib import Path
from typing import Any, Protocol

from bot.storage.connection import Connection, DatabaseError, DatabaseTarget, Engine, connect
from bot.storage.outbox import db_now_sql

log = logging.getLogger(__name__)
# Two 32-bit keys: what is locked, and in which schema (two bots may share a database
# in different schemas).
_LOCK_SQL = "SELECT pg_try_advisory_lock(hashtext('llamabot.sender'), hashtext(current_schema()))"
_UNLOCK_SQL = "SELECT pg_advisory_unlock(hashtext('llamabot.sender'), hashtext(current_schema()))"
DEFAULT_TTL = 10.0  # seconds a lease lasts unless renewed (it is renewed every second)

# Taken when we hold the lock and the row expired or its holder had the lock too (so lost
# it); without the lock, only when it expired in a holder's hands (a frozen process that
# keeps the lock). A row nobody holds (holder '': never taken, or given up) goes only with
# the lock: an older version's replica holds just the lock while it sends.
_TAKE = ("UPDATE sender_lease SET holder = ?, epoch = epoch + 1, expires_at = {now} + ?,"
         " locked = ? WHERE name = 'sender' AND CASE WHEN ? = 1"
         " THEN expires_at <= {now} OR locked = 1 ELSE expires_at <= {now} AND holder <> '' END"
         " RETURNING epoch")
_HOLDER = "SELECT holder FROM sender_lease WHERE name = 'sender'"
_RENEW = ("UPDATE sender_lease SET expires_at = {now} + ?, locked = ?"
          " WHERE name = 'sender' AND holder = ? AND epoch = ? RETURNING epoch")
# Given up, the row has no holder: the next one must get the lock first (see `_TAKE`).
_GIVE_UP = ("UPDATE sender_lease SET holder = '', expires_at = 0, locked = 0"
            " WHERE name = 'sender' AND holder = ? AND epoch = ? RETURNING epoch")


class Lease(Protocol):
    @property
    def token(self) -> int | None:
        """The fencing token (the lease's epoch) while held, else None."""

    async def acquire(self) -> bool:
        """Try once, without waiting; True when this process holds the lease now."""

    async def held(self) -> bool:
        """Renew the lease; False (and released) once it is not ours any more."""

    async def may_send(self) -> bool:
        """Whether a message may go out now: the lease is fresh, or renewing it worked."""

    async def release(self) -> None: ...


def lease_for(target: DatabaseTarget, ttl: float = DEFAULT_TTL) -> Lease:
    """The lease of `target`'s database, which must be migrated (the outbox opens it first)."""
    if target.engine is Engine.POSTGRESQL:
        return PostgresLease(target, ttl=ttl)
    return FileLease(target, ttl=ttl)


class RowLease:
    """The lease row; subclasses add the lock and run the SQL."""

    def __init__(self, engine: Engine, ttl: float) -> None:
        self.ttl = ttl
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._token: int | None = None
        # Until then the lease is ours without asking: a quarter of the ttl before the
        # database's expiry, measured from before the renewal was sent.
        self._fresh_until = 0.0
        self._guard = asyncio.Lock()  # one row statement at a time, renewals not repeated
        self._told_lock_held = False
        now = db_now_sql(engine)
        self._take, self._renew, self._give_up = (
            sql.format(now=now) for sql in (_TAKE, _RENEW, _GIVE_UP))

    @property
    def token(self) -> int | None:
        return self._token

    async def acquire(self) -> bool:
        async with self._guard:
            if self._token is not None:
                return await self._renewed()
            try:
                locked = await self._lock()
                started = time.monotonic()
                rows = await self._run(self._take, (self.holder, self.ttl, int(locked),
                                                    int(locked)))
            except DatabaseError as exc:
                log.warning("sender election failed: %s", exc)
                return False  # the database is down: nobody can send anyway; try again later
            if not rows:
                if not locked:
                    await self._tell_lock_held()
                return False
            self._told_lock_held = False  # a later wait is told again
            self._token = int(rows[0][0])
            self._fresh_until = started + self.ttl * 0.75
            return True

    async def _tell_lock_held(self) -> None:
        """Say once why we wait when the row is free but another process has the lock."""
        if self._told_lock_held:
            return
        with contextlib.suppress(DatabaseError):  # only a log line
            rows = await self._run(_HOLDER, ())
            if rows and rows[0][0] == "":
                self._told_lock_held = True
                log.info("another process holds the sender lock (a replica of an older"
                         " version, or one taking the lease): waiting for it")

    async def held(self) -> bool:
        async with self._guard:
            return await self._renewed()

    async def may_send(self) -> bool:
        if self._token is not None and time.monotonic() < self._fresh_until:
            return True
        async with self._guard:
            if self._token is not None and time.monotonic() < self._fresh_until:
                return True  # renewed while we waited for the guard
            return await self._renewed()

    async def release(self) -> None:
        async with self._guard:
            await self._release()

    async def _renewed(self) -> bool:
        if self._token is None:
            return False
        try:
            locked = await self._lock()  # the holder that took an expired row gets it later
            started = time.monotonic()
            rows = await self._run(self._renew, (self.ttl, int(locked), self.holder,
                                                 self._token))
        except DatabaseError as exc:
            log.warning("cannot renew the sender lease: %s", exc)
            if self._lock_kept() and time.monotonic() < self._fresh_until:
                # A busy database (a long write elsewhere): nobody can take the row before
                # it expires, nor the lock while we hold it. Stepping down now would only
                # send again what is in flight.
                return True
            rows = None  # not known to be ours: stop sending
        if not rows:
            await self._release()
            return False
        self._fresh_until = started + self.ttl * 0.75
        return True

    async def _release(self) -> None:
        token, self._token = self._token, None
        if token is not None:
            with contextlib.suppress(DatabaseError):  # then it expires by itself
                await self._run(self._give_up, (self.holder, token))
        await self._unlock()

    async def _lock(self) -> bool:
        """Take the lock if free (kept once taken); whether this process holds it."""
        raise NotImplementedError

    def _lock_kept(self) -> bool:
        """Whether this process still holds the lock (without asking anyone)."""
        raise NotImplementedError

    async def _unlock(self) -> None:
        raise NotImplementedError

    async def _run(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        """Run one statement (autocommit) and return its rows; raises `DatabaseError`."""
        raise NotImplementedError


class FileLease(RowLease):
    def __init__(self, target: DatabaseTarget, lock_path: Path | None = None,
                 ttl: float = DEFAULT_TTL) -> None:
        super().__init__(Engine.SQLITE, ttl)
        self.target = target
        self.path = lock_path or target.path.with_name(target.path.name + ".sender.lock")
        self._fd: int | None = None
        self._conn: Connection | None = None

    async def _lock(self) -> bool:
        if self._fd is not None:
            return True
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            log.warning("sender election: cannot open %s: %s", self.path, exc.strerror)
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def _lock_kept(self) -> bool:
        return self._fd is not None

    async def _unlock(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None
        conn, self._conn = self._conn, None
        if conn is not None:
            await asyncio.to_thread(conn.close)

    async def _run(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        def run() -> list[Any]:
            if self._conn is None:
                self._conn = connect(self.target, busy_timeout_ms=1000)
            return self._conn.execute(sql, params).fetchall()

        # Off the event loop: another writer's lock may make it wait up to a second.
        return await asyncio.to_thread(run)


class PostgresLease(RowLease):
    def __init__(self, target: DatabaseTarget, keepalive_s: int = 5,
                 ttl: float = DEFAULT_TTL) -> None:
        super().__init__(Engine.POSTGRESQL, ttl)
        self.target = target
        self.keepalive_s = keepalive_s
        self._conn: Any = None  # psycopg.AsyncConnection, holding the lock once taken
        self._locked = False

    async def _connection(self) -> Any:
        import psycopg

        if self._conn is not None and not (self._conn.closed or self._conn.broken):
            return self._conn
        await self._unlock()  # a broken connection took its lock with it
        try:
            conn = await psycopg.AsyncConnection.connect(
                self.target.location, autocommit=True, connect_timeout=5)
            # Let the server notice a vanished holder in ~3 x keepalive instead of hours.
            await conn.execute(f"SET tcp_keepalives_idle = {self.keepalive_s}")
            await conn.execute("SET tcp_keepalives_interval = 1")
            await conn.execute("SET tcp_keepalives_count = 3")
            await conn.execute("SET lock_timeout = 2000")  # a renewal never hangs
        except psycopg.Error as exc:
            raise DatabaseError(f"cannot connect: {type(exc).__name__}") from None
        self._conn = conn
        return conn

    async def _lock(self) -> bool:
        await self._connection()  # a new session (the last one broke) holds no lock
        if not self._locked:
            row = await self._run(_LOCK_SQL, ())
            self._locked = bool(row and row[0][0])
        return self._locked

    def _lock_kept(self) -> bool:
        conn = self._conn
        return self._locked and conn is not None and not (conn.closed or conn.broken)

    async def _unlock(self) -> None:
        conn, locked = self._conn, self._locked
        self._conn, self._locked = None, False
        if conn is None:
            return
        with contextlib.suppress(Exception):
            if locked and not (conn.closed or conn.broken):
                # Closing the session frees the lock too, but only once the server's
                # backend has ended, after close() returns: the next holder would find
                # the lock still taken and the row given up, and wait.
                await asyncio.wait_for(conn.execute(_UNLOCK_SQL), 5)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(conn.close(), 5)

    async def _run(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        import psycopg

        conn = await self._connection()
        try:
            cursor = await conn.execute(sql.replace("?", "%s"), params)
            rows: list[Any] = await cursor.fetchall()
        except psycopg.Error as exc:
            if conn.closed or conn.broken:  # the session is gone, and with it the lock
                await self._unlock()
            raise DatabaseError(str(exc).strip().splitlines()[0] if str(exc).strip()
                                else type(exc).__name__) from exc
        return rows
