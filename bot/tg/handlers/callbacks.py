"""Button taps: facts, topics and menus. Every callback query is answered."""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.core.conversation import Context, Conversation
from bot.storage.contexts import ConversationKey
from bot.tg import keyboards, texts, views
from bot.tg.addressed import thread_of
from bot.tg.reply import record_tap, send_chunks
from bot.tg.services import services_of
from bot.tg.taps import tap_of
from bot.tg.turns import keep_turn, parts_of, recall, send_parts

log = logging.getLogger(__name__)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Dispatch on the callback code: f:<fact> (d:<fact>: a "did you mean" choice), t:<topic>,
    m:<menu>."""
    query = update.callback_query
    if query is None:
        return
    if query.inline_message_id is not None:
        # Our inline results carry no buttons: such a tap is forged, and following it would
        # write to the tapper's private chat. Answered, as every tap must be; nothing else.
        await query.answer()
        return
    services = services_of(context)
    conversation = services.conversation  # once: its knowledge decodes and answers the tap
    knowledge = conversation.responder.knowledge
    data = query.data or ""
    prefix, ident = keyboards.decode(
        data,
        knowledge.facts if data.startswith(("f:", "d:")) else (t.id for t in knowledge.topics),
    )

    if prefix in ("f", "d") and ident is not None and ident in knowledge.facts:
        now = services.now()
        tap = tap_of(query)
        if tap is not None and not services.taps.first(tap, now):
            # The same tap again: its answer was sent and logged; only stop the spinner.
            await query.answer(texts.ALREADY_ANSWERED)
            return
        await query.answer()
        try:
            await _answer_tap(context, conversation, query, prefix, ident, now)
        except BaseException:
            if tap is not None:
                services.taps.forget(tap)  # not answered: a tap again may be
            raise
    elif prefix == "t" and ident is not None and knowledge.facts_in_topic(ident):
        await query.answer()
        await _show(update, context, *views.topic_view(knowledge, ident), edit=True)
    elif data in ("m:topics", "m:back"):
        await query.answer()
        await _show(update, context, *views.topics_view(knowledge), edit=data == "m:back")
    elif knowledge.bot.event is not None and data == keyboards.events_menu(knowledge.bot.event):
        await query.answer()
        group = query.message is not None and query.message.chat.type != ChatType.PRIVATE
        await _show(update, context, *views.events_view(
            knowledge, services.now(), context.bot.username if group else None))
    elif data == "m:source":
        await query.answer()
        await _show(update, context, *views.source_view(knowledge))
    else:
        # A button from before a reload whose fact or topic is gone: say so, do not crash.
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)


async def _answer_tap(context: ContextTypes.DEFAULT_TYPE, conversation: Conversation,
                      query: CallbackQuery, prefix: str, ident: str, now: datetime) -> None:
    """Answer a fact's button as if asked; log a "did you mean" choice under its question."""
    services = services_of(context)
    message = query.message
    chat_id = message.chat.id if message is not None else query.from_user.id
    if prefix == "d" and keyboards.offers(message, query.data or ""):
        # Only a choice the message offered: a client can send any callback data, and
        # taps decide which fact /gaps and /review put first.
        record_tap(services, query, ident)
    # The conversation moves to the fact tapped: "কবে?" next asks about it.
    private = message is None or message.chat.type == ChatType.PRIVATE
    key = ConversationKey.of(chat_id, query.from_user.id, private)
    memory = await recall(services, key, None, now)
    turn = conversation.choose(ident, memory.context if memory else Context(), now)
    sent = await send_parts(context.bot, chat_id, parts_of(turn), thread=thread_of(message))
    keep_turn(services, query.from_user, turn, sent, "button", key, memory, now)


async def _show(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str,
                markup: InlineKeyboardMarkup | None, edit: bool = False) -> None:
    query = update.callback_query
    assert query is not None
    if edit and query.message is not None:
        try:
            await query.edit_message_text(text, reply_markup=markup)
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():  # the same button tapped twice
                return
            log.info("could not edit message, sending a new one: %s", exc)
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    await send_chunks(context.bot, chat_id, [text], markup, thread=thread_of(query.message))
