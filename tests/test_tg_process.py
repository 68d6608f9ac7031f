"""The real `llamabot run` process: no token in any output at DEBUG, clean signal shutdown."""

from __future__ import annotations

import http.client
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import ADMIN_ID, KNOWLEDGE_DIR
from fake_telegram import TOKEN, FakeTelegram
from hung_postgres import HangingProxy

from bot.storage.outbox import Outbox


def bot_env(fake: FakeTelegram, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "LLAMABOT_"))}
    env.update(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_BASE_URL=fake.base_url,
               LLAMABOT_ADMIN_IDS=str(ADMIN_ID), LLAMABOT_DATABASE=str(tmp_path / "db.sqlite3"),
               LLAMABOT_KNOWLEDGE_DIR=str(KNOWLEDGE_DIR), LLAMABOT_LOG_LEVEL="DEBUG",
               PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


class LoggedProcess(subprocess.Popen[str]):
    """A process whose output goes to files in its working directory.

    Through pipes nobody reads until the end, a bot logging at DEBUG fills the pipe's
    64 KiB and then stops mid-write, in the middle of whatever it was doing.
    """

    def __init__(self, args: list[str], *, env: dict[str, str], cwd: Path) -> None:
        self.out_path, self.err_path = cwd / "stdout.log", cwd / "stderr.log"
        with self.out_path.open("w") as out, self.err_path.open("w") as err:
            super().__init__(args, env=env, cwd=cwd, stdout=out, stderr=err, text=True)

    def communicate(self, input: str | None = None,  # noqa: A002 (Popen's own name)
                    timeout: float | None = None) -> tuple[str, str]:
        self.wait(timeout)
        return (self.out_path.read_text(encoding="utf-8"),
                self.err_path.read_text(encoding="utf-8"))


def llamabot(*args: str, env: dict[str, str], cwd: Path) -> LoggedProcess:
    # cwd is a temp dir, so a developer's own .env is never read by the tests.
    return LoggedProcess([sys.executable, "-m", "bot.cli", *args], env=env, cwd=cwd)


@contextmanager
def running(env: dict[str, str], cwd: Path, *args: str) -> Iterator[LoggedProcess]:
    """`llamabot run`, killed on the way out if a test failed before stopping it."""
    proc = llamabot("run", *args, env=env, cwd=cwd)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()


def terminated(proc: LoggedProcess) -> str:
    """Stop the bot as systemd does (SIGTERM) and return everything it printed."""
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=15)
    return out + err


@pytest.fixture
def process_fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(max_poll=0.3) as fake:
        yield fake


def test_debug_conversation_never_prints_the_token(
    process_fake: FakeTelegram, tmp_path: Path
) -> None:
    fake = process_fake
    with running(bot_env(fake, tmp_path), tmp_path) as proc:
        fake.wait_for("getUpdates", timeout=15)
        fake.ask("/start")
        fake.ask("লামা কতবার ডাউনলোড হয়েছে?")
        fake.tap("f:llamacon", method="sendMessage")
        fake.inline("llamacon")
        fake.wait_for("answerInlineQuery")
        fake.ask("/stats", user_id=ADMIN_ID)
        fake.ask("/stats", user_id=5)  # refused and logged
        fake.fail("sendMessage", 500, chat_id=111)  # an error with a traceback in the log
        fake.ask("hello", count=2)
        fake.ask("/reload", user_id=ADMIN_ID)
        output = terminated(proc)
    assert proc.returncode == 0, output[-2000:]
    assert " DEBUG " in output and "Traceback" in output  # the test saw real debug output
    secret = TOKEN.split(":", 1)[1]
    assert TOKEN not in output and secret not in output
    assert "stopped cleanly" in output


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_finishes_updates_in_flight_and_closes_the_database(
    process_fake: FakeTelegram, tmp_path: Path, sig: signal.Signals
) -> None:
    fake = process_fake
    env = bot_env(fake, tmp_path, LLAMABOT_LOG_LEVEL="INFO")
    proc = llamabot("run", env=env, cwd=tmp_path)
    try:
        fake.wait_for("getUpdates", timeout=15)
        fake.delays["sendMessage"] = 0.3  # keep replies in flight while the signal arrives
        since = fake.mark()
        pushed = [fake.message("llamacon kobe", user_id=400 + i) for i in range(3)]
        fake.wait_for("sendMessage", since=since)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, (out + err)[-2000:]
    # Every update the bot confirmed was answered and logged; any it did not confirm
    # Telegram keeps and sends again after a restart, so none is lost either way.
    confirmed = [u for u in pushed if u < fake.confirmed_below]
    replies = fake.calls_to("sendMessage", since)
    assert len(replies) == len(confirmed) >= 1
    conn = sqlite3.connect(tmp_path / "db.sqlite3")
    assert conn.execute("SELECT COUNT(*) FROM questions").fetchone()[0] == len(confirmed)
    conn.close()
    wal = tmp_path / "db.sqlite3-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # checkpointed: closed cleanly


