"""The outbox indexes of migration 7 on a database upgraded from migration 6, on a real
SQLite file and a real PostgreSQL schema."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.storage.connection import DatabaseTarget, Engine, connect
from bot.storage.migrations import MIGRATIONS, migrate
from bot.storage.outbox import REMAINING, Outbox

NOW = datetime(2025, 4, 20, 12, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=120)


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
