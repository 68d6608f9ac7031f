"""A broadcast from a stolen admin account: the other admins are told, with its text, and
any admin can stop it (the messages not sent yet are cancelled, the progress says so)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from broadcast_support import LimitedTelegram
from conftest import DHAKA, KNOWLEDGE_DIR, BotThread
from fake_telegram import TOKEN

from bot.broadcast import texts
from bot.broadcast.sender import SenderConfig
from bot.config import Settings
from bot.storage.connection import DatabaseTarget
from bot.tg.runner import BotRuntime
from bot.tg.texts import ADMIN_ONLY

THIEF, OWNER = 999, 998  # two admins; the first one's phone was stolen
PHISHING = "আপনার অ্যাকাউন্ট যাচাই করুন: http://evil.example"


@pytest.fixture
def fake() -> Iterator[LimitedTelegram]:
    with LimitedTelegram(max_poll=0.3) as server:
        yield server


@pytest.fixture
def bot(fake: LimitedTelegram, tmp_path: Path) -> Iterator[BotThread]:
    yield from running_bot(fake, DatabaseTarget.parse(tmp_path / "bot.sqlite3"))


@pytest.fixture
def any_bot(fake: LimitedTelegram, database_target: DatabaseTarget) -> Iterator[BotThread]:
    """The same bot on SQLite and on PostgreSQL."""
    yield from running_bot(fake, database_target)


def running_bot(fake: LimitedTelegram, database: DatabaseTarget) -> Iterator[BotThread]:
    settings = Settings(token=TOKEN, base_url=fake.base_url, admin_ids=frozenset({THIEF, OWNER}),
                        database=database, knowledge_dir=KNOWLEDGE_DIR, timezone=DHAKA)
    runtime = BotRuntime(settings, poll_timeout=1.0, watch_interval=0)
    runtime.broadcasting.config = SenderConfig(rate=5, idle_poll=0.1)  # slow: time to stop it
    runtime.broadcasting.progress_every = 0.1
    running = BotThread(runtime).start()
    outbox = runtime.broadcasting.outbox
    assert outbox is not None
    running.call(outbox.call(lambda o: o.add_subscribers(range(1000, 1200), "test",
                                                         datetime(2025, 4, 20, tzinfo=UTC))))
    yield running
    running.stop()


def test_other_admins_are_told_of_a_broadcast_and_any_admin_can_stop_it(
    bot: BotThread, fake: LimitedTelegram
) -> None:
    [preview] = fake.ask(f"/broadcast {PHISHING}", user_id=THIEF)
    send = preview.buttons[0]["callback_data"]
    since = fake.mark()
    fake.callback(send, user_id=THIEF, message_id=77)
    [notice] = fake.wait_for("sendMessage", lambda c: c.chat_id == OWNER, since=since)
    assert str(THIEF) in notice.text and PHISHING in notice.text and "200" in notice.text
    [stop] = [b["callback_data"] for b in notice.buttons]
    assert stop.startswith("bc:stop:")
    refused = fake.tap(stop, user_id=50)  # not an admin
    assert refused[-1].params.get("show_alert") is True
    fake.wait_for("sendMessage", lambda c: c.text == PHISHING, count=3, since=since)
    progress = fake.calls_to("editMessageText", since)[-1]  # the sender's own stop button
    assert [b["callback_data"] for b in progress.buttons] == [stop]
    stopping = fake.mark()
    fake.tap(stop, user_id=OWNER)
    [told] = fake.wait_for("sendMessage", lambda c: c.chat_id == THIEF, since=stopping)
    assert told.text.startswith("⏹") and str(OWNER) in told.text
    final = fake.wait_for("editMessageText", lambda c: "সম্পন্ন" in c.text, since=since,
                          timeout=10)
    sent = [c for c in fake.sent_messages if c.text == PHISHING]
    assert len(sent) < 50, len(sent)
    assert "বাকি: 0" in final[-1].text and f"{200 - len(sent)}" in final[-1].text
    assert not final[-1].buttons  # nothing left to stop
    again = fake.tap(stop, user_id=THIEF)  # stopped already: nothing left to stop
    assert again[-1].params.get("text") == texts.BROADCAST_GONE
    assert len([c for c in fake.sent_messages if c.text == PHISHING]) == len(sent)


def test_the_other_admins_read_a_long_broadcast_to_its_last_word(
    bot: BotThread, fake: LimitedTelegram
) -> None:
    """Found by the ninth red-team run: the notice cut a broadcast to fit under its header,
    so a thief who put the link in the last hundred characters of a full-length text
    showed the other admins its harmless start and "…". A text too long to go under the
    header now follows it as a message of its own, word for word, with the ⏹ button."""
    padding = "লামাকন ২৯ এপ্রিল। "
    text = padding * ((4096 - len(PHISHING)) // len(padding)) + PHISHING
    assert len(text) <= 4096
    [preview] = fake.ask(f"/broadcast {text}", user_id=THIEF)
    since = fake.mark()
    fake.callback(preview.buttons[0]["callback_data"], user_id=THIEF, message_id=77)
    told = fake.wait_for("sendMessage", lambda c: c.chat_id == OWNER and bool(c.buttons),
                         since=since)
    notices = [c for c in fake.calls_to("sendMessage", since) if c.chat_id == OWNER]
    assert any(c.text == text for c in notices), [c.text[-80:] for c in notices]
    assert all(len(c.text) <= 4096 for c in notices)
    assert str(THIEF) in notices[0].text
    assert told[-1].buttons[0]["callback_data"].startswith("bc:stop:")


def test_stopall_stops_every_broadcast_and_reminder_and_tells_the_other_admins(
    any_bot: BotThread, fake: LimitedTelegram
) -> None:
    """Red-team: each broadcast and each due reminder had its own ⏹, under its own notice;
    with several going out at once (a thief's announcement, a reminder whose text the thief
    uploaded) there was no way to stop them all at once. /stopall cancels every message
    not sent yet, and every preview nobody confirmed."""
    outbox = any_bot.runtime.broadcasting.outbox
    [preview] = fake.ask(f"/broadcast {PHISHING}", user_id=THIEF)
    since = fake.mark()
    fake.callback(preview.buttons[0]["callback_data"], user_id=THIEF, message_id=77)
    fake.wait_for("sendMessage", lambda c: c.chat_id == OWNER and PHISHING in c.text, since=since)
    # A due reminder, queued as the scheduler queues it: a broadcast of kind "reminder".
    reminder_text = "🔔 রিমাইন্ডার\nলামাকন: http://evil.example"
    now = datetime(2025, 4, 20, tzinfo=UTC)
    any_bot.call(outbox.call(lambda o: o.enqueue(
        o.create_draft(reminder_text, now, kind="reminder"), now)))
    [waiting] = fake.ask(f"/broadcast {PHISHING} (2)", user_id=THIEF)  # not confirmed yet
    fake.wait_for("sendMessage", lambda c: c.text == PHISHING, count=3, since=since)

    refused = fake.ask("/stopall", user_id=50)  # not an admin
    assert refused[-1].text == ADMIN_ONLY

    stopping = fake.mark()
    [done] = fake.ask("/stopall", user_id=OWNER)
    assert done.text.startswith("⏹"), done.text
    assert "broadcasts stopped: 2 (1 of them a reminder)" in done.text, done.text
    [told] = fake.wait_for("sendMessage", lambda c: c.chat_id == THIEF, since=stopping)
    assert f"admin {OWNER}" in told.text and "broadcasts stopped: 2" in told.text, told.text
    assert "previews cancelled: 1" in told.text

    def sent() -> list[str]:
        return [c.text for c in fake.sent_messages if c.text in (PHISHING, reminder_text)]

    settled = len(sent())
    assert settled < 400 - 50
    # Both finish (the sends in flight recorded), every message not sent cancelled.
    deadline = time.monotonic() + 10
    while True:
        progress = {p.kind: p for p in any_bot.call(outbox.call(lambda o: o.recent()))
                    if p.state != "cancelled"}  # the preview nobody confirmed
        if all(p.state == "done" for p in progress.values()):
            break
        assert time.monotonic() < deadline, progress
        time.sleep(0.1)
    assert {kind: (p.remaining, p.sent + p.cancelled + p.failed)
            for kind, p in progress.items()} == {"announcement": (0, 200), "reminder": (0, 200)}
    assert len(sent()) <= settled + 8  # at most the sends in flight
    again = fake.tap(waiting.buttons[0]["callback_data"], user_id=THIEF)  # its Send
    assert again[-1].params.get("text") == texts.BROADCAST_GONE
    [nothing] = fake.ask("/stopall", user_id=OWNER)
    assert "nothing was waiting to be sent" in nothing.text, nothing.text
