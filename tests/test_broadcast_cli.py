"""`llamabot broadcast` as a real subprocess, on a SQLite file and on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.storage.connection import DatabaseTarget
from bot.storage.outbox import Outbox

ROOT = Path(__file__).resolve().parent.parent
ENTRY = """
import sys
from bot import cli
sys.exit(cli.main())
"""


def llamabot(target: DatabaseTarget, *args: str,
             stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, LLAMABOT_DATABASE=target.location, LLAMABOT_BROADCAST_RATE="25")
    return subprocess.run([sys.executable, "-c", ENTRY, *args], cwd=ROOT, env=env,
                          input=stdin, capture_output=True, text=True, timeout=30)


def subscribed(target: DatabaseTarget, *chat_ids: int) -> None:
    outbox = Outbox.open(target)
    outbox.add_subscribers(chat_ids, "test", datetime.now(UTC))
    outbox.close()


def test_dry_run_prints_count_and_text_and_queues_nothing(database_target: DatabaseTarget,
                                                           ) -> None:
    path = database_target
    subscribed(path, 1, 2, 3)
    result = llamabot(path, "broadcast", "--text", "লামাকন আগামীকাল!", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "would send to 3 subscriber(s)" in result.stdout
    assert "লামাকন আগামীকাল!" in result.stdout
    outbox = Outbox.open(path)
    assert outbox.remaining() == 0 and outbox.recent() == []
    outbox.close()


def test_broadcast_queues_for_every_subscriber_and_status_shows_it(
        database_target: DatabaseTarget) -> None:
    path = database_target
    subscribed(path, *range(1, 101))
    result = llamabot(path, "broadcast", "--text", "-", stdin="প্রথম লাইন\nদ্বিতীয় লাইন\n")
    assert result.returncode == 0, result.stderr
    assert "broadcast #1 queued for 100 subscriber(s)" in result.stdout
    assert "25/s" in result.stdout
    outbox = Outbox.open(path)
    [item, *_] = outbox.pending_batch(1)
    assert item.text == "প্রথম লাইন\nদ্বিতীয় লাইন"
    outbox.claim(item, datetime.now(UTC))
    outbox.record(item, "sent", datetime.now(UTC))
    outbox.close()
    status = llamabot(path, "broadcast", "status")
    assert status.returncode == 0, status.stderr
    header, row = status.stdout.splitlines()[:2]
    assert header.split() == ["id", "kind", "state", "created", "(UTC)", "total", "sent", "failed",
                              "blocked", "remaining"]
    assert row.split()[:3] == ["1", "announcement", "queued"]
    assert row.split()[-5:] == ["100", "1", "0", "0", "99"]


def test_errors_are_one_line_and_exit_2(database_target: DatabaseTarget) -> None:
    path = database_target
    Outbox.open(path).close()  # a database that exists: a missing one is refused on its own
    for args in (("broadcast",), ("broadcast", "--text", "   "),
                 ("broadcast", "--text", "x" * 4097)):
        result = llamabot(path, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "no broadcasts yet" in llamabot(path, "broadcast", "status").stdout
    env_rate = dict(os.environ, LLAMABOT_DATABASE=path.location, LLAMABOT_BROADCAST_RATE="fast")
    bad = subprocess.run([sys.executable, "-c", ENTRY, "broadcast", "--text", "hi"],
                         cwd=ROOT, env=env_rate, capture_output=True, text=True, timeout=30)
    assert bad.returncode == 2 and "LLAMABOT_BROADCAST_RATE" in bad.stderr
    outbox = Outbox.open(path)
    assert outbox.recent() == []  # nothing queued by a refused command
    outbox.close()


def test_the_limit_is_counted_as_telegram_counts(database_target: DatabaseTarget) -> None:
    """2,100 emoji are 4,200 UTF-16 units: over Telegram's 4,096, though only 2,100 code
    points. Before, it was queued and then refused by Telegram for every subscriber."""
    subscribed(database_target, 1, 2)
    result = llamabot(database_target, "broadcast", "--text", "😀" * 2100)
    assert result.returncode == 2, result.stdout
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "4200" in result.stderr and "4096" in result.stderr, result.stderr
    outbox = Outbox.open(database_target)
    assert outbox.recent() == []
    outbox.close()
    fits = llamabot(database_target, "broadcast", "--text", "😀" * 2048)
    assert fits.returncode == 0, fits.stderr


def test_unreachable_postgresql_is_one_line_without_the_password() -> None:
    target = DatabaseTarget.parse("postgresql://bot:hunter2-secret@127.0.0.1:1/llamabot")
    result = llamabot(target, "broadcast", "status")
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot open database")
    assert result.stderr.count("\n") == 1, result.stderr
    assert "hunter2-secret" not in result.stderr and "***" in result.stderr


def test_an_endless_stdin_is_read_only_as_far_as_a_message_can_go(
    database_target: DatabaseTarget,
) -> None:
    """Found by the red-team run: "--text - < /dev/zero" read until killed."""
    env = dict(os.environ, LLAMABOT_DATABASE=database_target.location)
    with open("/dev/zero", "rb") as endless:
        result = subprocess.run([sys.executable, "-c", ENTRY, "broadcast", "--text", "-"],
                                cwd=ROOT, env=env, stdin=endless, capture_output=True,
                                text=True, timeout=30)
    assert result.returncode == 2 and "Telegram allows" in result.stderr, result.stderr


def test_a_control_character_is_refused_on_both_engines(database_target: DatabaseTarget) -> None:
    """A NUL byte was queued on SQLite for every subscriber, and refused on PostgreSQL by the
    driver's own words; an escape sequence pasted from a terminal went out as it was."""
    subscribed(database_target, 1)
    for text in ("a\0b", "title\x1b[1m bold", "a\x7fb"):
        result = llamabot(database_target, "broadcast", "--text", "-", stdin=text)
        assert result.returncode == 2, result.stdout
        assert result.stderr.startswith("error: the announcement holds a control character")
        assert result.stderr.count("\n") == 1, result.stderr
    outbox = Outbox.open(database_target)
    assert outbox.recent() == []
    outbox.close()
    fits = llamabot(database_target, "broadcast", "--text", "-", stdin="line\n\tindented\r\n")
    assert fits.returncode == 0, fits.stderr


def test_a_port_that_is_not_postgresql_is_said_in_words() -> None:
    """A URL pointing at a web server's port: libpq's reason ends in the byte it got
    ("...response to SSL negotiation: H"), and only the "H" was shown."""
    import socket
    import threading

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def answer_like_http() -> None:
        with server:
            connection, _ = server.accept()
            with connection:
                connection.recv(64)
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")

    threading.Thread(target=answer_like_http, daemon=True).start()
    target = DatabaseTarget.parse(f"postgresql://bot:hunter2-secret@127.0.0.1:{port}/llamabot")
    result = llamabot(target, "broadcast", "status")
    assert result.returncode == 2
    assert result.stderr.rstrip().endswith(
        "cannot connect: received invalid response to SSL negotiation: H"), result.stderr
    assert "hunter2-secret" not in result.stderr
