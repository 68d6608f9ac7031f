"""The outbox store on a real SQLite file and a real PostgreSQL schema: subscriptions,
enqueue, claims, progress, reminders."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import sqlite_steps

from bot.storage.connection import DatabaseTarget, Engine
from bot.storage.outbox import DRAFT_MAX_AGE, Outbox, Unqueued
from bot.storage.question_log import QuestionLog
from bot.storage.reminder_rows import ReminderRow, ReminderRows

NOW = datetime(2025, 4, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def outbox(database_target: DatabaseTarget) -> Iterator[Outbox]:
    store = Outbox.open(database_target)
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


def test_shares_the_database_with_the_question_log(database_target: DatabaseTarget) -> None:
    log_db = QuestionLog(database_target)
    assert log_db.open()  # migrates to the latest version, including the outbox tables
    store = Outbox.open(database_target)
    store.subscribe(7, "command", NOW)
    if database_target.engine is Engine.SQLITE:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    stats = log_db.stats()
    assert stats is not None and stats.subscribers == 1
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


def test_a_stopped_broadcast_sends_only_what_was_in_flight(outbox: Outbox) -> None:
    outbox.add_subscribers(range(1, 6), "test", NOW)
    draft = outbox.create_draft("phishing", NOW)
    assert outbox.stop(draft, NOW, "stopped by admin 1") == 0  # a draft: nothing to stop
    outbox.enqueue(draft, NOW)
    items = outbox.pending_batch(10)
    assert outbox.claim(items[0], NOW)  # in flight: it goes out
    assert outbox.stop(draft, NOW, "stopped by admin 1") == 4
    assert not any(outbox.claim(item, NOW) for item in items[1:])
    outbox.record(items[0], "sent", NOW)
    assert outbox.finish_completed(NOW) == [draft]
    assert outbox.stop(draft, NOW, "stopped by admin 1") == 0  # stopped once
    done = outbox.progress(draft)
    assert done is not None and (done.sent, done.cancelled, done.remaining) == (1, 4, 0)


def test_stop_all_cancels_what_every_broadcast_and_reminder_has_not_sent(
    outbox: Outbox,
) -> None:
    """/stopall: every queued broadcast, reminders too, and every preview not confirmed."""
    outbox.add_subscribers(range(1, 6), "test", NOW)
    done = outbox.create_draft("sent already", NOW)
    outbox.enqueue(done, NOW)
    for item in outbox.pending_batch(10):
        outbox.claim(item, NOW)
        outbox.record(item, "sent", NOW)
    assert outbox.finish_completed(NOW) == [done]
    announcement = outbox.create_draft("phishing", NOW, created_by=999)
    outbox.enqueue(announcement, NOW)
    in_flight = outbox.pending_batch(1)[0]
    assert outbox.claim(in_flight, NOW)  # goes out whatever happens
    reminder = outbox.create_draft("🔔 রিমাইন্ডার", NOW, kind="reminder")
    outbox.enqueue(reminder, NOW)
    draft = outbox.create_draft("not confirmed yet", NOW, created_by=999)

    stopped = outbox.stop_all(NOW, "stopped by admin 998 (/stopall)")
    assert (stopped.broadcasts, stopped.reminders, stopped.messages, stopped.drafts) == (
        (announcement, reminder), 1, 9, 1)
    assert outbox.pending_batch(10) == []
    assert outbox.enqueue(draft, NOW) is None  # its Send button queues nothing
    outbox.record(in_flight, "sent", NOW)
    assert outbox.finish_completed(NOW) == [announcement, reminder]
    progress = {b: outbox.progress(b) for b in (done, announcement, reminder)}
    assert [(p.sent, p.cancelled, p.remaining) for p in progress.values() if p] == [
        (5, 0, 0), (1, 4, 0), (0, 5, 0)]
    again = outbox.stop_all(NOW, "stopped by admin 998 (/stopall)")
    assert (again.broadcasts, again.messages, again.drafts) == ((), 0, 0)


def test_enqueue_reaches_every_active_subscriber_once(outbox: Outbox) -> None:
    # Speed is measured in tests/bench/bench_broadcast.py; this checks the bulk path.
    outbox.add_subscribers(range(20_000), "bench", NOW)
    outbox.unsubscribe(5, "command", NOW)
    broadcast_id, count = outbox.announce("hello", NOW)
    assert count == 19_999
    progress = outbox.progress(broadcast_id)
    assert progress is not None and (progress.total, progress.remaining) == (19_999, 19_999)
    assert 5 not in {i.chat_id for i in outbox.pending_batch(20_000)}


def test_chat_ids_beyond_32_bits(outbox: Outbox) -> None:
    supergroup = -1001234567890  # Telegram ids of groups and channels need 64 bits
    assert outbox.subscribe(supergroup, "command", NOW)
    broadcast_id, count = outbox.announce("hi", NOW)
    [item] = outbox.pending_batch(5)
    assert (count, item.chat_id, item.broadcast_id) == (1, supergroup, broadcast_id)


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


def test_a_row_is_claimed_by_one_connection_only(database_target: DatabaseTarget) -> None:
    first, second = Outbox.open(database_target), Outbox.open(database_target)
    first.add_subscribers(range(1, 41), "test", NOW)
    first.announce("x", NOW)
    items = first.pending_batch(100)
    # Two senders racing over the same rows (as during a takeover): each row goes to one.
    with ThreadPoolExecutor(2) as pool:
        wins = list(pool.map(lambda store: [store.claim(i, NOW) for i in items],
                             (first, second)))
    assert [a + b for a, b in zip(*wins, strict=True)] == [1] * len(items)
    first.close()
    second.close()


def test_postgres_claim_skips_a_row_locked_elsewhere(postgres_target: DatabaseTarget) -> None:
    store, other = Outbox.open(postgres_target), Outbox.open(postgres_target)
    store.add_subscribers([1, 2], "test", NOW)
    store.announce("x", NOW)
    first, second = store.pending_batch(10)
    with other.conn.transaction() as db:  # another process is in the middle of changing row 1
        db.execute("SELECT 1 FROM outbox WHERE chat_id = 1 FOR UPDATE")
        started = time.monotonic()
        assert not store.claim(first, NOW)  # skipped at once, not waited for
        assert time.monotonic() - started < 1.0
        assert store.claim(second, NOW)
    assert store.claim(first, NOW)  # free again once that transaction ended
    store.close()
    other.close()


def _rows(outbox: Outbox) -> list[tuple[int, int, str]]:
    return [(int(b), int(c), s) for b, c, s in outbox.conn.execute(
        "SELECT broadcast_id, chat_id, state FROM outbox ORDER BY broadcast_id, chat_id")]


def test_a_migrated_group_takes_its_subscription_and_queue_along(outbox: Outbox) -> None:
    """A group upgraded to a supergroup gets a new id: what was kept under the old one moves
    there, in one update that may run again (service message, then a send refused)."""
    old, new = -4242, -1004242
    outbox.add_subscribers([old, 7], "test", NOW)
    first = outbox.create_draft("one", NOW)
    outbox.enqueue(first, NOW)
    item = next(i for i in outbox.pending_batch(10) if i.chat_id == 7)
    assert outbox.claim(item, NOW)  # another chat's row in flight is left alone
    moved = outbox.move_chat(old, new, NOW)
    assert (moved.subscription, moved.queued) == (True, 1)
    assert outbox.is_subscribed(new) and not outbox.is_subscribed(old)
    assert _rows(outbox) == [(first, new, "pending"), (first, 7, "sending")]
    again = outbox.move_chat(old, new, NOW)  # the second notice changes nothing
    assert (again.subscription, again.queued) == (False, 0)
    assert _rows(outbox) == [(first, new, "pending"), (first, 7, "sending")]
    assert outbox.subscriber_counts().active == 2


def test_a_migration_keeps_the_new_chats_own_rows(outbox: Outbox) -> None:
    """The supergroup subscribed (and got a broadcast queued) before the old id was moved:
    it keeps its own row, and the old id's duplicate is cancelled, not sent twice."""
    old, new = -55, -10055
    outbox.add_subscribers([old], "test", NOW)
    outbox.subscribe(new, "command", NOW)
    outbox.unsubscribe(new, "command", NOW)  # its own later choice wins
    draft = outbox.create_draft("one", NOW)
    outbox.subscribe(new, "command", NOW)
    outbox.enqueue(draft, NOW)
    moved = outbox.move_chat(old, new, NOW)
    assert moved.queued == 0
    assert _rows(outbox) == [(draft, new, "pending"), (draft, old, "cancelled")]
    assert outbox.is_subscribed(new) and not outbox.is_subscribed(old)
    counts = outbox.subscriber_counts()
    assert (counts.active, counts.unsubscribed) == (1, 0)


