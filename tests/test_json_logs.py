"""LLAMABOT_LOG_FORMAT=json: one JSON object per line, and the token still never appears."""

from __future__ import annotations

import io
import json
import logging
import signal
import socket
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fake_telegram import TOKEN, FakeTelegram
from test_tg_process import bot_env, llamabot

from bot.config import ConfigError, load_settings
from bot.logsetup import REDACTED, setup_logging

SECRET_TAIL = TOKEN.split(":")[1]


@pytest.fixture
def json_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, logging.getLogger("httpx").level)
    setup_logging("DEBUG", [TOKEN], stream=stream, log_format="json")
    try:
        yield stream
    finally:  # give pytest its handlers back
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        logging.getLogger("httpx").setLevel(saved[2])
        logging.captureWarnings(False)


def lines(text: str) -> list[dict[str, Any]]:
    entries = [json.loads(line) for line in text.splitlines()]
    assert all(isinstance(e, dict) for e in entries)
    return entries


def test_every_line_is_one_json_object_with_time_level_logger_message(
    json_stream: io.StringIO
) -> None:
    log = logging.getLogger("bot.example")
    log.info("answered %s in %d ms", "লামাকন", 3, extra={"chat_id": 42, "kind": "fact"})
    log.warning("two\nlines")
    first, second = lines(json_stream.getvalue())
    assert first["level"] == "INFO" and first["logger"] == "bot.example"
    assert first["message"] == "answered লামাকন in 3 ms"
    assert (first["chat_id"], first["kind"]) == (42, "fact")  # `extra` fields, typed
    assert "exception" not in first
    moment = datetime.fromisoformat(first["time"].replace("Z", "+00:00"))
    assert first["time"].endswith("Z") and moment.utcoffset() == UTC.utcoffset(None)
    assert abs((datetime.now(UTC) - moment).total_seconds()) < 60
    assert second["message"] == "two\nlines" and second["level"] == "WARNING"


def test_token_is_redacted_from_message_exception_and_extra_fields(
    json_stream: io.StringIO
) -> None:
    log = logging.getLogger("some.library")
    log.debug("url http://x/bot%s/getMe", TOKEN)
    try:
        raise RuntimeError(f"failed http://x/bot{TOKEN}/sendMessage")
    except RuntimeError:
        log.exception("request failed", extra={"url": f"http://x/bot{TOKEN}/getMe"})
    log.info("nested", extra={"request": {"headers": [f"token={SECRET_TAIL}"]}})
    text = json_stream.getvalue()
    assert TOKEN not in text and SECRET_TAIL not in text
    url, failed, nested = lines(text)
    assert url["message"] == f"url http://x/bot{REDACTED}/getMe"
    assert "Traceback" in failed["exception"] and "RuntimeError" in failed["exception"]
    assert f"bot{REDACTED}/sendMessage" in failed["exception"]
    assert failed["url"] == f"http://x/bot{REDACTED}/getMe"
    assert nested["request"] == {"headers": [f"token={REDACTED}"]}


def test_log_format_setting_is_validated(tmp_path: Path) -> None:
    env_file = tmp_path / "missing.env"
    assert load_settings({}, env_file=env_file).log_format == "text"
    assert load_settings({"LLAMABOT_LOG_FORMAT": "JSON"}, env_file=env_file).log_format == "json"
    with pytest.raises(ConfigError, match="^LLAMABOT_LOG_FORMAT is malformed: 'xml'"):
        load_settings({"LLAMABOT_LOG_FORMAT": "xml"}, env_file=env_file)


def test_llamabot_run_writes_json_lines_without_the_token(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a free port for LLAMABOT_HTTP_PORT
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with FakeTelegram(max_poll=0.3) as fake:
        env = bot_env(fake, tmp_path, LLAMABOT_LOG_FORMAT="json", LLAMABOT_HTTP_PORT=str(port))
        proc = llamabot("run", env=env, cwd=tmp_path)
        try:
            fake.wait_for("getUpdates", timeout=15)
            fake.ask("লামা কতবার ডাউনলোড হয়েছে?")
            fake.fail("sendMessage", 500, chat_id=111)  # an error with a traceback in the log
            fake.ask("hello", count=2)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as got:
                scraped = got.read().decode()
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == 0, err
    assert "llamabot_updates_total" in scraped
    assert TOKEN not in out + err and SECRET_TAIL not in out + err
    entries = lines(err)  # every stderr line parses as one JSON object
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    assert any(e["logger"] == "bot.tg.runner" and "polling as" in e["message"] for e in entries)
    failures = [e for e in entries if "exception" in e]
    assert failures and all("Traceback" in e["exception"] for e in failures)
    assert entries[-1]["message"] == "stopped cleanly"
