"""SQLite storage on real temp files: migrations, logging, stats, gaps and degradation."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage.migrations import MIGRATIONS, Migration, migrate
from bot.storage.records import QuestionRecord, UserSeen
from bot.storage.sqlite import Database, Storage

NOW = datetime(2025, 4, 20, 12, 0, tzinfo=UTC)


def question(text: str, kind: str = "fact", fact_id: str | None = "downloads") -> QuestionRecord:
    return QuestionRecord(NOW, "private", text, kind, fact_id if kind == "fact" else None, 90.0)


def test_migrations_run_once_and_record_version(tmp_path: Path) -> None:
    db = Database(tmp_path / "a.sqlite3")
    assert db.open()
    assert db.conn is not None
    rows = db.conn.execute("SELECT version, name FROM schema_version").fetchall()
    assert rows == [(m.version, m.name) for m in MIGRATIONS]
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert migrate(db.conn) == len(MIGRATIONS)  # idempotent
    db.close()


def test_later_migration_is_applied_to_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    db = Database(path)
    db.open()
    db.close()
    conn = sqlite3.connect(path, isolation_level=None)
    extra = Migration(len(MIGRATIONS) + 1, "subscriptions", "CREATE TABLE subs (user_id INTEGER)")
    assert migrate(conn, MIGRATIONS + (extra,)) == extra.version
    assert conn.execute("SELECT COUNT(*) FROM subs").fetchone()[0] == 0
    # Old code must refuse a newer schema rather than write into it.
    with pytest.raises(sqlite3.DatabaseError, match="newer"):
        migrate(conn)
    conn.close()


def test_failed_migration_rolls_back(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "a.sqlite3", isolation_level=None)
    broken = Migration(1, "broken", "CREATE TABLE t (x INTEGER); CREATE TABLE t (y INTEGER)")
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, (broken,))
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "t" not in tables


def test_log_stats_and_gaps(tmp_path: Path) -> None:
    async def scenario() -> None:
        storage = await Storage.open(tmp_path / "log.sqlite3")
        for user_id in (1, 2, 2, 3):
            storage.record(user=UserSeen(user_id, NOW, "bn"))
        for _ in range(3):
            storage.record(question=question("লামা কতবার ডাউনলোড"))
        storage.record(question=question("llamacon kobe", fact_id="llamacon"))
        storage.record(question=question("hello", kind="smalltalk"))
        for _ in range(2):
            storage.record(question=question("আবহাওয়া কেমন", kind="fallback"))
        storage.record(question=question("gpt কি", kind="suggest"))
        stats = await storage.stats()
        assert stats is not None
        assert (stats.users, stats.questions, stats.answered, stats.unanswered) == (3, 8, 5, 3)
        assert stats.top_facts == (("downloads", 3), ("llamacon", 1))
        gaps = await storage.gaps()
        assert gaps is not None
        assert [(g.text, g.count) for g in gaps] == [("আবহাওয়া কেমন", 2), ("gpt কি", 1)]
        assert (await storage.health()).ok
        await storage.close()
        storage.record(question=question("after close"))  # ignored, no crash

    asyncio.run(scenario())
    conn = sqlite3.connect(tmp_path / "log.sqlite3")
    assert conn.execute("SELECT COUNT(*) FROM questions").fetchone()[0] == 8
    # Only ids and a language code are kept about people.
    assert [r[1] for r in conn.execute("PRAGMA table_info(users)")] == [
        "user_id", "first_seen", "last_seen", "language"
    ]


def test_locked_database_degrades_and_recovers(tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite3"
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("CREATE TABLE x (y)")
    locker.execute("BEGIN EXCLUSIVE")  # holds the lock before the bot opens the file

    async def scenario() -> None:
        storage = await Storage.open(path)
        assert not storage.healthy
        storage.record(UserSeen(1, NOW), question("q"))
        await storage.flush()  # the write is dropped, not raised
        assert storage.database.dropped == 2
        health = await storage.health()
        assert not health.ok and "locked" in health.detail
        assert await storage.stats() is None
        locker.execute("ROLLBACK")
        storage.database._next_open = 0  # skip the reopen back-off in the test
        assert (await storage.health()).ok
        storage.record(UserSeen(1, NOW), question("q"))
        stats = await storage.stats()
        assert stats is not None and stats.questions == 1
        await storage.close()

    asyncio.run(scenario())
    locker.close()


def test_lock_taken_while_running_degrades(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite3"

    async def scenario() -> None:
        storage = await Storage.open(path)
        assert (await storage.health()).ok
        locker = sqlite3.connect(path, isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")  # a writer that never finishes
        storage.record(question=question("q"))
        await storage.flush()
        assert not storage.healthy
        assert not (await storage.health()).ok
        locker.execute("ROLLBACK")
        locker.close()
        assert (await storage.health()).ok
        await storage.close()

    asyncio.run(scenario())


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_file_degrades(tmp_path: Path) -> None:
    _read_only_scenario(tmp_path)


def test_read_only_directory_as_root_or_not(tmp_path: Path) -> None:
    """A database path that cannot be created at all (a directory in the way)."""
    path = tmp_path / "dir.sqlite3"
    path.mkdir()

    async def scenario() -> None:
        storage = await Storage.open(path)
        assert not storage.healthy
        storage.record(question=question("q"))
        await storage.flush()
        assert not (await storage.health()).ok
        assert await storage.gaps() is None
        await storage.close()

    asyncio.run(scenario())


def test_read_only_open_flag(tmp_path: Path) -> None:
    """Works as root too: SQLite's own read-only mode refuses writes like a 0444 file."""
    path = tmp_path / "ro.sqlite3"
    db = Database(path)
    db.open()
    db.close()
    ro = Database(path)
    ro.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    assert not ro.write([UserSeen(1, NOW)], [question("q")])
    assert "readonly" in (ro.error or "")
    assert not ro.probe().ok
    ro.close()


def _read_only_scenario(tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite3"
    db = Database(path)
    db.open()
    db.close()
    path.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        async def scenario() -> None:
            storage = await Storage.open(path)
            storage.record(question=question("q"))
            await storage.flush()
            assert not (await storage.health()).ok
            await storage.close()

        asyncio.run(scenario())
    finally:
        tmp_path.chmod(0o755)


def test_stats_count_subscribers_when_the_table_exists(tmp_path: Path) -> None:
    path = tmp_path / "subs.sqlite3"
    db = Database(path)
    assert db.open() and db.conn is not None
    if not db.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'subscribers'").fetchone():
        pytest.skip("no subscribers table in this schema yet")
    db.conn.executemany(
        "INSERT INTO subscribers(chat_id, active, reason, changed_at) VALUES (?, ?, ?, '')",
        [(1, 1, "command"), (2, 1, "link"), (3, 0, "blocked"), (4, 0, "command")])
    stats = db.stats()
    assert stats is not None and (stats.subscribers, stats.blocked) == (2, 1)
    db.close()
