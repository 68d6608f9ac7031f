"""👍 / 👎 under fact answers: one vote per user and answer, a toast and never a message;
👎 offers reasons in place of the vote row and a reason brings the row back."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from conftest import FIXED_NOW, BotThread, start_bot
from fake_telegram import Call, FakeTelegram
from test_tg_messages import edit

from bot.core.review import NARROW_MARGIN, Signal
from bot.storage.connection import DatabaseTarget
from bot.storage.records import FactFeedback

QUESTION = "লামা কতবার ডাউনলোড হয়েছে?"
FACT = "downloads_milestone"
VOTES = ["v:up", "v:down"]
REASONS = ["v:why:wrong:111", "v:why:incomplete:111", "v:why:misunderstood:111"]


def rows(markup: dict[str, Any]) -> list[list[str]]:
    return [[b["callback_data"] for b in row] for row in markup["inline_keyboard"]]


def vote(fake: FakeTelegram, data: str, answer: Call, markup: dict[str, Any] | None = None,
         user_id: int = 111) -> list[Call]:
    """Tap `data` under `answer`, whose keyboard is `markup` now (the one it was sent with by
    default), as Telegram sends it; the bot's calls up to its toast."""
    assert answer.message_id is not None
    return fake.tap(data, user_id=user_id, chat_id=answer.chat_id, message_id=answer.message_id,
                    reply_markup=markup or answer.params["reply_markup"])


def feedback(bot: BotThread) -> dict[str, FactFeedback]:
    storage = bot.services.storage
    bot.call(storage.flush())
    found = bot.call(storage.fact_feedback(FIXED_NOW - timedelta(days=1)))
    assert found is not None
    return {f.fact_id: f for f in found}


