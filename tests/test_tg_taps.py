""""Did you mean" taps: credited to the question whose buttons were tapped, once per user."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from conftest import FIXED_NOW, BotThread
from fake_telegram import FakeTelegram

from bot.core.normalize import normalize_for_log
from bot.storage.connection import DatabaseTarget
from bot.storage.question_log import QuestionLog

NOW = datetime(2025, 4, 20, 12, 0, tzinfo=UTC)
CANDIDATES = ("download", "কবে", "বিনিয়োগ", "date", "launch", "সমস্যা", "developer", "year")


def uncertain_questions(responder: Any, count: int) -> list[tuple[str, tuple[str, ...]]]:
    """Questions the real knowledge base answers with "did you mean", and their choices."""
    from bot.core.answer import AnswerKind

    found = []
    for question in CANDIDATES:
        answer = responder.ask(question, FIXED_NOW)
        if answer.kind is AnswerKind.SUGGEST:
            found.append((question, answer.suggestions))
    assert len(found) >= count, found
    return found[:count]


def taps(bot: BotThread, *questions: str) -> dict[str, dict[str, int]]:
    storage = bot.services.storage
    bot.call(storage.flush())
    found = bot.call(storage.taps([normalize_for_log(q) for q in questions]))
    assert found is not None
    return dict(found)


def test_a_tap_counts_for_the_question_it_answers_once_per_user(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    (first, first_choices), (second, _) = uncertain_questions(bot.services.responder, 2)
    [first_reply] = fake_telegram.ask(first)
    [second_reply] = fake_telegram.ask(second)  # the chat's latest unclear question
    assert first_reply.message_id is not None and second_reply.message_id is not None
    chosen = first_choices[0]
    for method in ("sendMessage", "answerCallbackQuery"):  # the same user taps twice
        fake_telegram.tap(f"d:{chosen}", method=method, message_id=first_reply.message_id)
    assert taps(bot, first, second) == {normalize_for_log(first): {chosen: 1}}


def test_group_taps_count_once_per_user_for_the_tapped_message(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    (first, first_choices), (second, _) = uncertain_questions(bot.services.responder, 2)
    group = {"chat_id": -300, "chat_type": "supergroup"}
    [first_reply] = fake_telegram.ask(f"@llama_test_bot {first}", user_id=21, **group)
    fake_telegram.ask(f"@llama_test_bot {second}", user_id=22, **group)  # someone else's
    chosen = first_choices[0]
    for user, method in ((21, "sendMessage"), (21, "answerCallbackQuery"), (23, "sendMessage")):
        # The asker twice (the repeat only stops the spinner), then another member.
        fake_telegram.tap(f"d:{chosen}", method=method, user_id=user, chat_id=-300,
                          message_id=first_reply.message_id)
    # A tap on a message the bot never sent with "did you mean" proves nothing.
    fake_telegram.tap(f"d:{chosen}", method="sendMessage", user_id=24, chat_id=-300,
                      message_id=1)
    assert taps(bot, first, second) == {normalize_for_log(first): {chosen: 2}}


def test_taps_are_keyed_to_their_message_in_the_database(
    database_target: DatabaseTarget,
) -> None:
    from bot.storage.records import QuestionRecord, TapRecord

    db = QuestionLog(database_target)
    asked = [QuestionRecord(NOW, "private", "llama kobe", "suggest", None, 50.0,
                            chat_id=5, message_id=70),
             QuestionRecord(NOW, "private", "aro bolo", "suggest", None, 50.0,
                            chat_id=5, message_id=71),
             QuestionRecord(NOW, "group", "llama kobe", "suggest", None, 50.0,
                            chat_id=-9, message_id=70),
             # An edited question whose new "did you mean" replaced the old one in message 72.
             QuestionRecord(NOW, "private", "lama", "suggest", None, 50.0,
                            chat_id=5, message_id=72),
             QuestionRecord(NOW, "private", "lamakon", "suggest", None, 50.0,
                            chat_id=5, message_id=72)]
    tapped = [TapRecord(NOW, 5, 70, 5, "llamacon"),
              TapRecord(NOW, 5, 70, 5, "llamacon"),  # the same tap again
              TapRecord(NOW, -9, 70, 1, "launch_2023"),
              TapRecord(NOW, -9, 70, 2, "launch_2023"),
              TapRecord(NOW, -9, 71, 2, "llamacon"),  # no such "did you mean" message
              TapRecord(NOW, 6, 70, 6, "llamacon"),
              TapRecord(NOW, 5, 72, 5, "llamacon")]
    assert db.write([], asked, tapped[:1])
    assert db.write([], [], tapped[1:])  # a later batch: the first tap is still known
    assert db.taps(["llama kobe", "aro bolo", "lama", "lamakon"]) == {
        "llama kobe": {"llamacon": 1, "launch_2023": 2}, "lamakon": {"llamacon": 1}}
    stats = db.stats()
    assert stats is not None and stats.questions == 5  # taps are not questions
    db.close()


def test_a_choice_the_message_never_offered_is_not_counted(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    """Found by the red-team run: a client can send any callback data, and a forged
    "d:<fact>" tap was logged as a pick, steering what /gaps and /review suggest."""
    (question, choices), = uncertain_questions(bot.services.responder, 1)
    [reply] = fake_telegram.ask(question)
    never = next(f for f in bot.services.knowledge.facts if f not in choices)
    fake_telegram.tap(f"d:{choices[0]}", method="sendMessage", message_id=reply.message_id)
    # A user's later tap replaces their earlier one: a forged one must not.
    fake_telegram.tap(f"d:{never}", method="sendMessage", message_id=reply.message_id)
    assert taps(bot, question) == {normalize_for_log(question): {choices[0]: 1}}


def test_the_same_tap_again_is_answered_and_logged_once(
    bot: BotThread, fake_telegram: FakeTelegram, bot_settings: Any
) -> None:
    """Found by the red-team run: a "did you mean" choice tapped three times (an impatient
    user, a client retrying) sent the answer three times and logged three questions."""
    import sqlite3

    (question, choices), = uncertain_questions(bot.services.responder, 1)
    [reply] = fake_telegram.ask(question, user_id=131)
    facts_before = bot.services.metrics.answers.counts["fact"]
    since = fake_telegram.mark()
    for _ in range(3):
        fake_telegram.callback(f"d:{choices[0]}", user_id=131, message_id=reply.message_id)
    # Another button of the same message is another choice: answered.
    fake_telegram.callback(f"d:{choices[1]}", user_id=131, message_id=reply.message_id)
    fake_telegram.wait_for("answerCallbackQuery", count=4, since=since)
    from bot.tg.render import render_answer

    # The chat's updates are handled in order: once "hello" is answered, the taps were.
    [hello] = render_answer(bot.services.responder.ask("hello", FIXED_NOW))
    fake_telegram.message("hello", user_id=131)
    fake_telegram.wait_for("sendMessage", lambda c: c.text == hello, since=since)
    sent = [c.text for c in fake_telegram.calls_to("sendMessage", since)]
    assert len(sent) == 3, sent  # two choices answered, then "hello"
    assert len(fake_telegram.calls_to("answerCallbackQuery", since)) == 4  # no spinner left
    assert bot.services.metrics.answers.counts["fact"] - facts_before == 2
    bot.call(bot.services.storage.flush())
    with sqlite3.connect(bot_settings.database.path) as db:
        [(logged,)] = db.execute("SELECT count(*) FROM questions"
                                 " WHERE channel = 'button' AND kind = 'fact'")
    assert logged == 2
    assert taps(bot, question) == {normalize_for_log(question): {choices[1]: 1}}


def test_a_tap_whose_answer_failed_is_answered_when_tapped_again(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    (question, choices), = uncertain_questions(bot.services.responder, 1)
    [reply] = fake_telegram.ask(question, user_id=132)
    fake_telegram.fail("sendMessage", 500, chat_id=132)  # the answer is lost on its way
    since = fake_telegram.mark()
    fake_telegram.callback(f"d:{choices[0]}", user_id=132, message_id=reply.message_id)
    # The one that failed, then the apology, as a message: the tap was answered already.
    fake_telegram.wait_for("sendMessage", count=2, since=since)
    calls = fake_telegram.tap(f"d:{choices[0]}", method="sendMessage", user_id=132,
                              message_id=reply.message_id)
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]


def test_recent_taps_are_bounded_and_forgotten_after_their_window() -> None:
    from datetime import timedelta

    from bot.tg.taps import RecentTaps, Tap

    recent = RecentTaps(size=2, window=timedelta(minutes=10))
    a, b, c = (Tap(5, 70, 5, f"d:{fact}") for fact in ("x", "y", "z"))
    assert recent.first(a, NOW) and not recent.first(a, NOW + timedelta(minutes=9))
    assert recent.first(a, NOW + timedelta(minutes=10))  # a new question by now
    assert recent.first(b, NOW) and recent.first(c, NOW)
    assert recent.first(a, NOW)  # the oldest was forgotten to make room
