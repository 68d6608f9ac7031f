"""Flood control, API failures (403, 429, 500), the error handler and a broken database."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from typing import Any

import pytest
from conftest import ADMIN_ID, BotThread, start_bot
from fake_telegram import TOKEN, FakeTelegram, _user

from bot.tg.flood import FloodGate, Verdict

SLOW_DOWN = "ধীরে"


def eventually(condition: Callable[[], bool], timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
ERROR = "কিছু একটা সমস্যা"


def test_flood_gate_unit() -> None:
    now = [0.0]
    gate = FloodGate(limit=3, window=10, clock=lambda: now[0])
    assert [gate.check(1) for _ in range(5)] == [Verdict.PASS] * 3 + [Verdict.WARN, Verdict.DROP]
    assert gate.check(2) is Verdict.PASS  # other users are unaffected
    now[0] = 10.5  # the window slid past the first hits
    assert gate.check(1) is Verdict.PASS
    now[0] = 100.0
    gate.check(3)
    assert set(gate._hits) == {3}  # idle users are forgotten


def test_flood_control_warns_once_then_drops(
    bot_settings: Any, fake_telegram: FakeTelegram
) -> None:
    bot = start_bot(bot_settings, flood=FloodGate(limit=20, window=60))
    try:
        since = fake_telegram.mark()
        for i in range(25):
            fake_telegram.message(f"লামা কতবার ডাউনলোড হয়েছে? {i}", user_id=50)
        fake_telegram.wait_for("sendMessage", lambda c: SLOW_DOWN in c.text, since=since)
        [other] = fake_telegram.ask("llamacon kobe", user_id=51)  # not slowed by user 50
        assert "লামাকন" in other.text
        replies = [c.text for c in fake_telegram.calls_to("sendMessage", since) if c.chat_id == 50]
        assert len(replies) == 21
        assert sum(SLOW_DOWN in r for r in replies) == 1 and SLOW_DOWN in replies[-1]
        # Taps over the limit are still answered (silently), as Telegram requires.
        calls = fake_telegram.tap("m:topics", user_id=50)
        assert calls[-1].method == "answerCallbackQuery"
    finally:
        bot.stop()


def test_server_error_gets_a_bengali_apology_and_a_logged_context(
    bot: BotThread, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    fake_telegram.fail("sendMessage", 500, chat_id=111)
    replies = fake_telegram.ask("লামা কতবার ডাউনলোড হয়েছে?", count=2)
    assert ERROR in replies[-1].text
    assert "Traceback" not in replies[-1].text and "Error" not in replies[-1].text
    record = next(r for r in caplog.records if r.levelno == logging.ERROR)
    assert "(message, chat 111, user 111) failed" in record.getMessage()
    assert record.exc_info is not None or record.exc_text
    assert TOKEN not in caplog.text
    [ok] = fake_telegram.ask("llamacon kobe")  # the bot carries on
    assert "লামাকন" in ok.text


def test_blocked_user_is_logged_not_apologized_to(
    bot: BotThread, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake_telegram.fail("sendMessage", 403, chat_id=77)
    since = fake_telegram.mark()
    fake_telegram.message("hello", user_id=77)
    [other] = fake_telegram.ask("hello", user_id=78)
    assert other.chat_id == 78
    assert eventually(lambda: "blocked by the user" in caplog.text)  # chats run concurrently
    assert len([c for c in fake_telegram.calls_to("sendMessage", since) if c.chat_id == 77]) == 1


def test_rate_limited_reply_is_retried_after_retry_after(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.fail("sendMessage", 429, chat_id=111, retry_after=1)
    started = time.monotonic()
    first, second = fake_telegram.ask("hello", count=2)
    assert second.at - first.at >= 0.9
    assert ERROR not in second.text and time.monotonic() - started < 4


def test_failed_callback_answer_still_answers_the_query(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.fail("sendMessage", 500)
    calls = fake_telegram.tap("f:llamacon", method="sendMessage")
    assert calls[0].method == "answerCallbackQuery"


def test_locked_database_answers_without_logging(
    bot_settings: Any, fake_telegram: FakeTelegram
) -> None:
    bot_settings.database.path.parent.mkdir(parents=True, exist_ok=True)
    locker = sqlite3.connect(bot_settings.database.path, isolation_level=None)
    locker.execute("CREATE TABLE t (x)")
    locker.execute("BEGIN EXCLUSIVE")
    bot = start_bot(bot_settings)
    try:
        [reply] = fake_telegram.ask("লামা কতবার ডাউনলোড হয়েছে?")
        assert "১ বিলিয়ন" in reply.text
        [stats] = fake_telegram.ask("/stats", user_id=ADMIN_ID)
        assert "ডেটাবেস এখন ব্যবহার করা যাচ্ছে না" in stats.text and "locked" in stats.text
        healthy, body = bot.call(bot.runtime.health())
        assert not healthy and "locked" in body["database"]
    finally:
        bot.stop()
        locker.close()


def test_a_slow_chat_delays_no_one_else_and_keeps_its_order(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.fail("sendMessage", 429, chat_id=60, retry_after=1)  # chat 60 must wait 1 s
    since = fake_telegram.mark()
    fake_telegram.message("llamacon kobe", user_id=60)
    fake_telegram.message("hello", user_id=60)
    [other] = fake_telegram.ask("hello", user_id=61)
    assert other.at - fake_telegram.calls[since].at < 0.8  # answered during chat 60's wait
    replies = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == 60, count=3,
                                     since=since)
    assert "লামাকন" in replies[1].text and "লামাকন" not in replies[2].text  # in order


def test_forged_buttons_past_what_we_send_are_answered_without_a_traceback(
    bot: BotThread, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    """Found by the red-team run: a draft id past SQLite's integers raised OverflowError, and
    a vote tap on an inline answer (no message) was never answered."""
    caplog.set_level(logging.WARNING)
    for data in ("bc:send:" + "9" * 26, "bc:cancel:" + "9" * 26):
        [answer] = [c for c in fake_telegram.tap(data, user_id=ADMIN_ID)
                    if c.method == "answerCallbackQuery"]
        assert answer.params.get("text")  # said in words (the button is not ours)
    since = fake_telegram.mark()
    fake_telegram.push("callback_query", {"id": "cb-inline", "from": {"id": 5, "is_bot": False,
                       "first_name": "U"}, "chat_instance": "ci", "data": "v:up",
                       "inline_message_id": "AAAA"})
    fake_telegram.wait_for("answerCallbackQuery", since=since)
    assert "Traceback" not in caplog.text and "OverflowError" not in caplog.text


def test_a_tap_on_an_inline_answer_is_answered_and_nothing_is_sent(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    """Found by the red-team run: our inline results carry no buttons, yet a forged tap
    with `inline_message_id` made the bot write to the tapper's private chat."""
    topic = bot.services.knowledge.topics[0].id
    forged = ["f:llamacon", "d:llamacon", f"t:{topic}", "m:topics", "m:back", "m:source",
              "f:no_such_fact", "m:subscribe", "sub:on"]
    since = fake_telegram.mark()
    for number, data in enumerate(forged):
        fake_telegram.push("callback_query", {
            "id": f"cb-inline-{number}", "from": {"id": 7, "is_bot": False, "first_name": "U"},
            "chat_instance": "ci", "data": data, "inline_message_id": f"AAAA{number}"})
    # One user's taps and private messages are handled in order: the reply comes last.
    fake_telegram.message("/help", user_id=7)
    [reply] = fake_telegram.wait_for("sendMessage", lambda c: "/topics" in c.text, since=since)
    answers = fake_telegram.calls_to("answerCallbackQuery", since)
    assert sorted(c.params["callback_query_id"] for c in answers) == sorted(
        f"cb-inline-{n}" for n in range(len(forged)))
    sent = [c for c in fake_telegram.calls[since:]
            if c.method not in ("getUpdates", "answerCallbackQuery") and c is not reply]
    assert sent == [], [(c.method, c.text[:40]) for c in sent]


