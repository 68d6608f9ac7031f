"""Reminder rows: one per (event id, offset), with its due time and state.

States: scheduled -> sent (became a broadcast) | skipped (late, or superseded by a later
reminder of the same event) | cancelled (event or offset removed). They share the
outbox's connection, so a due reminder becomes a queued broadcast in one transaction:
a crash leaves either both or neither. Only the sender lease's holder writes them: given
its `fence`, every write checks the lease in its own transaction (`require_lease`), so a
process that lost the lease (frozen, then woken) neither fires nor reschedules anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.outbox import Outbox, insert_broadcast, iso, require_lease


@dataclass(frozen=True)
class ReminderRow:
    event_id: str
    offset_s: int
    due_at: datetime
    starts_at: datetime
    state: str  # scheduled, sent, skipped, cancelled


@dataclass(frozen=True)
class RowProblem:
    """A reminder that cannot be scheduled, read or sent; the others go on without it."""

    event_id: str
    offset_s: int | None  # None when the row itself cannot be read
    reason: str  # English, for the log and the admins

    def __str__(self) -> str:
        before = "" if self.offset_s is None else f" ({offset_text(self.offset_s)} before)"
        return f"event {self.event_id!r}{before}: {self.reason}"


def offset_text(seconds: int) -> str:
    """`1h`, `30m`, `7d`: as an admin writes it in events.yaml."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


class ReminderRows:
    """The rows; each write raises `NotSender` (and writes nothing) unless `fence` is the
    sender lease's current epoch, or None (unfenced: tests and tools)."""

    def __init__(self, outbox: Outbox, fence: int | None = None) -> None:
        self.outbox = outbox
        self.fence = fence

    def all(self) -> list[ReminderRow]:
        """Every row that can be read (the others: `unreadable`)."""
        return [r for r in map(_read, self._select_all()) if isinstance(r, ReminderRow)]

    def unreadable(self) -> list[RowProblem]:
        """Rows written by hand or by another version that this one cannot read."""
        return [r for r in map(_read, self._select_all()) if isinstance(r, RowProblem)]

    def _select_all(self) -> list[Sequence[Any]]:
        return list(self.outbox.conn.execute(
            "SELECT event_id, offset_s, due_at, starts_at, state FROM reminders"))

    def save(self, rows: Iterable[ReminderRow], now: datetime) -> None:
        """Insert or overwrite (a moved event reschedules even a row already sent)."""
        with self.outbox.conn.transaction() as db:
            require_lease(db, self.fence)
            db.executemany(
                "INSERT INTO reminders(event_id, offset_s, due_at, starts_at, state, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(event_id, offset_s) DO UPDATE SET"
                " due_at = excluded.due_at, starts_at = excluded.starts_at,"
                " state = excluded.state, updated_at = excluded.updated_at",
                [(r.event_id, r.offset_s, iso(r.due_at), iso(r.starts_at), r.state, iso(now))
                 for r in rows],
            )

    def due(self, now: datetime) -> list[ReminderRow]:
        """Scheduled rows due by `now`; an unreadable one is left out (see `unreadable`)."""
        found = map(_read, self.outbox.conn.execute(
            "SELECT event_id, offset_s, due_at, starts_at, state FROM reminders"
            " WHERE state = 'scheduled' AND due_at <= ? ORDER BY due_at",
            (iso(now),),
        ))
        return [r for r in found if isinstance(r, ReminderRow)]

    def sent_since(self, moment: datetime) -> int:
        """How many reminders were queued (as broadcasts) after `moment`."""
        (count,) = self.outbox.conn.execute(
            "SELECT COUNT(*) FROM reminders WHERE state = 'sent' AND updated_at > ?",
            (iso(moment),),
        ).fetchone()
        return int(count)

    def next_due(self) -> datetime | None:
        # Not MIN(due_at): an unreadable value may sort first, and must not hide the rest.
        for (raw,) in self.outbox.conn.execute(
            "SELECT due_at FROM reminders WHERE state = 'scheduled' ORDER BY due_at"
        ):
            try:
                return _moment(raw)
            except (TypeError, ValueError):
                continue
        return None

    def fire(self, row: ReminderRow, text: str, now: datetime) -> int | None:
        """Turn a due reminder into a queued broadcast, exactly once; None if it changed."""
        with self.outbox.conn.transaction() as db:
            require_lease(db, self.fence)
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
            require_lease(db, self.fence)
            db.executemany(
                "UPDATE reminders SET state = ?, updated_at = ?"
                " WHERE event_id = ? AND offset_s = ? AND state = 'scheduled'",
                [(state, iso(now), r.event_id, r.offset_s) for r in rows],
            )


def _read(row: Sequence[Any]) -> ReminderRow | RowProblem:
    try:
        return ReminderRow(str(row[0]), int(row[1]), _moment(row[2]), _moment(row[3]),
                           str(row[4]))
    except (TypeError, ValueError) as exc:
        return RowProblem(str(row[0]), None, f"its database row cannot be read ({exc});"
                          " it is left as it is")


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:  # would fail every comparison with an aware `now`
        raise ValueError(f"{value!r} has no UTC offset")
    return moment
