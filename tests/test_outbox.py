"""The outbox store on real SQLite files: subscriptions, enqueue, claims, progress, reminders."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage.outbox import Outbox
from bot.storage.reminder_rows import ReminderRow, ReminderRows
from bot.storage.sqlite import Database

NOW = datetime(2025, 4, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    store = Outbox.open(tmp_path / "bot.sqlite3")
    yield store
    store.close()


def test_subscribe_is_idempotent_and_counted(outbox: Outbox) -> None:
    assert outbox.subscribe(1, "command", NOW)
    assert not outbox.subscribe(1, "button", NOW)
    assert outbox.is_subscribed(1)
    assert outbox.subscribe(2, "link", NOW)
    assert outbox.unsubscribe(2, "command", NOW)
    assert not outbox.unsubscribe(2, "command", NOW)
    assert not outbox.unsubscribe(3, "command", NOW)  # never subscribed
    outbox.subscribe(4, "command", NOW)
    outbox.unsubscribe(4, "kicked", NOW)
    counts = outbox.subscriber_counts()
    assert (counts.active, counts.unsubscribed, counts.blocked) == (1, 2, 1)
    assert outbox.subscribe(4, "command", NOW)  # may come back after unblocking


def test_shares_the_file_with_the_question_log(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    log_db = Database(path)
    assert log_db.open()  # migrates to the latest version, including the outbox tables
    store = Outbox.open(path)
    store.subscribe(7, "command", NOW)
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert log_db.stats() is not None
    store.close()
    log_db.close()


def test_enqueue_claim_and_progress(outbox: Outbox) -> None:
    outbox.add_subscribers(range(1, 6), "test", NOW)
    draft = outbox.create_draft("hello", NOW, created_by=99)
    assert outbox.pending_batch(10) == []  # a draft sends nothing
    assert outbox.enqueue(draft, NOW) == 5
    assert outbox.enqueue(draft, NOW) is None  # confirming twice queues once
    items = outbox.pending_batch(10)
    assert [i.chat_id for i in items] == [1, 2, 3, 4, 5]
    assert outbox.claim(items[0], NOW)
    assert not outbox.claim(items[0], NOW)  # claimed once only
    outbox.record(items[0], "sent", NOW)
    assert outbox.claim(items[1], NOW)
    outbox.record_blocked(items[1], NOW)
    assert not outbox.is_subscribed(2)
    outbox.unsubscribe(3, "command", NOW)  # before their turn: cancelled, not sent
    assert not outbox.claim(items[2], NOW)
    assert outbox.claim(items[3], NOW)  # in flight when the process dies...
    progress = outbox.progress(draft)
    assert progress is not None
    assert (progress.total, progress.sent, progress.blocked, progress.cancelled,
            progress.remaining) == (5, 1, 1, 1, 2)
    assert outbox.recover_in_flight() == 1  # ...goes out again after a restart
    assert [i.chat_id for i in outbox.pending_batch(10)] == [4, 5]
    assert outbox.finish_completed(NOW) == []
    for item in outbox.pending_batch(10):
        outbox.claim(item, NOW)
        outbox.record(item, "failed", NOW, "boom")
    assert outbox.finish_completed(NOW) == [draft]
    done = outbox.progress(draft)
    assert done is not None and (done.state, done.failed, done.remaining) == ("done", 2, 0)


def test_cancelled_draft_is_never_sent(outbox: Outbox) -> None:
    outbox.add_subscribers([1], "test", NOW)
    draft = outbox.create_draft("x", NOW)
    assert outbox.cancel_draft(draft)
    assert outbox.enqueue(draft, NOW) is None
    assert outbox.pending_batch(5) == []


def test_enqueue_100k_recipients_fast(outbox: Outbox) -> None:
    outbox.add_subscribers(range(100_000), "bench", NOW)
    started = time.perf_counter()
    broadcast_id, count = outbox.announce("hello", NOW)
    elapsed = time.perf_counter() - started
    assert count == 100_000
    assert elapsed < 2.0, f"enqueue took {elapsed:.2f}s"
    progress = outbox.progress(broadcast_id)
    assert progress is not None and progress.remaining == 100_000


def test_reminder_rows_fire_once(outbox: Outbox) -> None:
    outbox.add_subscribers([1, 2], "test", NOW)
    starts = NOW + timedelta(hours=2)
    row = ReminderRow("llamacon", 3600, starts - timedelta(hours=1), starts, "scheduled")
    reminders = ReminderRows(outbox)
    reminders.save([row], NOW)
    assert reminders.next_due() == row.due_at
    assert reminders.due(NOW) == []
    later = NOW + timedelta(hours=1, seconds=1)
    [due] = reminders.due(later)
    assert due == row
    first = reminders.fire(due, "reminder", later)
    assert first is not None
    assert reminders.fire(due, "reminder", later) is None
    assert reminders.next_due() is None
    assert len(outbox.pending_batch(10)) == 2
