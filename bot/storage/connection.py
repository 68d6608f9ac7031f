"""One database connection, SQLite or PostgreSQL, behind the few calls the stores make.

The stores write their SQL once, in the dialect both engines share (`?` placeholders,
`RETURNING`, `ON CONFLICT`, `COUNT(*) FILTER`, partial indexes); this module adapts the
placeholders, how a write transaction starts and which errors a failure raises. Driver
errors come out as `DatabaseError`, so callers need not know which engine they talk to.

psycopg is imported only when a PostgreSQL URL is used: it is an optional extra, and the
embedded SQLite default must not pay for it at start-up.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, unquote_to_bytes, urlsplit, urlunsplit


class DatabaseError(Exception):
    """The database failed or is unreachable; `str()` says why in one line."""


# Seconds PostgreSQL has to answer one statement. A server that hangs, or whose packets
# are lost while the connection stays open, never answers: past this the connection is
# given up on (see `_Watchdog`) and the statement fails as if the server had refused it.
ANSWER_TIMEOUT = 5.0
# For a statement that writes a row per subscriber (a broadcast queued or stopped):
# 1,000,000 of them take a few seconds on PostgreSQL (README, benchmarks).
BULK_ANSWER_TIMEOUT = 30.0


class Engine(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


@dataclass(frozen=True, repr=False)  # the generated repr would show the password
class DatabaseTarget:
    """Where the data lives: a SQLite file, or a PostgreSQL URL."""

    engine: Engine
    location: str  # a file path, or a postgresql:// URL (may hold a password)

    @classmethod
    def parse(cls, value: str | Path) -> DatabaseTarget:
        if isinstance(value, Path):
            return cls(Engine.SQLITE, str(value))
        text = value.strip()
        if text.startswith(("postgresql://", "postgres://")):
            _check_url(text)
            return cls(Engine.POSTGRESQL, text)
        if _MISTYPED.match(text):
            # "postgresql:/u:pw@db/x" would be a SQLite file of that name: a bot no replica
            # shares, and a path holding a password. Not echoed.
            raise ValueError("the database looks like a postgresql:// URL with a mistyped"
                             " '://': write it as postgresql://user@host:port/dbname")
        if _SCHEMELESS.match(text):
            # "bot:pw@db:5432/x" would be a SQLite file named with the password, shown
            # wherever the path is. Not echoed.
            raise ValueError("the database looks like a postgresql:// URL without its scheme:"
                             " write it as postgresql://user@host:port/dbname")
        if _KEYWORDS.match(text):
            # libpq's other form, "host=db user=bot password=pw dbname=x", would be a SQLite
            # file named with the password too. Not echoed.
            raise ValueError("the database looks like a libpq connection string"
                             " (host=... password=...): write it as a URL,"
                             " postgresql://user:password@host:port/dbname")
        if "://" in text:
            scheme = text.split("://", 1)[0]
            # Named only when it is one (RFC 3986): anything else may be a long value or
            # hold a password.
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]{0,19}", scheme):
                scheme = "URL"
            raise ValueError(f"unsupported database {scheme}://: use a SQLite file path or a"
                             " postgresql://user@host:port/dbname URL")
        if not text:
            raise ValueError("the database is empty: give a SQLite file path or a"
                             " postgresql:// URL")
        return cls(Engine.SQLITE, text)

    @property
    def path(self) -> Path:
        """The SQLite file (only meaningful for SQLite)."""
        return Path(self.location)

    @property
    def password(self) -> str | None:
        """The PostgreSQL password in the URL, if any (for log redaction): in the user part,
        else a `password=` parameter, as libpq reads it."""
        if self.engine is Engine.SQLITE:
            return None
        try:
            parts = urlsplit(self.location)
        except ValueError:
            return None
        if parts.password is not None:
            return parts.password
        given = [v for k, v in parse_qsl(parts.query, keep_blank_values=True)
                 if _SECRET_KEY in k.lower()]
        return given[-1] if given else None

    def redact(self, text: str) -> str:
        """`text` without the URL or its password, in any form it was given in."""
        if self.engine is Engine.SQLITE:
            return text
        hidden = {self.location, self.password or ""}
        userinfo = self.location.partition("://")[2].partition("/")[0].rpartition("@")[0]
        hidden.add(userinfo.partition(":")[2])  # as typed: "p%40ss", not "p@ss"
        query = self.location.partition("?")[2].partition("#")[0]
        hidden.update(v for k, v in parse_qsl(query, keep_blank_values=True)
                      if _SECRET_KEY in k.lower())
        hidden.update(v for k, _, v in (p.partition("=") for p in query.split("&"))
                      if _SECRET_KEY in unquote(k).lower())  # as typed, before decoding
        hidden |= {unquote(h) for h in hidden}
        for secret in sorted(filter(None, hidden), key=len, reverse=True):
            text = text.replace(secret, "***")
        return text

    def __str__(self) -> str:
        # Shown in logs and errors: never the password, and never an error of its own.
        if self.engine is Engine.SQLITE:
            return self.location
        try:
            _check_url(self.location)  # a URL read two ways might hide its password badly
            parts = urlsplit(self.location)
            parts.port  # noqa: B018 - reading it is the check
        except ValueError:
            return f"{self.location.split('://', 1)[0]}://(a malformed URL)"
        pairs = parse_qsl(parts.query, keep_blank_values=True)  # keys decoded: "%70assword"
        if parts.password is None and not any(_SECRET_KEY in k.lower() for k, _ in pairs):
            return self.location
        netloc = parts.netloc
        if parts.password is not None:
            # The host and port as written: an IPv6 host keeps its brackets.
            netloc = f"{parts.username or ''}:***@{netloc.rpartition('@')[2]}"
        query = "&".join(f"{k}=***" if _SECRET_KEY in k.lower() else f"{k}={v}"
                         for k, v in pairs)
        return urlunsplit(parts._replace(netloc=netloc, query=query, fragment=""))

    def __repr__(self) -> str:
        return f"DatabaseTarget({self.engine.value}, {str(self)!r})"


# A query key holding this is a secret: "password", "sslpassword".
_SECRET_KEY = "password"
_MISTYPED = re.compile(r"postgres(?:ql)?(?::/?(?!//)|//)", re.IGNORECASE)
# "user:password@host" before any folder of a path: a URL whose scheme was left out.
_SCHEMELESS = re.compile(r"/*[^/:@]*:[^/@]*@[^/]")
# libpq's keyword/value connection string, "host=db user=bot password=pw": key=value pairs,
# one of them with a key of libpq's.
_KEYWORDS = re.compile(r"\s*(?:\w+\s*=(?:.*\s)?)?(?:host|hostaddr|port|dbname|user|password"
                       r"|passfile|sslmode|service)\s*=", re.IGNORECASE | re.DOTALL)
# A '%' that is not followed by two hex digits: libpq refuses it and quotes what follows.
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# libpq quotes what it cannot read ("invalid percent-encoded token: \"pa%ss\""): a piece
# of the URL, perhaps of its password.
_QUOTED = re.compile(r'"[^"]*"')


def _check_url(url: str) -> None:
    """Refuse a PostgreSQL URL that libpq and our redaction would read differently; the
    message never repeats the URL (it may hold a password)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it is the check ("port out of range")
    except ValueError:
        # Not the parser's message: it quotes the "port", which may be part of a password.
        raise ValueError("the postgresql:// URL cannot be read: a malformed host or port"
                         " (percent-encode '#', '/', '@' and ':' in a password)") from None
    if parts.fragment or "#" in url:
        raise ValueError("the postgresql:// URL holds a '#': percent-encode it (%23) in a"
                         " password")
    if _BAD_ESCAPE.search(url):
        raise ValueError("the postgresql:// URL holds a '%' that starts no %XX escape:"
                         " percent-encode it (%25) in a password")
    try:
        unquote_to_bytes(url).decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the postgresql:// URL holds %-escapes that are not UTF-8 text") from None
    if any(c.isspace() for c in url):
        raise ValueError("the postgresql:// URL holds a space: percent-encode it (%20)")
    if parts.password is None and "@" in parts.path:
        raise ValueError("the postgresql:// URL holds an '@' or '/' in its user part:"
                         " percent-encode them (%40, %2F) in a password")


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Connection:
    """A connection used from one thread at a time; autocommit unless in `transaction()`.

    On PostgreSQL every statement is answered within `answer_timeout` seconds (None: no
    bound), or fails with `DatabaseError` and the connection is made anew for the next.
    """

    def __init__(self, target: DatabaseTarget, raw: Any, errors: tuple[type[BaseException], ...],
                 reconnect: Callable[[], Any], watchdog: _Watchdog | None = None) -> None:
        self.target = target
        self.engine = target.engine
        self._raw = raw
        self._errors = errors
        self._reconnect = reconnect
        self._in_transaction = False
        self.answer_timeout: float | None = ANSWER_TIMEOUT
        self._watchdog = watchdog

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        try:
            self._ensure_open()
            with self._answered():
                cursor: Cursor = self._raw.execute(self._sql(sql), params)
            return cursor
        except self._errors as exc:
            raise DatabaseError(_one_line(exc)) from exc

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            self._ensure_open()
            if self.engine is Engine.SQLITE:
                self._raw.executemany(sql, rows)
            else:
                with self._raw.cursor() as cursor, self._answered():
                    cursor.executemany(self._sql(sql), rows)
        except self._errors as exc:
            raise DatabaseError(_one_line(exc)) from exc

    @contextmanager
    def patience(self, seconds: float | None) -> Iterator[None]:
        """Give the statements made within this long to be answered (None: as long as they
        take), for work known to take longer than a statement usually does."""
        kept, self.answer_timeout = self.answer_timeout, seconds
        try:
            yield
        finally:
            self.answer_timeout = kept

    @contextmanager
    def _answered(self) -> Iterator[None]:
        if self._watchdog is None or self.answer_timeout is None:
            yield  # a SQLite file answers, or its busy timeout says why not
            return
        with self._watchdog.answered_within(self._raw, self.answer_timeout):
            yield

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One write transaction; SQLite takes its write lock at the start (no upgrade race)."""
        self.execute("BEGIN IMMEDIATE" if self.engine is Engine.SQLITE else "BEGIN")
        self._in_transaction = True
        try:
            yield self
            # Still "in" the transaction: a COMMIT on a reconnected session would succeed
            # without the statements, which died with the old one.
            self.execute("COMMIT")
        except BaseException:
            self._rollback_quietly()
            raise
        finally:
            self._in_transaction = False

    @property
    def usable(self) -> bool:
        """False when the server side is gone (PostgreSQL); SQLite files never break."""
        if self.engine is Engine.SQLITE:
            return True
        return not (self._raw.closed or self._raw.broken)

    def close(self) -> None:
        try:
            if self.engine is Engine.SQLITE:
                # Fold the WAL back into the main file so a copied .sqlite3 is complete.
                self._raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._raw.close()
        except self._errors:
            pass
        finally:
            if self._watchdog is not None:
                self._watchdog.stop()

    def _ensure_open(self) -> None:
        # A PostgreSQL connection dies with a server restart or a network blip; open a new
        # one between transactions, never inside one (its earlier statements are gone).
        if not self._in_transaction and not self.usable:
            self._raw.close()
            self._raw = self._reconnect()

    def _sql(self, sql: str) -> str:
        return sql if self.engine is Engine.SQLITE else _postgres_sql(sql)

    def _rollback_quietly(self) -> None:
        try:
            self._raw.execute("ROLLBACK")
        except self._errors:
            pass  # the connection broke: the server rolled the transaction back itself


class _Watch:
    def __init__(self, raw: Any, deadline: float) -> None:
        self.raw = raw
        self.deadline = deadline
        self.fired = False


class _Watchdog:
    """A connection's thread that ends its PostgreSQL statements not answered in time.

    psycopg waits for an answer as long as the connection is open, and a hung server (or
    one whose packets are lost) keeps it open: the thread waiting would wait for ever, and
    every call queued behind it. Past its deadline the watchdog shuts the connection's
    socket down, which ends the wait at once with an error, as a server hanging up would.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._watches: set[_Watch] = set()
        self._wakes_at = math.inf
        self._thread: threading.Thread | None = None  # started by the first statement
        self._stopped = False

    def watch(self, raw: Any, seconds: float) -> _Watch:
        watch = _Watch(raw, time.monotonic() + seconds)
        with self._changed:
            self._watches.add(watch)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="llamabot-db-watchdog")
                self._thread.start()
            elif watch.deadline < self._wakes_at:
                self._changed.notify()
        return watch

    def unwatch(self, watch: _Watch) -> None:
        # Under the lock: once this returns, the socket is not shut down any more, and its
        # owner may close it (a closed descriptor's number may be given to another socket).
        with self._changed:
            self._watches.discard(watch)

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify()

    @contextmanager
    def answered_within(self, raw: Any, seconds: float) -> Iterator[None]:
        """Statements of the psycopg connection `raw` made within: answered within
        `seconds`, or `DatabaseError` ("no answer within ...") and `raw` is closed."""
        watch = self.watch(raw, seconds)
        try:
            yield
        except Exception as exc:
            if not watch.fired:
                raise
            raise DatabaseError(f"no answer within {seconds:g} s") from exc
        finally:
            self.unwatch(watch)
            if watch.fired:
                raw.close()  # out of step with the server: never used again

    def _run(self) -> None:
        with self._changed:
            while not self._stopped:
                now = time.monotonic()
                for watch in [w for w in self._watches if w.deadline <= now]:
                    self._watches.discard(watch)
                    watch.fired = True
                    _hang_up(watch.raw)
                self._wakes_at = min((w.deadline for w in self._watches), default=math.inf)
                self._changed.wait(None if self._wakes_at == math.inf
                                   else self._wakes_at - now)


