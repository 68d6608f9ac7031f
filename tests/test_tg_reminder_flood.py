"""Red team 14: one events.yaml upload with many reminders already due queued one broadcast
per event to every subscriber, and one notice per reminder to each admin. The preview now
says how many would fall due at once, and at most MAX_REMINDERS_AT_ONCE go out together:
the rest are skipped, and the admins told in one message."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import ADMIN_ID, FIXED_NOW, KNOWLEDGE_DIR, BotThread, start_bot
from fake_telegram import FakeTelegram

from bot.core.events import MAX_REMINDERS_AT_ONCE

SUBSCRIBER = 4242
EVENTS = 40


def flood(count: int) -> bytes:
    """The events, and `count` more starting 10 hours after FIXED_NOW, each with a 1d
    reminder already due."""
    starts = FIXED_NOW.replace(hour=20).isoformat()
    lines = (KNOWLEDGE_DIR / "events.yaml").read_text().splitlines()  # LlamaCon stays
    for number in range(count):
        lines += [f"  - id: event_{number:03d}", f'    title: "ইভেন্ট {number}"',
                  f"    starts_at: {starts}", "    remind_before: [1d]",
                  "    fact_id: llamacon", "    url: https://flood.example/"]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def bot(bot_settings: Any, tmp_path: Path) -> Iterator[BotThread]:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, folder)
    running = start_bot(replace(bot_settings, knowledge_dir=folder))
    yield running
    running.stop()


def test_an_upload_full_of_due_reminders_sends_a_few_and_says_so(
        bot: BotThread, fake_telegram: FakeTelegram) -> None:
    fake_telegram.ask("/subscribe", user_id=SUBSCRIBER)
    since = fake_telegram.mark()
    fake_telegram.document("events.yaml", flood(EVENTS), user_id=ADMIN_ID)
    [last] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID
                                    and bool(c.buttons), since=since)
    shown = "\n".join(c.text for c in fake_telegram.calls_to("sendMessage", since)
                      if c.chat_id == ADMIN_ID)
    assert f"{EVENTS} reminders would fall due at once on Apply" in shown, shown
    assert f"at most {MAX_REMINDERS_AT_ONCE}" in shown, shown

    since = fake_telegram.mark()
    fake_telegram.callback(str(last.buttons[0]["callback_data"]), user_id=ADMIN_ID)
    summary = fake_telegram.wait_for(
        "sendMessage", lambda c: c.chat_id == ADMIN_ID and "skipped" in c.text,
        since=since, timeout=10)[0].text
    fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == SUBSCRIBER,
                           count=MAX_REMINDERS_AT_ONCE, since=since, timeout=10)
    time.sleep(1.5)  # the sender's and scheduler's next rounds: nothing more must follow
    calls = fake_telegram.calls_to("sendMessage", since)
    reminders = [c for c in calls if c.chat_id == SUBSCRIBER]
    assert len(reminders) == MAX_REMINDERS_AT_ONCE, [c.text for c in reminders]
    notices = [c for c in calls if c.chat_id == ADMIN_ID and c.buttons
               and str(c.buttons[0]["callback_data"]).startswith("bc:stop:")]
    assert len(notices) == MAX_REMINDERS_AT_ONCE  # one per reminder queued, not per event
    assert f"{EVENTS} reminders fell due at once" in summary, summary
    assert f"{EVENTS - MAX_REMINDERS_AT_ONCE} were skipped" in summary, summary
    assert "event_039" in summary or "more" in summary
    assert [c for c in calls if c.chat_id == ADMIN_ID and "skipped" in c.text] == [
        c for c in calls if c.text == summary]  # told once


def spaced(count: int, start: datetime, apart: timedelta) -> bytes:
    """The events, and `count` more whose 1h reminders fall due one after another, `apart`
    from each other, from `start` on: never two in one of the scheduler's rounds."""
    lines = (KNOWLEDGE_DIR / "events.yaml").read_text().splitlines()  # LlamaCon stays
    for number in range(count):
        starts = (start + timedelta(hours=1) + number * apart).isoformat(timespec="seconds")
        lines += [f"  - id: spaced_{number:03d}", f'    title: "ইভেন্ট {number}"',
                  f"    starts_at: {starts}", "    remind_before: [1h]",
                  "    fact_id: llamacon", "    url: https://flood.example/"]
    return ("\n".join(lines) + "\n").encode()


def test_reminders_falling_due_one_after_another_are_bounded_too(
        bot_settings: Any, tmp_path: Path, fake_telegram: FakeTelegram) -> None:
    """MAX_REMINDERS_AT_ONCE bounded the reminders of one round only: an upload whose
    reminders fall due a second apart (no preview warning, nothing 'at once') sent each to
    every subscriber, as many as the upload held. At most MAX_REMINDERS_AT_ONCE go out
    within REMINDER_WINDOW; the others are skipped and the admins told."""
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, folder)
    began = time.monotonic()
    running = start_bot(replace(bot_settings, knowledge_dir=folder),
                        clock=lambda: FIXED_NOW + timedelta(seconds=time.monotonic() - began))
    count = 8
    try:
        fake_telegram.ask("/subscribe", user_id=SUBSCRIBER)
        since = fake_telegram.mark()
        first_due = FIXED_NOW + timedelta(seconds=time.monotonic() - began + 4)
        content = spaced(count, first_due, timedelta(milliseconds=700))
        fake_telegram.document("events.yaml", content, user_id=ADMIN_ID)
        [last] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID
                                        and bool(c.buttons), since=since)
        assert "at once" not in last.text  # nothing falls due on Apply
        assert f"{count - MAX_REMINDERS_AT_ONCE} reminders of events" in last.text, last.text
        fake_telegram.callback(str(last.buttons[0]["callback_data"]), user_id=ADMIN_ID)
        fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == SUBSCRIBER,
                               count=MAX_REMINDERS_AT_ONCE, since=since, timeout=15)
        # Every reminder has fallen due by then, with time for the sender to send them.
        time.sleep(max(0.0, 4 + count * 0.7 + 3 - (time.monotonic() - began)))
        calls = fake_telegram.calls_to("sendMessage", since)
    finally:
        running.stop()
    reminders = [c for c in calls if c.chat_id == SUBSCRIBER]
    assert len(reminders) == MAX_REMINDERS_AT_ONCE, [c.text[:40] for c in reminders]
    told = [c.text for c in calls if c.chat_id == ADMIN_ID and "were skipped" in c.text]
    assert told and all("not be sent" in t for t in told), told
