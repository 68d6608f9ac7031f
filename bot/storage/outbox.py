"""Subscribers, broadcasts and the durable outbox, on SQLite (WAL) or PostgreSQL.

One `Outbox` owns one connection and is used from one thread (the broadcast service
runs it on a single worker thread). Every state change is its own short transaction, so
a crash (kill -9) loses nothing committed. The SQL is shared by both engines except the
claim, which on PostgreSQL takes the row with `FOR UPDATE SKIP LOCKED`: several replicas
share one database, and a row another process holds is skipped, never waited for or
sent twice.

Reminder rows live beside it in `reminder_rows`, on the same connection.

Outbox row states: pending -> sending (claimed, in flight) -> sent | failed | blocked;
pending -> cancelled when the recipient unsubscribes first, or an admin stops the broadcast
(its ⏹, or /stopall: `stop_all`, which also cancels every draft);
sending -> pending when a new
sender takes over (`recover_in_flight`).

A broadcast's progress is read from its own row, never counted from the outbox (that cost
~550 ms a round at 1,000,000 recipients on SQLite, every few seconds while it sent): the
`broadcasts` columns `sent`, `failed`, `blocked` and `cancelled` count its rows that
reached each finished state (those the purge deleted since included), moved in the same
statement or transaction as the rows (`finish_rows`, `count_finished`); remaining is
`total` less them. A finished row never changes state again, so only moves into those
four states count: a claim, or taking back rows in flight, moves no count. A transaction
writes the counts it moved at its end, in broadcast id order, so two never wait for each
other's `broadcasts` rows (a deadlock on PostgreSQL). A broadcast found done whose counts
do not add up to its total has them set from its rows (`finish_completed`): exact even if
a replica of the version before them (migration 9) sent part of it in a rolling upgrade.

Writes only the sender lease's holder may make (claims, taking rows back, finishing
broadcasts, reminder rows) take its `fence`, the lease's epoch, and check it in the same
statement or transaction (`require_lease`): a process that froze and woke after another
took the lease writes nothing. None means unfenced (tests and tools that are the only
sender).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

from bot.storage.connection import (
    BULK_ANSWER_TIMEOUT,
    Connection,
    DatabaseTarget,
    Engine,
    connect,
)
from bot.storage.migrations import migrate

# Outbox rows that will not change again: the purge deletes them once old (chat ids).
FINISHED = ("sent", "failed", "blocked", "cancelled")
# Counted through the partial index outbox_unfinished (migration 7), not a scan of every
# delivery ever made: /metrics asks at each scrape.
REMAINING = "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')"
# A broadcast's counts set from its rows, and those the purge deleted (one `?`: its id).
RECOUNT = (
    "UPDATE broadcasts SET (sent, failed, blocked, cancelled) = (SELECT"
    + ",".join(f" broadcasts.purged_{s} + COUNT(*) FILTER (WHERE o.state = '{s}')"
               for s in FINISHED)
    + " FROM outbox o WHERE o.broadcast_id = broadcasts.id)")

# Rows moved into a finished state, by (broadcast id, state): what `count_finished` adds.
Finished = Counter[tuple[int, str]]


class NotSender(Exception):
    """A write only the sender lease's holder may make was refused: the epoch given is
    not the lease's current one, or the lease expired without being renewed."""


@dataclass(frozen=True)
class SubscriberCounts:
    active: int
    unsubscribed: int
    blocked: int  # left by blocking the bot (403 on send, or my_chat_member "kicked")


@dataclass(frozen=True)
class ChatMove:
    """What `Outbox.move_chat` moved to a group's new id."""

    subscription: bool  # the subscriber row (active or not) now has the new id
    queued: int  # pending outbox rows now addressed to the new id


@dataclass(frozen=True)
class OutboxItem:
    broadcast_id: int
    chat_id: int
    text: str


