"""Text messages: private chats always, groups only when the bot is mentioned or replied to."""

from __future__ import annotations

import re

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.tg import texts
from bot.tg.reply import record, send_answer
from bot.tg.services import services_of


def addressed_text(message: Message, bot_id: int, username: str) -> str | None:
    """The question in a group message meant for the bot, or None to stay quiet."""
    text = message.text or ""
    mention = re.compile(rf"@{re.escape(username)}\b", re.IGNORECASE)
    if username and mention.search(text):
        return mention.sub(" ", text).strip()
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return text
    return None


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a question with the cited answer, related-question buttons or suggestions."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    group = message.chat.type != ChatType.PRIVATE
    question: str | None = message.text
    if group:
        question = addressed_text(message, context.bot.id, context.bot.username)
        if question is None:
            return
    services = services_of(context)
    responder = services.responder  # read once: a reload mid-answer must not mix versions
    answer = responder.ask(question or "", services.now())
    # In groups, reply to the asker's message so the thread stays readable.
    sent = await send_answer(context.bot, services, message.chat_id, answer,
                             reply_to=message.message_id if group else None)
    record(services, update.effective_user, answer, "group" if group else "private", sent)


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice, files: say (once per message) that the bot reads text only."""
    message = update.effective_message
    if message is None:
        return
    services = services_of(context)
    user = update.effective_user
    if message.document is not None and services.is_admin(user.id if user else None):
        return  # an admin's file in a group: knowledge uploads are taken in private chats only
    if message.chat.type != ChatType.PRIVATE:
        replied = message.reply_to_message
        if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
            return
    await message.reply_html(texts.NON_TEXT)
