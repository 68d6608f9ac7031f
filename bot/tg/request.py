"""PTB's httpx request, posting JSON bodies instead of urlencoded forms.

PTB form-encodes every call: each nested value (reply markup, reply parameters) is
JSON-dumped on its own and then the whole form is percent-encoded, which turns every
byte of Bengali text into three characters through a slow pure-Python loop. The Bot
API takes `application/json` bodies just as well; one C-accelerated `json.dumps` of
the whole call is cheaper and the body about a third of the size. Calls with files
still go out as multipart forms, exactly as PTB sends them.

JSON calls also skip `httpx.AsyncClient`'s per-request machinery (URL merging, cookie
jar, auth and redirect flows, event hooks: none of which a Bot API call uses) and go
straight to the client's own connection pool through the public transport interface.
"""

from __future__ import annotations

import json

import httpx
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

_JSON_HEADERS = {"User-Agent": HTTPXRequest.USER_AGENT, "Content-Type": "application/json"}


def json_body(request_data: RequestData) -> bytes:
    """The call's parameters as one UTF-8 JSON object (no \\u escapes for Bengali)."""
    return json.dumps(request_data.parameters, ensure_ascii=False,
                      separators=(",", ":")).encode()


class JSONHTTPXRequest(HTTPXRequest):
    """`HTTPXRequest` that sends file-less calls as JSON; everything else is unchanged."""

    __slots__ = ("_transport",)
    _transport: httpx.AsyncHTTPTransport | None

    def _build_client(self) -> httpx.AsyncClient:
        # PTB builds the client at start and again after a shutdown; the transport is made
        # here too so a rebuilt client never shares a closed pool. Settings as PTB's.
        kwargs = self._client_kwargs
        if kwargs.get("proxy") or kwargs.get("transport") or kwargs.get("mounts"):
            self._transport = None  # proxies, socket options: PTB's own path handles them
            return super()._build_client()
        self._transport = httpx.AsyncHTTPTransport(
            limits=kwargs["limits"], http1=kwargs["http1"], http2=kwargs["http2"])
        return httpx.AsyncClient(**{**kwargs, "transport": self._transport})

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if (request_data is None or request_data.contains_files or self._transport is None
                or self._client.is_closed):
            return await super().do_request(url, method, request_data, read_timeout,
                                            write_timeout, connect_timeout, pool_timeout)
        defaults = self._client.timeout
        timeout = httpx.Timeout(
            connect=_or(connect_timeout, defaults.connect),
            read=_or(read_timeout, defaults.read),
            write=_or(write_timeout, defaults.write),
            pool=_or(pool_timeout, defaults.pool),
        )
        request = httpx.Request(method, url, headers=_JSON_HEADERS, content=json_body(request_data),
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


def _or(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value