@dataclass(frozen=True)
class Outcome:
    """What became of one send, kept in memory until the database has it."""

    item: OutboxItem
    state: str  # sent, failed, blocked
    at: datetime
    error: str | None = None


# A /broadcast preview's Send queues it only this long after the preview was made: an admin's
# chat history holds every preview ever shown, and a stolen phone could otherwise send a
# months-old draft to every subscriber with one tap (README, "Announcements").
DRAFT_MAX_AGE = timedelta(hours=24)


class Unqueued(Enum):
    """Why `Outbox.send_draft` queued nothing."""

    GONE = "gone"  # sent or cancelled already (a second tap, /stopall, a purge)
    EXPIRED = "expired"  # still a draft, but made more than DRAFT_MAX_AGE ago


@dataclass(frozen=True)
class StoppedAll:
    """What `Outbox.stop_all` cancelled."""

    broadcasts: tuple[int, ...]  # queued broadcasts that had messages not sent yet, by id
    reminders: int  # how many of them were reminders
    messages: int  # their messages cancelled
    drafts: int  # previews nobody had confirmed (their Send button now queues nothing)


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
    cancelled: int  # recipients who unsubscribed before their turn, or the broadcast stopped
    remaining: int  # pending plus in flight
    progress_chat_id: int | None = None
    progress_message_id: int | None = None