def test_missing_or_malformed_settings_stop_with_one_line(
    process_fake: FakeTelegram, tmp_path: Path
) -> None:
    cases = {
        "TELEGRAM_BOT_TOKEN": ("", "TELEGRAM_BOT_TOKEN is not set"),
        "LLAMABOT_ADMIN_IDS": ("12,abc", "LLAMABOT_ADMIN_IDS is malformed"),
        "LLAMABOT_TIMEZONE": ("Mars/Olympus", "LLAMABOT_TIMEZONE"),
    }
    for name, (value, expected) in cases.items():
        env = bot_env(process_fake, tmp_path)
        env[name] = value
        proc = llamabot("run", env=env, cwd=tmp_path)
        out, err = proc.communicate(timeout=15)
        assert proc.returncode == 2, (name, err)
        assert expected in err and len(err.strip().splitlines()) == 1, err
    env = bot_env(process_fake, tmp_path, TELEGRAM_BOT_TOKEN="12345:wrong-secret-xxxxxxxxxxxxxxxx")
    started = time.monotonic()
    proc = llamabot("run", env=env, cwd=tmp_path)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 1 and "refused TELEGRAM_BOT_TOKEN" in err
    assert "wrong-secret" not in out + err and time.monotonic() - started < 10


def test_an_update_the_library_cannot_read_is_logged_by_its_id_only(
    process_fake: FakeTelegram, tmp_path: Path
) -> None:
    """Found by the second red-team run: PTB logs the whole getUpdates batch it could not
    read at CRITICAL, other users' messages included (at DEBUG, PTB logs every update whole:
    the README says so)."""
    fake = process_fake
    with running(bot_env(fake, tmp_path, LLAMABOT_LOG_LEVEL="INFO"), tmp_path) as proc:
        fake.wait_for("getUpdates", timeout=15)
        fake.push("message", {"message_id": 1, "chat": {"id": 901, "type": "private"},
                              "text": "my private words"})  # no date, no sender
        fake.message("my other private words", user_id=902)
        fake.ask("llamacon kobe", user_id=903)
        output = terminated(proc)
    assert "cannot be read" in output and "private words" not in output, output[-2000:]


def test_a_refused_command_reaches_the_text_log_without_control_characters(
    process_fake: FakeTelegram, tmp_path: Path
) -> None:
    """Red-team: a non-admin's refused admin command was logged by its first word as
    written; Telegram's command entity ends before "\\x1b[2J", so the whole word, escape
    codes and all, reached a terminal reading the text log (clearing it, recolouring it)."""
    fake = process_fake
    env = bot_env(fake, tmp_path, LLAMABOT_LOG_LEVEL="INFO", LLAMABOT_LOG_FORMAT="text")
    with running(env, tmp_path) as proc:
        fake.wait_for("getUpdates", timeout=15)
        [reply] = fake.ask("/stats\x1b[2J\x1b]0;pwned\x07\x9b31m\u202e", user_id=4242)
        assert "শুধু অ্যাডমিনদের" in reply.text  # the command was read, and refused
        output = terminated(proc)
    [line] = [x for x in output.splitlines() if "refused admin command" in x]
    assert "/stats" in line and "4242" in line
    assert not any(c in line for c in "\x1b\x07\x9b\u202e"), repr(line)
    assert "\\x1b[2J" in line  # escaped: still readable, as written