def _hang_up(raw: Any) -> None:
    """Shut down the socket of the psycopg connection `raw`, from any thread: a statement
    waiting for its answer fails at once, and the connection is broken."""
    try:
        duplicate = socket.socket(fileno=os.dup(raw.pgconn.socket))
    except Exception:  # closed already
        return
    with duplicate:
        try:
            duplicate.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class LoopReader:
    """Small indexed reads made from the event loop, never blocking it on a lock or a round
    trip: SQLite runs the query at once (a read in WAL mode never waits for a writer),
    PostgreSQL awaits psycopg's asyncio connection. For reads on the reply path, where a
    hop to a worker thread costs more than the query.

    `open()` connects; after a failure `fetchall` raises `DatabaseError` until `open()`
    succeeds again (callers decide when to retry, so no reply waits for a connect). A
    PostgreSQL that does not answer within `read_timeout` seconds (hung, or its packets
    lost: the connection stays open) is such a failure too, not a reply held for as long.
    """

    def __init__(self, target: DatabaseTarget, busy_timeout_ms: int = 50,
                 read_timeout: float = 2.0) -> None:
        self.target = target
        self.busy_timeout_ms = busy_timeout_ms
        self.read_timeout = read_timeout
        self._sqlite: Connection | None = None
        self._postgres: Any = None  # psycopg.AsyncConnection
        self._abandoned: set[asyncio.Task[list[Any]]] = set()  # reads given up, not done

    @property
    def connected(self) -> bool:
        if self.target.engine is Engine.SQLITE:
            return self._sqlite is not None
        return self._postgres is not None and not (self._postgres.closed
                                                   or self._postgres.broken)

    async def open(self) -> None:
        """Connect; raises `DatabaseError` with the reason."""
        await self.close()
        if self.target.engine is Engine.SQLITE:
            self._sqlite = connect(self.target, self.busy_timeout_ms)
            return
        try:
            import psycopg
        except ImportError:
            raise DatabaseError("PostgreSQL needs the psycopg driver:"
                                " pip install 'llamabot[postgres]'") from None
        try:
            self._postgres = await psycopg.AsyncConnection.connect(
                self.target.location, autocommit=True, connect_timeout=5)
        except psycopg.Error as exc:
            raise DatabaseError(f"cannot connect: {_pg_reason(exc, self.target)}") from None

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        if not self.connected:
            raise DatabaseError("not connected")
        if self._sqlite is not None:
            return self._sqlite.execute(sql, params).fetchall()
        query = asyncio.ensure_future(self._query(self._postgres, sql, params))
        done, _ = await asyncio.wait({query}, timeout=self.read_timeout)
        if not done:
            # Not cancelled: psycopg would then try to cancel it in the server, for up to
            # 10 s more. Its connection is closed, which ends it; the next read reconnects.
            connection, self._postgres = self._postgres, None
            self._abandoned.add(query)
            query.add_done_callback(self._forget)
            await connection.close()
            raise DatabaseError(f"no answer within {self.read_timeout:g} s")
        return query.result()

    @staticmethod
    async def _query(connection: Any, sql: str, params: Sequence[Any]) -> list[Any]:
        import psycopg

        try:
            # Binary results: a third less of psycopg's work on the event loop.
            cursor = await connection.execute(_postgres_sql(sql), params, binary=True)
            rows: list[Any] = await cursor.fetchall()
            return rows
        except psycopg.Error as exc:
            raise DatabaseError(_one_line(exc)) from exc

    def _forget(self, query: asyncio.Task[list[Any]]) -> None:
        self._abandoned.discard(query)
        if not query.cancelled():
            query.exception()  # retrieved: an abandoned read's failure is no news

    async def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
        if self._postgres is not None:
            connection, self._postgres = self._postgres, None
            try:
                await connection.close()
            except Exception:  # closing a broken connection: nothing left to save
                pass


