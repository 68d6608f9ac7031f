"""Telegram's limits against the fake Bot API enforcing them: a busy group is answered at
20 messages a minute and nothing is refused; a chat told to wait (429) is sent nothing until
then; a chat's queue is bounded and shared fairly by a group's members; a group upgraded to
a supergroup keeps its subscription.

Time is a stepped clock shared by the bot's pacer and the fake server: no test waits for
wall time to pass, and "held" is read from the pacer, not guessed from a pause.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import BotThread, start_bot
from fake_telegram import FakeTelegram

from bot.tg.ordering import ChatOrderedProcessor, pause
from bot.tg.pacing import ChatPacer, ChatWindows, PaceLimits, Window

GROUP = -100123


class SteppedClock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self) -> None:
        self._now = 1000.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


async def short_pause(seconds: float) -> None:
    """The pacer's wait, looking at the stepped clock again every 10 ms."""
    await pause(min(seconds, 0.01))


def until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


@pytest.fixture
def clock() -> SteppedClock:
    return SteppedClock()


def paced_bot(settings: Any, clock: SteppedClock, **limits: Any) -> Iterator[BotThread]:
    pacer = ChatPacer(PaceLimits(overall=None, **limits), clock=clock, sleep=short_pause)
    running = start_bot(settings, pacer=pacer)
    yield running
    running.stop()


def mention(fake: FakeTelegram, user_id: int, chat_id: int = GROUP) -> int:
    """Push "@bot" alone (answered with one greeting message); returns its message id."""
    message = fake.make_message(f"@{fake.username}", user_id, chat_id, "supergroup")
    fake.push("message", message)
    return int(message["message_id"])


def answers(fake: FakeTelegram, chat_id: int = GROUP) -> list[int]:
    """The questions answered in `chat_id` (the message each accepted answer quotes)."""
    return [c.params["reply_parameters"]["message_id"] for c in fake.calls_to("sendMessage")
            if c.chat_id == chat_id and c.message_id is not None
            and c.params.get("reply_parameters")]


def accepted(fake: FakeTelegram, chat_id: int) -> int:
    return len(fake.calls_to("sendMessage")) - fake.flood_refused


def pacer_of(bot: BotThread) -> ChatPacer:
    pacer = bot.runtime.pacer
    assert isinstance(pacer, ChatPacer)
    return pacer


def test_windows_count_each_chat_on_its_own() -> None:
    windows = ChatWindows(PaceLimits(group=Window(2, 60.0), private=Window(1, 1.0)))
    for _ in range(2):
        assert windows.ready_at(GROUP, 0.0) == 0.0
        windows.took(GROUP, 0.0)
    assert windows.ready_at(GROUP, 5.0) == 60.0  # the third waits for the first to age out
    assert windows.ready_at(42, 5.0) == 5.0  # a private chat is not held by the group
    windows.took(42, 5.0)
    assert windows.ready_at(42, 5.2) == 6.0
    windows.hold(42, 30.0)  # a 429: nothing, not even an edit, before it ends
    assert windows.ready_at(42, 10.0, message=False) == 30.0
    windows.sweep(100.0)
    assert windows.chats == {}  # chats free again are forgotten


def test_a_busy_group_gets_every_answer_at_telegrams_pace(
        fake_telegram: FakeTelegram, bot_settings: Any, clock: SteppedClock) -> None:
    fake_telegram.group_limit, fake_telegram.clock = (20, 60.0), clock
    bot = next(paced_bot(bot_settings, clock))
    try:
        asked = [mention(fake_telegram, user) for user in range(1, 21)]
        until(lambda: len(answers(fake_telegram)) == 20)
        asked += [mention(fake_telegram, user) for user in range(21, 26)]
        until(lambda: pacer_of(bot).waiting(GROUP) == 1)  # the 21st waits for a slot
        clock.advance(60)
        until(lambda: len(answers(fake_telegram)) == 25)
        assert sorted(answers(fake_telegram)) == asked
        assert fake_telegram.flood_refused == 0  # Telegram never had to refuse one
    finally:
        bot.stop()


