"""The sender lease on both engines: one holder at a time, free again when the holder goes,
and taken from a holder that stops renewing it (a frozen process), which is then fenced."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.broadcast.lease import _LOCK_SQL, Lease, lease_for
from bot.storage.connection import DatabaseTarget, Engine, connect
from bot.storage.outbox import Outbox

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2025, 4, 20, 12, 0, tzinfo=UTC)


def migrated(target: DatabaseTarget) -> Outbox:
    """The bot opens the outbox (and so migrates) before it elects a sender."""
    return Outbox.open(target)


async def take_within(lease: Lease, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not await lease.acquire():
        assert time.monotonic() < deadline, "the lease was not freed"
        await asyncio.sleep(0.05)


def test_one_holder_at_a_time_then_the_next(database_target: DatabaseTarget) -> None:
    migrated(database_target).close()

    async def scenario() -> None:
        first, second = lease_for(database_target), lease_for(database_target)
        assert await first.acquire()
        assert await first.acquire()  # asking again while holding it is fine
        assert not await second.acquire()
        assert await first.held() and not await second.held()
        await first.release()
        assert not await first.held()
        assert await second.acquire()  # given back: taken at once, not after the ttl
        assert not await first.acquire()
        assert second.token is not None and second.token > 0
        await second.release()

    asyncio.run(scenario())


def test_a_released_lease_is_free_when_release_returns(database_target: DatabaseTarget) -> None:
    """Before, a PostgreSQL holder freed its lock only by closing its session, and the
    server ends the session after close() returns: the next replica found the row given up
    but the lock still taken, and waited (about one hand-over in ten)."""
    migrated(database_target).close()

    async def scenario() -> None:
        leases = [lease_for(database_target), lease_for(database_target)]
        assert await leases[0].acquire()
        for turn in range(40):
            giving, taking = leases[turn % 2], leases[(turn + 1) % 2]
            assert not await taking.acquire()  # its session stays open, ready to ask again
            await giving.release()
            assert await taking.acquire(), f"hand-over {turn} had to wait"
        await leases[0].release()
        await leases[1].release()

    asyncio.run(scenario())


def test_a_lease_not_renewed_expires_and_its_holder_is_fenced(
        database_target: DatabaseTarget) -> None:
    """Before, a frozen holder (SIGSTOP) kept the lease for ever: its lock and its
    connection stay open while the process is stopped."""
    outbox = migrated(database_target)
    outbox.add_subscribers([1, 2], "test", NOW)
    outbox.announce("x", NOW)
    first_row, second_row = outbox.pending_batch(10)

    async def scenario() -> None:
        frozen = lease_for(database_target, ttl=0.5)
        waiting, third = lease_for(database_target, ttl=0.5), lease_for(database_target)
        assert await frozen.acquire()
        old = frozen.token
        assert not await waiting.acquire()
        assert outbox.claim(first_row, NOW, old)
        # The holder renews nothing from here on, and keeps its lock: it is frozen.
        await take_within(waiting, 5)
        assert waiting.token is not None and old is not None and waiting.token > old
        # The old token claims nothing; the new holder's does.
        assert not outbox.claim(second_row, NOW, old)
        assert outbox.claim(second_row, NOW, waiting.token)
        # Woken, the old holder learns it lost the lease before its next send.
        assert not await frozen.may_send()
        assert frozen.token is None and not await frozen.held()
        # It let go of its lock: the new holder takes that too, and nobody else gets in.
        assert await waiting.may_send()
        deadline = time.monotonic() + 5  # the server frees a closed session's lock soon after
        while outbox.conn.execute("SELECT locked FROM sender_lease").fetchone()[0] != 1:
            assert time.monotonic() < deadline, "the new holder did not get the lock"
            assert await waiting.held()
            await asyncio.sleep(0.05)
        assert not await third.acquire()
        for lease in (frozen, waiting, third):
            await lease.release()

    asyncio.run(scenario())
    outbox.close()


def test_a_busy_database_does_not_end_a_fresh_lease(database_target: DatabaseTarget) -> None:
    """A renewal that waits too long for a lock (a long write elsewhere) keeps the lease
    while it is fresh: stepping down would only send again what is in flight."""
    migrated(database_target).close()

    async def scenario() -> None:
        holder, other = lease_for(database_target), lease_for(database_target)
        assert await holder.acquire()
        blocker = connect(database_target)
        with blocker.transaction() as db:
            if database_target.engine is Engine.POSTGRESQL:
                db.execute("SELECT 1 FROM sender_lease FOR UPDATE")
            assert await holder.held()  # the renewal failed; the lease is still fresh
            assert await holder.may_send()
        blocker.close()
        assert await holder.held() and not await other.acquire()
        await holder.release()

    asyncio.run(scenario())


def test_a_dead_holder_frees_the_file_lease_at_once(tmp_path: Path) -> None:
    target = DatabaseTarget.parse(tmp_path / "bot.sqlite3")
    migrated(target).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import asyncio, sys, time\n"
         f"sys.path.insert(0, {str(ROOT)!r})\n"
         "from bot.broadcast.lease import lease_for\n"
         "from bot.storage.connection import DatabaseTarget\n"
         f"lease = lease_for(DatabaseTarget.parse({target.location!r}), ttl=60)\n"
         "assert asyncio.run(lease.acquire())\nprint('held', flush=True)\ntime.sleep(60)"],
        stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
    lease = lease_for(target, ttl=60)
    assert not asyncio.run(lease.acquire())
    holder.kill()
    holder.wait(5)
    # The kernel dropped the dead process's flock: no need to wait for the row to expire.
    assert asyncio.run(lease.acquire())


def test_postgres_lease_is_lost_with_its_connection(postgres_target: DatabaseTarget) -> None:
    migrated(postgres_target).close()
    # Our own sessions carry a name of their own: the server is shared with other test
    # runs, whose sessions (and advisory locks) this test must never touch.
    name = f"llamabot_lease_test_{secrets.token_hex(6)}"
    target = DatabaseTarget.parse(f"{postgres_target.location}&application_name={name}")

    async def scenario() -> None:
        holder, waiter = lease_for(target, ttl=60), lease_for(target, ttl=60)
        assert await holder.acquire()
        assert not await waiter.acquire()
        # The server ends the holder's session (as when its host or process dies).
        admin = connect(postgres_target)
        ended = admin.execute(
            "SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a"
            " JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'advisory' AND l.granted"
            " WHERE a.application_name = ? AND a.datname = current_database()",
            (name,)).fetchall()
        admin.close()
        assert len(ended) == 1
        await take_within(waiter, 5)  # at once, not after the 60 s ttl
        assert not await holder.held()  # the old holder notices and stops sending
        await waiter.release()

    asyncio.run(scenario())


class OldReplica:
    """A replica of the version before the lease row: it holds only the advisory lock (or
    the flock) while it sends, and never writes `sender_lease`."""

    def __init__(self, target: DatabaseTarget) -> None:
        self.target = target
        self._conn: Any = None
        self._fd: int | None = None

    def lock(self) -> None:
        if self.target.engine is Engine.POSTGRESQL:
            self._conn = connect(self.target)
            row = self._conn.execute(_LOCK_SQL).fetchone()
            assert row is not None and row[0]
        else:
            self._fd = os.open(self.target.path.with_name(
                self.target.path.name + ".sender.lock"), os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def unlock(self) -> None:
        if self._conn is not None:
            self._conn.close()  # the session ends, and its advisory lock with it
            self._conn = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def test_a_lock_held_by_an_old_replica_keeps_new_replicas_waiting(
        database_target: DatabaseTarget, caplog: pytest.LogCaptureFixture) -> None:
    """Before, during a rolling upgrade a new replica took the lease row nobody had held yet
    (it looks expired) while an old replica, holding only the lock, was still sending: two
    senders, and Telegram's 429s. Without the lock, only a row whose holder stopped renewing
    (a frozen process) may be taken; so also after a new holder gave the lease up."""
    migrated(database_target).close()
    old = OldReplica(database_target)
    old.lock()

    async def scenario() -> None:
        new, other = lease_for(database_target, ttl=0.2), lease_for(database_target, ttl=0.2)
        with caplog.at_level(logging.INFO, logger="bot.broadcast.lease"):
            for _ in range(3):  # however long it waits: the row never expires by itself
                assert not await new.acquire()
                await asyncio.sleep(0.25)
        told = [r for r in caplog.records if "holds the sender lock" in r.getMessage()]
        assert len(told) == 1 and told[0].levelno == logging.INFO
        old.unlock()  # the old replica stops
        await take_within(new, 5)
        # The new holder hands over (it stops too) and an old replica gets the lock first:
        # the released row is not taken without the lock either.
        await new.release()
        old.lock()
        await asyncio.sleep(0.25)
        assert not await other.acquire()
        old.unlock()
        await take_within(other, 5)
        await other.release()

    try:
        asyncio.run(scenario())
    finally:
        old.unlock()