def test_moving_a_chat_to_its_own_id_changes_nothing(outbox: Outbox) -> None:
    """Before, a move to the same id deleted the chat's subscription and cancelled its queued
    messages (the rows of the new id 'won' over themselves)."""
    chat = -1000000004444
    outbox.add_subscribers([chat, 7], "test", NOW)
    draft = outbox.create_draft("one", NOW)
    outbox.enqueue(draft, NOW)
    moved = outbox.move_chat(chat, chat, NOW)
    assert (moved.subscription, moved.queued) == (False, 0)
    assert outbox.is_subscribed(chat)
    assert _rows(outbox) == [(draft, chat, "pending"), (draft, 7, "pending")]


def test_finding_finished_broadcasts_does_not_walk_their_deliveries(tmp_path: Path) -> None:
    """Before, SQLite (with no statistics: nothing runs ANALYZE) looked for a queued
    broadcast's unfinished rows through the primary key, walking every delivery of it,
    sent or not, every few seconds while it was sent: ~0.1 s per 200,000 recipients on the
    outbox's one thread, which the sender waits on. Now through the partial index of
    unfinished rows: the same few steps however many rows are done."""
    outbox = Outbox.open(tmp_path / "bot.sqlite3")

    def finish_steps(recipients: int) -> int:
        first = (outbox.conn.execute("SELECT COALESCE(MAX(chat_id), 0) FROM subscribers")
                 .fetchone()[0]) + 1
        outbox.add_subscribers(range(first, recipients + 1), "test", NOW)
        broadcast_id, _ = outbox.announce("x", NOW)
        # Sent in chat order, as the sender does: the last one is still to send.
        outbox.conn.execute("UPDATE outbox SET state = 'sent' WHERE broadcast_id = ?"
                            " AND chat_id < ?", (broadcast_id, recipients))
        found: list[int] = []
        steps = sqlite_steps(outbox.conn, lambda: found.extend(outbox.finish_completed(NOW)))
        assert found == []
        outbox.conn.execute("UPDATE outbox SET state = 'sent' WHERE broadcast_id = ?",
                            (broadcast_id,))
        assert outbox.finish_completed(NOW) == [broadcast_id]
        return steps

    small, large = finish_steps(2_000), finish_steps(40_000)
    outbox.close()
    assert large <= small + 5 and large < 50, (small, large)