def test_a_full_queue_drops_the_oldest_questions_waiting(
        fake_telegram: FakeTelegram, bot_settings: Any, clock: SteppedClock) -> None:
    fake_telegram.group_limit, fake_telegram.clock = (2, 60.0), clock
    bot = next(paced_bot(bot_settings, clock, group=Window(2, 60.0), queue=3))
    try:
        asked = [mention(fake_telegram, user) for user in (1, 2)]
        until(lambda: len(answers(fake_telegram)) == 2)
        asked.append(mention(fake_telegram, 3))
        until(lambda: pacer_of(bot).waiting(GROUP) == 1)  # the third waits for a slot
        asked += [mention(fake_telegram, user) for user in range(4, 9)]
        processor = bot.runtime.app.update_processor
        assert isinstance(processor, ChatOrderedProcessor)
        # Three may wait behind the third: the 4th and 5th question were the oldest
        # waiting when the 7th and 8th came.
        until(lambda: processor.dropped == 2)
        assert len(answers(fake_telegram)) == 2
        clock.advance(60)
        until(lambda: len(answers(fake_telegram)) == 4)
        clock.advance(60)
        until(lambda: len(answers(fake_telegram)) == 6)
        assert answers(fake_telegram) == [asked[i] for i in (0, 1, 2, 5, 6, 7)]
        assert fake_telegram.flood_refused == 0
        metrics = bot.call(bot.runtime.metrics.render())
        assert "llamabot_updates_dropped_total 2" in metrics
    finally:
        bot.stop()


def test_one_member_flooding_a_group_leaves_the_others_their_turn(
        fake_telegram: FakeTelegram, bot_settings: Any, clock: SteppedClock) -> None:
    """A member asks on and on, within their own limit, while the group's answers wait for
    Telegram's window: another member's single question is answered in the next window
    and never dropped; the updates dropped are the flooding member's oldest."""
    fake_telegram.group_limit, fake_telegram.clock = (2, 60.0), clock
    bot = next(paced_bot(bot_settings, clock, group=Window(2, 60.0), queue=3))
    flooder, other = 1, 2
    try:
        asked = [mention(fake_telegram, flooder) for _ in range(2)]
        until(lambda: len(answers(fake_telegram)) == 2)  # the group's window is used up
        asked.append(mention(fake_telegram, flooder))
        until(lambda: pacer_of(bot).waiting(GROUP) == 1)  # the third waits for a slot
        asked += [mention(fake_telegram, flooder) for _ in range(3)]  # the queue is full
        question = mention(fake_telegram, other)
        asked += [mention(fake_telegram, flooder) for _ in range(4)]
        processor = bot.runtime.app.update_processor
        assert isinstance(processor, ChatOrderedProcessor)
        until(lambda: processor.dropped == 5)
        clock.advance(60)
        until(lambda: len(answers(fake_telegram)) == 4)
        assert answers(fake_telegram)[2:] == [asked[2], question]
        clock.advance(60)
        until(lambda: len(answers(fake_telegram)) == 6)
        assert answers(fake_telegram)[4:] == asked[-2:]  # the flooder's latest two
        assert fake_telegram.flood_refused == 0
    finally:
        bot.stop()


def test_a_flood_in_many_groups_holds_up_no_other_chat(
        fake_telegram: FakeTelegram, bot_settings: Any, clock: SteppedClock) -> None:
    """Sixty groups each ask far past their queue while their answers wait for Telegram's
    window: over 1200 updates wait in their chats' queues. A private question asked after
    them is answered at once, before any group's window reopens: a chat's waiting updates
    take no place that another chat needs (PTB's own 1024-update limit included)."""
    fake_telegram.group_limit, fake_telegram.clock = (1, 60.0), clock
    bot = next(paced_bot(bot_settings, clock, group=Window(1, 60.0), private=Window(100, 1.0)))
    try:
        groups = [-(2000 + g) for g in range(60)]
        for group in groups:  # each: one answered, one waiting for the window, 20 queued
            for user in range(26):
                mention(fake_telegram, 100 * -group + user, group)
        until(lambda: fake_telegram.pending_updates() == 0, timeout=30)  # all taken in
        fake_telegram.message("hello", user_id=7)
        until(lambda: any(c.chat_id == 7 for c in fake_telegram.calls_to("sendMessage")),
              timeout=30)
        # The clock stood still: no group had a second answer, their queues are all there.
        until(lambda: all(pacer_of(bot).waiting(group) == 1 for group in groups))
        assert [len(answers(fake_telegram, group)) for group in groups] == [1] * len(groups)
        processor = bot.runtime.app.update_processor
        assert isinstance(processor, ChatOrderedProcessor)
        assert processor.dropped >= 4 * len(groups)  # each group flooded past its bound
        assert fake_telegram.flood_refused == 0
    finally:
        bot.stop()


