"""Ordered SQLite schema migrations, applied once each and recorded in `schema_version`.

To change the schema, append a `Migration` with the next version number; never edit
or reorder one that has shipped. Issue 4 adds subscriptions and the outbox this way.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "users and question log",
        """
        CREATE TABLE users (
            user_id     INTEGER PRIMARY KEY,   -- Telegram user id; no names or usernames
            first_seen  TEXT NOT NULL,         -- ISO 8601 UTC
            last_seen   TEXT NOT NULL,
            language    TEXT                   -- Telegram language_code, for future texts
        );
        CREATE TABLE questions (
            id          INTEGER PRIMARY KEY,
            asked_at    TEXT NOT NULL,         -- ISO 8601 UTC
            channel     TEXT NOT NULL,         -- private, group, inline
            text        TEXT NOT NULL,         -- normalized question, not the raw message
            kind        TEXT NOT NULL,         -- AnswerKind value
            fact_id     TEXT,
            score       REAL NOT NULL
        );
        CREATE INDEX questions_kind_text ON questions(kind, text);
        CREATE INDEX questions_fact ON questions(fact_id) WHERE fact_id IS NOT NULL;
        """,
    ),
    Migration(
        2,
        "subscribers, broadcasts, outbox and reminders",
        """
        CREATE TABLE subscribers (
            chat_id     INTEGER PRIMARY KEY,
            active      INTEGER NOT NULL,      -- 1 subscribed; 0 kept to count who left and why
            reason      TEXT NOT NULL,         -- last change: command, button, link, blocked, kicked
            changed_at  TEXT NOT NULL          -- ISO 8601 UTC
        );
        CREATE TABLE broadcasts (
            id          INTEGER PRIMARY KEY,
            kind        TEXT NOT NULL,         -- announcement or reminder
            text        TEXT NOT NULL,
            state       TEXT NOT NULL,         -- draft, queued, done, cancelled
            created_at  TEXT NOT NULL,
            created_by  INTEGER,               -- admin user id; NULL from the CLI or scheduler
            total       INTEGER NOT NULL DEFAULT 0,
            progress_chat_id    INTEGER,       -- the admin's message edited with progress
            progress_message_id INTEGER,
            finished_at TEXT
        );
        CREATE TABLE outbox (
            broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id),
            chat_id     INTEGER NOT NULL,
            state       TEXT NOT NULL,         -- pending, sending, sent, failed, blocked, cancelled
            attempts    INTEGER NOT NULL DEFAULT 0,
            updated_at  TEXT,
            error       TEXT,
            PRIMARY KEY (broadcast_id, chat_id)
        ) WITHOUT ROWID;
        CREATE INDEX outbox_pending ON outbox(broadcast_id, chat_id) WHERE state = 'pending';
        CREATE INDEX outbox_pending_chat ON outbox(chat_id) WHERE state = 'pending';
        CREATE TABLE reminders (
            event_id    TEXT NOT NULL,
            offset_s    INTEGER NOT NULL,      -- remind this many seconds before the start
            due_at      TEXT NOT NULL,         -- ISO 8601 UTC, same width: sorts as time
            starts_at   TEXT NOT NULL,
            state       TEXT NOT NULL,         -- scheduled, sent, skipped, cancelled
            broadcast_id INTEGER REFERENCES broadcasts(id),
            updated_at  TEXT NOT NULL,
            PRIMARY KEY (event_id, offset_s)
        );
        CREATE INDEX reminders_due ON reminders(due_at) WHERE state = 'scheduled';
        """,
    ),
)


def current_version(conn: sqlite3.Connection) -> int:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version"
        " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, migrations: tuple[Migration, ...] = MIGRATIONS) -> int:
    """Apply pending migrations, each in its own transaction; return the resulting version."""
    if [m.version for m in migrations] != list(range(1, len(migrations) + 1)):
        raise ValueError("migrations must be numbered 1, 2, 3... in order")
    version = current_version(conn)
    if version > len(migrations):
        # A newer bot already upgraded this file; running old code on it could corrupt data.
        raise sqlite3.DatabaseError(
            f"database schema version {version} is newer than this bot ({len(migrations)})"
        )
    for migration in migrations[version:]:
        # executescript would COMMIT implicitly, so run statements one by one in a transaction.
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(migration.sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_version(version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, datetime.now(UTC).isoformat()),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        version = migration.version
    return version


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (migrations contain no semicolons inside strings)."""
    lines = [line.split("--", 1)[0] for line in sql.splitlines()]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]
