"""Conversation contexts in the database, so that replicas behind a load balancer share them.

A message costs one indexed read and one queued write. The read (`Contexts.read`) runs on a
thread and connection of its own, so it never waits behind the question log's batches; the
write rides in the question log's next batch (`Storage.record`). Until that batch commits
the record waits here, and reads take it from here: the next message of a conversation sees
it even when it comes within the batch delay.

Nothing outlives its expiry: reads skip expired rows and each batch deletes them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.core.conversation import EXPIRY, Context
from bot.storage.connection import Connection, DatabaseError, DatabaseTarget, connect

log = logging.getLogger(__name__)
_REOPEN_EVERY = 5.0  # seconds between attempts to reopen a database that failed
_MAX_PENDING = 10_000  # records waiting for the writer; past this the oldest is dropped

_UPSERT = ("INSERT INTO contexts(chat_id, user_id, state, expires_at) VALUES (?, ?, ?, ?)"
           " ON CONFLICT (chat_id, user_id) DO UPDATE SET state = excluded.state,"
           " expires_at = excluded.expires_at")
_FORGET = "DELETE FROM contexts WHERE chat_id = ? AND user_id = ?"
_ANSWERED = ("INSERT INTO answer_messages(chat_id, message_id, fact_id, expires_at)"
             " VALUES (?, ?, ?, ?) ON CONFLICT (chat_id, message_id) DO UPDATE SET"
             " fact_id = excluded.fact_id, expires_at = excluded.expires_at")
_READ_CONTEXT = ("SELECT 'c', state FROM contexts"
                 " WHERE chat_id = ? AND user_id = ? AND expires_at > ?")
_READ_ANSWER = ("SELECT 'a', fact_id FROM answer_messages"
                " WHERE chat_id = ? AND message_id = ? AND expires_at > ?")


@dataclass(frozen=True)
class ConversationKey:
    """Whose context: a private chat's, or one user's in a group (two users never mix)."""

    chat_id: int
    user_id: int  # 0 in a private chat: the chat is the conversation

    @classmethod
    def of(cls, chat_id: int, user_id: int | None, private: bool) -> ConversationKey:
        return cls(chat_id, 0 if private or user_id is None else user_id)


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

    @property
    def expires_at(self) -> int:
        return _seconds(self.at + EXPIRY)


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
                            "q": context.question, "o": context.offered, "i": context.idle,
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
                          offered=_text(data.get("o")), idle=idle,
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
    keep = [(k.chat_id, k.user_id, encode(r.context, r.offered_message), r.expires_at)
            for k, r in latest.items() if r.context is not None]
    forget = [(k.chat_id, k.user_id) for k, r in latest.items() if r.context is None]
    answers = [(r.key.chat_id, message_id, fact_id, r.expires_at)
               for r in records for message_id, fact_id in r.answers]
    if keep:
        db.executemany(_UPSERT, keep)
    if forget:
        db.executemany(_FORGET, forget)
    if answers:
        db.executemany(_ANSWERED, answers)
    now = max(_seconds(r.at) for r in records)
    db.execute("DELETE FROM contexts WHERE expires_at <= ?", (now,))
    db.execute("DELETE FROM answer_messages WHERE expires_at <= ?", (now,))


class Contexts:
    """Reads contexts for the event loop and holds the writes the next batch will carry.

    `keep`, `read` run on the event loop; `pending` and `written` on the writer thread.
    """

    def __init__(self, target: DatabaseTarget, busy_timeout_ms: int = 200) -> None:
        self.target = target
        self.busy_timeout_ms = busy_timeout_ms
        self._lock = threading.Lock()
        self._pending: dict[ConversationKey, ContextRecord] = {}
        self._answers: dict[tuple[int, int], tuple[str, ContextRecord]] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llamabot-context")
        self._conn: Connection | None = None  # the reader's, touched only by its thread
        self._next_open = 0.0
        self.error: str | None = None

    def keep(self, record: ContextRecord) -> None:
        """Hold `record` for the writer; reads see it at once."""
        with self._lock:
            self._pending.pop(record.key, None)  # re-inserted last: the oldest come first
            self._pending[record.key] = record
            for message_id, fact_id in record.answers:
                self._answers[(record.key.chat_id, message_id)] = (fact_id, record)
            while len(self._pending) > _MAX_PENDING:  # the writer is far behind: drop
                self._forget(self._pending.pop(next(iter(self._pending))))

    def pending(self) -> list[ContextRecord]:
        with self._lock:
            return list(self._pending.values())

    def written(self, records: Sequence[ContextRecord]) -> None:
        """The writer is done with `records` (committed, or dropped with its batch)."""
        with self._lock:
            for record in records:
                if self._pending.get(record.key) is record:  # not replaced meanwhile
                    del self._pending[record.key]
                self._forget(record)

    def _forget(self, record: ContextRecord) -> None:
        for message_id, _ in record.answers:
            key = (record.key.chat_id, message_id)
            if (held := self._answers.get(key)) is not None and held[1] is record:
                del self._answers[key]

    async def read(self, key: ConversationKey, reply_to: int | None,
                   now: datetime) -> Remembered:
        """`key`'s context and the fact of the bot's message `reply_to`, as of `now`: one
        indexed read at most, none when both are still waiting to be written."""
        with self._lock:
            pending = self._pending.get(key)
            answered = self._answers.get((key.chat_id, reply_to)) if reply_to else None
        fact = answered[0] if answered and answered[1].expires_at > _seconds(now) else None
        ask_answer = reply_to if reply_to is not None and answered is None else None
        state: str | None = None
        if pending is None or ask_answer is not None:
            loop = asyncio.get_running_loop()
            state, found = await loop.run_in_executor(
                self._executor, self._read, key, pending is None, ask_answer, now)
            fact = fact or found
        if pending is not None:
            context, message = pending.context or Context(), pending.offered_message
        else:
            context, message = decode(state) if state else (Context(), None)
        return Remembered(context, fact, message)

    def _read(self, key: ConversationKey, context: bool, reply_to: int | None,
              now: datetime) -> tuple[str | None, str | None]:
        conn = self._open()
        if conn is None:
            return None, None  # no database: the conversation goes on without context
        parts: list[str] = []
        params: list[int] = []
        if context:
            parts.append(_READ_CONTEXT)
            params += (key.chat_id, key.user_id, _seconds(now))
        if reply_to is not None:
            parts.append(_READ_ANSWER)
            params += (key.chat_id, reply_to, _seconds(now))
        try:
            rows = conn.execute(" UNION ALL ".join(parts), params).fetchall()
        except DatabaseError as exc:
            self._fail(exc)
            return None, None
        if self.error is not None:
            log.info("conversation contexts readable again after: %s", self.error)
            self.error = None
        found = {kind: value for kind, value in rows}
        return found.get("c"), found.get("a")

    def _open(self) -> Connection | None:
        if self._conn is not None:
            return self._conn
        if time.monotonic() < self._next_open:
            return None
        self._next_open = time.monotonic() + _REOPEN_EVERY
        try:
            self._conn = connect(self.target, self.busy_timeout_ms)
        except DatabaseError as exc:
            self._fail(exc)
        return self._conn

    def _fail(self, exc: DatabaseError) -> None:
        reason = str(exc)
        if self._conn is not None and not self._conn.usable:
            self._conn.close()  # the server went away: reconnect through `_open`
            self._conn = None
        if reason != self.error:
            log.warning("cannot read conversation contexts from %s, answering without: %s",
                        self.target, reason)
        self.error = reason

    async def close(self) -> None:
        def close() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        await asyncio.get_running_loop().run_in_executor(self._executor, close)
        self._executor.shutdown(wait=True)
