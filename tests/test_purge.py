"""The retention purge on real SQLite files and PostgreSQL schemas: short transactions that
let other writers in, unsubscribed chats and finished deliveries deleted once old, and the
outbox indexes of migration 7 on a database upgraded from migration 6."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta

from bot.storage.connection import DatabaseTarget, Engine, connect
from bot.storage.migrations import MIGRATIONS, migrate
from bot.storage.outbox import REMAINING, Outbox, OutboxItem, iso
from bot.storage.question_log import QuestionLog, Storage
from bot.storage.records import Purged, QuestionRecord, UserSeen, VoteRecord

NOW = datetime(2025, 4, 20, 12, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=120)
CUTOFF = NOW - timedelta(days=90)


def opened(target: DatabaseTarget) -> QuestionLog:
    log = QuestionLog(target)
    assert log.open(), log.error
    return log


def asked(text: str, user: int, at: datetime = LONG_AGO) -> QuestionRecord:
    return QuestionRecord(at, "private", text, "fallback", None, 30.0, asked_by=user)


def log_old_rows(log: QuestionLog, count: int) -> None:
    assert log.write([UserSeen(u, LONG_AGO) for u in range(count)],
                     [asked(f"old question {i}", i) for i in range(count)],
                     votes=[VoteRecord(LONG_AGO, 7, i, i, up=True) for i in range(count)])


def test_a_purge_commits_between_batches_so_other_writers_get_in(
        database_target: DatabaseTarget) -> None:
    """Found by the red-team run: a purge of millions of rows was one transaction holding
    the write lock for 16-28 s (/subscribe refused, the broadcast sender stalled). Between
    two of its batches another connection, which waits at most a millisecond for a lock,
    subscribes a chat and logs a question."""
    log = opened(database_target)
    log_old_rows(log, 40)
    other = Outbox(connect(database_target, busy_timeout_ms=1))
    other.subscribe(-5, "command", LONG_AGO)
    other.unsubscribe(-5, "command", LONG_AGO)  # purged in a later batch, unless it returns
    writes: list[int] = []

    def between() -> None:
        n = len(writes)
        assert other.subscribe(1000 + n, "command", NOW)
        if n == 3:
            assert other.subscribe(-5, "command", NOW)  # back before its batch: kept
        with other.conn.transaction() as db:
            db.execute("INSERT INTO questions(asked_at, channel, text, kind, score)"
                       " VALUES (?, 'private', ?, 'fallback', 0)",
                       (NOW.isoformat(timespec="seconds"), f"asked meanwhile {n}"))
        writes.append(n)

    purged = log.purge(CUTOFF, NOW, rows=7, pause=between)
    assert purged is not None
    assert (purged.questions, purged.votes, purged.users, purged.subscribers) == (40, 40, 40, 0)
    assert len(writes) >= 3 * 40 // 7  # questions, votes and users took several batches each
    assert log.conn is not None
    left = log.conn.execute("SELECT COUNT(*) FROM questions").fetchone()[0]
    assert left == len(writes)  # every question logged meanwhile is still there
    assert other.subscriber_counts().active == len(writes) + 1
    other.close()
    log.close()


def test_between_batches_of_a_sqlite_purge_the_write_lock_is_free(tmp_path: object) -> None:
    """The same, watched from SQLite itself, whatever the purge's parameters: when the
    purge starts a transaction after having deleted rows, a writer that does not wait at
    all gets the lock."""
    target = DatabaseTarget.parse(f"{tmp_path}/bot.sqlite3")
    log = opened(target)
    log_old_rows(log, 2500)
    other = Outbox(connect(target, busy_timeout_ms=0))
    deleted, got_in, refused = False, [], []

    def watch(statement: str) -> None:
        nonlocal deleted
        if statement.startswith("DELETE"):
            deleted = True
        elif statement.startswith("BEGIN") and deleted:
            try:
                other.subscribe(len(got_in) + 1, "command", NOW)
                got_in.append(statement)
            except Exception as exc:  # noqa: BLE001 - the refusal is what is measured
                refused.append(exc)

    assert log.conn is not None
    log.conn._raw.set_trace_callback(watch)
    purged = log.purge(CUTOFF, NOW)
    log.conn._raw.set_trace_callback(None)
    assert purged is not None and purged.questions == 2500
    assert got_in and not refused
    other.close()
    log.close()


def test_the_bots_periodic_purge_also_runs_in_batches(database_target: DatabaseTarget) -> None:
    async def scenario() -> tuple[int, int]:
        storage = await Storage.open(database_target)
        log_old_rows(storage.question_log, 30)
        purged = await storage.purge(CUTOFF, rows=4, pause=0)
        assert purged is not None
        again = await storage.purge(CUTOFF, rows=4, pause=0)
        await storage.close()
        assert again is not None
        return purged.total, again.total

    assert asyncio.run(scenario()) == (90, 0)


def sent_long_ago(outbox: Outbox, chats: list[int], text: str) -> int:
    """A broadcast to `chats`, delivered (and finished) long ago; returns its id."""
    broadcast_id = outbox.create_draft(text, LONG_AGO)
    assert outbox.enqueue(broadcast_id, LONG_AGO) == len(chats)
    for chat in chats:
        item = OutboxItem(broadcast_id, chat, text)
        assert outbox.claim(item, LONG_AGO)
        outbox.record(item, "sent", LONG_AGO)
    return broadcast_id


def test_unsubscribed_chats_and_finished_deliveries_go_once_old(
        database_target: DatabaseTarget) -> None:
    """Found by the red-team run: chats that left stayed in `subscribers` forever, and who
    got which broadcast in `outbox`, although the README promised otherwise."""
    log = opened(database_target)
    outbox = Outbox.open(database_target)
    outbox.add_subscribers([1, 2, 3, 4], "command", LONG_AGO)
    old = sent_long_ago(outbox, [1, 2, 3, 4], "old news")
    # Finished lately (its rows long ago): it stays, and keeps the counts of its rows gone.
    assert outbox.finish_completed(NOW - timedelta(days=3)) == [old]
    outbox.unsubscribe(1, "command", LONG_AGO)  # left long ago: forgotten
    outbox.unsubscribe(2, "blocked", NOW - timedelta(days=3))  # left lately: kept a while
    # A broadcast still going: none of its rows go, however old, so its progress holds.
    running = outbox.create_draft("still sending", LONG_AGO)
    assert outbox.enqueue(running, LONG_AGO) == 2  # chats 3 and 4
    item = OutboxItem(running, 3, "still sending")
    assert outbox.claim(item, LONG_AGO)
    outbox.record(item, "sent", LONG_AGO)
    before = outbox.progress(old)

    purged = log.purge(CUTOFF, NOW, rows=3, pause=lambda: None)
    assert purged is not None
    assert (purged.subscribers, purged.deliveries) == (1, 4)
    chats = [r[0] for r in outbox.conn.execute("SELECT chat_id FROM subscribers ORDER BY 1")]
    assert chats == [2, 3, 4]
    assert outbox.conn.execute("SELECT COUNT(*) FROM outbox WHERE broadcast_id = ?",
                               (old,)).fetchone()[0] == 0
    assert outbox.progress(old) == before  # the counts outlive the rows
    progress = outbox.progress(running)
    assert progress is not None and (progress.sent, progress.remaining) == (1, 1)
    again = log.purge(CUTOFF, NOW, rows=3, pause=lambda: None)
    assert again is not None and again.total == 0
    # A chat forgotten may subscribe again, as a new one.
    assert outbox.subscribe(1, "command", NOW) and outbox.is_subscribed(1)
    outbox.close()
    log.close()


def test_finished_broadcasts_go_once_old_and_their_deliveries_gone(
        database_target: DatabaseTarget) -> None:
    """Found by the red-team run: `broadcasts` was never purged, and its rows keep the
    admin who sent each one and the chat of their progress message."""
    log = opened(database_target)
    outbox = Outbox.open(database_target)
    outbox.add_subscribers([1, 2], "command", LONG_AGO)
    old = sent_long_ago(outbox, [1, 2], "old news")
    outbox.set_progress_message(old, 42, 7)
    reminder = sent_long_ago(outbox, [1, 2], "old reminder")
    # A reminder row keeps its event's schedule; it forgets which broadcast sent it.
    outbox.conn.execute(
        "INSERT INTO reminders(event_id, offset_s, due_at, starts_at, state, broadcast_id,"
        " updated_at) VALUES ('llamacon', 3600, ?, ?, 'sent', ?, ?)",
        (iso(LONG_AGO), iso(LONG_AGO), reminder, iso(LONG_AGO)))
    late = sent_long_ago(outbox, [1, 2], "delivered lately")  # finished long ago, but...
    outbox.conn.execute("UPDATE outbox SET updated_at = ? WHERE broadcast_id = ? AND"
                        " chat_id = 2", (iso(NOW - timedelta(days=1)), late))
    dropped = outbox.create_draft("never sent", LONG_AGO)
    assert outbox.cancel_draft(dropped)
    assert sorted(outbox.finish_completed(LONG_AGO)) == [old, reminder, late]
    recent = sent_long_ago(outbox, [1, 2], "recent news")
    assert outbox.finish_completed(NOW - timedelta(days=3)) == [recent]
    running = outbox.create_draft("still sending", LONG_AGO)
    assert outbox.enqueue(running, LONG_AGO) == 2

    purged = log.purge(CUTOFF, NOW, rows=2, pause=lambda: None)
    assert purged is not None
    # The recent broadcast's rows are old (sent long ago), it finished lately: it stays.
    assert (purged.deliveries, purged.broadcasts) == (2 + 2 + 1 + 2, 3)
    left = [r[0] for r in outbox.conn.execute("SELECT id FROM broadcasts ORDER BY id")]
    assert left == [late, recent, running]
    assert outbox.conn.execute("SELECT event_id, state, broadcast_id FROM reminders"
                               ).fetchall() == [("llamacon", "sent", None)]
    assert [p.broadcast_id for p in outbox.recent()] == [running, recent, late]
    progress = outbox.progress(late)
    assert progress is not None and (progress.sent, progress.remaining) == (2, 0)
    again = log.purge(CUTOFF, NOW, rows=2, pause=lambda: None)
    assert again is not None and again.total == 0
    outbox.close()
    log.close()


def test_two_purges_at_once_count_each_deleted_delivery_once(
        database_target: DatabaseTarget) -> None:
    """Red-team: a purge counted a step's delivery rows (SELECT … GROUP BY) into the
    broadcast's `purged_*` columns, then deleted them. Two purges at once (two replicas, or
    `llamabot data purge` beside the bot) on PostgreSQL both counted the same rows, one
    deleted them, and `broadcast status` said twice as many were sent. Both run here while
    a third transaction holds the broadcast's row (SQLite: its write lock), so that each
    has read what to delete before either can write."""
    outbox = Outbox.open(database_target)
    outbox.add_subscribers([1, 2, 3, 4], "command", LONG_AGO)
    news = sent_long_ago(outbox, [1, 2, 3, 4], "old news")
    assert outbox.finish_completed(NOW - timedelta(days=1)) == [news]  # it stays, counted
    purges = [QuestionLog(database_target, busy_timeout_ms=20_000) for _ in range(2)]
    for log in purges:
        assert log.open(), log.error
    holder = connect(database_target)
    results: list[object] = [None, None]

    def purge(index: int) -> None:
        results[index] = purges[index].purge(CUTOFF, NOW, pause=lambda: None)

    with holder.transaction() as db:
        db.execute("UPDATE broadcasts SET purged_sent = purged_sent WHERE id = ?", (news,))
        threads = [threading.Thread(target=purge, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)  # both reach the broadcast's row (or the write lock) and wait
    for thread in threads:
        thread.join(30)
    assert all(isinstance(r, Purged) for r in results), results
    assert sum(r.deliveries for r in results if isinstance(r, Purged)) == 4
    [(counted,)] = outbox.conn.execute("SELECT purged_sent FROM broadcasts WHERE id = ?",
                                       (news,)).fetchall()
    assert counted == 4
    progress = outbox.progress(news)
    assert progress is not None and (progress.sent, progress.remaining) == (4, 0)
    holder.close()
    for log in purges:
        log.close()
    outbox.close()


def test_forgetting_a_chat_never_breaks_a_broadcast_in_flight(
        database_target: DatabaseTarget) -> None:
    """A send in flight to a chat forgotten meanwhile is recorded and the broadcast
    finishes; a send still pending for a chat that left (queued as it left, on
    PostgreSQL) is cancelled with the chat, never sent to someone forgotten."""
    log = opened(database_target)
    outbox = Outbox.open(database_target)
    outbox.add_subscribers([10, 11, 12], "command", LONG_AGO)
    broadcast_id = outbox.create_draft("news", NOW)
    assert outbox.enqueue(broadcast_id, NOW) == 3
    in_flight = OutboxItem(broadcast_id, 10, "news")
    assert outbox.claim(in_flight, NOW)
    outbox.unsubscribe(10, "command", LONG_AGO)
    outbox.unsubscribe(11, "command", LONG_AGO)
    # The race the cancel in `unsubscribe` cannot see: a row queued as the chat left.
    outbox.conn.execute("UPDATE outbox SET state = 'pending' WHERE chat_id = 11")

    purged = log.purge(CUTOFF, NOW, rows=2, pause=lambda: None)
    assert purged is not None and purged.subscribers == 2
    assert not outbox.claim(OutboxItem(broadcast_id, 11, "news"), NOW)
    outbox.record(in_flight, "sent", NOW)
    last = OutboxItem(broadcast_id, 12, "news")
    assert [i.chat_id for i in outbox.pending_batch(10)] == [12]
    assert outbox.claim(last, NOW)
    outbox.record(last, "sent", NOW)
    assert outbox.finish_completed(NOW) == [broadcast_id]
    progress = outbox.progress(broadcast_id)
    assert progress is not None
    assert (progress.sent, progress.cancelled, progress.remaining) == (2, 1, 0)
    outbox.close()
    log.close()


def uses_index(conn_target: DatabaseTarget, sql: str, index: str) -> bool:
    conn = connect(conn_target)
    try:
        if conn.engine is Engine.SQLITE:
            plan = " ".join(str(r[-1]) for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        else:
            with conn.transaction() as db:  # a tiny table: make the planner show its options
                db.execute("SET LOCAL enable_seqscan = off")
                plan = " ".join(r[0] for r in db.execute(f"EXPLAIN {sql}"))
        return index in plan
    finally:
        conn.close()


def test_migration_7_indexes_unsent_rows_of_a_database_from_migration_6(
        database_target: DatabaseTarget) -> None:
    """Found by the red-team run: /metrics counted the rows still to send by scanning the
    whole outbox, every delivery ever made."""
    conn = connect(database_target)
    assert migrate(conn, MIGRATIONS[:6]) == 6
    conn.execute("INSERT INTO broadcasts(kind, text, state, created_at, total)"
                 " VALUES ('announcement', 'hi', 'queued', ?, 2)", (LONG_AGO.isoformat(),))
    conn.execute("INSERT INTO outbox(broadcast_id, chat_id, state, updated_at) VALUES"
                 " (1, 5, 'sent', ?), (1, 6, 'pending', ?)",
                 (LONG_AGO.isoformat(), LONG_AGO.isoformat()))
    conn.execute("INSERT INTO questions(asked_at, channel, text, kind, score)"
                 " VALUES (?, 'private', 'kept', 'fallback', 0)", (LONG_AGO.isoformat(),))
    assert migrate(conn) == len(MIGRATIONS) >= 7
    assert migrate(conn) == len(MIGRATIONS)  # run again: nothing left to do
    conn.close()
    assert uses_index(database_target, REMAINING, "outbox_unfinished")
    assert uses_index(database_target, "SELECT 1 FROM questions WHERE text = 'kept'",
                      "questions_text")
    outbox = Outbox.open(database_target)
    assert outbox.remaining() == 1
    progress = outbox.progress(1)
    assert progress is not None and (progress.sent, progress.remaining) == (1, 1)
    outbox.close()


def test_a_preview_never_confirmed_goes_once_old(database_target: DatabaseTarget) -> None:
    """Red team 14: a /broadcast preview nobody confirmed or cancelled stayed a draft for
    good: no purge deleted its text and the admin who wrote it, and its Send button still
    queued it for every subscriber months later (a stolen phone's chat history)."""
    log = opened(database_target)
    outbox = Outbox.open(database_target)
    outbox.add_subscribers([1, 2], "command", LONG_AGO)
    forgotten = outbox.create_draft("a preview left long ago", LONG_AGO, created_by=999)
    recent = outbox.create_draft("a preview of today", NOW - timedelta(hours=1), created_by=999)

    purged = log.purge(CUTOFF, NOW, rows=2, pause=lambda: None)
    assert purged is not None and purged.broadcasts == 1
    left = [r[0] for r in outbox.conn.execute("SELECT id FROM broadcasts ORDER BY id")]
    assert left == [recent]
    assert outbox.enqueue(forgotten, NOW) is None  # its Send queues nothing now
    assert outbox.enqueue(recent, NOW) == 2
    outbox.close()
    log.close()
