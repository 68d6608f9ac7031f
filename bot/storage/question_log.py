"""The question log: users seen, questions asked, stats and gaps; degrades instead of crashing.

On SQLite (the embedded default) or PostgreSQL, through `bot.storage.connection`.

`QuestionLog` is synchronous and owned by one worker thread. `Storage` is the asyncio
facade: logging is fire-and-forget (queued, written in batches off the event loop, so
a slow or locked disk never delays a reply) and reads run on the same thread, after
every write queued before them. A PostgreSQL that hangs holds a read no longer than
`CALL_WAIT` (`bot.storage.worker`): it fails as when the database is down.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from bot.core.review import Logged, Signal
from bot.storage.chat_move import HistoryMove, move_chat_rows
from bot.storage.connection import (
    Connection,
    Cursor,
    DatabaseError,
    DatabaseTarget,
    as_target,
    connect,
)
from bot.storage.contexts import ContextRecord, Contexts, delete_expired, write_contexts
from bot.storage.migrations import migrate
from bot.storage.purge import PAUSE as PURGE_PAUSE
from bot.storage.purge import ROWS as PURGE_ROWS
from bot.storage.purge import PurgeJob
from bot.storage.records import (
    GAP_KINDS,
    TAP_KIND,
    Activity,
    FactFeedback,
    Gap,
    Health,
    Purged,
    QuestionRecord,
    Stats,
    TapRecord,
    UserSeen,
    VoteRecord,
)
from bot.storage.worker import DatabaseThread

log = logging.getLogger(__name__)
T = TypeVar("T")
_REOPEN_EVERY = 5.0  # seconds between attempts to reopen a database that failed to open
_MAX_PENDING = 10_000  # records kept while the writer is behind; older ones are dropped
# A tap is logged under the question of the "did you mean" message it was tapped on (the
# latest, if an edited question reused the message). A tap on a message that asked nothing
# (sent before migration 4) inserts nothing; a user's second tap on the same message
# replaces the first (questions_reply is unique). A tap with no fact is "none of these";
# it keeps what was offered, for the review.
_INSERT_TAP = (
    "INSERT INTO questions(asked_at, channel, text, kind, fact_id, score, chat_id, message_id,"
    " user_id, offered) SELECT ?, 'button', text, ?, ?, 0, chat_id, message_id, ?, offered"
    " FROM questions"
    " WHERE kind = 'suggest' AND chat_id = ? AND message_id = ? ORDER BY id DESC LIMIT 1"
    " ON CONFLICT (chat_id, message_id, user_id) DO UPDATE SET"
    " text = excluded.text, fact_id = excluded.fact_id, asked_at = excluded.asked_at,"
    " offered = excluded.offered"
)
# One vote per user and answer; a second changes it (a 👍 drops the reason of a 👎).
_INSERT_VOTE = (
    "INSERT INTO votes(chat_id, message_id, user_id, up, reason, voted_at)"
    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id, message_id, user_id) DO UPDATE SET"
    " up = excluded.up, reason = excluded.reason, voted_at = excluded.voted_at"
)
# The fact answer a vote is about: the latest answer logged on its message by the time of
# the vote. An edited question edits its answer in place, in the same message: a vote given
# on the old answer stays with the old fact, one given since counts for the new (a second
# tap replaces the first, and its time). Both times are logged to the second: a vote given
# within the second of the edit counts for the new answer.
_VOTED_ANSWER = (
    "JOIN questions q ON q.id = (SELECT MAX(a.id) FROM questions a WHERE a.kind = 'fact'"
    " AND a.chat_id = v.chat_id AND a.message_id = v.message_id AND a.asked_at <= v.voted_at)"
)
_UNDECIDED = "NOT EXISTS (SELECT 1 FROM review_decisions d WHERE d.text = q.text)"


class QuestionLog:
    """One connection to the log; every method catches `DatabaseError`."""

    def __init__(self, target: DatabaseTarget | Path, busy_timeout_ms: int = 200) -> None:
        self.target = as_target(target)
        self.busy_timeout_ms = busy_timeout_ms
        self.conn: Connection | None = None
        self.error: str | None = None
        self.dropped = 0
        self._next_open = 0.0

    def open(self) -> bool:
        """Connect and migrate; on failure remember why and retry later."""
        if self.conn is not None:
            return True
        if time.monotonic() < self._next_open:
            return False
        self._next_open = time.monotonic() + _REOPEN_EVERY
        conn: Connection | None = None
        try:
            conn = connect(self.target, self.busy_timeout_ms)
            migrate(conn)
        except DatabaseError as exc:
            if conn is not None:
                conn.close()
            self._fail(exc)
            return False
        self.conn = conn
        self._recover()
        return True

    def write(self, users: list[UserSeen], questions: list[QuestionRecord],
              taps: list[TapRecord] | None = None, votes: list[VoteRecord] | None = None,
              contexts: list[ContextRecord] | None = None) -> bool:
        taps = taps or []
        contexts = contexts or []
        votes = votes or []
        if not self.open():
            return False
        assert self.conn is not None
        try:
            with self.conn.transaction() as db:
                db.executemany(
                    "INSERT INTO users(user_id, first_seen, last_seen, language)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET"
                    " last_seen = excluded.last_seen,"
                    " language = COALESCE(excluded.language, users.language)",
                    [(u.user_id, _iso(u.seen_at), _iso(u.seen_at), u.language) for u in users],
                )
                db.executemany(
                    "INSERT INTO questions(asked_at, channel, text, kind, fact_id, score,"
                    " chat_id, message_id, asked_by, offered, margin)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (_iso(q.asked_at), q.channel, q.text, q.kind, q.fact_id, q.score,
                         q.chat_id, q.message_id, q.asked_by, " ".join(q.offered) or None,
                         q.margin)
                        for q in questions
                    ],
                )
                # After the questions: a tap or a vote may be about a question of this batch.
                if taps:
                    db.executemany(_INSERT_TAP, [
                        (_iso(t.tapped_at), TAP_KIND, t.fact_id, t.user_id, t.chat_id,
                         t.message_id) for t in taps])
                if votes:
                    db.executemany(_INSERT_VOTE, [
                        (v.chat_id, v.message_id, v.user_id, int(v.up), v.reason,
                         _iso(v.voted_at)) for v in votes])
                write_contexts(db, contexts)
        except DatabaseError as exc:
            self._fail(exc)
            return False
        self._recover()
        return True

    def stats(self, top: int = 5) -> Stats | None:
        def query(conn: Connection) -> Stats:
            users = conn.execute("SELECT COUNT(*) FROM users").fetchone()[0]
            by_kind = dict(conn.execute(
                "SELECT kind, COUNT(*) FROM questions WHERE kind != ? GROUP BY kind", (TAP_KIND,)))
            top_facts = tuple(
                conn.execute(
                    "SELECT fact_id, COUNT(*) AS n FROM questions WHERE kind = 'fact'"
                    " GROUP BY fact_id ORDER BY n DESC, fact_id LIMIT ?",
                    (top,),
                )
            )
            subscribers, blocked = conn.execute(
                "SELECT COUNT(*) FILTER (WHERE active = 1),"
                " COUNT(*) FILTER (WHERE active = 0 AND reason IN ('blocked', 'kicked'))"
                " FROM subscribers"
            ).fetchone()
            return Stats(int(users), sum(by_kind.values()), by_kind, top_facts, int(subscribers),
                         int(blocked))

        return self._read(query)

    def gaps(self, limit: int = 10) -> list[Gap] | None:
        """The most asked questions not answered, but none an admin has decided on in the
        review (added, declined, ignored): those are no longer open. The log keeps them."""
        def query(conn: Connection) -> list[Gap]:
            rows = conn.execute(
                "SELECT q.text, COUNT(*) AS n, MAX(q.asked_at) FROM questions q"
                f" WHERE q.kind IN {GAP_KINDS!r} AND q.text != '' AND {_UNDECIDED}"
                " GROUP BY q.text ORDER BY n DESC, MAX(q.asked_at) DESC LIMIT ?",
                (limit,),
            )
            return [Gap(text, int(n), last) for text, n, last in rows]

        return self._read(query)

    def taps(self, texts: list[str]) -> dict[str, dict[str, int]] | None:
        """For each question text: which suggested facts users tapped after asking it, how often."""
        def query(conn: Connection) -> dict[str, dict[str, int]]:
            found: dict[str, dict[str, int]] = {}
            marks = ",".join("?" * len(texts))
            rows = conn.execute(
                "SELECT text, fact_id, COUNT(*) FROM questions"
                f" WHERE kind = ? AND fact_id IS NOT NULL AND text IN ({marks})"
                " GROUP BY text, fact_id", (TAP_KIND, *texts))
            for text, fact_id, count in rows:
                found.setdefault(text, {})[fact_id] = int(count)
            return found

        return self._read(query) if texts else {}

    def refusals(self, texts: list[str]) -> dict[str, dict[str, int]] | None:
        """For each question text: which "did you mean" choices users turned down after
        asking it ("none of these", or "না" in words), how often."""
        def query(conn: Connection) -> dict[str, dict[str, int]]:
            found: dict[str, dict[str, int]] = {}
            marks = ",".join("?" * len(texts))
            rows = conn.execute(
                "SELECT text, offered FROM questions WHERE kind = ? AND fact_id IS NULL"
                f" AND offered IS NOT NULL AND text IN ({marks})", (TAP_KIND, *texts))
            for text, offered in rows:
                counts = found.setdefault(text, {})
                for fact_id in offered.split():
                    counts[fact_id] = counts.get(fact_id, 0) + 1
            return found

        return self._read(query) if texts else {}

    def review_items(self, narrow_margin: float,
                     since: datetime | None = None) -> list[Logged] | None:
        """What the admins' review groups: questions not answered, answers voted down or
        won narrowly (lead under `narrow_margin`), "did you mean" picks and rejections;
        none of a question an admin has decided on already."""
        after = _iso(since) if since else ""

        def query(conn: Connection) -> list[Logged]:
            found: list[Logged] = []
            rows = conn.execute(
                "SELECT q.text, q.kind, q.asked_by, q.user_id, q.fact_id, q.offered"
                " FROM questions q WHERE q.text != '' AND q.asked_at >= ?"
                f" AND (q.kind IN {(*GAP_KINDS, TAP_KIND)!r}"
                " OR (q.kind = 'fact' AND q.margin < ?))"
                f" AND {_UNDECIDED}", (after, narrow_margin))
            for text, kind, asked_by, tapper, fact_id, offered in rows:
                offers = tuple(offered.split()) if offered else ()
                if kind == TAP_KIND:
                    signal = Signal.PICKED if fact_id else Signal.REJECTED
                    found.append(Logged(text, signal, tapper, offered=offers, chosen=fact_id))
                elif kind == "fact":
                    found.append(Logged(text, Signal.NARROW, asked_by, answered=fact_id))
                else:
                    found.append(Logged(text, Signal.UNANSWERED, asked_by, offered=offers))
            rows = conn.execute(
                f"SELECT q.text, q.fact_id, v.user_id, v.reason FROM votes v {_VOTED_ANSWER}"
                f" WHERE v.up = 0 AND q.text != '' AND v.voted_at >= ? AND {_UNDECIDED}",
                (after,))
            for text, fact_id, voter, reason in rows:
                found.append(Logged(text, Signal.DISLIKED, voter, answered=fact_id,
                                    reason=reason))
            return found

        return self._read(query)

    def decide(self, texts: list[str], action: str, target: str | None, by: str,
               at: datetime) -> bool:
        """Record an admin's decision on these questions: the review shows them no more."""
        def query(conn: Connection) -> bool:
            with conn.transaction() as db:
                db.executemany(
                    "INSERT INTO review_decisions(text, action, target, decided_by, decided_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (text) DO UPDATE SET"
                    " action = excluded.action, target = excluded.target,"
                    " decided_by = excluded.decided_by, decided_at = excluded.decided_at",
                    [(text, action, target, by, _iso(at)) for text in texts])
            return True

        return self._read(query) or False

    def undecide(self, texts: list[str]) -> bool:
        """Forget the decisions to add or decline these questions (their edit was rolled
        back): the review shows them again. Ignoring stands."""
        def query(conn: Connection) -> bool:
            marks = ",".join("?" * len(texts))
            with conn.transaction() as db:
                db.execute(f"DELETE FROM review_decisions WHERE text IN ({marks})"
                           " AND action <> 'ignored'", texts)
            return True

        return (self._read(query) or False) if texts else True

    def fact_feedback(self, since: datetime) -> list[FactFeedback] | None:
        """Per fact since `since`: times answered, 👍, 👎 and "did you mean" picks."""
        after = _iso(since)

        def query(conn: Connection) -> list[FactFeedback]:
            counts: dict[str, list[int]] = {}

            def add(rows: Cursor, column: int) -> None:
                for fact_id, n in rows:
                    counts.setdefault(fact_id, [0, 0, 0, 0])[column] += int(n)

            add(conn.execute("SELECT fact_id, COUNT(*) FROM questions WHERE kind = 'fact'"
                             " AND asked_at >= ? GROUP BY fact_id", (after,)), 0)
            votes = conn.execute(
                f"SELECT q.fact_id, v.up, COUNT(*) FROM votes v {_VOTED_ANSWER}"
                " WHERE v.voted_at >= ? GROUP BY q.fact_id, v.up", (after,))
            for fact_id, up, n in votes:
                counts.setdefault(fact_id, [0, 0, 0, 0])[1 if up else 2] += int(n)
            add(conn.execute("SELECT fact_id, COUNT(*) FROM questions WHERE kind = ?"
                             " AND fact_id IS NOT NULL AND asked_at >= ? GROUP BY fact_id",
                             (TAP_KIND, after)), 3)
            return [FactFeedback(fact_id, *numbers) for fact_id, numbers in sorted(
                counts.items(), key=lambda item: (-item[1][0], item[0]))]

        return self._read(query)

    def activity(self, since: datetime) -> list[Activity] | None:
        """Questions per UTC hour and kind of answer since `since` (taps not counted)."""
        after = _iso(since)

        def query(conn: Connection) -> list[Activity]:
            rows = conn.execute(
                "SELECT substr(asked_at, 1, 13), kind, COUNT(*) FROM questions"
                " WHERE asked_at >= ? AND kind != ? GROUP BY 1, 2 ORDER BY 1, 2",
                (after, TAP_KIND))
            return [Activity(datetime.fromisoformat(f"{hour}:00:00+00:00"), kind, int(n))
                    for hour, kind, n in rows]

        return self._read(query)

    def purge(self, before: datetime, now: datetime | None = None, rows: int = PURGE_ROWS,
              pause: Callable[[], None] = lambda: time.sleep(PURGE_PAUSE), *,
              job: PurgeJob | None = None,
              stopped: Callable[[], bool] = lambda: False) -> Purged | None:
        """Delete what is older than `before`: questions and taps, votes, users not seen
        since, decisions about questions no longer logged, chats unsubscribed before it,
        finished broadcast deliveries and broadcasts; with `now`, the conversation contexts
        and answered messages expired by then too (a running bot deletes those as it goes; a
        stopped one does not). In transactions of at most `rows` rows, calling `pause`
        between them so other writers get in; None if one fails or `stopped()` says so
        between two (those before stay committed, counted in `job` when the caller gave it)."""
        job = job or PurgeJob(before, now, rows)
        while not (done := self.purge_step(job)):
            if done is None or stopped():
                return None
            pause()
        return job.purged

    def purge_step(self, job: PurgeJob) -> bool | None:
        """One transaction of `job`; True when it is complete, None on a failure."""
        return self._read(job.step)

    def move_chat(self, old: int, new: int) -> HistoryMove | None:
        """A group became a supergroup: its conversations, questions and votes move to the
        new id (`bot.storage.chat_move`); None if the database refused."""
        def query(conn: Connection) -> HistoryMove:
            with conn.transaction() as db:
                return move_chat_rows(db, old, new)

        return self._read(query)

    def expire_contexts(self, now: datetime) -> bool:
        """Delete the conversation contexts expired at `now` (each batch of writes does too:
        this is for a bot that nobody writes to)."""
        def query(conn: Connection) -> bool:
            with conn.transaction() as db:
                delete_expired(db, int(now.timestamp()))
            return True

        return self._read(query) or False

    def probe(self) -> Health:
        """Check that the database can take a write right now (what logging needs)."""
        if not self.open():
            return Health(False, self.error or "database unavailable")
        assert self.conn is not None
        try:
            # A real row, rolled back: BEGIN alone succeeds even on a read-only file.
            with self.conn.transaction() as db:
                db.execute(
                    "INSERT INTO schema_version(version, name, applied_at) VALUES (-1, 'probe', '')"
                )
                raise _RolledBack
        except _RolledBack:
            pass
        except DatabaseError as exc:
            self._fail(exc)
            return Health(False, self.error or "database error")
        self._recover()
        return Health(True, "ok")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _read(self, query: Callable[[Connection], T]) -> T | None:
        if not self.open():
            return None
        assert self.conn is not None
        try:
            return query(self.conn)
        except DatabaseError as exc:
            self._fail(exc)
            return None

    def _fail(self, exc: BaseException) -> None:
        reason = str(exc) or type(exc).__name__
        if self.conn is not None and not self.conn.usable:
            # The server went away (or did not answer): reconnect through `open`, a while
            # from now, so the reads that follow fail at once instead of each waiting for a
            # connection to a server that may still not answer.
            self.conn.close()
            self.conn = None
            self._next_open = time.monotonic() + _REOPEN_EVERY
        if reason != self.error:  # log state changes, not every failed write
            log.warning("database %s unusable, answering without logging: %s", self.target,
                        reason)
        self.error = reason

    def _recover(self) -> None:
        if self.error is not None:
            log.info("database %s usable again after: %s", self.target, self.error)
        self.error = None


