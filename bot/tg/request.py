"""A PTB request that posts JSON bodies instead of urlencoded forms, on PTB's public API.

PTB form-encodes every call: each nested value (reply markup, reply parameters) is
JSON-dumped on its own and then the whole form is percent-encoded, which turns every
byte of Bengali text into three characters through a slow pure-Python loop. The Bot
API takes `application/json` bodies just as well; one C-accelerated `json.dumps` of
the whole call is cheaper and the body about a third of the size.

File-less calls go straight to an httpcore connection pool (httpx's own), skipping httpx's
client and transport layers (URL merging, cookie jar, auth and redirect flows, event hooks,
its request and response models: none of which a Bot API call uses). Each call goes out in
one write: httpcore writes a request's head and its body separately, two system calls and
two packets where one does (`_OneWrite`). Calls with files and downloads go through PTB's
own `HTTPXRequest`, exactly as PTB sends them; so does every call to a Bot API the
environment names a proxy for (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, less NO_PROXY), which
PTB's httpx client honours and the pool here would not.

Only `BaseRequest`, its documented `DEFAULT_NONE` and `HTTPXRequest`'s constructor are
used, so a PTB upgrade cannot break this module silently (tests/test_tg_request.py).
"""

from __future__ import annotations

import json
import select
import socket
import ssl
import urllib.parse
import urllib.request
from typing import Any

import httpcore
import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

# PTB's defaults for HTTPXRequest, stated here so both paths share them.
READ_TIMEOUT = WRITE_TIMEOUT = CONNECT_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0
KEEPALIVE_EXPIRY = 5.0  # seconds an idle connection is kept: httpx's default
_URLS_KEPT = 256  # endpoints: sendMessage, editMessageText, answerCallbackQuery...
# As httpx sends them, less Accept-Encoding: a Bot API answer is small, and not compressed
# it needs no decoding. (httpcore adds Host and Content-Length.)
_JSON_HEADERS = [(b"Accept", b"*/*"), (b"Connection", b"keep-alive"),
                 (b"User-Agent", BaseRequest.USER_AGENT.encode()),
                 (b"Content-Type", b"application/json")]


def json_body(request_data: RequestData) -> bytes:
    """The call's parameters as one UTF-8 JSON object (no \\u escapes for Bengali)."""
    return json.dumps(request_data.parameters, ensure_ascii=False,
                      separators=(",", ":")).encode()


class JSONHTTPXRequest(BaseRequest):
    """Sends file-less calls as JSON; calls with files and downloads go through PTB's
    `HTTPXRequest`. Timeouts and pool size as `HTTPXRequest`'s."""

    __slots__ = ("_files", "_pool", "_pool_size", "_ssl", "_timeout", "_urls")

    def __init__(self, connection_pool_size: int = 256) -> None:
        self._timeout = {"connect": CONNECT_TIMEOUT, "read": READ_TIMEOUT,
                         "write": WRITE_TIMEOUT, "pool": POOL_TIMEOUT}
        self._pool_size = connection_pool_size
        self._ssl = httpx.create_ssl_context()  # certificates checked as httpx checks them
        self._files = HTTPXRequest(
            connection_pool_size=connection_pool_size, read_timeout=READ_TIMEOUT,
            write_timeout=WRITE_TIMEOUT, connect_timeout=CONNECT_TIMEOUT,
            pool_timeout=POOL_TIMEOUT)
        # Usable at once, as PTB's own requests are; closed by `shutdown` and made anew by
        # `initialize` (PTB initializes again after a shutdown): never a closed pool.
        self._pool: httpcore.AsyncConnectionPool | None = self._new_pool()
        # Each endpoint's URL parsed once, not per call (parsing cost about 2% of a reply's
        # CPU): a bot calls a few endpoints over and over. Bounded all the same. None: the
        # environment names a proxy for it.
        self._urls: dict[str, httpcore.URL | None] = {}

    def _new_pool(self) -> httpcore.AsyncConnectionPool:
        return httpcore.AsyncConnectionPool(
            ssl_context=self._ssl, max_connections=self._pool_size,
            keepalive_expiry=KEEPALIVE_EXPIRY, network_backend=_OneWriteBackend())

    @property
    def read_timeout(self) -> float | None:
        return self._timeout["read"]

    async def initialize(self) -> None:
        await self._files.initialize()
        if self._pool is None:
            self._pool = self._new_pool()

    async def shutdown(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.aclose()
        await self._files.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        # Seconds, None (no limit) or BaseRequest.DEFAULT_NONE (not given): PTB's type for
        # them, ODVInput[float], is private, so they are typed Any and read by `_seconds`.
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if (request_data is None or request_data.contains_files
                or (target := self._url(url)) is None):
            return await self._files.do_request(url, method, request_data, read_timeout,
                                                write_timeout, connect_timeout, pool_timeout)
        if self._pool is None:
            raise RuntimeError("This JSONHTTPXRequest is not initialized!")
        defaults = self._timeout
        timeout = {"connect": _seconds(connect_timeout, defaults["connect"]),
                   "read": _seconds(read_timeout, defaults["read"]),
                   "write": _seconds(write_timeout, defaults["write"]),
                   "pool": _seconds(pool_timeout, defaults["pool"])}
        try:
            response = await self._pool.request(method, target, headers=_JSON_HEADERS,
                                                content=json_body(request_data),
                                                extensions={"timeout": timeout})
        # The same error mapping as HTTPXRequest.do_request, so retries behave alike.
        except httpcore.TimeoutException as err:
            if isinstance(err, httpcore.PoolTimeout):
                raise TimedOut(message="Pool timeout: all connections in the connection pool "
                               "are occupied; the request was not sent.") from err
            raise TimedOut from err
        except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol,
                httpcore.ProxyError) as err:
            raise NetworkError(f"httpcore.{err.__class__.__name__}: {err}") from err
        return response.status, response.content

    def _url(self, url: str) -> httpcore.URL | None:
        """`url` parsed, or None when it is to go through a proxy (`proxied`)."""
        if url in self._urls:
            return self._urls[url]
        if len(self._urls) >= _URLS_KEPT:
            self._urls.clear()
        parsed = self._urls[url] = None if proxied(url) else httpcore.URL(url)
        return parsed


