"""The one global error handler."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ContextTypes

from bot.broadcast.sender import retry_after_seconds
from bot.tg import flood, texts
from bot.tg.addressed import thread_of
from bot.tg.services import services_of
from bot.tg.updates import TolerantBot

log = logging.getLogger(__name__)


def describe(update: object) -> str:
    """Who and where, without message text: enough to find the case, no personal data."""
    if not isinstance(update, Update):
        return "no update"
    kind = next((k for k in ("message", "edited_message", "callback_query", "inline_query",
                             "my_chat_member") if getattr(update, k) is not None), "other")
    chat = update.effective_chat.id if update.effective_chat else None
    user = update.effective_user.id if update.effective_user else None
    return f"update {update.update_id} ({kind}, chat {chat}, user {user})"


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure with context and tell the user, in Bengali, without internals."""
    error = context.error
    if update is not None:  # not a polling hiccup: handling an update failed
        services_of(context).metrics.errors.inc()
    if isinstance(error, Forbidden):
        log.info("%s: not allowed to send (blocked by the user, or removed from the group): %s",
                 describe(update), error)
        return
    if isinstance(error, (TimedOut, NetworkError, RetryAfter)) and update is None:
        # Polling hiccups: PTB retries by itself; a warning is enough.
        log.warning("network problem talking to Telegram: %s", error)
        return
    if isinstance(error, RetryAfter):
        # Telegram told us to wait longer than a reply may: an apology into the same chat
        # would only lengthen the wait, and a traceback says nothing the line does not.
        log.warning("%s: not answered, Telegram asks to wait %.0f s", describe(update),
                    retry_after_seconds(error))
        return
    log.error("%s failed", describe(update), exc_info=error)
    if not isinstance(update, Update):
        return
    query = update.callback_query
    bot = context.bot
    # Telegram takes one answer per tap: a tap answered before the failure gets the
    # apology in its chat instead (none for a tap without one: an inline message's).
    answered = query is not None and isinstance(bot, TolerantBot) and bot.answered(query.id)
    try:
        if query is not None and not answered:
            await query.answer(texts.ERROR, show_alert=True)
        elif query is not None:
            if isinstance(query.message, Message):
                await bot.send_message(query.message.chat.id, texts.ERROR,
                                       message_thread_id=thread_of(query.message))
        elif update.effective_chat is not None and update.inline_query is None:
            await context.bot.send_message(update.effective_chat.id, texts.ERROR,
                                           message_thread_id=thread_of(update.effective_message))
    except Exception as exc:  # the apology itself failed (e.g. Telegram down): log only
        log.warning("%s: could not send the error notice: %s", describe(update), exc)


async def flood_gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Transitional: `bot.tg.app` registers this until it registers `bot.tg.flood.flood_gate`
    (built once with the services' gate and admin check) itself."""
    services = services_of(context)
    await flood.flood_gate(services.flood, services.is_admin)(update, context)
