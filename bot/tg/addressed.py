"""Where a message stands: whether it is meant for the bot, and the topic to reply in.

In groups, a message is for the bot when it mentions it or replies to it. Shared by the
message handlers (what to answer) and the flood gate (what to count), so the two never
disagree about group chatter.
"""

from __future__ import annotations

import re

from telegram import Message, User
from telegram.constants import ChatType


def thread_of(message: object) -> int | None:
    """The forum topic `message` is in, or None: replies must go to the same topic."""
    if isinstance(message, Message) and message.is_topic_message:
        return message.message_thread_id
    return None


def speaker(message: Message | None, user: User | None) -> int | None:
    """Who sent `message`: the chat they speak as (people writing as a channel, or as an
    anonymous admin, all send as one Telegram account), else the user. Chat ids are
    negative, user ids positive: the two never meet. Shared by the flood limit, the
    per-chat queue's turns and the conversation's key."""
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id
    return user.id if user is not None else None


def _mention(username: str) -> re.Pattern[str] | None:
    # At a word's start only: in "x@llamabot.com" the name is part of an e-mail address.
    return (re.compile(rf"(?<![\w.])@{re.escape(username)}\b", re.IGNORECASE)
            if username else None)


def mentions(message: Message, username: str) -> bool:
    """Whether the text or caption of `message` names the bot (@username)."""
    mention = _mention(username)
    text = message.text or message.caption or ""
    return mention is not None and mention.search(text) is not None


def replies_to(message: Message, bot_id: int) -> bool:
    """Whether `message` is a reply to one of the bot's own messages."""
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == bot_id


def addressed_text(message: Message, bot_id: int, username: str) -> str | None:
    """The question in a group message meant for the bot, or None to stay quiet."""
    text = message.text or message.caption or ""
    mention = _mention(username)
    if mention is not None and mention.search(text):
        return mention.sub(" ", text).strip()
    return text if replies_to(message, bot_id) else None


def question_in(message: Message, bot_id: int, username: str) -> str | None:
    """What `message` asks the bot, without the bot's @name; None when it is not for the bot."""
    if message.chat.type != ChatType.PRIVATE:
        return addressed_text(message, bot_id, username)
    text = message.text or message.caption
    mention = _mention(username)
    return mention.sub(" ", text).strip() if text is not None and mention else text
