"""Subscription and /broadcast handlers in the real bot polling the fake Bot API."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from broadcast_support import LimitedTelegram
from conftest import DHAKA, KNOWLEDGE_DIR, BotThread
from fake_telegram import TOKEN

from bot.broadcast import texts
from bot.broadcast.sender import SenderConfig
from bot.config import Settings
from bot.storage.connection import DatabaseTarget
from bot.storage.outbox import DRAFT_MAX_AGE, Outbox
from bot.tg.runner import BotRuntime

ADMIN = 999
# The knowledge base's event (bot.yaml) is named in the confirmation only while it is ahead:
# these bots run on the wall clock, after LlamaCon (tests/test_bot_texts_llama.py has both).
SUBSCRIBED = texts.SUBSCRIBED


class BroadcastBot(BotThread):
    """The bot, sending broadcasts fast and reporting their progress often."""

    def __init__(self, fake: LimitedTelegram, path: Path,
                 clock: Callable[[], datetime] | None = None) -> None:
        settings = Settings(token=TOKEN, base_url=fake.base_url, admin_ids=frozenset({ADMIN}),
                            database=DatabaseTarget.parse(path), knowledge_dir=KNOWLEDGE_DIR,
                            timezone=DHAKA)
        runtime = BotRuntime(settings, poll_timeout=1.0, watch_interval=0, clock=clock)
        runtime.broadcasting.config = SenderConfig(rate=50, idle_poll=0.1)
        runtime.broadcasting.progress_every = 0.1
        super().__init__(runtime)
        self.start()

    def outbox(self, fn: Any) -> Any:
        outbox = self.runtime.broadcasting.outbox
        assert outbox is not None
        return self.call(outbox.call(fn))


@pytest.fixture
def fake() -> Iterator[LimitedTelegram]:
    with LimitedTelegram(max_poll=0.3) as server:
        yield server


@pytest.fixture
def bot(fake: LimitedTelegram, tmp_path: Path) -> Iterator[BroadcastBot]:
    running = BroadcastBot(fake, tmp_path / "bot.sqlite3")
    yield running
    running.stop()


def test_subscribe_and_unsubscribe_are_idempotent(bot: BroadcastBot,
                                                  fake: LimitedTelegram) -> None:
    [reply] = fake.ask("/subscribe", user_id=5)
    assert reply.text == SUBSCRIBED
    assert reply.buttons[0]["callback_data"] == "sub:off"
    assert fake.ask("/subscribe", user_id=5)[0].text == texts.ALREADY_SUBSCRIBED
    assert bot.outbox(lambda o: o.is_subscribed(5))
    assert fake.ask("/unsubscribe", user_id=5)[0].text == texts.UNSUBSCRIBED
    assert fake.ask("/unsubscribe", user_id=5)[0].text == texts.NOT_SUBSCRIBED
    assert not bot.outbox(lambda o: o.is_subscribed(5))


def test_deep_link_buttons_and_groups(bot: BroadcastBot, fake: LimitedTelegram) -> None:
    assert fake.ask("/start subscribe", user_id=6)[0].text == SUBSCRIBED
    calls = fake.tap("sub:off", user_id=6, method="sendMessage")
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]
    assert calls[-1].text == texts.UNSUBSCRIBED
    calls = fake.tap("m:subscribe", user_id=6, method="sendMessage")  # the /start menu button
    assert calls[-1].text == SUBSCRIBED
    group = fake.ask("/subscribe", user_id=7, chat_id=-100, chat_type="group")
    assert group[0].text == texts.PRIVATE_ONLY
    assert bot.outbox(Outbox.subscriber_counts).active == 1


def test_blocking_the_bot_unsubscribes(bot: BroadcastBot, fake: LimitedTelegram) -> None:
    fake.ask("/subscribe", user_id=8)
    fake.my_chat_member(8, "kicked")
    for _ in range(100):  # the update is handled asynchronously; no reply to wait for
        if not bot.outbox(lambda o: o.is_subscribed(8)):
            break
        time.sleep(0.02)
    counts = bot.outbox(Outbox.subscriber_counts)
    assert (counts.active, counts.blocked) == (0, 1)


def test_admin_broadcast_preview_confirm_and_progress(bot: BroadcastBot,
                                                      fake: LimitedTelegram) -> None:
    for user in (11, 12, 13):
        fake.ask("/subscribe", user_id=user)
    refused = fake.ask("/broadcast hello", user_id=50)
    assert "অ্যাডমিন" in refused[0].text
    [preview] = fake.ask("/broadcast লামাকন আসছে!\nদ্বিতীয় লাইন", user_id=ADMIN)
    assert "৩" not in preview.text and "3 জন" in preview.text
    assert "লামাকন আসছে!\nদ্বিতীয় লাইন" in preview.text
    send, cancel = (b["callback_data"] for b in preview.buttons)
    assert send.startswith("bc:send:") and cancel.startswith("bc:cancel:")
    not_admin = fake.tap(send, user_id=50)
    assert not_admin[-1].params.get("show_alert") is True
    since = fake.mark()
    fake.callback(send, user_id=ADMIN, message_id=77)
    fake.wait_for("sendMessage", lambda c: c.text.startswith("লামাকন আসছে"), count=3,
                  since=since)
    final = fake.wait_for("editMessageText", lambda c: "সম্পন্ন" in c.text, since=since)
    assert int(final[-1].params["message_id"]) == 77
    assert "পাঠানো হয়েছে: 3" in final[-1].text
    again = fake.tap(send, user_id=ADMIN)  # a second tap queues nothing more
    assert again[-1].params.get("text") == texts.BROADCAST_GONE
    assert sorted(c.chat_id for c in fake.sent_messages
                  if c.text.startswith("লামাকন আসছে")) == [11, 12, 13]


def test_admin_can_cancel_a_preview(bot: BroadcastBot, fake: LimitedTelegram) -> None:
    fake.ask("/subscribe", user_id=21)
    [preview] = fake.ask("/broadcast not this one", user_id=ADMIN)
    send, cancel = (b["callback_data"] for b in preview.buttons)
    calls = fake.tap(cancel, user_id=ADMIN, method="editMessageText")
    assert calls[-1].text == texts.BROADCAST_CANCELLED
    assert fake.tap(send, user_id=ADMIN)[-1].params.get("text") == texts.BROADCAST_GONE
    assert fake.ask("/broadcast", user_id=ADMIN)[0].text == texts.BROADCAST_USAGE
    assert not any(c.text == "not this one" for c in fake.sent_messages)


def test_the_limit_is_counted_as_telegram_counts(bot: BroadcastBot, fake: LimitedTelegram) -> None:
    """Emoji count 2 (UTF-16 units): before, 2,100 of them passed the check, then failed
    for every subscriber; a text that fitted gave a preview too long to send."""
    fake.ask("/subscribe", user_id=31)
    [refused] = fake.ask("/broadcast " + "😀" * 2100, user_id=ADMIN)
    assert refused.text == texts.BROADCAST_TOO_LONG.format(length=4200, limit=4096)
    assert not refused.buttons
    [preview] = fake.ask("/broadcast " + "😀" * 2040, user_id=ADMIN)  # fits; the header not
    assert len(preview.text.encode("utf-16-le")) // 2 <= 4096
    assert preview.text.endswith("…\n\nপাঠাবো?") and len(preview.buttons) == 2


def test_a_control_character_is_refused_as_the_command_line_refuses_it(
        bot: BroadcastBot, fake: LimitedTelegram) -> None:
    """Found by the ninth red-team run: `llamabot broadcast` refuses a NUL or a terminal's
    escape sequence (a paste accident), but /broadcast queued it for every subscriber on
    SQLite, and on PostgreSQL a NUL was refused in the driver's words."""
    fake.ask("/subscribe", user_id=41)
    for stray, code in (("\x1b[2J", "001B"), ("\x00", "0000")):
        [refused] = fake.ask(f"/broadcast লামাকন{stray} আসছে", user_id=ADMIN)
        assert f"U+{code}" in refused.text and not refused.buttons, refused.text
    [preview] = fake.ask("/broadcast লামাকন\n\tআসছে", user_id=ADMIN)  # lines and tabs are text
    assert len(preview.buttons) == 2


