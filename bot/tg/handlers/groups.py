"""Membership changes: greet a group that adds the bot; log blocks (the subscription
handlers unsubscribe those users)."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.tg.services import services_of

log = logging.getLogger(__name__)
_IN = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR)
_OUT = (ChatMember.LEFT, ChatMember.BANNED)


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """React to the bot being added to, removed from or blocked in a chat."""
    change = update.my_chat_member
    if change is None:
        return
    old, new = change.old_chat_member.status, change.new_chat_member.status
    chat = change.chat
    if chat.type == ChatType.PRIVATE:
        if new in _OUT:
            log.info("user %s blocked the bot", chat.id)
        elif old in _OUT and new in _IN:
            log.info("user %s unblocked the bot", chat.id)
        return
    if new in _IN and old not in _IN:
        log.info("added to %s %s", chat.type, chat.id)
        voice = services_of(context).knowledge.voice
        await context.bot.send_message(
            chat.id, voice.render("group_greeting", username=context.bot.username))
    elif new in _OUT:
        log.info("removed from %s %s", chat.type, chat.id)