def existing_target(given: str | None, default: DatabaseTarget, kept: str) -> DatabaseTarget:
    """The database a command reads (`given`, else `default`), which `llamabot run` fills.

    Opening a SQLite file creates it: a mistyped path would read an empty database. Raises
    ValueError, in words, for a bad URL or a file that is not there; `kept` says what the
    bot keeps in it ("questions are logged").
    """
    target = DatabaseTarget.parse(given) if given else default
    if target.engine is Engine.SQLITE and not target.path.is_file():
        raise ValueError(f"no database at {target}: {kept} there by `llamabot run`"
                         " (check --database or LLAMABOT_DATABASE)")
    return target


def as_target(value: DatabaseTarget | Path) -> DatabaseTarget:
    """A SQLite file given as a path (tests, tools), or a target as it is."""
    return value if isinstance(value, DatabaseTarget) else DatabaseTarget.parse(value)


def connect(target: DatabaseTarget | Path, busy_timeout_ms: int = 5000) -> Connection:
    """Open a connection; raises `DatabaseError` with the reason when that fails."""
    target = as_target(target)
    if target.engine is Engine.SQLITE:
        return _connect_sqlite(target, busy_timeout_ms)
    return _connect_postgresql(target, busy_timeout_ms)


def _connect_sqlite(target: DatabaseTarget, busy_timeout_ms: int) -> Connection:
    def open_file() -> sqlite3.Connection:
        target.path.parent.mkdir(parents=True, exist_ok=True)
        raw = sqlite3.connect(target.path, timeout=busy_timeout_ms / 1000,
                              isolation_level=None, check_same_thread=False)
        try:
            raw.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            raw.execute("PRAGMA journal_mode = WAL")
            # NORMAL in WAL survives process crashes (kill -9); only power loss may drop the
            # last commits: a few log lines, or a few sends repeated.
            raw.execute("PRAGMA synchronous = NORMAL")
            raw.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            raw.close()
            raise
        return raw

    try:
        raw = open_file()
    except (sqlite3.Error, OSError) as exc:
        raise DatabaseError(_one_line(exc)) from exc
    return Connection(target, raw, (sqlite3.Error,), open_file)


