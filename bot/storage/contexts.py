"""Conversation contexts in the database, so that replicas behind a load balancer share them.

A message costs at most one indexed read and one queued write. Reads are made from the
event loop on a connection of their own (`LoopReader`: SQLite at once, PostgreSQL through
psycopg's asyncio connection): a hop to a worker thread, waiting for the interpreter lock,
cost the bot a fifth of its throughput, the query itself almost nothing. Under load the
reads share statements: `prefetch` starts a message's read as it arrives, so the messages
of one getUpdates call (or webhook burst) are read together, and a read made while
another is out waits for the next statement. The write rides in the question log's next
batch (`Storage.record`), many rows to a statement.

Until its batch commits a record waits here, and reads take it from here: the next message
of a conversation sees it even when it comes within the batch delay. Nothing outlives its
expiry: reads skip expired rows and each batch deletes them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from bot.core.conversation import EXPIRY, Context
from bot.storage.connection import Connection, DatabaseError, DatabaseTarget, LoopReader

log = logging.getLogger(__name__)
_REOPEN_EVERY = 5.0  # seconds between attempts to reconnect after a failure
_MAX_PENDING = 10_000  # records waiting for the writer; past this the oldest is dropped
_BATCHES_REMEMBERED = 64  # how long a conversation's last write is remembered, in batches
_MOVES_REMEMBERED = 1024  # upgraded groups whose late records still go to the supergroup
# Rows written by one statement: a few to a statement spare round trips and the
# interpreter lock's hand-overs, and at most 50 parameters keep psycopg's parse cached.
_ROWS_PER_STATEMENT = 12

_UPSERT = ("INSERT INTO contexts(chat_id, user_id, state, expires_at) VALUES {rows}"
           " ON CONFLICT (chat_id, user_id) DO UPDATE SET state = excluded.state,"
           " expires_at = excluded.expires_at")
_FORGET = "DELETE FROM contexts WHERE chat_id = ? AND user_id = ?"
_ANSWERED = ("INSERT INTO answer_messages(chat_id, message_id, fact_id, expires_at)"
             " VALUES {rows} ON CONFLICT (chat_id, message_id) DO UPDATE SET"
             " fact_id = excluded.fact_id, expires_at = excluded.expires_at")
# Conversations' contexts ('c', chat, user) and the facts of the bot's messages replies
# point at ('a', chat, message), each row tagged with the read (n) it answers. Both
# engines loop over the few keys and search the primary keys.
_READ = ("WITH wanted(n, kind, chat, id) AS (VALUES {rows})"
         " SELECT w.n, w.kind, c.state, c.expires_at FROM wanted w JOIN contexts c"
         " ON w.kind = 'c' AND c.chat_id = w.chat AND c.user_id = w.id"
         " UNION ALL SELECT w.n, w.kind, a.fact_id, a.expires_at"
         " FROM wanted w JOIN answer_messages a"
         " ON w.kind = 'a' AND a.chat_id = w.chat AND a.message_id = w.id")
_READS_PER_STATEMENT = 200


@dataclass(frozen=True)
class ConversationKey:
    """Whose context: a private chat's, or one user's in a group (two users never mix)."""

    chat_id: int
    # 0 in a private chat: the chat is the conversation; a channel's (negative) id for
    # people writing in a group as that channel
    user_id: int

    @classmethod
    def of(cls, chat_id: int, user_id: int | None, private: bool) -> ConversationKey:
        return cls(chat_id, 0 if private or user_id is None else user_id)


@dataclass(frozen=True)
class _Wanted:
    """One message's read: its context (unless waiting to be written) and/or the fact of
    the bot's message it replies to."""

    key: ConversationKey
    context: bool
    reply_to: int | None


Found = tuple[str | None, str | None]  # (the context's state, the replied answer's fact)


@dataclass(frozen=True)
class ContextRecord:
    """One message's write: the context to keep (None: forget it, as /start does) and the
    bot's messages that answered a fact, as (message id, fact id)."""

    key: ConversationKey
    context: Context | None
    at: datetime  # the message's time (the bot's clock): both expire EXPIRY after it
    answers: tuple[tuple[int, str], ...] = ()
    # The bot's message carrying the "did you mean" buttons of `context.choices`: a choice
    # made in words ("২", "না") is logged as a tap on it.
    offered_message: int | None = None
    # The rows to write, built with the record, on the event loop, a little per message: in
    # the writer's batch they would hold the interpreter lock against replies all at once.
    seconds: int = field(init=False, repr=False, compare=False)
    expires_at: int = field(init=False, repr=False, compare=False)
    row: tuple[int, int, str, int] | None = field(init=False, repr=False, compare=False)
    answer_rows: tuple[tuple[int, int, str, int], ...] = field(init=False, repr=False,
                                                               compare=False)

    def __post_init__(self) -> None:
        chat, user = self.key.chat_id, self.key.user_id
        seconds = _seconds(self.at)
        expires_at = seconds + int(EXPIRY.total_seconds())
        state = None if self.context is None else encode(self.context, self.offered_message)
        object.__setattr__(self, "seconds", seconds)
        object.__setattr__(self, "expires_at", expires_at)
        object.__setattr__(self, "row", None if state is None else (chat, user, state,
                                                                    expires_at))
        object.__setattr__(self, "answer_rows", tuple(
            (chat, message_id, fact_id, expires_at) for message_id, fact_id in self.answers))


