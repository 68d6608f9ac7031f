"""A broadcast from a stolen admin account: the other admins are told, with its text, and
any admin can stop it (the messages not sent yet are cancelled, the progress says so)."""

from __future__ import annotations

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

THIEF, OWNER = 999, 998  # two admins; the first one's phone was stolen
PHISHING = "আপনার অ্যাকাউন্ট যাচাই করুন: http://evil.example"


@pytest.fixture
def fake() -> Iterator[LimitedTelegram]:
    with LimitedTelegram(max_poll=0.3) as server:
        yield server


@pytest.fixture
def bot(fake: LimitedTelegram, tmp_path: Path) -> Iterator[BotThread]:
    settings = Settings(token=TOKEN, base_url=fake.base_url, admin_ids=frozenset({THIEF, OWNER}),
                        database=DatabaseTarget.parse(tmp_path / "bot.sqlite3"),
                        knowledge_dir=KNOWLEDGE_DIR, timezone=DHAKA)
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