class Outbox:
    """Synchronous store; callers keep it on one thread."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @classmethod
    def open(cls, target: DatabaseTarget | Path, busy_timeout_ms: int = 5000) -> Outbox:
        """Connect and migrate; raises `DatabaseError` with the reason."""
        conn = connect(target, busy_timeout_ms)
        try:
            migrate(conn)
        except BaseException:
            conn.close()
            raise
        return cls(conn)

    def close(self) -> None:
        self.conn.close()

    # -- subscribers ---------------------------------------------------------------------

    def subscribe(self, chat_id: int, reason: str, now: datetime) -> bool:
        """Subscribe; False when already subscribed (idempotent)."""
        with self.conn.transaction() as db:
            cur = db.execute(
                "INSERT INTO subscribers(chat_id, active, reason, changed_at) VALUES (?, 1, ?, ?)"
                " ON CONFLICT(chat_id) DO UPDATE SET active = 1, reason = excluded.reason,"
                " changed_at = excluded.changed_at WHERE subscribers.active = 0",
                (chat_id, reason, iso(now)),
            )
            return cur.rowcount > 0

    def unsubscribe(self, chat_id: int, reason: str, now: datetime) -> bool:
        """Unsubscribe and cancel their pending sends; False when not subscribed."""
        with self.conn.transaction() as db:
            finished: Finished = Counter()
            left = self._unsubscribe(db, chat_id, reason, now, finished)
            count_finished(db, finished)
            return left

    def _unsubscribe(self, db: Connection, chat_id: int, reason: str,
                     now: datetime, finished: Finished) -> bool:
        """Adds the sends it cancels to `finished`, for the caller to count."""
        cur = db.execute(
            "UPDATE subscribers SET active = 0, reason = ?, changed_at = ?"
            " WHERE chat_id = ? AND active = 1",
            (reason, iso(now), chat_id),
        )
        finished.update(finish_rows(
            db, "cancelled", "updated_at = ?", (iso(now),),
            "chat_id = ? AND state = 'pending'", (chat_id,)))
        return cur.rowcount > 0

    def is_subscribed(self, chat_id: int) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM subscribers WHERE chat_id = ? AND active = 1", (chat_id,)
        ).fetchone()
        return row is not None

    def subscriber_counts(self) -> SubscriberCounts:
        row = self.conn.execute(
            "SELECT COUNT(*) FILTER (WHERE active = 1), COUNT(*) FILTER (WHERE active = 0),"
            " COUNT(*) FILTER (WHERE active = 0 AND reason IN ('blocked', 'kicked'))"
            " FROM subscribers"
        ).fetchone()
        return SubscriberCounts(int(row[0]), int(row[1]), int(row[2]))

    def add_subscribers(self, chat_ids: Iterable[int], reason: str, now: datetime) -> None:
        """Bulk subscribe (imports, benchmarks and tests)."""
        with self.conn.patience(BULK_ANSWER_TIMEOUT), self.conn.transaction() as db:
            db.executemany(
                "INSERT INTO subscribers(chat_id, active, reason, changed_at) VALUES (?, 1, ?, ?)"
                " ON CONFLICT(chat_id) DO UPDATE SET active = 1",
                ((c, reason, iso(now)) for c in chat_ids),
            )

    def move_chat(self, old: int, new: int, now: datetime) -> ChatMove:
        """A group became a supergroup (a new chat id): its subscription and its queued
        messages move to the new id, in one transaction; running it again moves nothing.

        Rows the new id already has win (it subscribed, or unsubscribed, on its own since):
        the old id's subscription is then dropped and its duplicate rows cancelled. Rows in
        flight stay with the sender that claimed them; sent rows stay as history. A move to
        the same id moves nothing (its own rows would "win" over themselves and be dropped).
        """
        if old == new:
            return ChatMove(False, 0)
        with self.conn.transaction() as db:
            cur = db.execute(
                "UPDATE subscribers SET chat_id = ? WHERE chat_id = ? AND NOT EXISTS"
                " (SELECT 1 FROM subscribers s WHERE s.chat_id = ?)", (new, old, new))
            subscription = cur.rowcount > 0
            db.execute("DELETE FROM subscribers WHERE chat_id = ?", (old,))
            cur = db.execute(
                "UPDATE outbox SET chat_id = ?, updated_at = ? WHERE chat_id = ?"
                " AND state = 'pending' AND NOT EXISTS (SELECT 1 FROM outbox o"
                " WHERE o.broadcast_id = outbox.broadcast_id AND o.chat_id = ?)",
                (new, iso(now), old, new))
            queued = cur.rowcount
            count_finished(db, finish_rows(
                db, "cancelled", "updated_at = ?, error = ?", (iso(now), f"chat moved to {new}"),
                "chat_id = ? AND state = 'pending'", (old,)))
            return ChatMove(subscription, queued)

    # -- broadcasts ----------------------------------------------------------------------

    def create_draft(self, text: str, now: datetime, created_by: int | None = None,
                     kind: str = "announcement") -> int:
        with self.conn.transaction() as db:
            return insert_broadcast(db, kind, text, now, created_by)

    def enqueue(self, broadcast_id: int, now: datetime) -> int | None:
        """Queue a draft for every current subscriber; None if it is not a draft (any more)."""
        with self.conn.transaction() as db:
            return self.enqueue_in(db, broadcast_id, now)

    def send_draft(self, broadcast_id: int, now: datetime) -> int | Unqueued:
        """A preview's Send: queue the draft for every current subscriber (how many), unless
        it is no draft any more or was made more than DRAFT_MAX_AGE before `now`."""
        with self.conn.transaction() as db:
            row = db.execute("SELECT state, created_at FROM broadcasts WHERE id = ?",
                             (broadcast_id,)).fetchone()
            if row is None or row[0] != "draft":
                return Unqueued.GONE
            if row[1] < iso(now - DRAFT_MAX_AGE):
                return Unqueued.EXPIRED  # left a draft: /stopall and the purge still see it
            count = self.enqueue_in(db, broadcast_id, now)
            return Unqueued.GONE if count is None else count

    def enqueue_in(self, db: Connection, broadcast_id: int, now: datetime) -> int | None:
        cur = db.execute(
            "UPDATE broadcasts SET state = 'queued' WHERE id = ? AND state = 'draft'",
            (broadcast_id,),
        )
        if cur.rowcount == 0:
            return None
        # One statement for all recipients: no Python loop, so 100,000 rows take well
        # under a second and the broadcast appears atomically.
        with db.patience(BULK_ANSWER_TIMEOUT):
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
        with self.conn.transaction() as db:
            broadcast_id = insert_broadcast(db, "announcement", text, now, created_by)
            return broadcast_id, self.enqueue_in(db, broadcast_id, now) or 0

    def cancel_draft(self, broadcast_id: int) -> bool:
        with self.conn.transaction() as db:
            cur = db.execute(
                "UPDATE broadcasts SET state = 'cancelled' WHERE id = ? AND state = 'draft'",
                (broadcast_id,),
            )
            return cur.rowcount > 0

    def stop(self, broadcast_id: int, now: datetime, reason: str) -> int:
        """Cancel the messages of a sending broadcast not sent yet (those in flight still
        go out, and the sender's claim skips a cancelled row); how many were cancelled."""
        with self.conn.patience(BULK_ANSWER_TIMEOUT), self.conn.transaction() as db:
            cur = db.execute(
                "UPDATE outbox SET state = 'cancelled', updated_at = ?, error = ?"
                " WHERE broadcast_id = ? AND state = 'pending' AND broadcast_id IN"
                " (SELECT id FROM broadcasts WHERE state = 'queued')",
                (iso(now), reason, broadcast_id),
            )
            # One broadcast: its count from the row count (not a million ids returned).
            count_finished(db, Counter({(broadcast_id, "cancelled"): int(cur.rowcount)}))
            return int(cur.rowcount)

    def stop_all(self, now: datetime, reason: str) -> StoppedAll:
        """Stop every broadcast at once (/stopall): cancel the messages of every queued
        broadcast, announcements and reminders alike, not sent yet (those in flight still go
        out), and every draft. Reminders not due yet are rows of their own, left as they
        are: the knowledge (events.yaml) decides those."""
        with self.conn.patience(BULK_ANSWER_TIMEOUT), self.conn.transaction() as db:
            # Drafts first: only their own preview's buttons touch them, never the sender.
            drafts = db.execute("UPDATE broadcasts SET state = 'cancelled'"
                                " WHERE state = 'draft'").rowcount
            queued = db.execute("SELECT id, kind FROM broadcasts WHERE state = 'queued'"
                                " ORDER BY id").fetchall()
            # One broadcast at a time, as `stop` does: its count from the row count, never
            # a million ids returned; the counts written at the end, in id order.
            cancelled = Counter[tuple[int, str]]()
            kinds: dict[int, str] = {}
            for broadcast_id, kind in queued:
                cur = db.execute(
                    "UPDATE outbox SET state = 'cancelled', updated_at = ?, error = ?"
                    " WHERE broadcast_id = ? AND state = 'pending'",
                    (iso(now), reason, broadcast_id))
                if cur.rowcount > 0:
                    cancelled[(int(broadcast_id), "cancelled")] = int(cur.rowcount)
                    kinds[int(broadcast_id)] = kind
            count_finished(db, cancelled)
        return StoppedAll(tuple(kinds), sum(k == "reminder" for k in kinds.values()),
                          sum(cancelled.values()), max(int(drafts), 0))

    def set_progress_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        with self.conn.transaction() as db:
            db.execute(
                "UPDATE broadcasts SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
                (chat_id, message_id, broadcast_id),
            )

    def finish_completed(self, now: datetime, fence: int | None = None) -> list[int]:
        """Mark queued broadcasts with nothing left to send as done; return their ids.

        Raises `NotSender` if `fence` is no longer the sender lease's epoch.
        """
        # Through the partial index of unfinished rows (migration 7). Without statistics
        # (nothing runs ANALYZE) SQLite took the primary key instead, walking every row a
        # broadcast had sent so far, every few seconds while it ran; INDEXED BY also makes
        # the statement fail rather than quietly lose the index.
        index = " INDEXED BY outbox_unfinished" if self.conn.engine is Engine.SQLITE else ""
        with self.conn.transaction() as db:
            require_lease(db, fence)
            ids = [int(r[0]) for r in db.execute(
                "SELECT b.id FROM broadcasts b WHERE b.state = 'queued' AND NOT EXISTS"
                f" (SELECT 1 FROM outbox o{index} WHERE o.broadcast_id = b.id"
                " AND o.state IN ('pending', 'sending'))"
            )]
            ids.sort()  # rows locked in id order, as by `count_finished`
            db.executemany(
                "UPDATE broadcasts SET state = 'done', finished_at = ? WHERE id = ?",
                [(iso(now), i) for i in ids],
            )
            # Its rows change no more. Counts that do not add up to its total drifted
            # (see the module's doc): set from its rows, once. Those that do are not
            # counted again (a million rows: half a second of SQLite's write lock).
            db.executemany(f"{RECOUNT} WHERE id = ? AND sent + failed + blocked + cancelled"
                           " <> total", [(i,) for i in ids])
            return ids

    def progress(self, broadcast_id: int) -> Progress | None:
        """One row read, however many recipients (the module's doc says how)."""
        row = self._progress_row(broadcast_id)
        if row is None:
            return None
        total = int(row[5])
        sent, failed, blocked, cancelled = (int(n) for n in row[8:12])
        if row[2] == "done" and sent + failed + blocked + cancelled != total:
            # Finished by a replica of the version before the counts (a rolling upgrade),
            # which did not set them: set from its rows now, once, as finishing does.
            with self.conn.transaction() as db:
                db.execute(f"{RECOUNT} WHERE id = ? AND state = 'done'", (broadcast_id,))
            row = self._progress_row(broadcast_id)
            if row is None:
                return None
            sent, failed, blocked, cancelled = (int(n) for n in row[8:12])
        return Progress(
            int(row[0]), row[1], row[2], row[3], row[4], total,
            sent=sent, failed=failed, blocked=blocked, cancelled=cancelled,
            remaining=total - sent - failed - blocked - cancelled,
            progress_chat_id=row[6], progress_message_id=row[7],
        )

    def _progress_row(self, broadcast_id: int) -> Any:
        return self.conn.execute(
            "SELECT id, kind, state, created_at, text, total, progress_chat_id,"
            " progress_message_id, sent, failed, blocked, cancelled"
            " FROM broadcasts WHERE id = ?",
            (broadcast_id,),
        ).fetchone()

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

    def claim(self, item: OutboxItem, now: datetime, fence: int | None = None) -> bool:
        """Mark a row in flight before sending; False if it was cancelled or taken meanwhile,
        or (given the sender lease's `fence` token) if that lease is no longer current.

        Committed before the request goes out, so after a crash only rows still in
        `sending` can have reached the user without being recorded as sent.
        """
        # One statement needs no explicit transaction (it is atomic on its own), and on
        # PostgreSQL BEGIN and COMMIT would be two more round trips per message.
        params = (iso(now), item.broadcast_id, item.chat_id)
        if fence is None:
            return self.conn.execute(self._claim_sql, params).rowcount > 0
        # The lease checked in the same statement: a sender that froze and woke after
        # another took its lease claims nothing more.
        sql = f"{self._claim_sql} AND EXISTS ({_lease_current(self.conn.engine)})"
        return self.conn.execute(sql, (*params, fence)).rowcount > 0

    @property
    def _claim_sql(self) -> str:
        if self.conn.engine is Engine.POSTGRESQL:
            # Skip a row another transaction holds (an unsubscribe cancelling it, or a
            # sender that lost its lease) instead of waiting for it to commit.
            return ("UPDATE outbox SET state = 'sending', attempts = attempts + 1,"
                    " updated_at = ? WHERE (broadcast_id, chat_id) IN (SELECT broadcast_id,"
                    " chat_id FROM outbox WHERE broadcast_id = ? AND chat_id = ?"
                    " AND state = 'pending' FOR UPDATE SKIP LOCKED)")
        return ("UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?"
                " WHERE broadcast_id = ? AND chat_id = ? AND state = 'pending'")

    # A result is a fact about a claimed row. Written late (the database was unavailable
    # when the reply came), the row may be `pending` again: a new sender took it back at
    # takeover. Writing it then still spares that user a second copy.
    _UNFINISHED = "state IN ('sending', 'pending')"

    def record(self, item: OutboxItem, state: str, now: datetime, error: str | None = None) -> None:
        """Record the outcome of a claimed row: sent or failed, and count it."""
        if state not in ("sent", "failed"):
            raise ValueError(f"not an outcome to record: {state!r}")
        where = f"broadcast_id = ? AND chat_id = ? AND {self._UNFINISHED}"
        params = (iso(now), error, item.broadcast_id, item.chat_id)
        if self.conn.engine is Engine.POSTGRESQL:
            # One statement, as the claim (BEGIN and COMMIT would be two more round trips
            # per message): the row and its broadcast's count, atomically.
            self.conn.execute(
                "WITH done AS (UPDATE outbox SET state = ?, updated_at = ?, error = ?"
                f" WHERE {where} RETURNING broadcast_id) UPDATE broadcasts"
                f" SET {state} = {state} + 1 WHERE id IN (SELECT broadcast_id FROM done)",
                (state, *params))
            return
        with self.conn.transaction() as db:  # SQLite: no round trips, one commit as before
            count_finished(db, finish_rows(
                db, state, "updated_at = ?, error = ?", params[:2], where, params[2:]))

    def record_blocked(self, item: OutboxItem, now: datetime) -> None:
        """The user blocked the bot: mark the row and unsubscribe them in one transaction."""
        with self.conn.transaction() as db:
            finished = finish_rows(
                db, "blocked", "updated_at = ?", (iso(now),),
                f"broadcast_id = ? AND chat_id = ? AND {self._UNFINISHED}",
                (item.broadcast_id, item.chat_id))
            self._unsubscribe(db, item.chat_id, "blocked", now, finished)
            count_finished(db, finished)

    def record_outcome(self, outcome: Outcome) -> None:
        if outcome.state == "blocked":
            self.record_blocked(outcome.item, outcome.at)
        else:
            self.record(outcome.item, outcome.state, outcome.at, outcome.error)

    # -- Telegram's 429 pause, shared by every sender of the bot ---------------------------

    def pause_sending(self, seconds: float) -> None:
        """No broadcast send, by any process, for `seconds` from now (or longer if set so)."""
        now = db_now_sql(self.conn.engine)
        later = "GREATEST" if self.conn.engine is Engine.POSTGRESQL else "MAX"
        self.conn.execute(
            f"UPDATE sender_lease SET paused_until = {later}(paused_until, {now} + ?)"
            " WHERE name = 'sender'", (seconds,))

    def pause_left(self) -> float:
        """Seconds left of the last 429 pause (0 when there is none)."""
        row = self.conn.execute(
            f"SELECT paused_until - {db_now_sql(self.conn.engine)} FROM sender_lease"
            " WHERE name = 'sender'").fetchone()
        return max(0.0, float(row[0])) if row is not None else 0.0

    def recover_in_flight(self, fence: int | None = None) -> int:
        """Rows left in flight by a sender that died, froze or lost its lease go out again.

        At least once: such a row may have reached its user, whose result was never
        written (the README's delivery guarantee). Only the one sender may call this (at
        start-up, or on winning the sender lease): rows in flight of a live sender would
        be sent twice: given the lease's `fence`, raises `NotSender` unless it is current.
        """
        with self.conn.transaction() as db:
            require_lease(db, fence)
            cur = db.execute("UPDATE outbox SET state = 'pending' WHERE state = 'sending'")
            return cur.rowcount

    def remaining(self) -> int:
        """Rows of every broadcast still to send (pending or in flight)."""
        row = self.conn.execute(REMAINING).fetchone()
        return int(row[0])


def finish_rows(db: Connection, state: str, changes: str, values: tuple[object, ...],
                where: str, params: tuple[object, ...]) -> Finished:
    """Move the outbox rows `where` selects (rows not finished, only) to the finished
    `state`, also setting `changes` (if any) from `values`; return how many per broadcast, for
    `count_finished` in the same transaction."""
    if state not in FINISHED:
        raise ValueError(f"not a finished state: {state!r}")
    also = f", {changes}" if changes else ""
    rows = db.execute(
        f"UPDATE outbox SET state = '{state}'{also} WHERE {where} RETURNING broadcast_id",
        (*values, *params)).fetchall()  # all rows: SQLite finishes the statement only then
    return Counter((int(r[0]), state) for r in rows)


def count_finished(db: Connection, finished: Finished) -> None:
    """Add rows moved into finished states to their broadcasts' counts, inside the
    transaction that moved them, at its end: in broadcast id order (see the module's doc)."""
    for broadcast_id in sorted({b for b, _ in finished}):
        db.execute(
            "UPDATE broadcasts SET sent = sent + ?, failed = failed + ?, blocked = blocked + ?,"
            " cancelled = cancelled + ? WHERE id = ?",
            (*(finished[(broadcast_id, s)] for s in FINISHED), broadcast_id))


def insert_broadcast(db: Connection, kind: str, text: str, now: datetime,
                     created_by: int | None = None) -> int:
    """A new draft broadcast; returns its id."""
    rows = db.execute(
        "INSERT INTO broadcasts(kind, text, state, created_at, created_by)"
        " VALUES (?, ?, 'draft', ?, ?) RETURNING id",
        (kind, text, iso(now), created_by),
    ).fetchall()  # all rows: SQLite finishes the statement only when they are read
    return int(rows[0][0])


# Seconds a fenced transaction may sit idle (its process frozen between two statements)
# before the server ends its session: the row lock it holds must not keep the next sender
# from taking the lease for longer than that.
FENCED_IDLE_MS = 5000


def require_lease(db: Connection, fence: int | None) -> None:
    """Inside a write transaction: go on only while `fence` is the sender lease's current
    epoch (and the lease is unexpired), else raise `NotSender`, which rolls it back.

    The lease row stays locked until the transaction ends, so the next holder's takeover
    (an UPDATE of that row) waits for this transaction's commit and never interleaves with
    it: on SQLite the transaction's write lock (BEGIN IMMEDIATE) does that, on PostgreSQL
    `FOR SHARE`. A process frozen inside the transaction would keep that PostgreSQL lock
    for ever: the server ends such an idle session after `FENCED_IDLE_MS`.
    """
    if fence is None:
        return
    lock = ""
    if db.engine is Engine.POSTGRESQL:
        db.execute(f"SET LOCAL idle_in_transaction_session_timeout = {FENCED_IDLE_MS}")
        lock = " FOR SHARE"
    if db.execute(_lease_current(db.engine) + lock, (fence,)).fetchone() is None:
        raise NotSender(f"the sender lease is no longer at epoch {fence}")


def _lease_current(engine: Engine) -> str:
    """A row exactly while the lease is at the epoch given (one `?`) and unexpired."""
    return ("SELECT 1 FROM sender_lease WHERE name = 'sender' AND epoch = ?"
            f" AND expires_at > {db_now_sql(engine)}")


def db_now_sql(engine: Engine) -> str:
    """The database's clock in Unix seconds: replicas on several hosts read one clock."""
    if engine is Engine.POSTGRESQL:
        return "CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS DOUBLE PRECISION)"
    return "((julianday('now') - 2440587.5) * 86400.0)"


def iso(moment: datetime) -> str:
    # Fixed width (always microseconds, always UTC) so text order is time order.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
