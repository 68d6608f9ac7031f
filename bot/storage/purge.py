"""The purge of what is older than the retention period, in short transactions.

Millions of old rows deleted in one transaction held SQLite's write lock for half a
minute: /subscribe was refused and the broadcast sender stalled. A `PurgeJob` instead
deletes at most `rows` rows (or walks `rows` keys) per transaction and commits; its
caller pauses between steps, so other writers get in. Every step is complete on its own
(a crash or a failure between two loses nothing and leaves nothing half done) and checks
its conditions again when it deletes, so a row changed since (a chat subscribed again, a
tap made anew) is kept.

Two ways to find a step's rows: by the index on their age (questions, votes, contexts),
which visits only the rows deleted; or, where no such index exists (users, review
decisions, subscribers, outbox, broadcasts), walking the primary key `rows` keys at a
time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.storage.connection import Connection
from bot.storage.outbox import FINISHED, count_finished, finish_rows, iso
from bot.storage.records import Purged

# Rows per transaction: about 35 ms of write lock for 1,000 questions on SQLite (their five
# indexes make a question the costliest row to delete).
ROWS = 1000
# Seconds between two transactions. SQLite has no queue for its write lock: a writer
# waiting for it retries after sleeping up to 100 ms, so the gap must be long enough for
# it to find the lock free.
PAUSE = 0.1


@dataclass(frozen=True)
class _ByAge:
    """Rows found through an index on their age, oldest first."""

    counted: str  # the `Purged` field
    table: str
    key: str  # the primary key's columns, comma-separated
    old: str  # the condition on the indexed age, one placeholder
    order: str  # the indexed column

    def step(self, db: Connection, value: Any, rows: int) -> tuple[int, bool]:
        # The age again outside the subquery: a row updated since it was read (a user's
        # second tap on a message moves its time) is checked as it is now.
        cur = db.execute(
            f"DELETE FROM {self.table} WHERE {self.old} AND ({self.key}) IN"
            f" (SELECT {self.key} FROM {self.table} WHERE {self.old}"
            f" ORDER BY {self.order} LIMIT ?)", (value, value, rows))
        return cur.rowcount, cur.rowcount < rows


@dataclass(frozen=True)
class _ByKey:
    """Rows found by walking the primary key: `rows` keys per step, in key order."""

    counted: str
    table: str
    key: str
    condition: str  # which rows of the range go; placeholders filled by `params`

    def step(self, db: Connection, after: Sequence[Any] | None, rows: int,
             params: Sequence[Any]) -> tuple[int, Sequence[Any] | None]:
        """Delete in the next range of keys; return the count and the range's last key
        (None: the walk is over)."""
        lower = f"({self.key}) > ({_marks(after)})" if after else "1 = 1"
        found = db.execute(
            f"SELECT {self.key} FROM {self.table} WHERE {lower}"
            f" ORDER BY {self.key} LIMIT 1 OFFSET ?", (*(after or ()), rows - 1)).fetchone()
        last = tuple(found) if found is not None else None
        upper = f" AND ({self.key}) <= ({_marks(last)})" if last else ""
        where = f"{lower}{upper} AND {self.condition}"
        bounds = (*(after or ()), *(last or ()))
        deleted = self.delete(db, where, (*bounds, *params))
        return deleted, last

    def delete(self, db: Connection, where: str, params: Sequence[Any]) -> int:
        return db.execute(f"DELETE FROM {self.table} WHERE {where}", params).rowcount


class _Subscribers(_ByKey):
    """Chats unsubscribed before the cutoff. A send still pending for one of them (queued
    as it left) is cancelled in the same transaction: nobody is messaged after their
    subscription is forgotten."""

    def delete(self, db: Connection, where: str, params: Sequence[Any]) -> int:
        # The chats actually deleted: one that subscribed again meanwhile is neither.
        gone = [int(r[0]) for r in db.execute(
            f"DELETE FROM subscribers WHERE {where} RETURNING chat_id", params).fetchall()]
        if gone:
            count_finished(db, finish_rows(
                db, "cancelled", "", (),
                f"state = 'pending' AND chat_id IN ({_marks(gone)})", tuple(gone)))
        return len(gone)


class _Deliveries(_ByKey):
    """Finished delivery rows (chat ids) of broadcasts no longer sending. The broadcast's
    counts (`sent`...) already hold them; how many were deleted goes to its `purged_*`
    columns, so its counts can be set again from the rows left (`RECOUNT`)."""

    def delete(self, db: Connection, where: str, params: Sequence[Any]) -> int:
        # Counted from the rows this statement deleted, not read before it: on PostgreSQL
        # a purge running at once (another replica, the CLI) reads the same rows, and one
        # of the two deletes them; counting what was read counted them twice.
        gone = db.execute(f"DELETE FROM outbox WHERE {where} RETURNING broadcast_id, state",
                          params).fetchall()
        counts = Counter((int(broadcast_id), str(state)) for broadcast_id, state in gone)
        # In id order: two purges lock the broadcasts' rows in the same order, no deadlock.
        for (broadcast_id, state), count in sorted(counts.items()):
            column = _PURGED_COUNT[state]  # a column name from our own table, never a value
            db.execute(f"UPDATE broadcasts SET {column} = {column} + ? WHERE id = ?",
                       (count, broadcast_id))
        return len(gone)


class _Broadcasts(_ByKey):
    """Broadcasts finished before the cutoff whose delivery rows are all gone: the reminder
    that sent one (kept, to be sent once) forgets it first, as its foreign key requires."""

    def delete(self, db: Connection, where: str, params: Sequence[Any]) -> int:
        db.execute("UPDATE reminders SET broadcast_id = NULL WHERE broadcast_id IN"
                   f" (SELECT id FROM broadcasts WHERE {where})", params)
        return super().delete(db, where, params)


_PURGED_COUNT = {state: f"purged_{state}" for state in FINISHED}
_QUESTIONS = _ByAge("questions", "questions", "id", "asked_at < ?", "asked_at")
_VOTES = _ByAge("votes", "votes", "chat_id, message_id, user_id", "voted_at < ?", "voted_at")
_CONTEXTS = _ByAge("", "contexts", "chat_id, user_id", "expires_at <= ?", "expires_at")
_ANSWERED = _ByAge("", "answer_messages", "chat_id, message_id", "expires_at <= ?",
                   "expires_at")
# A decision outlives its date while the question is still logged: an ignored question
# must not come back because the decision aged first.
_DECISIONS = _ByKey("decisions", "review_decisions", "text",
                    "decided_at < ? AND NOT EXISTS (SELECT 1 FROM questions q"
                    " WHERE q.text = review_decisions.text)")
_USERS = _ByKey("users", "users", "user_id", "last_seen < ?")
_UNSUBSCRIBED = _Subscribers("subscribers", "subscribers", "chat_id",
                             "active = 0 AND changed_at < ?")
_FINISHED_SENDS = _Deliveries(
    "deliveries", "outbox", "broadcast_id, chat_id",
    f"state IN {FINISHED!r} AND updated_at < ? AND NOT EXISTS (SELECT 1 FROM broadcasts b"
    " WHERE b.id = outbox.broadcast_id AND b.state = 'queued')")
# After the deliveries: a broadcast goes with its last row, so its progress never loses
# counts. A draft cancelled has no finished_at: its creation counts. So does a draft never
# confirmed nor cancelled (a preview left): kept, it held its text and admin for good.
_FINISHED_BROADCASTS = _Broadcasts(
    "broadcasts", "broadcasts", "id",
    "state IN ('done', 'cancelled', 'draft') AND COALESCE(finished_at, created_at) < ?"
    " AND NOT EXISTS"
    " (SELECT 1 FROM outbox o WHERE o.broadcast_id = broadcasts.id)")


class PurgeJob:
    """One purge of what is older than `before` (and, with `now`, of the conversation
    contexts expired by then), one short transaction per `step`."""

    def __init__(self, before: datetime, now: datetime | None = None, rows: int = ROWS) -> None:
        if rows < 1:
            raise ValueError("a purge step deletes at least one row")
        self.rows = rows
        self.counts = dict.fromkeys(("questions", "votes", "decisions", "users",
                                     "subscribers", "deliveries", "broadcasts"), 0)
        self.transactions = 0
        # The question log's times are to the second, the outbox's to the microsecond:
        # each compared in its own format, so text order is time order.
        seconds = before.astimezone(UTC).isoformat(timespec="seconds")
        self._by_age: list[tuple[_ByAge, Any]] = [(_QUESTIONS, seconds), (_VOTES, seconds)]
        self._by_key: list[tuple[_ByKey, Any]] = [
            (_DECISIONS, seconds), (_USERS, seconds), (_UNSUBSCRIBED, iso(before)),
            (_FINISHED_SENDS, iso(before)), (_FINISHED_BROADCASTS, iso(before))]
        if now is not None:
            self._by_age += [(_CONTEXTS, int(now.timestamp())), (_ANSWERED, int(now.timestamp()))]
        self._after: Sequence[Any] | None = None

    @property
    def done(self) -> bool:
        return not (self._by_age or self._by_key)

    @property
    def purged(self) -> Purged:
        return Purged(**self.counts)

    def step(self, conn: Connection) -> bool:
        """Run the next transaction; True when the purge is complete."""
        if self.done:
            return True
        with conn.transaction() as db:
            # Age-indexed deletions first: the decisions' step looks at the questions left.
            if self._by_age:
                by_age, value = self._by_age[0]
                counted = by_age.counted
                deleted, finished = by_age.step(db, value, self.rows)
            else:
                by_key, value = self._by_key[0]
                counted = by_key.counted
                deleted, after = by_key.step(db, self._after, self.rows, (value,))
                finished = after is None
        # Committed: only now does the job move on (a failed step is tried again as it was).
        self.transactions += 1
        if counted:
            self.counts[counted] += deleted
        if self._by_age:
            if finished:
                self._by_age.pop(0)
        else:
            self._after = after
            if finished:
                self._by_key.pop(0)
        return self.done


def _marks(values: Sequence[Any] | None) -> str:
    return ", ".join("?" * len(values or ()))
