"""Webhook mode end to end: secret check (403), updates in, GET /healthz (200 / 503)."""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import BotThread, start_bot
from fake_telegram import TOKEN, FakeTelegram

from bot.tg.webhook import HttpLimits

SECRET = "s3cret-Token_for-tests"


@pytest.fixture
def hooked(bot_settings: Any) -> Iterator[BotThread]:
    from bot.tg.runner import WebhookOptions

    options = WebhookOptions("https://bot.example.org/tg/hook", "127.0.0.1", 0, SECRET)
    running = start_bot(bot_settings, webhook=options)
    yield running
    running.stop()


# Small deadlines, so that a test sees them pass without long sleeps.
STRICT = HttpLimits(max_connections=4, idle=0.3, head=0.8, body=0.3, write=1.0)
HttpLimitsDefaults = HttpLimits()


@pytest.fixture
def strict(bot_settings: Any) -> Iterator[BotThread]:
    from bot.tg.runner import WebhookOptions

    options = WebhookOptions("https://bot.example.org/tg/hook", "127.0.0.1", 0, SECRET)
    running = start_bot(bot_settings, webhook=options, http_limits=STRICT)
    yield running
    running.stop()


def request(bot: BotThread, path: str, body: Any = None, secret: str | None = None,
            method: str | None = None) -> tuple[int, dict[str, Any]]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{bot.runtime.port}{path}", data=data,
                                 method=method or ("POST" if data is not None else "GET"))
    req.add_header("Content-Type", "application/json")
    if secret is not None:
        req.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
    try:
        with urllib.request.urlopen(req, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def update(fake: FakeTelegram, text: str, user_id: int = 300) -> dict[str, Any]:
    return {"update_id": 10_000 + user_id, "message": fake.make_message(text, user_id)}


def test_webhook_is_registered_with_the_secret(
    hooked: BotThread, fake_telegram: FakeTelegram
) -> None:
    [call] = fake_telegram.calls_to("setWebhook")
    assert call.params["url"] == "https://bot.example.org/tg/hook"
    assert call.params["secret_token"] == SECRET
    assert not fake_telegram.calls_to("getUpdates")  # no polling in webhook mode


def test_requests_without_the_right_secret_are_refused(
    hooked: BotThread, fake_telegram: FakeTelegram
) -> None:
    since = fake_telegram.mark()
    body = update(fake_telegram, "hello")
    assert request(hooked, "/tg/hook", body)[0] == 403
    assert request(hooked, "/tg/hook", body, secret="wrong")[0] == 403
    assert request(hooked, "/tg/hook", body, secret=SECRET.upper())[0] == 403
    assert request(hooked, "/elsewhere", body, secret=SECRET)[0] == 404
    assert request(hooked, "/tg/hook", method="GET")[0] == 405
    assert request(hooked, "/tg/hook", {"not": "an update"}, secret=SECRET)[0] == 400
    assert not fake_telegram.calls_to("sendMessage", since)


def test_update_with_the_secret_is_answered(hooked: BotThread, fake_telegram: FakeTelegram) -> None:
    since = fake_telegram.mark()
    status, body = request(hooked, "/tg/hook", update(fake_telegram, "llamacon kobe"),
                           secret=SECRET)
    assert (status, body) == (200, {"ok": True})
    [reply] = fake_telegram.wait_for("sendMessage", since=since)
    assert reply.chat_id == 300 and "লামাকন" in reply.text


def test_healthz_reports_version_and_database(hooked: BotThread) -> None:
    status, body = request(hooked, "/healthz")
    assert status == 200
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["knowledge_version"] == hooked.services.knowledge.version
    assert body["facts"] == len(hooked.services.knowledge.facts)
    assert TOKEN not in json.dumps(body) and SECRET not in json.dumps(body)


def test_healthz_is_503_while_the_database_is_locked(hooked: BotThread, bot_settings: Any) -> None:
    locker = sqlite3.connect(bot_settings.database.path, isolation_level=None)
    try:
        locker.execute("BEGIN IMMEDIATE")
        status, body = request(hooked, "/healthz")
        assert status == 503 and body["status"] == "degraded" and "locked" in body["database"]
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert request(hooked, "/healthz")[0] == 200  # recovers by itself


def test_malformed_bodies_do_not_stop_the_server(hooked: BotThread) -> None:
    import socket

    port = hooked.runtime.port
    for raw in (b"GARBAGE\r\n\r\n", b"POST /tg/hook HTTP/1.1\r\nContent-Length: 5\r\n"
                b"X-Telegram-Bot-Api-Secret-Token: " + SECRET.encode() + b"\r\n\r\n{oops",
                b"POST /tg/hook HTTP/1.1\r\nContent-Length: 99999999\r\n"
                b"X-Telegram-Bot-Api-Secret-Token: " + SECRET.encode() + b"\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(raw)
            status = sock.recv(100).split(b" ")[1]
            assert status in (b"400", b"413")
    assert request(hooked, "/healthz")[0] == 200


def test_a_redelivered_update_is_answered_once(
    hooked: BotThread, fake_telegram: FakeTelegram
) -> None:
    since = fake_telegram.mark()
    body = update(fake_telegram, "llamacon kobe", user_id=301)
    for _ in range(3):  # Telegram retries when it did not see our 200 in time
        assert request(hooked, "/tg/hook", body, secret=SECRET) == (200, {"ok": True})
    later = {"update_id": body["update_id"] + 1,
             "message": fake_telegram.make_message("hello", 301)}
    assert request(hooked, "/tg/hook", later, secret=SECRET)[0] == 200
    # One chat's updates are handled in order: once "hello" is answered, any copy was too.
    fake_telegram.wait_for("sendMessage", lambda c: "লামাকন" not in c.text, since=since)
    replies = fake_telegram.calls_to("sendMessage", since)
    assert ["লামাকন" in r.text for r in replies] == [True, False]


def test_head_requests_get_headers_without_a_body(hooked: BotThread) -> None:
    import socket

    for path in ("/healthz", "/metrics"):
        with socket.create_connection(("127.0.0.1", hooked.runtime.port), timeout=5) as sock:
            sock.sendall(f"HEAD {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            raw = b""
            while chunk := sock.recv(4096):  # the server closes the connection
                raw += chunk
        head, _, body = raw.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 "), head
        assert body == b"", (path, body[:80])


def test_recent_update_ids_are_bounded() -> None:
    from bot.tg.recent import RecentIds

    recent = RecentIds(size=2)
    assert [recent.add(i) for i in (1, 2, 2, 3)] == [True, True, False, True]
    assert recent.add(1)  # the oldest was forgotten to make room
    recent.discard(3)  # an update that could not be taken may come again
    assert recent.add(3) and not recent.add(1)


def test_a_request_head_past_its_bound_is_refused_unstored(hooked: BotThread) -> None:
    """Headers are read before the secret is checked: a stranger sending header after header
    gets 431 once the head passes MAX_HEAD, instead of the server storing them all."""
    import socket

    from bot.tg.webhook import MAX_HEAD

    with socket.create_connection(("127.0.0.1", hooked.runtime.port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        sent = 0
        try:
            while sent <= 4 * MAX_HEAD:
                line = f"X-{sent}: {'b' * 1000}\r\n".encode()
                sock.sendall(line)
                sent += len(line)
        except OSError:
            pass  # the server answered and closed while we were still sending
        assert sock.recv(100).split(b" ")[1] == b"431"
    # One line longer than the whole head may be is refused too.
    with socket.create_connection(("127.0.0.1", hooked.runtime.port), timeout=5) as sock:
        try:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nX-Long: " + b"a" * (2 * MAX_HEAD) + b"\r\n")
        except OSError:
            pass
        assert sock.recv(100).split(b" ")[1] in (b"400", b"431")
    assert request(hooked, "/healthz")[0] == 200


def test_past_the_bound_the_oldest_silent_connection_makes_room(
        strict: BotThread, fake_telegram: FakeTelegram) -> None:
    import socket

    address = ("127.0.0.1", strict.runtime.port)
    idle = [socket.create_connection(address, timeout=5) for _ in range(STRICT.max_connections)]
    try:
        # Each request past the bound closes the oldest silent connection, and is answered.
        for oldest in idle[:2]:
            assert request(strict, "/healthz")[0] == 200
            assert oldest.recv(100) == b""  # closed unanswered
        assert request(strict, "/tg/hook", update(fake_telegram, "hello", 304),
                       secret=SECRET) == (200, {"ok": True})
        assert idle[2].recv(100) == b""
    finally:
        for sock in idle:
            sock.close()


def test_a_silent_connection_is_closed_after_its_deadline(strict: BotThread) -> None:
    import socket
    import time

    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", strict.runtime.port), timeout=5) as sock:
        assert sock.recv(100) == b""  # closed, nothing said: it asked nothing
    assert time.monotonic() - started < HttpLimitsDefaults.idle  # well before the default


def drip(bot: BotThread, start: bytes, raw: bytes,
         pause: float = 0.05) -> tuple[bytes, float]:
    """Send `start`, then `raw` a byte at a time until the server answers or closes; what it
    said, and when."""
    import socket
    import time

    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", bot.runtime.port), timeout=5) as sock:
        sock.sendall(start)
        sock.settimeout(pause)
        for byte in raw:
            try:
                sock.sendall(bytes([byte]))
                if answer := sock.recv(100):
                    return answer, time.monotonic() - started
            except TimeoutError:
                continue  # nothing yet: the next byte
            except OSError:
                break
        else:
            raise AssertionError("the whole request was taken a byte at a time")
        return b"", time.monotonic() - started


def test_a_request_sent_a_byte_at_a_time_is_cut_off(
        strict: BotThread, fake_telegram: FakeTelegram) -> None:
    """Slowloris: a byte every 50 ms keeps no reader busy for longer than its deadline."""
    answer, took = drip(strict, b"GET /healthz HTTP/1.1\r\n", b"X-Drip: " + b"a" * 400)
    assert answer.startswith(b"HTTP/1.1 408 ") and took < HttpLimitsDefaults.head
    # Not even the request line in time: closed, nothing said.
    answer, took = drip(strict, b"", b"GET /healthz HTTP/1.1\r\n\r\n")
    assert answer == b"" and took < HttpLimitsDefaults.idle
    body = json.dumps(update(fake_telegram, "hello", 305)).encode()
    slow_body = (f"POST /tg/hook HTTP/1.1\r\nContent-Length: {len(body)}\r\n"
                 f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\n\r\n").encode()
    with __import__("socket").create_connection(("127.0.0.1", strict.runtime.port),
                                                timeout=5) as sock:
        sock.sendall(slow_body + body[:10])  # the head at once, then the body stalls
        assert sock.recv(100).startswith(b"HTTP/1.1 408 ")
    assert request(strict, "/healthz")[0] == 200


def test_an_update_the_bot_cannot_read_is_taken_and_logged_not_retried_forever(
    hooked: BotThread, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    # Telegram redelivers what it did not get a 200 for, and holds the updates behind it:
    # an update that can never be read must not block the chat's later messages.
    since = fake_telegram.mark()
    broken = {"update_id": 20_001, "message": {"message_id": 1, "chat": {"id": 302}}}
    assert request(hooked, "/tg/hook", broken, secret=SECRET) == (200, {"ok": True})
    [logged] = [r.getMessage() for r in caplog.records if "20001" in r.getMessage()]
    assert "cannot be read" in logged and "302" not in logged  # its id, not what it held
    later = {"update_id": 20_002, "message": fake_telegram.make_message("llamacon kobe", 302)}
    assert request(hooked, "/tg/hook", later, secret=SECRET) == (200, {"ok": True})
    [reply] = fake_telegram.wait_for("sendMessage", since=since)
    assert reply.chat_id == 302
    assert request(hooked, "/healthz")[0] == 200


def test_idle_connections_past_the_bound_do_not_shut_out_telegram(
    hooked: BotThread, fake_telegram: FakeTelegram
) -> None:
    """Found by the red-team run (slowloris): connections opened and left silent filled every
    slot, and Telegram's POSTs and the health probes were closed unread behind them."""
    import socket

    from bot.tg.webhook import MAX_CONNECTIONS

    address = ("127.0.0.1", hooked.runtime.port)
    idle = [socket.create_connection(address, timeout=5) for _ in range(MAX_CONNECTIONS + 8)]
    try:
        since = fake_telegram.mark()
        body = update(fake_telegram, "llamacon kobe", user_id=303)
        assert request(hooked, "/tg/hook", body, secret=SECRET) == (200, {"ok": True})
        [reply] = fake_telegram.wait_for("sendMessage", since=since)
        assert reply.chat_id == 303 and "লামাকন" in reply.text
        assert request(hooked, "/healthz")[0] == 200
    finally:
        for sock in idle:
            sock.close()


def test_when_every_slot_is_answering_a_new_connection_is_refused() -> None:
    """Only a connection still sending its request makes room: one being answered finishes."""
    import asyncio

    from bot.tg.webhook import WebhookServer

    async def scenario() -> tuple[list[bytes], bytes]:
        release = asyncio.Event()

        async def health() -> tuple[bool, dict[str, Any]]:
            await release.wait()  # a slow database: both probes are being answered meanwhile
            return True, {"status": "ok"}

        server = WebhookServer(None, "", None, health, limits=HttpLimits(max_connections=2))
        port = await server.start("127.0.0.1", 0)
        try:
            probes = [await asyncio.open_connection("127.0.0.1", port) for _ in range(2)]
            for _, writer in probes:
                writer.write(b"GET /healthz HTTP/1.1\r\n\r\n")
                await writer.drain()
            while sum(not c.reading for c in server._connections) < 2:
                await asyncio.sleep(0.01)  # both read and waiting on the probe
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /healthz HTTP/1.1\r\n\r\n")
            try:
                refused = await reader.read()
            except ConnectionResetError:  # closed with our request unread
                refused = b""
            writer.close()
            release.set()
            answered = [await r.read() for r, _ in probes]
            for _, w in probes:
                w.close()
            return answered, refused
        finally:
            await server.stop()

    answered, refused = asyncio.run(scenario())
    assert refused == b""
    assert all(a.startswith(b"HTTP/1.1 200 ") for a in answered)