def test_run_now_sets_the_clock_of_reminders_and_countdowns(
    process_fake: FakeTelegram, tmp_path: Path
) -> None:
    """Found by the red-team run: `llamabot run --now` was accepted and ignored, so the
    reminder scheduler (and /llamacon) ran on the real clock, for which LlamaCon (29 April
    2025, Dhaka) is long past. Half an hour before it the 1 h reminder is due: it goes out
    at once, the earlier ones are skipped."""
    fake = process_fake
    env = bot_env(fake, tmp_path, LLAMABOT_LOG_LEVEL="INFO")
    outbox = Outbox.open(tmp_path / "db.sqlite3")
    outbox.add_subscribers([4242], "test", datetime.now(UTC))
    outbox.close()
    with running(env, tmp_path, "--now", "2025-04-28T23:29:30+06:00") as proc:
        [reminder] = fake.wait_for("sendMessage", lambda c: c.chat_id == 4242, timeout=15)
        [countdown] = fake.ask("/llamacon", user_id=5)
        output = terminated(proc)
    assert proc.returncode == 0, output[-2000:]
    assert "রিমাইন্ডার" in reminder.text and "আগামীকাল" in reminder.text, reminder.text
    assert "আগামীকাল" in countdown.text, countdown.text
    db = sqlite3.connect(tmp_path / "db.sqlite3")
    states = dict(db.execute("SELECT offset_s, state FROM reminders"))
    db.close()
    assert states == {3600: "sent", 86400: "skipped", 7 * 86400: "skipped"}, states


def test_the_webhook_secret_comes_from_the_environment_not_the_command_line(
    process_fake: FakeTelegram, tmp_path: Path
) -> None:
    """Found by the tenth red-team run: the secret could only be given as --secret-token, and
    every deploy example did so (`--secret-token ${LLAMABOT_WEBHOOK_SECRET}`): a process's
    arguments are readable by every local user (ps, /proc/PID/cmdline), and whoever has the
    secret can post updates as any user, an admin's /broadcast and its confirmation too.
    LLAMABOT_WEBHOOK_SECRET (or .env) now gives it; on the command line it is warned about."""
    import socket

    fake = process_fake
    secret = "s3cret-from-the-environment-0123456789"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"https://bot.example.org/hook{port}"
    env = bot_env(fake, tmp_path, LLAMABOT_WEBHOOK_SECRET=secret)
    with running(env, tmp_path, "--webhook", url, "--port", str(port)) as proc:
        [call] = fake.wait_for("setWebhook", timeout=15)
        assert call.params["secret_token"] == secret
        arguments = Path(f"/proc/{proc.pid}/cmdline").read_bytes().decode()
        assert secret not in arguments
        output = terminated(proc)
    assert proc.returncode == 0, output[-2000:]
    assert secret not in output and "secret-token" not in output
    # A malformed one stops start-up in one line, without echoing it.
    env = bot_env(fake, tmp_path, LLAMABOT_WEBHOOK_SECRET="short!")
    proc = llamabot("run", "--webhook", url, "--port", str(port), env=env, cwd=tmp_path)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and "short!" not in out + err
    assert err.strip().splitlines() == [
        "error: LLAMABOT_WEBHOOK_SECRET must be 16 to 256 letters, digits, '_' or '-'"]
    # Given on the command line, it still works, with a warning that others can read it.
    with running(bot_env(fake, tmp_path), tmp_path, "--webhook", url, "--port", str(port),
                 "--secret-token", secret) as proc:
        since = len(fake.calls_to("setWebhook"))
        fake.wait_for("setWebhook", since=0, count=since + 1, timeout=15)
        output = terminated(proc)
    assert "--secret-token" in output and "LLAMABOT_WEBHOOK_SECRET" in output
    assert secret not in output


