"""The real bot process (`llamabot run`) against the fake Bot API: kill -9, reminders, wiring.

These start `python -m bot.cli run` with a real SQLite file, so they prove what the
in-process tests cannot: the service is wired into the runtime, survives SIGKILL, and
stops cleanly on SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from broadcast_support import LimitedTelegram, counts, knowledge_with_event
from fake_telegram import TOKEN

from bot.storage.outbox import Outbox

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fake() -> Iterator[LimitedTelegram]:
    with LimitedTelegram(max_poll=0.3) as server:
        yield server


def start_bot(tmp_path: Path, fake: LimitedTelegram, knowledge: Path = ROOT / "knowledge",
              ) -> subprocess.Popen[bytes]:
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=fake.base_url,
               LLAMABOT_DATABASE=str(tmp_path / "bot.sqlite3"),
               LLAMABOT_KNOWLEDGE_DIR=str(knowledge), LLAMABOT_BROADCAST_RATE="150",
               LLAMABOT_ADMIN_IDS="999", LLAMABOT_LOG_LEVEL="INFO")
    since = fake.mark()
    log = open(tmp_path / "bot.log", "ab")  # noqa: SIM115 (closed with the process)
    bot = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=tmp_path, env=env,
                           stdout=log, stderr=subprocess.STDOUT)
    log.close()
    fake.wait_for("getUpdates", since=since, timeout=20)  # polling: handlers are live
    return bot


def stop_bot(bot: subprocess.Popen[bytes]) -> None:
    bot.send_signal(signal.SIGTERM)
    assert bot.wait(20) == 0


def wait(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_kill_9_mid_broadcast_then_restart(tmp_path: Path, fake: LimitedTelegram) -> None:
    subscribers = 300
    outbox = Outbox.open(tmp_path / "bot.sqlite3")
    now = datetime.now(UTC)
    outbox.add_subscribers(range(1, subscribers + 1), "test", now)
    broadcast_id, _ = outbox.announce("লামাকন আসছে", now)
    fake.delays["sendMessage"] = 0.02  # several sends in flight at the kill
    bot = start_bot(tmp_path, fake)
    wait(lambda: len(fake.sent_messages) >= subscribers // 3)
    os.kill(bot.pid, signal.SIGKILL)
    bot.wait(10)
    in_flight = {int(chat) for (chat,) in outbox.conn.execute(
        "SELECT chat_id FROM outbox WHERE state = 'sending'")}
    assert len(fake.sent_messages) < subscribers and len(in_flight) <= 8

    bot = start_bot(tmp_path, fake)
    wait(lambda: len(set(fake.delivered_to())) == subscribers)
    stop_bot(bot)
    received = counts(fake.delivered_to())
    twice = {chat for chat, n in received.items() if n > 1}
    assert set(received) == set(range(1, subscribers + 1))  # nobody skipped
    assert twice <= in_flight and max(received.values()) <= 2  # only in-flight repeated
    assert len(fake.sent_messages) == subscribers + len(twice)
    progress = outbox.progress(broadcast_id)
    assert progress is not None and (progress.sent, progress.remaining) == (subscribers, 0)
    outbox.close()


def test_subscribe_then_reminders_at_their_offsets(tmp_path: Path,
                                                   fake: LimitedTelegram) -> None:
    knowledge = tmp_path / "knowledge"
    # Due 6 s and 9 s from now: time for the bot to start and take the three subscriptions
    # first, even on a busy machine.
    starts_at = knowledge_with_event(knowledge, ROOT / "knowledge", 12, "[6s, 3s]")
    bot = start_bot(tmp_path, fake, knowledge)
    try:
        # Through the whole bot: these must reach the subscription handlers, not the
        # unknown-command reply, the plain greeting or the generic button handler.
        assert "রিমাইন্ডার চালু" in fake.ask("/subscribe", user_id=5)[0].text
        assert "রিমাইন্ডার চালু" in fake.ask("/start subscribe", user_id=6)[0].text
        fake.tap("m:subscribe", user_id=7, method="sendMessage")
        wait(lambda: len(fake.calls_to("sendMessage")) >= 3)
        reminders = fake.wait_for("sendMessage", lambda c: c.text.startswith("🔔 রিমাইন্ডার"),
                                  count=6, timeout=15)
    finally:
        stop_bot(bot)
    due = [starts_at - timedelta(seconds=6), starts_at - timedelta(seconds=3)]
    offset = time.time() - time.monotonic()  # wall clock of the monotonic arrival times
    for group, due_at in ((reminders[:3], due[0]), (reminders[3:], due[1])):
        assert sorted(c.chat_id for c in group) == [5, 6, 7]
        late = group[0].at + offset - due_at.timestamp()
        # On time: not before it is due, and not later than a busy machine explains.
        assert -0.05 <= late <= 2.0, late


def test_replies_stay_fast_during_a_broadcast(tmp_path: Path, fake: LimitedTelegram) -> None:
    outbox = Outbox.open(tmp_path / "bot.sqlite3")
    outbox.add_subscribers(range(1, 1001), "test", datetime.now(UTC))
    outbox.announce("লামাকন আসছে", datetime.now(UTC))
    outbox.close()
    bot = start_bot(tmp_path, fake)
    try:
        wait(lambda: len(fake.sent_messages) >= 50)  # the broadcast is in full swing
        latencies = []
        for _ in range(5):
            started = time.monotonic()
            fake.ask("লামা কতবার ডাউনলোড হয়েছে?", user_id=5_000)
            latencies.append(time.monotonic() - started)
        assert len(set(fake.delivered_to())) < 1000  # still broadcasting while we asked
    finally:
        stop_bot(bot)
    print("reply latencies during the broadcast (s):", [round(x, 3) for x in latencies])
    # A reply queued behind the broadcast would wait for seconds (1,000 messages at 30/s);
    # the bound leaves room for a busy machine, not for that.
    assert max(latencies) < 2.0, latencies
