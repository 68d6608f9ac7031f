"""A small stdlib HTTP server for webhook updates (secret checked), GET /healthz and /metrics.

PTB's tornado webhook server needs an extra and has no health route, so this serves
all three on one port with asyncio streams. One request per connection keeps it simple;
Telegram, health probes and Prometheus do not need keep-alive. Without a webhook path
(polling mode, `LLAMABOT_HTTP_PORT`) it serves only /healthz and /metrics.

The port is public, and a stranger's connection costs us a slot before any secret is
read: each connection has deadlines (`HttpLimits`) for its request line, its headers, its
body and for taking our answer, so one sending nothing, or a byte at a time, is closed
soon. Past `max_connections`, the oldest connection still sending its request is closed to
make room: a flood of silent connections then pushes out its own oldest, and a real
request, which arrives whole at once, is read and answered within milliseconds. New
connections are refused only when every slot is busy answering a request it has read.

Telegram delivers an update again when it did not see our 200 in time; the server drops an
update whose id it has already taken (`RecentIds`, in memory). That covers the retries one
process sees. It does not cover a retry that reaches another replica or a restarted
process: a retry follows only a lost response, and we respond as soon as the update is
queued, so that window is small; a shared table would cost a database write per update.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.metrics import CONTENT_TYPE
from bot.tg.recent import RecentIds

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_BODY = 1 << 20  # Telegram updates are a few KB; refuse anything absurd
# The request line and headers, together: Telegram and probes send a few hundred bytes. Read
# before any secret is checked, so a stranger must not make us hold more.
MAX_HEAD = 16 << 10
MAX_CONNECTIONS = 256  # open at once (Telegram uses at most 100); see the module
_HANDLE_TIMEOUT = 10.0  # a health probe or an update's hand-over taking longer gets 503
_REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 408: "Request Timeout", 413: "Payload Too Large",
            431: "Request Header Fields Too Large", 503: "Service Unavailable"}
# The only headers read; the rest are skipped unstored.
_WANTED = frozenset({"content-length", "x-telegram-bot-api-secret-token"})

UpdateSink = Callable[[dict[str, Any]], Awaitable[None]]
HealthProbe = Callable[[], Awaitable[tuple[bool, dict[str, Any]]]]
MetricsText = Callable[[], Awaitable[str]]  # the Prometheus exposition text


@dataclass(frozen=True)
class HttpLimits:
    """How long, in seconds, and how many: what a connection may hold of the server.

    Telegram, probes and Prometheus send their whole request at once, so the deadlines are
    generous for them and short for a connection that holds a slot sending nothing.
    """

    max_connections: int = MAX_CONNECTIONS
    idle: float = 5.0  # from accepting a connection to its complete request line
    head: float = 10.0  # from accepting it to the end of its headers
    body: float = 10.0  # from the end of the headers to the end of the body
    write: float = 10.0  # for the client to take our answer


class _Closed(Exception):
    """The connection ended (or was closed to make room) before its request was complete."""


class _TooSlow(Exception):
    """A health probe or an update's hand-over took longer than `_HANDLE_TIMEOUT`."""


@dataclass(eq=False)
class _Connection:
    """One open connection; `reading` until its request is read, then being answered."""

    writer: asyncio.StreamWriter
    reading: bool = True
    method: str = ""  # once known: a HEAD request gets no body

    def drop(self) -> None:
        """Close at once, unanswered: its reader sees the end of the stream."""
        self.writer.transport.abort()


