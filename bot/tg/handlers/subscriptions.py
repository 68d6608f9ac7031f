"""Subscriptions and admin broadcasts: /subscribe, /unsubscribe, buttons, /broadcast,
/stopall.

Their handlers come before the application's catch-alls of the same group (unknown
commands, the generic button handler, plain /start; see `bot.tg.app`), so that /subscribe,
`/start subscribe`, `sub:*`/`m:subscribe` and `bc:*` buttons reach them. The outbox they
write to is the broadcast part's (`Services.broadcasting`): None while the database
cannot be opened.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from datetime import datetime

from telegram import (
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.broadcast import texts
from bot.broadcast.progress import (
    notice_messages,
    progress_markup,
    progress_text,
    send_notices,
    stop_markup,
)
from bot.core.knowledge import Knowledge
from bot.core.message_length import (
    MAX_MESSAGE,
    control_character,
    shorten,
    tg_len,
    visible,
)
from bot.storage.async_outbox import AsyncOutbox
from bot.storage.connection import DatabaseError
from bot.storage.outbox import DRAFT_MAX_AGE, StoppedAll, Unqueued
from bot.storage.worker import BULK_CALL_WAIT
from bot.tg.handlers.admin import admin_services
from bot.tg.reply import thread_of
from bot.tg.services import Services, services_of

log = logging.getLogger(__name__)
LINK_PAYLOADS = ("subscribe", "remind", "reminder")  # t.me/<bot>?start=subscribe
LINK = rf"^/start(@\w+)?\s+({'|'.join(LINK_PAYLOADS)})\s*$"  # a /start that subscribes
# Callback data handled here; a draft id is a database integer (at most 18 digits).
BUTTONS = r"^(sub:(on|off)|m:subscribe|bc:(send|cancel|stop):\d{1,18})$"
_OUT = (ChatMember.BANNED, ChatMember.LEFT)  # "kicked" and "left" in a private chat
MAX_IDS_SHOWN = 20  # broadcast ids /stopall names; past them, its count says how many


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
    services = services_of(context)
    outbox = services.broadcasting.outbox
    if outbox is None:
        await context.bot.send_message(chat.id, texts.DATABASE_DOWN, parse_mode=None)
        return
    now = services.now()
    try:
        if on:
            changed = await outbox.call(lambda o: o.subscribe(chat.id, reason, now))
        else:
            changed = await outbox.call(lambda o: o.unsubscribe(chat.id, reason, now))
    except DatabaseError as exc:
        log.warning("subscription change for chat %s not saved: %s", chat.id, exc)
        await context.bot.send_message(chat.id, texts.DATABASE_DOWN, parse_mode=None)
        return
    if on:
        text = subscribed_text(services.knowledge, now) if changed else texts.ALREADY_SUBSCRIBED
    else:
        text = texts.UNSUBSCRIBED if changed else texts.NOT_SUBSCRIBED
    await context.bot.send_message(chat.id, text, parse_mode=None,
                                   reply_markup=toggle_markup(on))


def subscribed_text(knowledge: Knowledge, now: datetime) -> str:
    """The confirmation, naming the event bot.yaml gives a command ("লামাকনসহ অনুষ্ঠানের আগে")
    while it is still ahead: once held, no reminder of it will come."""
    featured = knowledge.bot.event
    event = next((e for e in knowledge.events if featured and e.id == featured.event_id), None)
    if event is None or event.starts_at <= now:
        return texts.SUBSCRIBED
    return texts.SUBSCRIBED_EVENT.format(event=event.title)


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
    services = services_of(context)
    outbox = services.broadcasting.outbox
    if outbox is not None and change.new_chat_member.status in _OUT:
        chat_id, now = change.chat.id, services.now()
        try:
            left = await outbox.call(lambda o: o.unsubscribe(chat_id, "kicked", now))
        except DatabaseError as exc:  # the next broadcast's 403 unsubscribes them
            log.warning("chat %s blocked the bot, but could not be unsubscribed: %s",
                        chat_id, exc)
            return
        if left:
            log.info("chat %s blocked the bot: unsubscribed", chat_id)


async def _admin_outbox(update: Update, context: ContextTypes.DEFAULT_TYPE
                        ) -> tuple[Message, User, Services, AsyncOutbox] | None:
    """An admin command's message, its admin, the services and the outbox; None when the
    sender is no admin, or (having said so) while the database cannot be opened."""
    message, user = update.effective_message, update.effective_user
    services = await admin_services(update, context)
    if services is None or message is None or user is None:
        return None
    outbox = services.broadcasting.outbox
    if outbox is None:
        await message.reply_text(texts.DATABASE_DOWN, parse_mode=None)
        return None
    return message, user, services, outbox


async def on_broadcast(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins: `/broadcast TEXT` shows a preview with send and cancel buttons."""
    found = await _admin_outbox(update, context)
    if found is None:
        return
    message, user, services, outbox = found
    parts = (message.text or "").split(maxsplit=1)
    text = parts[1].strip() if len(parts) > 1 else ""
    if not visible(text):  # "/broadcast" and a zero-width space would send an empty message
        await message.reply_text(texts.BROADCAST_USAGE, parse_mode=None)
        return
    if tg_len(text) > MAX_MESSAGE:
        await message.reply_text(texts.BROADCAST_TOO_LONG.format(
            length=tg_len(text), limit=MAX_MESSAGE), parse_mode=None)
        return
    stray = control_character(text)
    if stray is not None:  # a paste accident (a NUL, a terminal's escape): as the CLI says
        await message.reply_text(texts.BROADCAST_CONTROL.format(
            code=f"{ord(text[stray]):04X}", position=stray + 1), parse_mode=None)
        return
    now, admin_id = services.now(), user.id
    try:
        draft = await outbox.call(lambda o: o.create_draft(text, now, created_by=admin_id))
        count = (await outbox.call(lambda o: o.subscriber_counts())).active
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
    services = await admin_services(update, context)
    if services is None:
        return
    outbox = services.broadcasting.outbox
    if outbox is None:
        await query.answer(texts.DATABASE_DOWN, show_alert=True)
        return
    _, action, ident = data.split(":")
    draft, now = int(ident), services.now()
    if action == "stop":
        await _stop(update, context, services, draft)
        return
    try:
        if action == "cancel":
            done = await outbox.call(lambda o: o.cancel_draft(draft))
        else:
            count = await outbox.call(lambda o: o.send_draft(draft, now), BULK_CALL_WAIT)
    except DatabaseError as exc:
        log.warning("broadcast %s: %s by admin %s not saved: %s",
                    draft, action, query.from_user.id, exc)
        # An alert holds 200 characters (the bot cuts it): the log has all of the reason.
        await query.answer(texts.BROADCAST_NOT_QUEUED.format(reason=exc), show_alert=True)
        return
    if action == "cancel":
        if not done:
            await query.answer(texts.BROADCAST_GONE, show_alert=True)
            return
        await query.answer()
        await _edit(query.edit_message_text(texts.BROADCAST_CANCELLED, parse_mode=None))
        return
    if count is Unqueued.EXPIRED:  # an old preview in a (perhaps stolen) phone's history
        hours = int(DRAFT_MAX_AGE.total_seconds() // 3600)
        log.warning("admin %s tapped Send on broadcast preview %s, older than %d hours:"
                    " not sent", query.from_user.id, draft, hours)
        await query.answer(texts.BROADCAST_EXPIRED.format(hours=hours), show_alert=True)
        await _edit(query.edit_message_reply_markup(None))  # no Send left to tap
        return
    if count is Unqueued.GONE:  # tapped twice, or already cancelled
        await query.answer(texts.BROADCAST_GONE, show_alert=True)
        return
    await query.answer()
    admin_id = query.from_user.id
    log.info("admin %s queued broadcast %s for %d subscribers", admin_id, draft, count)
    services.broadcasting.wake()
    progress = await outbox.call(lambda o: o.progress(draft))
    if query.message is not None:
        chat_id, message_id = query.message.chat.id, query.message.message_id
        await outbox.call(lambda o: o.set_progress_message(draft, chat_id, message_id))
        if progress is not None:
            await _edit(query.edit_message_text(progress_text(progress), parse_mode=None,
                                                reply_markup=progress_markup(progress)))
    if progress is not None:
        # A broadcast reaches everyone at once: if it came from a stolen account, the other
        # admins see it, word for word, and can stop what is not sent yet.
        notices = notice_messages(texts.BROADCAST_BY_ANOTHER, progress.text, admin=admin_id,
                                  id=draft, count=count)
        await _tell_admins(context, services, notices, besides=admin_id,
                           markup=stop_markup(draft))


async def _stop(update: Update, context: ContextTypes.DEFAULT_TYPE, services: Services,
                draft: int) -> None:
    """Cancel what a sending broadcast has not sent yet; every other admin is told."""
    query = update.callback_query
    outbox = services.broadcasting.outbox
    assert query is not None and outbox is not None
    admin_id = query.from_user.id
    try:
        count = await outbox.call(
            lambda o: o.stop(draft, services.now(), f"stopped by admin {admin_id}"),
            BULK_CALL_WAIT)
    except DatabaseError as exc:
        log.warning("broadcast %s: stop by admin %s not saved: %s", draft, admin_id, exc)
        await query.answer(texts.BROADCAST_NOT_QUEUED.format(reason=exc), show_alert=True)
        return
    if not count:  # finished, stopped already, or never sent
        await query.answer(texts.BROADCAST_GONE, show_alert=True)
        return
    log.warning("admin %s stopped broadcast %s: %d messages not sent", admin_id, draft, count)
    stopped = texts.BROADCAST_STOPPED.format(admin=admin_id, id=draft, count=count)
    await query.answer(stopped, show_alert=True)  # the progress message shows it too
    await _tell_admins(context, services, [stopped], besides=admin_id)


async def on_stop_all(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins: `/stopall` stops every broadcast and reminder being sent at once, and every
    preview not confirmed; the admin and every other admin are told what it stopped.

    Each broadcast and each reminder has its own ⏹, under its own notice: with several going
    out at once (a stolen account's announcements, a reminder whose text it uploaded), an
    admin would hunt for each while they went out."""
    found = await _admin_outbox(update, context)
    if found is None:
        return
    message, user, services, outbox = found
    admin_id, now = user.id, services.now()
    try:
        stopped = await outbox.call(
            lambda o: o.stop_all(now, f"stopped by admin {admin_id} (/stopall)"),
            BULK_CALL_WAIT)
    except DatabaseError as exc:
        log.warning("/stopall by admin %s not saved: %s", admin_id, exc)
        await message.reply_text(texts.BROADCAST_NOT_QUEUED.format(reason=exc), parse_mode=None)
        return
    log.warning("admin %s stopped every broadcast: %s (%d messages not sent), %d drafts",
                admin_id, list(stopped.broadcasts), stopped.messages, stopped.drafts)
    told = stop_all_text(stopped, admin_id)
    await message.reply_text(told, parse_mode=None)
    await _tell_admins(context, services, [told], besides=admin_id)


def stop_all_text(stopped: StoppedAll, admin_id: int) -> str:
    """What /stopall stopped, for every admin (plain text)."""
    if not stopped.broadcasts and not stopped.drafts:
        return texts.STOP_ALL_NOTHING.format(admin=admin_id, later=texts.STOP_ALL_LATER)
    reminders = stopped.reminders
    kinds = ("" if not reminders else " (1 of them a reminder)" if reminders == 1
             else f" ({reminders} of them reminders)")
    # Their ids are the notices' "#N": which ones stopped, against what each admin was shown.
    shown = ", ".join(f"#{b}" for b in stopped.broadcasts[:MAX_IDS_SHOWN])
    more = "…" if len(stopped.broadcasts) > MAX_IDS_SHOWN else ""
    return texts.STOP_ALL.format(
        admin=admin_id, broadcasts=len(stopped.broadcasts),
        details=f"{kinds}: {shown}{more}" if shown else "", messages=stopped.messages,
        drafts=stopped.drafts, later=texts.STOP_ALL_LATER)


async def _tell_admins(context: ContextTypes.DEFAULT_TYPE, services: Services,
                       messages: list[str], *, besides: int,
                       markup: InlineKeyboardMarkup | None = None) -> None:
    """Send each other admin `messages` (plain text), `markup` under the last."""
    await send_notices(context.bot, sorted(services.settings.admin_ids - {besides}), messages,
                       markup)


async def _edit(edit: Awaitable[object]) -> None:
    try:
        await edit
    except BadRequest as exc:  # e.g. the message is too old to edit: progress still runs
        log.info("could not edit the broadcast message: %s", exc)
