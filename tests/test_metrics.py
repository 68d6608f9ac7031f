"""/metrics over real HTTP: counters and the latency histogram move by exactly what was sent.

The bot runs against the fake Bot API (polling with `LLAMABOT_HTTP_PORT`'s server, or
webhook mode); the exposition text is parsed strictly, line by line.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import KNOWLEDGE_DIR, BotThread, start_bot, uncertain_question
from fake_telegram import TOKEN, FakeTelegram

from bot.config import ConfigError, load_settings
from bot.core.answer import AnswerKind
from bot.metrics import CONTENT_TYPE, LATENCY_BUCKETS, Metrics
from bot.storage.connection import DatabaseTarget, connect
from bot.storage.outbox import Outbox
from bot.tg.runner import DEPTH_FRESH

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"'
_SAMPLE = re.compile(rf"^({_NAME})(?:\{{({_LABEL}(?:,{_LABEL})*)\}})? (\S+)$")
_SUFFIXES = ("_bucket", "_sum", "_count")


def parse_exposition(text: str) -> Samples:
    """Parse Prometheus text format 0.0.4 strictly: HELP and TYPE before every family's samples."""
    assert text.endswith("\n")
    types: dict[str, str] = {}
    helped: set[str] = set()
    samples: Samples = {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name = line.split(" ", 3)[2]
            assert re.fullmatch(_NAME, name) and name not in helped, line
            helped.add(name)
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in ("counter", "gauge", "histogram") and name in helped, line
            types[name] = kind
        else:
            match = _SAMPLE.match(line)
            assert match, f"not a sample line: {line!r}"
            name, labels, value = match.groups()
            family = next((name[: -len(s)] for s in _SUFFIXES
                           if name.endswith(s) and types.get(name[: -len(s)]) == "histogram"),
                          name)
            assert family in types, f"sample before its TYPE line: {line!r}"
            pairs = frozenset(tuple(p.split("=", 1)) for p in
                              re.findall(_LABEL, labels or ""))
            key = (name, frozenset((k, v.strip('"')) for k, v in pairs))
            assert key not in samples, f"duplicate sample: {line!r}"
            samples[key] = float(value)  # accepts +Inf too
    for name, kind in types.items():
        if kind == "histogram":
            buckets = sorted(((float(dict(labels)["le"]), v) for (n, labels), v in samples.items()
                              if n == f"{name}_bucket"))
            counts = [v for _, v in buckets]
            assert counts == sorted(counts), f"{name} buckets are not cumulative"
            assert buckets[-1][0] == math.inf
            assert buckets[-1][1] == samples[(f"{name}_count", frozenset())]
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def scrape(port: int, path: str = "/metrics") -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read().decode()


def metrics(port: int) -> Samples:
    status, content_type, text = scrape(port)
    assert status == 200 and content_type == CONTENT_TYPE
    return parse_exposition(text)


def wait_metrics(port: int, name: str, expected: float, timeout: float = 5.0,
                 **labels: str) -> Samples:
    """Scrape until `name` reaches `expected` (handlers finish just after their reply)."""
    deadline = time.monotonic() + timeout
    while True:
        samples = metrics(port)
        if value(samples, name, **labels) >= expected or time.monotonic() > deadline:
            return samples
        time.sleep(0.02)


@pytest.fixture
def polling(bot_settings: Any) -> Iterator[BotThread]:
    running = start_bot(replace(bot_settings, http_port=0))
    yield running
    running.stop()


def test_questions_move_counters_and_histogram_by_exactly_what_was_sent(
    polling: BotThread, fake_telegram: FakeTelegram
) -> None:
    port = polling.runtime.http_port
    before = metrics(port)
    questions = {"llamacon kobe": "fact", "hello": "smalltalk", "🙂": "empty",
                 "How do I reset my Facebook password?": "fallback",
                 "মামলার রায় কবে হবে?": "not_in_article",
                 uncertain_question(polling.services.responder): "suggest"}
    for user, question in enumerate(questions, start=500):
        fake_telegram.ask(question, user_id=user)
    sticker = {"file_id": "s", "file_unique_id": "su", "type": "regular", "width": 1,
               "height": 1, "is_animated": False, "is_video": False}
    fake_telegram.ask(None, user_id=600, sticker=sticker)  # an update, but not an answer
    sent = len(questions) + 1

    after = wait_metrics(port, "llamabot_updates_total", value(before, "llamabot_updates_total")
                         + sent)
    time.sleep(0.1)  # nothing else may trickle in
    after = metrics(port)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("llamabot_updates_total") == sent
    for kind in ("fact", "smalltalk", "suggest", "fallback", "empty", "not_in_article"):
        assert delta("llamabot_answers_total", kind=kind) == 1, kind
    assert delta("llamabot_update_errors_total") == 0
    assert delta("llamabot_reply_latency_seconds_count") == sent
    assert delta("llamabot_reply_latency_seconds_bucket", le="+Inf") == sent
    assert delta("llamabot_reply_latency_seconds_bucket", le="5") == sent  # none took > 5 s
    assert 0 < delta("llamabot_reply_latency_seconds_sum") < 5 * sent
    # Every series is there from the start, even kinds never answered yet.
    assert {dict(labels).get("kind") for (name, labels) in before
            if name == "llamabot_answers_total"} == {kind.value for kind in AnswerKind}
    assert set(questions.values()) <= {kind.value for kind in AnswerKind}
    assert value(after, "llamabot_outbox_depth") == 0
    assert value(after, "llamabot_broadcast_messages_total", result="sent") == 0


def test_failed_update_is_counted(polling: BotThread, fake_telegram: FakeTelegram) -> None:
    port = polling.runtime.http_port
    before = value(metrics(port), "llamabot_update_errors_total")
    fake_telegram.fail("sendMessage", 400, chat_id=700)  # the answer fails, the apology goes out
    fake_telegram.ask("hello", user_id=700, count=2)
    samples = wait_metrics(port, "llamabot_update_errors_total", before + 1)
    assert value(samples, "llamabot_update_errors_total") == before + 1


def test_polling_server_serves_only_health_and_metrics(polling: BotThread) -> None:
    port = polling.runtime.http_port
    status, content_type, body = scrape(port, "/healthz")
    assert status == 200 and content_type == "application/json" and '"ok"' in body
    assert scrape(port, "/telegram")[0] == 404
    assert scrape(port, "/")[0] == 404
    request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", data=b"{}",
                                     method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 405
    assert TOKEN not in scrape(port)[2]


def test_broadcast_results_and_outbox_depth(
    polling: BotThread, fake_telegram: FakeTelegram, bot_settings: Any
) -> None:
    port = polling.runtime.http_port
    outbox = Outbox.open(bot_settings.database)
    try:
        now = datetime.now(UTC)
        outbox.add_subscribers([801, 802, 803, 804], "test", now)
        fake_telegram.fail("sendMessage", 403, chat_id=801)  # blocked the bot
        fake_telegram.fail("sendMessage", 400, chat_id=802)  # chat not found: failed
        # Every send takes a second: for that long all four are still pending or in flight.
        fake_telegram.delays["sendMessage"] = 1.0
        outbox.announce("লামাকন আসছে", now)
        assert value(metrics(port), "llamabot_outbox_depth") == 4
        del fake_telegram.delays["sendMessage"]
        samples = wait_metrics(port, "llamabot_broadcast_messages_total", 2, timeout=15,
                               result="sent")
        deadline = time.monotonic() + 5
        while value(samples, "llamabot_outbox_depth") and time.monotonic() < deadline:
            samples = metrics(port)
    finally:
        outbox.close()
    assert value(samples, "llamabot_broadcast_messages_total", result="sent") == 2
    assert value(samples, "llamabot_broadcast_messages_total", result="failed") == 1
    assert value(samples, "llamabot_broadcast_messages_total", result="blocked") == 1
    assert value(samples, "llamabot_broadcast_throttled_total") == 0
    assert value(samples, "llamabot_outbox_depth") == 0


def test_a_flood_of_scrapes_counts_the_outbox_once_a_second(
    polling: BotThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by a red-team run: /metrics is public (on the webhook's port), and each scrape
    counted the outbox's unsent rows on the broadcast sender's own database thread. 64
    clients scraping on and on held a broadcast to 300,000 subscribers at 0.5 messages a
    second (300 without them; a flood of 404s: 86), each timed-out scrape logging a line."""
    reads: list[float] = []
    remaining = Outbox.remaining
    monkeypatch.setattr(Outbox, "remaining",
                        lambda self: reads.append(time.monotonic()) or remaining(self))
    port = polling.runtime.http_port
    started = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        scraped = list(pool.map(lambda _: scrape(port), range(64)))
    elapsed = time.monotonic() - started
    assert all(status == 200 for status, _, _ in scraped)
    assert all(value(parse_exposition(text), "llamabot_outbox_depth") == 0
               for _, _, text in scraped)
    assert 1 <= len(reads) <= 1 + elapsed / DEPTH_FRESH, (len(reads), elapsed)


def test_a_broadcast_result_the_database_refuses_shows_in_health_and_metrics(
    bot_settings: Any, fake_telegram: FakeTelegram, postgres_target: DatabaseTarget
) -> None:
    """Before, a send whose result could not be written left /healthz saying ok while the
    broadcast could not finish (and would be sent again at the next start)."""
    running = start_bot(replace(bot_settings, http_port=0, database=postgres_target))
    outbox = Outbox.open(postgres_target)
    locker = connect(postgres_target)
    try:
        port = running.runtime.http_port
        now = datetime.now(UTC)
        outbox.add_subscribers([801], "test", now)
        fake_telegram.holds["sendMessage"] = release = threading.Event()
        broadcast_id, _ = outbox.announce("লামাকন আসছে", now)
        fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == 801, timeout=10)
        with locker.transaction() as db:  # a long transaction holds the row meanwhile
            db.execute("SELECT 1 FROM outbox FOR UPDATE")
            release.set()  # the message goes out; writing `sent` waits 5 s, then fails
            samples = wait_metrics(port, "llamabot_broadcast_unrecorded", 1, timeout=15)
            assert value(samples, "llamabot_broadcast_unrecorded") == 1
            assert value(samples, "llamabot_broadcast_record_failures_total") >= 1
            status, _, body = scrape(port, "/healthz")
            assert status == 503, body
            health = json.loads(body)
            assert health["status"] == "degraded"
            assert health["broadcasts"] == {"unrecorded_results": 1}
        deadline = time.monotonic() + 15
        while (progress := outbox.progress(broadcast_id)) is None or progress.sent != 1:
            assert time.monotonic() < deadline, "the result was not written"
            time.sleep(0.05)
        # The row is committed a moment before the writer forgets the result it kept.
        while value(metrics(port), "llamabot_broadcast_unrecorded") != 0:
            assert time.monotonic() < deadline, "the written result is still counted"
            time.sleep(0.02)
        assert scrape(port, "/healthz")[0] == 200
        assert len(fake_telegram.calls_to("sendMessage")) == 1
    finally:
        running.stop()
        locker.close()
        outbox.close()


def test_webhook_server_serves_metrics(bot_settings: Any, fake_telegram: FakeTelegram) -> None:
    from test_tg_webhook import SECRET, request, update

    from bot.tg.runner import WebhookOptions

    options = WebhookOptions("https://bot.example.org/tg/hook", "127.0.0.1", 0, SECRET)
    hooked = start_bot(replace(bot_settings, http_port=1), webhook=options)  # ignored here
    try:
        port = hooked.runtime.port
        assert hooked.runtime.http_port is None
        before = metrics(port)
        since = fake_telegram.mark()
        assert request(hooked, "/tg/hook", update(fake_telegram, "llamacon kobe"),
                       secret=SECRET)[0] == 200
        fake_telegram.wait_for("sendMessage", since=since)
        after = wait_metrics(port, "llamabot_updates_total",
                             value(before, "llamabot_updates_total") + 1)
        assert value(after, "llamabot_updates_total") - value(before, "llamabot_updates_total") == 1
        assert (value(after, "llamabot_answers_total", kind="fact")
                - value(before, "llamabot_answers_total", kind="fact")) == 1
        assert request(hooked, "/healthz")[0] == 200
    finally:
        hooked.stop()


def test_render_escapes_labels_buckets_inclusively_and_skips_failing_readers() -> None:
    m = Metrics(answer_kinds=["fact"])
    m.answers.inc('we"ird\\kind\n')
    m.latency.observe(LATENCY_BUCKETS[0])  # on the bound: counted in that bucket
    m.latency.observe(0.3)
    m.latency.observe(60.0)  # above every bound: only +Inf

    async def broken() -> dict[str, float]:
        raise RuntimeError("database is locked")

    async def depth() -> dict[str, float]:
        return {"": 7}

    m.collect("llamabot_broken", "gauge", "Fails.", broken)
    m.collect("llamabot_depth", "gauge", "Depth.", depth)
    text = asyncio.run(m.render())
    samples = parse_exposition(text)
    assert 'kind="we\\"ird\\\\kind\\n"' in text
    assert value(samples, "llamabot_answers_total", kind="fact") == 0
    assert value(samples, "llamabot_reply_latency_seconds_bucket", le="0.001") == 1
    assert value(samples, "llamabot_reply_latency_seconds_bucket", le="0.25") == 1
    assert value(samples, "llamabot_reply_latency_seconds_bucket", le="0.5") == 2
    assert value(samples, "llamabot_reply_latency_seconds_bucket", le="5") == 2
    assert value(samples, "llamabot_reply_latency_seconds_bucket", le="+Inf") == 3
    assert value(samples, "llamabot_reply_latency_seconds_sum") == pytest.approx(60.301)
    assert "llamabot_broken" not in text and value(samples, "llamabot_depth") == 7


def test_a_failing_reader_is_logged_once_until_it_reads_again(
    caplog: pytest.LogCaptureFixture
) -> None:
    """Each scrape that timed out logged a line (with no reason: a TimeoutError's text is
    empty), so a flood of scrapes from anyone was a flood of warnings."""
    m = Metrics()
    failing = True

    async def depth() -> dict[str, float]:
        if failing:
            raise TimeoutError
        return {"": 1}

    m.collect("llamabot_depth", "gauge", "Depth.", depth)
    with caplog.at_level(logging.INFO, logger="bot.metrics"):
        for _ in range(50):
            asyncio.run(m.render())
        failing = False
        asyncio.run(m.render())
    assert [r.getMessage() for r in caplog.records] == [
        "metric llamabot_depth not collected: TimeoutError",
        "metric llamabot_depth collected again"]


def test_http_settings_are_validated(tmp_path: Path) -> None:
    env_file = tmp_path / "missing.env"
    settings = load_settings({"LLAMABOT_HTTP_PORT": "9464", "LLAMABOT_HTTP_LISTEN": "0.0.0.0"},
                             env_file=env_file)
    assert (settings.http_port, settings.http_listen) == (9464, "0.0.0.0")
    default = load_settings({}, env_file=env_file)
    assert (default.http_port, default.http_listen) == (None, "127.0.0.1")
    for bad in ("0", "65536", "http", "-1", "80.5"):
        with pytest.raises(ConfigError, match="^LLAMABOT_HTTP_PORT is malformed"):
            load_settings({"LLAMABOT_HTTP_PORT": bad}, env_file=env_file)


def test_a_busy_port_stops_start_up_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy, FakeTelegram(max_poll=0.3) as fake:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "LLAMABOT_"))}
        env.update(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_BASE_URL=fake.base_url,
                   LLAMABOT_KNOWLEDGE_DIR=str(KNOWLEDGE_DIR),
                   LLAMABOT_DATABASE=str(tmp_path / "db.sqlite3"),
                   LLAMABOT_HTTP_PORT=str(busy.getsockname()[1]))
        done = subprocess.run([sys.executable, "-m", "bot.cli", "run"], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=30)
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: LLAMABOT_HTTP_PORT: cannot listen on 127.0.0.1:")
    assert last.endswith("Address already in use") and "Traceback" not in done.stderr