class _ForwardProxy(ThreadingHTTPServer):
    """An HTTP proxy (absolute-form requests) that reaches one server whatever host a request
    names: the only way to the Bot API on a host this machine cannot resolve."""

    def __init__(self, port: int) -> None:
        self.upstream, self.paths = port, list[str]()
        super().__init__(("127.0.0.1", 0), _ProxyHandler)


class _ProxyHandler(BaseHTTPRequestHandler):
    server: _ForwardProxy

    def do_POST(self) -> None:  # noqa: N802 (http.server naming)
        self._forward()

    def do_GET(self) -> None:  # noqa: N802
        self._forward()

    def _forward(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        self.server.paths.append(path.rsplit("/", 1)[-1])
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream, timeout=10)
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() in ("content-type", "content-length")}
        upstream.request(self.command, path, body=body, headers=headers)
        answer = upstream.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.getheader("Content-Type") or "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (quiet)
        pass


def test_the_bot_api_is_reached_through_the_proxy_the_environment_names(
    process_fake: FakeTelegram, tmp_path: Path
) -> None:
    """PTB sends through HTTP_PROXY / HTTPS_PROXY / ALL_PROXY (httpx's trust_env), as its
    documentation says; the bot's own pool for calls without files connected directly,
    so where Telegram is reached only through a proxy the bot could neither poll nor reply."""
    fake = process_fake
    proxy = _ForwardProxy(fake.port)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        env = bot_env(fake, tmp_path, HTTP_PROXY=f"http://127.0.0.1:{proxy.server_port}",
                      TELEGRAM_BASE_URL=f"http://api.telegram.invalid:{fake.port}/bot")
        env.pop("NO_PROXY", None)
        env.pop("no_proxy", None)
        with running(env, tmp_path) as proc:
            fake.wait_for("getUpdates", timeout=15)
            [answer] = fake.ask("লামা কতবার ডাউনলোড হয়েছে?", timeout=15)
            output = terminated(proc)
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert "১ বিলিয়ন" in answer.text or "বিলিয়ন" in answer.text, answer.text
    assert {"getMe", "getUpdates", "sendMessage"} <= set(proxy.paths), proxy.paths
    assert proc.returncode == 0, output[-2000:]


def test_a_database_that_stops_answering_does_not_stop_the_answers(
    process_fake: FakeTelegram, tmp_path: Path, postgres_target: Any
) -> None:
    """A PostgreSQL that stopped answering (hung, or its packets lost: the connection stays
    open) held every reply: a message's conversation context is read on the reply path, and
    that read waited for as long as the server did, so no user got an answer. Unreadable,
    a context is skipped ('answering without'), as when the database is down."""
    fake = process_fake
    proxy = HangingProxy.to(postgres_target)
    through = proxy.through(postgres_target).location
    try:
        with running(bot_env(fake, tmp_path, LLAMABOT_DATABASE=through), tmp_path) as proc:
            fake.wait_for("getUpdates", timeout=15)
            fake.ask("লামা কতবার ডাউনলোড হয়েছে?", user_id=701, timeout=10)
            proxy.hung = True
            began = time.monotonic()
            [answer] = fake.ask("লামা কতবার ডাউনলোড হয়েছে?", user_id=702, timeout=10)
            waited = time.monotonic() - began
            # What the server swallowed never comes back: the writers' connections wait on
            # (their own timeouts are another matter); stopped the hard way.
            proc.kill()
            output = "".join(proc.communicate(timeout=15))
    finally:
        proxy.close()
    assert "বিলিয়ন" in answer.text, answer.text
    assert waited < 5, waited
    assert "answering without" in output
    assert postgres_target.location not in output  # redacted as ever (no password here)
