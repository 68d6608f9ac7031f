"""The command line when its streams misbehave: stdin closed or endless, stdout on a full
disk, Ctrl-C or SIGTERM mid-command. Real `llamabot` subprocesses, real SQLite files; each
ends in one `error:` line (or nothing to do), never a traceback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import KNOWLEDGE_DIR

from bot.storage.outbox import Outbox
from bot.storage.question_log import QuestionLog
from bot.storage.records import QuestionRecord, UserSeen

LLAMABOT = str(Path(sys.executable).parent / "llamabot")


def environment(**env: str) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "LLAMABOT_"))}
    return {**kept, "LLAMABOT_KNOWLEDGE_DIR": str(KNOWLEDGE_DIR), **env}


def no_traceback(result: subprocess.CompletedProcess[bytes]) -> str:
    err = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    return err


def with_stdin_closed(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[bytes]:
    # `llamabot ... <&-`: Python starts with sys.stdin None.
    return subprocess.run([LLAMABOT, *args], stdin=subprocess.DEVNULL, capture_output=True,
                          cwd=cwd, env=environment(**env), timeout=60,
                          preexec_fn=lambda: os.close(0))


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "bot.sqlite3"
    Outbox.open(path).close()  # migrated, as `llamabot run` leaves it
    return path


@pytest.mark.parametrize("args", [
    ["ask", "--json", "-"],
    ["ask", "--json", "--chat", "-"],
    ["ask", "-"],
])
def test_ask_with_stdin_closed_answers_nothing(tmp_path: Path, args: list[str]) -> None:
    result = with_stdin_closed(*args, cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 0 and result.stdout == b""


def test_broadcast_text_from_a_closed_stdin_is_empty(tmp_path: Path, database: Path) -> None:
    result = with_stdin_closed("broadcast", "--text", "-", "--database", str(database),
                               cwd=tmp_path)
    err = no_traceback(result)
    assert result.returncode == 2 and err == "error: the announcement text is empty\n"


def test_shell_with_stdin_closed_ends_at_once(tmp_path: Path) -> None:
    result = with_stdin_closed("shell", cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 0


def test_kb_review_with_stdin_closed_stops_at_the_first_card(tmp_path: Path,
                                                             database: Path) -> None:
    log = QuestionLog(database)
    now = datetime.now(UTC)
    assert log.write([UserSeen(1, now)],
                     [QuestionRecord(now, "private", "ajke brishti hobe", "fallback", None, 20.0,
                                     asked_by=1)]), log.error
    log.close()
    result = with_stdin_closed("kb", "review", "--database", str(database), cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 0 and b"Review finished." in result.stdout


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize("args", [
    ["ask", "--json", "llamacon kobe"],
    ["kb", "validate"],
    ["broadcast", "status"],
    ["kb", "gaps", "--format", "json"],
])
def test_output_to_a_full_disk_is_one_line(tmp_path: Path, database: Path,
                                           args: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run([LLAMABOT, *args], stdin=subprocess.DEVNULL, stdout=full,
                                stderr=subprocess.PIPE, cwd=tmp_path, timeout=60,
                                env=environment(LLAMABOT_DATABASE=str(database)))
    err = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert result.returncode == 2 and err == "error: No space left on device\n", err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize("args", [
    ["--help"],
    ["-h"],
    ["kb", "eval", "--help"],
    ["data", "purge", "--help"],
    ["broadcast", "status", "--help"],
])
def test_help_to_a_full_disk_is_one_line(tmp_path: Path, args: list[str]) -> None:
    """argparse swallows a failed write of its help and exits 0: nobody learnt the help
    was never written."""
    with open("/dev/full", "wb") as full:
        result = subprocess.run([LLAMABOT, *args], stdin=subprocess.DEVNULL, stdout=full,
                                stderr=subprocess.PIPE, cwd=tmp_path, timeout=60,
                                env=environment())
    err = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert result.returncode == 2 and err == "error: No space left on device\n", err


@pytest.mark.parametrize("args", [["--help"], ["kb", "eval", "--help"]])
def test_help_into_a_closed_pipe_is_quiet(tmp_path: Path, args: list[str]) -> None:
    # `llamabot --help | head -1`: the reader went away, as for any other output.
    read, write = os.pipe()
    os.close(read)
    try:
        result = subprocess.run([LLAMABOT, *args], stdin=subprocess.DEVNULL, stdout=write,
                                stderr=subprocess.PIPE, cwd=tmp_path, timeout=60,
                                env=environment())
    finally:
        os.close(write)
    assert result.returncode == 0 and result.stderr == b"", result.stderr


def test_help_is_still_written(tmp_path: Path) -> None:
    result = subprocess.run([LLAMABOT, "data", "purge", "--help"], capture_output=True,
                            cwd=tmp_path, timeout=60, env=environment())
    assert result.returncode == 0 and result.stderr == b""
    assert result.stdout.startswith(b"usage: llamabot data purge")


def test_ask_stdin_lines_are_bounded(tmp_path: Path) -> None:
    # /dev/zero, or a stream that never sends a newline: a line is read up to a bound
    # (far past any message), answered, and the rest of it skipped, not kept in memory.
    script = ("import sys\n"
              "out = sys.stdout.buffer\n"
              "out.write(b'x' * (8 << 20) + b'\\n')\n"  # 8 MiB of one line
              "out.write(b'y' * 1_000_000 + b'\\n')\n"  # 1 MB: whole
              "out.write(b'llamacon kobe\\n')\n")
    feeder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    try:
        result = subprocess.run(
            ["prlimit", f"--as={1200 << 20}", LLAMABOT, "ask", "--json", "-"],
            stdin=feeder.stdout, capture_output=True, cwd=tmp_path, env=environment(),
            timeout=120)
    finally:
        feeder.wait(timeout=60)
    no_traceback(result)
    assert result.returncode == 0
    rows = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert len(rows) == 3
    assert rows[0]["question"] == "x" * (1 << 20)
    assert rows[1]["question"] == "y" * 1_000_000
    assert rows[2]["fact_id"] == "llamacon"


def started(args: list[str], cwd: Path, **env: str) -> subprocess.Popen[bytes]:
    # SIGINT as a terminal's Ctrl-C sends it (a shell's background job would ignore it).
    return subprocess.Popen([LLAMABOT, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=cwd, env=environment(**env),
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


@pytest.mark.parametrize("args", [["ask", "--json", "-"], ["broadcast", "--text", "-"]])
def test_ctrl_c_while_reading_stdin_is_one_line(tmp_path: Path, database: Path,
                                                args: list[str]) -> None:
    process = started(args, tmp_path, LLAMABOT_DATABASE=str(database))
    time.sleep(2)  # started and waiting for stdin
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert "Traceback" not in err.decode(), err.decode()
    assert process.returncode == 130 and err.decode() == "error: interrupted\n"


def old_questions(database: Path, count: int) -> None:
    log = QuestionLog(database)
    at = datetime.now(UTC) - timedelta(days=400)
    rows = [QuestionRecord(at, "private", f"q{i}", "fallback", None, 20.0, asked_by=1)
            for i in range(count)]
    assert log.write([UserSeen(1, at)], rows), log.error
    log.close()


def questions_left(database: Path) -> int:
    import sqlite3

    with sqlite3.connect(database) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM questions").fetchone()[0])


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_purge_stopped_midway_says_what_it_deleted(tmp_path: Path, database: Path,
                                                     sig: signal.Signals) -> None:
    old_questions(database, 30_000)  # 30 batches, 0.1 s apart: stopped after the first few
    process = started(["data", "purge", "--older-than", "90d", "--database", str(database)],
                      tmp_path)
    time.sleep(2)
    process.send_signal(sig)
    out, err = process.communicate(timeout=30)
    text = err.decode()
    assert "Traceback" not in text, text
    assert process.returncode == 128 + sig and out == b""
    assert text.startswith("error: interrupted: deleted ") and text.count("\n") == 1, text
    deleted = int(text.split("deleted ")[1].split(" ")[0])
    assert 0 < deleted < 30_000 and deleted % 1000 == 0  # whole batches, each committed
    assert questions_left(database) == 30_000 - deleted
    assert "run it again to finish" in text
    again = subprocess.run([LLAMABOT, "data", "purge", "--older-than", "90d", "--database",
                            str(database)], capture_output=True, cwd=tmp_path,
                           env=environment(), timeout=120)
    assert again.returncode == 0, again.stderr.decode()
    assert questions_left(database) == 0


def test_shell_lines_from_a_pipe_are_bounded(tmp_path: Path) -> None:
    # One line of 1 GiB, more than the address space the shell is given.
    script = ("import sys\n"
              "for _ in range(1024): sys.stdout.buffer.write(b'x' * (1 << 20))\n"
              "sys.stdout.buffer.write(b'\\nllamacon kobe\\n')\n")
    feeder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    try:
        result = subprocess.run(["prlimit", f"--as={1200 << 20}", LLAMABOT, "shell"],
                                stdin=feeder.stdout, capture_output=True, cwd=tmp_path,
                                env=environment(), timeout=120)
    finally:
        feeder.wait(timeout=60)
    no_traceback(result)
    assert result.returncode == 0 and "২০২৫" in result.stdout.decode("utf-8")
