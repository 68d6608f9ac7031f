"""The JSON request on a real HTTP server: what goes over the wire, and PTB's public API only."""

from __future__ import annotations

import ast
import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import NetworkError
from telegram.ext import Defaults, ExtBot

from bot.tg.reply import send_text
from bot.tg.request import JSONHTTPXRequest

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:" + "A" * 35
MESSAGE = {"message_id": 1, "date": 0, "chat": {"id": 7, "type": "private"}, "text": "ok"}
ME = {"id": 123456, "is_bot": True, "first_name": "Llama", "username": "llamabot"}


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Server:
    url: str
    seen: list[Seen] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[Server]:
    """Answers getMe with the bot, other Bot API calls with a message, downloads with b"file"."""
    found = Server("")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 (http.server naming)
            self._serve()

        def do_GET(self) -> None:  # noqa: N802
            self._serve()

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            found.seen.append(Seen(self.command, self.path, dict(self.headers), body))
            result = ME if self.path.endswith("/getMe") else MESSAGE
            data = (json.dumps({"ok": True, "result": result}).encode()
                    if self.path.startswith("/bot") else b"file")
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    found.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield found
    httpd.shutdown()
    httpd.server_close()


def _bot(server: Server) -> Bot:
    return Bot(TOKEN, base_url=f"{server.url}/bot", request=JSONHTTPXRequest())


def test_calls_without_files_go_as_one_utf8_json_body(server: Server) -> None:
    async def run() -> None:
        bot = _bot(server)
        await bot.send_message(7, "লামা কতবার?")

    asyncio.run(run())
    [call] = server.seen
    assert call.path.endswith("/sendMessage") and call.method == "POST"
    assert call.headers["Content-Type"] == "application/json"
    assert call.headers["User-Agent"].startswith("python-telegram-bot")
    assert "লামা কতবার?".encode() in call.body  # UTF-8, not \\u escapes
    assert json.loads(call.body) == {"chat_id": 7, "text": "লামা কতবার?"}


def test_calls_with_files_and_downloads_go_as_ptb_sends_them(server: Server) -> None:
    async def run() -> bytes:
        request = JSONHTTPXRequest()
        bot = Bot(TOKEN, base_url=f"{server.url}/bot", request=request)
        await bot.send_document(7, InputFile(b"version: 1\n", filename="facts.yaml"))
        return await request.retrieve(f"{server.url}/file/bot{TOKEN}/documents/facts.yaml")

    assert asyncio.run(run()) == b"file"
    upload, download = server.seen
    assert upload.headers["Content-Type"].startswith("multipart/form-data")
    assert b'filename="facts.yaml"' in upload.body and b"version: 1" in upload.body
    assert download.method == "GET" and download.path.endswith("/documents/facts.yaml")


def test_works_again_after_shutdown_and_initialize(server: Server) -> None:
    """PTB shuts its requests down on stop and initializes them again on the next start."""
    async def run() -> None:
        request = JSONHTTPXRequest()
        bot = Bot(TOKEN, base_url=f"{server.url}/bot", request=request)
        async with bot:
            await bot.send_message(7, "one")
        with pytest.raises(NetworkError, match="not initialized"):  # PTB wraps the error
            await bot.send_message(7, "closed")
        async with bot:
            await bot.send_message(7, "two")

    asyncio.run(run())
    texts = [json.loads(s.body).get("text") for s in server.seen if s.path.endswith("Message")]
    assert texts == ["one", "two"]


def test_send_text_sends_what_send_message_sends(server: Server) -> None:
    """`send_text` is `send_message` without reading the result back: byte for byte the
    same request, with the bot's defaults (as the app sets them) filled in; a PTB upgrade
    that changes `send_message`'s request shows here."""
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("লামা কী?", callback_data="f:x")]])
    reply = ReplyParameters(41, allow_sending_without_reply=True)

    async def run() -> list[int]:
        defaults = Defaults(parse_mode=ParseMode.HTML,
                            link_preview_options=LinkPreviewOptions(is_disabled=True))
        bot = ExtBot(TOKEN, base_url=f"{server.url}/bot", request=JSONHTTPXRequest(),
                     defaults=defaults)
        ids = []
        for args in [(7, "<b>লামা</b>", None, None, None), (-5, "x", markup, reply, 3)]:
            chat_id, text, keys, quoted, thread = args
            await bot.send_message(chat_id, text, reply_markup=keys, reply_parameters=quoted,
                                   message_thread_id=thread)
            ids.append(await send_text(bot, chat_id, text, keys, quoted, thread))
        return ids

    assert asyncio.run(run()) == [MESSAGE["message_id"]] * 2
    plain, plain_again, full, full_again = server.seen
    assert plain.body == plain_again.body and full.body == full_again.body
    assert plain.path == full_again.path and plain.path.endswith("/sendMessage")
    assert json.loads(full.body)["reply_parameters"]["quote_parse_mode"] == "HTML"


def test_a_connection_the_server_closed_while_idle_is_not_used_again() -> None:
    """A server may drop a kept-alive connection between two calls (Telegram does, after a
    while): the next call notices it (the idle socket turned readable) and connects anew."""
    served: list[int] = []

    class Hangup(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            served.append(self.client_address[1])
            data = json.dumps({"ok": True, "result": MESSAGE}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True  # and hang up, though keep-alive was not refused

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Hangup)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()

    async def run() -> None:
        bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{httpd.server_address[1]}/bot",
                  request=JSONHTTPXRequest())
        for text in ("one", "two", "three"):
            await bot.send_message(7, text)
            await asyncio.sleep(0.05)  # the hang-up arrives

    try:
        asyncio.run(run())
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert len(set(served)) == 3  # three connections, no call lost


def test_connection_errors_are_telegram_network_errors() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    async def run() -> None:
        bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=JSONHTTPXRequest())
        await bot.send_message(7, "x")

    with pytest.raises(NetworkError):
        asyncio.run(run())


def test_bot_uses_only_public_telegram_modules() -> None:
    """telegram._* may change in any release; the dependency stays on documented API."""
    private, paths = [], sorted((ROOT / "bot").rglob("*.py"))
    assert len(paths) > 20
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            private += [f"{path.relative_to(ROOT)}: {name}" for name in names
                        if name.startswith("telegram._")]
    assert private == []
