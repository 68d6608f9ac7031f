"""A PostgreSQL that stops answering (hung, or its packets lost: every connection stays
open) must not hold a command for longer than a few seconds, must not lose what a user was
told is saved, and must be used again by itself once it answers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import pytest
from conftest import ADMIN_ID, BotThread
from fake_telegram import FakeTelegram
from hung_postgres import HangingProxy

from bot.broadcast import texts
from bot.broadcast.sender import SenderConfig
from bot.storage.connection import DatabaseTarget, connect
from bot.tg import texts as tg_texts
from bot.tg.runner import BotRuntime

T = TypeVar("T")
PASSWORD = "hung-db-s3cret"  # the server trusts local connections: any password works
WAIT = 8.0  # seconds a command may take to answer while the database hangs, at most


@dataclass
class HungBot:
    bot: BotThread
    proxy: HangingProxy
    direct: DatabaseTarget  # the same schema, not through the proxy

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        conn = connect(self.direct)
        try:
            return list(conn.execute(sql, params).fetchall())
        finally:
            conn.close()


@pytest.fixture
def hung_bot(bot_settings: Any, postgres_target: DatabaseTarget) -> Iterator[HungBot]:
    """A bot whose database (PostgreSQL, with a password in its URL) is reached through a
    proxy the test can hang."""
    proxy = HangingProxy.to(postgres_target)
    settings = replace(bot_settings, database=proxy.through(postgres_target, PASSWORD))
    runtime = BotRuntime(settings, poll_timeout=1.0, watch_interval=0)
    runtime.broadcasting.config = SenderConfig(rate=25, idle_poll=0.1)
    running = BotThread(runtime).start()
    try:
        until(lambda: runtime.broadcasting.service is not None, 10)
        yield HungBot(running, proxy, postgres_target)
    finally:
        proxy.hung = False
        try:
            running.stop()
        finally:
            proxy.close()


def until(check: Callable[[], T | None], timeout: float, every: float = 0.05) -> T:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(every)
    return found


def timed_ask(fake: FakeTelegram, text: str, user_id: int) -> tuple[str, float]:
    """The bot's reply to `text` and how long it took (it must come within `WAIT`)."""
    began = time.monotonic()
    [reply] = fake.ask(text, user_id=user_id, timeout=WAIT + 30)
    return reply.text, time.monotonic() - began


def no_secret(fake: FakeTelegram, caplog: pytest.LogCaptureFixture) -> None:
    assert PASSWORD not in caplog.text
    assert not [c for c in fake.calls if PASSWORD in str(c.params)]


def test_subscribe_and_unsubscribe_answer_while_postgresql_hangs_and_save_nothing_unsaid(
    hung_bot: HungBot, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    """/subscribe and /unsubscribe waited for as long as PostgreSQL hung (for ever, when its
    packets were lost): the subscription's write had no bound. Now a write not answered in
    time is a failure like a refused one: the user is told to try again later, nothing is
    reported saved that was not, and once the server answers again the next try works."""
    fake = fake_telegram
    assert fake.ask("/subscribe", user_id=801)[0].text.startswith("🔔")
    hung_bot.proxy.hung = True
    text, waited = timed_ask(fake, "/subscribe", 802)
    assert text == texts.DATABASE_DOWN and waited < WAIT, (text, waited)
    text, waited = timed_ask(fake, "/unsubscribe", 801)
    assert text == texts.DATABASE_DOWN and waited < WAIT, (text, waited)
    hung_bot.proxy.hung = False
    # Neither change was saved: neither was reported saved.
    assert hung_bot.rows("SELECT chat_id FROM subscribers WHERE active = 1") == [(801,)]
    # Recovered by itself: the next try works (a moment may pass before it does).
    until(lambda: fake.ask("/subscribe", user_id=802, timeout=WAIT + 30)[0].text
          .startswith("🔔"), 30, every=1)
    assert fake.ask("/unsubscribe", user_id=801)[0].text == texts.UNSUBSCRIBED
    assert hung_bot.rows("SELECT chat_id FROM subscribers WHERE active = 1") == [(802,)]
    no_secret(fake, caplog)


def test_stats_and_gaps_answer_while_postgresql_hangs_and_the_log_catches_up(
    hung_bot: HungBot, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    """/stats and /gaps read the question log on its writer's thread: they waited for the
    hung statement and then for each of their own reads (/stats makes seven), tens of
    seconds even once each statement had a bound. They now answer within a few seconds that
    the database is unavailable, and the questions asked meanwhile are logged once it
    answers again."""
    fake = fake_telegram
    unavailable = tg_texts.DB_UNAVAILABLE.split("<code>")[0]
    assert "বিলিয়ন" in fake.ask("লামা কতবার ডাউনলোড হয়েছে?", user_id=811)[0].text
    hung_bot.proxy.hung = True
    assert "বিলিয়ন" in fake.ask("লামা কতবার ডাউনলোড হয়েছে?", user_id=812,
                                 timeout=WAIT)[0].text
    for command in ("/stats", "/gaps", "/stats"):
        text, waited = timed_ask(fake, command, ADMIN_ID)
        assert text.startswith(unavailable) and waited < WAIT, (command, text, waited)
    hung_bot.proxy.hung = False
    until(lambda: hung_bot.rows("SELECT COUNT(*) FROM questions")[0][0] == 2, 30)
    stats = until(lambda: (text := fake.ask("/stats", user_id=ADMIN_ID,
                                             timeout=WAIT + 30)[0].text)
                  .startswith("<b>📊") and text, 30, every=1)
    assert "প্রশ্ন: 2\n" in stats, stats
    no_secret(fake, caplog)


def test_a_closed_connection_leaves_no_watchdog_thread(postgres_target: DatabaseTarget) -> None:
    """Each PostgreSQL connection times its own statements (no state shared by the
    process): closing it ends its watchdog, so opening and closing many leaks no thread."""
    def watchdogs() -> int:
        return sum(t.name == "llamabot-db-watchdog" for t in threading.enumerate())

    before = watchdogs()
    conns = [connect(postgres_target) for _ in range(3)]
    for conn in conns:
        conn.execute("SELECT 1")
    assert watchdogs() == before + 3
    for conn in conns:
        conn.close()
    until(lambda: watchdogs() == before, 5)