def _connect_postgresql(target: DatabaseTarget, busy_timeout_ms: int) -> Connection:
    try:
        import psycopg
    except ImportError:
        raise DatabaseError("PostgreSQL needs the psycopg driver:"
                            " pip install 'llamabot[postgres]'") from None

    def open_server() -> Any:
        try:
            raw = psycopg.connect(target.location, autocommit=True, connect_timeout=5)
        except psycopg.Error as exc:
            # psycopg's message may repeat the URL, password included.
            raise DatabaseError(f"cannot connect: {_pg_reason(exc, target)}") from None
        try:
            with watchdog.answered_within(raw, ANSWER_TIMEOUT):
                # The same promise as SQLite's busy timeout: wait this long for a lock.
                raw.execute(f"SET lock_timeout = {int(busy_timeout_ms)}")
        except (psycopg.Error, DatabaseError) as exc:
            raw.close()
            raise DatabaseError(f"cannot connect: {_pg_reason(exc, target)}") from None
        return raw

    watchdog = _Watchdog()
    try:
        raw = open_server()
    except BaseException:
        watchdog.stop()
        raise
    return Connection(target, raw, (psycopg.Error,), open_server, watchdog)


@lru_cache(maxsize=512)
def _postgres_sql(sql: str) -> str:
    # psycopg takes %s placeholders and reads every other % as one: our SQL holds no
    # literal question marks, so the translation is mechanical.
    return sql.replace("%", "%%").replace("?", "%s")


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _pg_reason(exc: BaseException, target: DatabaseTarget) -> str:
    """libpq's reason, without anything of the URL: "connection failed: connection to server
    at ... failed: Connection refused" is "Connection refused"."""
    line = _QUOTED.sub("(…)", target.redact(_one_line(exc)))
    reasons = [r.strip() for r in line.split(": ") if r.strip() and r.strip() != "(…)"]
    if len(reasons) > 1 and len(reasons[-1]) < 3:
        # A byte or two the server sent back ("...response to SSL negotiation: H"): the
        # reason is the part before it.
        return ": ".join(reasons[-2:])
    return reasons[-1] if reasons else type(exc).__name__
