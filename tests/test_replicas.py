"""Two `llamabot run` webhook replicas on one PostgreSQL database, as deployed behind a
load balancer: both answer users, one sends broadcasts, the other takes over when it dies.

The fake Bot API answers 429 above 30 messages/s overall, as Telegram does: two senders
at 25/s each would trip it, so `throttled == 0` shows that only one sent at a time.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from broadcast_support import LimitedTelegram, knowledge_with_event
from fake_telegram import TOKEN

from bot.storage.connection import DatabaseTarget
from bot.storage.outbox import Outbox

ROOT = Path(__file__).resolve().parent.parent
SECRET = "replica-secret_token"
LEADER_LINE = "this process is the broadcast sender"
SUBSCRIBERS = 80


@dataclass
class Replica:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def post(self, update: dict[str, Any]) -> int:
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/hook", data=json.dumps(update).encode(),
            headers={"Content-Type": "application/json",
                     "X-Telegram-Bot-Api-Secret-Token": SECRET})
        with urllib.request.urlopen(req, timeout=5) as response:
            return int(response.status)

    def leads(self) -> bool:
        return LEADER_LINE in self.log.read_text(encoding="utf-8", errors="replace")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as r:
                return r.status == 200
        except (urllib.error.URLError, ConnectionError, OSError):
            return False


@pytest.fixture
def fake() -> Iterator[LimitedTelegram]:
    with LimitedTelegram(max_poll=0.3, rate_limit=30) as server:
        yield server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_replica(name: str, tmp_path: Path, fake: LimitedTelegram, target: DatabaseTarget,
                  knowledge: Path) -> Replica:
    port, folder = free_port(), tmp_path / name
    folder.mkdir()
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=fake.base_url,
               LLAMABOT_DATABASE=target.location, LLAMABOT_KNOWLEDGE_DIR=str(knowledge),
               LLAMABOT_BROADCAST_RATE="25", LLAMABOT_ADMIN_IDS="999",
               LLAMABOT_LOG_LEVEL="INFO")
    log = folder / "bot.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--webhook", "https://bot.example.org/hook",
             "--listen", "127.0.0.1", "--port", str(port), "--secret-token", SECRET],
            cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Replica(name, process, port, log)


def wait(condition: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def stop(replica: Replica) -> None:
    if replica.process.poll() is None:
        replica.process.send_signal(signal.SIGTERM)
        try:
            replica.process.wait(20)
        except subprocess.TimeoutExpired:
            replica.process.kill()
            replica.process.wait(5)


def test_two_replicas_share_users_reminders_and_the_sender(
    tmp_path: Path, fake: LimitedTelegram, postgres_target: DatabaseTarget
) -> None:
    outbox = Outbox.open(postgres_target)
    outbox.add_subscribers(range(1, SUBSCRIBERS + 1), "test", datetime.now(UTC))
    knowledge = tmp_path / "knowledge"
    knowledge_with_event(knowledge, ROOT / "knowledge", 20, "[6s]")
    replicas = [start_replica(n, tmp_path, fake, postgres_target, knowledge) for n in "ab"]
    try:
        for replica in replicas:
            wait(replica.healthy, what=f"replica {replica.name} /healthz")
        # A subscription taken by one replica is in the shared database for the sender
        # (first: on a busy machine the steps below may take until the reminder is due).
        since = fake.mark()
        assert replicas[1].post({"update_id": 2000,
                                 "message": fake.make_message("/subscribe", 900)}) == 200
        fake.wait_for("sendMessage", lambda c: c.chat_id == 900, since=since, timeout=10)

        # Behind a load balancer any replica gets any update, and each answers on its own.
        for number, replica in enumerate(replicas):
            since = fake.mark()
            user = 500 + number
            update = {"update_id": 1000 + number,
                      "message": fake.make_message("llamacon kobe", user)}
            assert replica.post(update) == 200
            [reply] = fake.wait_for("sendMessage", lambda c, u=user: c.chat_id == u,
                                    since=since, timeout=10)
            assert "লামাকন" in reply.text
        wait(lambda: sum(r.leads() for r in replicas) == 1, what="one elected sender")
        # An admin's edit of the shared knowledge folder reaches both replicas.
        since_edit = fake.mark()
        facts = knowledge / "facts.yaml"
        facts.write_text(facts.read_text(encoding="utf-8").replace(
            "যার নির্ধারিত তারিখ ২৯ এপ্রিল।", "যার নির্ধারিত তারিখ ২৯ এপ্রিল। হালনাগাদ।"),
            encoding="utf-8")
        asker = iter(range(600, 700))  # a new user each time: the flood gate is per user
        for replica in replicas:
            def updated(replica: Replica = replica) -> bool:
                since, user = fake.mark(), next(asker)
                replica.post({"update_id": 3000 + user,
                              "message": fake.make_message("llamacon kobe", user)})
                [reply] = fake.wait_for("sendMessage", lambda c: c.chat_id == user,
                                        since=since, timeout=10)
                if "হালনাগাদ" in reply.text:
                    return True
                time.sleep(0.2)  # replies count against the fake's 30/s like broadcasts
                return False
            wait(updated, timeout=10, what=f"replica {replica.name} to reload")

        time.sleep(1.0)  # both watchers have reloaded by now (every 0.5 s)
        notices = fake.calls_to("sendMessage", since_edit)
        told = [c for c in notices if c.chat_id == 999 and "✅" in c.text]  # one notice
        assert len(told) == 1, [c.text[:40] for c in notices if c.chat_id == 999]

        wait(lambda: sum(r.leads() for r in replicas) == 1, what="one elected sender")
        # From here on only broadcasts are sent: Telegram's limits must hold across replicas
        # (the two reload notices to the admin above came from the two replicas at once).
        fake.throttled = fake.per_chat_violations = 0

        # The reminder reaches every subscriber exactly once, from one sender.
        everyone = set(range(1, SUBSCRIBERS + 1)) | {900}
        wait(lambda: set(reminded(fake)) == everyone, timeout=40, what="the reminder")
        time.sleep(1.5)  # a second sender, if there were one, would repeat it by now
        assert Counter(reminded(fake)) == dict.fromkeys(everyone, 1)

        # Kill -9 the sender mid-broadcast: the other replica takes over and finishes.
        leader, follower = sorted(replicas, key=lambda r: not r.leads())
        assert not follower.leads()
        fake.delays["sendMessage"] = 0.02  # requests in flight at the kill
        broadcast_id, total = outbox.announce("নতুন ঘোষণা", datetime.now(UTC))
        assert total == len(everyone)
        wait(lambda: len(announced(fake)) >= total // 3, what="the broadcast to start")
        leader.process.send_signal(signal.SIGKILL)
        leader.process.wait(10)
        killed_at = time.monotonic()
        wait(follower.leads, timeout=15, what="the follower to take over")
        takeover = time.monotonic() - killed_at
        wait(lambda: set(announced(fake)) == everyone, timeout=40, what="the broadcast to end")
        received = Counter(announced(fake))
        twice = [chat for chat, n in received.items() if n > 1]
        # Only what was in flight at the kill can go out twice (8 requests at most).
        assert len(twice) <= 8 and max(received.values()) <= 2
        wait(lambda: (p := outbox.progress(broadcast_id)) is not None and p.state == "done",
             timeout=15, what="the broadcast to be marked done")
        progress = outbox.progress(broadcast_id)
        assert progress is not None and (progress.sent, progress.remaining) == (total, 0)
        assert fake.throttled == 0 and fake.per_chat_violations == 0
        print(f"takeover after kill -9: {takeover:.2f} s; repeated after the kill: {len(twice)}")
        assert takeover < 5
    finally:
        for replica in replicas:
            stop(replica)
        outbox.close()
    assert replicas[1 if replicas[0] is leader else 0].process.returncode == 0


def test_a_dialogue_whose_turns_alternate_between_replicas(
    tmp_path: Path, fake: LimitedTelegram, postgres_target: DatabaseTarget
) -> None:
    """Behind a load balancer each turn may reach another replica: the context is shared."""
    from bot.storage.connection import connect

    replicas = [start_replica(n, tmp_path, fake, postgres_target, ROOT / "knowledge")
                for n in "ab"]
    conn = connect(postgres_target)
    user, turns = 4242, itertools.count(5000)

    def state() -> str | None:
        row = conn.execute("SELECT state FROM contexts WHERE chat_id = ?", (user,)).fetchone()
        return None if row is None else str(row[0])

    def say(replica: Replica, text: str, replying_to: int | None = None) -> Any:
        before, since = state(), fake.mark()
        message = fake.make_message(text, user)
        if replying_to is not None:
            message["reply_to_message"] = {"message_id": replying_to, "date": 0, "text": "...",
                                           "from": fake.bot_user, "chat": message["chat"]}
        assert replica.post({"update_id": next(turns), "message": message}) == 200
        [reply] = fake.wait_for("sendMessage", lambda c: c.chat_id == user, since=since,
                                timeout=10)
        # A person takes longer to type the next turn than the batch that writes this one.
        wait(lambda: state() != before, timeout=10, what="the context to be written")
        return reply

    try:
        for replica in replicas:
            wait(replica.healthy, what=f"replica {replica.name} /healthz")
        a, b = replicas
        llamacon = say(a, "লামাকন কী?")
        assert llamacon.text.startswith("<b>লামাকন")
        assert "২৯ এপ্রিল" in say(b, "কবে?").text
        more = say(a, "আরও বলো")
        assert "আরও একটি তথ্য" in more.text and not more.text.startswith("<b>লামাকন")
        assert say(b, "why is meta being sued?").text.startswith("<b>কপিরাইট মামলা")
        assert say(a, "কেন?").text.startswith("<b>কপিরাইট মামলা")
        # A reply to an answer another replica sent continues that answer.
        assert say(b, "কবে?", replying_to=llamacon.message_id).text.startswith("<b>লামাকন")
    finally:
        conn.close()
        for replica in replicas:
            stop(replica)
    for replica in replicas:
        assert replica.process.returncode == 0, replica.log.read_text()[-2000:]


def reminded(fake: LimitedTelegram) -> list[int]:
    return [int(c.chat_id or 0) for c in fake.sent_messages if c.text.startswith("🔔 রিমাইন্ডার\n")]


def announced(fake: LimitedTelegram) -> list[int]:
    return [int(c.chat_id or 0) for c in fake.sent_messages if c.text == "নতুন ঘোষণা"]


def test_database_not_ready_at_start_is_opened_later(
    bot_settings: Any, fake_telegram: Any
) -> None:
    """PostgreSQL still starting when the bot does: answers at once, subscriptions later."""
    from dataclasses import replace

    from conftest import BotThread
    from databases import POSTGRES_URL, postgres_admin

    from bot.broadcast import texts
    from bot.tg.runner import BotRuntime

    admin = postgres_admin()
    name = f"llamabot_late_{os.getpid()}_{int(time.time() * 1000) % 100000}"
    base = POSTGRES_URL.rsplit("/", 1)[0]
    settings = replace(bot_settings, database=DatabaseTarget.parse(f"{base}/{name}"))
    runtime = BotRuntime(settings, poll_timeout=1.0)
    runtime.broadcasting.retry_every = 0.2
    running = BotThread(runtime).start()
    try:
        assert "লামাকন" in fake_telegram.ask("llamacon kobe", user_id=71)[0].text
        assert fake_telegram.ask("/subscribe", user_id=71)[0].text == texts.DATABASE_DOWN
        admin.execute(f"CREATE DATABASE {name}")
        deadline = time.monotonic() + 10
        while runtime.broadcasting.service is None:
            assert time.monotonic() < deadline, "the database was never opened"
            time.sleep(0.05)
        assert "রিমাইন্ডার চালু" in fake_telegram.ask("/subscribe", user_id=72)[0].text
    finally:
        running.stop()
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()
