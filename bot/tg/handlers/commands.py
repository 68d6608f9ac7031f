"""User commands: /start (with deep-link payloads), /help, /topics, /source, and the event
command bot.yaml names (/llamacon for the Llama knowledge base)."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.core.conversation import Context
from bot.storage.contexts import ContextRecord, Remembered
from bot.tg import texts, views
from bot.tg.addressed import thread_of
from bot.tg.reply import send_chunks
from bot.tg.services import services_of
from bot.tg.turns import conversation_key, keep_turn, parts_of, send_parts

# Deep-link payloads (t.me/<bot>?start=<payload>) that open something other than the greeting.


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet, list what the bot knows, offer buttons; honour a deep-link payload.

    The conversation starts afresh: its context is forgotten (or, for a link to one answer,
    it is that answer's fact).
    """
    services = services_of(context)
    message = update.effective_message
    if message is None:
        return
    # `/start subscribe` never gets here: bot.tg.handlers.subscriptions answers it first.
    payload = context.args[0] if context.args else ""
    conversation = services.conversation
    now, user = services.now(), update.effective_user
    key = conversation_key(message, user)
    if payload in conversation.responder.knowledge.facts:  # a link to one answer (?start=llamacon)
        turn = conversation.choose(payload, Context(), now)
        sent = await send_parts(context.bot, message.chat_id, parts_of(turn),
                                thread=thread_of(message))
        memory = None if not services.settings.conversation else Remembered(Context())
        keep_turn(services, user, turn, sent, None, key, memory, now)
        return
    if services.settings.conversation:
        services.storage.record(context=ContextRecord(key, None, now))
    group = message.chat.type != ChatType.PRIVATE
    text, markup = views.start_view(conversation.responder.knowledge,
                                    context.bot.username if group else None)
    await message.reply_html(text, reply_markup=markup)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain how to ask and list the commands."""
    if update.effective_message is None:
        return
    text, _ = views.help_view(services_of(context).knowledge, context.bot.username)
    await update.effective_message.reply_html(text)


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the topics as buttons; a topic then lists its questions."""
    if update.effective_message is None:
        return
    text, markup = views.topics_view(services_of(context).knowledge)
    await update.effective_message.reply_html(text, reply_markup=markup)


async def events(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the events with their dates and how many days are left (or that they were held)."""
    if update.effective_message is None:
        return
    services = services_of(context)
    group = update.effective_message.chat.type != ChatType.PRIVATE
    text, markup = views.events_view(services.knowledge, services.now(),
                                     context.bot.username if group else None)
    await update.effective_message.reply_html(text, reply_markup=markup)


async def source(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Describe the article every answer comes from."""
    message = update.effective_message
    if message is None:
        return
    text, markup = views.source_view(services_of(context).knowledge)
    await send_chunks(context.bot, message.chat_id, [text], markup, thread=thread_of(message))


async def unknown(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point private users who mistype a command to /help."""
    if update.effective_message is not None:
        await update.effective_message.reply_html(texts.UNKNOWN_COMMAND)