def test_the_overall_rate_caps_replies_and_broadcasts_together(
        fake_telegram: FakeTelegram, bot_settings: Any, clock: SteppedClock) -> None:
    """Eight subscribers get a broadcast (paced by the sender at 25 a second of its own)
    while six users ask: with the clock standing still, no more than the overall rate of 5
    messages go out, replies and broadcast together; the rest go as the clock moves."""
    pacer = ChatPacer(PaceLimits(overall=5.0, private=Window(1_000, 1.0)), clock=clock,
                      sleep=short_pause)
    bot = start_bot(bot_settings, pacer=pacer)
    try:
        subscribers, askers = list(range(501, 509)), list(range(601, 607))
        outbox = bot.runtime.broadcasting.outbox
        bot.call(outbox.call(lambda o: o.add_subscribers(subscribers, "command", time_now())))
        bot.call(outbox.call(lambda o: o.announce("নতুন খবর", time_now())))
        bot.runtime.broadcasting.wake()
        for user in askers:
            fake_telegram.message("hello", user_id=user)
        chats = subscribers + askers

        def sent() -> int:
            return sum(1 for c in fake_telegram.calls_to("sendMessage") if c.chat_id in chats)

        # Every message is either sent or waiting in the pacer for its turn.
        until(lambda: sent() + sum(pacer.waiting(chat) for chat in chats) == len(chats))
        assert sent() <= 5
        for _ in range(3):  # 14 messages at 5 a second
            clock.advance(1.0)
        until(lambda: sent() == len(chats))
        assert sorted(c.chat_id for c in fake_telegram.calls_to("sendMessage")
                      if c.chat_id in chats) == chats
    finally:
        bot.stop()


def test_a_chat_told_to_wait_is_sent_nothing_until_then(
        fake_telegram: FakeTelegram, bot_settings: Any, clock: SteppedClock) -> None:
    fake_telegram.clock = clock
    bot = next(paced_bot(bot_settings, clock))
    try:
        fake_telegram.flood_wait(GROUP, 30)  # Telegram's flood control on this chat
        mention(fake_telegram, 1)  # its answer is refused: 429, retry after 30 s
        until(lambda: fake_telegram.flood_refused == 1)
        second = mention(fake_telegram, 2)
        until(lambda: pacer_of(bot).waiting(GROUP) == 1)  # held, not sent into another 429
        clock.advance(30)
        until(lambda: answers(fake_telegram) == [second])
        assert fake_telegram.flood_refused == 1
        assert "llamabot_throttled_total 1" in bot.call(bot.runtime.metrics.render())
    finally:
        bot.stop()


def subscribed(bot: BotThread, chat_id: int) -> bool:
    outbox = bot.runtime.broadcasting.outbox
    return bool(bot.call(outbox.call(lambda o: o.is_subscribed(chat_id))))


def test_an_upgraded_group_keeps_its_subscription(fake_telegram: FakeTelegram,
                                                  bot: BotThread) -> None:
    old, new = -4242, -1000000004242  # a supergroup's id: -100…
    outbox = bot.runtime.broadcasting.outbox
    bot.call(outbox.call(lambda o: o.add_subscribers([old], "command", time_now())))
    fake_telegram.migrate_group(old, new)  # the service messages in both chats
    until(lambda: subscribed(bot, new))
    assert not subscribed(bot, old)


def test_a_broadcast_to_an_upgraded_group_goes_to_its_new_id(fake_telegram: FakeTelegram,
                                                            bot: BotThread) -> None:
    old, new = -4343, -1004343
    outbox = bot.runtime.broadcasting.outbox
    bot.call(outbox.call(lambda o: o.add_subscribers([old, 7], "command", time_now())))
    fake_telegram.migrate_group(old, new, announce=False)  # only the refused send tells
    broadcast, _ = bot.call(outbox.call(lambda o: o.announce("নতুন খবর", time_now())))
    bot.runtime.broadcasting.wake()
    fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == new and c.message_id
                           is not None and c.text == "নতুন খবর", timeout=10)
    until(lambda: bot.call(outbox.call(lambda o: o.progress(broadcast))).remaining == 0)
    progress = bot.call(outbox.call(lambda o: o.progress(broadcast)))
    assert (progress.sent, progress.failed) == (2, 0)
    assert subscribed(bot, new) and not subscribed(bot, old)
    refused = [c for c in fake_telegram.calls_to("sendMessage") if c.chat_id == old]
    assert len(refused) == 1  # the one refused send; the next broadcast goes to `new`


def time_now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)