@dataclass(frozen=True)
class Remembered:
    """What a message continues: its conversation's context, and the fact of the bot's
    answer it replies to (if it is a reply to one)."""

    context: Context
    replied_fact: str | None = None
    offered_message: int | None = None  # see `ContextRecord`


def encode(context: Context, offered_message: int | None = None) -> str:
    """`context` as compact JSON (empty fields left out)."""
    data: dict[str, Any] = {"f": context.facts, "s": context.shown, "c": context.choices,
                            "q": context.question, "o": context.offered, "l": context.listed,
                            "i": context.idle,
                            "t": _seconds(context.at) if context.at is not None else None,
                            "m": offered_message}
    return json.dumps({k: v for k, v in data.items() if v}, ensure_ascii=False,
                      separators=(",", ":"))


def decode(state: str) -> tuple[Context, int | None]:
    """What `encode` wrote; a row it cannot read (another version's) is no context."""
    try:
        data = json.loads(state)
        at, idle, message = data.get("t"), data.get("i", 0), data.get("m")
        if not all(isinstance(n, int) for n in (idle, at or 0, message or 0)):
            raise TypeError("idle, time and message are whole numbers")
        context = Context(facts=_ids(data.get("f")), shown=_ids(data.get("s")),
                          choices=_ids(data.get("c")), question=_text(data.get("q")),
                          offered=_text(data.get("o")), listed=_ids(data.get("l")), idle=idle,
                          at=None if at is None else datetime.fromtimestamp(at, UTC))
        return context, message
    except (ValueError, TypeError, AttributeError, OverflowError, OSError):
        return Context(), None


