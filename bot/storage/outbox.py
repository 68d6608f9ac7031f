"""Subscribers, broadcasts, the durable outbox and reminder rows, on plain SQLite (WAL).

One `Outbox` owns one connection and is used from one thread (the broadcast service
runs it on a single worker thread). Every state change is its own short transaction, so
a crash (kill -9) loses nothing committed. The SQL stays portable on purpose: a
PostgreSQL backend only has to replace `pending_batch`/`claim` with a
`FOR UPDATE SKIP LOCKED` claim (issue 6); everything else is plain SQL.

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

OPEN_STATES = ("pending", "sending")


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


@dataclass(frozen=True)
class ReminderRow:
    event_id: str
    offset_s: int
    due_at: datetime
    starts_at: datetime
    state: str  # scheduled, sent, skipped, cancelled


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
    def _tx(self) -> Iterator[sqlite3.Connection]:
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
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO subscribers(chat_id, active, reason, changed_at) VALUES (?, 1, ?, ?)"
                " ON CONFLICT(chat_id) DO UPDATE SET active = 1, reason = excluded.reason,"
                " changed_at = excluded.changed_at WHERE subscribers.active = 0",
                (chat_id, reason, _iso(now)),
            )
            return cur.rowcount > 0

    def unsubscribe(self, chat_id: int, reason: str, now: datetime) -> bool:
        """Unsubscribe and cancel their pending sends; False when not subscribed."""
        with self._tx() as db:
            return self._unsubscribe(db, chat_id, reason, now)

    def _unsubscribe(self, db: sqlite3.Connection, chat_id: int, reason: str,
                     now: datetime) -> bool:
        cur = db.execute(
            "UPDATE subscribers SET active = 0, reason = ?, changed_at = ?"
            " WHERE chat_id = ? AND active = 1",
            (reason, _iso(now), chat_id),
        )
        db.execute(
            "UPDATE outbox SET state = 'cancelled', updated_at = ?"
            " WHERE chat_id = ? AND state = 'pending'",
            (_iso(now), chat_id),
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
        with self._tx() as db:
            db.executemany(
                "INSERT INTO subscribers(chat_id, active, reason, changed_at) VALUES (?, 1, ?, ?)"
                " ON CONFLICT(chat_id) DO UPDATE SET active = 1",
                ((c, reason, _iso(now)) for c in chat_ids),
            )

    # -- broadcasts ----------------------------------------------------------------------

    def create_draft(self, text: str, now: datetime, created_by: int | None = None,
                     kind: str = "announcement") -> int:
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO broadcasts(kind, text, state, created_at, created_by)"
                " VALUES (?, ?, 'draft', ?, ?)",
                (kind, text, _iso(now), created_by),
            )
            return int(cur.lastrowid or 0)

    def enqueue(self, broadcast_id: int, now: datetime) -> int | None:
        """Queue a draft for every current subscriber; None if it is not a draft (any more)."""
        with self._tx() as db:
            return self._enqueue(db, broadcast_id, now)

    def _enqueue(self, db: sqlite3.Connection, broadcast_id: int, now: datetime) -> int | None:
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
            (broadcast_id, _iso(now)),
        )
        total = cur.rowcount
        db.execute("UPDATE broadcasts SET total = ? WHERE id = ?", (total, broadcast_id))
        return total

    def announce(self, text: str, now: datetime, created_by: int | None = None) -> tuple[int, int]:
        """Create and queue an announcement at once (the CLI); returns (id, recipients)."""
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO broadcasts(kind, text, state, created_at, created_by)"
                " VALUES ('announcement', ?, 'draft', ?, ?)",
                (text, _iso(now), created_by),
            )
            broadcast_id = int(cur.lastrowid or 0)
            return broadcast_id, self._enqueue(db, broadcast_id, now) or 0

    def cancel_draft(self, broadcast_id: int) -> bool:
        with self._tx() as db:
            cur = db.execute(
                "UPDATE broadcasts SET state = 'cancelled' WHERE id = ? AND state = 'draft'",
                (broadcast_id,),
            )
            return cur.rowcount > 0

    def set_progress_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE broadcasts SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
                (chat_id, message_id, broadcast_id),
            )

    def finish_completed(self, now: datetime) -> list[int]:
        """Mark queued broadcasts with nothing left to send as done; return their ids."""
        with self._tx() as db:
            ids = [int(r[0]) for r in db.execute(
                "SELECT b.id FROM broadcasts b WHERE b.state = 'queued' AND NOT EXISTS"
                " (SELECT 1 FROM outbox o WHERE o.broadcast_id = b.id"
                " AND o.state IN ('pending', 'sending'))"
            )]
            db.executemany(
                "UPDATE broadcasts SET state = 'done', finished_at = ? WHERE id = ?",
                [(_iso(now), i) for i in ids],
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
        with self._tx() as db:
            cur = db.execute(
                "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?"
                " WHERE broadcast_id = ? AND chat_id = ? AND state = 'pending'",
                (_iso(now), item.broadcast_id, item.chat_id),
            )
            return cur.rowcount > 0

    def record(self, item: OutboxItem, state: str, now: datetime, error: str | None = None) -> None:
        """Record the outcome of a claimed row: sent or failed."""
        with self._tx() as db:
            db.execute(
                "UPDATE outbox SET state = ?, updated_at = ?, error = ?"
                " WHERE broadcast_id = ? AND chat_id = ? AND state = 'sending'",
                (state, _iso(now), error, item.broadcast_id, item.chat_id),
            )

    def record_blocked(self, item: OutboxItem, now: datetime) -> None:
        """The user blocked the bot: mark the row and unsubscribe them in one transaction."""
        with self._tx() as db:
            db.execute(
                "UPDATE outbox SET state = 'blocked', updated_at = ?"
                " WHERE broadcast_id = ? AND chat_id = ? AND state = 'sending'",
                (_iso(now), item.broadcast_id, item.chat_id),
            )
            self._unsubscribe(db, item.chat_id, "blocked", now)

    def recover_in_flight(self) -> int:
        """At start-up (one sender process): rows left in flight by a crash go out again."""
        with self._tx() as db:
            cur = db.execute("UPDATE outbox SET state = 'pending' WHERE state = 'sending'")
            return cur.rowcount

    def remaining(self) -> int:
        """Rows of every broadcast still to send (pending or in flight)."""
        row = self.conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')").fetchone()
        return int(row[0])

    # -- reminders -----------------------------------------------------------------------

    def reminder_rows(self) -> list[ReminderRow]:
        return [_reminder(r) for r in self.conn.execute(
            "SELECT event_id, offset_s, due_at, starts_at, state FROM reminders"
        )]

    def save_reminders(self, rows: Iterable[ReminderRow], now: datetime) -> None:
        with self._tx() as db:
            db.executemany(
                "INSERT INTO reminders(event_id, offset_s, due_at, starts_at, state, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(event_id, offset_s) DO UPDATE SET"
                " due_at = excluded.due_at, starts_at = excluded.starts_at,"
                " state = excluded.state, updated_at = excluded.updated_at",
                [(r.event_id, r.offset_s, _iso(r.due_at), _iso(r.starts_at), r.state, _iso(now))
                 for r in rows],
            )

    def due_reminders(self, now: datetime) -> list[ReminderRow]:
        return [_reminder(r) for r in self.conn.execute(
            "SELECT event_id, offset_s, due_at, starts_at, state FROM reminders"
            " WHERE state = 'scheduled' AND due_at <= ? ORDER BY due_at",
            (_iso(now),),
        )]

    def next_due(self) -> datetime | None:
        row = self.conn.execute(
            "SELECT MIN(due_at) FROM reminders WHERE state = 'scheduled'"
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def fire_reminder(self, row: ReminderRow, text: str, now: datetime) -> int | None:
        """Turn a due reminder into a queued broadcast, exactly once; None if it changed."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE reminders SET state = 'sent', updated_at = ?"
                " WHERE event_id = ? AND offset_s = ? AND due_at = ? AND state = 'scheduled'",
                (_iso(now), row.event_id, row.offset_s, _iso(row.due_at)),
            )
            if cur.rowcount == 0:
                return None
            cur = db.execute(
                "INSERT INTO broadcasts(kind, text, state, created_at) VALUES"
                " ('reminder', ?, 'draft', ?)",
                (text, _iso(now)),
            )
            broadcast_id = int(cur.lastrowid or 0)
            self._enqueue(db, broadcast_id, now)
            db.execute(
                "UPDATE reminders SET broadcast_id = ? WHERE event_id = ? AND offset_s = ?",
                (broadcast_id, row.event_id, row.offset_s),
            )
            return broadcast_id

    def set_reminder_state(self, rows: Iterable[ReminderRow], state: str, now: datetime) -> None:
        with self._tx() as db:
            db.executemany(
                "UPDATE reminders SET state = ?, updated_at = ?"
                " WHERE event_id = ? AND offset_s = ? AND state = 'scheduled'",
                [(state, _iso(now), r.event_id, r.offset_s) for r in rows],
            )


def _iso(moment: datetime) -> str:
    # Fixed width (always microseconds, always UTC) so text order is time order.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _reminder(row: tuple[str, int, str, str, str]) -> ReminderRow:
    return ReminderRow(row[0], int(row[1]), datetime.fromisoformat(row[2]),
                       datetime.fromisoformat(row[3]), row[4])
