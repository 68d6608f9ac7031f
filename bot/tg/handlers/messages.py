"""Messages: a text or a caption is a question (private chats always, groups only when the
bot is mentioned or replied to); a corrected question corrects the answer; the rest gets a
note that the bot reads text."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.tg import texts, views
from bot.tg.addressed import mentions, question_in, replies_to, thread_of
from bot.tg.services import services_of
from bot.tg.turns import (
    Part,
    conversation_key,
    keep_turn,
    parts_of,
    read_turn,
    record_choice,
    send_parts,
)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a text or a caption as the next turn of its conversation: the cited answer(s),
    related-question buttons or suggestions."""
    await _answer(update, context, edited=False)


async def on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a corrected question by editing the earlier answer (or anew if there was none)."""
    await _answer(update, context, edited=True)


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE, *, edited: bool) -> None:
    message = update.effective_message
    if message is None:
        return
    bot = context.bot
    question = question_in(message, bot.id, bot.username)
    if question is None:
        return  # group chatter, or an edit that no longer mentions the bot: leave it be
    services = services_of(context)
    if message.media_group_id is not None and not edited:
        # An album's caption: answered once, and its items without one need no note.
        if not services.albums.caption((message.chat.id, message.media_group_id)):
            return  # another item's caption answered the album
    chat_id, thread = message.chat_id, thread_of(message)
    group = message.chat.type != ChatType.PRIVATE
    now, user = services.now(), update.effective_user
    turn, memory = None, None
    if mentions(message, bot.username) and not any(c.isalnum() for c in question):
        # "@llamabot" alone is a hello, not an empty question.
        greeting, markup = views.start_view(services.knowledge, bot.username if group else None)
        parts: tuple[Part, ...] = (Part(None, [greeting], markup),)
    else:
        turn, memory = await read_turn(services, message, user, question, bot.id, now)
        parts = parts_of(turn)
    earlier = services.replies.get(chat_id, message.message_id) if edited else ()
    # In groups, reply to the asker's message so the thread stays readable.
    sent = await send_parts(bot, chat_id, parts, thread=thread, earlier=earlier,
                            reply_to=message.message_id if group else None)
    services.replies.remember(chat_id, message.message_id, sent.all_ids)
    if turn is not None:
        services.metrics.turns.inc(turn.kind.value)
        record_choice(services, user, turn, chat_id, memory, now)
        keep_turn(services, user, turn, sent, "group" if group else "private",
                  conversation_key(message, user), memory, now)


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A user's photo, video or file: its caption is asked like a text, else `on_other`."""
    message = update.effective_message
    if message is not None and message.caption:
        await on_text(update, context)
    else:
        await on_other(update, context)


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice, files: say (once per message) that the bot reads text only."""
    message = update.effective_message
    if message is None:
        return
    services = services_of(context)
    user = update.effective_user
    if message.document is not None and services.is_admin(user.id if user else None):
        return  # an admin's file in a group: knowledge uploads are taken in private chats only
    if message.chat.type != ChatType.PRIVATE and not replies_to(message, context.bot.id):
        return
    note = services.knowledge.voice.fill(texts.NON_TEXT, html_text=True)
    if message.media_group_id is not None:
        # One note per album, and none if another of its items carries a caption.
        services.albums.note_later((message.chat.id, message.media_group_id),
                                   lambda: message.reply_html(note))
        return
    await message.reply_html(note)
