"""The sender lease on both engines: one holder at a time, free again when the holder goes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from bot.broadcast.lease import FileLease, lease_for
from bot.storage.connection import DatabaseTarget, connect


def test_one_holder_at_a_time_then_the_next(database_target: DatabaseTarget) -> None:
    async def scenario() -> None:
        first, second = lease_for(database_target), lease_for(database_target)
        assert await first.acquire()
        assert await first.acquire()  # asking again while holding it is fine
        assert not await second.acquire()
        assert await first.held() and not await second.held()
        await first.release()
        assert not await first.held()
        assert await second.acquire()
        assert not await first.acquire()
        await second.release()

    asyncio.run(scenario())


def test_a_dead_holder_frees_the_file_lease(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3.sender.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, time\n"
         f"fd = os.open({str(path)!r}, os.O_RDWR | os.O_CREAT)\n"
         "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(60)"],
        stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
    lease = FileLease(path)
    assert not asyncio.run(lease.acquire())
    holder.kill()
    holder.wait(5)
    assert asyncio.run(lease.acquire())  # the kernel dropped the dead process's lock


def test_postgres_lease_is_lost_with_its_connection(postgres_target: DatabaseTarget) -> None:
    async def scenario() -> None:
        holder, waiter = lease_for(postgres_target), lease_for(postgres_target)
        assert await holder.acquire()
        assert not await waiter.acquire()
        # The server ends the holder's session (as when its host or process dies).
        admin = connect(postgres_target)
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_locks"
                      " WHERE locktype = 'advisory' AND granted")
        admin.close()
        deadline = time.monotonic() + 5
        while not await waiter.acquire():
            assert time.monotonic() < deadline, "the lease was not freed"
            await asyncio.sleep(0.05)
        assert not await holder.held()  # the old holder notices and stops sending
        await waiter.release()

    asyncio.run(scenario())