def test_a_preview_older_than_its_bound_queues_nothing(outbox: Outbox) -> None:
    """Red team 14: a /broadcast preview's Send worked however old the preview was, so a
    stolen admin phone could scroll back months and send an old draft to every subscriber
    with one tap. Past `DRAFT_MAX_AGE` it queues nothing (and says why); within it, it does."""
    outbox.add_subscribers([1, 2], "test", NOW - timedelta(days=90))
    old = outbox.create_draft("an old preview", NOW - DRAFT_MAX_AGE - timedelta(seconds=1))
    fresh = outbox.create_draft("today's preview", NOW - DRAFT_MAX_AGE + timedelta(minutes=1))
    assert outbox.send_draft(old, NOW) is Unqueued.EXPIRED
    assert outbox.send_draft(old, NOW) is Unqueued.EXPIRED  # tapped again: the same
    assert outbox.pending_batch(10) == []
    progress = outbox.progress(old)
    assert progress is not None and (progress.state, progress.total) == ("draft", 0)
    assert outbox.send_draft(fresh, NOW) == 2
    assert outbox.send_draft(fresh, NOW) is Unqueued.GONE  # confirming twice queues once
    cancelled = outbox.create_draft("cancelled", NOW - timedelta(days=30))
    assert outbox.cancel_draft(cancelled)
    assert outbox.send_draft(cancelled, NOW) is Unqueued.GONE  # gone before it was old
    assert [i.broadcast_id for i in outbox.pending_batch(10)] == [fresh, fresh]
