"""Subscriptions and admin broadcasts: /subscribe, /unsubscribe, buttons, /broadcast.

`add_handlers` (an application extension) must run before the application's catch-all
handlers of the same group (unknown commands, the generic button handler, plain /start),
so that /subscribe, `/start subscribe`, `sub:*`/`m:subscribe` and `bc:*` buttons reach
these handlers; `attach` then supplies their dependencies before the first update.
Membership changes are handled one group later, so a general my_chat_member handler
in `group` still sees them too.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from telegram import ChatMember, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from bot.broadcast import texts
from bot.broadcast.db import AsyncOutbox
from bot.broadcast.progress import progress_text
from bot.core.message_length import MAX_MESSAGE, shorten, tg_len
from bot.storage.connection import DatabaseError
from bot.tg import texts as bot_texts
from bot.tg.reply import thread_of

log = logging.getLogger(__name__)
KEY = "subscriptions"
LINK_PAYLOADS = ("subscribe", "remind", "reminder")  # t.me/<bot>?start=subscribe
BUTTONS = r"^(sub:(on|off)|m:subscribe|bc:(send|cancel):\d+)$"  # callback data handled here
_OUT = (ChatMember.BANNED, ChatMember.LEFT)  # "kicked" and "left" in a private chat


@dataclass(frozen=True)
class SubscriptionDeps:
    outbox: AsyncOutbox
    is_admin: Callable[[int | None], bool]
    clock: Callable[[], datetime]
    wake: Callable[[], None]  # a broadcast was queued: send now, not at the next poll


def register(application: Application, deps: SubscriptionDeps,  # type: ignore[type-arg]
             *, group: int = 0) -> None:
    """Add the handlers and their dependencies in one go."""
    attach(application, deps)
    add_handlers(application, group=group)


def attach(application: Application, deps: SubscriptionDeps) -> None:  # type: ignore[type-arg]
    """Give the handlers their dependencies (before the application takes updates)."""
    application.bot_data[KEY] = deps


def add_handlers(application: Application, *, group: int = 0) -> None:  # type: ignore[type-arg]
    """Add the handlers only; `attach` must follow before the first update is processed."""
    new = filters.UpdateType.MESSAGE
    link = filters.Regex(rf"^/start(@\w+)?\s+({'|'.join(LINK_PAYLOADS)})\s*$")
    application.add_handlers([
        CommandHandler("subscribe", on_subscribe, filters=new),
        CommandHandler("unsubscribe", on_unsubscribe, filters=new),
        CommandHandler("start", on_subscribe_link, filters=new & link),
        CommandHandler("broadcast", on_broadcast, filters=new),
        CallbackQueryHandler(on_button, pattern=BUTTONS),
    ], group=group)
    application.add_handler(
        ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER), group=group + 1)


def deps_of(context: ContextTypes.DEFAULT_TYPE) -> SubscriptionDeps | None:
    """None when the bot runs without its subscription database (it could not be opened)."""
    deps = context.bot_data.get(KEY)
    return deps if isinstance(deps, SubscriptionDeps) else None


def toggle_markup(subscribed: bool) -> InlineKeyboardMarkup:
    button = (InlineKeyboardButton(texts.BUTTON_OFF, callback_data="sub:off") if subscribed
              else InlineKeyboardButton(texts.BUTTON_ON, callback_data="sub:on"))
    return InlineKeyboardMarkup([[button]])


async def set_subscription(update: Update, context: ContextTypes.DEFAULT_TYPE, on: bool,
                           reason: str) -> None:
    """Subscribe or unsubscribe the chat of `update` and confirm in Bengali (idempotent)."""
    chat = update.effective_chat
    if chat is None:
        return
    if chat.type != ChatType.PRIVATE:
        await context.bot.send_message(chat.id, texts.PRIVATE_ONLY, parse_mode=None,
                                       message_thread_id=thread_of(update.effective_message))
        return
    deps = deps_of(context)
    if deps is None:
        await context.bot.send_message(chat.id, texts.DATABASE_DOWN, parse_mode=None)
        return
    now = deps.clock()
    try:
        if on:
            changed = await deps.outbox.call(lambda o: o.subscribe(chat.id, reason, now))
        else:
            changed = await deps.outbox.call(lambda o: o.unsubscribe(chat.id, reason, now))
    except DatabaseError as exc:
        log.warning("subscription change for chat %s not saved: %s", chat.id, exc)
        await context.bot.send_message(chat.id, texts.DATABASE_DOWN, parse_mode=None)
        return
    if on:
        text = texts.SUBSCRIBED if changed else texts.ALREADY_SUBSCRIBED
    else:
        text = texts.UNSUBSCRIBED if changed else texts.NOT_SUBSCRIBED
    await context.bot.send_message(chat.id, text, parse_mode=None,
                                   reply_markup=toggle_markup(on))


async def on_subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Turn reminders and announcements on."""
    await set_subscription(update, context, True, "command")


