"""Leader-only work fenced by the sender lease's epoch: a process that froze and woke after
another took the lease queues no reminder, rewrites no reminder row, takes back no row in
flight and edits no progress message; the new holder does all of that, once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from broadcast_support import (
    LimitedTelegram,
    counts,
    freeze_between_transactions,
    knowledge_with_event,
)
from conftest import KNOWLEDGE_DIR
from fake_telegram import TOKEN
from telegram import Bot
from test_lease import take_within

from bot.broadcast.lease import Lease, lease_for
from bot.broadcast.service import BroadcastService
from bot.core.knowledge import Event, Knowledge
from bot.storage.async_outbox import AsyncOutbox
from bot.storage.connection import DatabaseTarget
from bot.storage.outbox import Outbox, OutboxItem

WORKER = Path(__file__).resolve().parent / "broadcast_worker.py"
NOW = datetime(2025, 4, 20, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def knowledge(starts_at: datetime) -> Knowledge:
    event = Event("llamacon", "লামাকন", starts_at, (DAY,), "llamacon", None)
    return Knowledge(sources={}, topics=(), facts={}, smalltalk={}, events=(event,))


async def frozen_and_taken(target: DatabaseTarget) -> tuple[Lease, Lease]:
    """A holder that stops renewing (frozen), and the process that takes its lease."""
    frozen, taker = lease_for(target, ttl=0.5), lease_for(target)
    assert await frozen.acquire()
    await take_within(taker, 5)  # after the 0.5 s the frozen one did not renew
    assert frozen.token is not None  # it does not know yet: it was not running
    return frozen, taker


def reminder_broadcasts(outbox: Outbox) -> list[str]:
    return [text for (text,) in outbox.conn.execute(
        "SELECT text FROM broadcasts WHERE kind = 'reminder' ORDER BY id")]


def test_a_woken_ex_leader_neither_queues_nor_reschedules_reminders(
        database_target: DatabaseTarget) -> None:
    """Before, the scheduler of a process woken after losing the lease ran a round before
    the process learned it: with the knowledge it had when it froze (LlamaCon tomorrow
    10:00), it rescheduled the reminder the new sender had just sent for the event's new
    time (today 20:00), and queued it again: everyone got two reminders, one of them wrong."""
    outbox = Outbox.open(database_target)
    outbox.add_subscribers([1, 2, 3], "test", NOW)
    stale = knowledge(datetime(2025, 4, 21, 10, 0, tzinfo=UTC))  # before the admin's edit
    current = knowledge(datetime(2025, 4, 20, 20, 0, tzinfo=UTC))

    async def scenario() -> None:
        old_db, new_db = await AsyncOutbox.open(database_target), await AsyncOutbox.open(
            database_target)
        frozen, taker = await frozen_and_taken(database_target)
        with LimitedTelegram(max_poll=0.2) as fake:
            async with Bot(TOKEN, base_url=fake.base_url) as bot:
                old = BroadcastService(old_db, bot, stale, clock=lambda: NOW, lease=frozen)
                new = BroadcastService(new_db, bot, current, clock=lambda: NOW, lease=taker)
                assert len(await new.scheduler.tick()) == 1  # the new sender's round
                assert await old.scheduler.tick() == []  # the woken one's: nothing
                assert (await old.resync()).write == ()
                assert await new.scheduler.tick() == []  # sent once: nothing more to send
                assert not await frozen.held()  # and then it learns it lost the lease
        for lease in (frozen, taker):
            await lease.release()
        for db in (old_db, new_db):
            await db.close()

    asyncio.run(scenario())
    [text] = reminder_broadcasts(outbox)
    assert "আজ, ২০ এপ্রিল" in text, text  # the event's new day, not the stale 21st
    state, starts_at = outbox.conn.execute(
        "SELECT state, starts_at FROM reminders").fetchone()
    assert (state, starts_at) == ("sent", "2025-04-20T20:00:00.000000+00:00")
    outbox.close()


def test_a_woken_ex_leader_edits_no_progress_and_takes_back_no_row_in_flight(
        database_target: DatabaseTarget) -> None:
    """Before, a woken ex-leader's progress round edited the admin's message with counts
    of a broadcast it no longer sent, and a sender that won the lease and froze before
    taking back the rows left in flight did so on waking, after another had taken the
    lease: the new sender's rows in flight went back to pending and out twice."""
    outbox = Outbox.open(database_target)
    outbox.add_subscribers([1, 2, 3], "test", NOW)
    broadcast_id, _ = outbox.announce("x", NOW)
    outbox.set_progress_message(broadcast_id, 999, 4242)

    async def scenario() -> None:
        frozen, taker = await frozen_and_taken(database_target)
        # The new sender's work: one message in flight, two sent.
        assert outbox.claim(OutboxItem(broadcast_id, 1, "x"), NOW, taker.token)
        outbox.conn.execute("UPDATE outbox SET state = 'sent' WHERE chat_id IN (2, 3)")
        with LimitedTelegram(max_poll=0.2) as fake:
            old_db = await AsyncOutbox.open(database_target)
            async with Bot(TOKEN, base_url=fake.base_url) as bot:
                old = BroadcastService(old_db, bot, knowledge(NOW + 2 * DAY),
                                       clock=lambda: NOW, lease=frozen)
                await old.progress.update()  # its progress loop's round, on waking
                await old.sender.run()  # returns at once: the lease is not its own
            await old_db.close()
            assert fake.calls_to("editMessageText") == []
            assert fake.calls_to("sendMessage") == []
        assert not await frozen.held()
        for lease in (frozen, taker):
            await lease.release()

    asyncio.run(scenario())
    states = dict(outbox.conn.execute("SELECT chat_id, state FROM outbox").fetchall())
    assert states == {1: "sending", 2: "sent", 3: "sent"}  # 1: still the new sender's
    outbox.close()


