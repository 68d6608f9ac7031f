"""kill -9 in the middle of a broadcast, start again: everyone once, only in-flight sends twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from broadcast_support import LimitedTelegram, counts

from bot.storage.outbox import Outbox

WORKER = Path(__file__).resolve().parent / "broadcast_worker.py"
SUBSCRIBERS = 300


def start_worker(path: Path, fake: LimitedTelegram, *extra: str) -> subprocess.Popen[str]:
    worker = subprocess.Popen(
        [sys.executable, str(WORKER), "--database", str(path), "--base-url", fake.base_url,
         "--rate", "150", "--concurrency", "4", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert worker.stdout is not None
    assert worker.stdout.readline().strip() == "ready"
    return worker


def test_kill_9_mid_broadcast_then_resume(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    outbox = Outbox.open(path)
    now = datetime.now(UTC)
    outbox.add_subscribers(range(1, SUBSCRIBERS + 1), "test", now)
    broadcast_id, queued = outbox.announce("লামাকন আসছে", now)
    assert queued == SUBSCRIBERS
    # Slow answers keep several requests in flight at the moment of the kill.
    with LimitedTelegram(max_poll=0.2, delays={"sendMessage": 0.02}) as fake:
        worker = start_worker(path, fake)
        deadline = time.monotonic() + 20
        while len(fake.sent_messages) < SUBSCRIBERS // 3:
            assert time.monotonic() < deadline and worker.poll() is None
            time.sleep(0.005)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
        before = fake.delivered_to()
        in_flight = {int(chat) for (chat,) in outbox.conn.execute(
            "SELECT chat_id FROM outbox WHERE state = 'sending'")}
        assert 0 < len(before) < SUBSCRIBERS
        assert len(in_flight) <= 4  # the concurrency cap

        worker = start_worker(path, fake, "--until-done")
        out, err = worker.communicate(timeout=30)
        assert worker.returncode == 0, err
        stats = json.loads(out.strip().splitlines()[-1])
        after = fake.delivered_to()

    received = counts(after)
    assert set(received) == set(range(1, SUBSCRIBERS + 1))  # nobody skipped
    twice = {chat for chat, n in received.items() if n > 1}
    assert all(n <= 2 for n in received.values())
    print(f"in flight at the kill: {sorted(in_flight)}, received twice: {sorted(twice)}")
    assert twice <= in_flight  # only sends in flight at the kill were repeated
    assert len(after) == SUBSCRIBERS + len(twice)
    assert stats["recovered"] == len(in_flight)
    progress = outbox.progress(broadcast_id)
    assert progress is not None
    assert (progress.sent, progress.remaining, progress.failed) == (SUBSCRIBERS, 0, 0)
    outbox.close()
