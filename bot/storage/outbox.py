"""Subscribers, broadcasts and the durable outbox, on plain SQLite (WAL).

One `Outbox` owns one connection and is used from one thread (the broadcast service
runs it on a single worker thread). Every state change is its own short transaction, so
a crash (kill -9) loses nothing committed. The SQL stays portable on purpose: a
PostgreSQL backend only has to replace `pending_batch`/`claim` with a
`FOR UPDATE SKIP LOCKED` claim (issue 6); everything else is plain SQL.

Reminder rows live beside it in `reminder_rows`, on the same connection.

Outbox row states: pending -> sending (claimed, in flight) -> sent | failed | blocked;
pending -> cancelled when the recipient unsubscribes first.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.storage.migrations import migrate


@dataclass(frozen=True)
class SubscriberCounts:
    active: int
    unsubscribed: int
    blocked: int  # left by blocking the bot (403 on send, or my_chat_member "kicked")


@dataclass(frozen=True)
class OutboxItem:
    broadcast_id: int
    chat_id: int
    text: str


@dataclass(frozen=True)
class Progress:
    broadcast_id: int
    kind: str
    state: str  # draft, queued, done, cancelled
    created_at: str
    text: str
    total: int
    sent: int
    failed: int
    blocked: int
    cancelled: int  # recipients who unsubscribed before their turn
    remaining: int  # pending plus in flight
    progress_chat_id: int | None = None
    progress_message_id: int | None = None


class Outbox:
    """Synchronous store; callers keep it on one thread."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    @classmethod
    def open(cls, path: Path, busy_timeout_ms: int = 5000) -> Outbox:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=busy_timeout_ms / 1000, isolation_level=None,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL in WAL survives process crashes (the kill -9 case); only power loss may
        # drop the last commits, which would at worst repeat the last few sends.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
        return cls(conn)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- subscribers ---------------------------------------------------------------------

    def subscribe(self, chat_id: int, reason: str, now: datetime) -> bool:
        """Subscribe; False when already subscribed (idempotent)."""
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO subscribers(chat_id, active, reason, changed_at) VALUES (?, 1, ?, ?)"
                " ON CONFLICT(chat_id) DO UPDATE SET active = 1, reason = excluded.reason,"
                " changed_at = excluded.changed_at WHERE subscribers.active = 0",
                (chat_id, reason, iso(now)),
            )
            return cur.rowcount > 0

    def unsubscribe(self, chat_id: int, reason: str, now: datetime) -> bool:
        """Unsubscribe and cancel their pending sends; False when not subscribed."""
        with self.transaction() as db:
            return self._unsubscribe(db, chat_id, reason, now)

    def _unsubscribe(self, db: sqlite3.Connection, chat_id: int, reason: str,
                     now: datetime) -> bool:
        cur = db.execute(
            "UPDATE subscribers SET active = 0, reason = ?, changed_at = ?"
            " WHERE chat_id = ? AND active = 1",
            (reason, iso(now), chat_id),
        )
        db.execute(
            "UPDATE outbox SET state = 'cancelled', updated_at = ?"
            " WHERE chat_id = ? AND state = 'pending'",
            (iso(now), chat_id),
        )
        return cur.rowcount > 0

    def is_subscribed(self, chat_id: int) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM subscribers WHERE chat_id = ? AND active = 1", (chat_id,)
        ).fetchone()
        return row is not None

    def subscriber_counts(self) -> SubscriberCounts:
        row = self.conn.execute(
            "SELECT COALESCE(SUM(active = 1), 0), COALESCE(SUM(active = 0), 0),"
            " COALESCE(SUM(active = 0 AND reason IN ('blocked', 'kicked')), 0) FROM subscribers"
        ).fetchone()
        return SubscriberCounts(int(row[0]), int(row[1]), int(row[2]))

    def add_subscribers(self, chat_ids: Iterable[int], reason: str, now: datetime) -> None:
        """Bulk subscribe (imports, benchmarks and tests)."""
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO subscribers(chat_id, active, reason, changed_at) VALUES (?, 1, ?, ?)"
                " ON CONFLICT(chat_id) DO UPDATE SET active = 1",
                ((c, reason, iso(now)) for c in chat_ids),
            )

    # -- broadcasts ----------------------------------------------------------------------

    def create_draft(self, text: str, now: datetime, created_by: int | None = None,
                     kind: str = "announcement") -> int:
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO broadcasts(kind, text, state, created_at, created_by)"
                " VALUES (?, ?, 'draft', ?, ?)",
                (kind, text, iso(now), created_by),
            )
            return int(cur.lastrowid or 0)

    def enqueue(self, broadcast_id: int, now: datetime) -> int | None:
        """Queue a draft for every current subscriber; None if it is not a draft (any more)."""
        with self.transaction() as db:
            return self.enqueue_in(db, broadcast_id, now)

    def enqueue_in(self, db: sqlite3.Connection, broadcast_id: int, now: datetime) -> int | None:
        cur = db.execute(
            "UPDATE broadcasts SET state = 'queued' WHERE id = ? AND state = 'draft'",
            (broadcast_id,),
        )
        if cur.rowcount == 0:
            return None
        # One statement for all recipients: no Python loop, so 100,000 rows take well
        # under a second and the broadcast appears atomically.
        cur = db.execute(
            "INSERT INTO outbox(broadcast_id, chat_id, state, updated_at)"
            " SELECT ?, chat_id, 'pending', ? FROM subscribers WHERE active = 1",
            (broadcast_id, iso(now)),
        )
        total = cur.rowcount
        db.execute("UPDATE broadcasts SET total = ? WHERE id = ?", (total, broadcast_id))
        return total

    def announce(self, text: str, now: datetime, created_by: int | None = None) -> tuple[int, int]:
        """Create and queue an announcement at once (the CLI); returns (id, recipients)."""
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO broadcasts(kind, text, state, created_at, created_by)"
                " VALUES ('announcement', ?, 'draft', ?, ?)",
                (text, iso(now), created_by),
            )
            broadcast_id = int(cur.lastrowid or 0)
            return broadcast_id, self.enqueue_in(db, broadcast_id, now) or 0

    def cancel_draft(self, broadcast_id: int) -> bool:
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE broadcasts SET state = 'cancelled' WHERE id = ? AND state = 'draft'",
                (broadcast_id,),
            )
            return cur.rowcount > 0

    def set_progress_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE broadcasts SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
                (chat_id, message_id, broadcast_id),
            )

    def finish_completed(self, now: datetime) -> list[int]:
        """Mark queued broadcasts with nothing left to send as done; return their ids."""
        with self.transaction() as db:
            ids = [int(r[0]) for r in db.execute(
                "SELECT b.id FROM broadcasts b WHERE b.state = 'queued' AND NOT EXISTS"
                " (SELECT 1 FROM outbox o WHERE o.broadcast_id = b.id"
                " AND o.state IN ('pending', 'sending'))"
            )]
            db.executemany(
                "UPDATE broadcasts SET state = 'done', finished_at = ? WHERE id = ?",
                [(iso(now), i) for i in ids],
            )
            return ids

    def progress(self, broadcast_id: int) -> Progress | None:
        row = self.conn.execute(
            "SELECT id, kind, state, created_at, text, total, progress_chat_id,"
            " progress_message_id FROM broadcasts WHERE id = ?",
            (broadcast_id,),
        ).fetchone()
        if row is None:
            return None
        counts = dict(self.conn.execute(
            "SELECT state, COUNT(*) FROM outbox WHERE broadcast_id = ? GROUP BY state",
            (broadcast_id,),
        ).fetchall())
        return Progress(
            int(row[0]), row[1], row[2], row[3], row[4], int(row[5]),
            sent=counts.get("sent", 0), failed=counts.get("failed", 0),
            blocked=counts.get("blocked", 0), cancelled=counts.get("cancelled", 0),
            remaining=counts.get("pending", 0) + counts.get("sending", 0),
            progress_chat_id=row[6], progress_message_id=row[7],
        )

    def recent(self, limit: int = 10) -> list[Progress]:
        ids = [int(r[0]) for r in self.conn.execute(
            "SELECT id FROM broadcasts WHERE state != 'draft' ORDER BY id DESC LIMIT ?", (limit,)
        )]
        return [p for i in ids if (p := self.progress(i)) is not None]

    def watched(self) -> list[int]:
        """Queued broadcasts someone watches through a progress message."""
        return [int(r[0]) for r in self.conn.execute(
            "SELECT id FROM broadcasts WHERE state = 'queued'"
            " AND progress_message_id IS NOT NULL"
        )]

    # -- delivery: fetch candidates, claim one, record the outcome ------------------------

    def pending_batch(self, limit: int) -> list[OutboxItem]:
        """Oldest broadcast first, so one broadcast finishes before the next starts."""
        rows = self.conn.execute(
            "SELECT o.broadcast_id, o.chat_id, b.text FROM outbox o"
            " JOIN broadcasts b ON b.id = o.broadcast_id"
            " WHERE o.state = 'pending' ORDER BY o.broadcast_id, o.chat_id LIMIT ?",
            (limit,),
        ).fetchall()
        return [OutboxItem(int(b), int(c), t) for b, c, t in rows]

    def claim(self, item: OutboxItem, now: datetime) -> bool:
        """Mark a row in flight before sending; False if it was cancelled or taken meanwhile.

        Committed before the request goes out, so after a crash only rows still in
        `sending` can have reached the user without being recorded as sent.
        """
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?"
                " WHERE broadcast_id = ? AND chat_id = ? AND state = 'pending'",
                (iso(now), item.broadcast_id, item.chat_id),
            )
            return cur.rowcount > 0

    def record(self, item: OutboxItem, state: str, now: datetime, error: str | None = None) -> None:
        """Record the outcome of a claimed row: sent or failed."""
        with self.transaction() as db:
            db.execute(
                "UPDATE outbox SET state = ?, updated_at = ?, error = ?"
                " WHERE broadcast_id = ? AND chat_id = ? AND state = 'sending'",
                (state, iso(now), error, item.broadcast_id, item.chat_id),
            )

    def record_blocked(self, item: OutboxItem, now: datetime) -> None:
        """The user blocked the bot: mark the row and unsubscribe them in one transaction."""
        with self.transaction() as db:
            db.execute(
                "UPDATE outbox SET state = 'blocked', updated_at = ?"
                " WHERE broadcast_id = ? AND chat_id = ? AND state = 'sending'",
                (iso(now), item.broadcast_id, item.chat_id),
            )
            self._unsubscribe(db, item.chat_id, "blocked", now)

    def recover_in_flight(self) -> int:
        """At start-up (one sender process): rows left in flight by a crash go out again."""
        with self.transaction() as db:
            cur = db.execute("UPDATE outbox SET state = 'pending' WHERE state = 'sending'")
            return cur.rowcount

    def remaining(self) -> int:
        """Rows of every broadcast still to send (pending or in flight)."""
        row = self.conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')").fetchone()
        return int(row[0])


def iso(moment: datetime) -> str:
    # Fixed width (always microseconds, always UTC) so text order is time order.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
