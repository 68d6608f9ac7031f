"""A PTB request that posts JSON bodies instead of urlencoded forms, on PTB's public API.

PTB form-encodes every call: each nested value (reply markup, reply parameters) is
JSON-dumped on its own and then the whole form is percent-encoded, which turns every
byte of Bengali text into three characters through a slow pure-Python loop. The Bot
API takes `application/json` bodies just as well; one C-accelerated `json.dumps` of
the whole call is cheaper and the body about a third of the size.

File-less calls go straight to an httpx connection pool through httpx's public transport
interface, skipping `httpx.AsyncClient`'s per-request machinery (URL merging, cookie jar,
auth and redirect flows, event hooks: none of which a Bot API call uses). Calls with
files and downloads go through PTB's own `HTTPXRequest`, exactly as PTB sends them.

Only `BaseRequest`, its documented `DEFAULT_NONE` and `HTTPXRequest`'s constructor are
used, so a PTB upgrade cannot break this module silently (tests/test_tg_request.py).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

# PTB's defaults for HTTPXRequest, stated here so both paths share them.
READ_TIMEOUT = WRITE_TIMEOUT = CONNECT_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0
_URLS_KEPT = 256  # endpoints: sendMessage, editMessageText, answerCallbackQuery...
_JSON_HEADERS = {"User-Agent": BaseRequest.USER_AGENT, "Content-Type": "application/json"}


def json_body(request_data: RequestData) -> bytes:
    """The call's parameters as one UTF-8 JSON object (no \\u escapes for Bengali)."""
    return json.dumps(request_data.parameters, ensure_ascii=False,
                      separators=(",", ":")).encode()


class JSONHTTPXRequest(BaseRequest):
    """Sends file-less calls as JSON; calls with files and downloads go through PTB's
    `HTTPXRequest`. Timeouts and pool size as `HTTPXRequest`'s."""

    __slots__ = ("_files", "_limits", "_timeout", "_transport", "_urls")

    def __init__(self, connection_pool_size: int = 256) -> None:
        self._timeout = httpx.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT,
                                      write=WRITE_TIMEOUT, pool=POOL_TIMEOUT)
        self._limits = httpx.Limits(max_connections=connection_pool_size)
        self._files = HTTPXRequest(
            connection_pool_size=connection_pool_size, read_timeout=READ_TIMEOUT,
            write_timeout=WRITE_TIMEOUT, connect_timeout=CONNECT_TIMEOUT,
            pool_timeout=POOL_TIMEOUT)
        # Usable at once, as PTB's own requests are; closed by `shutdown` and made anew by
        # `initialize` (PTB initializes again after a shutdown): never a closed pool.
        self._transport: httpx.AsyncHTTPTransport | None = httpx.AsyncHTTPTransport(
            limits=self._limits)
        # Each endpoint's URL parsed once, not per call (parsing cost about 2% of a reply's
        # CPU): a bot calls a few endpoints over and over. Bounded all the same.
        self._urls: dict[str, httpx.URL] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._timeout.read

    async def initialize(self) -> None:
        await self._files.initialize()
        if self._transport is None:
            self._transport = httpx.AsyncHTTPTransport(limits=self._limits)

    async def shutdown(self) -> None:
        transport, self._transport = self._transport, None
        if transport is not None:
            await transport.aclose()
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
        if request_data is None or request_data.contains_files:
            return await self._files.do_request(url, method, request_data, read_timeout,
                                                write_timeout, connect_timeout, pool_timeout)
        if self._transport is None:
            raise RuntimeError("This JSONHTTPXRequest is not initialized!")
        defaults = self._timeout
        timeout = httpx.Timeout(
            connect=_seconds(connect_timeout, defaults.connect),
            read=_seconds(read_timeout, defaults.read),
            write=_seconds(write_timeout, defaults.write),
            pool=_seconds(pool_timeout, defaults.pool),
        )
        request = httpx.Request(method, self._url(url), headers=_JSON_HEADERS,
                                content=json_body(request_data),
                                extensions={"timeout": timeout.as_dict()})
        try:
            response = await self._transport.handle_async_request(request)
            try:
                content = await response.aread()
            finally:
                await response.aclose()
        # The same error mapping as HTTPXRequest.do_request, so retries behave alike.
        except httpx.TimeoutException as err:
            if isinstance(err, httpx.PoolTimeout):
                raise TimedOut(message="Pool timeout: all connections in the connection pool "
                               "are occupied; the request was not sent.") from err
            raise TimedOut from err
        except httpx.HTTPError as err:
            raise NetworkError(f"httpx.{err.__class__.__name__}: {err}") from err
        return response.status_code, content

    def _url(self, url: str) -> httpx.URL:
        parsed = self._urls.get(url)
        if parsed is None:
            if len(self._urls) >= _URLS_KEPT:
                self._urls.clear()
            parsed = self._urls[url] = httpx.URL(url)
        return parsed


def _seconds(value: object, default: float | None) -> float | None:
    """A timeout as PTB passes it: `BaseRequest.DEFAULT_NONE` means "not given"."""
    if value is BaseRequest.DEFAULT_NONE:
        return default
    if value is None or isinstance(value, int | float):
        return value
    raise TypeError(f"a timeout must be seconds or None, not {value!r}")