def test_every_fact_answer_ends_with_one_row_of_votes(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    [answer] = fake_telegram.ask(QUESTION)
    keyboard = rows(answer.params["reply_markup"])
    assert keyboard[-1] == VOTES
    assert keyboard[:-1] and all(d.startswith("f:") for row in keyboard[:-1] for d in row)
    assert all(len(d.encode()) <= 64 for row in keyboard for d in row)


def test_a_vote_is_a_toast_once_per_user_and_a_second_tap_changes_it(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    [answer] = fake_telegram.ask(QUESTION)
    since = fake_telegram.mark()
    calls = vote(fake_telegram, "v:up", answer)
    vote(fake_telegram, "v:up", answer)  # the same tap again: still one vote
    [toast] = [c for c in calls if c.method == "answerCallbackQuery"]
    assert "ধন্যবাদ" in toast.params["text"]
    assert feedback(bot)[FACT].up == 1

    vote(fake_telegram, "v:down", answer)  # changes the vote
    [chips] = fake_telegram.wait_for("editMessageReplyMarkup", since=since)
    assert chips.params["message_id"] == answer.message_id
    shown = rows(chips.params["reply_markup"])
    assert shown[-1] == REASONS and shown[:-1] == rows(answer.params["reply_markup"])[:-1]
    assert [b["text"] for b in chips.params["reply_markup"]["inline_keyboard"][-1]] == [
        "ভুল উত্তর", "অসম্পূর্ণ", "প্রশ্ন বোঝেনি"]
    counted = feedback(bot)[FACT]
    assert (counted.answered, counted.up, counted.down) == (1, 0, 1)

    # A reason replaces the 👎 without a reason, and the vote row comes back.
    vote(fake_telegram, "v:why:incomplete:111", answer, chips.params["reply_markup"])
    restored = fake_telegram.wait_for("editMessageReplyMarkup", since=since, count=2)[-1]
    assert rows(restored.params["reply_markup"]) == rows(answer.params["reply_markup"])
    vote(fake_telegram, "v:up", answer, user_id=222)  # someone else, in the same chat
    counted = feedback(bot)[FACT]
    assert (counted.up, counted.down) == (1, 1)
    items = bot.call(bot.services.storage.review_items(NARROW_MARGIN))
    assert [(i.signal, i.reason, i.answered) for i in items] == [
        (Signal.DISLIKED, "incomplete", FACT)]
    assert not fake_telegram.calls_to("sendMessage", since)  # never a new message


def test_forged_or_stale_vote_buttons_are_refused_and_record_nothing(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    [answer] = fake_telegram.ask(QUESTION)
    since = fake_telegram.mark()
    for data in ("v:why:rude", "v:sideways", "v:up:" + "x" * 50, "v:", "v:why:wrong:x1"):
        calls = vote(fake_telegram, data, answer)
        [toast] = [c for c in calls if c.method == "answerCallbackQuery"]
        assert toast.params["text"] == "এই বোতামটি চেনা গেল না।"
    # A reason tapped on a keyboard that shows none (stale, or made up).
    vote(fake_telegram, "v:why:wrong", answer)
    assert FACT not in feedback(bot) or feedback(bot)[FACT].down == 0
    assert not fake_telegram.calls_to("editMessageReplyMarkup", since)
    assert not fake_telegram.calls_to("sendMessage", since)


def test_a_vote_on_an_answer_sent_from_a_button_finds_its_question(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    calls = fake_telegram.tap(f"f:{FACT}", method="sendMessage")
    [answer] = [c for c in calls if c.method == "sendMessage"]
    assert rows(answer.params["reply_markup"])[-1] == VOTES
    vote(fake_telegram, "v:down", answer)
    counted = feedback(bot)[FACT]
    assert (counted.answered, counted.down) == (1, 1)


def test_a_vote_stays_with_the_fact_it_was_given_on_when_the_question_is_edited(
    bot_settings: Any, fake_telegram: FakeTelegram, database_target: DatabaseTarget
) -> None:
    """Red team 14: an edited question edits its answer in place, and a 👍/👎 given on the
    old answer then counted for the new fact (in /stats and the review). A vote counts for
    the fact its message showed when it was given; a vote given after the edit, for the new."""
    later = timedelta(0)
    running = start_bot(replace(bot_settings, database=database_target),
                        clock=lambda: FIXED_NOW + later)
    try:
        message = fake_telegram.make_message(QUESTION, user_id=111)
        since = fake_telegram.mark()
        fake_telegram.push("message", message)
        [answer] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == 111,
                                          since=since)
        vote(fake_telegram, "v:down", answer)
        chips = fake_telegram.wait_for("editMessageReplyMarkup", since=since)[-1]
        vote(fake_telegram, "v:why:wrong:111", answer, chips.params["reply_markup"])
        fake_telegram.wait_for("editMessageReplyMarkup", since=since, count=2)

        later = timedelta(minutes=2)  # the user corrects the question afterwards
        edit(fake_telegram, message, "লামাকন কবে?")
        [edited] = fake_telegram.wait_for("editMessageText", since=since)
        assert edited.params["message_id"] == answer.message_id
        counted = feedback(running)
        assert (counted[FACT].answered, counted[FACT].up, counted[FACT].down) == (1, 0, 1)
        assert (counted["llamacon"].answered, counted["llamacon"].up,
                counted["llamacon"].down) == (1, 0, 0)
        items = running.call(running.services.storage.review_items(NARROW_MARGIN))
        assert [(i.signal, i.reason, i.answered) for i in items
                if i.signal is Signal.DISLIKED] == [(Signal.DISLIKED, "wrong", FACT)]

        later = timedelta(minutes=3)  # someone votes on the new answer: it counts for it
        vote(fake_telegram, "v:up", answer, edited.params["reply_markup"], user_id=222)
        counted = feedback(running)
        assert (counted["llamacon"].up, counted[FACT].up, counted[FACT].down) == (1, 0, 1)
    finally:
        running.stop()


def test_in_a_group_only_who_voted_down_gives_the_reason(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    """Found by the sixteenth red-team run: a 👎 shows its reason chips to the whole group,
    and another member's tap on one was recorded as their own 👎 with a reason, though they
    never voted (and took the chips away from who did)."""
    group = -4242
    mention = f"@{fake_telegram.username}"
    [answer] = fake_telegram.ask(f"{mention} {QUESTION}", user_id=111, chat_id=group,
                                 chat_type="group")
    since = fake_telegram.mark()
    vote(fake_telegram, "v:down", answer, user_id=111)
    [chips] = fake_telegram.wait_for("editMessageReplyMarkup", since=since)
    shown = chips.params["reply_markup"]
    [wrong] = [b["callback_data"] for b in shown["inline_keyboard"][-1]
               if b["text"] == "ভুল উত্তর"]
    calls = vote(fake_telegram, wrong, answer, shown, user_id=222)
    assert "👎" in calls[-1].params["text"]  # told whose chips these are
    assert not fake_telegram.calls_to("editMessageReplyMarkup", since=since)[1:]
    counted = feedback(bot)[FACT]
    assert (counted.up, counted.down) == (0, 1)  # 222 did not vote
    vote(fake_telegram, wrong, answer, shown, user_id=111)
    fake_telegram.wait_for("editMessageReplyMarkup", since=since, count=2)
    items = bot.call(bot.services.storage.review_items(NARROW_MARGIN))
    assert [(i.signal, i.reason) for i in items if i.signal is Signal.DISLIKED] == [
        (Signal.DISLIKED, "wrong")]