def test_a_broadcast_of_invisible_characters_is_no_broadcast(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    [reply] = fake_telegram.ask("/broadcast \u200b\u2060", user_id=ADMIN_ID)
    assert "ব্যবহার: /broadcast" in reply.text  # the usage, not a preview of an empty draft


def test_a_language_tag_is_kept_only_when_it_is_one() -> None:
    from bot.tg.reply import _language_tag

    assert [_language_tag(c) for c in ("bn", "en-US", "zh-Hant-TW", None, "bn\x00",
                                       "x" * 40, "<b>")] == [
        "bn", "en-US", "zh-Hant-TW", None, None, None, None]


def test_another_bots_commands_in_a_group_count_against_no_one(
    bot_settings: Any, fake_telegram: FakeTelegram
) -> None:
    """Found by the red-team run: 25 "/roll@dicebot" in a group made this bot tell the group
    to slow down, though nobody had addressed it."""
    bot = start_bot(bot_settings, flood=FloodGate(limit=5, window=60))
    try:
        since = fake_telegram.mark()
        for _ in range(10):
            fake_telegram.message("/roll@dicebot", user_id=60, chat_id=-60, chat_type="supergroup")
        [answer] = fake_telegram.ask("llamacon kobe", user_id=60)  # not slowed down
        assert "লামাকন" in answer.text
        assert not any(SLOW_DOWN in c.text for c in fake_telegram.calls_to("sendMessage", since))
    finally:
        bot.stop()


ANONYMOUS_ADMIN = 1087968824  # Telegram's GroupAnonymousBot: every group's anonymous admins


def test_anonymous_admins_of_one_group_do_not_use_up_another_groups_turns(
    bot_settings: Any, fake_telegram: FakeTelegram
) -> None:
    """Found by the red-team run: anonymous admins (and users speaking as a channel) all send
    as one Telegram account, so one group over the limit silenced them in every group."""
    bot = start_bot(bot_settings, flood=FloodGate(limit=5, window=60))
    try:
        since = fake_telegram.mark()
        for i in range(8):
            fake_telegram.message(f"@llama_test_bot লামাকন কবে? {i}", user_id=ANONYMOUS_ADMIN,
                                  chat_id=-70,
                                  chat_type="supergroup",
                                  sender_chat={"id": -70, "type": "supergroup", "title": "A"})
        fake_telegram.wait_for("sendMessage", lambda c: SLOW_DOWN in c.text, since=since)
        [answer] = fake_telegram.ask("@llama_test_bot লামাকন কবে?", user_id=ANONYMOUS_ADMIN,
                                     chat_id=-71,
                                     chat_type="supergroup",
                                     sender_chat={"id": -71, "type": "supergroup", "title": "B"})
        assert answer.chat_id == -71 and SLOW_DOWN not in answer.text
    finally:
        bot.stop()


def test_chats_told_to_wait_do_not_hold_up_everyone_else(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    """Found by the red-team run: four chats answered 429 each slept in one of the four
    processing slots, and every other chat waited for them."""
    waiting = range(70, 76)  # more chats told to wait than there are slots
    for chat in waiting:
        fake_telegram.fail("sendMessage", 429, chat_id=chat, retry_after=2)
    since = fake_telegram.mark()
    for chat in waiting:
        fake_telegram.message("llamacon kobe", user_id=chat)
    fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == 75, since=since)  # all asked
    [other] = fake_telegram.ask("hello", user_id=77)
    assert other.at - fake_telegram.calls[since].at < 1.5  # not after the 2 s waits
    for chat in waiting:  # and each waiting chat still gets its answer
        fake_telegram.wait_for("sendMessage", lambda c, chat=chat: c.chat_id == chat, count=2,
                               since=since)


def test_a_long_wait_gets_no_apology_into_the_same_chat(
    bot: BotThread, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    fake_telegram.fail("sendMessage", 429, chat_id=78, retry_after=30)
    since = fake_telegram.mark()
    fake_telegram.message("llamacon kobe", user_id=78)
    assert eventually(lambda: any("asks to wait 30 s" in r.getMessage() for r in caplog.records))
    time.sleep(0.2)
    to_chat = [c for c in fake_telegram.calls_to("sendMessage", since) if c.chat_id == 78]
    assert len(to_chat) == 1 and ERROR not in to_chat[0].text  # the refused answer, no more
    assert "Traceback" not in caplog.text


def test_reactions_and_other_updates_nobody_is_answered_for_count_against_no_one(
    bot_settings: Any, fake_telegram: FakeTelegram
) -> None:
    """Found by the tenth red-team run: a member's reactions in a group where the bot is an
    admin (and chosen inline results, membership changes, poll answers) counted as updates
    of theirs: past the limit the warning went to one of them, which nothing can be said
    to, and the member's next questions were dropped without a word."""
    bot = start_bot(bot_settings, flood=FloodGate(limit=5, window=60))
    group = {"id": -75, "type": "supergroup", "title": "G"}
    try:
        since = fake_telegram.mark()
        for number in range(8):
            fake_telegram.push("message_reaction", {
                "chat": group, "message_id": 10 + number, "user": _user(75),
                "date": int(time.time()), "old_reaction": [],
                "new_reaction": [{"type": "emoji", "emoji": "👍"}]})
            fake_telegram.push("chosen_inline_result", {
                "result_id": f"r{number}", "from": _user(76), "query": "lama"})
            fake_telegram.push("poll_answer", {
                "poll_id": "p", "user": _user(76), "option_ids": [0],
                "option_persistent_ids": ["a"]})
        [answer] = fake_telegram.ask("@llama_test_bot লামাকন কবে?", user_id=75, chat_id=-75,
                                     chat_type="supergroup")
        assert "লামাকন" in answer.text and SLOW_DOWN not in answer.text
        [answer] = fake_telegram.ask("llamacon kobe", user_id=76)
        assert "লামাকন" in answer.text and SLOW_DOWN not in answer.text
        assert not any(SLOW_DOWN in c.text for c in fake_telegram.calls_to("sendMessage", since))
    finally:
        bot.stop()