def proxied(url: str) -> bool:
    """Whether the environment names a proxy for `url` (HTTPS_PROXY or HTTP_PROXY by its
    scheme, else ALL_PROXY; none for a host NO_PROXY lists), as httpx reads them."""
    proxies = urllib.request.getproxies_environment()
    parts = urllib.parse.urlsplit(url)
    if not (proxies.get(parts.scheme) or proxies.get("all")):
        return False
    return not urllib.request.proxy_bypass(parts.hostname or "")


class _OneWrite(httpcore.AsyncNetworkStream):
    """A connection whose writes wait for its next read, and go out then as one: a request's
    head and body in one system call. (HTTP/1.1: after writing a request, a client reads.)"""

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream
        self._socket: socket.socket | None = stream.get_extra_info("socket")
        self._held: list[bytes] = []
        self._timeout: float | None = None

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if buffer:
            self._held.append(buffer)
            self._timeout = timeout

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._held:
            data = b"".join(self._held)
            self._held.clear()
            await self._stream.write(data, self._timeout)
        return await self._stream.read(max_bytes, timeout)

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        return _OneWrite(await self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # asked of every idle connection before each request
            return _readable(self._socket)
        return self._stream.get_extra_info(info)


def _readable(sock: socket.socket | None) -> bool:
    """httpcore's check that an idle connection was closed by the server (it is readable),
    on the socket found once: anyio builds a table of the stream's attributes to find it,
    for each connection on each request (about 2% of a reply's CPU)."""
    if sock is None or sock.fileno() == -1:
        return True
    if not hasattr(select, "poll"):
        return bool(select.select([sock], [], [], 0)[0])
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class _OneWriteBackend(httpcore.AsyncNetworkBackend):
    """httpcore's asyncio backend, its connections wrapped in `_OneWrite`."""

    def __init__(self) -> None:
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Any = None) -> httpcore.AsyncNetworkStream:
        return _OneWrite(await self._backend.connect_tcp(host, port, timeout, local_address,
                                                         socket_options))

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Any = None) -> httpcore.AsyncNetworkStream:
        return _OneWrite(await self._backend.connect_unix_socket(path, timeout,
                                                                 socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


def _seconds(value: object, default: float | None) -> float | None:
    """A timeout as PTB passes it: `BaseRequest.DEFAULT_NONE` means "not given"."""
    if value is BaseRequest.DEFAULT_NONE:
        return default
    if value is None or isinstance(value, int | float):
        return value
    raise TypeError(f"a timeout must be seconds or None, not {value!r}")