def _ids(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("a list of ids")
    return tuple(value)


def _text(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError("a text")
    return value


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def write_contexts(db: Connection, records: Sequence[ContextRecord]) -> None:
    """Write one batch inside the caller's transaction, then delete what has expired."""
    if not records:
        return
    latest = {r.key: r for r in records}  # a conversation's last message wins
    keep = [r.row for r in latest.values() if r.row is not None]
    forget = [(k.chat_id, k.user_id) for k, r in latest.items() if r.row is None]
    _write_rows(db, _UPSERT, keep)
    if forget:
        db.executemany(_FORGET, forget)
    # One row per message: an edited question may give a message another fact.
    answers = {a[:2]: a for r in records for a in r.answer_rows}
    _write_rows(db, _ANSWERED, list(answers.values()))
    delete_expired(db, max(r.seconds for r in records))


def delete_expired(db: Connection, now: int) -> None:
    """Delete the contexts and answer messages expired at `now` (Unix seconds)."""
    db.execute("DELETE FROM contexts WHERE expires_at <= ?", (now,))
    db.execute("DELETE FROM answer_messages WHERE expires_at <= ?", (now,))


def _write_rows(db: Connection, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    for start in range(0, len(rows), _ROWS_PER_STATEMENT):
        chunk = rows[start:start + _ROWS_PER_STATEMENT]
        db.execute(_with_rows(sql, len(chunk), len(chunk[0])), [v for row in chunk for v in row])


@lru_cache(maxsize=512)
def _with_rows(sql: str, count: int, width: int) -> str:
    row = "(" + ", ".join("?" * width) + ")"
    return sql.format(rows=", ".join([row] * count))


@dataclass
class _Waiting:
    """Records not written yet, and what reads look up in them."""

    records: list[ContextRecord] = field(default_factory=list)
    contexts: dict[ConversationKey, ContextRecord] = field(default_factory=dict)
    answers: dict[tuple[int, int], tuple[str, int]] = field(default_factory=dict)

    def keep(self, record: ContextRecord) -> None:
        self.records.append(record)
        self.contexts[record.key] = record
        for message_id, fact_id in record.answers:
            self.answers[(record.key.chat_id, message_id)] = (fact_id, record.expires_at)

    def context(self, key: ConversationKey) -> ContextRecord | None:
        return self.contexts.get(key)

    def answer(self, chat_id: int, message_id: int) -> tuple[str, int] | None:
        return self.answers.get((chat_id, message_id))


class Contexts:
    """Reads contexts for the event loop and holds the writes the next batch will carry.

    `open`, `keep`, `read` and `close` run on the event loop; `pending` and `written` on
    the writer thread. The writer takes the records waiting as a whole (`_Waiting`) and
    drops them once written, so it holds the lock for a swap, never long enough to stall
    a reply waiting for it.
    """

    def __init__(self, target: DatabaseTarget) -> None:
        self.target = target
        self._lock = threading.Lock()
        self._next = _Waiting()  # kept since the writer last took them
        self._writing = _Waiting()  # taken by the writer, not yet written
        self._reader = LoopReader(target)
        self._usable = False  # connected, and the last query did not fail
        # While a query is out (PostgreSQL: an await), other reads wait here for the next
        # one: under load one statement serves several messages.
        self._querying = False
        self._waiting: list[tuple[_Wanted, int, asyncio.Future[Found]]] = []
        self._serving: asyncio.Task[None] | None = None
        # Reads started as messages arrived, by conversation and replied message, with the
        # writer's batch count when they started.
        self._prefetched: dict[ConversationKey,
                               dict[int | None, tuple[asyncio.Future[Found], int]]] = {}
        # The batch count when each conversation's context was last written: a read started
        # before that may have missed it (it ran while the writer held it, uncommitted).
        self._batches = 0
        self._written_in: dict[ConversationKey, int] = {}
        # Upgraded groups' new ids: a record kept under the old id after the move (its
        # answer was being sent meanwhile) belongs to the supergroup.
        self._became: dict[int, int] = {}
        self._connecting: asyncio.Task[None] | None = None
        self._retry_at = 0.0
        self.error: str | None = None

    async def open(self) -> None:
        """Connect the reader (at start-up, so the first replies need not wait for it)."""
        try:
            await self._reader.open()  # closes the old connection first
        except DatabaseError as exc:
            self._failed(exc)
        else:
            self._usable = True

    def keep(self, record: ContextRecord) -> None:
        """Hold `record` for the writer; reads see it at once."""
        # A read started before this (the conversation's next message, arrived meanwhile)
        # would be stale once the record is written: that message reads afresh.
        record = self._moved(record)
        self._prefetched.pop(record.key, None)
        with self._lock:
            if len(self._next.records) < _MAX_PENDING:  # else the writer is far behind
                self._next.keep(record)

    def pending(self) -> list[ContextRecord]:
        """Take what waits to be written (reads still see it until `written`)."""
        with self._lock:
            self._writing, self._next = self._next, _Waiting()
            return self._writing.records

    def written(self, records: Sequence[ContextRecord]) -> None:
        """The writer is done with what `pending` gave (committed, or dropped)."""
        with self._lock:
            self._writing = _Waiting()
            self._batches += 1
            if len(self._written_in) > _MAX_PENDING:  # reads outlive a batch by milliseconds
                recent = self._batches - _BATCHES_REMEMBERED
                self._written_in = {k: n for k, n in self._written_in.items() if n > recent}
            for record in records:
                self._written_in[record.key] = self._batches

    def prefetch(self, key: ConversationKey, reply_to: int | None, now: datetime) -> None:
        """Start the read of a message that has just arrived; `read` takes it later.

        The messages arriving together are read by one statement, made once they have all
        asked (on the loop's next turn). `discard` drops a read nobody took.
        """
        waiting = self._prefetched.setdefault(key, {})
        if reply_to in waiting or not (self._usable and self._reader.connected):
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Found] = loop.create_future()
        with self._lock:
            waiting[reply_to] = future, self._batches
        self._waiting.append((_Wanted(key, True, reply_to), _seconds(now), future))
        if not self._querying:
            self._querying = True
            self._serving = loop.create_task(self._serve_waiting())

    def moved(self, old: int, new: int) -> None:
        """The group `old`'s rows moved to the supergroup `new`: reads started before are
        stale, and what waits to be written under `old`, or is kept later, goes to `new`."""
        for key in [k for k in self._prefetched if k.chat_id in (old, new)]:
            del self._prefetched[key]
        self._became[old] = new
        while len(self._became) > _MOVES_REMEMBERED:
            del self._became[next(iter(self._became))]
        with self._lock:
            waiting, self._next = self._next, _Waiting()
            for record in waiting.records:
                self._next.keep(self._moved(record))

    def _moved(self, record: ContextRecord) -> ContextRecord:
        new = self._became.get(record.key.chat_id)
        if new is None:
            return record
        return replace(record, key=ConversationKey(new, record.key.user_id))

    def discard(self, key: ConversationKey, reply_to: int | None) -> None:
        """Drop the prefetched read of a message that was handled without it."""
        waiting = self._prefetched.get(key)
        if waiting is not None:
            waiting.pop(reply_to, None)
            if not waiting:
                del self._prefetched[key]

    async def read(self, key: ConversationKey, reply_to: int | None,
                   now: datetime) -> Remembered:
        """`key`'s context and the fact of the bot's message `reply_to`, as of `now`: one
        indexed read at most (shared with others), none when both are still waiting to be
        written."""
        started = self._prefetched.get(key, {}).get(reply_to)
        self.discard(key, reply_to)
        with self._lock:
            pending = self._next.context(key) or self._writing.context(key)
            prefetched = (started[0] if started is not None
                          and self._written_in.get(key, -1) <= started[1] else None)
            answered = (self._next.answer(key.chat_id, reply_to)
                        or self._writing.answer(key.chat_id, reply_to)) if reply_to else None
        fact = answered[0] if answered and answered[1] > _seconds(now) else None
        ask_answer = reply_to if reply_to is not None and answered is None else None
        state: str | None = None
        if prefetched is not None:
            state, found = await prefetched
            fact = fact or found
        elif pending is None or ask_answer is not None:
            state, found = await self._read(key, pending is None, ask_answer, _seconds(now))
            fact = fact or found
        if pending is not None:
            context, message = pending.context or Context(), pending.offered_message
        else:
            context, message = decode(state) if state else (Context(), None)
        return Remembered(context, fact, message)

    async def _read(self, key: ConversationKey, context: bool, reply_to: int | None,
                    now: int) -> Found:
        if not (self._usable and self._reader.connected):
            self._reconnect()
            return None, None  # no database: the conversation goes on without context
        wanted = _Wanted(key, context, reply_to)
        if self._querying:
            future: asyncio.Future[Found] = asyncio.get_running_loop().create_future()
            self._waiting.append((wanted, now, future))
            return await future
        self._querying = True
        try:
            [found] = await self._fetch([(wanted, now)])
        finally:
            if self._waiting:
                self._serving = asyncio.get_running_loop().create_task(self._serve_waiting())
            else:
                self._querying = False
        return found

    async def _serve_waiting(self) -> None:
        """Read for everyone waiting, a statement at a time, until nobody is.

        Started by the first read of a burst, it runs after the others that arrived with it
        (PTB starts the tasks of one getUpdates call together), so they share the first
        statement.
        """
        try:
            while self._waiting:
                batch = self._waiting[:_READS_PER_STATEMENT]
                del self._waiting[:_READS_PER_STATEMENT]
                results = await self._fetch([(wanted, now) for wanted, now, _ in batch])
                for (_, _, future), found in zip(batch, results, strict=True):
                    if not future.done():  # not cancelled meanwhile (shutdown)
                        future.set_result(found)
        finally:
            self._querying = False

    async def _fetch(self, batch: list[tuple[_Wanted, int]]) -> list[Found]:
        """One statement for every read of `batch`; nothing found when it fails."""
        rows: list[tuple[int, str, int, int]] = []
        for index, (wanted, _) in enumerate(batch):
            if wanted.context:
                rows.append((index, "c", wanted.key.chat_id, wanted.key.user_id))
            if wanted.reply_to is not None:
                rows.append((index, "a", wanted.key.chat_id, wanted.reply_to))
        try:
            found_rows = await self._reader.fetchall(_with_rows(_READ, len(rows), 4),
                                                     [v for row in rows for v in row])
        except DatabaseError as exc:
            self._failed(exc)  # reconnects later: the session may be broken
            return [(None, None)] * len(batch)
        except Exception:  # a bug must not leave replies waiting for this read forever
            log.exception("reading conversation contexts failed")
            return [(None, None)] * len(batch)
        if self.error is not None:
            log.info("conversation contexts readable again after: %s", self.error)
            self.error = None
        found: list[dict[str, str]] = [{} for _ in batch]
        for index, kind, value, expires_at in found_rows:
            if expires_at > batch[index][1]:
                found[index][kind] = value
        return [(f.get("c"), f.get("a")) for f in found]

    def _reconnect(self) -> None:
        """Connect again in the background, at most every few seconds: no reply waits."""
        if (self._connecting is None or self._connecting.done()) \
                and time.monotonic() >= self._retry_at:
            self._retry_at = time.monotonic() + _REOPEN_EVERY
            self._connecting = asyncio.get_running_loop().create_task(self.open())

    def _failed(self, exc: DatabaseError) -> None:
        reason = str(exc)
        if reason != self.error:  # log changes of state, not every message
            log.warning("cannot read conversation contexts from %s, answering without: %s",
                        self.target, reason)
        self.error = reason
        self._usable = False
        self._retry_at = time.monotonic() + _REOPEN_EVERY

    async def close(self) -> None:
        for task in (self._connecting, self._serving):
            if task is not None:
                await asyncio.gather(task, return_exceptions=True)
        await self._reader.close()
