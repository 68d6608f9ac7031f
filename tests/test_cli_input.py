"""The `llamabot` command on bad bytes, bad settings and bad options, as a real subprocess.

Whatever the locale and whatever comes in, a command answers or stops with one line and
exit code 2: never a traceback, never invalid JSON.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import KNOWLEDGE_DIR
from fake_telegram import FakeTelegram

LLAMABOT = str(Path(sys.executable).parent / "llamabot")
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
INVALID_UTF8 = "লামাকন কবে".encode() + b"\xff\xfe?\n"


def llamabot(*args: str, cwd: Path, stdin: bytes = b"",
             **env: str) -> subprocess.CompletedProcess[bytes]:
    # Bytes in and out: the test decides how to decode, not the test's own locale.
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("TELEGRAM_", "LLAMABOT_", "LC_", "PYTHONIO", "PYTHONUTF8"))}
    environment.update(env)
    return subprocess.run([LLAMABOT, *args], input=stdin, capture_output=True, cwd=cwd,
                          env=environment, timeout=60)


def one_line_error(result: subprocess.CompletedProcess[bytes], *expected: str) -> str:
    """The stderr of a refused command: exit 2, one `error:` line naming what to fix."""
    err = result.stderr.decode("utf-8")
    assert result.returncode == 2, err
    assert "Traceback" not in err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    for word in expected:
        assert word in err, err
    return err


# Locales that used to break `ask`: a strict UTF-8 decoder (a traceback), C.UTF-8 whose
# surrogate escapes came out as invalid UTF-8, and plain ASCII output (a traceback).
@pytest.mark.parametrize("locale", [
    {"LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8:strict"},
    {"LC_ALL": "C.UTF-8"},
    {"LC_ALL": "C", "PYTHONUTF8": "0"},
])
def test_ask_json_on_invalid_utf8_prints_valid_json(tmp_path: Path,
                                                    locale: dict[str, str]) -> None:
    result = llamabot("--knowledge", str(KNOWLEDGE_DIR), "ask", "--json", "-", cwd=tmp_path,
                      stdin=INVALID_UTF8 + "লামা কতবার ডাউনলোড হয়েছে?\n".encode(), **locale)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in result.stderr
    rows = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert rows[0]["question"] == "লামাকন কবে\ufffd\ufffd?"
    assert rows[1]["fact_id"] == "downloads_milestone"


@pytest.mark.parametrize("locale", [{"LC_ALL": "C.UTF-8"}, {"LC_ALL": "C", "PYTHONUTF8": "0"}])
def test_ask_arguments_are_utf8_whatever_the_locale(tmp_path: Path,
                                                    locale: dict[str, str]) -> None:
    # subprocess passes these str arguments on as the bytes os.fsencode makes of them.
    for typed, question in (("লামাকন কবে?".encode() + b"\xff", "লামাকন কবে?\ufffd"),
                            ("লামাকন কবে?".encode(), "লামাকন কবে?")):
        result = llamabot("--knowledge", str(KNOWLEDGE_DIR), "ask", "--json",
                          os.fsdecode(typed), cwd=tmp_path, **locale)
        assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
        row = json.loads(result.stdout.decode("utf-8"))
        assert (row["question"], row["fact_id"]) == (question, "llamacon")


def test_broadcast_text_in_invalid_utf8_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    from bot.storage.outbox import Outbox

    Outbox.open(database).close()
    for locale in ({"LC_ALL": "C.UTF-8"}, {"LC_ALL": "C", "PYTHONUTF8": "0"}):
        result = llamabot("broadcast", "--database", str(database), "--text", "-", cwd=tmp_path,
                          stdin=INVALID_UTF8, **locale)
        one_line_error(result, "UTF-8")
        argument = llamabot("broadcast", "--database", str(database), "--text",
                            os.fsdecode(INVALID_UTF8), cwd=tmp_path, **locale)
        one_line_error(argument, "UTF-8")
    outbox = Outbox.open(database)
    assert outbox.recent() == []
    outbox.close()


def test_shell_takes_digits_that_are_not_suggestion_numbers_as_questions(tmp_path: Path) -> None:
    # "①" and "²" are digits to str.isdigit() but not numbers to int(); 5,000 nines exceed
    # int()'s digit limit. "১" (Bengali one) picks the first suggestion like "1".
    typed = "লামাকন কবে?\n①\n²\n" + "9" * 5000 + "\nlamacon kobe\n১\nexit\n"
    result = llamabot("--knowledge", str(KNOWLEDGE_DIR), "shell", cwd=tmp_path,
                      stdin=typed.encode(), XDG_STATE_HOME=str(tmp_path))
    out, err = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    assert result.returncode == 0, err
    assert "Traceback" not in err
    assert out.count("লামাবট>") == 6


def test_env_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"# settings\nLLAMABOT_TIMEZONE=Asia/Dhaka # \xe9t\xe9\n")
    result = llamabot("--knowledge", str(KNOWLEDGE_DIR), "ask", "hello", cwd=tmp_path)
    one_line_error(result, ".env:2", "UTF-8")


def test_env_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    # Windows editors save UTF-8 with a BOM; the first setting must still count.
    (tmp_path / ".env").write_text("LLAMABOT_TIMEZONE=Nowhere/Atlantis\n", encoding="utf-8-sig")
    result = llamabot("--knowledge", str(KNOWLEDGE_DIR), "ask", "hello", cwd=tmp_path)
    one_line_error(result, "LLAMABOT_TIMEZONE")
    (tmp_path / ".env").write_text("LLAMABOT_TIMEZONE=Asia/Dhaka\n", encoding="utf-8-sig")
    assert llamabot("--knowledge", str(KNOWLEDGE_DIR), "ask", "hello",
                    cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(("option", "value"), [
    ("--port", "99999"), ("--port", "-1"), ("--port", "0"),
    ("--listen", "999.1.1.1"), ("--listen", "bad host"), ("--listen", "-x"),
])
def test_run_webhook_refuses_a_bad_port_or_listen_address(tmp_path: Path, option: str,
                                                          value: str) -> None:
    # The base URL answers nothing: the options must be refused before any connection.
    result = llamabot("--knowledge", str(KNOWLEDGE_DIR), "run", "--webhook",
                      "https://bot.example.org/tg", f"{option}={value}", cwd=tmp_path,
                      TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL="http://127.0.0.1:9/bot",
                      LLAMABOT_DATABASE=str(tmp_path / "bot.sqlite3"))
    one_line_error(result, option, value)
    assert not (tmp_path / "bot.sqlite3").exists()


@pytest.mark.parametrize(("setting", "value"), [
    ("LLAMABOT_HTTP_LISTEN", "999.1.1.1"), ("LLAMABOT_HTTP_LISTEN", "::1::2"),
])
def test_bad_http_listen_setting_is_one_line(tmp_path: Path, setting: str, value: str) -> None:
    result = llamabot("--knowledge", str(KNOWLEDGE_DIR), "run", cwd=tmp_path,
                      TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL="http://127.0.0.1:9/bot",
                      LLAMABOT_HTTP_PORT="9464", **{setting: value})
    err = one_line_error(result, setting, value)
    assert "Unknown error" not in err


def last_line_error(result: subprocess.CompletedProcess[bytes], *expected: str) -> str:
    """A bot that failed while starting: its log, then one `error:` line, exit 2."""
    err = result.stderr.decode("utf-8")
    assert result.returncode == 2, err
    assert "Traceback" not in err and "Unknown error" not in err, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: "), err
    for word in expected:
        assert word in last, err
    return last


def test_unknown_http_listen_host_names_the_resolver_error(tmp_path: Path) -> None:
    # A well-formed host name that does not resolve fails at bind time: say why in words.
    result = llamabot("--knowledge", str(KNOWLEDGE_DIR), "run", cwd=tmp_path,
                      TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL="http://127.0.0.1:9/bot",
                      LLAMABOT_DATABASE=str(tmp_path / "bot.sqlite3"),
                      LLAMABOT_HTTP_PORT="9464", LLAMABOT_HTTP_LISTEN="no-such-host.invalid")
    last_line_error(result, "LLAMABOT_HTTP_PORT", "no-such-host.invalid:9464")


@pytest.mark.parametrize("listen", ["127.0.0.1", "no-such-host.invalid"])
def test_webhook_that_cannot_listen_stops_with_one_line(tmp_path: Path, listen: str) -> None:
    with socket.socket() as busy, FakeTelegram(max_poll=0.3) as fake:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        result = llamabot("--knowledge", str(KNOWLEDGE_DIR), "run", "--webhook",
                          "https://bot.example.org/tg", "--listen", listen, "--port", port,
                          cwd=tmp_path, TELEGRAM_BOT_TOKEN=fake.token,
                          TELEGRAM_BASE_URL=fake.base_url,
                          LLAMABOT_DATABASE=str(tmp_path / "bot.sqlite3"))
    last_line_error(result, "--listen", f"{listen}:{port}")


@pytest.mark.parametrize("command", [
    ["broadcast", "--text", "লামাকন আগামীকাল!"],
    ["broadcast", "--text", "লামাকন আগামীকাল!", "--dry-run"],
    ["broadcast", "status"],
])
def test_broadcast_refuses_a_database_that_does_not_exist(tmp_path: Path,
                                                          command: list[str]) -> None:
    typo = tmp_path / "data" / "llamabto.sqlite3"
    given = llamabot(*command, "--database", str(typo), cwd=tmp_path)
    one_line_error(given, str(typo))
    # Without --database: the default data/llamabot.sqlite3 of a folder that has none.
    default = llamabot(*command, cwd=tmp_path)
    one_line_error(default, "llamabot.sqlite3")
    assert not typo.exists() and not (tmp_path / "data").exists()


@pytest.mark.parametrize("where", ["environment", ".env"])
def test_knowledge_dir_typo_stops_with_one_line(tmp_path: Path, where: str) -> None:
    typo = str(KNOWLEDGE_DIR) + "s"
    env = {"LLAMABOT_KNOWLEDGE_DIR": typo} if where == "environment" else {}
    if where == ".env":
        (tmp_path / ".env").write_text(f"LLAMABOT_KNOWLEDGE_DIR={typo}\n", encoding="utf-8")
    for command in (["ask", "hello"], ["run"]):
        result = llamabot(*command, cwd=tmp_path, TELEGRAM_BOT_TOKEN=TOKEN,
                          TELEGRAM_BASE_URL="http://127.0.0.1:9/bot",
                          LLAMABOT_DATABASE=str(tmp_path / "bot.sqlite3"), **env)
        one_line_error(result, "LLAMABOT_KNOWLEDGE_DIR", typo)


def test_without_the_setting_the_bundled_knowledge_is_used(tmp_path: Path) -> None:
    # Run outside a checkout (no ./knowledge) and with nothing set: the packaged folder.
    result = llamabot("ask", "--json", "লামাকন কবে?", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode("utf-8")
    assert json.loads(result.stdout.decode("utf-8"))["fact_id"] == "llamacon"


@pytest.mark.parametrize("command", [
    ["kb", "gaps"], ["kb", "gaps", "--format", "csv"], ["kb", "review"],
    ["data", "purge", "--older-than", "90d"],
])
def test_a_database_that_cannot_be_opened_is_one_line(tmp_path: Path,
                                                      command: list[str]) -> None:
    # The question log's warning for a running bot's log ("answering without logging") came
    # first, on a line of its own.
    database = tmp_path / "bot.sqlite3"
    database.write_bytes(b"not a database\n" * 100)
    result = llamabot(*command, "--database", str(database), cwd=tmp_path,
                      LLAMABOT_KNOWLEDGE_DIR=str(KNOWLEDGE_DIR))
    one_line_error(result, str(database), "file is not a database")
