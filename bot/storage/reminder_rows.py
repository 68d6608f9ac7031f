"""Reminder rows: one per (event id, offset), with its due time and state.

States: scheduled -> sent (became a broadcast) | skipped (late, or superseded by a later
reminder of the same event) | cancelled (event or offset removed). They share the
outbox's connection, so a due reminder becomes a queued broadcast in one transaction:
a crash leaves either both or neither.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.storage.outbox import Outbox, insert_broadcast, iso


@dataclass(frozen=True)
class ReminderRow:
    event_id: str
    offset_s: int
    due_at: datetime
    starts_at: datetime
    state: str  # scheduled, sent, skipped, cancelled


class ReminderRows:
    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    def all(self) -> list[ReminderRow]:
        return [_row(r) for r in self.outbox.conn.execute(
            "SELECT event_id, offset_s, due_at, starts_at, state FROM reminders"
        )]

    def save(self, rows: Iterable[ReminderRow], now: datetime) -> None:
        """Insert or overwrite (a moved event reschedules even a row already sent)."""
        with self.outbox.conn.transaction() as db:
            db.executemany(
                "INSERT INTO reminders(event_id, offset_s, due_at, starts_at, state, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(event_id, offset_s) DO UPDATE SET"
                " due_at = excluded.due_at, starts_at = excluded.starts_at,"
                " state = excluded.state, updated_at = excluded.updated_at",
                [(r.event_id, r.offset_s, iso(r.due_at), iso(r.starts_at), r.state, iso(now))
                 for r in rows],
            )

    def due(self, now: datetime) -> list[ReminderRow]:
        return [_row(r) for r in self.outbox.conn.execute(
            "SELECT event_id, offset_s, due_at, starts_at, state FROM reminders"
            " WHERE state = 'scheduled' AND due_at <= ? ORDER BY due_at",
            (iso(now),),
        )]

    def next_due(self) -> datetime | None:
        row = self.outbox.conn.execute(
            "SELECT MIN(due_at) FROM reminders WHERE state = 'scheduled'"
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def fire(self, row: ReminderRow, text: str, now: datetime) -> int | None:
        """Turn a due reminder into a queued broadcast, exactly once; None if it changed."""
        with self.outbox.conn.transaction() as db:
            cur = db.execute(
                "UPDATE reminders SET state = 'sent', updated_at = ?"
                " WHERE event_id = ? AND offset_s = ? AND due_at = ? AND state = 'scheduled'",
                (iso(now), row.event_id, row.offset_s, iso(row.due_at)),
            )
            if cur.rowcount == 0:
                return None
            broadcast_id = insert_broadcast(db, "reminder", text, now)
            self.outbox.enqueue_in(db, broadcast_id, now)
            db.execute(
                "UPDATE reminders SET broadcast_id = ? WHERE event_id = ? AND offset_s = ?",
                (broadcast_id, row.event_id, row.offset_s),
            )
            return broadcast_id

    def set_state(self, rows: Iterable[ReminderRow], state: str, now: datetime) -> None:
        """Move scheduled rows to `state` (rows no longer scheduled are left alone)."""
        with self.outbox.conn.transaction() as db:
            db.executemany(
                "UPDATE reminders SET state = ?, updated_at = ?"
                " WHERE event_id = ? AND offset_s = ? AND state = 'scheduled'",
                [(state, iso(now), r.event_id, r.offset_s) for r in rows],
            )


def _row(row: tuple[str, int, str, str, str]) -> ReminderRow:
    return ReminderRow(row[0], int(row[1]), datetime.fromisoformat(row[2]),
                       datetime.fromisoformat(row[3]), row[4])