def test_a_preview_a_day_old_is_not_sent(fake: LimitedTelegram, tmp_path: Path) -> None:
    """Red team 14: a preview's Send worked however old the preview was: someone holding a
    stolen admin phone could scroll back months and send an old draft to every subscriber
    with one tap. Past DRAFT_MAX_AGE it sends nothing and tells the admin, in English, to run
    /broadcast again; its buttons go, and a new preview sends as usual."""
    later = timedelta(0)
    running = BroadcastBot(fake, tmp_path / "bot.sqlite3",
                           clock=lambda: datetime.now(DHAKA) + later)
    try:
        fake.ask("/subscribe", user_id=61)
        [old] = fake.ask("/broadcast an old draft", user_id=ADMIN)
        [fresh] = fake.ask("/broadcast a draft of today", user_id=ADMIN)
        later = DRAFT_MAX_AGE + timedelta(minutes=1)  # the phone is picked up the next day
        [recent] = fake.ask("/broadcast written just now", user_id=ADMIN)
        send = old.buttons[0]["callback_data"]
        calls = fake.tap(send, user_id=ADMIN, message_id=old.message_id or 0,
                         method="editMessageReplyMarkup")
        [alert] = [c for c in calls if c.method == "answerCallbackQuery"]
        assert alert.params.get("show_alert") is True
        assert alert.text == texts.BROADCAST_EXPIRED.format(hours=24)
        assert "24 hours" in alert.text and "/broadcast again" in alert.text
        assert calls[-1].params.get("reply_markup") in (None, {}, {"inline_keyboard": []})
        again = fake.tap(fresh.buttons[0]["callback_data"], user_id=ADMIN)  # as old by now
        assert again[-1].text == texts.BROADCAST_EXPIRED.format(hours=24)
        since = fake.mark()
        fake.callback(recent.buttons[0]["callback_data"], user_id=ADMIN, message_id=78)
        fake.wait_for("sendMessage", lambda c: c.text == "written just now", since=since)
        time.sleep(0.5)  # the sender's next rounds: the old drafts must not follow
        sent = [c.text for c in fake.sent_messages if c.chat_id == 61]
        assert "an old draft" not in sent and "a draft of today" not in sent
        assert running.outbox(lambda o: o.pending_batch(10)) == []
        for broadcast in running.outbox(lambda o: o.recent(10)):
            assert broadcast.total == (1 if broadcast.text == "written just now" else 0)
    finally:
        running.stop()
