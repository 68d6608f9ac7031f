"""A group's upgrade to a supergroup, told by service messages through the fake Bot API:
only a real upgrade moves a subscription (from a group, to a supergroup's id); a service
message anywhere else, or naming the chat itself, moves nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import BotThread, plain
from fake_telegram import FakeTelegram

PRIVATE = 5
GROUP = -4646  # a basic group
SUPERGROUP = -1000000004646  # Telegram's supergroup ids are -100 followed by the id


def subscribers(bot: BotThread) -> list[int]:
    outbox = bot.runtime.broadcasting.outbox
    rows = bot.call(outbox.call(lambda o: o.conn.execute(
        "SELECT chat_id FROM subscribers WHERE active = 1 ORDER BY chat_id").fetchall()))
    return [int(chat_id) for chat_id, in rows]


def queued(bot: BotThread) -> list[int]:
    """The chats the broadcast is still for: waiting, or claimed by a sender that read the
    pause a moment before the test set it (neither moved nor cancelled)."""
    outbox = bot.runtime.broadcasting.outbox
    rows = bot.call(outbox.call(lambda o: o.conn.execute(
        "SELECT chat_id FROM outbox WHERE state IN ('pending', 'sending', 'sent')"
        " ORDER BY chat_id").fetchall()))
    return [int(chat_id) for chat_id, in rows]


def handled(fake: FakeTelegram, chat_id: int, chat_type: str) -> None:
    """Updates of one chat are handled in order: once "@bot" there is answered, what came
    before it in that chat was handled too."""
    fake.ask(f"@{fake.username}" if chat_type != "private" else "hello", user_id=111,
             chat_id=chat_id, chat_type=chat_type)


def test_forged_or_self_naming_upgrades_move_nothing(fake_telegram: FakeTelegram,
                                                    bot: BotThread) -> None:
    """Before, a service message in a private chat moved that chat's subscription to any id
    it named, or a group's subscription into the private chat; one naming its own chat
    deleted the subscription and cancelled the queued messages."""
    outbox = bot.runtime.broadcasting.outbox
    now = datetime.now(UTC)
    chats = [PRIVATE, GROUP, SUPERGROUP]
    bot.call(outbox.call(lambda o: o.add_subscribers(chats, "command", now)))
    bot.call(outbox.call(lambda o: o.pause_sending(600)))  # a 429: they stay queued
    bot.call(outbox.call(lambda o: o.announce("x", now)))
    # In a private chat: "this chat became a supergroup", "a group became this chat".
    fake_telegram.message(None, 111, PRIVATE, "private", migrate_to_chat_id=-1000000009999)
    fake_telegram.message(None, 111, PRIVATE, "private", migrate_from_chat_id=GROUP)
    handled(fake_telegram, PRIVATE, "private")
    # A basic group "moved" to an id no supergroup has, or to itself.
    fake_telegram.message(None, 111, GROUP, "group", migrate_to_chat_id=-9999)
    fake_telegram.message(None, 111, GROUP, "group", migrate_to_chat_id=GROUP)
    handled(fake_telegram, GROUP, "group")
    # A supergroup that "came from" itself, or that "moved on" (only groups move).
    fake_telegram.message(None, 111, SUPERGROUP, "supergroup", migrate_from_chat_id=SUPERGROUP)
    fake_telegram.message(None, 111, SUPERGROUP, "supergroup",
                          migrate_to_chat_id=-1000000009999)
    handled(fake_telegram, SUPERGROUP, "supergroup")
    assert subscribers(bot) == sorted(chats)
    assert queued(bot) == sorted(chats)


def test_a_conversation_begun_in_the_group_goes_on_in_its_supergroup(
        fake_telegram: FakeTelegram, bot: BotThread) -> None:
    """Before, the upgrade moved the subscription only: in the supergroup the follow-up
    "কবে?" (when?) found no context, and was not understood."""
    mention = f"@{fake_telegram.username}"
    [first] = fake_telegram.ask(f"{mention} লামাকন কী?", user_id=111, chat_id=GROUP,
                                chat_type="group")
    assert plain(first).startswith("লামাকন"), plain(first)
    fake_telegram.migrate_group(GROUP, SUPERGROUP)
    [when] = fake_telegram.ask(f"{mention} কবে?", user_id=111, chat_id=SUPERGROUP,
                               chat_type="supergroup")
    assert "২৯ এপ্রিল" in plain(when), plain(when)
    # Another user's conversation is their own, in the supergroup as in the group.
    [other] = fake_telegram.ask(f"{mention} কবে?", user_id=222, chat_id=SUPERGROUP,
                                chat_type="supergroup")
    assert "২৯ এপ্রিল" not in plain(other), plain(other)


def test_a_supergroup_cannot_claim_to_come_from_a_private_chat_or_another_supergroup(
        fake_telegram: FakeTelegram, bot: BotThread) -> None:
    """Found by the ninth red-team run: `migrate_from_chat_id` was believed whatever chat it
    named, so a forged service message in a supergroup took a private chat's (or another
    supergroup's) subscription and conversation into it. Only a basic group upgrades."""
    outbox = bot.runtime.broadcasting.outbox
    now = datetime.now(UTC)
    other = -1000000007777
    chats = [PRIVATE, SUPERGROUP, other]
    bot.call(outbox.call(lambda o: o.add_subscribers(chats, "command", now)))
    for claimed in (PRIVATE, other):
        fake_telegram.message(None, 111, SUPERGROUP, "supergroup", migrate_from_chat_id=claimed)
    handled(fake_telegram, SUPERGROUP, "supergroup")
    assert subscribers(bot) == sorted(chats)