async def on_unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Turn reminders and announcements off."""
    await set_subscription(update, context, False, "command")


async def on_subscribe_link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/start subscribe` from a t.me deep link."""
    await set_subscription(update, context, True, "link")


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A user who blocks the bot is unsubscribed (counted as blocked in /stats)."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    deps = deps_of(context)
    if deps is not None and change.new_chat_member.status in _OUT:
        chat_id, now = change.chat.id, deps.clock()
        if await deps.outbox.call(lambda o: o.unsubscribe(chat_id, "kicked", now)):
            log.info("chat %s blocked the bot: unsubscribed", chat_id)


async def on_broadcast(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins: `/broadcast TEXT` shows a preview with send and cancel buttons."""
    message, user = update.effective_message, update.effective_user
    if message is None:
        return
    deps = deps_of(context)
    if deps is None:
        await message.reply_text(texts.DATABASE_DOWN, parse_mode=None)
        return
    if not deps.is_admin(user.id if user else None):
        log.warning("refused /broadcast for user %s", user.id if user else None)
        await message.reply_html(bot_texts.ADMIN_ONLY)
        return
    parts = (message.text or "").split(maxsplit=1)
    text = parts[1].strip() if len(parts) > 1 else ""
    if not text:
        await message.reply_text(texts.BROADCAST_USAGE, parse_mode=None)
        return
    if tg_len(text) > MAX_MESSAGE:
        await message.reply_text(texts.BROADCAST_TOO_LONG.format(
            length=tg_len(text), limit=MAX_MESSAGE), parse_mode=None)
        return
    now, admin_id = deps.clock(), user.id if user else None
    try:
        draft = await deps.outbox.call(lambda o: o.create_draft(text, now, created_by=admin_id))
        count = (await deps.outbox.call(lambda o: o.subscriber_counts())).active
    except DatabaseError as exc:  # e.g. a read-only file or server: say so, not "sorry"
        log.warning("broadcast draft of admin %s not saved: %s", admin_id, exc)
        await message.reply_text(texts.BROADCAST_NOT_SAVED.format(reason=exc), parse_mode=None)
        return
    # The preview adds a header and a question to the text: shorten the text to make room.
    room = MAX_MESSAGE - tg_len(texts.BROADCAST_PREVIEW.format(count=count, text=""))
    preview = texts.BROADCAST_PREVIEW.format(count=count, text=shorten(text, room))
    markup = InlineKeyboardMarkup([[
        InlineKeyboardButton(texts.BUTTON_SEND, callback_data=f"bc:send:{draft}"),
        InlineKeyboardButton(texts.BUTTON_CANCEL, callback_data=f"bc:cancel:{draft}"),
    ]])
    await message.reply_text(preview, parse_mode=None, reply_markup=markup)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`sub:on`, `sub:off`, the start menu's `m:subscribe`, and `bc:send|cancel:<id>`."""
    query = update.callback_query
    if query is None:
        return
    data = query.data or ""
    if data.startswith(("sub:", "m:")):
        await query.answer()
        await set_subscription(update, context, data != "sub:off", "button")
        return
    deps = deps_of(context)
    if deps is None:
        await query.answer(texts.DATABASE_DOWN, show_alert=True)
        return
    if not deps.is_admin(query.from_user.id):
        log.warning("refused broadcast button for user %s", query.from_user.id)
        await query.answer(bot_texts.ADMIN_ONLY, show_alert=True)
        return
    _, action, ident = data.split(":")
    draft, now = int(ident), deps.clock()
    try:
        if action == "cancel":
            done = await deps.outbox.call(lambda o: o.cancel_draft(draft))
        else:
            count = await deps.outbox.call(lambda o: o.enqueue(draft, now))
    except DatabaseError as exc:
        log.warning("broadcast %s: %s by admin %s not saved: %s",
                    draft, action, query.from_user.id, exc)
        # An alert holds 200 characters: the reason is cut, the log has all of it.
        alert = texts.BROADCAST_NOT_QUEUED.format(reason=exc)
        await query.answer(alert if len(alert) <= 200 else alert[:199] + "…", show_alert=True)
        return
    if action == "cancel":
        if not done:
            await query.answer(texts.BROADCAST_GONE, show_alert=True)
            return
        await query.answer()
        await _edit(query.edit_message_text(texts.BROADCAST_CANCELLED, parse_mode=None))
        return
    if count is None:  # tapped twice, or already cancelled
        await query.answer(texts.BROADCAST_GONE, show_alert=True)
        return
    await query.answer()
    log.info("admin %s queued broadcast %s for %d subscribers", query.from_user.id, draft, count)
    deps.wake()
    if query.message is not None:
        chat_id, message_id = query.message.chat.id, query.message.message_id
        await deps.outbox.call(lambda o: o.set_progress_message(draft, chat_id, message_id))
        progress = await deps.outbox.call(lambda o: o.progress(draft))
        if progress is not None:
            await _edit(query.edit_message_text(progress_text(progress), parse_mode=None))


async def _edit(edit: Awaitable[object]) -> None:
    try:
        await edit
    except BadRequest as exc:  # e.g. the message is too old to edit: progress still runs
        log.info("could not edit the broadcast message: %s", exc)
