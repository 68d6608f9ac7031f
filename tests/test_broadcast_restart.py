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

from broadcast_support import LimitedTelegram, counts, freeze_between_transactions

from bot.storage.connection import DatabaseTarget
from bot.storage.outbox import Outbox

WORKER = Path(__file__).resolve().parent / "broadcast_worker.py"
SUBSCRIBERS = 300


def start_worker(path: Path | str, fake: LimitedTelegram, *extra: str) -> subprocess.Popen[str]:
    worker = subprocess.Popen(
        [sys.executable, str(WORKER), "--database", str(path), "--base-url", fake.base_url,
         "--rate", "150", "--concurrency", "4", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert worker.stdout is not None and worker.stderr is not None
    if (line := worker.stdout.readline().strip()) != "ready":
        worker.kill()
        raise AssertionError(f"the worker did not start ({line!r}): {worker.stderr.read()}")
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


def test_a_429_pause_outlives_the_sender_that_got_it(database_target: DatabaseTarget) -> None:
    """Before, the pause lived only in the sender's memory: after kill -9 the next sender
    (another replica, or the restarted bot) sent at once, into Telegram's ban."""
    outbox = Outbox.open(database_target)
    outbox.add_subscribers(range(1, 41), "test", datetime.now(UTC))
    broadcast_id, _ = outbox.announce("লামাকন আসছে", datetime.now(UTC))
    with LimitedTelegram(max_poll=0.2) as fake:
        fake.fail("sendMessage", 429, chat_id=10, retry_after=3)
        worker = start_worker(database_target.location, fake)
        [refused] = fake.wait_for("sendMessage", lambda c: c.chat_id == 10, timeout=20)
        time.sleep(0.5)  # the pause is written down by now
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
        worker = start_worker(database_target.location, fake, "--until-done")
        out, err = worker.communicate(timeout=30)
        assert worker.returncode == 0, err
        # Requests already on their way when the 429 came arrive within milliseconds.
        later = [c.at - refused.at for c in fake.calls_to("sendMessage")
                 if c.at > refused.at + 0.1]
    assert later and min(later) >= 2.9, later[:3]  # nothing went out during the pause
    progress = outbox.progress(broadcast_id)
    assert progress is not None and (progress.sent, progress.remaining) == (40, 0)
    outbox.close()


def test_a_frozen_sender_loses_the_lease_and_sends_nothing_when_it_wakes(
        database_target: DatabaseTarget) -> None:
    """Before, a stopped (SIGSTOP) sender kept its lease for ever: no other process ever
    finished the broadcast. Now the lease expires unless renewed, another process takes
    over, and the stopped one, woken, sends nothing more."""
    outbox = Outbox.open(database_target)
    now = datetime.now(UTC)
    outbox.add_subscribers(range(1, SUBSCRIBERS + 1), "test", now)
    broadcast_id, _ = outbox.announce("লামাকন আসছে", now)
    # Each sender talks to a fake of its own: which one sent what is then known.
    with LimitedTelegram(max_poll=0.2, delays={"sendMessage": 0.02}) as first_fake, \
            LimitedTelegram(max_poll=0.2) as second_fake:
        first = start_worker(database_target.location, first_fake, "--lease-ttl", "2")
        try:
            deadline = time.monotonic() + 20
            while len(first_fake.sent_messages) < SUBSCRIBERS // 5:
                assert time.monotonic() < deadline and first.poll() is None
                time.sleep(0.005)
            freeze_between_transactions(first, database_target)
            time.sleep(0.2)  # requests already on the wire arrive
            frozen_at = len(first_fake.calls_to("sendMessage"))
            in_flight = {int(chat) for (chat,) in outbox.conn.execute(
                "SELECT chat_id FROM outbox WHERE state = 'sending'")}
            second = start_worker(database_target.location, second_fake, "--lease-ttl", "2",
                                  "--until-done")
            out, err = second.communicate(timeout=60)
            assert second.returncode == 0, err
            woke_at = len(first_fake.calls_to("sendMessage"))
            os.kill(first.pid, signal.SIGCONT)
            time.sleep(2.0)  # a woken sender that believed it still led would send by now
            after_waking = first_fake.calls_to("sendMessage")[woke_at:]
        finally:
            os.kill(first.pid, signal.SIGCONT)
            first.send_signal(signal.SIGTERM)
            _, first_log = first.communicate(timeout=30)
        received = counts(first_fake.delivered_to() + second_fake.delivered_to())

    assert woke_at == frozen_at  # nothing at all while it was stopped
    # Woken, it claims nothing: only requests that had passed their lease check and were
    # on their way to the wire at SIGSTOP (at most the concurrency) may still go out.
    assert {c.chat_id for c in after_waking} <= in_flight
    assert len(after_waking) <= 4, [c.chat_id for c in after_waking]
    assert "lost the sender lease" in first_log, first_log[-2000:]
    assert set(received) == set(range(1, SUBSCRIBERS + 1))  # nobody skipped
    # Only requests in flight at the stop (at most the concurrency) may arrive twice.
    assert {chat for chat, n in received.items() if n > 1} <= in_flight
    # (Seen once in CI on a loaded machine: a chat received three times. What each sender
    # sent and retried tells which of them sent it again.)
    thrice = {chat for chat, n in received.items() if n > 2}
    by_first, by_second = counts(first_fake.delivered_to()), counts(second_fake.delivered_to())
    assert not thrice, ({c: (by_first.get(c), by_second.get(c)) for c in thrice}, out,
                        first_log[-3000:])
    progress = outbox.progress(broadcast_id)
    assert progress is not None and (progress.sent, progress.remaining) == (SUBSCRIBERS, 0)
    outbox.close()