def start_worker(target: DatabaseTarget, fake: LimitedTelegram,
                 kb: Path) -> subprocess.Popen[str]:
    worker = subprocess.Popen(
        [sys.executable, str(WORKER), "--database", target.location, "--base-url",
         fake.base_url, "--rate", "40", "--concurrency", "4", "--lease-ttl", "2",
         "--knowledge", str(kb)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert worker.stdout is not None
    if (line := worker.stdout.readline().strip()) != "ready":
        worker.kill()
        raise AssertionError(f"the worker did not start ({line!r}): {worker.communicate()}")
    return worker


def test_two_processes_one_frozen_reminders_once_progress_by_the_holder(
        database_target: DatabaseTarget, tmp_path: Path) -> None:
    """Two real processes: the first sends and shows progress, is stopped (SIGSTOP), the
    second takes over, goes on with the broadcast and sends a reminder that falls due;
    woken meanwhile, the first edits nothing and queues nothing. Before, on learning it had
    lost the lease it edited the progress message once more, over the new holder's."""
    subscribers = 200
    outbox = Outbox.open(database_target)
    outbox.add_subscribers(range(1, subscribers + 1), "test", datetime.now(UTC))
    broadcast_id, _ = outbox.announce("লামাকন আসছে", datetime.now(UTC))
    outbox.set_progress_message(broadcast_id, 999, 4242)
    # Due 8 s from now: after the first process is stopped (about 2 s in).
    knowledge_with_event(tmp_path / "kb", KNOWLEDGE_DIR, 68, "[60s]")
    with LimitedTelegram(max_poll=0.2, delays={"sendMessage": 0.02}) as first_fake, \
            LimitedTelegram(max_poll=0.2) as second_fake:
        first = start_worker(database_target, first_fake, tmp_path / "kb")
        second: subprocess.Popen[str] | None = None
        try:
            deadline = time.monotonic() + 20
            while not (first_fake.calls_to("editMessageText")
                       and len(first_fake.sent_messages) >= 20):
                assert time.monotonic() < deadline and first.poll() is None
                time.sleep(0.01)
            freeze_between_transactions(first, database_target)
            time.sleep(0.2)  # requests already on the wire arrive
            frozen_sends = len(first_fake.calls_to("sendMessage"))
            frozen_edits = len(first_fake.calls_to("editMessageText"))
            in_flight = {int(chat) for (chat,) in outbox.conn.execute(
                "SELECT chat_id FROM outbox WHERE state = 'sending'")}
            second = start_worker(database_target, second_fake, tmp_path / "kb")
            deadline = time.monotonic() + 30
            while len(second_fake.sent_messages) < 20:  # the second sends the broadcast
                assert time.monotonic() < deadline, "the second process did not take over"
                assert second.poll() is None, second.communicate()
                time.sleep(0.01)
            # Woken mid-broadcast: a process that believed it led would edit and send now.
            os.kill(first.pid, signal.SIGCONT)
            woken_at = time.monotonic()
            deadline = woken_at + 60
            while not (outbox.conn.execute(
                    "SELECT COUNT(*) FROM reminders WHERE state = 'sent'").fetchone()[0] == 1
                       and outbox.remaining() == 0
                       and outbox.conn.execute("SELECT COUNT(*) FROM broadcasts WHERE"
                                               " state = 'queued'").fetchone()[0] == 0):
                assert time.monotonic() < deadline, "the second process did not finish"
                assert second.poll() is None, second.communicate()
                time.sleep(0.05)
            time.sleep(max(1.5, woken_at + 3 - time.monotonic()))  # the last edits arrive
            after_sends = first_fake.calls_to("sendMessage")[frozen_sends:]
            after_edits = first_fake.calls_to("editMessageText")[frozen_edits:]
        finally:
            os.kill(first.pid, signal.SIGCONT)
            first.send_signal(signal.SIGTERM)
            _, first_log = first.communicate(timeout=30)
            if second is not None:
                second.send_signal(signal.SIGTERM)
                second.communicate(timeout=30)
        sent = first_fake.sent_messages + second_fake.sent_messages
        second_edits = second_fake.calls_to("editMessageText")

    assert "lost the sender lease" in first_log, first_log[-2000:]
    assert after_edits == [], [c.text for c in after_edits]  # progress: only the holder
    assert {c.chat_id for c in after_sends} <= in_flight and len(after_sends) <= 4
    # The reminder: queued once, by the holder, and received once by everyone.
    assert len(reminder_broadcasts(outbox)) == 1
    reminded = counts([c.chat_id for c in sent if "রিমাইন্ডার" in c.text])
    assert reminded == dict.fromkeys(range(1, subscribers + 1), 1)
    announced = counts([c.chat_id for c in sent if "রিমাইন্ডার" not in c.text])
    assert set(announced) == set(range(1, subscribers + 1))
    # The holder's last edit shows the broadcast done, with every message sent.
    assert second_edits and f"{subscribers}" in second_edits[-1].text
    progress = outbox.progress(broadcast_id)
    assert progress is not None and (progress.state, progress.sent) == ("done", subscribers)
    outbox.close()