class WebhookServer:
    """With `path` None, no webhook: only GET /healthz and (given `metrics`) GET /metrics."""

    def __init__(self, path: str | None, secret_token: str, on_update: UpdateSink | None,
                 health: HealthProbe, metrics: MetricsText | None = None,
                 limits: HttpLimits | None = None) -> None:
        self.path = (path or "/") if on_update is not None else None
        self._secret = secret_token.encode()
        self._on_update = on_update
        self._health = health
        self._metrics = metrics
        self._recent: RecentIds[int] = RecentIds()
        self.limits = limits or HttpLimits()
        self._server: asyncio.Server | None = None
        # Open connections, oldest first (a dict keeps insertion order).
        self._connections: dict[_Connection, None] = {}

    async def start(self, host: str, port: int) -> int:
        """Listen; returns the bound port (useful with port 0 in tests)."""
        # A line longer than the whole head may be is refused as it is read.
        self._server = await asyncio.start_server(self._serve, host, port, limit=MAX_HEAD)
        bound = int(self._server.sockets[0].getsockname()[1])
        routes = ["/healthz"] + (["/metrics"] if self._metrics else []) + (
            [self.path] if self.path else [])
        log.info("HTTP server listening on %s:%d (%s)", host, bound, " ".join(routes))
        return bound

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for connection in list(self._connections):  # answers in progress may finish
                if connection.reading:
                    connection.drop()
            await self._server.wait_closed()
            self._server = None

    def _admit(self, writer: asyncio.StreamWriter) -> _Connection | None:
        """The new connection, room made for it; None if every slot is busy answering."""
        if len(self._connections) >= self.limits.max_connections:
            oldest = next((c for c in self._connections if c.reading), None)
            if oldest is None:
                return None
            del self._connections[oldest]
            oldest.drop()
            log.debug("connection limit reached: the oldest still sending its request closed")
        connection = _Connection(writer)
        self._connections[connection] = None
        return connection

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = self._admit(writer)
        if connection is None:
            writer.close()  # each open connection holds buffers until it is done
            return
        try:
            await self._respond(reader, connection)
        finally:
            self._connections.pop(connection, None)

    async def _respond(self, reader: asyncio.StreamReader, connection: _Connection) -> None:
        writer = connection.writer
        try:
            status, payload = await self._handle(reader, connection)
        except _Closed:
            writer.close()
            return
        except TimeoutError:
            # Sent nothing in time: nothing to answer. Sent part of a request: 408.
            status, payload = 408, {"ok": False}
            if not connection.method:
                writer.close()
                return
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            status, payload = 400, {"ok": False}
        except _TooSlow:
            status, payload = 503, {"ok": False}
        except Exception:  # a bug or an update PTB cannot read: log it, keep serving
            log.exception("HTTP request failed")
            status, payload = 500, {"ok": False}
        if isinstance(payload, str):  # the metrics text
            body, content_type = payload.encode(), CONTENT_TYPE
        else:
            body, content_type = json.dumps(payload).encode(), "application/json"
        head = (f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n")
        if connection.method == "HEAD":  # the headers GET would send (length included), no body
            body = b""
        try:
            if not writer.is_closing():  # not closed to make room meanwhile
                writer.write(head.encode() + body)
                async with asyncio.timeout(self.limits.write):  # a client not reading
                    await writer.drain()
        except TimeoutError:
            writer.transport.abort()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader,
                      connection: _Connection) -> tuple[int, dict[str, Any] | str]:
        limits = self.limits
        started = asyncio.get_running_loop().time()
        async with asyncio.timeout_at(started + min(limits.idle, limits.head)):
            raw = await reader.readline()
        if not raw.endswith(b"\n"):
            raise _Closed
        request_line = raw.decode("latin-1").split()
        # Known from here: a timeout now is answered 408 (see `_respond`).
        connection.method = request_line[0] if request_line else "?"
        headers: dict[str, str] = {}
        head = len(raw)
        async with asyncio.timeout_at(started + limits.head):
            while True:
                raw = await reader.readline()
                head += len(raw)
                if head > MAX_HEAD:
                    return 431, {"ok": False}
                if not raw.endswith(b"\n"):
                    raise _Closed  # the end of the stream before the end of the headers
                line = raw.decode("latin-1")
                if line in ("\r\n", "\n"):
                    break
                name, _, value = line.partition(":")
                if (name := name.strip().lower()) in _WANTED:
                    headers[name] = value.strip()
        if len(request_line) < 2:
            return 400, {"ok": False}
        method, target = request_line[0], request_line[1].split("?", 1)[0]
        if target == "/healthz":
            if method not in ("GET", "HEAD"):
                return 405, {"ok": False}
            connection.reading = False
            ok, details = await self._answer_in_time(self._health())
            return (200 if ok else 503), details
        if target == "/metrics" and self._metrics is not None:
            if method not in ("GET", "HEAD"):
                return 405, {"ok": False}
            connection.reading = False
            return 200, await self._answer_in_time(self._metrics())
        if self._on_update is None or target != self.path:
            return 404, {"ok": False}
        if method != "POST":
            return 405, {"ok": False}
        given = headers.get("x-telegram-bot-api-secret-token", "").encode()
        if not hmac.compare_digest(given, self._secret):  # constant time: no timing oracle
            log.warning("webhook request with a wrong or missing secret token refused")
            return 403, {"ok": False}
        length = int(headers.get("content-length") or 0)
        if length > MAX_BODY:
            return 413, {"ok": False}
        async with asyncio.timeout(limits.body):
            raw_body = await reader.readexactly(length) if length else b""
        connection.reading = False
        data = json.loads(raw_body) if raw_body else None
        if not isinstance(data, dict) or type(data.get("update_id")) is not int:
            return 400, {"ok": False}
        update_id = data["update_id"]
        if not self._recent.add(update_id):
            log.info("update %d delivered again: already taken, ignored", update_id)
            return 200, {"ok": True}  # anything else and Telegram would keep retrying
        try:
            await self._answer_in_time(self._on_update(data))
        except BaseException:
            self._recent.discard(update_id)  # not taken: let Telegram's retry through
            raise
        return 200, {"ok": True}

    async def _answer_in_time(self, work: Awaitable[T]) -> T:
        """`work` done within `_HANDLE_TIMEOUT`, else `_TooSlow` (answered 503)."""
        try:
            async with asyncio.timeout(_HANDLE_TIMEOUT):
                return await work
        except TimeoutError:
            raise _TooSlow from None