class Storage:
    """Asyncio facade over `QuestionLog`, which only its one worker thread touches."""

    def __init__(self, question_log: QuestionLog, batch_delay: float = 0.05) -> None:
        self.question_log = question_log
        self.batch_delay = batch_delay
        self._thread = DatabaseThread(question_log.target, "llamabot-db")
        self._lock = threading.Lock()
        self._users: deque[UserSeen] = deque(maxlen=_MAX_PENDING)
        self._questions: deque[QuestionRecord] = deque(maxlen=_MAX_PENDING)
        self._taps: deque[TapRecord] = deque(maxlen=_MAX_PENDING)
        # Conversation contexts: read from the event loop, written with these batches.
        self.contexts = Contexts(question_log.target)
        self._votes: deque[VoteRecord] = deque(maxlen=_MAX_PENDING)
        self._scheduled = False
        self._closed = False
        self._retry: threading.Timer | None = None  # a failed batch's next attempt

    @classmethod
    async def open(cls, target: DatabaseTarget | Path) -> Storage:
        storage = cls(QuestionLog(target))
        # Unbounded: connecting has its own timeout, and a migration takes what it takes.
        if await storage._thread.call(storage.question_log.open, wait=None):
            # Migrated: contexts can be read.
            await storage.contexts.open()
        return storage

    @property
    def healthy(self) -> bool:
        """The last known state, without touching the disk."""
        return self.question_log.conn is not None and self.question_log.error is None

    def record(self, user: UserSeen | None = None, question: QuestionRecord | None = None,
               tap: TapRecord | None = None, vote: VoteRecord | None = None,
               context: ContextRecord | None = None) -> None:
        """Queue a user sighting, a question, a tap and/or a vote for the writer thread;
        never blocks."""
        if self._closed:
            return
        if context is not None:
            self.contexts.keep(context)
        with self._lock:
            if user is not None:
                self._users.append(user)
            if question is not None:
                self._questions.append(question)
            if tap is not None:
                self._taps.append(tap)
            if vote is not None:
                self._votes.append(vote)
            if self._scheduled:
                return
            self._scheduled = True
        self._thread.submit(self._drain_later)

    def _drain_later(self) -> None:
        # Wait a moment so one transaction carries every record of a busy stretch: one
        # commit per batch instead of per message keeps the writer off the GIL.
        time.sleep(self.batch_delay)
        self._drain()

    def _drain(self) -> None:
        with self._lock:
            users, questions, taps = list(self._users), list(self._questions), list(self._taps)
            votes = list(self._votes)
            self._users.clear()
            self._questions.clear()
            self._taps.clear()
            self._votes.clear()
            self._scheduled = False
        contexts = self.contexts.pending()
        if (users or questions or taps or votes or contexts) and not self.question_log.write(
                users, questions, taps, votes, contexts=contexts):
            self._requeue(users, questions, taps, votes)
        elif self._retry is not None:
            with self._lock:  # written: nothing waits for the retry any more
                if self._retry is not None:
                    self._retry.cancel()
                    self._retry = None
        self.contexts.written(contexts)  # a context lives minutes: the next message writes it

    def _requeue(self, users: list[UserSeen], questions: list[QuestionRecord],
                 taps: list[TapRecord], votes: list[VoteRecord]) -> None:
        """Put a batch the database refused (full disk, an outage) back before what came
        since, and try again in a while: dropped only past `_MAX_PENDING`, oldest first."""
        with self._lock:
            for failed, pending in ((users, self._users), (questions, self._questions),
                                    (taps, self._taps), (votes, self._votes)):
                merged = [*failed, *pending]
                kept = merged[-_MAX_PENDING:]
                self.question_log.dropped += len(merged) - len(kept)
                pending.clear()
                pending.extend(kept)
            if self._retry is None and not self._closed:
                self._retry = threading.Timer(_REOPEN_EVERY, self._retry_now)
                self._retry.daemon = True
                self._retry.start()

    def _retry_now(self) -> None:
        with self._lock:
            self._retry = None
            if self._closed:
                return
        try:
            self._thread.submit(self._drain)
        except RuntimeError:  # shut down meanwhile
            pass

    async def flush(self) -> None:
        await self._run(self._drain, None)

    async def stats(self) -> Stats | None:
        return await self._run(self.question_log.stats, None)

    async def gaps(self, limit: int = 10) -> list[Gap] | None:
        return await self._run(lambda: self.question_log.gaps(limit), None)

    async def taps(self, texts: list[str]) -> dict[str, dict[str, int]] | None:
        return await self._run(lambda: self.question_log.taps(texts), None)

    async def refusals(self, texts: list[str]) -> dict[str, dict[str, int]] | None:
        return await self._run(lambda: self.question_log.refusals(texts), None)

    async def review_items(self, narrow_margin: float,
                           since: datetime | None = None) -> list[Logged] | None:
        return await self._run(lambda: self.question_log.review_items(narrow_margin, since),
                               None)

    async def decide(self, texts: list[str], action: str, target: str | None, by: str,
                     at: datetime) -> bool:
        return await self._run(lambda: self.question_log.decide(texts, action, target, by, at),
                               False)

    async def undecide(self, texts: list[str]) -> bool:
        return await self._run(lambda: self.question_log.undecide(texts), False)

    async def fact_feedback(self, since: datetime) -> list[FactFeedback] | None:
        return await self._run(lambda: self.question_log.fact_feedback(since), None)

    async def activity(self, since: datetime) -> list[Activity] | None:
        return await self._run(lambda: self.question_log.activity(since), None)

    async def purge(self, before: datetime, rows: int = PURGE_ROWS,
                    pause: float = PURGE_PAUSE) -> Purged | None:
        """`QuestionLog.purge`, one transaction per turn of the writer thread: the records
        logged meanwhile are written between two, not after the whole purge."""
        job = PurgeJob(before, rows=rows)
        while True:
            done = await self._run(lambda: self.question_log.purge_step(job), None)
            if done is None:
                return None
            if done:
                return job.purged
            await asyncio.sleep(pause)

    async def move_chat(self, old: int, new: int) -> HistoryMove | None:
        """`QuestionLog.move_chat`, after writing what was logged before it (under `old`)."""
        def drain_then_move() -> HistoryMove | None:
            self._drain()
            return self.question_log.move_chat(old, new)

        moved = await self._run(drain_then_move, None)
        # The new chat's next message may have arrived (and its read started) meanwhile.
        self.contexts.moved(old, new)
        return moved

    async def expire_contexts(self, now: datetime) -> bool:
        return await self._run(lambda: self.question_log.expire_contexts(now), False)

    async def health(self) -> Health:
        try:
            probed = await self._thread.call(self.question_log.probe)
        except DatabaseError as exc:  # PostgreSQL did not answer in time
            return Health(False, str(exc))
        if probed.ok and self._retry is not None:
            # The database is back: the waiting records first.
            await self._run(self._drain, None)
        with self._lock:
            waiting = self._retry is not None
        if probed.ok and waiting:
            # The probe's one-row write may fit where a batch does not (a nearly full disk).
            return Health(False, "logged records wait for a write the database refused")
        return probed

    async def close(self) -> None:
        if self._closed:
            return
        await self.flush()
        with self._lock:
            self._closed = True
            if self._retry is not None:
                self._retry.cancel()
            unwritten = len(self._users) + len(self._questions) + len(self._taps) + len(
                self._votes)
        if unwritten:  # the database still refuses them: said, not silently lost
            self.question_log.dropped += unwritten
            log.warning("%d logged record(s) not written: database %s unusable at shutdown",
                        unwritten, self.question_log.target)
        await self.contexts.close()
        await self._thread.finish(self.question_log.close)

    async def _run(self, fn: Callable[[], T], failed: T) -> T:
        """`fn()` on the writer thread, after what was queued before it; `failed` when the
        database does not answer in time (`DatabaseThread.call`)."""
        try:
            return await self._thread.call(fn)
        except DatabaseError:  # the call, or the one still running, logs why
            return failed


class _RolledBack(Exception):
    """Ends the probe's transaction without committing it."""


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")
