"""A broadcast's progress (sent, failed, blocked, cancelled, remaining) without counting its
outbox rows: the counts kept in its `broadcasts` row, moved in the same statement or
transaction as each row's state, on a real SQLite file and a real PostgreSQL schema.

Before, `Outbox.progress` counted the broadcast's rows by state on every progress round
(every few seconds while it sends): ~550 ms per round at 1,000,000 recipients on SQLite, on
the outbox's one thread, which the sender waits on.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import sqlite_steps

from bot.broadcast.progress import _collect
from bot.storage.connection import DatabaseTarget, connect
from bot.storage.migrations import MIGRATIONS, migrate
from bot.storage.outbox import FINISHED, Outbox, OutboxItem, Progress, iso
from bot.storage.question_log import QuestionLog

NOW = datetime(2025, 4, 20, 12, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=120)
CUTOFF = NOW - timedelta(days=90)


@pytest.fixture
def outbox(database_target: DatabaseTarget) -> Iterator[Outbox]:
    store = Outbox.open(database_target)
    yield store
    store.close()


def recounted(outbox: Outbox, broadcast_id: int) -> tuple[int, ...]:
    """(sent, failed, blocked, cancelled, remaining) counted from the rows themselves, plus
    the rows the purge deleted: what `progress` must agree with."""
    counts = dict(outbox.conn.execute(
        "SELECT state, COUNT(*) FROM outbox WHERE broadcast_id = ? GROUP BY state",
        (broadcast_id,)).fetchall())
    purged = outbox.conn.execute(
        "SELECT purged_sent, purged_failed, purged_blocked, purged_cancelled"
        " FROM broadcasts WHERE id = ?", (broadcast_id,)).fetchone()
    finished = tuple(int(counts.get(s, 0)) + int(p) for s, p in zip(FINISHED, purged, strict=True))
    return (*finished, int(counts.get("pending", 0)) + int(counts.get("sending", 0)))


def shown(progress: Progress | None) -> tuple[int, ...]:
    assert progress is not None
    return (progress.sent, progress.failed, progress.blocked, progress.cancelled,
            progress.remaining)


def agree(outbox: Outbox, *broadcasts: int) -> None:
    for broadcast_id in broadcasts:
        assert shown(outbox.progress(broadcast_id)) == recounted(outbox, broadcast_id), \
            broadcast_id


def claimed(outbox: Outbox, broadcast_id: int, chat_id: int) -> OutboxItem:
    item = OutboxItem(broadcast_id, chat_id, "x")
    assert outbox.claim(item, NOW)
    return item


def test_progress_counts_follow_every_state_change(database_target: DatabaseTarget) -> None:
    """Each way a row changes state, each checked against a count of the rows: sends,
    failures, blocks (which cancel that chat's other queued sends), unsubscribes, a group's
    move to a new id, a stop, taking back rows in flight, a result written late or twice,
    the purge's cancel of a forgotten chat and its deletion of old rows."""
    outbox = Outbox.open(database_target)
    log = QuestionLog(database_target)
    assert log.open()
    outbox.add_subscribers(range(1, 21), "command", LONG_AGO)
    first, total = outbox.announce("first", LONG_AGO)
    second, _ = outbox.announce("second", LONG_AGO)
    assert total == 20
    agree(outbox, first, second)
    assert shown(outbox.progress(first)) == (0, 0, 0, 0, 20)

    outbox.record(claimed(outbox, first, 1), "sent", NOW)
    outbox.record(claimed(outbox, first, 2), "failed", NOW, "boom")
    agree(outbox, first, second)
    outbox.record_blocked(claimed(outbox, first, 3), NOW)  # also cancels chat 3's second
    agree(outbox, first, second)
    assert shown(outbox.progress(second))[3] == 1
    outbox.unsubscribe(4, "command", NOW)  # both its queued sends
    outbox.unsubscribe(4, "command", NOW)  # again: nothing more
    agree(outbox, first, second)
    # A result written twice (kept, then written again) and one for a row already done.
    item = claimed(outbox, first, 5)
    outbox.record(item, "sent", NOW)
    outbox.record(item, "sent", NOW)
    outbox.record(item, "failed", NOW)
    outbox.record_blocked(item, NOW)
    agree(outbox, first, second)
    # A group moved to a new id: its queued sends go along, or are cancelled where the
    # new id already has its own.
    outbox.subscribe(106, "command", NOW)
    third, _ = outbox.announce("third", NOW)
    outbox.move_chat(6, 106, NOW)
    outbox.move_chat(7, 107, NOW)
    agree(outbox, first, second, third)
    # Rows in flight taken back by a new sender, one result then written late anyway.
    late = claimed(outbox, first, 8)
    claimed(outbox, first, 9)
    assert outbox.recover_in_flight() == 2
    agree(outbox, first, second, third)
    outbox.record(late, "sent", NOW)
    agree(outbox, first, second, third)
    # Stopped: what is pending is cancelled, what is in flight still goes out.
    in_flight = claimed(outbox, second, 10)
    assert outbox.stop(second, NOW, "stopped") > 0
    assert outbox.stop(second, NOW, "stopped") == 0
    agree(outbox, first, second, third)
    outbox.record(in_flight, "sent", NOW)
    assert outbox.finish_completed(NOW) == [second]
    agree(outbox, first, second, third)
    # A chat that left long ago is forgotten, and a send queued for it as it left (the
    # race its unsubscribe cannot see) is cancelled with it.
    outbox.conn.execute("UPDATE subscribers SET active = 0, changed_at = ? WHERE chat_id = 11",
                        (iso(LONG_AGO),))
    # The rest of the first broadcast goes out; the second's old rows are purged.
    for row in outbox.pending_batch(100):
        if row.broadcast_id == first and row.chat_id != 11:
            outbox.record(claimed(outbox, first, row.chat_id), "sent", LONG_AGO)
    outbox.conn.execute("UPDATE outbox SET updated_at = ? WHERE broadcast_id = ?",
                        (iso(LONG_AGO), second))
    before = shown(outbox.progress(second))
    purged = log.purge(CUTOFF, NOW, rows=3, pause=lambda: None)
    assert purged is not None and purged.subscribers >= 1 and purged.deliveries > 0
    assert outbox.conn.execute("SELECT COUNT(*) FROM outbox WHERE broadcast_id = ?",
                               (second,)).fetchone()[0] == 0
    assert shown(outbox.progress(second)) == before  # the counts outlive the rows
    agree(outbox, first, second, third)
    assert outbox.finish_completed(NOW) == [first]
    progress = outbox.progress(first)
    assert progress is not None and progress.remaining == 0
    assert progress.sent + progress.failed + progress.blocked + progress.cancelled == 20
    agree(outbox, first, second, third)
    log.close()
    outbox.close()


def half_sent(outbox: Outbox, recipients: int) -> int:
    """A queued broadcast to `recipients` new subscribers, watched, half of its rows sent
    (their states only: what a round costs, not what it shows)."""
    first = (outbox.conn.execute("SELECT COALESCE(MAX(chat_id), 0) FROM subscribers")
             .fetchone()[0]) + 1
    outbox.conn.execute("UPDATE subscribers SET active = 0")
    outbox.add_subscribers(range(first, first + recipients), "test", NOW)
    broadcast_id, count = outbox.announce("x", NOW)
    assert count == recipients
    outbox.set_progress_message(broadcast_id, 999, 42)
    outbox.conn.execute(  # sent in chat order, as the sender does
        "UPDATE outbox SET state = 'sent' WHERE broadcast_id = ? AND chat_id < ?",
        (broadcast_id, first + recipients // 2))
    return broadcast_id


def test_a_progress_round_takes_the_same_few_steps_however_many_recipients(
        tmp_path: Path) -> None:
    """Before, each round counted the broadcast's rows by state: SQLite's steps grew with
    its recipients (~550 ms a round at 1,000,000). Now the same few steps at 2,000 and at
    40,000 (SQLite's virtual machine instructions, counted, not timed)."""
    outbox = Outbox.open(tmp_path / "bot.sqlite3")

    def round_steps(recipients: int) -> int:
        broadcast_id = half_sent(outbox, recipients)
        found: list[Any] = []
        steps = sqlite_steps(outbox.conn, lambda: found.extend(_collect(outbox, NOW, None)))
        assert [p.broadcast_id for p in found] == [broadcast_id]
        outbox.stop(broadcast_id, NOW, "next")
        assert outbox.finish_completed(NOW) == [broadcast_id]
        return steps

    small, large = round_steps(2_000), round_steps(40_000)
    outbox.close()
    assert large <= small + 5 and large < 50, (small, large)


def test_a_progress_round_reads_no_delivery_row_on_postgresql(
        postgres_target: DatabaseTarget) -> None:
    """PostgreSQL's own statistics of the transaction: the round's `progress` scans no
    outbox row (before, it counted them all)."""
    outbox = Outbox.open(postgres_target)
    broadcast_id = half_sent(outbox, 2_000)
    scans = ("SELECT COALESCE(seq_scan, 0) + COALESCE(idx_scan, 0) FROM pg_stat_xact_user_tables"
             " WHERE relid = 'outbox'::regclass")
    with outbox.conn.transaction() as db:
        before = db.execute(scans).fetchone()[0]
        progress = outbox.progress(broadcast_id)
        after = db.execute(scans).fetchone()[0]
    assert progress is not None and progress.broadcast_id == broadcast_id
    assert after == before, (before, after)
    outbox.close()


def test_migration_9_counts_the_rows_of_a_database_from_migration_8(
        database_target: DatabaseTarget) -> None:
    """An upgraded database shows the same progress as before: counts of the rows there,
    plus those the purge deleted."""
    conn = connect(database_target)
    assert migrate(conn, MIGRATIONS[:8]) == 8
    at = iso(LONG_AGO)
    conn.execute("INSERT INTO broadcasts(kind, text, state, created_at, total)"
                 " VALUES ('announcement', 'sending', 'queued', ?, 6)", (at,))
    conn.execute("INSERT INTO broadcasts(kind, text, state, created_at, total, purged_sent,"
                 " purged_cancelled) VALUES ('announcement', 'old', 'done', ?, 5, 3, 1)", (at,))
    conn.execute("INSERT INTO broadcasts(kind, text, state, created_at)"
                 " VALUES ('announcement', 'draft', 'draft', ?)", (at,))
    rows = [(1, 1, "sent"), (1, 2, "sent"), (1, 3, "failed"), (1, 4, "blocked"),
            (1, 5, "sending"), (1, 6, "pending"), (2, 7, "cancelled")]
    conn.executemany("INSERT INTO outbox(broadcast_id, chat_id, state, updated_at)"
                     " VALUES (?, ?, ?, ?)", [(*r, at) for r in rows])
    expected = {1: (2, 1, 1, 0, 2), 2: (3, 0, 0, 2, 0), 3: (0, 0, 0, 0, 0)}
    outbox = Outbox(conn)
    assert {i: recounted(outbox, i) for i in expected} == expected  # what it showed

    assert migrate(conn) == len(MIGRATIONS) >= 9
    assert migrate(conn) == len(MIGRATIONS)  # run again: nothing left to do
    assert {i: shown(outbox.progress(i)) for i in expected} == expected
    # And the counts move on from there.
    outbox.record(OutboxItem(1, 5, "sending"), "sent", NOW)
    outbox.unsubscribe(6, "command", NOW)
    assert shown(outbox.progress(1)) == (3, 1, 1, 1, 0)
    agree(outbox, 1, 2, 3)
    outbox.close()


def test_finishing_a_broadcast_sets_its_counts_from_its_rows(outbox: Outbox) -> None:
    """Counts that drifted (a replica of the version before migration 9 sent part of the
    broadcast without moving them, during a rolling upgrade) are exact once it is done."""
    outbox.add_subscribers(range(1, 5), "test", NOW)
    broadcast_id, _ = outbox.announce("x", NOW)
    outbox.record(claimed(outbox, broadcast_id, 1), "sent", NOW)
    # An older replica's writes: the rows only.
    outbox.conn.execute("UPDATE outbox SET state = 'sent' WHERE chat_id IN (2, 3)")
    outbox.conn.execute("UPDATE outbox SET state = 'failed' WHERE chat_id = 4")
    assert shown(outbox.progress(broadcast_id)) == (1, 0, 0, 0, 3)
    assert outbox.finish_completed(NOW) == [broadcast_id]
    assert shown(outbox.progress(broadcast_id)) == (3, 1, 0, 0, 0)


def test_a_broadcast_an_older_replica_finished_shows_its_counts_from_its_rows(
        database_target: DatabaseTarget) -> None:
    """Found by the red team: an older replica (before migration 9) holding the sender lease
    in a rolling upgrade also marks the broadcast done, without setting its counts: every
    replica then showed it done with 3 of 4 messages remaining, and sent 1, for good (the
    purge later kept the wrong figures). The first read of a done broadcast whose counts
    do not add up sets them from its rows, as finishing it would have."""
    outbox = Outbox.open(database_target)
    log = QuestionLog(database_target)
    assert log.open()
    outbox.add_subscribers(range(1, 5), "test", LONG_AGO)
    broadcast_id, _ = outbox.announce("x", LONG_AGO)
    outbox.record(claimed(outbox, broadcast_id, 1), "sent", LONG_AGO)
    # An older replica's writes: the rows only, then its finish_completed.
    outbox.conn.execute("UPDATE outbox SET state = 'sent' WHERE chat_id IN (2, 3)")
    outbox.conn.execute("UPDATE outbox SET state = 'failed' WHERE chat_id = 4")
    outbox.conn.execute("UPDATE broadcasts SET state = 'done', finished_at = ? WHERE id = ?",
                        (iso(NOW), broadcast_id))
    progress = outbox.progress(broadcast_id)
    assert progress is not None and progress.state == "done"
    assert shown(progress) == (3, 1, 0, 0, 0)
    assert [shown(p) for p in outbox.recent()] == [(3, 1, 0, 0, 0)]
    # Set for good: the purge deleting its rows keeps the figures.
    log.purge(CUTOFF, NOW, pause=lambda: None)
    assert outbox.conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
    assert shown(outbox.progress(broadcast_id)) == (3, 1, 0, 0, 0)
    log.close()
    outbox.close()
